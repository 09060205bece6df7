import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { repoRoot } from "./helpers/paths.js";

describe("docs for the state room", () => {
  const sources = [
    ...readdirSync(join(repoRoot, "src", "state")).map((f) => join(repoRoot, "src", "state", f)),
    join(repoRoot, "src", "cli", "commands", "state.ts"),
    join(repoRoot, "src", "cli", "commands", "force-unlock.ts"),
  ].filter((f) => f.endsWith(".ts"));
  const codes = new Set(sources.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/"(state\/[a-z-]*[a-z])"/g)].map((m) => m[1]!)));

  it("docs/diagnostics.md has a section for every state/* code", () => {
    expect(codes.size).to.be.greaterThan(15);
    const docs = readFileSync(join(repoRoot, "docs", "diagnostics.md"), "utf8");
    expect([...codes].filter((c) => !docs.includes("### `" + c + "`"))).to.deep.equal([]);
  });

  it("docs/state-file.md lists every state/* code", () => {
    const docs = readFileSync(join(repoRoot, "docs", "state-file.md"), "utf8");
    expect([...codes].filter((c) => !docs.includes("`" + c + "`"))).to.deep.equal([]);
  });
});
