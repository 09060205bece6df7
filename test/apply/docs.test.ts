// Every plan/* and apply/* diagnostic code has a section in docs/diagnostics.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function codesOf(room: string): Set<string> {
  const dir = join(root, "src", room);
  return new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(new RegExp(`"(${room}/[a-z-]*[a-z])"`, "g"))].map((m) => m[1]!)),
  );
}

describe("docs for the plan and apply rooms", () => {
  for (const [room, least] of [["plan", 15], ["apply", 4]] as const) {
    it(`docs/diagnostics.md documents every ${room}/* code`, () => {
      const codes = codesOf(room);
      expect(codes.size).to.be.greaterThan(least);
      const docs = readFileSync(join(root, "docs", "diagnostics.md"), "utf8");
      // A heading names the code, alone or with others: ### `plan/invalid-target`, `plan/target-not-found`
      const documented = (c: string) => docs.split("\n").some((l) => l.startsWith("### ") && l.includes("`" + c + "`"));
      expect([...codes].filter((c) => !documented(c))).to.deep.equal([]);
    });
  }
});
