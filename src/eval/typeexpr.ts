/**
 * Type constraints as written in `variable { type = … }`: `string`, `number`, `bool`, `any`,
 * `list(T)`, `set(T)`, `map(T)`, `tuple([T, …])`, `object({ name = T, … })` with
 * `optional(T)` / `optional(T, default)` attributes. Read from the AST without evaluating
 * anything except `optional` defaults, which must be constants.
 */
import { defined, didYouMeanHint, error, type Diagnostic } from "../diag/index.js";
import type { Expression } from "../syntax/ast.js";
import { convert, conversionMessage } from "./convert.js";
import { evaluate } from "./evaluate.js";
import { T, type Type } from "./types.js";
import type { Value } from "./value.js";

const PRIMITIVES: Record<string, Type> = { string: T.string, number: T.number, bool: T.bool, any: T.dynamic };
const COLLECTIONS = ["list", "set", "map"] as const;
const ALL_KEYWORDS = ["string", "number", "bool", "any", "list", "set", "map", "tuple", "object"];

export interface TypeExprResult {
  type: Type;
  diagnostics: Diagnostic[];
}

export function typeFromExpression(e: Expression): TypeExprResult {
  const diagnostics: Diagnostic[] = [];
  const type = decode(e, diagnostics, false);
  return { type, diagnostics };
}

function bad(diags: Diagnostic[], e: Expression, detail: string, hint?: string): Type {
  const d = error("config/invalid-type", "Invalid type specification", { detail, range: e.range });
  if (hint) d.hint = hint;
  diags.push(d);
  return T.dynamic;
}

function unwrap(e: Expression): Expression {
  return e.type === "Parenthesis" ? unwrap(e.expr) : e;
}

function decode(raw: Expression, diags: Diagnostic[], inObjectAttr: boolean): Type {
  const e = unwrap(raw);
  if (e.type === "ScopeTraversal" && e.traversal.length === 0) {
    const p = PRIMITIVES[e.root];
    if (p) return p;
    if ((COLLECTIONS as readonly string[]).includes(e.root))
      return bad(diags, e, `The ${e.root} type constructor needs an element type, e.g. ${e.root}(string).`);
    if (e.root === "object" || e.root === "tuple")
      return bad(
        diags,
        e,
        `The ${e.root} type constructor needs its ${e.root === "object" ? "attribute types" : "element types"}.`,
      );
    return bad(
      diags,
      e,
      `"${e.root}" is not a type.`,
      didYouMeanHint(e.root, ALL_KEYWORDS) ??
        "types are string, number, bool, any, list(T), set(T), map(T), object({…}), tuple([…])",
    );
  }
  if (e.type === "Literal" && typeof e.value === "string" && PRIMITIVES[e.value]) {
    return bad(diags, e, `Type names are keywords, not strings: write ${e.value} without quotes.`);
  }
  if (e.type !== "FunctionCall")
    return bad(diags, e, "A type is a keyword like string, or a constructor like list(string).");
  const name = e.name;
  /** The constructor's one argument, or undefined (reported) when it has another number. */
  const onlyArgument = (): Expression | undefined => {
    const [arg] = e.args;
    if (arg === undefined || e.args.length !== 1) {
      bad(diags, e, `The ${name} type constructor takes one argument.`);
      return undefined;
    }
    return arg;
  };
  if ((COLLECTIONS as readonly string[]).includes(name)) {
    const arg = onlyArgument();
    if (arg === undefined) return T.dynamic;
    const el = decode(arg, diags, false);
    return { kind: name as "list" | "set" | "map", element: el };
  }
  if (name === "tuple") {
    const arg = onlyArgument();
    if (arg === undefined) return T.dynamic;
    const a = unwrap(arg);
    if (a.type !== "Tuple")
      return bad(diags, a, "The tuple type constructor takes a list of element types, e.g. tuple([string, number]).");
    return T.tuple(a.items.map((i) => decode(i, diags, false)));
  }
  if (name === "object") {
    const arg = onlyArgument();
    if (arg === undefined) return T.dynamic;
    const a = unwrap(arg);
    if (a.type !== "Object")
      return bad(
        diags,
        a,
        "The object type constructor takes an object of attribute types, e.g. object({ name = string }).",
      );
    const attrs = new Map<string, Type>();
    const optional = new Map<string, Value | undefined>();
    for (const item of a.items) {
      const k = unwrap(item.key);
      let key: string | undefined;
      if (k.type === "Literal" && typeof k.value === "string") key = k.value;
      else if (k.type === "ScopeTraversal" && k.traversal.length === 0) key = k.root;
      else if (k.type === "Template" && k.parts.length === 1 && k.parts[0]?.type === "TemplateLiteral")
        key = k.parts[0].value;
      if (key === undefined) {
        bad(diags, item.key, "An object type's attribute names must be written literally.");
        continue;
      }
      if (attrs.has(key)) {
        bad(diags, item.key, `The attribute "${key}" is declared twice.`);
        continue;
      }
      const v = unwrap(item.value);
      if (v.type === "FunctionCall" && v.name === "optional") {
        if (v.args.length < 1 || v.args.length > 2) {
          bad(diags, v, 'optional() takes a type and, optionally, a default value: optional(string, "x").');
          continue;
        }
        const t = decode(defined(v.args[0], "optional()'s type (it has one or two arguments)"), diags, true);
        attrs.set(key, t);
        let dflt: Value | undefined;
        if (v.args[1]) {
          const r = evaluate(v.args[1], { variables: new Map() });
          if (r.diagnostics.length > 0) {
            diags.push(
              ...r.diagnostics.map((d) => ({
                ...d,
                summary: "Invalid default value",
                detail: `An optional attribute's default must be a constant. ${d.detail ?? ""}`.trim(),
              })),
            );
          } else {
            const c = convert(r.value, t);
            if (c.error)
              bad(diags, v.args[1], `The default for "${key}" does not match its type: ${conversionMessage(c.error)}`);
            else dflt = c.value;
          }
        }
        optional.set(key, dflt);
        continue;
      }
      attrs.set(key, decode(item.value, diags, true));
    }
    return T.object(attrs, optional);
  }
  if (name === "optional") {
    return bad(
      diags,
      e,
      inObjectAttr
        ? "optional() must wrap an attribute's whole type."
        : "optional() is allowed only on an attribute of an object type.",
    );
  }
  return bad(
    diags,
    e,
    `"${name}" is not a type constructor.`,
    didYouMeanHint(name, ["list", "set", "map", "tuple", "object"]),
  );
}
