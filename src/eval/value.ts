/**
 * Values of the language. A value has a type and is either known (with its content), unknown
 * ("known after apply"), or null. Any value may carry the `sensitive` mark, which operations
 * pass on to their results so secrets stay marked all the way to output.
 *
 * Collections hold `Value`s, so an element can be unknown or sensitive on its own while the
 * collection itself is known.
 */
import { InvariantError } from "../diag/index.js";
import { T, typeEquals, type Type } from "./types.js";

export type Raw = null | string | number | boolean | readonly Value[] | ReadonlyMap<string, Value>;

/**
 * One null and one unknown value per type object: values are immutable, and every argument a
 * resource leaves out, and every computed attribute, is one of these (about twenty per
 * association, kept as long as the evaluation).
 */
const NULLS = new WeakMap<Type, Value>();
const UNKNOWNS = new WeakMap<Type, Value>();

export class Value {
  private constructor(
    readonly type: Type,
    /** `undefined` means unknown. */
    readonly raw: Raw | undefined,
    readonly sensitive: boolean,
  ) {}

  static readonly NULL = new Value(T.dynamic, null, false);
  static readonly TRUE = new Value(T.bool, true, false);
  static readonly FALSE = new Value(T.bool, false, false);
  static readonly UNKNOWN = new Value(T.dynamic, undefined, false);

  static string(s: string): Value {
    return new Value(T.string, s.normalize("NFC"), false);
  }
  static number(n: number): Value {
    return new Value(T.number, n, false);
  }
  static bool(b: boolean): Value {
    return b ? Value.TRUE : Value.FALSE;
  }
  static null(type: Type = T.dynamic): Value {
    if (type.kind === "dynamic") return Value.NULL;
    let v = NULLS.get(type);
    if (!v) NULLS.set(type, (v = new Value(type, null, false)));
    return v;
  }
  static unknown(type: Type = T.dynamic): Value {
    if (type.kind === "dynamic") return Value.UNKNOWN;
    let v = UNKNOWNS.get(type);
    if (!v) UNKNOWNS.set(type, (v = new Value(type, undefined, false)));
    return v;
  }
  /** A list whose elements all have type `element` (callers convert first). */
  static list(elements: readonly Value[], element?: Type): Value {
    return new Value(T.list(element ?? elements[0]?.type ?? T.dynamic), elements, false);
  }
  /** A set: duplicates are removed and elements kept in a canonical order. */
  static set(elements: readonly Value[], element?: Type): Value {
    const unique: Value[] = [];
    const seen = new Set<string>();
    for (const e of elements) {
      if (!e.isWhollyKnown()) {
        unique.push(e);
        continue;
      }
      const k = e.key();
      if (!seen.has(k)) {
        seen.add(k);
        unique.push(e);
      }
    }
    unique.sort(compareForSet);
    return new Value(T.set(element ?? elements[0]?.type ?? T.dynamic), unique, false);
  }
  static map(entries: ReadonlyMap<string, Value> | Record<string, Value>, element?: Type): Value {
    const m = isMap(entries) ? sortedMap(entries) : sortedRecord(entries);
    return new Value(T.map(element ?? m.values().next().value?.type ?? T.dynamic), m, false);
  }
  static tuple(elements: readonly Value[]): Value {
    return new Value(T.tuple(elements.map((e) => e.type)), elements, false);
  }
  static object(attrs: ReadonlyMap<string, Value> | Record<string, Value>): Value {
    const m = isMap(attrs) ? sortedMap(attrs) : sortedRecord(attrs);
    return new Value(T.objectOf(m), m, false);
  }
  /** Escape hatch for conversion code that has already checked the shape. */
  static of(type: Type, raw: Raw | undefined, sensitive = false): Value {
    return new Value(type, raw, sensitive);
  }

  get isKnown(): boolean {
    return this.raw !== undefined;
  }
  get isNull(): boolean {
    return this.raw === null;
  }
  /** Known all the way down (no unknown element anywhere). */
  isWhollyKnown(): boolean {
    const raw = this.raw;
    if (raw === undefined) return false;
    if (Array.isArray(raw)) return (raw as Value[]).every((v) => v.isWhollyKnown());
    // instanceof narrows a ReadonlyMap to Map<any, any>; Raw says what it holds.
    if (raw instanceof Map)
      for (const v of (raw as ReadonlyMap<string, Value>).values()) if (!v.isWhollyKnown()) return false;
    return true;
  }
  /** Sensitive here or in any element. */
  containsSensitive(): boolean {
    if (this.sensitive) return true;
    const raw = this.raw;
    if (Array.isArray(raw)) return (raw as Value[]).some((v) => v.containsSensitive());
    if (raw instanceof Map)
      for (const v of (raw as ReadonlyMap<string, Value>).values()) if (v.containsSensitive()) return true;
    return false;
  }

