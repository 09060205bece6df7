import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import ts from "typescript";

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
  "sandbox",
  "local",
  "engine",
  "lsp",
  "cli",
] as const;

/** Pairs that the order alone would allow but that must stay apart. */
const FORBIDDEN: Array<[from: string, to: string, why: string]> = [
  ["local", "provider-ssm", "the local endpoint is a server of its own; it never knows the client side"],
  ["provider-ssm", "local", "the provider talks to any SSM endpoint over HTTP, never to the emulator's internals"],
  ["sandbox", "provider-ssm", "the sandbox runs shell in an instance; it knows nothing of SSM or its clients"],
];

/**
 * A cross-room import goes through the room's front door (its index.ts) except for these modules,
 * each imported directly for the reason given (mostly: what a command loads at start-up).
 */
const SIDE_DOORS: Readonly<Record<string, string>> = {
  "diag/diagnostic.ts":
    "the parser and the SSM checks need diagnostics as data without the renderer diag/index also loads",
  "diag/range.ts": "the parser needs positions and ranges without the renderer diag/index also loads",
  "diag/suggest.ts": '"did you mean" without the renderer diag/index also loads',
  "diag/codes.ts": "the SSM checks name codes without the renderer diag/index also loads",
  "diag/invariant.ts": "the parser and the SSM checks state invariants without the renderer diag/index also loads",

  "diag/safe-text.ts": "the provider scrubs credentials from SSM's messages without the renderer diag/index also loads",
  "syntax/ast.ts":
    "the tree's types and its reference walk, without loading the parsers (Chevrotain) syntax/index brings",
  "syntax/format.ts": "the formatter is loaded only by fmt, the language server and import --generate",
  "ssm/lazy.ts": "the YAML library, loaded on first use",
  "ssm/resource-schema.ts": "one pure table, without the AWS document catalog and the document checks ssm/index loads",
  "ssm/document-model.ts": "the local endpoint parses documents without the AWS document catalog ssm/index loads",
  "ssm/schedule.ts": "the local endpoint parses schedules without the rest of the SSM rules",
  "ssm/association-parameters.ts": "the local endpoint checks parameters without the rest of the SSM rules",
  "ssm/schedule-forecast.ts": "statectl schedule loads the forecast alone",
  "engine/validate.ts":
    "statectl validate and the language server load validation without plan, apply and the provider",
  "engine/backend.ts":
    "the state and workspace commands choose the state backend without loading plan, apply and the provider",
  "engine/schedule.ts": "statectl schedule loads the forecast without plan, apply and the provider",
  "provider-ssm/assume-role.ts":
    "the engine assumes provider roles (STS) before plan without loading the SSM provider and its SDK client",
  "config/source-file.ts": "statectl fmt reads files with the configuration's limits without loading the decoder",
};

/** Every module a file imports, statically, as a type or lazily (`import(...)`), found in its syntax tree. */
const importCache = new Map<string, string[]>();
function importsOf(file: string): string[] {
  const cached = importCache.get(file);
  if (cached) return cached;
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      out.push(node.moduleSpecifier.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      out.push(node.arguments[0].text);
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    )
      out.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  importCache.set(file, out);
  return out;
}

/** The source file a relative import names (`../diag/index.js` → src/diag/index.ts). */
function importedFile(from: string, specifier: string): string | undefined {
  return specifier.startsWith(".") ? resolve(dirname(from), specifier).replace(/\.js$/, ".ts") : undefined;
}

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
    for (const room of rooms) expect(ROOM_ORDER, `room src/${room} is missing from ROOM_ORDER`).to.include(room);
  });

  it("has every room import only earlier rooms", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = roomOf(file);
      if (!from) continue;
      for (const specifier of importsOf(file)) {
        const imported = importedFile(file, specifier);
        const target = imported && roomOf(imported);
        if (!target || target === from) continue;
        const ok = ROOM_ORDER.indexOf(target as never) < ROOM_ORDER.indexOf(from as never);
        const forbidden = FORBIDDEN.find(([f, t]) => f === from && t === target);
        if (!ok) violations.push(`${relative(repoRoot, file)} imports ${target}/ (a later room)`);
        else if (forbidden) violations.push(`${relative(repoRoot, file)} imports ${target}/: ${forbidden[2]}`);
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it("finds imports in the syntax tree: static, type-only, re-exports and lazy import() alike", () => {
    const found = importsOf(join(srcRoot, "cli", "commands", "schedule.ts"));
    expect(found).to.include("../../engine/schedule.js");
    expect(importsOf(join(srcRoot, "index.ts")).length).to.be.greaterThan(5);
  });

  it("has cross-room imports go through the room's index.ts, or a side door listed with its reason", () => {
    const violations: string[] = [];
    const used = new Set<string>();
    for (const file of files) {
      const from = roomOf(file);
      if (!from) continue;
      for (const specifier of importsOf(file)) {
        const imported = importedFile(file, specifier);
        const target = imported && roomOf(imported);
        if (!imported || !target || target === from) continue;
        const module = relative(srcRoot, imported).split(sep).join("/");
        if (module === `${target}/index.ts`) continue;
        if (SIDE_DOORS[module]) used.add(module);
        else violations.push(`${relative(repoRoot, file)} imports ${module}, not ${target}/index.ts`);
      }
    }
    expect(violations).to.deep.equal([]);
    expect(
      Object.keys(SIDE_DOORS).filter((m) => !used.has(m)),
      "side doors nobody uses any more",
    ).to.deep.equal([]);
  });

  it("lists the rooms in docs/architecture.md's table in the room order", () => {
    const doc = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
    const start = doc.indexOf("## Rooms at a glance");
    const table = doc.slice(start, doc.indexOf("\n## ", start + 1));
    const rows = [...table.matchAll(/^\| `([a-z0-9-]+)\/` \|/gm)].map((m) => m[1]);
    expect(rows).to.deep.equal([...ROOM_ORDER]);
  });

  it("opens every room with a header comment or README saying what it owns", () => {
    const rooms = readdirSync(srcRoot).filter((n) => statSync(join(srcRoot, n)).isDirectory());
    const missing = rooms.filter((room) => {
      const dir = join(srcRoot, room);
      if (readdirSync(dir).includes("README.md")) return false;
      const main = ["index.ts", "main.ts"]
        .map((f) => join(dir, f))
        .find((p) => {
          try {
            return statSync(p).isFile();
          } catch {
            return false;
          }
        });
      return !main || !/^(#!.*\n)?\s*\/\*\*/.test(readFileSync(main, "utf8"));
    });
    expect(missing, "rooms without a header").to.deep.equal([]);
  });
});
