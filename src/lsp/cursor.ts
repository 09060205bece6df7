// Where the cursor is, told from the text before it alone: which blocks enclose it, whether it is
// at the start of a body item or inside an attribute's value, inside a quoted string, an object
// (and whose value that object is), a function call's parentheses, or right after `name.` in a
// reference. Works on half-typed text that does not parse, because that is what an editor has
// while someone types; the lexer (syntax/) never throws and closes what is left open.
import type { IToken } from "chevrotain";
import { lexFile } from "../syntax/index.js";

/** A `{ … }` the cursor is inside: a block body or an object expression. */
export type Frame =
  | { kind: "block"; type: string; labels: string[]; openOffset: number }
  /** `key` is the attribute or object key whose value this object is (`parameters = {`). */
  | { kind: "object"; key?: string; openOffset: number }
  | { kind: "paren"; fn?: string }
  | { kind: "bracket" }
  /** A quoted string or heredoc; `key` as for objects. */
  | { kind: "string"; key?: string }
  | { kind: "interp" };

export interface CursorContext {
  /** Innermost last. */
  frames: Frame[];
  /** The enclosing block types, outermost first (`["association", "targets"]`). */
  blockPath: string[];
  /**
   * `item-start`: where a new argument or nested block may begin (or its name is half typed);
   * `block-label`: after a block type, where its label goes; `value`: inside an expression;
   * `object-key`: where a key of an object may begin; `string`: inside a string's text.
   */
  position: "item-start" | "block-label" | "value" | "object-key" | "string";
  /** The name (or string text) typed so far, immediately before the cursor. */
  prefix: string;
  /** The attribute (in the innermost block or object) whose value the cursor is in. */
  attribute?: string;
  /** For `var.na|` or `document.x.|`: the names before the last dot (`["var"]`, `["document", "x"]`). */
  traversal?: string[];
}

const name = (t: IToken) => t.tokenType.name;
const isIdent = (t: IToken | undefined): boolean =>
  t !== undefined && (name(t) === "Ident" || t.tokenType.CATEGORIES?.some((c) => c.name === "Ident") === true);

