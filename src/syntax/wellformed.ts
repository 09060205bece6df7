/**
 * The parser for well-formed files: hand-written recursive descent over the scanner's
 * TokenColumns, building exactly the AST that the Chevrotain grammar (parser.ts) builds for the
 * same text, ranges included — without Chevrotain's per-rule bookkeeping and without an object
 * per token. Most files a user parses have no syntax error, and at fleet scale this path is
 * several times faster and lighter.
 *
 * It reports nothing. At the first thing the grammar would report (a syntax error, an argument
 * at the top level, an unknown block type, a missing separator, an ambiguous object key, nesting
 * past MAX_NESTING) it gives up, and parseFile parses the file again with the Chevrotain parser,
 * which owns every diagnostic and all error recovery. Giving up is always safe; accepting text
 * the grammar rejects, or building a different tree, is not: test/syntax/wellformed.test.ts
 * compares both parsers on the fixtures, the examples, generated files and mutated ones.
 */
import { SourceRange, type Position, type Range } from "../diag/range.js";
import { defined } from "../diag/invariant.js";
import * as A from "./ast.js";
import { KIND, type TokenColumns } from "./lexer.js";
import {
  dedentHeredoc,
  MAX_NESTING,
  mergeTemplateLiterals,
  PRECEDENCE,
  TOP_LEVEL_BLOCK_TYPES,
  type TemplatePartAt,
} from "./parser.js";
import * as T from "./tokens.js";

const kind = (t: import("chevrotain").TokenType): number => defined(KIND.get(t), `the kind of ${t.name}`);
const EOF = -1;
const NEWLINE = kind(T.NewLine);
const NUMBER = kind(T.NumberLit);
const TRUE = kind(T.True);
const FALSE = kind(T.False);
const NULL = kind(T.Null);
const FOR = kind(T.For);
const IN = kind(T.In);
const IF = kind(T.If);
const STRING = kind(T.StringLit);
const OQUOTE = kind(T.OQuote);
const CQUOTE = kind(T.CQuote);
const TEMPLATE_STRING = kind(T.TemplateString);
const INTERP = kind(T.TemplateInterp);
const INTERP_END = kind(T.TemplateInterpEnd);
const HEREDOC_START = kind(T.HeredocStart);
const HEREDOC_END = kind(T.HeredocEnd);
const LBRACE = kind(T.LBrace);
const RBRACE = kind(T.RBrace);
const LBRACKET = kind(T.LBracket);
const RBRACKET = kind(T.RBracket);
const LPAREN = kind(T.LParen);
const RPAREN = kind(T.RParen);
const COMMA = kind(T.Comma);
const ELLIPSIS = kind(T.Ellipsis);
const DOT = kind(T.Dot);
const FAT_ARROW = kind(T.FatArrow);
const EQUALS = kind(T.Equals);
const COLON = kind(T.Colon);
const QUESTION = kind(T.Question);
const STAR = kind(T.Star);

/** Token kinds in a Chevrotain category (a CONSUME of the category accepts each of them). */
function inCategory(category: import("chevrotain").TokenType): Uint8Array {
  const table = new Uint8Array(T.allTokens.length);
  T.allTokens.forEach((t, i) => {
    if (t === category || (t.CATEGORIES ?? []).includes(category)) table[i] = 1;
  });
  return table;
}
const IS_IDENT = inCategory(T.Ident);
const IS_BINARY = inCategory(T.BinaryOperator);
const IS_UNARY = inCategory(T.UnaryOperator);

/**
 * Thrown to give up; caught once, in parseWellFormed. One instance, made once: giving up is
 * control flow, so it needs no stack trace of its own.
 */
class GiveUp extends Error {
  override readonly name = "GiveUp";
}
const GIVE_UP = new GiveUp("the file needs the full parser");

type Step =
  | { kind: "attr"; name: number }
  | { kind: "legacyIndex"; num: number }
  | { kind: "attrSplat"; star: number }
  | { kind: "fullSplat"; close: number }
  | { kind: "index"; key: A.Expression; close: number };

/**
 * Parses scanned tokens of a file the scanner found no problem in. Returns the file's body, or
 * undefined when the file needs the full parser (see the header).
 */
