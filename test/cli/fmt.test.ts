import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// End-to-end: runs the built CLI (dist/src/cli/main.js) as a user would.
const mainJs = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function statectl(args: string[], opts: { cwd: string; input?: string }) {
  const r = spawnSync(process.execPath, [mainJs, ...args], {
    cwd: opts.cwd,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const messy = 'association "a" {\nname = "x"\n    document_version = "1"\n}\n';
const tidy = 'association "a" {\n  name             = "x"\n  document_version = "1"\n}\n';
const broken = 'association "a" {\n  name = = "x"\n}\n';

describe("cli: statectl fmt", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-fmt-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("rewrites every .state and .statevars file in the working directory and lists them", () => {
    writeFileSync(path.join(dir, "main.state"), messy);
    writeFileSync(path.join(dir, "ok.state"), tidy);
    writeFileSync(path.join(dir, "prod.statevars"), 'env   =   "prod"\n');
    writeFileSync(path.join(dir, "notes.txt"), messy);
    const r = statectl(["fmt"], { cwd: dir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal("main.state\nprod.statevars\n");
    expect(readFileSync(path.join(dir, "main.state"), "utf8")).to.equal(tidy);
    expect(readFileSync(path.join(dir, "prod.statevars"), "utf8")).to.equal('env = "prod"\n');
    expect(readFileSync(path.join(dir, "notes.txt"), "utf8")).to.equal(messy);
  });

  it("--check writes nothing, lists the files that would change and exits 3", () => {
    writeFileSync(path.join(dir, "main.state"), messy);
    writeFileSync(path.join(dir, "ok.state"), tidy);
    const r = statectl(["fmt", "--check"], { cwd: dir });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.equal("main.state\n");
    expect(readFileSync(path.join(dir, "main.state"), "utf8")).to.equal(messy);
  });

  it("--check exits 0 when everything is canonical", () => {
    writeFileSync(path.join(dir, "ok.state"), tidy);
    const r = statectl(["fmt", "--check"], { cwd: dir });
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal("");
  });

  it("--diff --check prints a unified diff and writes nothing", () => {
    writeFileSync(path.join(dir, "main.state"), messy);
    const r = statectl(["fmt", "--diff", "--check"], { cwd: dir });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.contain("--- main.state\n+++ main.state\n");
    expect(r.stdout).to.contain('\n-name = "x"\n');
    expect(r.stdout).to.contain('\n+  name             = "x"\n');
    expect(r.stdout).not.to.contain("\x1b[");
    expect(readFileSync(path.join(dir, "main.state"), "utf8")).to.equal(messy);
  });

  it("--diff alone prints the diff and rewrites the file", () => {
    writeFileSync(path.join(dir, "main.state"), messy);
    const r = statectl(["fmt", "--diff"], { cwd: dir });
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain("@@ ");
    expect(readFileSync(path.join(dir, "main.state"), "utf8")).to.equal(tidy);
  });

  it('"-" reads stdin and writes the formatted text to stdout', () => {
    const r = statectl(["fmt", "-"], { cwd: dir, input: messy });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(tidy);
  });

  it('"-" with --check exits 3 without printing the text', () => {
    const r = statectl(["fmt", "--check", "-"], { cwd: dir, input: messy });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.equal("");
  });

  it("leaves a file with syntax errors untouched, reports its diagnostics and exits 1", () => {
    writeFileSync(path.join(dir, "bad.state"), broken);
    writeFileSync(path.join(dir, "main.state"), messy);
    const r = statectl(["fmt"], { cwd: dir });
    expect(r.code).to.equal(1);
    expect(readFileSync(path.join(dir, "bad.state"), "utf8")).to.equal(broken);
    expect(r.stderr).to.match(/error\[syntax\/[a-z-]+\]/);
    expect(r.stderr).to.contain("--> bad.state:2:");
    expect(r.stderr).to.contain("bad.state: not formatted because of syntax errors");
    // Other files are still formatted.
    expect(readFileSync(path.join(dir, "main.state"), "utf8")).to.equal(tidy);
  });

  it("reports syntax errors on stdin and exits 1", () => {
    const r = statectl(["fmt", "-"], { cwd: dir, input: broken });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal("");
    expect(r.stderr).to.contain("<stdin>:2:");
  });

  it("formats named files and directories; -C picks the working directory; --recursive descends", () => {
    mkdirSync(path.join(dir, "sub", "deeper"), { recursive: true });
    writeFileSync(path.join(dir, "sub", "a.state"), messy);
    writeFileSync(path.join(dir, "sub", "deeper", "b.state"), messy);
    writeFileSync(path.join(dir, "odd.name"), messy);
    let r = statectl(["fmt", "odd.name"], { cwd: dir });
    expect(r.code).to.equal(0);
    expect(readFileSync(path.join(dir, "odd.name"), "utf8")).to.equal(tidy);
    r = statectl(["-C", "sub", "fmt", "--check"], { cwd: dir });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.equal("a.state\n");
    r = statectl(["fmt", "--recursive", "--check", "sub"], { cwd: dir });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.equal(`${path.join("sub", "a.state")}\n${path.join("sub", "deeper", "b.state")}\n`);
  });

  it("fails with exit 1 for a path that does not exist", () => {
    const r = statectl(["fmt", "missing.state"], { cwd: dir });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("missing.state: no such file or directory");
  });
});