/** The context at `offset` in `text`. */
export function cursorContext(text: string, offset: number): CursorContext {
  const before = text.slice(0, offset);
  // Tokens the lexer synthesised to close what the text leaves open are empty; they are not the user's.
  const tokens = lexFile(before, "cursor").tokens.filter((t) => (t.endOffset ?? -1) >= t.startOffset);
  const frames: Frame[] = [];
  /** Tokens of the current item (since the last newline, comma or opening brace) per frame. */
  let item: IToken[] = [];
  const items: IToken[][] = [];
  const keyOf = (toks: IToken[]): string | undefined => {
    const eq = toks.findIndex((t) => name(t) === "Equals" || name(t) === "Colon");
    if (eq <= 0) return undefined;
    const k = toks[eq - 1];
    if (k === undefined) return undefined;
    if (isIdent(k)) return k.image;
    if (name(k) === "StringLit") return String(k.payload ?? k.image.slice(1, -1));
    return undefined;
  };
  const push = (f: Frame) => {
    frames.push(f);
    items.push(item);
    item = [];
  };
  const pop = () => {
    frames.pop();
    item = items.pop() ?? [];
  };
  for (const t of tokens) {
    switch (name(t)) {
      case "LBrace": {
        const top = frames[frames.length - 1];
        const inBody = top === undefined || top.kind === "block";
        const [head, ...labels] = item;
        if (inBody && head !== undefined && isIdent(head) && labels.every((l) => name(l) === "StringLit" || isIdent(l)))
          push({
            kind: "block",
            type: head.image,
            labels: labels.map((l) => String(l.payload ?? l.image)),
            openOffset: t.startOffset,
          });
        else push({ kind: "object", ...optional("key", keyOf(item)), openOffset: t.startOffset });
        break;
      }
      case "RBrace":
      case "RBracket":
      case "RParen":
      case "TemplateInterpEnd":
      case "CQuote":
      case "HeredocEnd":
        pop();
        item.push(t);
        break;
      case "LBracket":
        item.push(t);
        push({ kind: "bracket" });
        break;
      case "LParen": {
        const prev = item[item.length - 1];
        item.push(t);
        push({ kind: "paren", ...optional("fn", prev && isIdent(prev) ? prev.image : undefined) });
        break;
      }
      case "OQuote":
      case "HeredocStart":
        item.push(t);
        push({ kind: "string", ...optional("key", keyOf(item)) });
        break;
      case "TemplateInterp":
        push({ kind: "interp" });
        break;
      case "NewLine":
      case "Comma":
        item = [];
        break;
      default:
        item.push(t);
    }
  }
  const blockPath = frames.filter((f): f is Extract<Frame, { kind: "block" }> => f.kind === "block").map((f) => f.type);
  const top = frames[frames.length - 1];
  const last = item[item.length - 1];
  const touching = last !== undefined && (last.endOffset ?? -1) + 1 === offset;
  // Inside a string: the text typed so far is the prefix (only plain text after the opening quote).
  if (top?.kind === "string") {
    const prefix = last && touching && name(last) === "TemplateString" ? last.image : "";
    return { frames, blockPath, position: "string", prefix, ...optional("attribute", attributeOfFrames(frames)) };
  }
  const typing = touching && isIdent(last) ? last.image : "";
  const settled = typing ? item.slice(0, -1) : item;
  if (top === undefined || top.kind === "block") {
    const eq = settled.findIndex((t) => name(t) === "Equals");
    if (eq < 0) {
      if (settled.length === 0) return { frames, blockPath, position: "item-start", prefix: typing };
      const [first, ...labels] = settled;
      if (first !== undefined && isIdent(first) && labels.every((l) => name(l) === "StringLit"))
        return { frames, blockPath, position: "block-label", prefix: typing, attribute: first.image };
    }
    const key = settled[eq - 1];
    return valueContext(frames, blockPath, settled, typing, key !== undefined && isIdent(key) ? key.image : undefined);
  }
  if (top.kind === "object") {
    const sep = settled.findIndex((t) => name(t) === "Equals" || name(t) === "Colon");
    if (sep < 0 && settled.length === 0) return { frames, blockPath, position: "object-key", prefix: typing };
    return valueContext(frames, blockPath, settled, typing, keyOf(settled));
  }
  return valueContext(frames, blockPath, settled, typing, attributeOfFrames(frames));
}

function valueContext(
  frames: Frame[],
  blockPath: string[],
  settled: IToken[],
  typing: string,
  attribute: string | undefined,
): CursorContext {
  const ctx: CursorContext = {
    frames,
    blockPath,
    position: "value",
    prefix: typing,
    ...optional("attribute", attribute ?? attributeOfFrames(frames)),
  };
  // `a.b.` + typing: walk back over Ident (Dot Ident)* Dot.
  const traversal: string[] = [];
  for (let i = settled.length - 1; i >= 1; i -= 2) {
    const dot = settled[i];
    const ident = settled[i - 1];
    if (dot === undefined || ident === undefined || name(dot) !== "Dot" || !isIdent(ident) || !adjacent(ident, dot))
      break;

    traversal.unshift(ident.image);
  }
  if (traversal.length > 0) ctx.traversal = traversal;
  return ctx;
}

function adjacent(a: IToken, b: IToken): boolean {
  return (a.endOffset ?? -1) + 1 === b.startOffset;
}

/** The attribute whose value encloses the innermost frames (for `parameters = { x = [ "|` and the like). */
function attributeOfFrames(frames: Frame[]): string | undefined {
  for (const f of frames.toReversed()) {
    if ((f.kind === "object" || f.kind === "string") && f.key) return f.key;
    if (f.kind === "block") return undefined;
  }
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
