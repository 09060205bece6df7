/**
 * Type conversion, with HCL's (cty's) rules: numbers and bools convert to strings and back
 * where the text allows, collections and structures convert element by element, `any` takes
 * the type of the value (elements of `list(any)` are unified to one type), object constraints
 * fill in `optional(...)` attributes, and extra object attributes are dropped.
 */
import { defined } from "../diag/index.js";
import {
  T,
  hasDynamic,
  isPrimitive,
  typeEquals,
  typeFriendly,
  typeString,
  type ObjectType,
  type Type,
} from "./types.js";
import { Value, formatNumber } from "./value.js";

export type ConvertResult = { value: Value; error?: undefined } | { value?: undefined; error: ConversionError };

export interface ConversionError {
  /** Where inside the value the problem is, e.g. `.targets[0].key`; empty at the top. */
  path: string;
  message: string;
}

const NUMBER_SYNTAX = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** Parses a string as the language reads a number, or undefined when it is not one. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (!NUMBER_SYNTAX.test(t) && !/^-?\.[0-9]+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Converts `v` to type `want`; the error (if any) says where and why, in words. */
export function convert(v: Value, want: Type): ConvertResult {
  try {
    return { value: conv(v, want, "") };
  } catch (e) {
    if (e instanceof ConvError) return { error: { path: e.path, message: e.message } };
    throw e;
  }
}

/** A conversion error as one sentence, with its path: `attribute "key": a string is required.` */
export function conversionMessage(e: ConversionError): string {
  return e.path ? `${describePath(e.path)}: ${e.message}` : e.message;
}

function describePath(path: string): string {
  return `at ${path.startsWith(".") ? path.slice(1) : path}`;
}

class ConvError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function conv(v: Value, want: Type, path: string): Value {
  const marked = v.sensitive;
  const out = convUnmarked(v.unmark(), want, path);
  return out.mark(marked);
}

function convUnmarked(v: Value, want: Type, path: string): Value {
  if (want.kind === "dynamic") return v;
  if (v.isNull) return Value.null(want.kind === "object" && want.optional ? stripOptional(want) : want);
  if (!v.isKnown) {
    if (v.type.kind !== "dynamic" && !typeConvertible(v.type, want))
      throw new ConvError(path, `${typeFriendly(stripOptional(want))} is required, not ${typeFriendly(v.type)}.`);
    return Value.unknown(
      hasDynamic(want) ? (v.type.kind === "dynamic" ? T.dynamic : stripOptional(want)) : stripOptional(want),
    );
  }
  if (want.kind !== "object" && typeEquals(v.type, want)) return v;
  const required = () =>
    new ConvError(path, `${typeFriendly(stripOptional(want))} is required, not ${typeFriendly(v.type)}.`);
  switch (want.kind) {
    case "string": {
      if (v.type.kind === "number") return Value.string(formatNumber(v.asNumber()));
      if (v.type.kind === "bool") return Value.string(v.asBool() ? "true" : "false");
      throw required();
    }
    case "number": {
      if (v.type.kind === "string") {
        const n = parseNumber(v.asString());
        if (n === undefined) throw new ConvError(path, `a number is required; "${v.asString()}" is not a number.`);
        return Value.number(n);
      }
      throw required();
    }
    case "bool": {
      if (v.type.kind === "string") {
        const s = v.asString();
        if (s === "true") return Value.TRUE;
        if (s === "false") return Value.FALSE;
        throw new ConvError(path, `a bool is required; "${s}" is not true or false.`);
      }
      throw required();
    }
    case "list":
    case "set": {
      if (!v.isSequence) throw required();
      const els = v.elements().map((e, i) => conv(e, want.element, `${path}[${i}]`));
      const elType = hasDynamic(want.element) ? unifyOrThrow(els, path, want.kind) : want.element;
      const unified = els.map((e, i) => (hasDynamic(want.element) ? conv(e, elType, `${path}[${i}]`) : e));
      const resultType = stripOptional(elType);
      return want.kind === "list" ? Value.list(unified, resultType) : Value.set(unified, resultType);
    }
    case "map": {
      if (!v.isMapping) throw required();
      const entries = new Map<string, Value>();
      for (const [k, e] of v.entries()) entries.set(k, conv(e, want.element, `${path}[${JSON.stringify(k)}]`));
      let elType = want.element;
      if (hasDynamic(want.element)) {
        elType = unifyOrThrow([...entries.values()], path, "map");
        for (const [k, e] of entries) entries.set(k, conv(e, elType, `${path}[${JSON.stringify(k)}]`));
      }
      return Value.map(entries, stripOptional(elType));
    }
    case "tuple": {
      if (!v.isSequence || v.type.kind === "set") throw required();
      const els = v.elements();
      if (els.length !== want.elements.length)
        throw new ConvError(path, `a tuple of ${want.elements.length} elements is required, not ${els.length}.`);
      return Value.tuple(
        els.map((e, i) =>
          conv(e, defined(want.elements[i], "a tuple element's type (the lengths match)"), `${path}[${i}]`),
        ),
      );
    }
    case "object": {
      if (!v.isMapping) throw required();
      const src = v.entries();
      const out = new Map<string, Value>();
      for (const [name, t] of want.attributes) {
        const p = `${path}.${name}`;
        const have = src.get(name);
        if (want.optional?.has(name) && (have === undefined || have.isNull)) {
          const dflt = want.optional.get(name);
          out.set(name, dflt ? conv(dflt, t, p) : Value.null(stripOptional(t)));
          continue;
        }
        if (have === undefined) {
          throw new ConvError(path, `attribute "${name}" is required.`);
        }
        out.set(name, conv(have, t, p));
      }
      return Value.object(out);
    }
  }
}

function unifyOrThrow(els: readonly Value[], path: string, kind: string): Type {
  const t = unifyTypes(els.map((e) => e.type));
  if (!t)
    throw new ConvError(
      path,
      `all elements of a ${kind} must have the same type, and these can't be converted to one (${[...new Set(els.map((e) => typeString(e.type)))].join(", ")}).`,
    );
  return t;
}

/** Removes `optional` markers, giving the type a converted value actually has. */
export function stripOptional(t: Type): Type {
  switch (t.kind) {
    case "object":
      return T.object(new Map([...t.attributes].map(([k, a]) => [k, stripOptional(a)])));
    case "list":
    case "set":
    case "map":
      return { kind: t.kind, element: stripOptional(t.element) };
    case "tuple":
      return T.tuple(t.elements.map(stripOptional));
    default:
      return t;
  }
}

/** Whether some value of type `from` could convert to `to` (used for unknown values). */
export function typeConvertible(from: Type, to: Type): boolean {
  if (from.kind === "dynamic" || to.kind === "dynamic") return true;
  if (isPrimitive(from) && isPrimitive(to))
    return from.kind === to.kind || from.kind === "string" || to.kind === "string";
  switch (to.kind) {
    case "list":
    case "set":
      return from.kind === "list" || from.kind === "set"
        ? typeConvertible(from.element, to.element)
        : from.kind === "tuple"
          ? from.elements.every((e) => typeConvertible(e, to.element))
          : false;
    case "map":
      return from.kind === "map"
        ? typeConvertible(from.element, to.element)
        : from.kind === "object"
          ? [...from.attributes.values()].every((e) => typeConvertible(e, to.element))
          : false;
    case "tuple":
      return from.kind === "tuple"
        ? from.elements.length === to.elements.length &&
            from.elements.every((e, i) => {
              const element = to.elements[i];
              return element !== undefined && typeConvertible(e, element);
            })
        : from.kind === "list";
    case "object":
      if (from.kind === "map") return true;
      if (from.kind !== "object") return false;
      return [...to.attributes].every(([k, t]) => {
        const attribute = from.attributes.get(k);
        return attribute !== undefined ? typeConvertible(attribute, t) : to.optional?.has(k) === true;
      });
    default:
      return false;
  }
}

/**
 * The one type that all of `types` convert to, or undefined if there is none (cty's unify):
 * equal types stay; strings absorb numbers and bools; objects with the same attributes unify
 * attribute-wise, otherwise become a map; tuples of one length unify position-wise, otherwise
 * become a list.
 */
export function unifyTypes(types: readonly Type[]): Type | undefined {
  const real = types.filter((t) => t.kind !== "dynamic");
  const [first] = real;
  if (first === undefined) return T.dynamic;
  if (real.every((t) => typeEquals(t, first))) return first;
  if (real.every(isPrimitive)) {
    const kinds = new Set(real.map((t) => t.kind));
    if (kinds.has("string")) return T.string;
    return undefined;
  }
  if (real.every((t) => t.kind === "object" || t.kind === "map")) {
    const objs = real.filter((t): t is ObjectType => t.kind === "object");
    const [firstObject] = objs;
    if (firstObject !== undefined && objs.length === real.length) {
      const names = [...firstObject.attributes.keys()].sort().join("\0");
      if (objs.every((o) => [...o.attributes.keys()].sort().join("\0") === names)) {
        const attrs = new Map<string, Type>();
        for (const k of firstObject.attributes.keys()) {
          const u = unifyTypes(objs.map((o) => defined(o.attributes.get(k), "an attribute every object has")));
          if (!u) return undefined;
          attrs.set(k, u);
        }
        return T.object(attrs);
      }
    }
    const all: Type[] = [];
    for (const t of real) {
      if (t.kind === "object") all.push(...t.attributes.values());
      else all.push(t.element);
    }
    const u = unifyTypes(all);
    return u ? T.map(u) : undefined;
  }
  if (real.every((t) => t.kind === "tuple" || t.kind === "list")) {
    const tuples = real.filter((t): t is Extract<Type, { kind: "tuple" }> => t.kind === "tuple");
    const [firstTuple] = tuples;
    if (
      firstTuple !== undefined &&
      tuples.length === real.length &&
      tuples.every((t) => t.elements.length === firstTuple.elements.length)
    ) {
      const els: Type[] = [];
      for (const i of firstTuple.elements.keys()) {
        const u = unifyTypes(tuples.map((t) => defined(t.elements[i], "an element every tuple has")));
        if (!u) return undefined;
        els.push(u);
      }
      return T.tuple(els);
    }
    const all: Type[] = [];
    for (const t of real) {
      if (t.kind === "tuple") all.push(...t.elements);
      else all.push(t.element);
    }
    const u = unifyTypes(all);
    return u ? T.list(u) : undefined;
  }
  if (real.every((t) => t.kind === "set")) {
    const u = unifyTypes(real.map((t) => (t as { element: Type }).element));
    return u ? T.set(u) : undefined;
  }
  return undefined;
}

/** The steps of a conversion error's path: `.targets[0].values` → ["targets", 0, "values"]. */
export function conversionPathSteps(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\.([^.[]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}
