// Every apply/* diagnostic code has a section in docs/diagnostics.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("docs for the apply room", () => {
  it("docs/diagnostics.md has a section for every apply/* code", () => {
    const dir = join(root, "src", "apply");
    const codes = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/"(apply\/[a-z-]*[a-z])"/g)].map((m) => m[1]!)),
    );
    expect(codes.size).to.be.greaterThan(4);
    const docs = readFileSync(join(root, "docs", "diagnostics.md"), "utf8");
    expect([...codes].filter((c) => !docs.includes("### `" + c + "`"))).to.deep.equal([]);
  });
});
