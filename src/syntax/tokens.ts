/**
 * Token types of the `.state` language. They are Chevrotain token types (the parser and the
 * railroad diagrams use them), but the text is scanned by the hand-written scanner in lexer.ts:
 * templates, heredocs and newline significance depend on context that regex tokens can't see.
 * Every token has a `label` so parse errors read `expected "="` rather than `expected Equals`.
 */
import type { TokenType } from "chevrotain";
import { chevrotain } from "./chevrotain.js";

const { createToken, Lexer } = chevrotain;

const t = (name: string, label: string, categories?: TokenType[]): TokenType =>
  createToken({ name, pattern: Lexer.NA, label, ...(categories ? { categories } : {}) });

// Categories (never produced directly; tokens belong to them).
export const BinaryOperator = t("BinaryOperator", "an operator");
export const UnaryOperator = t("UnaryOperator", '"!" or "-"');

export const NewLine = t("NewLine", "a line break");
export const Ident = t("Ident", "a name");
// Keywords are names too (`in = 1` is a valid attribute), so they sit in the Ident category —
// except `for`, which is reserved: `[for …` and `{for …` then decide on one token of lookahead,
// so `{ x 1 }` reports `expected "=" or ":"` rather than a list of every possible start.
export const True = t("True", '"true"', [Ident]);
export const False = t("False", '"false"', [Ident]);
export const Null = t("Null", '"null"', [Ident]);
export const For = t("For", '"for"');
export const In = t("In", '"in"', [Ident]);
export const If = t("If", '"if"', [Ident]);
export const NumberLit = t("NumberLit", "a number");
/** A complete quoted string without interpolation; payload is the decoded value. */
export const StringLit = t("StringLit", "a quoted string");
/** Opening `"` of a quoted template that contains `${…}`. */
export const OQuote = t("OQuote", '"\\""');
export const CQuote = t("CQuote", 'the closing "\\""');
/** Literal text inside a template or heredoc; payload is a TemplateChunk. */
export const TemplateString = t("TemplateString", "template text");
export const TemplateInterp = t("TemplateInterp", '"${"');
export const TemplateInterpEnd = t("TemplateInterpEnd", '"}"');
export const HeredocStart = t("HeredocStart", 'a heredoc ("<<EOT")');
export const HeredocEnd = t("HeredocEnd", "the heredoc's closing marker");

export const LBrace = t("LBrace", '"{"');
export const RBrace = t("RBrace", '"}"');
export const LBracket = t("LBracket", '"["');
export const RBracket = t("RBracket", '"]"');
export const LParen = t("LParen", '"("');
export const RParen = t("RParen", '")"');
export const Comma = t("Comma", '","');
export const Ellipsis = t("Ellipsis", '"..."');
export const Dot = t("Dot", '"."');
export const FatArrow = t("FatArrow", '"=>"');
export const Equals = t("Equals", '"="');
export const Colon = t("Colon", '":"');
export const Question = t("Question", '"?"');
export const Star = t("Star", '"*"', [BinaryOperator]);
export const Slash = t("Slash", '"/"', [BinaryOperator]);
export const Percent = t("Percent", '"%"', [BinaryOperator]);
export const Plus = t("Plus", '"+"', [BinaryOperator]);
export const Minus = t("Minus", '"-"', [BinaryOperator, UnaryOperator]);
export const Bang = t("Bang", '"!"', [UnaryOperator]);
export const EqEq = t("EqEq", '"=="', [BinaryOperator]);
export const NotEq = t("NotEq", '"!="', [BinaryOperator]);
export const Lt = t("Lt", '"<"', [BinaryOperator]);
export const Gt = t("Gt", '">"', [BinaryOperator]);
export const LtEq = t("LtEq", '"<="', [BinaryOperator]);
export const GtEq = t("GtEq", '">="', [BinaryOperator]);
export const AndAnd = t("AndAnd", '"&&"', [BinaryOperator]);
export const OrOr = t("OrOr", '"||"', [BinaryOperator]);

/** Comments never reach the parser; lexFile returns them separately for the formatter. */
export const LineComment = t("LineComment", "a comment");
export const BlockComment = t("BlockComment", "a comment");

/** Every token type the parser can see, in a fixed order (the vocabulary). */
export const allTokens: TokenType[] = [
  BinaryOperator,
  UnaryOperator,
  NewLine,
  Ident,
  True,
  False,
  Null,
  For,
  In,
  If,
  NumberLit,
  StringLit,
  OQuote,
  CQuote,
  TemplateString,
  TemplateInterp,
  TemplateInterpEnd,
  HeredocStart,
  HeredocEnd,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Ellipsis,
  Dot,
  FatArrow,
  Equals,
  Colon,
  Question,
  Star,
  Slash,
  Percent,
  Plus,
  Minus,
  Bang,
  EqEq,
  NotEq,
  Lt,
  Gt,
  LtEq,
  GtEq,
  AndAnd,
  OrOr,
  LineComment,
  BlockComment,
];

export const keywords: ReadonlyMap<string, TokenType> = new Map([
  ["true", True],
  ["false", False],
  ["null", Null],
  ["for", For],
  ["in", In],
  ["if", If],
]);

/** Payload of a TemplateString token. */
export interface TemplateChunk {
  /** The text with escapes decoded. */
  value: string;
  /** The chunk starts at the beginning of a source line (heredoc indentation applies to it). */
  lineStart: boolean;
}
