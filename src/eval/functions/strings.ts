/** String functions: format, join, split, replace, case, trimming, substr, regex. */
import { defined, InvariantError } from "../../diag/index.js";
import { convert, conversionMessage } from "../convert.js";
import { T } from "../types.js";
import { Value, formatNumber, toNative } from "../value.js";
import { builtin, FunctionError, type FunctionSpec } from "./framework.js";

// Built on first use: constructing a segmenter loads ICU's break rules (~10 ms), which start-up
// of a configuration that never counts characters should not pay.
let segmenter: Intl.Segmenter | undefined;

/** User-perceived characters (grapheme clusters), as HCL counts them. */
export function graphemes(s: string): string[] {
  // ASCII needs no segmenter: every character is one, except CR LF. ICU's segmenter also takes
  // quadratic time over runs of control characters (40,000 NULs: 2.5 s; a 9.6 MB file of them
  // from file(): hours), which this path never reaches for ASCII text.
  // eslint-disable-next-line no-control-regex -- all of ASCII, control characters included, is the range tested
  if (/^[\x00-\x7F]*$/.test(s)) return s.match(/\r\n|[\s\S]/g) ?? [];
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

function str(name: string) {
  return { name, type: T.string };
}

const strFn = (description: string, f: (s: string) => string) =>
  builtin({
    description,
    params: [str("str")],
    returns: T.string,
    impl: ([s]) => Value.string(f(s.asString())),
  });

/** Translates the RE2 spellings the language documents (`(?P<name>…)`) into JavaScript's. */
export function compileRegex(pattern: string, flags = "u"): RegExp {
  try {
    return new RegExp(pattern.replace(/\(\?P</g, "(?<"), flags);
  } catch (e) {
    throw new FunctionError(
      `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`,
      0,
    );
  }
}

export const stringFunctions: Record<string, FunctionSpec> = {
  lower: strFn("Converts all letters to lowercase.", (s) => s.toLowerCase()),
  upper: strFn("Converts all letters to uppercase.", (s) => s.toUpperCase()),
  trimspace: strFn("Removes whitespace from both ends.", (s) =>
    s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/gu, ""),
  ),
  trimprefix: builtin({
    description: "Removes a prefix if the string starts with it.",
    params: [str("str"), str("prefix")],
    returns: T.string,
    impl: ([s, p]) => {
      const a = s.asString();
      const b = p.asString();
      return Value.string(b !== "" && a.startsWith(b) ? a.slice(b.length) : a);
    },
  }),
  trimsuffix: builtin({
    description: "Removes a suffix if the string ends with it.",
    params: [str("str"), str("suffix")],
    returns: T.string,
    impl: ([s, p]) => {
      const a = s.asString();
      const b = p.asString();
      return Value.string(b !== "" && a.endsWith(b) ? a.slice(0, a.length - b.length) : a);
    },
  }),
  join: builtin({
    description: "Joins the elements of lists of strings with a separator.",
    params: [str("separator")],
    variadic: { name: "lists", type: T.list(T.string) },
    returns: T.string,
    impl: (args) => {
      if (args.length < 2) throw new FunctionError("at least one list is required.");
      const parts: string[] = [];
      for (const [i, list] of args.entries()) {
        if (i === 0) continue; // the separator
        for (const e of list.elements()) {
          if (e.isNull) throw new FunctionError(`element ${parts.length} is null; cannot concatenate null values.`, i);
          parts.push(e.asString());
        }
      }
      return Value.string(parts.join(args[0].asString()));
    },
  }),
  split: builtin({
    description: "Splits a string at every occurrence of a separator.",
    params: [str("separator"), str("str")],
    returns: T.list(T.string),
    impl: ([sep, s]) => {
      const text = s.asString();
      const parts = text === "" ? [""] : sep.asString() === "" ? graphemes(text) : text.split(sep.asString());
      return Value.list(
        parts.map((part) => Value.string(part)),
        T.string,
      );
    },
  }),
  replace: builtin({
    description: 'Replaces every occurrence of a substring; a substring wrapped in "/" is a regular expression.',
    params: [str("str"), str("substr"), str("replace")],
    returns: T.string,
    impl: ([s, sub, rep]) => {
      const pattern = sub.asString();
      if (pattern.length >= 2 && pattern.startsWith("/") && pattern.endsWith("/")) {
        let re: RegExp;
        try {
          re = compileRegex(pattern.slice(1, -1), "gu");
        } catch (e) {
          throw new FunctionError((e as Error).message, 1);
        }
        // RE2 writes group references as ${1} / ${name}; JavaScript wants $1 / $<name>.
        const replacement = rep
          .asString()
          .replace(/\$\{([0-9]+)\}/g, "$$$1")
          .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, "$$<$1>");
        return Value.string(s.asString().replace(re, replacement));
      }
      if (pattern === "") return s;
      return Value.string(s.asString().split(pattern).join(rep.asString()));
    },
  }),
  substr: builtin({
    description: "Extracts part of a string by character offset and length (-1 = to the end).",
    params: [str("str"), { name: "offset", type: T.number }, { name: "length", type: T.number }],
    returns: T.string,
    impl: ([s, o, l]) => {
      const chars = graphemes(s.asString());
      let offset = o.asNumber();
      const length = l.asNumber();
      if (!Number.isInteger(offset)) throw new FunctionError("must be a whole number.", 1);
      if (!Number.isInteger(length)) throw new FunctionError("must be a whole number.", 2);
      if (offset < 0) offset = Math.max(0, chars.length + offset);
      if (offset > chars.length)
        throw new FunctionError(`offset ${offset} is beyond the end of the string (length ${chars.length}).`, 1);
      if (length < -1) throw new FunctionError("length must be -1 (to the end) or at least 0.", 2);
      const end = length === -1 ? chars.length : Math.min(chars.length, offset + length);
      return Value.string(chars.slice(offset, end).join(""));
    },
  }),
  regex: builtin({
    description: "Matches a regular expression: the match, a list of groups, or an object of named groups.",
    params: [str("pattern"), str("string")],
    returns: (args) => {
      if (!args[0]?.isKnown) return T.dynamic;
      const re = compileRegex(args[0].asString());
      const named = [...args[0].asString().matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) =>
        defined(m[1], "a named group's name"),
      );
      if (named.length > 0) return T.object(Object.fromEntries(named.map((n) => [n, T.string])));
      // An empty alternative always matches the empty string, so exec() finds a match with every group.
      const empty = new RegExp(`${re.source}|`, "u").exec("");
      if (empty === null) throw new InvariantError("an empty alternative did not match the empty string");
      const groups = empty.length - 1;
      return groups === 0 ? T.string : T.tuple(Array.from({ length: groups }, () => T.string));
    },
    impl: ([p, s]) => {
      const re = compileRegex(p.asString());
      const m = re.exec(s.asString());
      if (!m) throw new FunctionError("pattern did not match any part of the given string.", 1);
      if (m.groups) {
        return Value.object(
          new Map(
            // A group that took no part in the match is undefined, whatever lib.d.ts says.
            Object.entries(m.groups).map(([k, v]: [string, string | undefined]) => [
              k,
              v === undefined ? Value.null(T.string) : Value.string(v),
            ]),
          ),
        );
      }
      if (m.length === 1) return Value.string(m[0]);
      return Value.tuple(
        m.slice(1).map((g: string | undefined) => (g === undefined ? Value.null(T.string) : Value.string(g))),
      );
    },
  }),
  format: builtin({
    description: "Formats values into a string with printf-style verbs (%s %d %f %t %v %q %x %e %%).",
    params: [str("format")],
    variadic: { name: "args", type: T.dynamic, allowNull: true },
    returns: T.string,
    impl: (args) => Value.string(formatString(args[0].asString(), args.slice(1))),
  }),
};

