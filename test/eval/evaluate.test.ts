import { expect } from "chai";
import { evaluate, type EvalContext } from "../../src/eval/evaluate.js";
import { memoryFileSource } from "../../src/eval/filesource.js";
import { renderTemplate } from "../../src/eval/template.js";
import { T } from "../../src/eval/types.js";
import { Value, toNative } from "../../src/eval/value.js";
import { parseExpression } from "../../src/syntax/index.js";
import { map, n, nul, obj, s, secret, strs, unk } from "./helpers.js";

const files = memoryFileSource(
  {
    "greet.tpl": "Hello, ${name}!\n",
    "list.tpl": '${join(",", items)}',
    "bad.tpl": "${nope}",
    "for.tpl": "%{ for i, x in items ~}\n${i}=${x}\n%{ endfor ~}\nend",
    "if.tpl": '%{ if n > 2 }big%{ else }small%{ endif } ${~ "!" }',
    "map.tpl": "%{ for k, v in m }[${k}:${v}]%{ endfor }",
    "escapes.tpl": '$${literal} %%{ also } ${"}"}',
    "unclosed.tpl": "line1\n%{ if true }never closed",
    "baddirective.tpl": "%{ while true }",
    "nulltpl.tpl": "x\n${v}",
  },
  "/cfg",
);
const fnCtx = {
  baseDir: "/cfg",
  files,
  renderTemplate: (text: string, file: string, vars: ReadonlyMap<string, Value>) =>
    renderTemplate(text, file, vars, fnCtx),
};

const scope: EvalContext = {
  variables: new Map<string, Value>([
    [
      "var",
      obj({
        name: s("web"),
        tags: map(T.string, { env: s("prod"), team: s("ops") }),
        list: strs("a", "b", "c"),
        num: n(3),
        nothing: nul(T.string),
        pw: secret(s("hunter2")),
        later: unk(T.string),
        objs: Value.tuple([obj({ id: s("x") }), obj({ id: s("y") })]),
      }),
    ],
    ["local", obj({ flag: Value.TRUE })],
  ]),
  functionContext: fnCtx,
};

function run(src: string) {
  const p = parseExpression(src);
  if (!p.expr) throw new Error(`parse failed: ${JSON.stringify(p.diagnostics)}`);
  return evaluate(p.expr, scope);
}

type Want =
  | { value: unknown }
  | { unknown: true }
  | { sensitive: unknown }
  | { error: string; code: string; col?: [number, number] };

