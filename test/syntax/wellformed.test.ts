/**
 * parseFile's well-formed path (src/syntax/wellformed.ts) against the Chevrotain parser it stands
 * in for: on every input, parseFile must return exactly what the Chevrotain parser returns (the
 * same AST, every range included, and the same diagnostics). The inputs are the valid fixtures and
 * examples, the benchmark's generated files, random well-formed files built from the grammar, and
 * the same files damaged by random edits.
 */
import { expect } from "chai";
import fc from "fast-check";
import { parseFile, parseFileWithRecovery } from "../../src/syntax/parse.js";
import { scanColumns } from "../../src/syntax/lexer.js";
import { parseWellFormed } from "../../src/syntax/wellformed.js";
import { generateAssociations } from "../bench/generate.js";
import { applyEdits, edits, fuzzRuns } from "../mutate.js";
import { CORPUS, FRAGMENTS } from "./mutation.property.test.js";

/** Whether the well-formed path parsed `text` itself (rather than giving up). */
function tookWellFormedPath(text: string): boolean {
  const scanned = scanColumns(text, "w.state");
  return scanned.diagnostics.length === 0 && parseWellFormed(scanned.tokens, text, "w.state") !== undefined;
}

function expectSameAsRecovering(text: string): void {
  expect(parseFile(text, "w.state")).to.deep.equal(parseFileWithRecovery(text, "w.state"));
}

// -- random well-formed files, written as text from the grammar -----------------------------

const name = fc.constantFrom("a", "b", "var", "local", "each", "x-y", "in", "if", "true", "null", "_z9");
const space = fc.constantFrom("", " ", "  ");
const sep = fc.constantFrom(",", ", ", ",\n", " ,\n  ");

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    {
      arbitrary: fc.oneof(
        name,
        fc.constantFrom(
          "0",
          "12",
          "1.5",
          "2e3",
          "true",
          "false",
          "null",
          '"s"',
          '""',
          '"a\\nb \\u00e9"',
          '"$${x}"',
          "'q'",
        ),
      ),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(
          tie("expr"),
          space,
          fc.constantFrom("+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"),
          space,
          tie("expr"),
        )
        .map((p) => p.join("")),
      weight: 4,
    },
    fc.tuple(fc.constantFrom("!", "-", "!-", "--"), tie("expr")).map(([op, e]) => op + e),
    fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([c, t, f]) => `${c} ? ${t} : ${f}`),
    fc
      .tuple(name, fc.array(tie("expr"), { maxLength: 3 }), fc.constantFrom("", "...", ",", "...,"))
      .map(([f, args, end]) => `${f}(${args.join(", ")}${args.length ? end : ""})`),
    fc
      .tuple(fc.array(tie("expr"), { maxLength: 3 }), sep, fc.boolean())
      .map(([items, s, trailing]) => `[${items.join(s)}${trailing && items.length ? "," : ""}]`),
    fc
      .tuple(
        fc.array(
          fc.tuple(
            fc.oneof(name, fc.constantFrom('"k"', "(a.b)", "1")),
            fc.constantFrom(" = ", ": ", "="),
            tie("expr"),
          ),
          { maxLength: 3 },
        ),
        fc.constantFrom(", ", "\n", ",\n", "\n\n", " "),
      )
      .map(([items, s]) => `{${items.map((i) => i.join("")).join(s)}}`),
    fc
      .tuple(fc.constantFrom("a ", "", "x$${"), tie("expr"), fc.constantFrom("", " b", "%%{"))
      .map(([pre, e, post]) => `"${pre}\${${e}}${post}"`),
    fc.tuple(tie("expr")).map(([e]) => `(${e})`),
    fc
      .tuple(fc.constantFrom("v", "k, v"), tie("expr"), tie("expr"), fc.option(tie("expr")))
      .map(([vars, c, v, cond]) => `[for ${vars} in ${c} : ${v}${cond ? ` if ${cond}` : ""}]`),
    fc
      .tuple(fc.constantFrom("v", "k, v"), tie("expr"), tie("expr"), tie("expr"), fc.boolean(), fc.option(tie("expr")))
      .map(
        ([vars, c, k, v, group, cond]) =>
          `{for ${vars} in ${c} : ${k} => ${v}${group ? "..." : ""}${cond ? ` if ${cond}` : ""}}`,
      ),
    fc
      .tuple(
        tie("expr"),
        fc.array(
          fc.oneof(
            name.map((n) => "." + n),
            fc.constantFrom(".0", ".*", "[*]", '["k"]', "[1]"),
            tie("expr").map((e) => `[${e}]`),
          ),
          { minLength: 1, maxLength: 4 },
        ),
      )
      .map(([e, steps]) => `${e}${steps.join("")}`),
    fc
      .tuple(
        fc.constantFrom("<<EOT", "<<-EOT"),
        fc.array(
          fc.oneof(
            fc.constantFrom("", "  text", "    more  ", "\tx"),
            tie("expr").map((e) => `  a \${${e}} b`),
          ),
          { maxLength: 3 },
        ),
        fc.constantFrom("EOT", "  EOT"),
      )
      .map(([open, lines, close]) => `${open}\n${lines.map((l) => l + "\n").join("")}${close}\n`),
  ),
}));

