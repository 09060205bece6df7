import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

/**
 * Data flows one way: text → tokens → AST → config → evaluated config → state → graph → plan →
 * apply, with the SSM provider and the local endpoint as separate rooms, composed by the engine,
 * served to editors by the language server (lsp) and driven by the CLI. A room may import only rooms earlier in this list (docs/architecture.md).
 */
const ROOM_ORDER = [
  "diag",
  "net",
  "addrs",
  "ssm",
  "syntax",
  "config",
  "eval",
  "state",
  "state-s3",
  "graph",
  "plan",
  "apply",
  "provider-ssm",
  "local",
  "engine",
  "lsp",
  "cli",
] as const;

/** Pairs that the order alone would allow but that must stay apart. */
const FORBIDDEN: Array<[from: string, to: string, why: string]> = [
  ["local", "provider-ssm", "the local endpoint is a server of its own; it never knows the client side"],
  ["provider-ssm", "local", "the provider talks to any SSM endpoint over HTTP, never to the emulator's internals"],
];

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const srcRoot = join(repoRoot, "src");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

function roomOf(file: string): string | undefined {
  const rel = relative(srcRoot, file);
  return rel.includes(sep) ? rel.split(sep)[0] : undefined;
}

describe("architecture: room order", () => {
  const files = tsFiles(srcRoot);

  it("knows every room under src/", () => {
    const rooms = readdirSync(srcRoot).filter((n) => statSync(join(srcRoot, n)).isDirectory());
    for (const room of rooms) expect(ROOM_ORDER as readonly string[], `room src/${room} is missing from ROOM_ORDER`).to.include(room);
  });

  it("has every room import only earlier rooms", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = roomOf(file);
      if (!from) continue;
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)"(\.{1,2}\/[^"]+)"/g)) {
        const target = roomOf(resolve(dirname(file), m[1]!));
        if (!target || target === from) continue;
        const ok = ROOM_ORDER.indexOf(target as never) < ROOM_ORDER.indexOf(from as never);
        const forbidden = FORBIDDEN.find(([f, t]) => f === from && t === target);
        if (!ok) violations.push(`${relative(repoRoot, file)} imports ${target}/ (a later room)`);
        else if (forbidden) violations.push(`${relative(repoRoot, file)} imports ${target}/: ${forbidden[2]}`);
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it("opens every room with a header comment or README saying what it owns", () => {
    const rooms = readdirSync(srcRoot).filter((n) => statSync(join(srcRoot, n)).isDirectory());
    const missing = rooms.filter((room) => {
      const dir = join(srcRoot, room);
      if (readdirSync(dir).includes("README.md")) return false;
      const main = ["index.ts", "main.ts"].map((f) => join(dir, f)).find((p) => { try { return statSync(p).isFile(); } catch { return false; } });
      return !main || !/^(#!.*\n)?\s*\/\*\*/.test(readFileSync(main, "utf8"));
    });
    expect(missing, "rooms without a header").to.deep.equal([]);
  });
});
