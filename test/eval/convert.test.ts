import { expect } from "chai";
import { convert, unifyTypes } from "../../src/eval/convert.js";
import { T, typeString, type Type } from "../../src/eval/types.js";
import { Value, formatValue, toNative } from "../../src/eval/value.js";
import { b, n, nul, nums, obj, s, secret, strs, tup, unk } from "./helpers.js";

const objT = (attrs: Record<string, Type>, optional?: Record<string, Value | undefined>) =>
  T.object(attrs, optional ? new Map(Object.entries(optional)) : undefined);

describe("eval/convert", () => {
  const good: [string, Value, Type, unknown, string][] = [
    ["number to string", n(1.5), T.string, "1.5", "string"],
    ["big integer to string", n(1e21), T.string, "1000000000000000000000", "string"],
    ["bool to string", b(true), T.string, "true", "string"],
    ["string to number", s("-12.5e1"), T.number, -125, "number"],
    ["string to bool", s("false"), T.bool, false, "bool"],
    ["tuple to list(string)", tup(s("a"), n(1), b(true)), T.list(T.string), ["a", "1", "true"], "list(string)"],
    ["tuple to list(any) unifies", tup(s("a"), n(1)), T.list(T.dynamic), ["a", "1"], "list(string)"],
    ["list to set dedupes", strs("b", "a", "b"), T.set(T.string), ["a", "b"], "set(string)"],
    ["object to map(string)", obj({ a: n(1), b: s("x") }), T.map(T.string), { a: "1", b: "x" }, "map(string)"],
    [
      "object to object drops extras",
      obj({ a: n(1), extra: s("x") }),
      objT({ a: T.string }),
      { a: "1" },
      "object({a = string})",
    ],
    [
      "optional attribute gets null",
      obj({ a: n(1) }),
      objT({ a: T.number, b: T.string }, { b: undefined }),
      { a: 1, b: null },
      "object({a = number, b = string})",
    ],
    [
      "optional attribute gets its default",
      obj({ a: n(1) }),
      objT({ a: T.number, b: T.string }, { b: s("dflt") }),
      { a: 1, b: "dflt" },
      "object({a = number, b = string})",
    ],
    [
      "null optional attribute gets its default",
      obj({ a: n(1), b: nul() }),
      objT({ a: T.number, b: T.number }, { b: n(7) }),
      { a: 1, b: 7 },
      "object({a = number, b = number})",
    ],
    [
      "nested optional",
      obj({ t: tup(obj({ key: s("k") })) }),
      objT({ t: T.list(objT({ key: T.string, values: T.list(T.string) }, { values: strs("*") })) }),
      { t: [{ key: "k", values: ["*"] }] },
      "object({t = list(object({key = string, values = list(string)}))})",
    ],
    [
      "tuple to tuple converts positions",
      tup(n(1), s("2")),
      T.tuple([T.string, T.number]),
      ["1", 2],
      "tuple([string, number])",
    ],
    ["null takes the target type", nul(), T.list(T.string), null, "list(string)"],
    ["any keeps the value", nums(1), T.dynamic, [1], "list(number)"],
  ];
  for (const [name, v, t, want, wantType] of good) {
    it(name, () => {
      const r = convert(v, t);
      expect(r.error, r.error?.message).to.equal(undefined);
      expect(toNative(r.value!)).to.deep.equal(want);
      expect(typeString(r.value!.type)).to.equal(wantType);
    });
  }

  const bad: [string, Value, Type, string, string][] = [
    ["string to number", s("abc"), T.number, "", '"abc" is not a number'],
    ["string to bool", s("yes"), T.bool, "", '"yes" is not true or false'],
    ["list to string", strs("a"), T.string, "", "a string is required, not a list of string"],
    ["bool to number", b(true), T.number, "", "a number is required, not a bool"],
    [
      "missing required attribute",
      obj({ a: n(1) }),
      objT({ a: T.number, b: T.string }),
      "",
      'attribute "b" is required',
    ],
    [
      "nested element",
      obj({ t: tup(obj({ key: strs("x") })) }),
      objT({ t: T.list(objT({ key: T.string })) }),
      ".t[0].key",
      "a string is required",
    ],
    ["tuple length", tup(n(1)), T.tuple([T.number, T.number]), "", "a tuple of 2 elements is required, not 1"],
    ["set to tuple", Value.set([n(1)], T.number), T.tuple([T.number]), "", "a tuple is required"],
    [
      "mixed list(any)",
      tup(s("a"), strs("b")),
      T.list(T.dynamic),
      "",
      "all elements of a list must have the same type",
    ],
    ["map element", obj({ a: strs("x") }), T.map(T.string), '["a"]', "a string is required"],
  ];
  for (const [name, v, t, path, message] of bad) {
    it(`rejects ${name}`, () => {
      const r = convert(v, t);
      expect(r.value).to.equal(undefined);
      expect(r.error!.path).to.equal(path);
      expect(r.error!.message).to.contain(message);
    });
  }

  it("keeps unknowns unknown with the target type", () => {
    const r = convert(unk(), T.list(T.string));
    expect(r.value!.isKnown).to.equal(false);
    expect(typeString(r.value!.type)).to.equal("list(string)");
    expect(convert(unk(T.list(T.string)), T.number).error?.message).to.contain("a number is required");
  });

  it("keeps the sensitive mark through conversion", () => {
    const r = convert(secret(n(5)), T.string);
    expect(r.value!.sensitive).to.equal(true);
    expect(r.value!.unmark().asString()).to.equal("5");
  });

  it("unifies types the way HCL does", () => {
    const u = (...ts: Type[]) => {
      const r = unifyTypes(ts);
      return r ? typeString(r) : undefined;
    };
    expect(u(T.string, T.number)).to.equal("string");
    expect(u(T.number, T.bool)).to.equal(undefined);
    expect(u(objT({ a: T.string }), objT({ b: T.number }))).to.equal("map(string)");
    expect(u(objT({ a: T.string }), objT({ a: T.number }))).to.equal("object({a = string})");
    expect(u(T.tuple([T.string]), T.tuple([T.string, T.number]))).to.equal("list(string)");
    expect(u(T.dynamic, T.number)).to.equal("number");
  });

  it("formats values for people, hiding sensitive and unknown parts", () => {
    const v = obj({ name: s("web"), count: n(2), pw: secret(s("x")), id: unk(T.string), tags: strs("a") });
    expect(formatValue(v)).to.equal(
      [
        "{",
        "  count = 2",
        "  id    = (known after apply)",
        '  name  = "web"',
        "  pw    = (sensitive)",
        "  tags  = [",
        '    "a",',
        "  ]",
        "}",
      ].join("\n"),
    );
  });
});
