/** Collection and conversion functions: length, concat, merge, lookup, keys, flatten, range, to*(). */
import { defined } from "../../diag/index.js";
import { convert, conversionMessage, unifyTypes } from "../convert.js";
import { T, typeFriendly, type Type } from "../types.js";
import { Value, rawEquals } from "../value.js";
import { builtin, FunctionError, type FunctionSpec } from "./framework.js";
import { graphemes } from "./strings.js";

const anyArg = (name: string, extra: Partial<{ allowNull: boolean }> = {}) => ({
  name,
  type: T.dynamic,
  allowPartiallyUnknown: true,
  keepsElementMarks: true,
  ...extra,
});

/** Builds a list if the element types unify, otherwise a tuple. */
function listOrTuple(els: readonly Value[]): Value {
  if (els.length === 0) return Value.list([], T.dynamic);
  const u = unifyTypes(els.map((e) => e.type));
  if (!u) return Value.tuple(els);
  return Value.list(
    els.map((e) => convert(e, u).value ?? e),
    u,
  );
}

function mapOrObject(entries: ReadonlyMap<string, Value>, preferMap: boolean): Value {
  if (preferMap) {
    const u = unifyTypes([...entries.values()].map((e) => e.type));
    if (u) return Value.map(new Map([...entries].map(([k, e]) => [k, convert(e, u).value ?? e])), u);
  }
  return Value.object(entries);
}

function requireSequence(v: Value, argIndex: number, what = "a list, set or tuple"): readonly Value[] {
  if (!v.isSequence) throw new FunctionError(`${what} is required, not ${typeFriendly(v.type)}.`, argIndex);
  return v.elements();
}

function requireMapping(v: Value, argIndex: number): ReadonlyMap<string, Value> {
  if (!v.isMapping) throw new FunctionError(`a map or object is required, not ${typeFriendly(v.type)}.`, argIndex);
  return v.entries();
}

function anyUnknown(els: Iterable<Value>): boolean {
  for (const e of els) if (!e.isWhollyKnown()) return true;
  return false;
}

function convertOrFail(v: Value, t: Type, argIndex: number): Value {
  const c = convert(v, t);
  if (c.error)
    throw new FunctionError(
      `cannot convert ${typeFriendly(v.type)} to ${typeFriendly(t)}: ${conversionMessage(c.error)}`,
      argIndex,
    );
  return c.value;
}

const conversionFn = (description: string, t: Type) =>
  builtin({
    description,
    params: [{ name: "v", type: T.dynamic, allowNull: true, allowPartiallyUnknown: true, keepsElementMarks: true }],
    returns: t,
    impl: ([v]) => {
      if (v.isNull) return Value.null(t);
      if (t.kind !== "string" && t.kind !== "number" && v.isMapping && (t.kind === "list" || t.kind === "set")) {
        throw new FunctionError(`cannot convert ${typeFriendly(v.type)} to ${typeFriendly(t)}.`, 0);
      }
      return convertOrFail(v, t, 0);
    },
  });

/** Appends the values inside `v` that are not lists to `out`, depth first; false when one is unknown. */
function flattenInto(v: Value, out: Value[]): boolean {
  if (!v.isKnown) return false;
  if (!v.isSequence || v.isNull) {
    out.push(v);
    return true;
  }
  let known = true;
  for (const e of v.elements()) known = flattenInto(e.unmark(), out) && known;
  return known;
}

