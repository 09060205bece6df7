/**
 * The grammar: a Chevrotain EmbeddedActionsParser whose rules build the AST directly (no CST, so
 * no second pass). Rules are class properties so a misspelt SUBRULE fails to compile.
 *
 * Error handling is our own rather than Chevrotain's built-in recovery, because a configuration
 * language recovers best at line granularity: an error anywhere inside a body item is reported
 * once, then the scan skips to the end of that item (the next line break or closing `}` at the
 * item's bracket depth) and parsing resumes with the next item. So one mistake gives one error,
 * and independent mistakes in later lines are all reported.
 */
import type {
  IOrAlt,
  IParserErrorMessageProvider,
  IRecognitionException,
  IToken,
  OrMethodOpts,
  TokenType,
} from "chevrotain";
import { chevrotain } from "./chevrotain.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { didYouMeanHint } from "../diag/suggest.js";
import { SourceRange, type Position, type Range } from "../diag/range.js";
import * as A from "./ast.js";
import { tokenRange } from "./lexer.js";
import { defined } from "../diag/invariant.js";
import * as T from "./tokens.js";

const { EmbeddedActionsParser, EOF, isRecognitionException } = chevrotain;

/** Block types allowed at the top level of a `.state` file. */
export const TOP_LEVEL_BLOCK_TYPES = [
  "document",
  "association",
  "variable",
  "locals",
  "output",
  "provider",
  "state",
  "import",
  "moved",
  "module",
] as const;

/**
 * How deeply expressions and blocks may nest. Real configurations stay far below it; the limit
 * turns pathological input (thousands of `[` or `!`) into a diagnostic instead of a stack overflow.
 */
export const MAX_NESTING = 100;

/** A block still open at the end of the file (reported at its "{", not at the end). */
class Unclosed extends Error {
  constructor(
    readonly blockType: IToken,
    readonly open: IToken,
  ) {
    super("unclosed");
  }
}

class TooDeep extends Error {
  constructor(readonly token: IToken) {
    super("too deep");
  }
}

// -- messages -------------------------------------------------------------------------------

function label(t: TokenType): string {
  return t.LABEL ?? t.name;
}

function joinAlternatives(words: string[]): string {
  const unique = [...new Set(words)];
  const last = unique.pop();
  if (last === undefined) return "something else";
  return unique.length === 0 ? last : `${unique.join(", ")} or ${last}`;
}

function isEof(tok: IToken | undefined): boolean {
  return tok === undefined || tok.tokenType === EOF;
}

/** A short phrase naming a token, for "after …" in messages. */
export function describeToken(tok: IToken | undefined): string {
  if (tok === undefined || isEof(tok)) return "the end of the file";
  const tt = tok.tokenType;
  if (tt === T.NewLine) return "a line break";
  if (tt === T.StringLit) return tok.image.length <= 30 ? tok.image : "the string";
  if (tt === T.NumberLit) return tok.image;
  if (tt === T.CQuote) return "the string";
  if (tt === T.TemplateString) return "the text";
  if (tt === T.HeredocEnd) return "the heredoc";
  if (tt === T.HeredocStart) return JSON.stringify(tok.image);
  if (T.keywords.has(tok.image) || tt === T.Ident) return JSON.stringify(tok.image);
  return label(tt);
}

/** The unexpected token, as the summary line names it. */
function describeUnexpected(tok: IToken | undefined): string {
  if (tok === undefined || isEof(tok)) return "end of file";
  const tt = tok.tokenType;
  if (tt === T.NewLine) return "line break";
  if (tt === T.Ident) return `name ${JSON.stringify(tok.image)}`;
  if (T.keywords.has(tok.image)) return `keyword ${JSON.stringify(tok.image)}`;
  if (tt === T.StringLit) return `string ${tok.image.length <= 30 ? tok.image : tok.image.slice(0, 27) + '…"'}`;
  if (tt === T.NumberLit) return `number ${tok.image}`;
  if (tt === T.OQuote) return "string";
  if (tt === T.HeredocStart) return "heredoc";
  if (tt === T.TemplateString) return "template text";
  return label(tt);
}

