import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { allDiagnosticCodes } from "../../src/diag/index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

// docs/diagnostics.md is checked for every code by test/diag/codes.test.ts.
describe("ssm/validate: every rule is documented and has a fixture", () => {
  const codes = allDiagnosticCodes()
    .map((c) => c.code)
    .filter((c) => c.startsWith("ssm/"));
  it("lists every ssm/ code in docs/validation.md", () => {
    expect(codes.length).to.be.greaterThan(30);
    const text = readFileSync(join(root, "docs/validation.md"), "utf8");
    expect(codes.filter((c) => !text.includes("`" + c + "`"))).to.deep.equal([]);
  });
  it("has a failing fixture named after every code", () => {
    const fixtures = new Set(
      readdirSync(join(root, "test/ssm/fixtures/errors"))
        .filter((f) => f.endsWith(".state"))
        .map((f) => `ssm/${f.replace(/\.state$/, "")}`),
    );
    // Found while planning (SSM is asked), so test/engine/document-versions.test.ts covers it.
    const offline = codes.filter((c) => c !== "ssm/document-version-not-found");
    expect(offline.filter((c) => !fixtures.has(c))).to.deep.equal([]);
  });
});
