import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import ts from "typescript";

/**
 * The library never prints and never exits: it returns results and diagnostics, and reports
 * progress through callbacks. Only src/cli/ owns the terminal and the exit code. This finds
 * every use of `console.*`, `process.stdout` / `process.stderr` and `process.exit` /
 * `process.exitCode` in src/ outside src/cli/ by walking the syntax tree (comments and strings
 * that mention them do not count).
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const srcRoot = join(repoRoot, "src");

/** Uses outside src/cli/ that are legitimate, as `file: expression` → why. Keep it short. */
const ALLOWED: Readonly<Record<string, string>> = {};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") ? [p] : [];
  });
}

const FORBIDDEN_PROCESS_MEMBERS = new Set(["stdout", "stderr", "exit", "exitCode", "abort"]);

/** `file:line: expression` for every forbidden use in one source text. */
export function terminalUses(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const object = node.expression.text;
      const member = node.name.text;
      if (object === "console" || (object === "process" && FORBIDDEN_PROCESS_MEMBERS.has(member))) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        found.push(`${fileName}:${line}: ${object}.${member}`);
      }
    }
    // `const { stdout } = process` and `globalThis.console` would dodge the check above.
    if (
      ts.isVariableDeclaration(node) &&
      ts.isObjectBindingPattern(node.name) &&
      node.initializer &&
      ts.isIdentifier(node.initializer) &&
      ["process", "console"].includes(node.initializer.text)
    ) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push(`${fileName}:${line}: destructures ${node.initializer.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("architecture: the library never prints and never exits", () => {
  it("finds no console.*, process.stdout/stderr or process.exit outside src/cli/", () => {
    const uses = tsFiles(srcRoot)
      .filter((f) => relative(srcRoot, f).split(sep)[0] !== "cli")
      .flatMap((f) => terminalUses(relative(repoRoot, f), readFileSync(f, "utf8")))
      .filter((use) => !(use.replace(/:\d+:/, ":") in ALLOWED));
    expect(
      uses,
      "library code must return results and diagnostics, and report progress through callbacks; printing and exiting belong to src/cli/",
    ).to.deep.equal([]);
  });

  it("catches what it is meant to catch, and not mentions in comments or strings", () => {
    const text = [
      "// console.log in a comment is fine",
      'const s = "process.exit(1) in a string is fine";',
      "console.error('x');",
      "process.stdout.write('x');",
      "process.exitCode = 2;",
      "const { stderr } = process;",
      "process.exit(1);",
    ].join("\n");
    expect(terminalUses("x.ts", text)).to.deep.equal([
      "x.ts:3: console.error",
      "x.ts:4: process.stdout",
      "x.ts:5: process.exitCode",
      "x.ts:6: destructures process",
      "x.ts:7: process.exit",
    ]);
  });

  it("still sees the CLI's own printing (the scan works on real files)", () => {
    const io = join(srcRoot, "cli", "io.ts");
    expect(terminalUses("io.ts", readFileSync(io, "utf8")).length).to.be.greaterThan(0);
  });
});
