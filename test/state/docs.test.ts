import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { allDiagnosticCodes } from "../../src/diag/index.js";
import { repoRoot } from "./helpers/paths.js";

// docs/diagnostics.md is checked for every code by test/diag/codes.test.ts; the state file's own
// page lists the state/* codes too.
describe("docs for the state room", () => {
  const codes = allDiagnosticCodes()
    .map((c) => c.code)
    .filter((c) => c.startsWith("state/"));

  it("docs/state-file.md lists every state/* code", () => {
    expect(codes.length).to.be.greaterThan(15);
    const docs = readFileSync(join(repoRoot, "docs", "state-file.md"), "utf8");
    expect(codes.filter((c) => !docs.includes("`" + c + "`"))).to.deep.equal([]);
  });
});