export function parseWellFormed(tokens: TokenColumns, text: string, file: string): A.Body | undefined {
  try {
    return new WellFormedParser(tokens, text, file).file();
  } catch (e) {
    if (e === GIVE_UP || e instanceof RangeError) return undefined;
    throw e;
  }
}

class WellFormedParser {
  private i = 0;
  private depth = 0;
  private readonly count: number;
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly lines: Int32Array;
  private readonly columns: Int32Array;
  private readonly payloads: unknown[];
  private readonly multiline: boolean;
  /**
   * Items of the lists being built, innermost last: each list is copied out at its exact length,
   * where an array grown by push would keep spare capacity for as long as the AST lives.
   */
  private readonly pending: unknown[] = [];
  private pendingTop = 0;
  private readonly names = new Map<string, string>();

  constructor(
    private readonly tokens: TokenColumns,
    private readonly text: string,
    private readonly fileName: string,
  ) {
    this.count = tokens.count;
    this.kinds = tokens.kinds;
    this.starts = tokens.starts;
    this.ends = tokens.ends;
    this.lines = tokens.lines;
    this.columns = tokens.columns;
    this.payloads = tokens.payloads;
    this.multiline = tokens.multiline.size > 0;
  }

  file(): A.Body {
    const items = this.body(true);
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf("\n"); i >= 0; i = this.text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    const end: Position = { line, column: this.text.length - lineStart + 1, offset: this.text.length };
    return { type: "Body", items, range: { file: this.fileName, start: { line: 1, column: 1, offset: 0 }, end } };
  }

  // -- tokens and ranges ----------------------------------------------------------------------

  private kind(i: number): number {
    return i < this.count ? (this.kinds[i] ?? EOF) : EOF;
  }

  private expect(k: number): number {
    const i = this.i;
    if (this.kind(i) !== k) throw GIVE_UP;
    this.i = i + 1;
    return i;
  }

  private image(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  /**
   * A name's text, one string per distinct name: a file repeats the same few names thousands of
   * times, and a fresh slice is garbage at once where a kept one lives as long as the AST.
   */
  private name(i: number): string {
    const sliced = this.text.slice(this.starts[i], this.ends[i]);
    const known = this.names.get(sliced);
    if (known !== undefined) return known;
    this.names.set(sliced, sliced);
    return sliced;
  }

  /** The token's range, as tokenRange gives it for the same token. */
  private r(i: number): Range {
    return this.span(i, i);
  }

  /**
   * From token i's start to token j's end: what spanRange(r(i), r(j)) gives, without the two
   * token ranges it would drop at once (garbage made beside the AST, which stays alive).
   */
  private span(i: number, j: number): Range {
    const line = defined(this.lines[i], "the token's line");
    const column = defined(this.columns[i], "the token's column");
    const offset = defined(this.starts[i], "the token's start");
    const jStart = defined(this.starts[j], "the token's start");
    const jEnd = defined(this.ends[j], "the token's end");
    const jLine = defined(this.lines[j], "the token's line");
    const jColumn = defined(this.columns[j], "the token's column");
    if (jEnd <= jStart) return new SourceRange(this.fileName, line, column, offset, jLine, jColumn, jStart);
    if (this.multiline)
      return new SourceRange(
        this.fileName,
        line,
        column,
        offset,
        this.tokens.endLine(j),
        this.tokens.endColumn(j),
        jEnd,
      );
    return new SourceRange(this.fileName, line, column, offset, jLine, jColumn + (jEnd - jStart), jEnd);
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) throw GIVE_UP;
  }

  private add(item: unknown): void {
    this.pending[this.pendingTop++] = item;
  }

  /** The items added since `from` (a pendingTop), as an array of exactly their number. */
  private take<X>(from: number): X[] {
    const out = this.pending.slice(from, this.pendingTop) as X[];
    this.pendingTop = from;
    return out;
  }

  // -- structure ------------------------------------------------------------------------------

