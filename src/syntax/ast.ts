/**
 * The typed AST of `.state` files: one interface per node, each with a `type` discriminant and the
 * `range` it covers, and nothing else (no methods, no parent links). The parser produces it;
 * config/eval/fmt consume it. Changes to this file are additive only: other rooms code against it.
 * Its ranges are diag/range.ts's SourceRange (one object per range): read `start` and `end`,
 * never spread one.
 *
 * Shape, in HCL's terms: a file is a Body of Attributes (`name = expr`) and Blocks
 * (`type "label" { body }`). Expressions mirror hclsyntax's expression types.
 */
import { rangeBetween, spanRanges, type Range } from "../diag/range.js";

// ---------------------------------------------------------------------------------------------
// Structure

export interface Body {
  type: "Body";
  items: BodyItem[];
  /** From the first to the last character of the body (inside the braces for a block). */
  range: Range;
}

export type BodyItem = Attribute | Block;

/** `name = expr` */
export interface Attribute {
  type: "Attribute";
  name: string;
  nameRange: Range;
  expr: Expression;
  /** From the name to the end of the expression. */
  range: Range;
}

export interface BlockLabel {
  /** The label's value, with quotes removed and escapes decoded. */
  value: string;
  /** Covers the quotes too. */
  range: Range;
}

