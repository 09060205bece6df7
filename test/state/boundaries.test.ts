import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { repoRoot } from "./helpers/paths.js";

describe("state/ room boundaries", () => {
  it("imports only diag/, addrs/, Node built-ins and its declared libraries", () => {
    const dir = join(repoRoot, "src", "state");
    const allowed = [
      /^\.\/[a-z-]+\.js$/,
      /^\.\.\/diag\/index\.js$/,
      /^\.\.\/addrs\/index\.js$/,
      /^node:/,
      /^jsonc-parser$/,
    ];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        expect(
          allowed.some((re) => re.test(m[1]!)),
          `${file} imports ${m[1]}`,
        ).to.equal(true);
      }
    }
  });
});
