/**
 * Further functions users know from Terraform, beyond issue 4's list: numbers, more string and
 * collection helpers, set algebra, hashes. All pure (no time, randomness or I/O).
 */
import { defined } from "../../diag/index.js";
import { convert, unifyTypes } from "../convert.js";
import { T, typeFriendly, type Type } from "../types.js";
import { Value, rawEquals } from "../value.js";
import { builtin, FunctionError, type FunctionSpec, type Param } from "./framework.js";
import { graphemes } from "./strings.js";
import { createHash } from "./encoding.js";

const num = (name: string): Param => ({ name, type: T.number });
const str = (name: string): Param => ({ name, type: T.string });
const seq = (name: string): Param => ({ name, type: T.dynamic, allowPartiallyUnknown: true, keepsElementMarks: true });

function sequence(v: Value, argIndex: number): readonly Value[] {
  if (!v.isSequence)
    throw new FunctionError(`a list, set or tuple is required, not ${typeFriendly(v.type)}.`, argIndex);
  return v.elements();
}

function listLike(els: readonly Value[], like: Value): Value {
  if (like.type.kind === "list") return Value.list(els, (like.type as { element: Type }).element);
  if (els.length === 0) return Value.list([], T.dynamic);
  const u = unifyTypes(els.map((e) => e.type));
  return u
    ? Value.list(
        els.map((e) => convert(e, u).value ?? e),
        u,
      )
    : Value.tuple(els);
}

function requireKnown(els: readonly Value[]): boolean {
  return els.every((e) => e.isWhollyKnown());
}

const numFn = (description: string, f: (n: number) => number) =>
  builtin({
    description,
    params: [num("num")],
    returns: T.number,
    impl: ([n]) => Value.number(f(n.asNumber())),
  });

const hashFn = (algorithm: string, description: string) =>
  builtin({
    description,
    params: [str("str")],
    returns: T.string,
    impl: ([s]) => Value.string(createHash(algorithm).update(s.asString(), "utf8").digest("hex")),
  });

function setOf(args: readonly Value[], op: (sets: Map<string, Value>[]) => Map<string, Value>): Value {
  const sets = args.map((a, i) => {
    const m = new Map<string, Value>();
    for (const e of sequence(a, i)) m.set(e.key(), e);
    return m;
  });
  const out = [...op(sets).values()];
  const u = unifyTypes(
    args
      .map((a) => (a.type.kind === "set" || a.type.kind === "list" ? a.type.element : T.dynamic))
      .concat(out.map((e) => e.type)),
  );
  return Value.set(
    out.map((e) => (u ? (convert(e, u).value ?? e) : e)),
    u ?? T.dynamic,
  );
}

