import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_FUNCTIONS, callFunction, type FunctionContext } from "../../src/eval/functions/index.js";
import { diskFileSource, memoryFileSource } from "../../src/eval/filesource.js";
import { T, typeString } from "../../src/eval/types.js";
import { Value, toNative } from "../../src/eval/value.js";
import { b, list, map, n, nul, nums, obj, s, secret, strs, tup, unk } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "statectl-fn-"));
writeFileSync(join(dir, "hello.txt"), "hello\n");
writeFileSync(join(dir, "bad.bin"), Buffer.from([0xff, 0xfe, 0x00]));
const ctx: FunctionContext = { baseDir: dir, files: diskFileSource() };

type Want =
  | { value: unknown; type?: string }
  | { unknown: true; type?: string }
  | { error: string; arg?: number }
  | { sensitive: unknown };

interface Case {
  fn: string;
  args: Value[];
  want: Want;
}

const c = (fn: string, args: Value[], want: Want): Case => ({ fn, args, want });
const ok = (value: unknown, type?: string): Want => (type ? { value, type } : { value });
const fail = (error: string, arg?: number): Want => (arg === undefined ? { error } : { error, arg });

const cases: Case[] = [
  // strings
  c("lower", [s("HeLLo")], ok("hello", "string")),
  c("lower", [n(5)], ok("5")),
  c("lower", [strs("a")], fail("a string is required, not a list of string", 0)),
  c("lower", [nul()], fail("must not be null", 0)),
  c("lower", [], fail('missing the "str" argument')),
  c("lower", [s("a"), s("b")], fail("expects only 1 argument", 1)),
  c("upper", [s("straße")], ok("STRASSE")),
  c("upper", [unk(T.string)], { unknown: true, type: "string" }),
  c("trimspace", [s("  \t hi \n")], ok("hi")),
  c("trimprefix", [s("helloworld"), s("hello")], ok("world")),
  c("trimprefix", [s("helloworld"), s("x")], ok("helloworld")),
  c("trimsuffix", [s("helloworld"), s("world")], ok("hello")),
  c("join", [s(", "), strs("a", "b", "c")], ok("a, b, c")),
  c("join", [s("-"), strs("a"), strs("b", "c")], ok("a-b-c")),
  c("join", [s("-"), tup(s("a"), n(1))], ok("a-1")),
  c("join", [s("-")], fail("at least one list")),
  c("join", [s("-"), s("abc")], fail("a list of string is required, not a string", 1)),
  c("join", [s("-"), list(T.string, s("a"), unk(T.string))], { unknown: true }),
  c("split", [s(","), s("a,b,,c")], ok(["a", "b", "", "c"], "list(string)")),
  c("split", [s(","), s("")], ok([""])),
  c("replace", [s("1 + 2 + 3"), s("+"), s("-")], ok("1 - 2 - 3")),
  c("replace", [s("hello world"), s("/w(or)ld/"), s("W${1}LD")], ok("hello WorLD")),
  c("replace", [s("abc"), s("/(/"), s("x")], fail("invalid regular expression", 1)),
  c("substr", [s("hello world"), n(1), n(4)], ok("ello")),
  c("substr", [s("hello"), n(-3), n(-1)], ok("llo")),
  c("substr", [s("🤔🤷x"), n(0), n(1)], ok("🤔")),
  c("substr", [s("hello"), n(10), n(1)], fail("beyond the end", 1)),
  c("substr", [s("hello"), n(1.5), n(1)], fail("whole number", 1)),
  c("substr", [s("hello"), s("x"), n(1)], fail('"x" is not a number', 1)),
  c("regex", [s("[a-z]+"), s("53453453.345345aaabbbccc23454")], ok("aaabbbccc")),
  c("regex", [s("(\\d\\d\\d\\d)-(\\d\\d)"), s("2019-02-01")], ok(["2019", "02"])),
  c("regex", [s("(?P<year>\\d\\d\\d\\d)-(?<month>\\d\\d)"), s("2019-02")], ok({ month: "02", year: "2019" })),
  c("regex", [s("z+"), s("abc")], fail("did not match", 1)),
  c("regex", [s("[unclosed"), s("abc")], fail("invalid regular expression", 0)),
  c("format", [s("Hello, %s!"), s("Ander")], ok("Hello, Ander!")),
  c(
    "format",
    [s("%d items, %.2f%%, %t, %q"), n(3), n(12.345), b(true), s('a"b')],
    ok('3 items, 12.35%, true, "a\\"b"'),
  ),
  c(
    "format",
    [s("%5d|%-5s|%05d|%x|%v|%v"), n(42), s("ab"), n(-42), n(255), strs("a"), n(1.5)],
    ok('   42|ab   |-0042|ff|["a"]|1.5'),
  ),
  c("format", [s("%s and %s"), s("a")], fail("not enough arguments")),
  c("format", [s("%s"), s("a"), s("b")], fail("too many arguments", 2)),
  c("format", [s("%d"), s("x")], fail('"x" is not a number', 1)),
  c("format", [s("%d"), n(1.5)], fail("not a whole number", 1)),
  c("format", [s("%s"), nul()], fail("null value cannot be formatted", 1)),
  c("format", [s("%s"), secret(s("pw"))], { sensitive: "pw" }),
  // collections
  c("length", [strs("a", "b")], ok(2, "number")),
  c("length", [s("héllo👍")], ok(6)),
  c("length", [obj({ a: n(1), b: s("x") })], ok(2)),
  c("length", [list(T.string, unk(T.string))], ok(1)),
  c("length", [n(5)], fail("a collection or string is required, not a number", 0)),
  c("length", [unk(T.list(T.string))], { unknown: true, type: "number" }),
  c("concat", [strs("a"), strs("b", "c")], ok(["a", "b", "c"], "list(string)")),
  c("concat", [strs("a"), tup(n(1), b(true))], ok(["a", 1, true], "tuple([string, number, bool])")),
  c("concat", [strs("a"), s("b")], fail("a list, set or tuple is required, not a string", 1)),
  c(
    "merge",
    [map(T.string, { a: s("1") }), map(T.string, { a: s("2"), b: s("3") })],
    ok({ a: "2", b: "3" }, "map(string)"),
  ),
  c(
    "merge",
    [obj({ a: n(1) }), nul(), obj({ b: strs("x") })],
    ok({ a: 1, b: ["x"] }, "object({a = number, b = list(string)})"),
  ),
  c("merge", [obj({ a: n(1) }), s("x")], fail("a map or object is required, not a string", 1)),
  c("lookup", [map(T.string, { a: s("ay") }), s("a")], ok("ay")),
  c("lookup", [map(T.string, { a: s("ay") }), s("b"), s("dflt")], ok("dflt")),
  c("lookup", [map(T.string, { a: s("ay") }), s("b")], fail('no element for the key "b"', 1)),
  c("lookup", [strs("a"), s("b")], fail("a map or object is required", 0)),
  c("contains", [strs("a", "b"), s("b")], ok(true)),
  c("contains", [strs("a", "b"), s("z")], ok(false)),
  c("contains", [nums(1, 2), s("2")], ok(true)),
  c("contains", [list(T.string, s("a"), unk(T.string)), s("z")], { unknown: true }),
  c("contains", [map(T.string, {}), s("z")], fail("a list, set or tuple is required", 0)),
  c("keys", [obj({ b: n(1), a: n(2) })], ok(["a", "b"], "list(string)")),
  c("keys", [s("x")], fail("a map or object is required", 0)),
  c("values", [map(T.number, { b: n(1), a: n(2) })], ok([2, 1], "list(number)")),
  c("values", [obj({ b: n(1), a: s("x") })], ok(["x", 1], "tuple([string, number])")),
  c("flatten", [tup(strs("a", "b"), tup(), tup(tup(s("c"))))], ok(["a", "b", "c"], "list(string)")),
  c("flatten", [s("x")], fail("a list, set or tuple is required", 0)),
  c("distinct", [strs("a", "b", "a", "c", "b")], ok(["a", "b", "c"], "list(string)")),
  c("coalesce", [nul(), s(""), s("b"), s("c")], ok("b")),
  c("coalesce", [nul(), n(1), s("x")], ok("1", "string")),
  c("coalesce", [nul(), s("")], fail("no non-null, non-empty-string arguments")),
  c("coalesce", [n(1), strs("a")], fail("same type")),
  c("range", [n(3)], ok([0, 1, 2], "list(number)")),
  c("range", [n(1), n(4)], ok([1, 2, 3])),
  c("range", [n(0), n(1), n(0.25)], ok([0, 0.25, 0.5, 0.75])),
  c("range", [n(3), n(0)], ok([3, 2, 1])),
  c("range", [n(0), n(3), n(-1)], fail("moves away from the limit", 2)),
  c("range", [n(0), n(3), n(0)], fail("step must not be zero", 2)),
  c("range", [n(0), n(5000)], fail("more than 1024")),
  c("range", [], fail("one, two or three")),
  c("zipmap", [strs("a", "b"), nums(1, 2)], ok({ a: 1, b: 2 }, "map(number)")),
  c("zipmap", [strs("a", "b"), tup(n(1), s("x"))], ok({ a: 1, b: "x" }, "object({a = number, b = string})")),
  c("zipmap", [strs("a"), nums(1, 2)], fail("the counts must match", 1)),
  c("tolist", [Value.set([s("b"), s("a")], T.string)], ok(["a", "b"], "list(string)")),
  c("tolist", [tup(s("a"), n(1))], ok(["a", "1"], "list(string)")),
  c("tolist", [tup(s("a"), strs("b"))], fail("same type", 0)),
  c("tolist", [obj({ a: n(1) })], fail("cannot convert an object to a list of any", 0)),
  c("toset", [strs("b", "a", "b")], ok(["a", "b"], "set(string)")),
  c("tomap", [obj({ a: n(1), b: s("x") })], ok({ a: "1", b: "x" }, "map(string)")),
  c("tomap", [strs("a")], fail("a map of any is required, not a list of string", 0)),
  c("tostring", [n(1.5)], ok("1.5")),
  c("tostring", [b(false)], ok("false")),
  c("tostring", [nul()], ok(null, "string")),
  c("tostring", [strs("a")], fail("a string is required, not a list of string", 0)),
  c("tonumber", [s("42")], ok(42, "number")),
  c("tobool", [s("true")], ok(true, "bool")),
  c("tobool", [n(1)], fail("a bool is required, not a number", 0)),
  c("tonumber", [s("4x2")], fail('"4x2" is not a number', 0)),
  // encoding
  c("jsonencode", [obj({ b: strs("x"), a: n(1), c: nul() })], ok('{"a":1,"b":["x"],"c":null}')),
  c("jsonencode", [obj({ a: unk(T.string) })], { unknown: true, type: "string" }),
  c("jsonencode", [obj({ pw: secret(s("x")) })], { sensitive: '{"pw":"x"}' }),
  c(
    "jsondecode",
    [s('{"a":[1,"x",true,null]}')],
    ok({ a: [1, "x", true, null] }, "object({a = tuple([number, string, bool, any])})"),
  ),
  c("jsondecode", [s("{nope")], fail("not valid JSON", 0)),
  c("yamlencode", [obj({ a: strs("x", "y") })], ok("a:\n  - x\n  - y\n")),
  c("yamldecode", [s("a: 1\nb: [x, y]\n")], ok({ a: 1, b: ["x", "y"] })),
  c("yamldecode", [s("a: [1\n")], fail("not valid YAML", 0)),
  c("yamldecode", [s("a: 1\n---\nb: 2\n")], fail("2 YAML documents", 0)),
  c("sha256", [s("hello world")], ok("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")),
  c("base64encode", [s("Hello World")], ok("SGVsbG8gV29ybGQ=")),
  c("base64decode", [s("SGVsbG8gV29ybGQ=")], ok("Hello World")),
  c("base64decode", [s("not base64!")], fail("not valid base64", 0)),
  c("base64decode", [s("//79")], fail("not valid UTF-8", 0)),
  c("sensitive", [s("x")], { sensitive: "x" }),
  c("nonsensitive", [secret(s("x"))], ok("x")),
  c("nonsensitive", [s("x")], fail("not sensitive", 0)),
  // further functions
  c("abs", [n(-3.5)], ok(3.5)),
  c("abs", [s("x")], fail('"x" is not a number', 0)),
  c("ceil", [n(1.2)], ok(2)),
  c("floor", [n(-1.2)], ok(-2)),
  c("signum", [n(-7)], ok(-1)),
  c("min", [n(3), n(1), s("2")], ok(1)),
  c("min", [], fail("at least one number")),
  c("max", [n(3), n(10)], ok(10)),
  c("max", [n(1), b(true)], fail("a number is required, not a bool", 1)),
  c("sum", [nums(1, 2, 3.5)], ok(6.5)),
  c("sum", [nums()], fail("the list is empty", 0)),
  c("startswith", [s("hello"), s("he")], ok(true)),
  c("endswith", [s("hello"), s("he")], ok(false)),
  c("strcontains", [s("hello"), s("ell")], ok(true)),
  c("chomp", [s("hi\r\n\n")], ok("hi")),
  c("trim", [s("?!hi?!"), s("!?")], ok("hi")),
  c("title", [s("hello world-wide")], ok("Hello World-Wide")),
  c("strrev", [s("abc")], ok("cba")),
  c("indent", [n(2), s("a\nb\n")], ok("a\n  b\n")),
  c("indent", [n(-1), s("a")], fail("zero or more", 0)),
  c("alltrue", [tup(b(true), s("true"))], ok(true)),
  c("anytrue", [list(T.bool)], ok(false)),
  c("anytrue", [list(T.bool, nul(T.bool))], ok(false)),
  c("anytrue", [list(T.bool, nul(T.bool), b(true))], ok(true)),
  c("anytrue", [list(T.bool, unk(T.bool), b(false))], { unknown: true, type: "bool" }),
  c("alltrue", [list(T.bool, b(true), nul(T.bool))], ok(false)),
  c("alltrue", [list(T.bool, unk(T.bool), b(true))], { unknown: true, type: "bool" }),
  c("alltrue", [strs("yes")], fail('"yes" is not true or false', 0)),
  c("compact", [tup(s("a"), s(""), nul(), s("b"))], ok(["a", "b"])),
  c("sort", [strs("b", "c", "a")], ok(["a", "b", "c"], "list(string)")),
  c("sort", [tup(s("a"), nul())], fail("contains null", 0)),
  c("reverse", [nums(1, 2, 3)], ok([3, 2, 1], "list(number)")),
  c("reverse", [s("abc")], fail("a list, set or tuple is required", 0)),
  c("slice", [strs("a", "b", "c", "d"), n(1), n(3)], ok(["b", "c"], "list(string)")),
  c("slice", [strs("a"), n(0), n(2)], fail("from 0 to 1", 2)),
  c("element", [strs("a", "b", "c"), n(4)], ok("b")),
  c("element", [strs(), n(0)], fail("empty list", 0)),
  c("index", [strs("a", "b"), s("b")], ok(1)),
  c("index", [strs("a", "b"), s("z")], fail("not in the list", 1)),
  c("one", [strs("a")], ok("a")),
  c("one", [strs()], ok(null)),
  c("one", [strs("a", "b")], fail("one() accepts at most one", 0)),
  c("setunion", [strs("a", "b"), strs("b", "c")], ok(["a", "b", "c"], "set(string)")),
  c("setintersection", [strs("a", "b"), strs("b", "c")], ok(["b"], "set(string)")),
  c("setsubtract", [strs("a", "b"), strs("b")], ok(["a"], "set(string)")),
  c("setunion", [s("x")], fail("a list, set or tuple is required", 0)),
  c("md5", [s("hello world")], ok("5eb63bbbe01eeed093cb22bb8f5acdc3")),
  c("sha1", [s("hello world")], ok("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")),
  c(
    "sha512",
    [s("")],
    ok(
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    ),
  ),
  c("base64sha256", [s("hello world")], ok("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")),
  c("urlencode", [s("a b&c=d/é")], ok("a+b%26c%3Dd%2F%C3%A9")),
  // files
  c("file", [s("hello.txt")], ok("hello\n")),
  c("file", [s("missing.txt")], fail('cannot read "missing.txt"', 0)),
  c("file", [s("bad.bin")], fail("not valid UTF-8", 0)),
  c("file", [s(".")], fail("directory", 0)),
  c("fileexists", [s("hello.txt")], ok(true)),
  c("fileexists", [s("nope.txt")], ok(false)),
  c("templatefile", [s("missing.tpl"), obj({})], fail('cannot read "missing.tpl"', 0)),
  c("templatefile", [s("hello.txt"), s("x")], fail("a map or object of template variables", 1)),
];