  private body(topLevel: boolean): A.BodyItem[] {
    const from = this.pendingTop;
    for (;;) {
      const k = this.kind(this.i);
      if (k === NEWLINE) {
        this.i++;
        continue;
      }
      if (k === EOF || k === RBRACE) {
        if (topLevel && k === RBRACE) throw GIVE_UP;
        break;
      }
      if (!IS_IDENT[k]) throw GIVE_UP;
      const item = this.item();
      const next = this.kind(this.i);
      if (next !== EOF && next !== NEWLINE && next !== RBRACE) throw GIVE_UP;
      if (
        topLevel &&
        (item.type === "Attribute" || !(TOP_LEVEL_BLOCK_TYPES as readonly string[]).includes(item.blockType))
      )
        throw GIVE_UP;
      this.add(item);
    }
    return this.take(from);
  }

  private item(): A.BodyItem {
    const name = this.i++;
    const k = this.kind(this.i);
    if (k === EQUALS) {
      this.i++;
      const expr = this.expression();
      const nameRange = this.r(name);
      return A.attributeNode(this.name(name), nameRange, expr);
    }
    if (k !== STRING && k !== LBRACE && !IS_IDENT[k]) throw GIVE_UP;
    this.enter();
    const labelsFrom = this.pendingTop;
    for (let l = this.kind(this.i); l === STRING || IS_IDENT[l]; l = this.kind(this.i)) {
      const at = this.i++;
      this.add({
        value: l === STRING ? (this.payloads[at] as string) : this.name(at),
        range: this.r(at),
      } satisfies A.BlockLabel);
    }
    const labels = this.take<A.BlockLabel>(labelsFrom);
    const open = this.expect(LBRACE);
    const items = this.body(false);
    const close = this.expect(RBRACE);
    this.depth--;
    return A.blockNode(this.name(name), this.r(name), labels, items, this.r(open), this.r(close));
  }

  // -- expressions ----------------------------------------------------------------------------

  private expression(): A.Expression {
    this.enter();
    const condition = this.binary();
    let result = condition;
    if (this.kind(this.i) === QUESTION) {
      this.i++;
      const trueExpr = this.expression();
      this.expect(COLON);
      const falseExpr = this.expression();
      result = A.conditionalNode(condition, trueExpr, falseExpr);
    }
    this.depth--;
    return result;
  }

  private binary(): A.Expression {
    const first = this.unary();
    if (!IS_BINARY[this.kind(this.i)]) return first;
    const operands: A.Expression[] = [first];
    const ops: number[] = [];
    while (IS_BINARY[this.kind(this.i)]) {
      ops.push(this.i++);
      operands.push(this.unary());
    }
    if (this.depth + ops.length > MAX_NESTING) throw GIVE_UP;
    // Precedence climbing, as parser.ts's buildBinary: all operators are left-associative.
    let at = 0;
    // One operand more than operators: operands[at] exists whenever ops[at - 1] does.
    const operand = (n: number) => defined(operands[n], "an operand of the operator before it");
    const precedence = (op: string) => defined(PRECEDENCE[op], `the precedence of ${op}`);
    const climb = (minPrec: number): A.Expression => {
      let left = operand(at);
      for (let op = ops[at]; op !== undefined; op = ops[at]) {
        const opText = this.name(op);
        const prec = precedence(opText);
        if (prec < minPrec) break;
        at++;
        let right = operand(at);
        const next = ops[at];
        if (next !== undefined && precedence(this.name(next)) > prec) right = climb(prec + 1);
        left = A.binaryNode(opText as A.BinaryOp, this.r(op), left, right);
      }
      return left;
    };
    return climb(0);
  }

  private unary(): A.Expression {
    const first = this.i;
    while (IS_UNARY[this.kind(this.i)]) this.i++;
    const last = this.i - 1;
    const operand = this.postfix();
    if (last < first) return operand;
    if (this.depth + (last - first + 1) > MAX_NESTING) throw GIVE_UP;
    let e = operand;
    for (let op = last; op >= first; op--) e = A.unaryNode(this.name(op) as A.UnaryOp, this.r(op), e);
    return e;
  }