const cases: [string, Want][] = [
  // literals and templates
  ['"plain"', { value: "plain" }],
  ["42.5", { value: 42.5 }],
  ["true", { value: true }],
  ["null", { value: null }],
  ['"hi ${var.name}!"', { value: "hi web!" }],
  ['"${var.num}"', { value: 3 }],
  ['"n=${var.num}"', { value: "n=3" }],
  ['"$${literal}"', { value: "${literal}" }],
  ["<<EOT\nline ${var.name}\nEOT\n", { value: "line web\n" }],
  ['"x${var.nothing}"', { error: "result is null", code: "eval/invalid-template-value", col: [5, 16] }],
  ['"x${var.list}"', { error: "Cannot include a list of string", code: "eval/invalid-template-value" }],
  ['"x${var.later}"', { unknown: true }],
  ['"pw=${var.pw}"', { sensitive: "pw=hunter2" }],
  // collections
  ["[1, var.name, true]", { value: [1, "web", true] }],
  ['{ a = 1, "b c" = var.name, (var.name) = 2 }', { value: { a: 1, "b c": "web", web: 2 } }],
  ["{ a = 1, a = 2 }", { error: 'key "a" was already set', code: "eval/duplicate-object-key" }],
  // references, attributes, indexes
  ["var.tags.env", { value: "prod" }],
  ['var.tags["team"]', { value: "ops" }],
  ["var.list[1]", { value: "b" }],
  ['var.list["2"]', { value: "c" }],
  ["var.list[5]", { error: "The index 5 is out of range; this list has 3 elements", code: "eval/invalid-index" }],
  ["var.tags.nope", { error: 'does not have an element with the key "nope"', code: "eval/invalid-index" }],
  ["var.nmae", { error: 'does not have an attribute named "nmae"', code: "eval/unsupported-attribute", col: [5, 9] }],
  ["var.nothing.x", { error: "null", code: "eval/null-value" }],
  ["nope.x", { error: 'no variable named "nope"', code: "eval/unknown-variable", col: [1, 5] }],
  ["var.later.x", { error: "Cannot get attribute", code: "eval/unsupported-attribute" }],
  ["var.list[var.num - 2]", { value: "b" }],
  ["var.objs[*].id", { value: ["x", "y"] }],
  ["var.objs.*.id", { value: ["x", "y"] }],
  ["var.nothing[*]", { value: [] }],
  // operators
  ["1 + 2 * 3", { value: 7 }],
  ["(1 + 2) * 3", { value: 9 }],
  ["10 % 4 - -1", { value: 3 }],
  ["var.num > 2 && !false", { value: true }],
  [
    'var.name == "web" || var.nope_not_evaluated_here == 1',
    { error: 'does not have an attribute named "nope_not_evaluated_here"', code: "eval/unsupported-attribute" },
  ],
  ["1 / 0", { error: "dividing by zero", code: "eval/division-by-zero", col: [5, 6] }],
  ['1 + "a"', { error: '"a" is not a number', code: "eval/invalid-operand", col: [5, 8] }],
  ['var.later == "x"', { unknown: true }],
  ['var.pw == "x"', { sensitive: false }],
  // conditionals
  ['var.num > 1 ? "big" : "small"', { value: "big" }],
  ['var.num > 5 ? "big" : 1', { value: "1" }],
  ['var.nothing != null ? var.nothing.x : "fallback"', { value: "fallback" }],
  ['var.later == "x" ? 1 : 2', { unknown: true }],
  ['"yes" ? 1 : 2', { error: "must be a bool", code: "eval/invalid-condition", col: [1, 6] }],
  // for expressions
  ["[for s in var.list : upper(s)]", { value: ["A", "B", "C"] }],
  ['[for i, s in var.list : "${i}:${s}" if s != "b"]', { value: ["0:a", "2:c"] }],
  ["{for k, v in var.tags : v => k}", { value: { ops: "team", prod: "env" } }],
  ['{for s in ["a", "b", "a"] : s => s...}', { value: { a: ["a", "a"], b: ["b"] } }],
  ['{for s in ["a", "a"] : s => 1}', { error: 'produce the key "a"', code: "eval/duplicate-object-key" }],
  ["[for s in var.num : s]", { error: "not a number", code: "eval/invalid-for" }],
  ["[for s in var.later : s]", { unknown: true }],
  ["[for x in var.list : x if x]", { error: "must be a bool", code: "eval/invalid-for" }],
  // functions
  ['upper("x")', { value: "X" }],
  ['join("-", var.list)', { value: "a-b-c" }],
  ["maxi(1, 2)", { error: 'no function named "maxi"', code: "eval/unknown-function", col: [1, 5] }],
  ["lenght(var.list)", { error: 'no function named "lenght"', code: "eval/unknown-function" }],
  ['substr("hello", "x", 1)', { error: '"x" is not a number', code: "eval/function-argument", col: [17, 20] }],
  ["upper()", { error: 'missing the "str" argument', code: "eval/function-arity" }],
  ['concat(var.list, ["d"])', { value: ["a", "b", "c", "d"] }],
  ['format("%s-%s", ["a", "b"]...)', { value: "a-b" }],
  ['format("%s", var.name...)', { error: "must be a list or tuple", code: "eval/function-argument" }],
  // An explicit argument index counts from 1; [0] once crashed the evaluator with a TypeError.
  ['format("%[0]d", 1)', { error: "indexes start at 1", code: "eval/function-argument" }],
  ['file("missing.txt")', { error: 'cannot read "missing.txt"', code: "eval/function-argument", col: [6, 19] }],
  ['templatefile("greet.tpl", { name = var.name })', { value: "Hello, web!\n" }],
  ['templatefile("list.tpl", { items = var.list })', { value: "a,b,c" }],
  ['templatefile("bad.tpl", {})', { error: 'no variable named "nope"', code: "eval/function-argument" }],
  ['templatefile("for.tpl", { items = ["a", "b"] })', { value: "0=a\n1=b\nend" }],
  ['templatefile("if.tpl", { n = 3 })', { value: "big!" }],
  ['templatefile("if.tpl", { n = 1 })', { value: "small!" }],
  ['templatefile("map.tpl", { m = { b = 2, a = 1 } })', { value: "[a:1][b:2]" }],
  ['templatefile("escapes.tpl", {})', { value: "${literal} %{ also } }" }],
  [
    'templatefile("unclosed.tpl", {})',
    { error: 'unclosed.tpl:2:1: "%{ if }" has no matching "%{ endif }"', code: "eval/function-argument" },
  ],
  ['templatefile("baddirective.tpl", {})', { error: "unknown directive", code: "eval/function-argument" }],
  [
    'templatefile("nulltpl.tpl", { v = null })',
    { error: "nulltpl.tpl:2:3: the expression result is null", code: "eval/function-argument" },
  ],
  [
    'templatefile("for.tpl", { items = 5 })',
    { error: "needs a list, set, tuple, map or object, not a number", code: "eval/function-argument" },
  ],
  ['templatefile("greet.tpl", { name = var.pw })', { sensitive: "Hello, hunter2!\n" }],
  ['templatefile("greet.tpl", { name = var.later })', { unknown: true }],
  ["upper(var.pw)", { sensitive: "HUNTER2" }],
  ["upper(var.later)", { unknown: true }],
  // can and try
  ["can(var.tags.env)", { value: true }],
  ["can(var.tags.nope)", { value: false }],
  ['try(var.tags.nope, var.tags.env, "x")', { value: "prod" }],
  ['try(var.tags.nope, "fallback")', { value: "fallback" }],
  [
    "try(var.tags.nope, var.list[9])",
    { error: 'No expression given to "try" produced a result', code: "eval/function-error" },
  ],
  ['try(var.later, "x")', { unknown: true }],
  ["can()", { error: "exactly 1 argument", code: "eval/function-arity" }],
];

describe("eval/evaluate", () => {
  for (const [src, want] of cases) {
    it(`${JSON.stringify(src)} → ${JSON.stringify(want)}`, () => {
      const r = run(src);
      if ("error" in want) {
        expect(r.diagnostics.length, "a diagnostic").to.be.greaterThan(0);
        const d = r.diagnostics[0]!;
        expect(d.detail).to.contain(want.error);
        expect(d.code).to.equal(want.code);
        expect(d.severity).to.equal("error");
        if (want.col) expect([d.range!.start.column, d.range!.end.column]).to.deep.equal(want.col);
        return;
      }
      expect(r.diagnostics, JSON.stringify(r.diagnostics)).to.deep.equal([]);
      if ("unknown" in want) expect(r.value.isWhollyKnown()).to.equal(false);
      else if ("sensitive" in want) {
        expect(r.value.sensitive).to.equal(true);
        expect(toNative(r.value.unmarkDeep().value)).to.deep.equal(want.sensitive);
      } else expect(toNative(r.value)).to.deep.equal(want.value);
    });
  }

  it("suggests near-miss attribute names", () => {
    const r = run("var.nme");
    expect(r.diagnostics[0]!.hint).to.equal('did you mean "name"?');
  });
});