describe("eval/functions", () => {
  for (const tc of cases) {
    const label = `${tc.fn}(${tc.args.map((a) => (a.isKnown ? JSON.stringify(toNative(a, { redact: "(sensitive)" })) : "(unknown)")).join(", ")})`;
    it(`${label} → ${JSON.stringify(tc.want)}`, () => {
      const spec = BUILTIN_FUNCTIONS[tc.fn];
      expect(spec, `function ${tc.fn}`).to.not.equal(undefined);
      const r = callFunction(tc.fn, spec!, tc.args, ctx);
      const w = tc.want;
      if ("error" in w) {
        expect(r.error, "an error").to.not.equal(undefined);
        expect(r.error!.detail).to.contain(w.error);
        expect(r.error!.argIndex).to.equal(w.arg);
        return;
      }
      expect(r.error, r.error?.detail).to.equal(undefined);
      if ("unknown" in w) {
        expect(r.value.isWhollyKnown()).to.equal(false);
      } else if ("sensitive" in w) {
        expect(r.value.sensitive).to.equal(true);
        expect(toNative(r.value.unmarkDeep().value)).to.deep.equal(w.sensitive);
      } else {
        expect(r.value.sensitive).to.equal(false);
        expect(toNative(r.value)).to.deep.equal(w.value);
      }
      if ("type" in w && w.type) expect(typeString(r.value.type)).to.equal(w.type);
    });
  }

  it("has a table-driven case for every built-in function", () => {
    const tested = new Set(cases.map((tc) => tc.fn));
    expect(Object.keys(BUILTIN_FUNCTIONS).filter((f) => !tested.has(f))).to.deep.equal([]);
  });

  it("keeps per-element marks through collection functions", () => {
    const m = obj({ user: s("admin"), pw: secret(s("x")) });
    const r = callFunction("merge", BUILTIN_FUNCTIONS.merge!, [m, obj({ extra: n(1) })], ctx);
    expect(r.value.sensitive).to.equal(false);
    expect(r.value.entries().get("pw")!.sensitive).to.equal(true);
    expect(r.value.entries().get("user")!.sensitive).to.equal(false);
  });

  it("reads files from an in-memory file set relative to the base directory", () => {
    const mem: FunctionContext = { baseDir: "/cfg", files: memoryFileSource({ "scripts/a.sh": "echo hi" }, "/cfg") };
    expect(callFunction("file", BUILTIN_FUNCTIONS.file!, [s("scripts/a.sh")], mem).value.asString()).to.equal(
      "echo hi",
    );
    expect(
      callFunction("fileexists", BUILTIN_FUNCTIONS.fileexists!, [s("./scripts/a.sh")], mem).value.asBool(),
    ).to.equal(true);
    expect(callFunction("file", BUILTIN_FUNCTIONS.file!, [s("nope")], mem).error!.detail).to.contain("no such file");
  });
});

describe("eval/functions: length of hostile text", () => {
  it("counts a long run of control characters in linear time (no ICU on ASCII), and CR LF as one", () => {
    const spec = BUILTIN_FUNCTIONS["length"]!;
    // 200,000 NULs took ICU's grapheme segmenter minutes (quadratic); the ASCII path counts them at once.
    expect(toNative(callFunction("length", spec, [s("\0".repeat(200_000))], ctx).value)).to.equal(200_000);
    expect(toNative(callFunction("length", spec, [s("a\r\nb\n")], ctx).value)).to.equal(4);
    expect(toNative(callFunction("length", spec, [s("e\u0301\u{1F1EB}\u{1F1F7}")], ctx).value)).to.equal(2);
  });
});