  private postfix(): A.Expression {
    const base = this.primary();
    let steps: Step[] | undefined;
    for (;;) {
      const k = this.kind(this.i);
      if (k === DOT) {
        const at = ++this.i;
        const n = this.kind(at);
        if (IS_IDENT[n]) (steps ??= []).push({ kind: "attr", name: at });
        else if (n === NUMBER) (steps ??= []).push({ kind: "legacyIndex", num: at });
        else if (n === STAR) (steps ??= []).push({ kind: "attrSplat", star: at });
        else throw GIVE_UP;
        this.i++;
      } else if (k === LBRACKET) {
        this.i++;
        if (this.kind(this.i) === STAR) {
          this.i++;
          (steps ??= []).push({ kind: "fullSplat", close: this.expect(RBRACKET) });
        } else {
          const key = this.expression();
          (steps ??= []).push({ kind: "index", key, close: this.expect(RBRACKET) });
        }
      } else break;
    }
    return steps ? this.applySteps(base, steps) : base;
  }

  /** As parser.ts's buildPostfix: static steps extend a reference, others wrap the expression. */
  private applySteps(base: A.Expression, steps: Step[]): A.Expression {
    let e = base;
    let k = 0;
    const stepToken = (s: Step): number =>
      s.kind === "attr" ? s.name : s.kind === "legacyIndex" ? s.num : s.kind === "attrSplat" ? s.star : s.close;
    let wrappers = 0;
    const wrap = () => {
      if (this.depth + ++wrappers > MAX_NESTING) throw GIVE_UP;
    };
    const traversalFrom = this.pendingTop;
    const reference = base.type === "ScopeTraversal" ? base : undefined;
    let extending = reference !== undefined;
    const finishReference = () => {
      if (extending && reference) {
        reference.traversal = this.take(traversalFrom);
        extending = false;
      }
    };
    for (let s = steps[k]; s !== undefined; s = steps[k]) {
      const end = this.r(stepToken(s));
      if (s.kind === "attrSplat" || s.kind === "fullSplat") {
        finishReference();
        const splatFrom = this.pendingTop;
        k++;
        let last = end;
        for (let n = steps[k]; n !== undefined; n = steps[k]) {
          if (n.kind === "attr")
            this.add({
              type: "SplatAttrStep",
              name: this.name(n.name),
              range: this.r(n.name),
            } satisfies A.SplatAttrStep);
          else if (n.kind === "legacyIndex")
            this.add({
              type: "SplatAttrStep",
              name: this.image(n.num),
              range: this.r(n.num),
            } satisfies A.SplatAttrStep);
          else if (n.kind === "index" && s.kind === "fullSplat")
            this.add({
              type: "SplatIndexStep",
              key: n.key,
              range: A.spanRange(n.key.range, this.r(n.close)),
            } satisfies A.SplatIndexStep);
          else break;
          last = this.r(stepToken(n));
          k++;
        }
        wrap();
        e = {
          type: "Splat",
          kind: s.kind === "fullSplat" ? "full" : "attr",
          source: e,
          steps: this.take(splatFrom),
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
      if (extending && e === reference && (s.kind !== "index" || staticKey !== undefined)) {
        const stepRange =
          s.kind === "attr" ? this.r(s.name) : s.kind === "legacyIndex" ? this.r(s.num) : A.spanRange(s.key.range, end);
        const step: A.TraversalStep =
          s.kind === "attr"
            ? { type: "AttrStep", name: this.name(s.name), range: stepRange }
            : s.kind === "legacyIndex"
              ? { type: "IndexStep", key: Number(this.image(s.num)), range: stepRange }
              : { type: "IndexStep", key: defined(staticKey, "the static key of an index step"), range: stepRange };
        this.add(step);
        reference.range = A.spanRange(reference.range, end);
        continue;
      }
      finishReference();
      wrap();
      if (s.kind === "attr") e = A.getAttrNode(e, this.name(s.name), this.r(s.name), end);
      else if (s.kind === "legacyIndex")
        e = A.indexNode(e, { type: "Literal", value: Number(this.image(s.num)), range: this.r(s.num) }, end);
      else e = A.indexNode(e, s.key, end);
    }
    finishReference();

    return e;
  }

  private primary(): A.Expression {
    const i = this.i;
    const k = this.kind(i);
    switch (k) {
      case NUMBER:
        this.i++;
        return { type: "Literal", value: Number(this.image(i)), range: this.r(i) };
      case TRUE:
        this.i++;
        return { type: "Literal", value: true, range: this.r(i) };
      case FALSE:
        this.i++;
        return { type: "Literal", value: false, range: this.r(i) };
      case NULL:
        this.i++;
        return { type: "Literal", value: null, range: this.r(i) };
      case STRING:
        this.i++;
        return { type: "Literal", value: this.payloads[i] as string, range: this.r(i) };
      case OQUOTE:
        return this.template();
      case HEREDOC_START:
        return this.heredoc();
      case LBRACKET:
        return this.tupleOrFor();
      case LBRACE:
        return this.objectOrFor();
      case LPAREN: {
        this.i++;
        const expr = this.expression();
        const close = this.expect(RPAREN);
        return A.parenthesisNode(expr, this.r(i), this.r(close));
      }
    }
    if (!IS_IDENT[k]) throw GIVE_UP;
    if (this.kind(i + 1) === LPAREN) return this.functionCall();
    this.i++;
    const rootRange = this.r(i);
    return A.scopeTraversalNode(this.name(i), rootRange);
  }

  private template(): A.Template {
    const open = this.i++;
    // Only heredocs need to know which chunks start a line (for `<<-`), so the parts of a quoted
    // template are collected directly.
    const from = this.pendingTop;
    for (;;) {
      const i = this.i;
      const k = this.kind(i);
      if (k === TEMPLATE_STRING) {
        this.i++;
        this.add({
          type: "TemplateLiteral",
          value: (this.payloads[i] as T.TemplateChunk).value,
          range: this.r(i),
        } satisfies A.TemplateLiteralPart);
      } else if (k === INTERP) {
        this.i++;
        const expr = this.expression();
        const close = this.expect(INTERP_END);
        this.add({
          type: "TemplateInterpolation",
          expr,
          range: this.span(i, close),
        } satisfies A.TemplateInterpolation);
      } else break;
    }
    const parts = this.take<A.TemplatePart>(from);
    const close = this.expect(CQUOTE);
    return A.templateNode(mergeTemplateLiterals(parts), this.r(open), this.r(close));
  }

  private heredoc(): A.Template {
    const open = this.i++;
    const parts = this.templateParts();
    const close = this.expect(HEREDOC_END);
    const info = this.payloads[open] as A.HeredocInfo;
    const stripped = info.indent ? dedentHeredoc(parts) : parts.map((p) => p.part);
    return A.templateNode(mergeTemplateLiterals(stripped), this.r(open), this.r(close), {
      marker: info.marker,
      indent: info.indent,
    });
  }

  private templateParts(): TemplatePartAt[] {
    const parts: TemplatePartAt[] = [];
    for (;;) {
      const i = this.i;
      const k = this.kind(i);
      if (k === TEMPLATE_STRING) {
        this.i++;
        const chunk = this.payloads[i] as T.TemplateChunk;
        parts.push({
          part: { type: "TemplateLiteral", value: chunk.value, range: this.r(i) },
          lineStart: chunk.lineStart,
        });
      } else if (k === INTERP) {
        this.i++;
        const expr = this.expression();
        const close = this.expect(INTERP_END);
        parts.push({
          part: { type: "TemplateInterpolation", expr, range: this.span(i, close) },
          lineStart: false,
        });
      } else return parts;
    }
  }

  private forIntro(): { keyVar?: A.ForVariable; valueVar: A.ForVariable; collection: A.Expression } {
    this.expect(FOR);
    const first = this.i;
    if (!IS_IDENT[this.kind(first)]) throw GIVE_UP;
    this.i++;
    let second: number | undefined;
    if (this.kind(this.i) === COMMA) {
      second = ++this.i;
      if (!IS_IDENT[this.kind(second)]) throw GIVE_UP;
      this.i++;
    }
    this.expect(IN);
    const collection = this.expression();
    this.expect(COLON);
    const v1 = { name: this.name(first), range: this.r(first) };
    if (second !== undefined)
      return { keyVar: v1, valueVar: { name: this.name(second), range: this.r(second) }, collection };
    return { valueVar: v1, collection };
  }

  private tupleOrFor(): A.Expression {
    const open = this.i++;
    if (this.kind(this.i) === FOR) {
      const intro = this.forIntro();
      const value = this.expression();
      let cond: A.Expression | undefined;
      if (this.kind(this.i) === IF) {
        this.i++;
        cond = this.expression();
      }
      const close = this.expect(RBRACKET);
      return {
        type: "ForTuple",
        ...(intro.keyVar ? { keyVar: intro.keyVar } : {}),
        valueVar: intro.valueVar,
        collection: intro.collection,
        value,
        ...(cond ? { cond } : {}),
        range: this.span(open, close),
      };
    }
    const from = this.pendingTop;
    if (this.kind(this.i) !== RBRACKET) {
      this.add(this.expression());
      while (this.kind(this.i) === COMMA) {
        // `, ]` is the optional trailing comma; `, <expression>` is the next item.
        if (this.kind(this.i + 1) === RBRACKET) {
          this.i++;
          break;
        }
        this.i++;
        this.add(this.expression());
      }
    }
    const close = this.expect(RBRACKET);
    return { type: "Tuple", items: this.take(from), range: this.span(open, close) };
  }

  private objectOrFor(): A.Expression {
    const open = this.i++;
    if (this.kind(this.i) === FOR) {
      const intro = this.forIntro();
      const key = this.expression();
      this.expect(FAT_ARROW);
      const value = this.expression();
      let grouping = false;
      if (this.kind(this.i) === ELLIPSIS) {
        this.i++;
        grouping = true;
      }
      let cond: A.Expression | undefined;
      if (this.kind(this.i) === IF) {
        this.i++;
        cond = this.expression();
      }
      const close = this.expect(RBRACE);
      return {
        type: "ForObject",
        ...(intro.keyVar ? { keyVar: intro.keyVar } : {}),
        valueVar: intro.valueVar,
        collection: intro.collection,
        key,
        value,
        grouping,
        ...(cond ? { cond } : {}),
        range: this.span(open, close),
      };
    }
    const from = this.pendingTop;
    let separated = true;
    for (;;) {
      const k = this.kind(this.i);
      if (k === NEWLINE || k === COMMA) {
        this.i++;
        separated = true;
      } else if (k === RBRACE) break;
      else {
        // Two items without a separator between them: the full parser reports it.
        if (!separated) throw GIVE_UP;
        this.add(this.objectItem());
        separated = false;
      }
    }
    const close = this.expect(RBRACE);
    return { type: "Object", items: this.take(from), range: this.span(open, close) };
  }

  private objectItem(): A.ObjectItem {
    const key = this.expression();
    const sep = this.i;
    const k = this.kind(sep);
    if (k !== EQUALS && k !== COLON) throw GIVE_UP;
    this.i++;
    const value = this.expression();
    // A key such as `a.b` is ambiguous (the full parser says why).
    if (key.type === "ScopeTraversal" && key.traversal.length > 0) throw GIVE_UP;
    const bare = key.type === "ScopeTraversal";
    return {
      type: "ObjectItem",
      key: bare ? { type: "Literal", value: key.root, range: key.range } : key,
      bareKey: bare,
      separator: k === EQUALS ? "=" : ":",
      value,
      range: A.spanRange(key.range, value.range),
    };
  }

  private functionCall(): A.FunctionCall {
    const name = this.i++;
    const open = this.expect(LPAREN);
    const from = this.pendingTop;
    let expandFinal = false;
    if (this.kind(this.i) !== RPAREN) {
      this.add(this.expression());
      while (this.kind(this.i) === COMMA && this.kind(this.i + 1) !== RPAREN) {
        this.i++;
        this.add(this.expression());
      }
      if (this.kind(this.i) === ELLIPSIS) {
        this.i++;
        expandFinal = true;
      }
      if (this.kind(this.i) === COMMA) this.i++;
    }
    const close = this.expect(RPAREN);
    const nameRange = this.r(name);
    const closeParenRange = this.r(close);
    return {
      type: "FunctionCall",
      name: this.name(name),
      nameRange,
      args: this.take(from),
      expandFinal,
      openParenRange: this.r(open),
      closeParenRange,
      range: A.spanRange(nameRange, closeParenRange),
    };
  }
}
