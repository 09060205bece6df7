/**
 * The scanner: text → Chevrotain tokens. Hand-written rather than a Chevrotain Lexer because the
 * language is context-sensitive in three ways a regex lexer can't track on its own:
 *   - templates: `"a ${ {x = 1}.x } b"` switches between text and expressions, with nested braces;
 *   - heredocs: `<<EOT` … `EOT` ends at a line that holds only the marker chosen at the start;
 *   - newlines: significant in bodies and objects (one item per line), ignored inside `( )`, `[ ]`,
 *     `${ }` and `{for …}`, exactly as HCL's parser treats them.
 * It never throws: unknown characters, unterminated strings/heredocs/comments become diagnostics
 * and the scan goes on, synthesising the missing closing token where the parser needs one.
 */
import type { IToken, TokenType } from "chevrotain";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { SourceRange, type Range } from "../diag/range.js";
import * as T from "./tokens.js";
import { defined } from "../diag/invariant.js";

export interface LexResult {
  /**
   * What the parser sees: every token except comments, with NewLine tokens only where a newline
   * is significant (runs of blank lines collapse into one NewLine).
   */
  tokens: IToken[];
  /** Every comment (`#`, `//`, `/* … *\/`), in source order; their ranges place them exactly. */
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/**
 * The scanner's tokens as columns of numbers, one entry per token, instead of one object each:
 * a large file has close to a million tokens, and parseFile's well-formed path (wellformed.ts)
 * reads them from here without allocating any. lexFile turns them into Chevrotain tokens.
 * Columns are 1-based and, unlike Chevrotain's, token ends are exclusive.
 */
export class TokenColumns {
  count = 0;
  /** Index of each token's type in T.allTokens. */
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  lines: Int32Array;
  columns: Int32Array;
  /** Decoded values (StringLit: string, TemplateString: TemplateChunk, HeredocStart: HeredocInfo). */
  payloads: unknown[] = [];
  /** Tokens that end on a later line than they start, keyed by index: [end line, exclusive end column]. */
  readonly multiline = new Map<number, [number, number]>();
  /** Closing tokens the scanner made up for an unterminated string or heredoc (empty, no payload). */
  readonly inserted = new Set<number>();

  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
    this.columns = new Int32Array(capacity);
  }

  push(kind: number, start: number, end: number, line: number, column: number, payload: unknown): number {
    const i = this.count;
    if (i === this.kinds.length) this.grow();
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    this.lines[i] = line;
    this.columns[i] = column;
    this.payloads.push(payload);
    this.count = i + 1;
    return i;
  }

  endLine(i: number): number {
    return this.multiline.get(i)?.[0] ?? defined(this.lines[i], "the token's line");
  }

  /** Exclusive: one past the token's last character. */
  endColumn(i: number): number {
    const multiline = this.multiline.get(i);
    if (multiline) return multiline[1];
    const start = defined(this.starts[i], "the token's start");
    const end = defined(this.ends[i], "the token's end");
    return defined(this.columns[i], "the token's column") + (end - start);
  }

  /** The token as Chevrotain sees it (inclusive ends, the image sliced from `text`). */
  token(i: number, text: string): IToken {
    const type = defined(T.allTokens[defined(this.kinds[i], "the token's kind")], "the token's type");
    const start = defined(this.starts[i], "the token's start");
    const end = defined(this.ends[i], "the token's end");
    const startLine = defined(this.lines[i], "the token's line");
    const startColumn = defined(this.columns[i], "the token's column");
    const endLine = this.endLine(i);
    const endColumn = this.endColumn(i) - 1;
    const image = text.slice(start, end);
    if (this.inserted.has(i)) {
      return {
        image,
        startOffset: start,
        endOffset: end - 1,
        startLine,
        startColumn,
        endLine,
        endColumn,
        tokenTypeIdx: typeIdx(type),
        tokenType: type,
        isInsertedInRecovery: true,
      };
    }
    return {
      image,
      startOffset: start,
      endOffset: end - 1,
      startLine,
      startColumn,
      endLine,
      endColumn,
      tokenTypeIdx: typeIdx(type),
      tokenType: type,
      payload: this.payloads[i],
    };
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    const grown = <A extends Uint8Array | Int32Array>(a: A, make: new (n: number) => A): A => {
      const b = new make(size);
      b.set(a);
      return b;
    };
    this.kinds = grown(this.kinds, Uint8Array);
    this.starts = grown(this.starts, Int32Array);
    this.ends = grown(this.ends, Int32Array);
    this.lines = grown(this.lines, Int32Array);
    this.columns = grown(this.columns, Int32Array);
  }
}

