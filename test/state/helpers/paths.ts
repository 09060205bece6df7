import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from dist/test/state/helpers/ where the compiled helper runs. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
export const fixturesDir = join(repoRoot, "test", "state", "fixtures");
export const helpersDir = fileURLToPath(new URL(".", import.meta.url));
export const cliMain = join(repoRoot, "dist", "src", "cli", "main.js");

export function tempDir(prefix = "statectl-state-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export { golden as expectGolden } from "../../support/golden.js";
