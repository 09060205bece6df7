/**
 * The expression evaluator: every expression form of the AST, with HCL's semantics. Errors
 * become diagnostics and the failing part evaluates to an unknown value, so one mistake does
 * not cascade into many. Unknown values propagate ("known after apply"); the sensitive mark
 * follows every value computed from a sensitive one.
 */
import {
  defined,
  didYouMeanHint,
  error,
  joinRanges,
  type Diagnostic,
  type ErrorCode,
  type Range,
} from "../diag/index.js";
import type {
  Expression,
  ForObject,
  ForTuple,
  FunctionCall,
  ObjectExpr,
  Splat,
  SplatStep,
  Template,
  TraversalStep,
} from "../syntax/ast.js";
import { convert, conversionMessage, unifyTypes } from "./convert.js";
import {
  BUILTIN_FUNCTIONS,
  callFunction,
  functionNames,
  type FunctionContext,
  type FunctionSpec,
} from "./functions/index.js";
import { binaryOp, unaryOp } from "./operators.js";
import { T, typeFriendly, type Type } from "./types.js";
import { Value, formatNumber } from "./value.js";

/** Everything an expression can see: root names (`var`, `local`, `each`, …), functions, files. */
export interface EvalContext {
  /** Values of root names. A name absent here is an error when referenced. */
  variables: ReadonlyMap<string, Value>;
  functions?: Readonly<Record<string, FunctionSpec>>;
  /** For file functions; without it `file()` and friends report that files are unavailable. */
  functionContext?: FunctionContext;
  /**
   * Explains a missing root name better than "unknown variable" (e.g. `each` outside a
   * `for_each` resource). Returns a diagnostic detail or undefined for the default message.
   */
  explainMissingRoot?: (name: string) => string | undefined;
}

export interface EvalResult {
  value: Value;
  diagnostics: Diagnostic[];
}

const NO_FILES: FunctionContext = {
  baseDir: ".",
  files: { read: () => ({ error: "files cannot be read here" }), exists: () => false },
};

/** Evaluates one expression. Never throws for user mistakes; they come back as diagnostics. */
export function evaluate(expr: Expression, ctx: EvalContext): EvalResult {
  const ev = new Evaluator(ctx);
  const value = ev.eval(expr, ctx.variables);
  return { value, diagnostics: ev.diagnostics };
}

type Scope = ReadonlyMap<string, Value>;