/** Index of every token type in T.allTokens (the `kinds` of TokenColumns). */
export const KIND = new Map<TokenType, number>(T.allTokens.map((t, i) => [t, i]));
/** The same, by Chevrotain's tokenTypeIdx (an array lookup, for the scanner's inner loop). */
const KIND_BY_TYPE_IDX: number[] = [];
for (const [t, i] of KIND) KIND_BY_TYPE_IDX[typeIdx(t)] = i;

/** Chevrotain's index of a token type (createToken sets it; the type leaves it optional). */
function typeIdx(type: TokenType): number {
  return defined(type.tokenTypeIdx, `the tokenTypeIdx of ${type.name}`);
}

/** The scanner's kind of a token type (every type in T.allTokens has one). */
function kindOf(type: TokenType): number {
  return defined(KIND_BY_TYPE_IDX[typeIdx(type)], `the kind of ${type.name}`);
}

/** The source range a token covers (Chevrotain ends are inclusive; ours are exclusive). */
export function tokenRange(file: string, tok: IToken): Range {
  const line = tok.startLine ?? 1;
  const column = tok.startColumn ?? 1;
  const offset = tok.startOffset;
  const endOffset = (tok.endOffset ?? tok.startOffset - 1) + 1;
  // Chevrotain reports NaN for positions it could not compute; fall back to the start.
  if (!Number.isFinite(line) || !Number.isFinite(column) || !Number.isFinite(offset))
    return new SourceRange(file, 1, 1, 0, 1, 1, 0);
  if (
    !Number.isFinite(endOffset) ||
    endOffset <= offset ||
    !Number.isFinite(tok.endLine) ||
    !Number.isFinite(tok.endColumn)
  )
    return new SourceRange(file, line, column, offset, line, column, offset);
  return new SourceRange(
    file,
    line,
    column,
    offset,
    defined(tok.endLine, "the token's end line"),
    defined(tok.endColumn, "the token's end column") + 1,
    endOffset,
  );
}

type Context =
  /** `{`: a block body or an object; newlines are significant unless it opens `{for …}`. */
  | { kind: "brace"; newlines: boolean }
  | { kind: "paren" }
  | { kind: "bracket" }
  /** Inside `${ … }`; the matching `}` returns to the template. */
  | { kind: "interp" }
  /** `open`: index of the opening token in TokenColumns. */
  | { kind: "quoted"; open: number }
  | { kind: "heredoc"; open: number; marker: string; atLineStart: boolean };

const enum C {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  Bang = 33,
  Quote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Amp = 38,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  D0 = 48,
  D9 = 57,
  Colon = 58,
  Lt = 60,
  Eq = 61,
  Gt = 62,
  Question = 63,
  UA = 65,
  UZ = 90,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  Underscore = 95,
  La = 97,
  Lz = 122,
  LBrace = 123,
  Pipe = 124,
  RBrace = 125,
}

const NEWLINE = defined(KIND.get(T.NewLine), "the kind of NewLine");

// The contexts that carry no state of their own are shared (one per kind, never mutated).
const BRACE: Context = { kind: "brace", newlines: true };
const FOR_BRACE: Context = { kind: "brace", newlines: false };
const PAREN: Context = { kind: "paren" };
const BRACKET: Context = { kind: "bracket" };
const INTERP: Context = { kind: "interp" };

const identStartRe = /[\p{ID_Start}_]/u;
const identPartRe = /[\p{ID_Continue}-]/u;

/** For each ASCII code: 1 if a name can start with it, 2 if a name can continue with it only. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= C.La && c <= C.Lz) || (c >= C.UA && c <= C.UZ) || c === C.Underscore) ASCII_NAME[c] = 1;
  else if ((c >= C.D0 && c <= C.D9) || c === C.Minus) ASCII_NAME[c] = 2;
}

function isAsciiIdentStart(c: number): boolean {
  return c < 128 && ASCII_NAME[c] === 1;
}
function isAsciiIdentPart(c: number): boolean {
  return c < 128 && ASCII_NAME[c] !== 0;
}
function isDigit(c: number): boolean {
  return c >= C.D0 && c <= C.D9;
}

/** The most lexer errors reported per file; binary junk would otherwise produce thousands. */
const MAX_LEX_ERRORS = 20;

