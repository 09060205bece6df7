import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("ssm/validate: every rule is documented and has a fixture", () => {
  const sources = ["src/ssm/resource-rules.ts", "src/ssm/document-checks.ts"].map((f) => readFileSync(join(root, f), "utf8")).join("\n");
  const codes = [...new Set([...sources.matchAll(/"(ssm\/[a-z-]+)"/g)].map((m) => m[1]!))];
  it("lists every ssm/ code in docs/validation.md and docs/diagnostics.md", () => {
    expect(codes.length).to.be.greaterThan(30);
    for (const doc of ["docs/validation.md", "docs/diagnostics.md"]) {
      const text = readFileSync(join(root, doc), "utf8");
      expect(codes.filter((c) => !text.includes("`" + c + "`")), doc).to.deep.equal([]);
    }
  });
  it("has a failing fixture named after every code", () => {
    const fixtures = new Set(readdirSync(join(root, "test/ssm/fixtures/errors")).filter((f) => f.endsWith(".state")).map((f) => `ssm/${f.replace(/\.state$/, "")}`));
    expect(codes.filter((c) => !fixtures.has(c))).to.deep.equal([]);
  });
});