function after(prev: IToken | undefined): string {
  if (prev === undefined || isEof(prev) || prev.tokenType === T.NewLine || !Number.isFinite(prev.startOffset))
    return "";
  return ` after ${describeToken(prev)}`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, previous }) => `expected ${label(expected)}${after(previous)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describeToken(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, previous, customUserDescription }) =>
    `expected ${customUserDescription ?? joinAlternatives(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => (path[0] ? label(path[0]) : "something else"))))}${after(previous)}`,
  buildEarlyExitMessage: ({ expectedIterationPaths, previous, customUserDescription }) =>
    `expected ${customUserDescription ?? joinAlternatives(expectedIterationPaths.map((p) => (p[0] ? label(p[0]) : "something else")))}${after(previous)}`,
};

// -- AST construction helpers ---------------------------------------------------------------

type PostfixStep =
  | { kind: "attr"; name: IToken }
  | { kind: "legacyIndex"; num: IToken }
  | { kind: "attrSplat"; star: IToken }
  | { kind: "fullSplat"; close: IToken }
  | { kind: "index"; key: A.Expression; close: IToken };

export const PRECEDENCE: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  ">": 4,
  "<=": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};

/** Tokens that can begin a value (for "missing comma" hints). */
const STARTS_VALUE = new Set<TokenType>([
  T.StringLit,
  T.NumberLit,
  T.OQuote,
  T.HeredocStart,
  T.LBracket,
  T.LBrace,
  T.LParen,
  T.Ident,
  T.True,
  T.False,
  T.Null,
  T.Bang,
]);

export const OPENERS = new Set<TokenType>([T.LBrace, T.LBracket, T.LParen, T.OQuote, T.TemplateInterp, T.HeredocStart]);
export const CLOSERS = new Set<TokenType>([
  T.RBrace,
  T.RBracket,
  T.RParen,
  T.CQuote,
  T.TemplateInterpEnd,
  T.HeredocEnd,
]);
const OPENER_OF = new Map<TokenType, TokenType>([
  [T.RBrace, T.LBrace],
  [T.RBracket, T.LBracket],
  [T.RParen, T.LParen],
  [T.CQuote, T.OQuote],
  [T.TemplateInterpEnd, T.TemplateInterp],
  [T.HeredocEnd, T.HeredocStart],
]);

/** A template part as templateParts collects it: whether it starts a source line matters to `<<-`. */
export interface TemplatePartAt {
  part: A.TemplatePart;
  lineStart: boolean;
}

/** `<<-`: removes the smallest indentation shared by the heredoc's non-blank lines. */
export function dedentHeredoc(parts: TemplatePartAt[]): A.TemplatePart[] {
  let min = Infinity;
  let atLineStart = true;
  for (const { part, lineStart } of parts) {
    if (part.type === "TemplateLiteral") {
      if (lineStart && part.value !== "\n" && part.value !== "\r\n") {
        const m = indentation(part.value);
        // A line of only whitespace doesn't count unless something follows on it.
        if (m < part.value.replace(/\r?\n$/, "").length || !part.value.endsWith("\n")) min = Math.min(min, m);
      }
      atLineStart = part.value.endsWith("\n");
    } else {
      if (atLineStart) min = 0;
      atLineStart = false;
    }
  }
  if (!Number.isFinite(min) || min === 0) return parts.map((p) => p.part);
  return parts.map(({ part, lineStart }) => {
    if (part.type !== "TemplateLiteral" || !lineStart) return part;
    return { ...part, value: part.value.slice(Math.min(indentation(part.value), min)) };
  });
}

/** How many spaces and tabs open `text`. */
function indentation(text: string): number {
  const first = text.search(/[^ \t]/);
  return first < 0 ? text.length : first;
}

/** Adjacent literal chunks (one per heredoc line) become one part. */
export function mergeTemplateLiterals(parts: A.TemplatePart[]): A.TemplatePart[] {
  const adjacent = parts.some(
    (p, i) => i > 0 && p.type === "TemplateLiteral" && parts[i - 1]?.type === "TemplateLiteral",
  );
  if (!adjacent) return parts;
  const out: A.TemplatePart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.type === "TemplateLiteral" && last?.type === "TemplateLiteral") {
      out[out.length - 1] = {
        type: "TemplateLiteral",
        value: last.value + p.value,
        range: A.spanRange(last.range, p.range),
      };
    } else out.push(p);
  }
  return out;
}

// -- the parser -----------------------------------------------------------------------------

export class StateParser extends EmbeddedActionsParser {
  /** The file being parsed (for ranges). */
  private file = "";
  private text = "";
  private depth = 0;
  /** Lines of the `{` of the blocks being parsed, innermost last (guides error recovery). */
  private braceLines: number[] = [];
  /** Set once recovery ran into the end of the file: unclosed outer blocks are then follow-on errors. */
  private reachedEnd = false;
  /** Diagnostics found while parsing, in the order found. */
  diagnostics: Diagnostic[] = [];

  /**
   * `validate: true` runs Chevrotain's grammar checks (ambiguities, left recursion); a test does,
   * so production start-up can skip them.
   */
  constructor(options: { validate?: boolean } = {}) {
    super(T.allTokens, {
      maxLookahead: 3,
      recoveryEnabled: false,
      errorMessageProvider: messages,
      skipValidations: !options.validate,
    });
    this.performSelfAnalysis();
  }

  /** Parses a token stream from lexFile; returns the file's body. Never throws for any input. */
  parseTokens(tokens: IToken[], file: string, text: string): A.Body {
    this.file = file;
    this.text = text;
    this.depth = 0;
    this.eofPosition = undefined;
    this.braceLines = [];
    this.reachedEnd = false;
    this.diagnostics = [];
    this.input = tokens;
    const items = this.firstRule(() => this.fileRule());
    const body: A.Body = {
      type: "Body",
      items: items ?? [],
      range: { file, start: { line: 1, column: 1, offset: 0 }, end: this.endOfFile() },
    };
    // The parser is shared: don't keep the last file's tokens and text alive.
    this.input = [];
    this.text = "";
    return body;
  }

  /** Parses a token stream holding one expression (newlines already removed). */
  parseExpressionTokens(
    tokens: IToken[],
    file: string,
    text: string,
  ): { expr?: A.Expression; diagnostics: Diagnostic[] } {
    this.file = file;
    this.text = text;
    this.depth = 0;
    this.eofPosition = undefined;
    this.diagnostics = [];
    this.input = tokens;
    let expr: A.Expression | undefined;
    try {
      expr = this.firstRule(() => this.expression());
    } catch (e) {
      if (!(e instanceof TooDeep)) throw e;
      this.reportException(e);
      return { diagnostics: this.diagnostics };
    }
    for (const e of this.errors) this.reportException(e);
    if (this.errors.length === 0 && !isEof(this.LA(1))) {
      const next = this.LA(1);
      this.diagnostics.push(
        error("syntax/unexpected-token", `Unexpected ${describeUnexpected(next)}`, {
          range: this.r(next),
          detail: "expected the end of the expression",
        }),
      );
    }
    this.input = [];
    this.text = "";
    return { ...(expr ? { expr } : {}), diagnostics: this.diagnostics };
  }

  // -- small helpers (only called outside the recording phase) --------------------------------

  /**
   * Runs the first rule of a parse. When it fails, Chevrotain returns undefined from it (its
   * recoveryValueFunc) instead of throwing, whatever the rule's declared type says.
   */
  private firstRule<R>(rule: () => R): R | undefined {
    return rule();
  }

  private r(tok: IToken): Range {
    if (isEof(tok) || !Number.isFinite(tok.startOffset)) {
      const end = this.endOfFile();
      return SourceRange.of(this.file, end, end);
    }
    return tokenRange(this.file, tok);
  }

  private eofPosition: Position | undefined;
  private endOfFile(): Position {
    if (this.eofPosition) return this.eofPosition;
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf("\n"); i >= 0; i = this.text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    this.eofPosition = { line, column: this.text.length - lineStart + 1, offset: this.text.length };
    return this.eofPosition;
  }

  private enter(tok: () => IToken): void {
    if (this.RECORDING_PHASE) return;
    if (++this.depth > MAX_NESTING) throw new TooDeep(tok());
  }

  private leave(): void {
    if (!this.RECORDING_PHASE) this.depth--;
  }

  /** The token after `tok` in the input (for hints that look one token ahead). */
  private nextAfter(tok: IToken): IToken | undefined {
    const i = this.currentIndex() + 1;
    const tokens = this.input;
    return tokens[i] === tok ? tokens[i + 1] : undefined;
  }

  private currentIndex(): number {
    return (this as unknown as { currIdx: number }).currIdx;
  }

  private isAtItemEnd(): boolean {
    const tt = this.LA(1).tokenType;
    return tt === EOF || tt === T.NewLine || tt === T.RBrace;
  }

  /**
   * Skips to the end of the body item that began at token index `itemStart`: the next line
   * break outside any bracket the item opened. A `}` that closes nothing the item opened ends
   * the item too when it is the first thing on its line (it closes the enclosing block), or on the
   * enclosing block's own line (`foo { a = }`); elsewhere it is a stray brace, part of the error.
   */
  private skipRestOfItem(itemStart: number): void {
    const tokens = this.input;
    const open: TokenType[] = [];
    const track = (tt: TokenType) => {
      if (OPENERS.has(tt)) open.push(tt);
      else {
        const want = OPENER_OF.get(tt);
        const at = want === undefined ? -1 : open.lastIndexOf(want);
        if (at >= 0) open.length = at;
      }
    };
    for (const tok of tokens.slice(itemStart, this.currentIndex() + 1)) track(tok.tokenType);
    const enclosingLine = this.braceLines[this.braceLines.length - 1];
    for (;;) {
      const tok = this.LA(1);
      const tt = tok.tokenType;
      if (tt === EOF) {
        this.reachedEnd = true;
        return;
      }
      if (open.length === 0) {
        if (tt === T.NewLine) return;
        if (tt === T.RBrace) {
          const prev = tokens[this.currentIndex()];
          const firstOnLine =
            prev === undefined || prev.tokenType === T.NewLine || (prev.endLine ?? 0) < (tok.startLine ?? 0);
          if (firstOnLine || tok.startLine === enclosingLine) return;
        }
      } else if (tt === T.RBrace && !open.includes(T.LBrace) && !open.includes(T.TemplateInterp)) {
        // An unclosed "(" or "[" in the item, then a "}": the brace belongs to the enclosing block.
        return;
      }
      track(tt);
      this.SKIP_TOKEN();
    }
  }

  private reportException(e: unknown): void {
    if (e instanceof TooDeep) {
      this.diagnostics.push(
        error("syntax/too-deep", "Nesting is too deep", {
          range: this.r(e.token),
          detail: `expressions and blocks may nest at most ${MAX_NESTING} levels`,
          hint: "split the expression up, for example with locals",
        }),
      );
      return;
    }
    if (e instanceof Unclosed) {
      if (this.reachedEnd) return;
      this.reachedEnd = true;
      this.diagnostics.push(
        error("syntax/unclosed-block", `Unclosed block "${e.blockType.image}"`, {
          range: this.r(e.open),
          detail: 'this "{" has no matching "}" before the end of the file',
          hint: 'add the missing "}"; the block may also have been closed too early by a "}" inside it',
        }),
      );
      return;
    }
    const re = e as IRecognitionException & { previousToken?: IToken };
    const tok = re.token;
    const hint = this.hintFor(re);
    this.diagnostics.push(
      error("syntax/unexpected-token", `Unexpected ${describeUnexpected(tok)}`, {
        range: this.r(tok),
        detail: re.message,
        ...(hint ? { hint } : {}),
      }),
    );
  }

  private hintFor(e: IRecognitionException & { previousToken?: IToken }): string | undefined {
    const tok = e.token;
    const prev = e.previousToken;
    const tt = tok.tokenType;
    if (tt === T.NewLine && this.nextAfter(tok)?.tokenType === T.LBrace && e.message.includes('"{"'))
      return 'a block\'s "{" must be on the same line as its type and labels';
    if (isEof(tok) && e.message.includes('"}"')) return 'a "{" is never closed; add the missing "}"';
    if (tt === T.OQuote && prev && (prev.tokenType === T.Ident || prev.tokenType === T.StringLit))
      return 'block labels are plain quoted strings; they can\'t contain "${…}"';
    if (tt === T.Colon && e.message.includes('"="')) return 'arguments use "=", not ":"';
    if (prev?.tokenType === T.Ident && e.message.includes('"=" or "{"'))
      return "an argument is written name = value; a block is written name { … }";
    const closer = e.message.startsWith('expected "]"') ? "]" : e.message.startsWith('expected ")"') ? ")" : undefined;
    if (closer && prev && STARTS_VALUE.has(tt)) {
      if ((tok.startLine ?? 0) > (prev.endLine ?? 0))
        return `is a "${closer}" missing at the end of line ${prev.endLine}?`;
      return closer === "]" ? 'separate list items with ","' : 'separate function arguments with ","';
    }
    if (tt === T.Equals && prev?.tokenType === T.Equals) return 'write "==" to compare, "=" only assigns an argument';
    if (
      tt === T.Ident &&
      prev &&
      (prev.tokenType === T.StringLit ||
        prev.tokenType === T.NumberLit ||
        prev.tokenType === T.CQuote ||
        prev.tokenType === T.RBracket)
    )
      return "separate items with a comma or put each argument on its own line";
    return undefined;
  }

  // -- rules ----------------------------------------------------------------------------------

  private fileRule = this.RULE("file", (): A.BodyItem[] => {
    const items = this.SUBRULE(this.body, { ARGS: [true] });
    return items;
  });

  /** The body being parsed: its items and whether it is the file's top level. */
  private bodyItems: A.BodyItem[] = [];
  private bodyTopLevel = false;
  // Alternatives are built once and reused (Chevrotain's advice: no per-call allocation).
  private bodyAlternatives?: IOrAlt<unknown>[];

  private body = this.RULE("body", (topLevel: boolean): A.BodyItem[] => {
    const outerItems = this.bodyItems;
    const outerTopLevel = this.bodyTopLevel;
    const items: A.BodyItem[] = [];
    this.bodyItems = items;
    this.bodyTopLevel = topLevel;
    try {
      for (;;) {
        this.MANY(() => {
          this.OR((this.bodyAlternatives ??= [{ ALT: () => this.CONSUME(T.NewLine) }, { ALT: () => this.bodyItem() }]));
        });
        if (this.RECORDING_PHASE) break;
        const next = this.LA(1);
        if (next.tokenType === EOF || (!topLevel && next.tokenType === T.RBrace)) break;
        // Something that can't start an item: report it, skip the line, keep going.
        const start = this.currentIndex() + 1;
        this.diagnostics.push(
          error("syntax/unexpected-token", `Unexpected ${describeUnexpected(next)}`, {
            range: this.r(next),
            detail:
              topLevel && next.tokenType === T.RBrace
                ? 'this "}" closes nothing'
                : "expected an argument name or a block type",
            ...(topLevel && next.tokenType === T.RBrace
              ? { hint: 'remove it, or look for a "{" missing further up' }
              : next.tokenType === T.StringLit
                ? { hint: "argument names and block types are written without quotes" }
                : {}),
          }),
        );
        this.SKIP_TOKEN();
        this.skipRestOfItem(start);
      }
    } finally {
      this.bodyItems = outerItems;
      this.bodyTopLevel = outerTopLevel;
    }
    return items;
  });

  /** One item of the current body, with recovery: an error skips to the end of the item. */
  private bodyItem(): void {
    const start = this.RECORDING_PHASE ? 0 : this.currentIndex() + 1;
    const savedDepth = this.depth;
    try {
      const item = this.SUBRULE(this.item);
      this.ACTION(() => {
        if (!this.isAtItemEnd()) {
          const next = this.LA(1);
          this.diagnostics.push(
            error("syntax/unexpected-token", `Unexpected ${describeUnexpected(next)}`, {
              range: this.r(next),
              detail: `expected a line break after ${item.type === "Block" ? "the block" : `the value of "${item.name}"`}`,
              hint:
                next.tokenType === T.Comma
                  ? 'arguments are separated by line breaks, not commas: remove the ","'
                  : "each argument and block goes on its own line",
            }),
          );
          this.skipRestOfItem(this.currentIndex() + 1);
        }
        if (this.bodyTopLevel) this.checkTopLevel(item);
        this.bodyItems.push(item);
      });
    } catch (e) {
      if (!(e instanceof TooDeep) && !(e instanceof Unclosed) && !isRecognitionException(e as Error)) throw e;
      this.depth = savedDepth;
      this.reportException(e);
      this.skipRestOfItem(start);
      // `name "label"` with its "{" on the next line: the braced body belongs to this item.
      if (
        this.LA(1).tokenType === T.NewLine &&
        this.LA(2).tokenType === T.LBrace &&
        isRecognitionException(e as Error) &&
        (e as IRecognitionException).token.tokenType === T.NewLine
      ) {
        this.SKIP_TOKEN();
        this.skipRestOfItem(this.currentIndex() + 1);
      }
    }
  }

  private checkTopLevel(item: A.BodyItem): void {
    if (item.type === "Attribute") {
      this.diagnostics.push(
        error("syntax/unexpected-attribute", `Unexpected argument "${item.name}" at the top level`, {
          range: item.nameRange,
          detail: "only blocks can appear at the top level of a .state file",
          hint: "to name a value, put it in a locals block: locals { " + item.name + " = … }",
        }),
      );
    } else if (!(TOP_LEVEL_BLOCK_TYPES as readonly string[]).includes(item.blockType)) {
      const hint = didYouMeanHint(item.blockType, TOP_LEVEL_BLOCK_TYPES);
      this.diagnostics.push(
        error("syntax/unknown-block-type", `Unknown block type "${item.blockType}"`, {
          range: item.typeRange,
          detail: `"${item.blockType}" is not a top-level block type`,
          hint: hint ?? `the block types are ${TOP_LEVEL_BLOCK_TYPES.join(", ")}`,
        }),
      );
    }
  }

  /** The name token of the item being parsed (read by the alternatives before they recurse). */
  private itemName!: IToken;
  private itemAlternatives?: OrMethodOpts<A.BodyItem>;

  private item = this.RULE("item", (): A.BodyItem => {
    this.itemName = this.CONSUME(T.Ident);
    return this.OR(
      (this.itemAlternatives ??= {
        DEF: [
          {
            ALT: () => {
              const name = this.itemName;
              this.CONSUME(T.Equals);
              const expr = this.SUBRULE(this.expression);
              return this.ACTION((): A.Attribute => {
                const nameRange = this.r(name);
                return A.attributeNode(name.image, nameRange, expr);
              });
            },
          },
          {
            ALT: () => {
              const name = this.itemName;
              this.enter(() => name);
              try {
                const labels: IToken[] = [];
                this.MANY(() => {
                  this.OR2([
                    { ALT: () => labels.push(this.CONSUME(T.StringLit)) },
                    { ALT: () => labels.push(this.CONSUME2(T.Ident)) },
                  ]);
                });
                const open = this.CONSUME(T.LBrace);
                this.ACTION(() => this.braceLines.push(open.startLine ?? 0));
                let items: A.BodyItem[];
                try {
                  items = this.SUBRULE(this.body, { ARGS: [false] });
                } finally {
                  this.ACTION(() => this.braceLines.pop());
                }
                let close: IToken;
                try {
                  close = this.CONSUME(T.RBrace);
                } catch (e) {
                  if (!this.RECORDING_PHASE && isEof(this.LA(1))) throw new Unclosed(name, open);
                  throw e;
                }
                return this.ACTION((): A.Block => {
                  const blockLabels = labels.map((l) => ({
                    value: l.tokenType === T.StringLit ? (l.payload as string) : l.image,
                    range: this.r(l),
                  }));
                  return A.blockNode(name.image, this.r(name), blockLabels, items, this.r(open), this.r(close));
                });
              } finally {
                this.leave();
              }
            },
          },
        ],
        ERR_MSG: '"=" or "{"',
      }),
    );
  });

  // -- expressions ----------------------------------------------------------------------------

  expression = this.RULE("expression", (): A.Expression => {
    this.enter(() => this.LA(1));
    try {
      const condition = this.SUBRULE(this.binary);
      let result = condition;
      this.OPTION(() => {
        this.CONSUME(T.Question);
        const trueExpr = this.SUBRULE(this.expression);
        this.CONSUME(T.Colon);
        const falseExpr = this.SUBRULE2(this.expression);
        result = this.ACTION((): A.Conditional => A.conditionalNode(condition, trueExpr, falseExpr));
      });
      return result;
    } finally {
      this.leave();
    }
  });

  /** Operands joined by binary operators; precedence is applied when building the tree. */
  private binary = this.RULE("binaryChain", (): A.Expression => {
    const first = this.SUBRULE(this.unary);
    const operands: A.Expression[] = [first];
    const ops: IToken[] = [];
    this.MANY(() => {
      ops.push(this.CONSUME(T.BinaryOperator));
      operands.push(this.SUBRULE2(this.unary));
    });
    return this.ACTION(() => {
      if (ops.length === 0) return first;
      if (this.depth + ops.length > MAX_NESTING)
        throw new TooDeep(defined(ops[MAX_NESTING - this.depth] ?? ops.at(-1), "an operator past the nesting limit"));
      return this.buildBinary(operands, ops);
    });
  });

  /** Precedence climbing over a flat operand/operator list; all operators are left-associative. */
  private buildBinary(operands: A.Expression[], ops: IToken[]): A.Expression {
    let i = 0;
    // One operand more than operators: operands[i] exists whenever ops[i - 1] does.
    const operand = (n: number) => defined(operands[n], "an operand of the operator before it");
    const precedence = (op: IToken) => defined(PRECEDENCE[op.image], `the precedence of ${op.image}`);
    const climb = (minPrec: number): A.Expression => {
      let left = operand(i);
      for (let op = ops[i]; op !== undefined; op = ops[i]) {
        const prec = precedence(op);
        if (prec < minPrec) break;
        i++;
        // Left-associative: the right operand binds only tighter operators.
        let right = operand(i);
        const next = ops[i];
        if (next !== undefined && precedence(next) > prec) {
          right = climb(prec + 1);
        }
        const opRange = this.r(op);
        left = A.binaryNode(op.image as A.BinaryOp, opRange, left, right);
      }
      return left;
    };
    return climb(0);
  }

  private unary = this.RULE("unary", (): A.Expression => {
    const ops: IToken[] = [];
    this.MANY(() => {
      ops.push(this.CONSUME(T.UnaryOperator));
    });
    const operand = this.SUBRULE(this.postfix);
    return this.ACTION(() => {
      const [first] = ops;
      if (first === undefined) return operand;
      if (this.depth + ops.length > MAX_NESTING) throw new TooDeep(first);
      let e = operand;
      for (const op of ops.toReversed()) e = A.unaryNode(op.image as A.UnaryOp, this.r(op), e);
      return e;
    });
  });

  private postfix = this.RULE("postfix", (): A.Expression => {
    const base = this.SUBRULE(this.primary);
    const steps: PostfixStep[] = [];
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            this.OR2([
              { ALT: () => steps.push({ kind: "attr", name: this.CONSUME(T.Ident) }) },
              { ALT: () => steps.push({ kind: "legacyIndex", num: this.CONSUME(T.NumberLit) }) },
              { ALT: () => steps.push({ kind: "attrSplat", star: this.CONSUME(T.Star) }) },
            ]);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            this.OR3([
              {
                ALT: () => {
                  this.CONSUME2(T.Star);
                  steps.push({ kind: "fullSplat", close: this.CONSUME(T.RBracket) });
                },
              },
              {
                ALT: () => {
                  const key = this.SUBRULE(this.expression);
                  steps.push({ kind: "index", key, close: this.CONSUME2(T.RBracket) });
                },
              },
            ]);
          },
        },
      ]);
    });
    return this.ACTION(() => (steps.length === 0 ? base : this.buildPostfix(base, steps)));
  });

  private buildPostfix(base: A.Expression, steps: PostfixStep[]): A.Expression {
    let e = base;
    let k = 0;
    const stepToken = (s: PostfixStep): IToken =>
      s.kind === "attr" ? s.name : s.kind === "legacyIndex" ? s.num : s.kind === "attrSplat" ? s.star : s.close;
    const stepEnd = (s: PostfixStep): Range => this.r(stepToken(s));
    // Each GetAttr/Index/Splat wraps the expression before it: long chains nest as deeply as
    // brackets do, so they count towards the nesting limit.
    let wrappers = 0;
    const wrap = (s: PostfixStep) => {
      if (this.depth + ++wrappers > MAX_NESTING) throw new TooDeep(stepToken(s));
    };
    for (let s = steps[k]; s !== undefined; s = steps[k]) {
      const end = stepEnd(s);
      if (s.kind === "attrSplat" || s.kind === "fullSplat") {
        const splatSteps: A.SplatStep[] = [];
        k++;
        let last = end;
        for (let n = steps[k]; n !== undefined; n = steps[k]) {
          if (n.kind === "attr") splatSteps.push({ type: "SplatAttrStep", name: n.name.image, range: this.r(n.name) });
          else if (n.kind === "legacyIndex")
            splatSteps.push({ type: "SplatAttrStep", name: n.num.image, range: this.r(n.num) });
          else if (n.kind === "index" && s.kind === "fullSplat")
            splatSteps.push({ type: "SplatIndexStep", key: n.key, range: A.spanRange(n.key.range, this.r(n.close)) });
          else break;
          last = stepEnd(n);
          k++;
        }
        wrap(s);
        e = {
          type: "Splat",
          kind: s.kind === "fullSplat" ? "full" : "attr",
          source: e,
          steps: splatSteps,
          range: A.spanRange(e.range, last),
        };
        continue;
      }
      k++;
      const staticKey =
        s.kind === "index" &&
        s.key.type === "Literal" &&
        (typeof s.key.value === "string" || typeof s.key.value === "number")
          ? s.key.value
          : undefined;
      if (e.type === "ScopeTraversal" && (s.kind !== "index" || staticKey !== undefined)) {
        const stepRange =
          s.kind === "attr" ? this.r(s.name) : s.kind === "legacyIndex" ? this.r(s.num) : A.spanRange(s.key.range, end);
        const step: A.TraversalStep =
          s.kind === "attr"
            ? { type: "AttrStep", name: s.name.image, range: stepRange }
            : s.kind === "legacyIndex"
              ? { type: "IndexStep", key: Number(s.num.image), range: stepRange }
              : { type: "IndexStep", key: defined(staticKey, "the static key of an index step"), range: stepRange };
        // `e` was built by this parse and is not shared yet, so extending it in place is safe.
        e.traversal.push(step);
        e.range = A.spanRange(e.range, end);
        continue;
      }
      wrap(s);
      if (s.kind === "attr") e = A.getAttrNode(e, s.name.image, this.r(s.name), end);
      else if (s.kind === "legacyIndex")
        e = A.indexNode(e, { type: "Literal", value: Number(s.num.image), range: this.r(s.num) }, end);
      else e = A.indexNode(e, s.key, end);
    }
    return e;
  }

  private primaryAlternatives?: OrMethodOpts<A.Expression>;

  private primary = this.RULE("primary", (): A.Expression => {
    return this.OR(
      (this.primaryAlternatives ??= {
        DEF: [
          { ALT: () => this.literal(this.CONSUME(T.NumberLit), (t) => Number(t.image)) },
          { ALT: () => this.literal(this.CONSUME(T.True), () => true) },
          { ALT: () => this.literal(this.CONSUME(T.False), () => false) },
          { ALT: () => this.literal(this.CONSUME(T.Null), () => null) },
          { ALT: () => this.literal(this.CONSUME(T.StringLit), (t) => t.payload as string) },
          { ALT: () => this.SUBRULE(this.template) },
          { ALT: () => this.SUBRULE(this.heredoc) },
          { ALT: () => this.SUBRULE(this.tupleOrFor) },
          { ALT: () => this.SUBRULE(this.objectOrFor) },
          { ALT: () => this.SUBRULE(this.parenthesis) },
          { ALT: () => this.SUBRULE(this.functionCall) },
          {
            ALT: () => {
              const name = this.CONSUME(T.Ident);
              return this.ACTION((): A.ScopeTraversal => {
                const rootRange = this.r(name);
                return A.scopeTraversalNode(name.image, rootRange);
              });
            },
          },
        ],
        IGNORE_AMBIGUITIES: true,
        ERR_MSG: "an expression",
      }),
    );
  });

  private literal(tok: IToken, value: (t: IToken) => A.Literal["value"]): A.Literal {
    return this.ACTION(() => ({ type: "Literal", value: value(tok), range: this.r(tok) }));
  }

  private template = this.RULE("template", (): A.Template => {
    const open = this.CONSUME(T.OQuote);
    const parts = this.SUBRULE(this.templateParts);
    const close = this.CONSUME(T.CQuote);
    return this.ACTION((): A.Template =>
      A.templateNode(mergeTemplateLiterals(parts.map((p) => p.part)), this.r(open), this.r(close)),
    );
  });

  private heredoc = this.RULE("heredoc", (): A.Template => {
    const open = this.CONSUME(T.HeredocStart);
    const parts = this.SUBRULE(this.templateParts);
    const close = this.CONSUME(T.HeredocEnd);
    return this.ACTION((): A.Template => {
      const info = open.payload as A.HeredocInfo;
      const stripped = info.indent ? dedentHeredoc(parts) : parts.map((p) => p.part);
      return A.templateNode(mergeTemplateLiterals(stripped), this.r(open), this.r(close), {
        marker: info.marker,
        indent: info.indent,
      });
    });
  });

  private templateParts = this.RULE("templateParts", (): { part: A.TemplatePart; lineStart: boolean }[] => {
    const parts: { part: A.TemplatePart; lineStart: boolean }[] = [];
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const tok = this.CONSUME(T.TemplateString);
            this.ACTION(() => {
              const chunk = tok.payload as T.TemplateChunk;
              parts.push({
                part: { type: "TemplateLiteral", value: chunk.value, range: this.r(tok) },
                lineStart: chunk.lineStart,
              });
            });
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME(T.TemplateInterp);
            const expr = this.SUBRULE(this.expression);
            const close = this.CONSUME(T.TemplateInterpEnd);
            this.ACTION(() =>
              parts.push({
                part: { type: "TemplateInterpolation", expr, range: A.spanRange(this.r(open), this.r(close)) },
                lineStart: false,
              }),
            );
          },
        },
      ]);
    });
    return parts;
  });

  private tupleOrFor = this.RULE("tupleOrFor", (): A.Expression => {
    const open = this.CONSUME(T.LBracket);
    return this.OR<A.Expression>({
      DEF: [
        {
          ALT: () => {
            const intro = this.SUBRULE(this.forIntro);
            const value = this.SUBRULE(this.expression);
            const cond = this.OPTION(() => {
              this.CONSUME(T.If);
              return this.SUBRULE2(this.expression);
            });
            const close = this.CONSUME(T.RBracket);
            return this.ACTION((): A.ForTuple => ({
              type: "ForTuple",
              ...(intro.keyVar ? { keyVar: intro.keyVar } : {}),
              valueVar: intro.valueVar,
              collection: intro.collection,
              value,
              ...(cond ? { cond } : {}),
              range: A.spanRange(this.r(open), this.r(close)),
            }));
          },
        },
        {
          ALT: () => {
            const items: A.Expression[] = [];
            this.OPTION2(() => {
              items.push(this.SUBRULE3(this.expression));
              this.MANY(() => {
                this.CONSUME(T.Comma);
                items.push(this.SUBRULE4(this.expression));
              });
              this.OPTION3(() => this.CONSUME2(T.Comma));
            });
            const close = this.CONSUME2(T.RBracket);
            return this.ACTION((): A.Tuple => ({
              type: "Tuple",
              items,
              range: A.spanRange(this.r(open), this.r(close)),
            }));
          },
        },
      ],
      IGNORE_AMBIGUITIES: true,
    });
  });

  private forIntro = this.RULE(
    "forIntro",
    (): { keyVar?: A.ForVariable; valueVar: A.ForVariable; collection: A.Expression } => {
      this.CONSUME(T.For);
      const first = this.CONSUME(T.Ident);
      const second = this.OPTION(() => {
        this.CONSUME(T.Comma);
        return this.CONSUME2(T.Ident);
      });
      this.CONSUME(T.In);
      const collection = this.SUBRULE(this.expression);
      this.CONSUME(T.Colon);
      return this.ACTION(() => {
        const v1 = { name: first.image, range: this.r(first) };
        if (second) return { keyVar: v1, valueVar: { name: second.image, range: this.r(second) }, collection };
        return { valueVar: v1, collection };
      });
    },
  );

  private objectOrFor = this.RULE("objectOrFor", (): A.Expression => {
    const open = this.CONSUME(T.LBrace);
    return this.OR<A.Expression>({
      DEF: [
        {
          ALT: () => {
            const intro = this.SUBRULE(this.forIntro);
            const key = this.SUBRULE(this.expression);
            this.CONSUME(T.FatArrow);
            const value = this.SUBRULE2(this.expression);
            const grouping = this.OPTION(() => this.CONSUME(T.Ellipsis));
            const cond = this.OPTION2(() => {
              this.CONSUME(T.If);
              return this.SUBRULE3(this.expression);
            });
            const close = this.CONSUME(T.RBrace);
            return this.ACTION((): A.ForObject => ({
              type: "ForObject",
              ...(intro.keyVar ? { keyVar: intro.keyVar } : {}),
              valueVar: intro.valueVar,
              collection: intro.collection,
              key,
              value,
              grouping: grouping !== undefined,
              ...(cond ? { cond } : {}),
              range: A.spanRange(this.r(open), this.r(close)),
            }));
          },
        },
        {
          ALT: () => {
            const items: A.ObjectItem[] = [];
            let separated = true;
            this.MANY(() => {
              this.OR2([
                {
                  ALT: () => {
                    this.OR3([{ ALT: () => this.CONSUME(T.NewLine) }, { ALT: () => this.CONSUME(T.Comma) }]);
                    separated = true;
                  },
                },
                {
                  ALT: () => {
                    const item = this.SUBRULE(this.objectItem);
                    this.ACTION(() => {
                      if (!separated) {
                        this.diagnostics.push(
                          error("syntax/missing-separator", 'Missing "," or line break between object items', {
                            range: item.key.range,
                            detail: "expected a comma or a line break before this item",
                            hint: "separate object items with commas or put each on its own line",
                          }),
                        );
                      }
                      items.push(item);
                      separated = false;
                    });
                  },
                },
              ]);
            });
            const close = this.CONSUME2(T.RBrace);
            return this.ACTION((): A.ObjectExpr => ({
              type: "Object",
              items,
              range: A.spanRange(this.r(open), this.r(close)),
            }));
          },
        },
      ],
      IGNORE_AMBIGUITIES: true,
    });
  });

  private objectItem = this.RULE("objectItem", (): A.ObjectItem => {
    const key = this.SUBRULE(this.expression);
    const sep = this.OR({
      DEF: [{ ALT: () => this.CONSUME(T.Equals) }, { ALT: () => this.CONSUME(T.Colon) }],
      ERR_MSG: '"=" or ":"',
    });
    const value = this.SUBRULE2(this.expression);
    return this.ACTION((): A.ObjectItem => {
      const bare = key.type === "ScopeTraversal" && key.traversal.length === 0;
      if (key.type === "ScopeTraversal" && key.traversal.length > 0) {
        this.diagnostics.push(
          error("syntax/ambiguous-object-key", "Ambiguous object key", {
            range: key.range,
            detail: "a key written as a reference is taken literally only when it is a single name",
            hint: `to use the value of ${this.text.slice(key.range.start.offset, key.range.end.offset)} as the key, wrap it in parentheses`,
          }),
        );
      }
      return {
        type: "ObjectItem",
        key: bare ? { type: "Literal", value: key.root, range: key.range } : key,
        bareKey: bare,
        separator: sep.image as "=" | ":",
        value,
        range: A.spanRange(key.range, value.range),
      };
    });
  });

  private parenthesis = this.RULE("parenthesis", (): A.Parenthesis => {
    const open = this.CONSUME(T.LParen);
    const expr = this.SUBRULE(this.expression);
    const close = this.CONSUME(T.RParen);
    return this.ACTION((): A.Parenthesis => A.parenthesisNode(expr, this.r(open), this.r(close)));
  });

  private functionCall = this.RULE("functionCall", (): A.FunctionCall => {
    const name = this.CONSUME(T.Ident);
    const open = this.CONSUME(T.LParen);
    const args: A.Expression[] = [];
    let expandFinal = false;
    this.OPTION(() => {
      args.push(this.SUBRULE(this.expression));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        args.push(this.SUBRULE2(this.expression));
      });
      this.OPTION2(() => {
        this.CONSUME(T.Ellipsis);
        expandFinal = true;
      });
      this.OPTION3(() => this.CONSUME2(T.Comma));
    });
    const close = this.CONSUME(T.RParen);
    return this.ACTION((): A.FunctionCall => {
      const nameRange = this.r(name);
      const closeParenRange = this.r(close);
      return {
        type: "FunctionCall",
        name: name.image,
        nameRange,
        args,
        expandFinal,
        openParenRange: this.r(open),
        closeParenRange,
        range: A.spanRange(nameRange, closeParenRange),
      };
    });
  });
}
