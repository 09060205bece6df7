import { expect } from "chai";
import fc from "fast-check";
import { loadConfig } from "../../src/config/index.js";
import { callFunction, BUILTIN_FUNCTIONS, functionNames } from "../../src/eval/functions/index.js";
import { evaluate } from "../../src/eval/evaluate.js";
import { evaluateConfig } from "../../src/eval/configeval.js";
import { memoryFileSource } from "../../src/eval/filesource.js";
import { Value, fromNative, toNative } from "../../src/eval/value.js";
import { parseExpression } from "../../src/syntax/index.js";

const fnCtx = { baseDir: "/p", files: memoryFileSource({ "a.txt": "x" }, "/p") };

/** Expressions built from the language's pieces, often ill-typed on purpose. */
const leaf = fc.constantFrom(
  "1",
  "0",
  "-2.5",
  '"a"',
  '""',
  '"1"',
  "true",
  "false",
  "null",
  "var.s",
  "var.n",
  "var.l",
  "var.m",
  "var.u",
  "var.pw",
  "var.nul",
  "[]",
  "{}",
  '["a", 1]',
  "{ a = 1 }",
  "nope",
  "var.missing",
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc
      .tuple(tie("e"), fc.constantFrom("+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"), tie("e"))
      .map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(fc.constantFrom("!", "-"), tie("e")).map(([op, a]) => `${op}(${a})`),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    fc
      .tuple(fc.constantFrom(...functionNames()), fc.array(tie("e"), { maxLength: 3 }))
      .map(([f, args]) => `${f}(${args.join(", ")})`),
    fc.tuple(tie("e"), tie("e")).map(([a, k]) => `(${a})[${k}]`),
    tie("e").map((a) => `(${a}).a`),
    tie("e").map((a) => `(${a})[*]`),
    tie("e").map((a) => `"x\${${a}}y"`),
    fc.tuple(tie("e"), tie("e")).map(([c, v]) => `[for k, v in ${c} : ${v}]`),
    fc.tuple(tie("e"), tie("e")).map(([c, v]) => `{for k, v in ${c} : k => ${v}}`),
    fc.array(tie("e"), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
  ),
})).e;

const scope = new Map([
  [
    "var",
    Value.object({
      s: Value.string("str"),
      n: Value.number(3),
      l: fromNative(["a", "b"]),
      m: fromNative({ a: 1, b: "x" }),
      u: Value.UNKNOWN,
      pw: Value.string("p").mark(),
      nul: Value.NULL,
    }),
  ],
]);

describe("eval: properties", () => {
  it("evaluating any expression never throws: mistakes are diagnostics", () => {
    fc.assert(
      fc.property(expr, (src) => {
        const p = parseExpression(src);
        if (!p.expr) return;
        const r = evaluate(p.expr, { variables: scope, functionContext: fnCtx });
        expect(r.value).to.be.instanceOf(Value);
        for (const d of r.diagnostics) expect(d.range, `${d.code} has a range`).to.not.equal(undefined);
      }),
      { numRuns: 1500 },
    );
  });

  it("calling any function with any arguments never throws", () => {
    const values = [
      Value.string("a"),
      Value.number(-1),
      Value.number(1.5),
      Value.TRUE,
      Value.NULL,
      Value.UNKNOWN,
      fromNative([1, "a"]),
      fromNative({ a: [1] }),
      Value.string("x").mark(),
      Value.list([], undefined),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(BUILTIN_FUNCTIONS)),
        fc.array(fc.constantFrom(...values), { maxLength: 4 }),
        (name, args) => {
          const r = callFunction(name, BUILTIN_FUNCTIONS[name]!, args, fnCtx);
          expect(r.value).to.be.instanceOf(Value);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("jsondecode(jsonencode(v)) gives back the same JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (j) => {
        const v = fromNative(JSON.parse(JSON.stringify(j)));
        const enc = callFunction("jsonencode", BUILTIN_FUNCTIONS.jsonencode!, [v], fnCtx);
        const dec = callFunction("jsondecode", BUILTIN_FUNCTIONS.jsondecode!, [enc.value], fnCtx);
        expect(toNative(dec.value)).to.deep.equal(JSON.parse(JSON.stringify(j)));
      }),
      { numRuns: 300 },
    );
  });

  it("loading and evaluating any text never throws", () => {
    const piece = fc.constantFrom(
      'document "d" {\n',
      'association "a" {\n',
      "}\n",
      '  name = "x"\n',
      "  document = document.d.name\n",
      "  count = var.n\n",
      "  for_each = var.m\n",
      "  targets {\n",
      "locals {\n",
      "  a = local.a\n",
      'variable "n" {\n',
      "  type = list(string)\n",
      "  default = 1\n",
      'output "o" {\n',
      "  value = each.key\n",
      "  lifecycle {\n",
      "  ignore_changes = [x]\n",
      "moved {\n",
      "  from = association.a\n",
      "  provider = ssm.x\n",
      "  depends_on = [document.d]\n",
      "@#\n",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }), (pieces) => {
        const loaded = loadConfig({ files: { "main.state": pieces.join("") } });
        const r = evaluateConfig(loaded.config);
        expect(r.resources).to.be.an("array");
      }),
      { numRuns: 500 },
    );
  });
});