  mark(sensitive = true): Value {
    if (!sensitive || this.sensitive) return this;
    return new Value(this.type, this.raw, true);
  }
  unmark(): Value {
    return this.sensitive ? new Value(this.type, this.raw, false) : this;
  }
  /** Removes the sensitive mark here and in every element; returns whether any was found. */
  unmarkDeep(): { value: Value; sensitive: boolean } {
    if (!this.containsSensitive()) return { value: this, sensitive: false };
    let raw = this.raw;
    if (Array.isArray(raw)) raw = (raw as Value[]).map((v) => v.unmarkDeep().value);
    else if (raw instanceof Map)
      raw = new Map([...(raw as ReadonlyMap<string, Value>)].map(([k, v]) => [k, v.unmarkDeep().value]));
    return { value: new Value(this.type, raw, false), sensitive: true };
  }

  asString(): string {
    if (typeof this.raw !== "string") throw new Error(`internal: expected a known string, got ${this.type.kind}`);
    return this.raw;
  }
  asNumber(): number {
    if (typeof this.raw !== "number") throw new Error(`internal: expected a known number, got ${this.type.kind}`);
    return this.raw;
  }
  asBool(): boolean {
    if (typeof this.raw !== "boolean") throw new Error(`internal: expected a known bool, got ${this.type.kind}`);
    return this.raw;
  }
  /** Elements of a known list, set or tuple. */
  elements(): readonly Value[] {
    if (!Array.isArray(this.raw)) throw new Error(`internal: expected a known sequence, got ${this.type.kind}`);
    return this.raw as readonly Value[];
  }
  /** Entries of a known map or object, in key order. */
  entries(): ReadonlyMap<string, Value> {
    if (!(this.raw instanceof Map)) throw new Error(`internal: expected a known map or object, got ${this.type.kind}`);
    return this.raw;
  }
  get isSequence(): boolean {
    return this.type.kind === "list" || this.type.kind === "set" || this.type.kind === "tuple";
  }
  get isMapping(): boolean {
    return this.type.kind === "map" || this.type.kind === "object";
  }

  /** A canonical text for known values, used for set membership and equality. Marks are ignored. */
  key(): string {
    return canonicalKey(this);
  }
}

function canonicalKey(v: Value): string {
  const r = v.raw;
  if (r === undefined) return "?";
  if (r === null) return "null";
  if (typeof r === "string") return JSON.stringify(r);
  if (typeof r === "number") return `n${r}`;
  if (typeof r === "boolean") return r ? "true" : "false";
  if (Array.isArray(r)) return `[${(r as Value[]).map(canonicalKey).join(",")}]`;
  return `{${[...(r as ReadonlyMap<string, Value>)].map(([k, e]) => `${JSON.stringify(k)}:${canonicalKey(e)}`).join(",")}}`;
}

function sortedMap(m: ReadonlyMap<string, Value>): ReadonlyMap<string, Value> {
  let previous: string | undefined;
  let sorted = true;
  for (const k of m.keys()) {
    if (previous !== undefined && !(previous < k)) {
      sorted = false;
      break;
    }
    previous = k;
  }
  if (sorted) return m;
  // The keys sorted, then looked up: no [key, value] pair is allocated per entry.
  const out = new Map<string, Value>();
  for (const k of [...m.keys()].sort(compareKeys)) out.set(k, m.get(k) as Value);
  return out;
}

function isMap(x: ReadonlyMap<string, Value> | Record<string, Value>): x is ReadonlyMap<string, Value> {
  return x instanceof Map;
}

function sortedRecord(r: Record<string, Value>): ReadonlyMap<string, Value> {
  const out = new Map<string, Value>();
  for (const k of Object.keys(r).sort(compareKeys)) out.set(k, r[k] as Value);
  return out;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareForSet(a: Value, b: Value): number {
  const ra = a.raw;
  const rb = b.raw;
  if (typeof ra === "number" && typeof rb === "number") return ra - rb;
  if (typeof ra === "string" && typeof rb === "string") return ra < rb ? -1 : ra > rb ? 1 : 0;
  if (ra === undefined || rb === undefined) return ra === rb ? 0 : ra === undefined ? 1 : -1;
  const ka = canonicalKey(a);
  const kb = canonicalKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Exact equality of two known values: same type and same content (number 1 and string "1"
 * are different). Marks are ignored; callers carry them.
 */
export function rawEquals(a: Value, b: Value): boolean {
  if (a.isNull || b.isNull) return a.isNull && b.isNull;
  if (!typeEquals(a.type, b.type)) return false;
  return canonicalKey(a) === canonicalKey(b);
}

/**
 * Whether two values are identical: type, content, unknowns and sensitive marks alike (what an
 * earlier evaluation's result may be reused for). Unlike rawEquals, marks count and unknowns compare.
 */
export function identicalValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.sensitive !== b.sensitive || !typeEquals(a.type, b.type)) return false;
  const x = a.raw;
  const y = b.raw;
  if (x === y) return true;
  if (x === undefined || y === undefined || x === null || y === null) return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    return (x as readonly Value[]).every((e, i) => identicalValue(e, (y as readonly Value[])[i] as Value));
  }
  if (x instanceof Map && y instanceof Map) {
    if (x.size !== y.size) return false;
    for (const [k, e] of x as ReadonlyMap<string, Value>) {
      const f = (y as ReadonlyMap<string, Value>).get(k);
      if (f === undefined || !identicalValue(e, f)) return false;
    }
    return true;
  }
  return false;
}

