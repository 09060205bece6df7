// Mutation fuzzing of loading and evaluation: every example configuration (with the files it
// reads, in memory) damaged by random edits. Loading, decoding and evaluating must never throw,
// and every diagnostic's range must point inside a source the registry holds.
import { expect } from "chai";
import fc from "fast-check";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/index.js";
import { renderDiagnostics } from "../../src/diag/index.js";
import { evaluateConfig } from "../../src/eval/index.js";
import { applyEdits, edits, fuzzRuns } from "../mutate.js";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

function filesOf(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) Object.assign(out, filesOf(p, base));
    else if (!f.endsWith(".md")) out[relative(base, p)] = readFileSync(p, "utf8");
  }
  return out;
}

/** Each example as an in-memory file set, with the name of the .state file to damage. */
const CASES = readdirSync(examples)
  .filter((name) => statSync(join(examples, name)).isDirectory())
  .flatMap((name) => {
    const files = filesOf(join(examples, name));
    return Object.keys(files)
      .filter((f) => f.endsWith(".state") || f.endsWith(".statevars"))
      .map((target) => ({ example: name, files, target }));
  });

const FRAGMENTS = [
  "var.",
  "local.",
  "document.",
  "association.",
  "each.key",
  "count.index",
  "self",
  "${",
  "}",
  "{",
  "[",
  "]",
  "(",
  ")",
  "=",
  '"',
  ",",
  "null",
  "true",
  "-1",
  "1e308",
  "0.5",
  "for_each = ",
  "count = ",
  'file("nope")',
  'file("/etc/passwd")',
  "jsondecode(",
  "tomap(",
  "sensitive(",
  "depends_on = [",
  "lifecycle {",
  "\n",
  "#",
];

function check(files: Record<string, string>): void {
  const loaded = loadConfig({ files, dir: "/fuzz" });
  const r = evaluateConfig(loaded.config);
  expect(r.resources).to.be.an("array");
  const all = [...loaded.diagnostics, ...r.diagnostics];
  for (const d of all) {
    expect(d.code, d.summary).to.match(/^[a-z-]+\/[a-z-]+$/);
    if (!d.range) continue;
    const text = loaded.config.sources.get(d.range.file);
    expect(text, `${d.code} points into ${d.range.file}, a registered source`).to.be.a("string");
    expect(d.range.start.offset).to.be.within(0, text!.length);
    expect(d.range.end.offset).to.be.within(d.range.start.offset, text!.length);
  }
  expect(renderDiagnostics(all, loaded.config.sources)).to.be.a("string");
}

describe("eval: mutation fuzzing of the examples", () => {
  it(`has every example (${CASES.length} files to damage) and they evaluate`, () => {
    expect(CASES.length).to.be.greaterThan(4);
    for (const c of CASES) check(c.files);
  });

  it("loading and evaluating damaged examples never throws; every diagnostic points into a known source", () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASES), edits(FRAGMENTS), (c, list) => {
        check({ ...c.files, [c.target]: applyEdits(c.files[c.target]!, list) });
      }),
      { numRuns: fuzzRuns(200) },
    );
  });

  // Found by this property (seed 20261128): a .statevars file is parsed inside a synthetic
  // "locals {" … "\n}", and diagnostics about those added characters pointed outside the file.
  it("keeps var-file diagnostics inside the file: no final newline (regression)", () => {
    const loaded = loadConfig({
      files: { "v.state": 'variable "environment" {}\n', "dev.auto.statevars": "enviro" },
      dir: "/fuzz",
    });
    expect(loaded.diagnostics.map((d) => [d.code, d.range?.start.offset, d.range?.end.offset])).to.deep.equal([
      ["syntax/unexpected-token", 6, 6],
    ]);
  });

  it("keeps var-file diagnostics inside the file: an unclosed block at the start (regression)", () => {
    const text = 'lifecycle {environment = "dev"\n';
    const loaded = loadConfig({
      files: { "v.state": 'variable "environment" {}\n', "dev.auto.statevars": text },
      dir: "/fuzz",
    });
    expect(loaded.diagnostics.length).to.be.greaterThan(0);
    for (const d of loaded.diagnostics)
      expect(
        [d.range!.start.offset, d.range!.end.offset].every((o) => o >= 0 && o <= text.length),
        JSON.stringify(d.range),
      ).to.equal(true);
  });

  // Found by this property with FUZZ_RUNS=10000 (seed -1642262606, after 7,659 cases): count = 1e308
  // threw "Invalid array length" (and a count of ten million would have exhausted memory).
  it("refuses a huge count with a diagnostic (regression)", () => {
    for (const count of ["1e308", "10000000"]) {
      const loaded = loadConfig({
        files: {
          "main.state": `document "d" {\n  count   = ${count}\n  name    = "D-\${count.index}"\n  content = "{}"\n}\n`,
        },
        dir: "/fuzz",
      });
      const r = evaluateConfig(loaded.config);
      expect(r.diagnostics.map((d) => d.code)).to.deep.equal(["eval/invalid-count"]);
      expect(r.diagnostics[0]!.detail).to.contain("at most 10000 instances");
    }
  });
});
