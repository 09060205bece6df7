import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("docs/diagnostics.md", () => {
  it("documents every syntax/* code the syntax room can emit", () => {
    const dir = join(root, "src/syntax");
    const source = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    const codes = new Set([...source.matchAll(/"(syntax\/[a-z-]*[a-z])"/g)].map((m) => m[1]!));
    expect(codes.size).to.be.greaterThan(10);
    const docs = readFileSync(join(root, "docs/diagnostics.md"), "utf8");
    expect([...codes].filter((c) => !docs.includes("### `" + c + "`"))).to.deep.equal([]);
  });
});