/** Formats a number the way the language prints it: integers without exponent, no trailing zeros. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toString();
  if (Number.isInteger(n)) return BigInt(n).toString();
  const s = n.toString();
  if (!s.includes("e")) return s;
  // Small fractions: spell out without exponent, trimming noise.
  return n.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}

/** Wraps a plain JS value (from JSON/YAML or tests) as a language value. */
export function fromNative(x: unknown): Value {
  if (x === null || x === undefined) return Value.NULL;
  if (typeof x === "string") return Value.string(x);
  if (typeof x === "number") return Value.number(x);
  if (typeof x === "bigint") return Value.number(Number(x));
  if (typeof x === "boolean") return Value.bool(x);
  if (x instanceof Value) return x;
  if (Array.isArray(x)) return Value.tuple(x.map(fromNative));
  if (x instanceof Date) return Value.string(x.toISOString());
  if (x instanceof Map) return Value.object(new Map([...x].map(([k, v]) => [String(k), fromNative(v)])));
  if (typeof x === "object")
    return Value.object(new Map(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, fromNative(v)])));
  // Only symbols and functions are left; JSON and YAML produce neither.
  if (typeof x === "symbol" || typeof x === "function") return Value.string(x.toString());
  throw new InvariantError(`fromNative cannot wrap a ${typeof x}`);
}

/** What `toNative` puts where a value is unknown. */
export const UNKNOWN_MARKER: unique symbol = Symbol("unknown");

/**
 * Converts a value to plain JS (for JSON/YAML encoding, state, and the planner). Unknown
 * values become `opts.unknown` (default: the UNKNOWN_MARKER symbol); sensitive values are
 * returned as they are unless `opts.redact` replaces them.
 */
export function toNative(v: Value, opts: { unknown?: unknown; redact?: unknown } = {}): unknown {
  if (v.sensitive && "redact" in opts) return opts.redact;
  const r = v.raw;
  if (r === undefined) return "unknown" in opts ? opts.unknown : UNKNOWN_MARKER;
  if (r === null || typeof r !== "object") return r;
  if (Array.isArray(r)) return (r as Value[]).map((e) => toNative(e, opts));
  const o: Record<string, unknown> = {};
  // forEach, not for-of over entries: no [key, value] pair per entry (the SSM checks of 50,000 associations).
  (r as ReadonlyMap<string, Value>).forEach((e, k) => {
    // A key named "__proto__" must become an own property, not the object's prototype.
    if (k === "__proto__")
      Object.defineProperty(o, k, { value: toNative(e, opts), enumerable: true, writable: true, configurable: true });
    else o[k] = toNative(e, opts);
  });
  // A copy has V8's compact layout where many keys made the object a hash table (see graph/model.ts withFastProperties).
  return (r as ReadonlyMap<string, Value>).size > 8 ? { ...o } : o;
}

/**
 * Renders a value for people, in the language's own syntax: `"text"`, `42`, `["a", "b"]`,
 * `{ key = "v" }`; `(known after apply)` for unknown and `(sensitive)` for marked values.
 */
export function formatValue(v: Value, indent = ""): string {
  if (v.sensitive) return "(sensitive)";
  const r = v.raw;
  if (r === undefined) return "(known after apply)";
  if (r === null) return "null";
  if (typeof r === "string") return quoteString(r);
  if (typeof r === "number") return formatNumber(r);
  if (typeof r === "boolean") return String(r);
  const inner = indent + "  ";
  if (Array.isArray(r)) {
    const els = r as Value[];
    if (els.length === 0) return "[]";
    return `[\n${els.map((e) => `${inner}${formatValue(e, inner)},`).join("\n")}\n${indent}]`;
  }
  const m = r as ReadonlyMap<string, Value>;
  if (m.size === 0) return "{}";
  const width = Math.max(...[...m.keys()].map((k) => formatKey(k).length));
  return `{\n${[...m].map(([k, e]) => `${inner}${formatKey(k).padEnd(width)} = ${formatValue(e, inner)}`).join("\n")}\n${indent}}`;
}

function formatKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : quoteString(k);
}

/** A string literal in the language's syntax (JSON escapes, with `${` and `%{` escaped). */
export function quoteString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}
