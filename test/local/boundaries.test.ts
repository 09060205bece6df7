import { readdirSync, readFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

describe("local/ room boundaries", () => {
  it("imports only its own files, diag/, ssm/, sandbox/'s front door (real runs), Node built-ins, yaml and ical.js (change calendars) — never the engine, provider or CLI", () => {
    const dir = join(repoRoot, "src", "local");
    const allowed = [
      /^\.\/[a-z-]+\.js$/,
      /^\.\.\/diag\/[a-z-]+\.js$/,
      /^\.\.\/ssm\/[a-z-]+\.js$/,
      /^\.\.\/sandbox\/index\.js$/,
      /^node:/,
      /^yaml$/,
      /^ical\.js$/,
    ];
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files).to.include("server.ts");
    for (const file of files) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        expect(
          allowed.some((re) => re.test(m[1]!)),
          `src/local/${file} imports ${m[1]}`,
        ).to.equal(true);
      }
    }
  });

  it("keeps ssm/ free of I/O and of later rooms", () => {
    const dir = join(repoRoot, "src", "ssm");
    const allowed = [/^\.\/[a-z-]+\.js$/, /^\.\.\/diag\/[a-z-]+\.js$/, /^yaml$/, /^cron-parser$/, /^jsonc-parser$/];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(dir, file), "utf8");
      // lazy.ts loads yaml and cron-parser on first use, through require (no I/O of its own).
      const allowedHere = file === "lazy.ts" ? [...allowed, /^node:module$/] : allowed;
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        expect(
          allowedHere.some((re) => re.test(m[1]!)),
          `src/ssm/${file} imports ${m[1]}`,
        ).to.equal(true);
      }
    }
  });
});
