/**
 * Precedence, associativity and nesting, checked generatively: build a random expression tree,
 * add the parentheses HCL's precedence rules require (and no others), print it, parse it, and
 * expect exactly the tree back.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parseExpression, stripRanges } from "../../src/syntax/index.js";

type E =
  | { type: "Literal"; value: number | string | boolean | null }
  | {
      type: "ScopeTraversal";
      root: string;
      traversal: ({ type: "AttrStep"; name: string } | { type: "IndexStep"; key: number | string })[];
    }
  | { type: "Binary"; op: string; left: E; right: E }
  | { type: "Unary"; op: "!" | "-"; operand: E }
  | { type: "Conditional"; condition: E; trueExpr: E; falseExpr: E }
  | { type: "FunctionCall"; name: string; args: E[]; expandFinal: boolean }
  | { type: "Tuple"; items: E[] }
  | {
      type: "Object";
      items: { type: "ObjectItem"; key: { type: "Literal"; value: string }; bareKey: true; separator: "="; value: E }[];
    }
  | {
      type: "Template";
      parts: ({ type: "TemplateLiteral"; value: string } | { type: "TemplateInterpolation"; expr: E })[];
    }
  | { type: "Parenthesis"; expr: E };

const PREC: Record<string, number> = {
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
const names = ["a", "b", "foo", "bar_1", "x-y"];

const leaf: fc.Arbitrary<E> = fc.oneof(
  fc.nat(1000).map((n): E => ({ type: "Literal", value: n })),
  fc.constantFrom("", "abc", "with space").map((s): E => ({ type: "Literal", value: s })),
  fc.constantFrom(true, false, null).map((v): E => ({ type: "Literal", value: v })),
  fc
    .tuple(
      fc.constantFrom("var", "local", "each", "x"),
      fc.array(
        fc.oneof(
          fc.constantFrom(...names).map((name) => ({ type: "AttrStep" as const, name })),
          fc.oneof(fc.nat(9), fc.constantFrom("k", "key two")).map((key) => ({ type: "IndexStep" as const, key })),
        ),
        { maxLength: 3 },
      ),
    )
    .map(([root, traversal]): E => ({ type: "ScopeTraversal", root, traversal })),
);

const { expr } = fc.letrec<{ expr: E }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "medium", withCrossShrink: true },
    { arbitrary: leaf, weight: 4 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...Object.keys(PREC)), tie("expr"), tie("expr"))
        .map(([op, left, right]): E => ({ type: "Binary", op, left, right })),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom("!" as const, "-" as const), tie("expr"))
        .map(([op, operand]): E => ({ type: "Unary", op, operand })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(tie("expr"), tie("expr"), tie("expr"))
        .map(([condition, trueExpr, falseExpr]): E => ({ type: "Conditional", condition, trueExpr, falseExpr })),
      weight: 2,
    },
    fc
      .tuple(fc.constantFrom("f", "upper"), fc.array(tie("expr"), { maxLength: 3 }), fc.boolean())
      .map(([name, args, ex]): E => ({ type: "FunctionCall", name, args, expandFinal: ex && args.length > 0 })),
    fc.array(tie("expr"), { maxLength: 3 }).map((items): E => ({ type: "Tuple", items })),
    fc
      .uniqueArray(fc.tuple(fc.constantFrom(...names), tie("expr")), { maxLength: 3, selector: ([k]) => k })
      .map((kvs): E => ({
        type: "Object",
        items: kvs.map(([k, value]) => ({
          type: "ObjectItem",
          key: { type: "Literal", value: k },
          bareKey: true,
          separator: "=",
          value,
        })),
      })),
    fc.tuple(fc.constantFrom("x", "a b", "-"), tie("expr"), fc.constantFrom("", "y")).map(([pre, e, post]): E => ({
      type: "Template",
      parts: [
        { type: "TemplateLiteral", value: pre },
        { type: "TemplateInterpolation", expr: e },
        ...(post ? [{ type: "TemplateLiteral" as const, value: post }] : []),
      ],
    })),
  ),
}));

/** Level of binding: 0 conditional, 1–6 binary, 7 unary, 8 everything else. */
function level(e: E): number {
  return e.type === "Conditional" ? 0 : e.type === "Binary" ? PREC[e.op]! : e.type === "Unary" ? 7 : 8;
}

/** Adds the parentheses the grammar requires for `e` to parse back as the same tree. */
function parenthesise(e: E, minLevel = 0): E {
  const inner = ((): E => {
    switch (e.type) {
      case "Binary": {
        const p = PREC[e.op]!;
        return { ...e, left: parenthesise(e.left, p), right: parenthesise(e.right, p + 1) };
      }
      case "Unary":
        return { ...e, operand: parenthesise(e.operand, 7) };
      case "Conditional":
        return {
          ...e,
          condition: parenthesise(e.condition, 1),
          trueExpr: parenthesise(e.trueExpr),
          falseExpr: parenthesise(e.falseExpr),
        };
      case "FunctionCall":
        return { ...e, args: e.args.map((a) => parenthesise(a)) };
      case "Tuple":
        return { ...e, items: e.items.map((a) => parenthesise(a)) };
      case "Object":
        return { ...e, items: e.items.map((i) => ({ ...i, value: parenthesise(i.value) })) };
      case "Template":
        return {
          ...e,
          parts: e.parts.map((p) => (p.type === "TemplateInterpolation" ? { ...p, expr: parenthesise(p.expr) } : p)),
        };
      default:
        return e;
    }
  })();
  return level(e) < minLevel ? { type: "Parenthesis", expr: inner } : inner;
}

function print(e: E): string {
  switch (e.type) {
    case "Literal":
      return typeof e.value === "string" ? JSON.stringify(e.value) : String(e.value);
    case "ScopeTraversal":
      return (
        e.root + e.traversal.map((s) => (s.type === "AttrStep" ? "." + s.name : `[${JSON.stringify(s.key)}]`)).join("")
      );
    case "Binary":
      return `${print(e.left)} ${e.op} ${print(e.right)}`;
    case "Unary":
      return `${e.op}${print(e.operand)}`;
    case "Conditional":
      return `${print(e.condition)} ? ${print(e.trueExpr)} : ${print(e.falseExpr)}`;
    case "FunctionCall":
      return `${e.name}(${e.args.map(print).join(", ")}${e.expandFinal ? "..." : ""})`;
    case "Tuple":
      return `[${e.items.map(print).join(", ")}]`;
    case "Object":
      return `{ ${e.items.map((i) => `${i.key.value} = ${print(i.value)}`).join(", ")} }`;
    case "Template":
      return `"${e.parts.map((p) => (p.type === "TemplateLiteral" ? p.value : "${" + print(p.expr) + "}")).join("")}"`;
    case "Parenthesis":
      return `(${print(e.expr)})`;
  }
}

describe("syntax/precedence (property)", () => {
  it("parses a printed expression back to the same tree, with precedence and left-associativity", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const tree = parenthesise(e);
        const text = print(tree);
        const parsed = parseExpression(text);
        expect(parsed.diagnostics, text).to.deep.equal([]);
        expect(stripRanges(parsed.expr), text).to.deep.equal(stripRanges(tree));
      }),
      { numRuns: 400 },
    );
  });
});