/** printf-style formatting with Go's verbs, as Terraform's `format` does. */
export function formatString(spec: string, args: readonly Value[]): string {
  let out = "";
  let next = 0;
  let i = 0;
  while (i < spec.length) {
    const ch = spec.charAt(i);
    if (ch !== "%") {
      out += ch;
      i++;
      continue;
    }
    const m = /^%([-+# 0]*)(\d+)?(?:\.(\d+))?(\[(\d+)\])?([a-zA-Z%])/.exec(spec.slice(i));
    if (!m) throw new FunctionError(`invalid format verb at offset ${i} of the format string.`, 0);
    i += m[0].length;
    const [, flags = "", widthS, precS, , indexS] = m;
    const verb = defined(m[6], "the verb the pattern requires");
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (indexS !== undefined) next = Number(indexS) - 1;
    if (next < 0) throw new FunctionError(`argument index [${indexS ?? ""}] is not valid; indexes start at 1.`, 0);
    if (next >= args.length)
      throw new FunctionError(
        `not enough arguments for "%${verb}" (argument ${next + 1} requested, ${args.length} given).`,
      );
    const argIndex = next + 1;
    const v = defined(args[next], "the argument a verb formats");
    next++;
    if (v.isNull)
      throw new FunctionError(`unsupported value for "%${verb}": null value cannot be formatted.`, argIndex);
    const prec = precS === undefined ? undefined : Number(precS);
    let s = formatVerb(verb, v, flags, prec, argIndex);
    const width = widthS === undefined ? 0 : Number(widthS);
    if (s.length < width) {
      if (flags.includes("-")) s = s.padEnd(width);
      else if (flags.includes("0") && /[dfeEgbxXo]/.test(verb)) {
        const sign = /^[+-]/.test(s) ? s.charAt(0) : "";
        s = sign + s.slice(sign.length).padStart(width - sign.length, "0");
      } else s = s.padStart(width);
    }
    out += s;
  }
  if (next < args.length && !/%(?:[-+# 0]*\d*(?:\.\d+)?)\[\d+\]/.test(spec)) {
    throw new FunctionError(
      `too many arguments; the format string uses ${next} and ${args.length} were given.`,
      next + 1,
    );
  }
  return out;
}

function formatVerb(verb: string, v: Value, flags: string, prec: number | undefined, argIndex: number): string {
  const asType = (t: typeof T.string) => {
    const c = convert(v, t);
    if (c.error) throw new FunctionError(`unsupported value for "%${verb}": ${conversionMessage(c.error)}`, argIndex);
    return c.value;
  };
  const num = () => asType(T.number).asNumber();
  const sign = (n: number, s: string) =>
    n >= 0 && flags.includes("+") ? "+" + s : n >= 0 && flags.includes(" ") ? " " + s : s;
  switch (verb) {
    case "v":
      if (flags.includes("#")) return JSON.stringify(toNative(v));
      if (v.type.kind === "string") return v.asString();
      if (v.type.kind === "number") return formatNumber(v.asNumber());
      if (v.type.kind === "bool") return String(v.asBool());
      return JSON.stringify(toNative(v));
    case "s": {
      const s = asType(T.string).asString();
      return prec === undefined ? s : graphemes(s).slice(0, prec).join("");
    }
    case "q":
      return JSON.stringify(asType(T.string).asString());
    case "t":
      return String(asType(T.bool).asBool());
    case "d": {
      const n = num();
      if (!Number.isInteger(n))
        throw new FunctionError(`unsupported value for "%d": ${formatNumber(n)} is not a whole number.`, argIndex);
      return sign(n, n.toString());
    }
    case "b":
    case "o":
    case "x":
    case "X": {
      if (verb === "x" || verb === "X") {
        if (v.type.kind === "string") {
          const hex = Buffer.from(v.asString(), "utf8").toString("hex");
          return verb === "X" ? hex.toUpperCase() : hex;
        }
      }
      const n = num();
      if (!Number.isInteger(n))
        throw new FunctionError(
          `unsupported value for "%${verb}": ${formatNumber(n)} is not a whole number.`,
          argIndex,
        );
      const radix = verb === "b" ? 2 : verb === "o" ? 8 : 16;
      let s = Math.abs(n).toString(radix);
      if (verb === "X") s = s.toUpperCase();
      if (flags.includes("#")) s = (verb === "o" ? "0" : verb === "x" ? "0x" : verb === "X" ? "0X" : "") + s;
      return sign(n, n < 0 ? "-" + s : s);
    }
    case "f":
    case "F": {
      const n = num();
      return sign(n, n.toFixed(prec ?? 6));
    }
    case "e":
    case "E": {
      const n = num();
      let s = n.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      if (verb === "E") s = s.toUpperCase();
      return sign(n, s);
    }
    case "g":
    case "G": {
      const n = num();
      const s = prec === undefined ? formatNumber(n) : String(Number(n.toPrecision(prec)));
      return sign(n, verb === "G" ? s.toUpperCase() : s);
    }
    default:
      throw new FunctionError(`unsupported format verb "%${verb}".`, 0);
  }
}