class Evaluator {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly ctx: EvalContext) {}

  private fail(
    code: ErrorCode,
    summary: string,
    detail: string,
    range: Range,
    extra: { context?: Range; hint?: string | undefined } = {},
  ): Value {
    const d: Diagnostic = error(code, summary, { detail, range });
    if (extra.context) d.context = extra.context;
    if (extra.hint) d.hint = extra.hint;
    this.diagnostics.push(d);
    return Value.UNKNOWN;
  }

  eval(e: Expression, scope: Scope): Value {
    switch (e.type) {
      case "Literal":
        if (e.value === null) return Value.NULL;
        if (typeof e.value === "string") return Value.string(e.value);
        if (typeof e.value === "number") return Value.number(e.value);
        return Value.bool(e.value);
      case "Template":
        return this.template(e, scope);
      case "Tuple":
        return Value.tuple(e.items.map((i) => this.eval(i, scope)));
      case "Object":
        return this.object(e, scope);
      case "ScopeTraversal": {
        const root = scope.get(e.root);
        if (root === undefined) {
          const explained = this.ctx.explainMissingRoot?.(e.root);
          return this.fail(
            "eval/unknown-variable",
            "Unknown variable",
            explained ?? `There is no variable named "${e.root}".`,
            e.rootRange,
            {
              hint: explained ? undefined : didYouMeanHint(e.root, scope.keys()),
            },
          );
        }
        let v = root;
        let path = e.root;
        for (const step of e.traversal) {
          v = this.step(v, step, path, e.range);
          path +=
            step.type === "AttrStep"
              ? `.${step.name}`
              : typeof step.key === "number"
                ? `[${step.key}]`
                : `[${JSON.stringify(step.key)}]`;
        }
        return v;
      }
      case "GetAttr":
        return this.getAttr(this.eval(e.source, scope), e.name, e.nameRange, "this value", e.range);
      case "Index": {
        const src = this.eval(e.source, scope);
        const key = this.eval(e.key, scope);
        return this.index(src, key, e.key.range, e.range);
      }
      case "Splat":
        return this.splat(e, scope);
      case "FunctionCall":
        return this.call(e, scope);
      case "Unary": {
        const v = this.eval(e.operand, scope);
        const r = unaryOp(e.op, v);
        if (r.error)
          return this.fail("eval/invalid-operand", r.error.summary, r.error.detail, e.operand.range, {
            context: e.range,
          });
        return r.value;
      }
      case "Binary": {
        const l = this.eval(e.left, scope);
        const r = this.eval(e.right, scope);
        const res = binaryOp(e.op, l, r);
        if (res.error) {
          const range = res.error.side === "left" ? e.left.range : res.error.side === "right" ? e.right.range : e.range;
          const code = res.error.summary === "Division by zero" ? "eval/division-by-zero" : "eval/invalid-operand";
          return this.fail(code, res.error.summary, res.error.detail, range, { context: e.range });
        }
        return res.value;
      }
      case "Conditional":
        return this.conditional(e.condition, e.trueExpr, e.falseExpr, e.range, scope);
      case "Parenthesis":
        return this.eval(e.expr, scope);
      case "ForTuple":
      case "ForObject":
        return this.forExpr(e, scope);
    }
  }

  private template(e: Template, scope: Scope): Value {
    const only = e.parts.length === 1 ? e.parts[0] : undefined;
    if (!e.heredoc && only?.type === "TemplateInterpolation") return this.eval(only.expr, scope);
    let out = "";
    let unknown = false;
    let sensitive = false;
    for (const p of e.parts) {
      if (p.type === "TemplateLiteral") {
        out += p.value;
        continue;
      }
      const v = this.eval(p.expr, scope);
      sensitive ||= v.sensitive;
      if (v.isNull) {
        this.fail(
          "eval/invalid-template-value",
          "Invalid template interpolation value",
          "The expression result is null, and a template cannot include null. Use a conditional or coalesce() to supply a value.",
          p.expr.range,
          { context: e.range },
        );
        unknown = true;
        continue;
      }
      if (!v.isKnown) {
        if (v.type.kind !== "dynamic" && !["string", "number", "bool"].includes(v.type.kind)) {
          this.fail(
            "eval/invalid-template-value",
            "Invalid template interpolation value",
            `Cannot include ${typeFriendly(v.type)} in a string template; only strings, numbers and bools can be interpolated.`,
            p.expr.range,
            { context: e.range },
          );
        }
        unknown = true;
        continue;
      }
      const c = convert(v, T.string);
      if (c.error) {
        this.fail(
          "eval/invalid-template-value",
          "Invalid template interpolation value",
          `Cannot include ${typeFriendly(v.type)} in a string template; only strings, numbers and bools can be interpolated. Use jsonencode() or join() to turn it into text.`,
          p.expr.range,
          { context: e.range },
        );
        unknown = true;
        continue;
      }
      sensitive ||= c.value.sensitive;
      out += c.value.unmark().asString();
    }
    return (unknown ? Value.unknown(T.string) : Value.string(out)).mark(sensitive);
  }

  private object(e: ObjectExpr, scope: Scope): Value {
    const out = new Map<string, Value>();
    const seen = new Map<string, Range>();
    let unknown = false;
    let keySensitive = false;
    for (const item of e.items) {
      const value = this.eval(item.value, scope);
      let key: string;
      if (item.bareKey && item.key.type === "Literal" && typeof item.key.value === "string") key = item.key.value;
      else {
        const k = this.eval(item.key, scope);
        if (k.isNull) {
          this.fail("eval/invalid-object-key", "Invalid object key", "An object key cannot be null.", item.key.range, {
            context: e.range,
          });
          unknown = true;
          continue;
        }
        const c = convert(k, T.string);
        if (c.error) {
          this.fail(
            "eval/invalid-object-key",
            "Invalid object key",
            `An object key must be a string: ${conversionMessage(c.error)}`,
            item.key.range,
            { context: e.range },
          );
          unknown = true;
          continue;
        }
        if (!c.value.isKnown) {
          unknown = true;
          continue;
        }
        keySensitive ||= c.value.sensitive;
        key = c.value.unmark().asString();
      }
      const prev = seen.get(key);
      if (prev) {
        this.fail(
          "eval/duplicate-object-key",
          "Duplicate object key",
          `The key "${key}" was already set at line ${prev.start.line}; each key may appear once.`,
          item.key.range,
          { context: e.range },
        );
        continue;
      }
      seen.set(key, item.key.range);
      out.set(key, value);
    }
    if (unknown) return Value.unknown(T.dynamic).mark(keySensitive);
    return Value.object(out).mark(keySensitive);
  }

  /** A static traversal step (`.name` or `[literal]`) applied to a value. */
  private step(v: Value, step: TraversalStep, path: string, context: Range): Value {
    if (step.type === "AttrStep") return this.getAttr(v, step.name, step.range, path, context);
    const key = typeof step.key === "number" ? Value.number(step.key) : Value.string(step.key);
    return this.index(v, key, step.range, context);
  }

  private getAttr(v: Value, name: string, range: Range, what: string, context: Range): Value {
    if (v.isNull)
      return this.fail(
        "eval/null-value",
        "Attempt to get attribute from null value",
        `${what === "this value" ? "This value" : `"${what}"`} is null, so it has no attribute "${name}".`,
        range,
        { context },
      );
    if (v.type.kind === "dynamic" && !v.isKnown) return Value.UNKNOWN.mark(v.sensitive);
    if (v.type.kind === "object") {
      const t = v.type.attributes.get(name);
      if (!t) {
        return this.fail(
          "eval/unsupported-attribute",
          "Unsupported attribute",
          `${what === "this value" ? "This object" : `"${what}"`} does not have an attribute named "${name}".`,
          range,
          {
            context,
            hint: didYouMeanHint(name, v.type.attributes.keys()),
          },
        );
      }
      if (!v.isKnown) return Value.unknown(t).mark(v.sensitive);
      return defined(v.entries().get(name), "an attribute the object's type declares").mark(v.sensitive);
    }
    if (v.type.kind === "map") {
      if (!v.isKnown) return Value.unknown(v.type.element).mark(v.sensitive);
      const got = v.entries().get(name);
      if (!got)
        return this.fail(
          "eval/invalid-index",
          "Missing map element",
          `This map does not have an element with the key "${name}".`,
          range,
          { context, hint: didYouMeanHint(name, v.entries().keys()) },
        );
      return got.mark(v.sensitive);
    }
    const hint = v.isSequence
      ? `to get "${name}" from every element, use a splat: ${what === "this value" ? "x" : what}[*].${name}`
      : undefined;
    return this.fail(
      "eval/unsupported-attribute",
      "Unsupported attribute",
      `Cannot get attribute "${name}" from ${typeFriendly(v.type)}; only objects have attributes.`,
      range,
      { context, hint },
    );
  }

  private index(v: Value, key: Value, keyRange: Range, context: Range): Value {
    const sensitive = v.sensitive || key.sensitive;
    if (v.isNull)
      return this.fail(
        "eval/null-value",
        "Attempt to index null value",
        "This value is null, so it cannot be indexed.",
        keyRange,
        { context },
      );
    if (key.isNull)
      return this.fail("eval/invalid-index", "Invalid index", "An index cannot be null.", keyRange, { context });
    const t = v.type;
    if (t.kind === "dynamic") return Value.UNKNOWN.mark(sensitive);
    if (t.kind === "set")
      return this.fail(
        "eval/invalid-index",
        "Invalid index",
        "Elements of a set cannot be selected by index, because a set has no order. Convert it with tolist() first, or use a for expression.",
        keyRange,
        { context },
      );
    if (t.kind === "list" || t.kind === "tuple") {
      const k = convert(key, T.number);
      if (k.error)
        return this.fail(
          "eval/invalid-index",
          "Invalid index",
          `${t.kind === "list" ? "A list" : "A tuple"} index must be a number: ${conversionMessage(k.error)}`,
          keyRange,
          { context },
        );
      if (!k.value.isKnown) return Value.unknown(t.kind === "list" ? t.element : T.dynamic).mark(sensitive);
      const i = k.value.unmark().asNumber();
      if (!v.isKnown)
        return Value.unknown(t.kind === "list" ? t.element : (t.elements[i] ?? T.dynamic)).mark(sensitive);
      const els = v.elements();
      if (!Number.isInteger(i) || i < 0 || i >= els.length) {
        return this.fail(
          "eval/invalid-index",
          "Invalid index",
          `The index ${formatNumber(i)} is out of range; this ${t.kind} has ${els.length} element${els.length === 1 ? "" : "s"}${els.length > 0 ? ` (valid indexes are 0 to ${els.length - 1})` : ""}.`,
          keyRange,
          { context },
        );
      }
      return defined(els[i], "an element within bounds").mark(sensitive);
    }
    if (t.kind === "map" || t.kind === "object") {
      const k = convert(key, T.string);
      if (k.error)
        return this.fail(
          "eval/invalid-index",
          "Invalid index",
          `${t.kind === "map" ? "A map" : "An object"} key must be a string: ${conversionMessage(k.error)}`,
          keyRange,
          { context },
        );
      if (!k.value.isKnown) return Value.unknown(t.kind === "map" ? t.element : T.dynamic).mark(sensitive);
      const name = k.value.unmark().asString();
      if (!v.isKnown)
        return Value.unknown(t.kind === "map" ? t.element : (t.attributes.get(name) ?? T.dynamic)).mark(sensitive);
      const got = v.entries().get(name);
      if (!got) {
        return this.fail(
          "eval/invalid-index",
          "Invalid index",
          `The given key "${name}" does not identify an element in this ${t.kind}.`,
          keyRange,
          { context, hint: didYouMeanHint(name, v.entries().keys()) },
        );
      }
      return got.mark(sensitive);
    }
    return this.fail(
      "eval/invalid-index",
      "Invalid index",
      `Cannot index ${typeFriendly(t)}; only lists, tuples, maps and objects have elements.`,
      keyRange,
      { context },
    );
  }

  private splat(e: Splat, scope: Scope): Value {
    const src = this.eval(e.source, scope);
    if (!src.isKnown) return Value.UNKNOWN.mark(src.sensitive);
    let elements: readonly Value[];
    let asList = false;
    if (src.isNull) elements = [];
    else if (src.isSequence) {
      elements = src.elements();
      asList = src.type.kind === "list";
    } else if (e.kind === "full") elements = [src];
    else elements = [src];
    const results = elements.map((el) => this.splatSteps(el, e.steps, scope, e.range));
    if (asList) {
      const u = unifyTypes(results.map((r) => r.type));
      if (u)
        return Value.list(
          results.map((r) => convert(r, u).value ?? r),
          u,
        ).mark(src.sensitive);
    }
    return Value.tuple(results).mark(src.sensitive);
  }

  private splatSteps(v: Value, steps: readonly SplatStep[], scope: Scope, context: Range): Value {
    let cur = v;
    for (const s of steps) {
      if (s.type === "SplatAttrStep") cur = this.getAttr(cur, s.name, s.range, "this element", context);
      else cur = this.index(cur, this.eval(s.key, scope), s.range, context);
    }
    return cur;
  }

  private conditional(cond: Expression, a: Expression, b: Expression, range: Range, scope: Scope): Value {
    const c = this.eval(cond, scope);
    if (c.isNull)
      return this.fail(
        "eval/invalid-condition",
        "Null condition",
        "The condition value is null; it must be true or false.",
        cond.range,
        { context: range },
      );
    const cb = convert(c, T.bool);
    if (cb.error)
      return this.fail(
        "eval/invalid-condition",
        "Incorrect condition type",
        `The condition must be a bool: ${conversionMessage(cb.error)}`,
        cond.range,
        { context: range },
      );
    const condition = cb.value;
    // The branch not taken is evaluated only for its type, so its errors (e.g. `x.attr` on a null x) don't count.
    const typeOf = (e: Expression): Value => {
      const quiet = new Evaluator(this.ctx);
      return quiet.eval(e, scope);
    };
    if (!condition.isKnown) {
      const ta = this.eval(a, scope);
      const tb = this.eval(b, scope);
      return Value.unknown(unifyTypes([ta.type, tb.type]) ?? T.dynamic).mark(
        condition.sensitive || ta.sensitive || tb.sensitive,
      );
    }
    const chosen = condition.unmark().asBool() ? a : b;
    const other = chosen === a ? b : a;
    const v = this.eval(chosen, scope);
    const o = typeOf(other);
    const u = unifyTypes([v.type, o.type]);
    if (u && u.kind !== "dynamic" && !v.isNull) {
      const conv = convert(v, u);
      if (conv.value) return conv.value.mark(condition.sensitive);
    }
    return v.mark(condition.sensitive);
  }

  private forExpr(e: ForTuple | ForObject, scope: Scope): Value {
    const coll = this.eval(e.collection, scope);
    if (coll.isNull)
      return this.fail(
        "eval/invalid-for",
        "Iteration over null value",
        "The collection of a for expression is null; it must be a list, set, tuple, map or object.",
        e.collection.range,
        { context: e.range },
      );
    if (!coll.isKnown) return Value.UNKNOWN.mark(coll.sensitive);
    let pairs: [Value, Value][];
    if (coll.isSequence) pairs = coll.elements().map((el, i) => [coll.type.kind === "set" ? el : Value.number(i), el]);
    else if (coll.isMapping) pairs = [...coll.entries()].map(([k, el]) => [Value.string(k), el]);
    else
      return this.fail(
        "eval/invalid-for",
        "Iteration over non-iterable value",
        `A for expression needs a list, set, tuple, map or object, not ${typeFriendly(coll.type)}.`,
        e.collection.range,
        { context: e.range },
      );
    const sensitive = coll.sensitive;
    const items: Value[] = [];
    const entries = new Map<string, Value[]>();
    const keyRanges = new Map<string, true>();
    let unknown = false;
    for (const [k, v] of pairs) {
      const inner = new Map(scope);
      if (e.keyVar) inner.set(e.keyVar.name, k.mark(sensitive));
      inner.set(e.valueVar.name, v.mark(sensitive));
      if (e.cond) {
        const c = this.eval(e.cond, inner);
        if (c.isNull) {
          this.fail(
            "eval/invalid-for",
            "Null condition",
            "The if condition of a for expression is null; it must be true or false.",
            e.cond.range,
            { context: e.range },
          );
          return Value.UNKNOWN;
        }
        const cb = convert(c, T.bool);
        if (cb.error) {
          this.fail(
            "eval/invalid-for",
            "Invalid for condition",
            `The if condition must be a bool: ${conversionMessage(cb.error)}`,
            e.cond.range,
            { context: e.range },
          );
          return Value.UNKNOWN;
        }
        if (!cb.value.isKnown) {
          unknown = true;
          continue;
        }
        if (!cb.value.unmark().asBool()) continue;
      }
      if (e.type === "ForTuple") {
        items.push(this.eval(e.value, inner));
        continue;
      }
      const kv = this.eval(e.key, inner);
      const val = this.eval(e.value, inner);
      if (kv.isNull) {
        this.fail("eval/invalid-for", "Invalid object key", "The key of a for expression is null.", e.key.range, {
          context: e.range,
        });
        return Value.UNKNOWN;
      }
      const ks = convert(kv, T.string);
      if (ks.error) {
        this.fail(
          "eval/invalid-for",
          "Invalid object key",
          `The key of a for expression must be a string: ${conversionMessage(ks.error)}`,
          e.key.range,
          { context: e.range },
        );
        return Value.UNKNOWN;
      }
      if (!ks.value.isKnown) {
        unknown = true;
        continue;
      }
      const key = ks.value.unmark().asString();
      if (keyRanges.has(key) && !e.grouping) {
        this.fail(
          "eval/duplicate-object-key",
          "Duplicate object key",
          `Two elements produce the key "${key}". Add "..." after the value expression to group values with the same key into a list.`,
          e.key.range,
          { context: e.range },
        );
        return Value.UNKNOWN;
      }
      keyRanges.set(key, true);
      const list = entries.get(key) ?? [];
      list.push(val);
      entries.set(key, list);
    }
    if (unknown) return Value.UNKNOWN.mark(sensitive);
    if (e.type === "ForTuple") return Value.tuple(items).mark(sensitive);
    const out = new Map<string, Value>();
    for (const [k, vs] of entries) out.set(k, e.grouping ? Value.tuple(vs) : defined(vs[0], "the value of a key"));
    return Value.object(out).mark(sensitive);
  }

  private call(e: FunctionCall, scope: Scope): Value {
    if (e.name === "can" || e.name === "try") return this.tryOrCan(e, scope);
    const fns = this.ctx.functions ?? BUILTIN_FUNCTIONS;
    const spec = fns[e.name];
    if (!spec) {
      return this.fail(
        "eval/unknown-function",
        "Call to unknown function",
        `There is no function named "${e.name}".`,
        e.nameRange,
        {
          context: e.range,
          hint: didYouMeanHint(
            e.name,
            this.ctx.functions ? [...Object.keys(this.ctx.functions), "can", "try"] : functionNames(),
          ),
        },
      );
    }
    const args: Value[] = [];
    const argRanges: Range[] = [];
    const diagnosticsBefore = this.diagnostics.length;
    e.args.forEach((a, i) => {
      const v = this.eval(a, scope);
      if (e.expandFinal && i === e.args.length - 1) {
        if (!v.isKnown) {
          args.push(Value.UNKNOWN);
          argRanges.push(a.range);
          return;
        }
        if (v.isNull || !v.isSequence) {
          this.fail(
            "eval/function-argument",
            "Invalid expanding argument value",
            `The expanding argument (marked with "...") must be a list or tuple, not ${v.isNull ? "null" : typeFriendly(v.type)}.`,
            a.range,
            { context: e.range },
          );
          args.push(Value.UNKNOWN);
          argRanges.push(a.range);
          return;
        }
        for (const el of v.elements()) {
          args.push(el.mark(v.sensitive));
          argRanges.push(a.range);
        }
        return;
      }
      args.push(v);
      argRanges.push(a.range);
    });
    // An argument already failed; don't pile a type error on top of it.
    if (this.diagnostics.length > diagnosticsBefore) return Value.UNKNOWN;
    const r = callFunction(e.name, spec, args, this.ctx.functionContext ?? NO_FILES);
    if (r.error) {
      const range =
        r.error.argIndex !== undefined
          ? (argRanges[r.error.argIndex] ?? e.closeParenRange)
          : joinRanges(e.nameRange, e.closeParenRange);
      const code =
        r.error.summary === "Invalid function argument"
          ? "eval/function-argument"
          : r.error.summary.includes("arguments")
            ? "eval/function-arity"
            : "eval/function-error";
      this.fail(code, r.error.summary, r.error.detail, range, { context: e.range });
      return Value.UNKNOWN;
    }
    return r.value;
  }

  private tryOrCan(e: FunctionCall, scope: Scope): Value {
    if (e.expandFinal)
      return this.fail(
        "eval/function-argument",
        "Invalid expanding argument",
        `"${e.name}" does not accept an expanding argument ("...").`,
        e.range,
      );
    if (e.name === "can" && e.args.length !== 1) {
      return this.fail(
        "eval/function-arity",
        e.args.length === 0 ? "Not enough function arguments" : "Too many function arguments",
        'Function "can" expects exactly 1 argument: the expression to test.',
        e.args.length === 0 ? e.closeParenRange : defined(e.args[1], "the second argument").range,
        { context: e.range },
      );
    }
    if (e.args.length === 0)
      return this.fail(
        "eval/function-arity",
        "Not enough function arguments",
        'Function "try" expects at least one argument.',
        e.closeParenRange,
        { context: e.range },
      );
    const failures: Diagnostic[] = [];
    for (const a of e.args) {
      const sub = new Evaluator(this.ctx);
      const v = sub.eval(a, scope);
      if (sub.diagnostics.length === 0) {
        if (!v.isWhollyKnown())
          return e.name === "can"
            ? Value.unknown(T.bool).mark(v.containsSensitive())
            : Value.UNKNOWN.mark(v.containsSensitive());
        return e.name === "can" ? Value.TRUE : v;
      }
      failures.push(...sub.diagnostics);
    }
    if (e.name === "can") return Value.FALSE;
    const first = defined(failures[0], "the first failure (every argument failed)");
    return this.fail(
      "eval/function-error",
      "Error in function call",
      `No expression given to "try" produced a result. The first one failed with: ${first.summary}: ${first.detail ?? ""}`.trim(),
      joinRanges(e.nameRange, e.closeParenRange),
      { context: e.range },
    );
  }
}

/** A plain JS-like description of a type for messages that list accepted types. */
export function describeType(t: Type): string {
  return typeFriendly(t);
}
