// The one golden-file check of the test suite. A golden is what a test's output must be, byte for
// byte, committed beside the test. `UPDATE_GOLDENS=1 npm test` (re)writes every golden instead of
// comparing; review the diff before committing. A missing golden fails the test: a test that
// writes its own expectation and passes would prove nothing.
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const UPDATING_GOLDENS = process.env["UPDATE_GOLDENS"] === "1";

export function golden(path: string, actual: string): void {
  if (UPDATING_GOLDENS) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(
    existsSync(path),
    `golden ${path} is missing (UPDATE_GOLDENS=1 npm test writes it; review it before committing)`,
  ).to.equal(true);
  expect(actual, `golden ${path} (UPDATE_GOLDENS=1 npm test rewrites it)`).to.equal(readFileSync(path, "utf8"));
}
