// The package as a user gets it: `npm pack`, unpacked as node_modules/statectl, imported by
// name. Every ```ts block of docs/library.md is type-checked against the packed type
// declarations and run with Node against the packed JavaScript, so the documented examples
// cannot rot. (The temporary directory sits under dist/ so that Node finds the package's
// dependencies in the repository's node_modules, as it would in a user's project.)
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export interface CodeBlock {
  /** 1-based line of the opening fence in the document. */
  line: number;
  lang: string;
  code: string;
}

/** The fenced code blocks of a Markdown text, with their info string's first word. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```+)\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith(fence); i++) body.push(lines[i]!);
    blocks.push({ line: start + 1, lang: open[2] ?? "", code: body.join("\n") + "\n" });
  }
  return blocks;
}

describe("docs/library.md: the documented examples, run against the packed package", function () {
  this.timeout(180_000);
  const examples = codeBlocks(readFileSync(join(repoRoot, "docs", "library.md"), "utf8")).filter(
    (b) => b.lang === "ts" || b.lang === "js",
  );
  let work: string;

  before(() => {
    mkdirSync(join(repoRoot, "dist"), { recursive: true });
    work = mkdtempSync(join(repoRoot, "dist", "pack-test-"));
    // dist/ was just built by `npm test`; --ignore-scripts keeps npm from building it again.
    const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, npm_config_loglevel: "error" },
    });
    const tarball = (JSON.parse(out) as { filename: string }[])[0]!.filename;
    const target = join(work, "node_modules", "statectl");
    mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", target, "--strip-components=1"]);
    writeFileSync(join(work, "package.json"), JSON.stringify({ name: "statectl-user", private: true, type: "module" }));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("packs the built library, its type declarations and the docs, and nothing of the tests", () => {
    const target = join(work, "node_modules", "statectl");
    const pkg = JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as {
      exports: { ".": { types: string; default: string } };
    };
    expect(readdirSync(target).sort()).to.include.members(["README.md", "dist", "docs", "package.json"]);
    // dist/src: the library; dist/bin: the command (package.json's bin), bundled by `npm run bundle`.
    expect(readdirSync(join(target, "dist")).sort()).to.deep.equal(["bin", "src"]);
    const bin = (pkg as unknown as { bin: { statectl: string } }).bin.statectl;
    const version = spawnSync(process.execPath, [join(target, bin), "--version"], { encoding: "utf8" });
    expect(version.stdout.trim(), version.stderr).to.equal(
      (JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as { version: string }).version,
    );
    expect(readFileSync(join(target, pkg.exports["."].types), "utf8")).to.include("runApply");
    expect(readFileSync(join(target, pkg.exports["."].default), "utf8")).to.include("export");
  });

  it("has runnable examples", () => {
    expect(examples.length).to.be.greaterThan(3);
  });

  // One program for the examples and for the package's exports (building one takes seconds).
  let program: ts.Program | undefined;
  const entryName = "entry.ts";
  function typeProgram(): ts.Program {
    if (program) return program;
    const files = examples.map((b) => {
      const file = join(work, `example-line-${b.line}.ts`);
      writeFileSync(file, b.code);
      return file;
    });
    writeFileSync(join(work, entryName), 'export * from "statectl";\n');
    program = ts.createProgram([...files, join(work, entryName)], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ["node"],
      typeRoots: [join(repoRoot, "node_modules", "@types")],
      skipLibCheck: true,
    });
    return program;
  }

  it("type-checks every example against the packed declarations", () => {
    const program = typeProgram();
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${d.file.fileName.replace(work + "/", "")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(
      problems,
      "docs/library.md examples do not type-check (example-line-N is the block starting at line N)",
    ).to.deep.equal([]);
  });

  it("documents every front door in the packed type declarations (TSDoc)", () => {
    const program = typeProgram();
    const entry = join(work, entryName);
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.getName(), s]));
    const frontDoors = [
      "parseSource",
      "parseStateFile",
      "evaluateConfiguration",
      "runPlan",
      "formatPlan",
      "runApply",
      "readState",
      "writeState",
      "FileStateStorage",
      "MemoryStateStorage",
      "StateStorage",
      "startLocalEndpoint",
      "createLocalSsmClient",
      "renderDiagnostics",
      "diagnosticsToJson",
      "PlanRequest",
      "ApplyRequest",
      "EngineEvent",
      "runStatus",
      "runAssociationsOnce",
      "runImport",
    ];
    const undocumented = frontDoors.filter((name) => {
      const symbol = exported.get(name);
      if (!symbol) return true;
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === "";
    });
    expect(undocumented, "front doors missing from the package or without a TSDoc comment").to.deep.equal([]);
  });

  it("runs every example with Node, importing `statectl` by name", () => {
    const failures: string[] = [];
    for (const b of examples) {
      const file = join(work, `run-line-${b.line}.mjs`);
      const js =
        b.lang === "ts"
          ? ts.transpileModule(b.code, {
              compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
            }).outputText
          : b.code;
      writeFileSync(file, js);
      const r = spawnSync(process.execPath, [file], {
        cwd: work,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NO_COLOR: "1" },
      });
      if (r.status !== 0)
        failures.push(`docs/library.md block at line ${b.line} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    }
    expect(failures.join("\n\n"), "an example in docs/library.md fails").to.equal("");
  });
});

describe("codeBlocks", () => {
  it("finds fenced blocks with their language and line", () => {
    expect(codeBlocks("text\n```ts\nconst a = 1;\n```\n\n```sh\nls\n```\n")).to.deep.equal([
      { line: 2, lang: "ts", code: "const a = 1;\n" },
      { line: 6, lang: "sh", code: "ls\n" },
    ]);
  });
});
