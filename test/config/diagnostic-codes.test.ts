import { expect } from "chai";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("config/eval/addrs: diagnostic codes", () => {
  it("documents every code the config, eval and addrs rooms can report in docs/diagnostics.md", () => {
    const docs = readFileSync(join(root, "docs/diagnostics.md"), "utf8");
    const codes = new Set<string>();
    for (const room of ["config", "eval", "addrs"]) {
      for (const file of sources(join(root, "src", room))) {
        for (const m of readFileSync(file, "utf8").matchAll(/"((?:config|eval|addrs)\/[a-z-]+)"/g)) codes.add(m[1]!);
      }
    }
    expect(codes.size).to.be.greaterThan(40);
    const missing = [...codes].filter((c) => !docs.includes("`" + c + "`"));
    expect(missing).to.deep.equal([]);
  });
});