/** Scans `text` (the contents of `file`) into tokens. Never throws. */
export function lexFile(text: string, file: string): LexResult {
  const scanned = scanColumns(text, file, { comments: true });
  const tokens = new Array<IToken>(scanned.tokens.count);
  for (let i = 0; i < tokens.length; i++) tokens[i] = scanned.tokens.token(i, text);
  return { tokens, comments: scanned.comments, diagnostics: scanned.diagnostics };
}

/** What the scanner produces: lexFile's result with the tokens still in columns. */
export interface ScanResult {
  tokens: TokenColumns;
  /** Empty unless asked for. */
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/** Scans `text` into TokenColumns (no object per token). Never throws. */
export function scanColumns(text: string, file: string, options: { comments?: boolean } = {}): ScanResult {
  return new Scanner(text, file, options.comments ?? true).run();
}

interface Chunk {
  end: number;
  value: string;
  stop: "quote" | "interp" | "newline" | "eof";
}

class Scanner {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly tokens: TokenColumns;
  private readonly comments: IToken[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly stack: Context[] = [];
  private lexErrors = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    /** Parsing has no use for comments; only lexFile's callers (the formatter, the editor) want them. */
    private readonly keepComments: boolean,
  ) {
    // Configuration averages one token per 6 or 7 characters; room for one per 4 means the
    // columns are seldom grown (and then by doubling).
    this.tokens = new TokenColumns(64 + (text.length >> 2));
  }

  run(): ScanResult {
    const len = this.text.length;
    // A byte-order mark (as some Windows editors write) is invisible: skip it, columns start after it.
    if (this.text.charCodeAt(0) === 0xfeff) {
      this.pos = 1;
      this.lineStart = 1;
    }
    while (this.pos < len) {
      const top = this.stack[this.stack.length - 1];
      if (top?.kind === "quoted") this.scanQuotedContent(top);
      else if (top?.kind === "heredoc") this.scanHeredocContent(top);
      else this.scanMain(top);
    }
    // Close whatever is still open at the end of the file. Only the outermost unterminated
    // string or heredoc is reported: the ones nested in it are follow-on errors.
    const outermost = this.stack.find((c) => c.kind === "quoted" || c.kind === "heredoc");
    for (const ctx of this.stack.toReversed()) {
      if (ctx.kind === "quoted") this.unterminatedString(ctx, ctx !== outermost);
      else if (ctx.kind === "heredoc") this.unterminatedHeredoc(ctx, ctx !== outermost);
    }
    this.stack.length = 0;
    return { tokens: this.tokens, comments: this.comments, diagnostics: this.diagnostics };
  }

  // -- token construction -------------------------------------------------------------------

  /** A token on the current line from `start` to `end` (exclusive); returns its index. */
  private emit(type: TokenType, start: number, end: number, payload?: unknown): number {
    return this.tokens.push(kindOf(type), start, end, this.line, start - this.lineStart + 1, payload);
  }

  /** Like emit, for a token that may span lines (its end position is found by counting newlines). */
  private emitMultiline(
    type: TokenType,
    start: number,
    end: number,
    startLine: number,
    startColumn: number,
    payload?: unknown,
  ): number {
    const i = this.tokens.push(kindOf(type), start, end, startLine, startColumn, payload);
    const tok = this.objectToken(type, start, end, startLine, startColumn);
    if (tok.endLine !== startLine) this.tokens.multiline.set(i, [tok.endLine, tok.endColumn + 1]);
    return i;
  }

  /** A token as an object, its end found by counting newlines. Comments stay objects: they are few, and never reach the parser. */
  private objectToken(
    type: TokenType,
    start: number,
    end: number,
    startLine: number,
    startColumn: number,
  ): IToken & { endLine: number; endColumn: number } {
    let line = startLine;
    let lastLineStart = start - (startColumn - 1);
    for (let i = start; i < end - 1; i++) {
      if (this.text.charCodeAt(i) === C.LF) {
        line++;
        lastLineStart = i + 1;
      }
    }
    const tok = {
      image: this.text.slice(start, end),
      startOffset: start,
      endOffset: end - 1,
      startLine,
      startColumn,
      endLine: line,
      endColumn: end - 1 - lastLineStart + 1,
      tokenTypeIdx: typeIdx(type),
      tokenType: type,
      payload: undefined,
    };
    return tok;
  }

  /** Advances over a newline at `pos`, keeping line bookkeeping. */
  private newline(): void {
    this.pos++;
    this.line++;
    this.lineStart = this.pos;
  }

  /** The range of the token at index `i` (as tokenRange gives it for that token). */
  private tokenRangeAt(i: number): Range {
    return tokenRange(this.file, this.tokens.token(i, this.text));
  }

