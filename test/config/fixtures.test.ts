/**
 * Fixture tests. `fixtures/errors/*.state`: one mistake per file, the offending line marked
 * `# ERROR: <summary>`; the rendered diagnostics are the golden `<name>.golden`. Every marked
 * line must get an error and every error must be on a marked line. `fixtures/valid/<dir>/`:
 * a configuration that must load and evaluate cleanly; its evaluated form is `expected.json`.
 * `UPDATE_GOLDENS=1 npm test` rewrites the goldens (review the diff).
 */
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { renderDiagnostics, sortDiagnostics } from "../../src/diag/index.js";
import { evaluateConfig } from "../../src/eval/configeval.js";
import { snapshotEvaluated } from "./snapshot.js";
import { golden } from "../support/golden.js";

const root = fileURLToPath(new URL("../../../test/config/fixtures/", import.meta.url));

describe("config/fixtures: one mistake per file", () => {
  const dir = join(root, "errors");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".state"))
    .sort()) {
    it(file, () => {
      const text = readFileSync(join(dir, file), "utf8");
      const loaded = loadConfig({ files: { [file]: text }, dir: "/fixtures" });
      const evaluated = evaluateConfig(loaded.config);
      const diags = sortDiagnostics([...loaded.diagnostics, ...evaluated.diagnostics]);
      const marked = text.split("\n").flatMap((l, i) => (l.includes("# ERROR:") ? [i + 1] : []));
      expect(marked.length, "the fixture marks its offending line").to.be.greaterThan(0);
      const errorLines = diags.filter((d) => d.severity === "error").map((d) => d.range?.start.line);
      for (const line of marked) expect(errorLines, `an error on marked line ${line}`).to.include(line);
      for (const line of errorLines) expect(marked, `error on line ${line} is marked`).to.include(line);
      golden(join(dir, file.replace(/\.state$/, ".golden")), renderDiagnostics(diags, loaded.config.sources) + "\n");
    });
  }
});

describe("config/fixtures: valid configurations", () => {
  const dir = join(root, "valid");
  for (const name of readdirSync(dir)
    .filter((f) => statSync(join(dir, f)).isDirectory())
    .sort()) {
    it(name, () => {
      const base = join(dir, name);
      const optsPath = join(base, "options.json");
      const opts = existsSync(optsPath)
        ? (JSON.parse(readFileSync(optsPath, "utf8")) as {
            vars?: string[];
            varFiles?: string[];
            env?: Record<string, string>;
          })
        : {};
      const loaded = loadConfig({ dir: base }, opts);
      const evaluated = evaluateConfig(loaded.config);
      const diags = [...loaded.diagnostics, ...evaluated.diagnostics];
      expect(diags, renderDiagnostics(diags, loaded.config.sources)).to.deep.equal([]);
      golden(join(base, "expected.json"), JSON.stringify(snapshotEvaluated(evaluated, base), null, 2) + "\n");
    });
  }
});