export const collectionFunctions: Record<string, FunctionSpec> = {
  length: builtin({
    description: "The number of elements in a collection, or of characters in a string.",
    params: [anyArg("value")],
    returns: T.number,
    impl: ([v]) => {
      if (v.type.kind === "string") return Value.number(graphemes(v.asString()).length);
      if (v.isSequence) return Value.number(v.elements().length);
      if (v.isMapping) return Value.number(v.entries().size);
      throw new FunctionError(`a collection or string is required, not ${typeFriendly(v.type)}.`, 0);
    },
  }),
  concat: builtin({
    description: "Joins lists into one list.",
    params: [],
    variadic: anyArg("seqs"),
    returns: T.dynamic,
    impl: (args) => {
      if (args.length === 0) throw new FunctionError("at least one list is required.");
      const all: Value[] = [];
      args.forEach((a, i) => all.push(...requireSequence(a, i)));
      // As in Terraform: lists concatenate to a list; any tuple among them makes a tuple.
      return args.some((a) => a.type.kind === "tuple") ? Value.tuple(all) : listOrTuple(all);
    },
  }),
  merge: builtin({
    description: "Merges maps or objects; later arguments win.",
    params: [],
    variadic: anyArg("maps", { allowNull: true }),
    returns: T.dynamic,
    impl: (args) => {
      const out = new Map<string, Value>();
      let allMaps = true;
      args.forEach((a, i) => {
        if (a.isNull) return;
        if (a.type.kind !== "map") allMaps = false;
        for (const [k, v] of requireMapping(a, i)) out.set(k, v);
      });
      return mapOrObject(out, allMaps);
    },
  }),
  lookup: builtin({
    description: "The value of a key in a map, or a default when the key is absent.",
    params: [anyArg("inputMap"), { name: "key", type: T.string }],
    variadic: anyArg("default", { allowNull: true }),
    returns: T.dynamic,
    impl: (args) => {
      const m = requireMapping(args[0], 0);
      if (args.length > 3) throw new FunctionError("lookup takes at most three arguments.", 3);
      const key = args[1].asString();
      const hit = m.get(key);
      if (hit) return hit;
      const fallback = args[2];
      if (fallback !== undefined) return fallback;
      throw new FunctionError(`the map has no element for the key "${key}" and no default was given.`, 1);
    },
  }),
  contains: builtin({
    description: "Whether a list or set contains a value.",
    params: [anyArg("list"), anyArg("value", { allowNull: true })],
    returns: T.bool,
    impl: ([l, v]) => {
      const els = requireSequence(l, 0);
      if (!v.isWhollyKnown()) return Value.unknown(T.bool);
      let unknown = false;
      for (const e of els) {
        if (!e.isWhollyKnown()) {
          unknown = true;
          continue;
        }
        if (rawEquals(e.unmarkDeep().value, v.unmarkDeep().value)) return Value.TRUE;
        const c = convert(v, e.type);
        if (c.value && rawEquals(e.unmarkDeep().value, c.value.unmarkDeep().value)) return Value.TRUE;
      }
      return unknown ? Value.unknown(T.bool) : Value.FALSE;
    },
  }),
  keys: builtin({
    description: "The keys of a map or object, sorted.",
    params: [anyArg("inputMap")],
    returns: T.list(T.string),
    impl: ([m]) =>
      Value.list(
        [...requireMapping(m, 0).keys()].sort().map((k) => Value.string(k)),
        T.string,
      ),
  }),
  values: builtin({
    description: "The values of a map or object, in key order.",
    params: [anyArg("mapping")],
    returns: T.dynamic,
    impl: ([m]) => {
      const entries = requireMapping(m, 0);
      const els = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
      return m.type.kind === "map" ? Value.list(els, (m.type as { element: Type }).element) : Value.tuple(els);
    },
  }),
  flatten: builtin({
    description: "Replaces nested lists with their elements, recursively.",
    params: [anyArg("list")],
    returns: T.dynamic,
    impl: ([l]) => {
      const out: Value[] = [];
      let known = true;
      for (const e of requireSequence(l, 0)) {
        if (e.sensitive && e.isSequence)
          throw new FunctionError("cannot flatten a sensitive list; its elements would lose the mark.", 0);
        known = flattenInto(e, out) && known;
      }
      if (!known) return Value.unknown(T.dynamic);
      return listOrTuple(out);
    },
  }),
  distinct: builtin({
    description: "A list with duplicates removed, keeping the first occurrence.",
    params: [anyArg("list")],
    returns: (args) => (args[0] && args[0].type.kind === "list" ? args[0].type : T.dynamic),
    impl: ([l]) => {
      const els = requireSequence(l, 0, "a list");
      if (anyUnknown(els)) return Value.unknown(l.type.kind === "list" ? l.type : T.dynamic);
      const seen = new Set<string>();
      const out: Value[] = [];
      for (const e of els) {
        const k = e.key();
        if (!seen.has(k)) {
          seen.add(k);
          out.push(e);
        }
      }
      return l.type.kind === "list" ? Value.list(out, (l.type as { element: Type }).element) : listOrTuple(out);
    },
  }),
  coalesce: builtin({
    description: "The first argument that is not null and not an empty string.",
    params: [],
    variadic: { name: "vals", type: T.dynamic, allowNull: true },
    returns: T.dynamic,
    impl: (args) => {
      const u = unifyTypes(args.map((a) => a.type));
      if (!u) throw new FunctionError("all arguments must have the same type (or convert to one).");
      for (const a of args) {
        if (a.isNull) continue;
        const c = convert(a, u).value ?? a;
        if (c.type.kind === "string" && c.asString() === "") continue;
        return c;
      }
      throw new FunctionError("no non-null, non-empty-string arguments.");
    },
  }),
  range: builtin({
    description: "A list of numbers: range(limit), range(start, limit) or range(start, limit, step).",
    params: [],
    variadic: { name: "params", type: T.number },
    returns: T.list(T.number),
    impl: (args) => {
      const [first, second, third] = args.map((a) => a.asNumber());
      if (first === undefined || args.length > 3) throw new FunctionError("range takes one, two or three arguments.");
      const [start, limit, step] =
        second === undefined ? [0, first, 1] : [first, second, third ?? (first <= second ? 1 : -1)];
      if (step === 0) throw new FunctionError("step must not be zero.", 2);
      if ((step > 0 && start > limit) || (step < 0 && start < limit))
        throw new FunctionError(`step ${step} moves away from the limit.`, args.length === 3 ? 2 : 0);
      const out: Value[] = [];
      for (let x = start; step > 0 ? x < limit : x > limit; x += step) {
        if (out.length >= 1024) throw new FunctionError("more than 1024 values would be generated.");
        out.push(Value.number(x));
      }
      return Value.list(out, T.number);
    },
  }),
  zipmap: builtin({
    description: "A map built from a list of keys and a list of values.",
    params: [{ name: "keys", type: T.list(T.string) }, anyArg("values")],
    returns: T.dynamic,
    impl: ([k, v]) => {
      const keys = k.elements();
      const vals = requireSequence(v, 1, "a list or tuple");
      if (keys.length !== vals.length)
        throw new FunctionError(`there are ${keys.length} keys and ${vals.length} values; the counts must match.`, 1);
      const out = new Map<string, Value>();
      for (const [i, key] of keys.entries()) {
        if (key.isNull) throw new FunctionError(`key ${i} is null.`, 0);
        out.set(key.asString(), defined(vals[i], "the value paired with a key (the counts match)"));
      }
      return v.type.kind === "list" ? mapOrObject(out, true) : Value.object(out);
    },
  }),
  tolist: conversionFn("Converts to a list.", T.list(T.dynamic)),
  toset: conversionFn("Converts to a set.", T.set(T.dynamic)),
  tomap: conversionFn("Converts to a map.", T.map(T.dynamic)),
  tostring: conversionFn("Converts to a string.", T.string),
  tonumber: conversionFn("Converts to a number.", T.number),
  tobool: conversionFn("Converts to a bool.", T.bool),
};