  private rangeAt(start: number, end: number): Range {
    return this.rangeOnLine(this.line, this.lineStart, start, end);
  }

  /** `[start, end)` on the line that begins at offset `lineStart`. */
  private rangeOnLine(line: number, lineStart: number, start: number, end: number): Range {
    return new SourceRange(this.file, line, start - lineStart + 1, start, line, end - lineStart + 1, end);
  }

  private report(d: Diagnostic): void {
    this.lexErrors++;
    if (this.lexErrors <= MAX_LEX_ERRORS) this.diagnostics.push(d);
  }

  // -- main (expression) mode ---------------------------------------------------------------

  private newlinesSignificant(top: Context | undefined): boolean {
    return top === undefined || (top.kind === "brace" && top.newlines);
  }

  private scanMain(top: Context | undefined): void {
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    switch (c) {
      case C.Space:
      case C.Tab:
      case C.CR: {
        let i = start + 1;
        for (let w = text.charCodeAt(i); w === C.Space || w === C.Tab || w === C.CR; w = text.charCodeAt(++i));
        this.pos = i;
        return;
      }
      case C.LF: {
        if (this.newlinesSignificant(top)) {
          const last = this.tokens.count - 1;
          if (last >= 0 && this.tokens.kinds[last] !== NEWLINE) this.emit(T.NewLine, start, start + 1);
        }
        this.newline();
        return;
      }
      case C.Hash:
        this.lineComment(start);
        return;
      case C.Slash: {
        const n = text.charCodeAt(start + 1);
        if (n === C.Slash) {
          this.lineComment(start);
          return;
        }
        if (n === C.Star) {
          this.blockComment(start);
          return;
        }
        this.emit(T.Slash, start, ++this.pos);
        return;
      }
      case C.Quote:
        this.quoted(start);
        return;
      case 39:
        if (this.singleQuoted(start)) return;
        break;
      case C.LBrace: {
        this.emit(T.LBrace, start, ++this.pos);
        this.stack.push(this.opensForExpression(this.pos) ? FOR_BRACE : BRACE);
        return;
      }
      case C.RBrace: {
        this.closeBracket("brace");
        return;
      }
      case C.LParen:
        this.emit(T.LParen, start, ++this.pos);
        this.stack.push(PAREN);
        return;
      case C.RParen:
        this.closeBracket("paren");
        return;
      case C.LBracket:
        this.emit(T.LBracket, start, ++this.pos);
        this.stack.push(BRACKET);
        return;
      case C.RBracket:
        this.closeBracket("bracket");
        return;
      case C.Comma:
        this.emit(T.Comma, start, ++this.pos);
        return;
      case C.Colon:
        this.emit(T.Colon, start, ++this.pos);
        return;
      case C.Question:
        this.emit(T.Question, start, ++this.pos);
        return;
      case C.Star:
        this.emit(T.Star, start, ++this.pos);
        return;
      case C.Percent:
        this.emit(T.Percent, start, ++this.pos);
        return;
      case C.Plus:
        this.emit(T.Plus, start, ++this.pos);
        return;
      case C.Minus:
        this.emit(T.Minus, start, ++this.pos);
        return;
      case C.Dot:
        if (text.charCodeAt(start + 1) === C.Dot && text.charCodeAt(start + 2) === C.Dot) {
          this.pos += 3;
          this.emit(T.Ellipsis, start, this.pos);
        } else this.emit(T.Dot, start, ++this.pos);
        return;
      case C.Eq: {
        const n = text.charCodeAt(start + 1);
        if (n === C.Eq) this.emit(T.EqEq, start, (this.pos += 2));
        else if (n === C.Gt) this.emit(T.FatArrow, start, (this.pos += 2));
        else this.emit(T.Equals, start, ++this.pos);
        return;
      }
      case C.Bang:
        if (text.charCodeAt(start + 1) === C.Eq) this.emit(T.NotEq, start, (this.pos += 2));
        else this.emit(T.Bang, start, ++this.pos);
        return;
      case C.Lt: {
        const n = text.charCodeAt(start + 1);
        if (n === C.Lt && this.heredocStart(start)) return;
        if (n === C.Eq) this.emit(T.LtEq, start, (this.pos += 2));
        else this.emit(T.Lt, start, ++this.pos);
        return;
      }
      case C.Gt:
        if (text.charCodeAt(start + 1) === C.Eq) this.emit(T.GtEq, start, (this.pos += 2));
        else this.emit(T.Gt, start, ++this.pos);
        return;
      case C.Amp:
        if (text.charCodeAt(start + 1) === C.Amp) {
          this.emit(T.AndAnd, start, (this.pos += 2));
          return;
        }
        break;
      case C.Pipe:
        if (text.charCodeAt(start + 1) === C.Pipe) {
          this.emit(T.OrOr, start, (this.pos += 2));
          return;
        }
        break;
    }
    if (isDigit(c)) {
      this.number(start);
      return;
    }
    if (isAsciiIdentStart(c)) {
      this.ident(start);
      return;
    }
    if (c >= 128) {
      const ch = String.fromCodePoint(defined(text.codePointAt(start), "the character at the token's start"));
      if (identStartRe.test(ch)) {
        this.ident(start);
        return;
      }
    }
    this.invalidCharacters(start);
  }