/** `type "label1" "label2" { body }` */
export interface Block {
  type: "Block";
  blockType: string;
  typeRange: Range;
  labels: BlockLabel[];
  body: Body;
  openBraceRange: Range;
  closeBraceRange: Range;
  /** From the block type to the closing brace. */
  range: Range;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type Expression =
  | Literal
  | Template
  | Tuple
  | ObjectExpr
  | ScopeTraversal
  | GetAttr
  | Index
  | Splat
  | FunctionCall
  | Unary
  | Binary
  | Conditional
  | Parenthesis
  | ForTuple
  | ForObject;

/**
 * A constant: a number, `true`/`false`, `null`, or a quoted string without interpolation
 * (`"abc"`; escapes already decoded). Bare-word object keys are Literals too (see ObjectItem).
 */
export interface Literal {
  type: "Literal";
  value: string | number | boolean | null;
  range: Range;
}

/** A literal run of text inside a template; escapes (`\n`, `$${`) already decoded. */
export interface TemplateLiteralPart {
  type: "TemplateLiteral";
  value: string;
  range: Range;
}

/** `${ expr }` inside a template. */
export interface TemplateInterpolation {
  type: "TemplateInterpolation";
  expr: Expression;
  /** Covers `${` to `}`. */
  range: Range;
}

export type TemplatePart = TemplateLiteralPart | TemplateInterpolation;

export interface HeredocInfo {
  /** The delimiter word, e.g. `EOT`. */
  marker: string;
  /** `<<-EOT`: the common leading indentation was removed from every line. */
  indent: boolean;
}

/**
 * A string built from parts: `"a ${x} b"`, or any heredoc (`<<EOT` … `EOT`). The value is the
 * concatenation of the parts. For heredocs the parts already have `<<-` indentation removed and
 * each line keeps its trailing newline.
 */
export interface Template {
  type: "Template";
  parts: TemplatePart[];
  /** Present only for heredocs. */
  heredoc?: HeredocInfo;
  range: Range;
}

/** `[a, b, c]` */
export interface Tuple {
  type: "Tuple";
  items: Expression[];
  range: Range;
}

/** One `key = value` (or `key: value`) inside `{ … }`. */
export interface ObjectItem {
  type: "ObjectItem";
  /** For a bare word key (`{ name = 1 }`) a string Literal holding the word; otherwise any expression. */
  key: Expression;
  /** True when the key was written as a bare word rather than a quoted string or expression. */
  bareKey: boolean;
  separator: "=" | ":";
  value: Expression;
  range: Range;
}

/** `{ key = value, … }` */
export interface ObjectExpr {
  type: "Object";
  items: ObjectItem[];
  range: Range;
}

/** A static step after a root name: `.name`, `[0]`, `["key"]` (also legacy `.0`). */
export type TraversalStep = AttrStep | IndexStep;

export interface AttrStep {
  type: "AttrStep";
  name: string;
  range: Range;
}

export interface IndexStep {
  type: "IndexStep";
  key: string | number;
  range: Range;
}

/**
 * A reference by name with static steps: `var.x`, `document.base.name`, `each.value["k"]`,
 * `count.index`, or a bare `x` (e.g. a for-expression variable). Dynamic parts
 * (`x[var.i]`, `f(x).y`, splats) wrap this node in Index / GetAttr / Splat.
 */
export interface ScopeTraversal {
  type: "ScopeTraversal";
  root: string;
  rootRange: Range;
  traversal: TraversalStep[];
  range: Range;
}

/** `source.name` where source is not a plain reference (e.g. `f(x).name`, `x[i].name`). */
export interface GetAttr {
  type: "GetAttr";
  source: Expression;
  name: string;
  nameRange: Range;
  range: Range;
}

/** `source[key]` with a key that is not a literal (`x[var.i]`), or on a non-reference source. */
export interface Index {
  type: "Index";
  source: Expression;
  key: Expression;
  range: Range;
}

/** A step applied to every element by a splat: `.name`, `[key]`. */
export type SplatStep = SplatAttrStep | SplatIndexStep;

export interface SplatAttrStep {
  type: "SplatAttrStep";
  name: string;
  range: Range;
}

export interface SplatIndexStep {
  type: "SplatIndexStep";
  key: Expression;
  range: Range;
}

/**
 * `source[*].a.b` (full splat: `kind: "full"`, absorbs attribute and index steps) or
 * `source.*.a` (attribute-only splat: `kind: "attr"`, absorbs attribute steps only).
 * The value is the list of `element.steps` for each element of `source`.
 */
export interface Splat {
  type: "Splat";
  kind: "full" | "attr";
  source: Expression;
  steps: SplatStep[];
  range: Range;
}

/** `name(args…)`; `expandFinal` when the last argument is followed by `...`. */
export interface FunctionCall {
  type: "FunctionCall";
  name: string;
  nameRange: Range;
  args: Expression[];
  expandFinal: boolean;
  openParenRange: Range;
  closeParenRange: Range;
  range: Range;
}

export type UnaryOp = "!" | "-";

export interface Unary {
  type: "Unary";
  op: UnaryOp;
  operand: Expression;
  range: Range;
}

export type BinaryOp = "||" | "&&" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "+" | "-" | "*" | "/" | "%";

export interface Binary {
  type: "Binary";
  op: BinaryOp;
  opRange: Range;
  left: Expression;
  right: Expression;
  range: Range;
}

/** `condition ? trueExpr : falseExpr` */
export interface Conditional {
  type: "Conditional";
  condition: Expression;
  trueExpr: Expression;
  falseExpr: Expression;
  range: Range;
}

/** `( expr )` — kept so the formatter can reproduce it and ranges stay exact. */
export interface Parenthesis {
  type: "Parenthesis";
  expr: Expression;
  range: Range;
}

/** A variable declared by a for-expression (`k`, `v` in `for k, v in m`). */
export interface ForVariable {
  name: string;
  range: Range;
}

/** `[for keyVar, valueVar in collection : value if cond]` */
export interface ForTuple {
  type: "ForTuple";
  keyVar?: ForVariable;
  valueVar: ForVariable;
  collection: Expression;
  value: Expression;
  cond?: Expression;
  range: Range;
}

/** `{for keyVar, valueVar in collection : key => value... if cond}`; `grouping` for `...`. */
export interface ForObject {
  type: "ForObject";
  keyVar?: ForVariable;
  valueVar: ForVariable;
  collection: Expression;
  key: Expression;
  value: Expression;
  grouping: boolean;
  cond?: Expression;
  range: Range;
}

export type Node = Body | BodyItem | Expression | ObjectItem | TemplatePart | TraversalStep | SplatStep;

// ---------------------------------------------------------------------------------------------
// Helpers over the AST (pure; no evaluation)

/**
 * One name an expression refers to, like HCL's `Expression.Variables()`: the root name
 * (`var`, `local`, `document`, `association`, `each`, `count`, `path`, …), the static steps that
 * follow it, and the range of the whole reference. Variables declared by an enclosing
 * for-expression are not references and are left out.
 */
export interface Reference {
  root: string;
  traversal: TraversalStep[];
  range: Range;
}

/**
 * Lists the references `expr` makes, in source order, without evaluating anything. A graph
 * builder turns `document.x.name` into a dependency on `document.x`.
 */
export function references(expr: Expression): Reference[] {
  const out: Reference[] = [];
  collectReferences(expr, NOTHING_SHADOWED, out);
  return out;
}

/** References made by every attribute (recursively through blocks) of a body. */
export function bodyReferences(body: Body): Reference[] {
  const out: Reference[] = [];
  for (const item of body.items) {
    if (item.type === "Attribute") collectReferences(item.expr, NOTHING_SHADOWED, out);
    else out.push(...bodyReferences(item.body));
  }
  return out;
}

/** No names shadowed: shared, never added to (a for expression copies it). */
const NOTHING_SHADOWED: ReadonlySet<string> = new Set();

// Plain recursion, no helper closure: each call used to allocate one, on every expression node of
// every reference walk (about a million nodes for 50,000 associations).
function collectReferences(expr: Expression, shadowed: ReadonlySet<string>, out: Reference[]): void {
  switch (expr.type) {
    case "Literal":
      return;
    case "Template":
      for (const p of expr.parts) if (p.type === "TemplateInterpolation") collectOptional(p.expr, shadowed, out);
      return;
    case "Tuple":
      for (const i of expr.items) collectOptional(i, shadowed, out);
      return;
    case "Object":
      for (const i of expr.items) {
        if (!i.bareKey) collectOptional(i.key, shadowed, out);
        collectOptional(i.value, shadowed, out);
      }
      return;
    case "ScopeTraversal":
      if (!shadowed.has(expr.root)) out.push({ root: expr.root, traversal: expr.traversal, range: expr.range });
      return;
    case "GetAttr":
      collectOptional(expr.source, shadowed, out);
      return;
    case "Index":
      collectOptional(expr.source, shadowed, out);
      collectOptional(expr.key, shadowed, out);
      return;
    case "Splat":
      collectOptional(expr.source, shadowed, out);
      for (const s of expr.steps) if (s.type === "SplatIndexStep") collectOptional(s.key, shadowed, out);
      return;
    case "FunctionCall":
      for (const a of expr.args) collectOptional(a, shadowed, out);
      return;
    case "Unary":
      collectOptional(expr.operand, shadowed, out);
      return;
    case "Binary":
      collectOptional(expr.left, shadowed, out);
      collectOptional(expr.right, shadowed, out);
      return;
    case "Conditional":
      collectOptional(expr.condition, shadowed, out);
      collectOptional(expr.trueExpr, shadowed, out);
      collectOptional(expr.falseExpr, shadowed, out);
      return;
    case "Parenthesis":
      collectOptional(expr.expr, shadowed, out);
      return;
    case "ForTuple":
    case "ForObject": {
      collectOptional(expr.collection, shadowed, out);
      const inner = new Set(shadowed);
      inner.add(expr.valueVar.name);
      if (expr.keyVar) inner.add(expr.keyVar.name);
      if (expr.type === "ForObject") collectOptional(expr.key, inner, out);
      collectOptional(expr.value, inner, out);
      collectOptional(expr.cond, inner, out);
      return;
    }
  }
}

function collectOptional(expr: Expression | undefined, shadowed: ReadonlySet<string>, out: Reference[]): void {
  if (expr) collectReferences(expr, shadowed, out);
}

/** Renders a reference's path the way a user writes it: `document.x.name`, `var.list[0]`. */
export function referenceText(ref: Pick<Reference, "root" | "traversal">): string {
  let s = ref.root;
  for (const step of ref.traversal) {
    if (step.type === "AttrStep") s += "." + step.name;
    else s += typeof step.key === "number" ? `[${step.key}]` : `[${JSON.stringify(step.key)}]`;
  }
  return s;
}

/**
 * A deep copy of an AST (or any part) without source positions: drops `range` and every
 * `…Range` property. Two parses mean the same thing when their stripped forms are deep-equal.
 */
export function stripRanges(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => stripRanges(n));
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === "range" || k.endsWith("Range")) continue;
    if (v === undefined) continue;
    out[k] = stripRanges(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Construction. Both parsers (parser.ts, wellformed.ts) must build the same tree, ranges
// included, for the same text; the nodes whose range derives from their parts are made here once.

/** The range from the start of `a` to the end of `b`. */
export function spanRange(a: Range, b: Range): Range {
  return spanRanges(a, b);
}

export function attributeNode(name: string, nameRange: Range, expr: Expression): Attribute {
  return { type: "Attribute", name, nameRange, expr, range: spanRange(nameRange, expr.range) };
}

/** A block; its body covers what lies between the braces. */
export function blockNode(
  blockType: string,
  typeRange: Range,
  labels: BlockLabel[],
  items: BodyItem[],
  openBraceRange: Range,
  closeBraceRange: Range,
): Block {
  return {
    type: "Block",
    blockType,
    typeRange,
    labels,
    body: {
      type: "Body",
      items,
      range: rangeBetween(openBraceRange, closeBraceRange),
    },
    openBraceRange,
    closeBraceRange,
    range: spanRange(typeRange, closeBraceRange),
  };
}

export function conditionalNode(condition: Expression, trueExpr: Expression, falseExpr: Expression): Conditional {
  return { type: "Conditional", condition, trueExpr, falseExpr, range: spanRange(condition.range, falseExpr.range) };
}

export function binaryNode(op: BinaryOp, opRange: Range, left: Expression, right: Expression): Binary {
  return { type: "Binary", op, opRange, left, right, range: spanRange(left.range, right.range) };
}

export function unaryNode(op: UnaryOp, opRange: Range, operand: Expression): Unary {
  return { type: "Unary", op, operand, range: spanRange(opRange, operand.range) };
}

/** `source.name`, ending at `end` (the step's last token). */
export function getAttrNode(source: Expression, name: string, nameRange: Range, end: Range): GetAttr {
  return { type: "GetAttr", source, name, nameRange, range: spanRange(source.range, end) };
}

/** `source[key]` (or legacy `source.0`), ending at `end`. */
export function indexNode(source: Expression, key: Expression, end: Range): Index {
  return { type: "Index", source, key, range: spanRange(source.range, end) };
}

export function scopeTraversalNode(root: string, rootRange: Range): ScopeTraversal {
  return { type: "ScopeTraversal", root, rootRange, traversal: [], range: rootRange };
}

/** A quoted template or, with `heredoc`, a heredoc; `parts` are already merged. */
export function templateNode(parts: TemplatePart[], open: Range, close: Range, heredoc?: HeredocInfo): Template {
  return heredoc
    ? { type: "Template", parts, heredoc, range: spanRange(open, close) }
    : { type: "Template", parts, range: spanRange(open, close) };
}

export function parenthesisNode(expr: Expression, open: Range, close: Range): Parenthesis {
  return { type: "Parenthesis", expr, range: spanRange(open, close) };
}
