/**
 * Golden tests, one fixture per file:
 *   fixtures/valid/<name>.state   → <name>.ast.json  (the AST; ranges written as "line:col-line:col")
 *   fixtures/errors/<name>.state  → <name>.diag.txt  (the rendered diagnostics, no colour)
 * `UPDATE_GOLDENS=1 npm test` rewrites the goldens; review the diff before committing.
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { parseFile } from "../../src/syntax/index.js";
import { SourceRegistry, renderDiagnostics, type Range } from "../../src/diag/index.js";
import { golden } from "../support/golden.js";

const fixtures = fileURLToPath(new URL("../../../test/syntax/fixtures/", import.meta.url));

function isRange(v: unknown): v is Range {
  return typeof v === "object" && v !== null && "file" in v && "start" in v && "end" in v;
}

/** The AST with each range written compactly, so goldens stay readable yet pin every position. */
export function compactRanges(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compactRanges);
  if (isRange(node)) return `${node.start.line}:${node.start.column}-${node.end.line}:${node.end.column}`;
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = compactRanges(v);
  return out;
}

const checkGolden = golden;

describe("syntax/golden", () => {
  describe("valid inputs parse to the expected AST with no diagnostics", () => {
    const dir = join(fixtures, "valid");
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith(".state"))
      .sort()) {
      it(f, () => {
        const text = readFileSync(join(dir, f), "utf8");
        const result = parseFile(text, f);
        expect(result.diagnostics, JSON.stringify(result.diagnostics, null, 1)).to.deep.equal([]);
        checkGolden(
          join(dir, f.replace(/\.state$/, ".ast.json")),
          JSON.stringify(compactRanges(result.body), null, 2) + "\n",
        );
      });
    }
  });

  describe("error inputs render the expected diagnostics", () => {
    const dir = join(fixtures, "errors");
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith(".state"))
      .sort()) {
      it(f, () => {
        const text = readFileSync(join(dir, f), "utf8");
        const result = parseFile(text, f);
        expect(result.diagnostics.length, "an error fixture must produce diagnostics").to.be.greaterThan(0);
        const sources = new SourceRegistry();
        sources.add(f, text);
        checkGolden(
          join(dir, f.replace(/\.state$/, ".diag.txt")),
          renderDiagnostics(result.diagnostics, sources) + "\n",
        );
      });
    }
  });
});