  /** True when the `{` just before `pos` opens `{for name …`, where newlines don't count. */
  private opensForExpression(pos: number): boolean {
    const text = this.text;
    let i = pos;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === C.Space || c === C.Tab || c === C.CR || c === C.LF) i++;
      else break;
    }
    if (!text.startsWith("for", i) || isAsciiIdentPart(text.charCodeAt(i + 3))) return false;
    i += 3;
    const afterFor = i;
    for (
      let c = text.charCodeAt(i);
      c === C.Space || c === C.Tab || c === C.CR || c === C.LF;
      c = text.charCodeAt(++i)
    );
    return i > afterFor && isAsciiIdentStart(text.charCodeAt(i));
  }

  private closeBracket(kind: "brace" | "paren" | "bracket"): void {
    const start = this.pos;
    this.pos++;
    // Find the context this closes; skip over mismatched brackets so one typo doesn't unbalance
    // the rest of the file, but never reach past a template boundary.
    let i = this.stack.length - 1;
    let closes: Context | undefined;
    for (let ctx = this.stack[i]; ctx !== undefined; ctx = this.stack[--i]) {
      if (ctx.kind === kind || (kind === "brace" && ctx.kind === "interp")) {
        closes = ctx;
        break;
      }
      if (ctx.kind !== "paren" && ctx.kind !== "bracket" && ctx.kind !== "brace") break;
    }
    const type =
      kind === "brace"
        ? closes?.kind === "interp"
          ? T.TemplateInterpEnd
          : T.RBrace
        : kind === "paren"
          ? T.RParen
          : T.RBracket;
    this.emit(type, start, this.pos);
    if (closes) this.stack.length = i;
  }

  private lineComment(start: number): void {
    const text = this.text;
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (end > start && text.charCodeAt(end - 1) === C.CR) end--;
    this.pos = end;
    if (this.keepComments)
      this.comments.push(this.objectToken(T.LineComment, start, end, this.line, start - this.lineStart + 1));
  }

  private blockComment(start: number): void {
    const text = this.text;
    const close = text.indexOf("*/", start + 2);
    const end = close < 0 ? text.length : close + 2;
    const startLine = this.line;
    const startColumn = start - this.lineStart + 1;
    if (close < 0) {
      this.report(
        error("syntax/unterminated-comment", "Unterminated comment", {
          range: this.rangeAt(start, start + 2),
          detail: 'this "/*" comment is never closed with "*/"',
          hint: 'add "*/" where the comment should end',
        }),
      );
    }
    if (this.keepComments) this.comments.push(this.objectToken(T.BlockComment, start, end, startLine, startColumn));
    for (let i = start; i < end; i++) {
      if (text.charCodeAt(i) === C.LF) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
    this.pos = end;
  }

  private number(start: number): void {
    const text = this.text;
    let i = start;
    while (isDigit(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === C.Dot && isDigit(text.charCodeAt(i + 1))) {
      i += 2;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      const s = text.charCodeAt(j);
      if (s === C.Plus || s === C.Minus) j++;
      if (isDigit(text.charCodeAt(j))) {
        while (isDigit(text.charCodeAt(j))) j++;
        i = j;
      }
    }
    this.pos = i;
    this.emit(T.NumberLit, start, i);
  }

  private ident(start: number): void {
    const text = this.text;
    let i = start;
    for (;;) {
      const c = text.charCodeAt(i);
      if (isAsciiIdentPart(c)) {
        i++;
        continue;
      }
      if (c >= 128) {
        const cp = defined(text.codePointAt(i), "the character inside the text");
        const ch = String.fromCodePoint(cp);
        if (identPartRe.test(ch)) {
          i += ch.length;
          continue;
        }
      }
      break;
    }
    this.pos = i;
    // Keywords are 2 to 5 letters: only those names are sliced to look them up.
    const length = i - start;
    this.emit(length >= 2 && length <= 5 ? (T.keywords.get(text.slice(start, i)) ?? T.Ident) : T.Ident, start, i);
  }

  private invalidCharacters(start: number): void {
    const text = this.text;
    let i = start;
    // One diagnostic for a run of junk on one line, not one per byte.
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === C.LF || c === C.Space || c === C.Tab || c === C.CR) break;
      if (i > start && this.startsToken(i)) break;
      // A surrogate pair is one character; a lone high surrogate is one code unit (it must not
      // swallow a following line break, which would shift every later line number).
      const low = text.charCodeAt(i + 1);
      i += c >= 0xd800 && c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
    }
    const shown = text.slice(start, Math.min(i, start + 20));
    const first = defined(text.codePointAt(start), "the first invalid character");
    const printable = first > 31 && first !== 127 && !(first >= 0x80 && first < 0xa0);
    const what = printable
      ? JSON.stringify(String.fromCodePoint(first))
      : `U+${first.toString(16).toUpperCase().padStart(4, "0")}`;
    let hint: string | undefined;
    if (first === C.Dollar) hint = '"${" interpolation is only allowed inside a quoted string or heredoc';
    else if (first === C.Amp || first === C.Pipe) hint = 'the logical operators are "&&" and "||"';
    else if (first === 59) hint = 'separate items with "," or a line break';
    else if (first === 126) hint = 'template strip markers ("${~ … ~}") are not supported';
    else if (first === 39) hint = 'strings are written with double quotes: "…"';
    else if (first === 0x201c || first === 0x201d) hint = 'replace typographic quotes with plain double quotes (")';
    this.report(
      error("syntax/invalid-character", `Invalid character ${what}`, {
        range: this.rangeAt(start, i),
        detail:
          i - start > 1
            ? `these characters (${JSON.stringify(shown)}${i - start > 20 ? "…" : ""}) can't appear here`
            : "this character can't appear here",
        ...(hint ? { hint } : {}),
      }),
    );
    this.pos = i;
  }

  /**
   * `'text'` on one line: a likely slip for `"text"`. Reported once, then read as the string it
   * was meant to be so the rest of the line parses normally.
   */
  private singleQuoted(start: number): boolean {
    const text = this.text;
    let end = start + 1;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (
        c === 39 ||
        c === C.LF ||
        c === C.Quote ||
        c === C.Backslash ||
        (c === C.Dollar && text.charCodeAt(end + 1) === C.LBrace)
      )
        break;
      end++;
    }
    if (text.charCodeAt(end) !== 39) return false;
    this.report(
      error("syntax/invalid-character", 'Invalid character "\'"', {
        range: this.rangeAt(start, end + 1),
        detail: "strings are written with double quotes",
        hint: `write "${text.slice(start + 1, end)}"`,
      }),
    );
    this.pos = end + 1;
    this.emit(T.StringLit, start, this.pos, text.slice(start + 1, end));
    return true;
  }

  /** Whether a valid token could start at `i` (ends a run of invalid characters). */
  private startsToken(i: number): boolean {
    const c = this.text.charCodeAt(i);
    const ch = this.text[i];
    return isAsciiIdentStart(c) || isDigit(c) || (ch !== undefined && '"{}[](),.=:?*/%+-!<>#'.includes(ch));
  }

  // -- quoted strings and templates ---------------------------------------------------------

  private quoted(start: number): void {
    // Fast path: a string with no interpolation on one line becomes a single StringLit token.
    const r = this.scanTemplateChunk(start + 1, true);
    if (r.stop === "quote") {
      this.pos = r.end + 1;
      this.emit(T.StringLit, start, this.pos, r.value);
      return;
    }
    const open = this.emit(T.OQuote, start, start + 1);
    this.pos = start + 1;
    this.stack.push({ kind: "quoted", open });
  }

  private scanQuotedContent(ctx: Extract<Context, { kind: "quoted" }>): void {
    const start = this.pos;
    const r = this.scanTemplateChunk(start, false);
    if (r.end > start)
      this.emit(T.TemplateString, start, r.end, { value: r.value, lineStart: false } satisfies T.TemplateChunk);
    this.pos = r.end;
    switch (r.stop) {
      case "quote":
        this.emit(T.CQuote, r.end, ++this.pos);
        this.stack.pop();
        return;
      case "interp":
        this.emit(T.TemplateInterp, r.end, (this.pos += 2));
        this.stack.push(INTERP);
        return;
      case "newline":
      case "eof":
        this.unterminatedString(ctx);
        this.stack.pop();
        return;
    }
  }

  private unterminatedString(ctx: Extract<Context, { kind: "quoted" }>, quiet = false): void {
    const open = ctx.open;
    if (!quiet)
      this.report(
        error("syntax/unterminated-string", "Unterminated string", {
          range: this.tokenRangeAt(open),
          detail: 'this string has no closing "\\"" on its line',
          hint: "add the closing quote; for text over several lines use a heredoc (<<EOT … EOT)",
        }),
      );
    // Synthesise the closing quote so the parser sees a complete template.
    const at = this.pos;
    this.tokens.inserted.add(this.emit(T.CQuote, at, at));
  }

  /**
   * Scans template text from `from` until a stop: the closing quote (quoted strings only), `${`,
   * a newline (quoted strings only; heredocs include it and stop after it), or the end of input.
   * Decodes escapes on the way and reports bad ones.
   */
  /** The result of scanTemplateChunk, reused: one object per scanner, not one per string. */
  private readonly lastChunk: Chunk = { end: 0, value: "", stop: "eof" };

  private chunk(end: number, value: string, stop: Chunk["stop"]): Chunk {
    const c = this.lastChunk;
    c.end = end;
    c.value = value;
    c.stop = stop;
    return c;
  }

  private scanTemplateChunk(from: number, quotedFastPath: boolean, heredoc = false): Chunk {
    const text = this.text;
    let i = from;
    let value = "";
    let runStart = from;
    const len = text.length;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (c === C.Quote && !heredoc) {
        return this.chunk(i, value + text.slice(runStart, i), "quote");
      }
      if (c === C.LF) {
        // Heredoc lines keep their line break, normalised to "\n" (a CRLF file yields the same text).
        if (heredoc) {
          const crlf = i > runStart && text.charCodeAt(i - 1) === C.CR;
          return this.chunk(i + 1, value + text.slice(runStart, crlf ? i - 1 : i) + "\n", "newline");
        }
        return this.chunk(i, value + text.slice(runStart, i), "newline");
      }
      if (c === C.Dollar) {
        const n = text.charCodeAt(i + 1);
        if (n === C.LBrace) return this.chunk(i, value + text.slice(runStart, i), "interp");
        if (n === C.Dollar && text.charCodeAt(i + 2) === C.LBrace) {
          value += text.slice(runStart, i) + "${";
          i += 3;
          runStart = i;
          continue;
        }
      } else if (c === C.Percent) {
        const n = text.charCodeAt(i + 1);
        if (n === C.Percent && text.charCodeAt(i + 2) === C.LBrace) {
          value += text.slice(runStart, i) + "%{";
          i += 3;
          runStart = i;
          continue;
        }
        if (n === C.LBrace && !quotedFastPath) {
          this.report(
            error("syntax/unsupported-directive", 'Template directives ("%{ … }") are not supported', {
              range: this.rangeOfOffsets(i, i + 2),
              detail: 'statectl templates support "${ … }" interpolation only',
              hint: 'use a conditional or a for expression inside "${ … }" instead, or write "%%{" for a literal "%{"',
            }),
          );
        } else if (n === C.LBrace) {
          // Let the slow path report it with the right position.
          return this.chunk(i, "", "interp");
        }
      } else if (c === C.Backslash && !heredoc) {
        const decoded = this.escape(i, quotedFastPath);
        if (decoded === undefined) return this.chunk(i, "", "interp"); // slow path reports it
        value += text.slice(runStart, i) + decoded.value;
        i = decoded.end;
        runStart = i;
        continue;
      }
      i++;
    }
    return this.chunk(len, value + text.slice(runStart, len), "eof");
  }

  /** Decodes the escape at `i` (a backslash). Returns undefined in the fast path for a bad escape. */
  private escape(i: number, quiet: boolean): { value: string; end: number } | undefined {
    const text = this.text;
    const n = text[i + 1];
    switch (n) {
      case "n":
        return { value: "\n", end: i + 2 };
      case "r":
        return { value: "\r", end: i + 2 };
      case "t":
        return { value: "\t", end: i + 2 };
      case '"':
        return { value: '"', end: i + 2 };
      case "\\":
        return { value: "\\", end: i + 2 };
      case "u":
      case "U": {
        const digits = n === "u" ? 4 : 8;
        const hex = text.slice(i + 2, i + 2 + digits);
        if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === digits) {
          const cp = parseInt(hex, 16);
          if (cp <= 0x10ffff) return { value: String.fromCodePoint(cp), end: i + 2 + digits };
        }
        break;
      }
    }
    if (quiet) return undefined;
    const shown = n === undefined || n === "\n" ? "\\" : "\\" + n;
    this.report(
      error("syntax/invalid-escape", `Invalid escape sequence ${JSON.stringify(shown)}`, {
        range: this.rangeOfOffsets(i, Math.min(i + 2, text.length)),
        detail: "this escape sequence is not recognised",
        hint: 'the escapes are \\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN; write \\\\ for a backslash',
      }),
    );
    return { value: n === undefined || n === "\n" ? "\\" : n, end: n === undefined || n === "\n" ? i + 1 : i + 2 };
  }

  /** A range on the current line or later, computed from offsets (for positions inside chunks). */
  private rangeOfOffsets(start: number, end: number): Range {
    let line = this.line;
    let lineStart = this.lineStart;
    for (let i = this.lineStart; i < start; i++) {
      if (this.text.charCodeAt(i) === C.LF) {
        line++;
        lineStart = i + 1;
      }
    }
    return this.rangeOnLine(line, lineStart, start, end);
  }

  // -- heredocs -----------------------------------------------------------------------------

  /** At `<<`: starts a heredoc if the rest of the line is `<<EOT` or `<<-EOT`. */
  private heredocStart(start: number): boolean {
    const text = this.text;
    let i = start + 2;
    if (text.charCodeAt(i) === C.Minus) i++;
    const nameStart = i;
    if (!isAsciiIdentStart(text.charCodeAt(i))) return false;
    while (isAsciiIdentPart(text.charCodeAt(i))) i++;
    const nameEnd = i;
    let j = i;
    if (text.charCodeAt(j) === C.CR) j++;
    if (text.charCodeAt(j) !== C.LF) {
      if (j >= text.length) {
        const open = this.emit(T.HeredocStart, start, nameEnd, {
          marker: text.slice(nameStart, nameEnd),
          indent: nameStart > start + 2,
        });
        this.pos = text.length;
        this.unterminatedHeredoc({ kind: "heredoc", open, marker: text.slice(nameStart, nameEnd), atLineStart: true });
        return true;
      }
      return false;
    }
    const marker = text.slice(nameStart, nameEnd);
    const open = this.emit(T.HeredocStart, start, nameEnd, { marker, indent: nameStart > start + 2 });
    this.pos = j;
    this.newline();
    this.stack.push({ kind: "heredoc", open, marker, atLineStart: true });
    return true;
  }

  private scanHeredocContent(ctx: Extract<Context, { kind: "heredoc" }>): void {
    const text = this.text;
    const start = this.pos;
    if (ctx.atLineStart) {
      let i = start;
      while (text.charCodeAt(i) === C.Space || text.charCodeAt(i) === C.Tab) i++;
      if (text.startsWith(ctx.marker, i)) {
        const after = i + ctx.marker.length;
        const c = text.charCodeAt(after);
        if (after >= text.length || c === C.LF || (c === C.CR && text.charCodeAt(after + 1) === C.LF)) {
          this.emit(T.HeredocEnd, i, after);
          this.pos = after;
          this.stack.pop();
          return;
        }
      }
    }
    const r = this.scanTemplateChunk(start, false, true);
    const lineStart = ctx.atLineStart;
    if (r.end > start) {
      this.emitMultiline(T.TemplateString, start, r.end, this.line, start - this.lineStart + 1, {
        value: r.value,
        lineStart,
      } satisfies T.TemplateChunk);
    }
    this.pos = r.end;
    switch (r.stop) {
      case "newline":
        this.line++;
        this.lineStart = this.pos;
        ctx.atLineStart = true;
        return;
      case "interp":
        ctx.atLineStart = false;
        this.emit(T.TemplateInterp, r.end, (this.pos += 2));
        this.stack.push(INTERP);
        return;
      default:
        // End of input inside the heredoc; run() reports it.
        ctx.atLineStart = false;
        return;
    }
  }

  private unterminatedHeredoc(ctx: Extract<Context, { kind: "heredoc" }>, quiet = false): void {
    if (!quiet)
      this.report(
        error("syntax/unterminated-heredoc", "Unterminated heredoc", {
          range: this.tokenRangeAt(ctx.open),
          detail: `no line holds only the closing marker "${ctx.marker}"`,
          hint: `end the heredoc with a line containing just ${ctx.marker}`,
        }),
      );
    const at = this.text.length;
    this.tokens.inserted.add(this.emit(T.HeredocEnd, at, at));
  }
}
