import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

/** The repository root, from dist/test/state/helpers/ where the compiled helper runs. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
export const fixturesDir = join(repoRoot, "test", "state", "fixtures");
export const helpersDir = fileURLToPath(new URL(".", import.meta.url));
export const cliMain = join(repoRoot, "dist", "src", "cli", "main.js");

export function tempDir(prefix = "statectl-state-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Compares `actual` with the golden file; `UPDATE_GOLDENS=1 npm test` rewrites it instead. */
export function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDENS) {
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `golden ${path} is missing (UPDATE_GOLDENS=1 writes it)`).to.equal(true);
  expect(actual, `golden ${path} (UPDATE_GOLDENS=1 rewrites it)`).to.equal(readFileSync(path, "utf8"));
}