const { body } = fc.letrec<{ body: string; item: string }>((tie) => ({
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: fc.tuple(name, fc.constantFrom(" = ", "="), expr).map(([n, eq, e]) => `${n}${eq}${e}`), weight: 3 },
    fc
      .tuple(name, fc.array(fc.constantFrom('"l"', "lab", '"a b"'), { maxLength: 2 }), tie("body"))
      .map(([n, labels, b]) => `${[n, ...labels].join(" ")} {\n${b}}`),
  ),
  body: fc
    .array(fc.tuple(tie("item"), fc.constantFrom("\n", "\n\n", " # c\n", " // c\n")), { maxLength: 4 })
    .map((items) => items.map(([i, end]) => i + end).join("")),
}));

const topLevel = fc
  .array(
    fc.tuple(
      fc.constantFrom("association", "document", "locals", "variable", "output", "moved", "bogus"),
      fc.array(fc.constantFrom('"n"', '"m"'), { maxLength: 2 }),
      body,
      fc.constantFrom("\n", "\n\n", ""),
    ),
    { maxLength: 3 },
  )
  .map((blocks) => blocks.map(([type, labels, b, end]) => `${[type, ...labels].join(" ")} {\n${b}}\n${end}`).join(""));

describe("syntax: the well-formed path parses exactly as the Chevrotain parser does", () => {
  it("takes the well-formed path for every valid fixture, example and generated file, with the same AST", () => {
    const inputs = [...CORPUS, generateAssociations(60).text, generateAssociations(60, 7).text, ""];
    for (const text of inputs) {
      expect(tookWellFormedPath(text), text.slice(0, 200)).to.equal(true);
      const recovering = parseFileWithRecovery(text, "w.state");
      expect(recovering.diagnostics).to.deep.equal([]);
      expect(parseFile(text, "w.state")).to.deep.equal(recovering);
    }
  });

  it("gives the same result on random well-formed files (most of which take that path)", () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(topLevel, (text) => {
        runs++;
        if (tookWellFormedPath(text)) taken++;
        expectSameAsRecovering(text);
      }),
      { numRuns: fuzzRuns(300) },
    );
    // The generator writes the odd error on purpose (bogus block types, a dotted object key);
    // most files must still be the kind the well-formed path parses, or this tests nothing.
    expect(taken, `${taken} of ${runs}`).to.be.greaterThan(runs / 3);
  });

  it("gives the same result on damaged configurations and damaged random files", () => {
    const damaged = fc
      .tuple(fc.oneof(fc.constantFrom(...CORPUS), topLevel), edits(FRAGMENTS, 2))
      .map(([text, list]) => applyEdits(text, list));
    fc.assert(fc.property(damaged, expectSameAsRecovering), { numRuns: fuzzRuns(300) });
  });

  it("gives up at the nesting limit exactly where the Chevrotain parser reports it", () => {
    for (let n = 95; n <= 102; n++) {
      for (const [open, close] of [
        ["[", "]"],
        ["(", ")"],
        ["!", ""],
        ["-", ""],
        ["a ? b : ", ""],
        ["{a = ", "}"],
      ]) {
        expectSameAsRecovering(`locals {\n  v = ${open!.repeat(n)}1${close!.repeat(n)}\n}\n`);
      }
      expectSameAsRecovering(
        `locals {\n  v = a${"[0]".repeat(n)}\n  w = f()${".x".repeat(n)}\n  y = ${Array.from({ length: n }, (_, i) => i).join(" + ")}\n}\n`,
      );
      expectSameAsRecovering(`${"x {\n".repeat(n)}a = 1\n${"}\n".repeat(n)}`);
    }
  });
});