export const extraFunctions: Record<string, FunctionSpec> = {
  abs: numFn("The absolute value.", Math.abs),
  ceil: numFn("The smallest whole number not less than the number.", Math.ceil),
  floor: numFn("The largest whole number not greater than the number.", Math.floor),
  signum: numFn("-1, 0 or 1 by the sign of the number.", (n) => Math.sign(n) || 0),
  min: builtin({
    description: "The smallest of the numbers.",
    params: [],
    variadic: num("numbers"),
    returns: T.number,
    impl: (args) => {
      if (args.length === 0) throw new FunctionError("at least one number is required.");
      return Value.number(Math.min(...args.map((a) => a.asNumber())));
    },
  }),
  max: builtin({
    description: "The largest of the numbers.",
    params: [],
    variadic: num("numbers"),
    returns: T.number,
    impl: (args) => {
      if (args.length === 0) throw new FunctionError("at least one number is required.");
      return Value.number(Math.max(...args.map((a) => a.asNumber())));
    },
  }),
  sum: builtin({
    description: "The sum of a list of numbers.",
    params: [{ name: "list", type: T.list(T.number) }],
    returns: T.number,
    impl: ([l]) => {
      const els = l.elements();
      if (els.length === 0) throw new FunctionError("the list is empty; sum needs at least one number.", 0);
      return Value.number(els.reduce((acc, e) => acc + e.asNumber(), 0));
    },
  }),
  startswith: builtin({
    description: "Whether a string starts with a prefix.",
    params: [str("str"), str("prefix")],
    returns: T.bool,
    impl: ([s, p]) => Value.bool(s.asString().startsWith(p.asString())),
  }),
  endswith: builtin({
    description: "Whether a string ends with a suffix.",
    params: [str("str"), str("suffix")],
    returns: T.bool,
    impl: ([s, p]) => Value.bool(s.asString().endsWith(p.asString())),
  }),
  strcontains: builtin({
    description: "Whether a string contains a substring.",
    params: [str("str"), str("substr")],
    returns: T.bool,
    impl: ([s, p]) => Value.bool(s.asString().includes(p.asString())),
  }),
  chomp: builtin({
    description: "Removes line breaks at the end of a string.",
    params: [str("str")],
    returns: T.string,
    impl: ([s]) => Value.string(s.asString().replace(/(\r\n|\r|\n)+$/, "")),
  }),
  trim: builtin({
    description: "Removes the given characters from both ends of a string.",
    params: [str("str"), str("cutset")],
    returns: T.string,
    impl: ([s, c]) => {
      const cut = new Set(graphemes(c.asString()));
      const chars = graphemes(s.asString());
      const start = chars.findIndex((ch) => !cut.has(ch));
      if (start === -1) return Value.string("");
      const end = chars.findLastIndex((ch) => !cut.has(ch)) + 1;
      return Value.string(chars.slice(start, end).join(""));
    },
  }),
  title: builtin({
    description: "Capitalises the first letter of each word.",
    params: [str("str")],
    returns: T.string,
    impl: ([s]) =>
      Value.string(
        s.asString().replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, pre: string, ch: string) => pre + ch.toUpperCase()),
      ),
  }),
  strrev: builtin({
    description: "Reverses the characters of a string.",
    params: [str("str")],
    returns: T.string,
    impl: ([s]) => Value.string(graphemes(s.asString()).reverse().join("")),
  }),
  indent: builtin({
    description: "Indents every line but the first by a number of spaces.",
    params: [num("spaces"), str("str")],
    returns: T.string,
    impl: ([n, s]) => {
      const k = n.asNumber();
      if (!Number.isInteger(k) || k < 0) throw new FunctionError("must be a whole number of zero or more.", 0);
      return Value.string(s.asString().replace(/\n(?!$)/g, "\n" + " ".repeat(k)));
    },
  }),
  alltrue: builtin({
    description: "Whether every element of a list of bools is true.",
    params: [{ name: "list", type: T.list(T.bool) }],
    returns: T.bool,
    impl: ([l]) => allTrue(l.elements()),
  }),
  anytrue: builtin({
    description: "Whether any element of a list of bools is true.",
    params: [{ name: "list", type: T.list(T.bool) }],
    returns: T.bool,
    impl: ([l]) => anyTrue(l.elements()),
  }),
  compact: builtin({
    description: "A list of strings without null and empty elements.",
    params: [{ name: "list", type: T.list(T.string) }],
    returns: T.list(T.string),
    impl: ([l]) =>
      Value.list(
        l.elements().filter((e) => !e.isNull && e.asString() !== ""),
        T.string,
      ),
  }),
  sort: builtin({
    description: "A list of strings in lexical order.",
    params: [{ name: "list", type: T.list(T.string) }],
    returns: T.list(T.string),
    impl: ([l]) => {
      const els = l.elements();
      if (els.some((e) => e.isNull)) throw new FunctionError("cannot sort a list that contains null.", 0);
      return Value.list(
        [...els].sort((a, b) => (a.asString() < b.asString() ? -1 : a.asString() > b.asString() ? 1 : 0)),
        T.string,
      );
    },
  }),
  reverse: builtin({
    description: "A sequence in reverse order.",
    params: [seq("list")],
    returns: T.dynamic,
    impl: ([l]) =>
      l.type.kind === "tuple" ? Value.tuple([...sequence(l, 0)].reverse()) : listLike([...sequence(l, 0)].reverse(), l),
  }),
  slice: builtin({
    description: "Elements from start (inclusive) to end (exclusive).",
    params: [seq("list"), num("start_index"), num("end_index")],
    returns: T.dynamic,
    impl: ([l, a, b]) => {
      const els = sequence(l, 0);
      if (l.type.kind === "set") throw new FunctionError("a set has no order; convert it with tolist() first.", 0);
      const s = a.asNumber();
      const e = b.asNumber();
      if (!Number.isInteger(s) || s < 0 || s > els.length)
        throw new FunctionError(`must be a whole number from 0 to ${els.length}.`, 1);
      if (!Number.isInteger(e) || e < s || e > els.length)
        throw new FunctionError(`must be a whole number from ${s} to ${els.length}.`, 2);
      return l.type.kind === "tuple" ? Value.tuple(els.slice(s, e)) : listLike(els.slice(s, e), l);
    },
  }),
  element: builtin({
    description: "The element at an index, wrapping around past the end.",
    params: [seq("list"), num("index")],
    returns: T.dynamic,
    impl: ([l, i]) => {
      const els = sequence(l, 0);
      if (l.type.kind === "set") throw new FunctionError("a set has no order; convert it with tolist() first.", 0);
      if (els.length === 0) throw new FunctionError("cannot take an element of an empty list.", 0);
      const k = i.asNumber();
      if (!Number.isInteger(k) || k < 0) throw new FunctionError("must be a whole number of zero or more.", 1);
      return defined(els[k % els.length], "the element at an index within the list");
    },
  }),
  index: builtin({
    description: "The index of the first element equal to a value.",
    params: [seq("list"), { ...seq("value"), allowNull: true }],
    returns: T.number,
    impl: ([l, v]) => {
      const els = sequence(l, 0);
      if (!requireKnown(els) || !v.isWhollyKnown()) return Value.unknown(T.number);
      const want = v.unmarkDeep().value;
      const i = els.findIndex(
        (e) =>
          rawEquals(e.unmarkDeep().value, want) || rawEquals(e.unmarkDeep().value, convert(want, e.type).value ?? want),
      );
      if (i < 0) throw new FunctionError("the value is not in the list.", 1);
      return Value.number(i);
    },
  }),
  one: builtin({
    description: "The single element of a list (null for an empty list; an error for more).",
    params: [seq("list")],
    returns: T.dynamic,
    impl: ([l]) => {
      const els = sequence(l, 0);
      if (els.length > 1) throw new FunctionError(`the list has ${els.length} elements; one() accepts at most one.`, 0);
      return els[0] ?? Value.NULL;
    },
  }),
  setunion: builtin({
    description: "The elements of any of the sets.",
    params: [seq("first")],
    variadic: seq("others"),
    returns: T.dynamic,
    impl: (args) =>
      requireKnown(args.flatMap((a, i) => sequence(a, i)))
        ? setOf(args, (sets) => new Map(sets.flatMap((s) => [...s])))
        : Value.unknown(T.dynamic),
  }),
  setintersection: builtin({
    description: "The elements in all of the sets.",
    params: [seq("first")],
    variadic: seq("others"),
    returns: T.dynamic,
    impl: (args) =>
      requireKnown(args.flatMap((a, i) => sequence(a, i)))
        ? setOf(args, (sets) => {
            const first = defined(sets[0], "the first set");
            return new Map([...first].filter(([k]) => sets.every((s) => s.has(k))));
          })
        : Value.unknown(T.dynamic),
  }),
  setsubtract: builtin({
    description: "The elements of the first set that are not in the second.",
    params: [seq("a"), seq("b")],
    returns: T.dynamic,
    impl: (args) =>
      requireKnown(args.flatMap((a, i) => sequence(a, i)))
        ? setOf(args, ([first, second]) => {
            const keep = defined(first, "the first set");
            const drop = defined(second, "the second set");
            return new Map([...keep].filter(([k]) => !drop.has(k)));
          })
        : Value.unknown(T.dynamic),
  }),
  md5: hashFn("md5", "The MD5 hash of a string's UTF-8 bytes, in hexadecimal."),
  sha1: hashFn("sha1", "The SHA-1 hash of a string's UTF-8 bytes, in hexadecimal."),
  sha512: hashFn("sha512", "The SHA-512 hash of a string's UTF-8 bytes, in hexadecimal."),
  base64sha256: builtin({
    description: "The SHA-256 hash of a string's UTF-8 bytes, in base64.",
    params: [str("str")],
    returns: T.string,
    impl: ([s]) => Value.string(createHash("sha256").update(s.asString(), "utf8").digest("base64")),
  }),
  urlencode: builtin({
    description: "Percent-encodes a string for a URL query.",
    params: [str("str")],
    returns: T.string,
    impl: ([s]) =>
      Value.string(
        encodeURIComponent(s.asString())
          .replace(/%20/g, "+")
          .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()),
      ),
  }),
};

// As Terraform: a null element counts as false. (Lists holding unknowns are answered "unknown"
// by the function framework before these run; the checks here keep them total regardless.)
function allTrue(elements: readonly Value[]): Value {
  if (elements.some((e) => e.isKnown && (e.isNull || !e.asBool()))) return Value.FALSE;
  return elements.every((e) => e.isKnown) ? Value.TRUE : Value.unknown(T.bool);
}

function anyTrue(elements: readonly Value[]): Value {
  if (elements.some((e) => e.isKnown && !e.isNull && e.asBool())) return Value.TRUE;
  return elements.every((e) => e.isKnown) ? Value.FALSE : Value.unknown(T.bool);
}
