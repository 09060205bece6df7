import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cli: statectl validate (end to end)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-validate-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 0 and says so when every file is valid", () => {
    writeFileSync(
      join(dir, "main.state"),
      'association "a" {\n  name     = "web-x"\n  document = "AWS-RunShellScript"\n  parameters = { commands = ["true"] }\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n}\n',
    );
    writeFileSync(
      join(dir, "docs.state"),
      'document "d" {\n  name    = "Doc"\n  content = <<EOT\n{"schemaVersion": "2.2", "mainSteps": [{"action": "aws:runShellScript", "name": "run", "inputs": {"runCommand": ["true"]}}]}\nEOT\n}\n',
    );
    writeFileSync(join(dir, "notes.txt"), "not a state file {");
    const r = run(["-C", dir, "validate"]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal("Success! The configuration is valid.\n");
    expect(r.stderr).to.equal("");
  });

  it("exits 1 and renders every error with file, line, column and caret", () => {
    writeFileSync(join(dir, "a.state"), 'association "a" {\n  targets }\n}\n');
    writeFileSync(join(dir, "b.state"), 'assocation "b" {\n}\n');
    const r = run(["-C", dir, "validate"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('error[syntax/unexpected-token]: Unexpected "}"\n --> a.state:2:11\n');
    expect(r.stderr).to.contain('  |           ^ expected "=" or "{" after "targets"');
    expect(r.stderr).to.contain("--> b.state:1:1");
    expect(r.stderr).to.contain('hint: did you mean "association"?');
    expect(r.stderr).to.contain("2 errors in 2 files.");
    expect(r.stdout).to.equal("");
  });

  it("counts the files that have errors, not the files checked", () => {
    writeFileSync(join(dir, "a.state"), 'association "a" {\n  targets }\n  schedul = 1 +\n}\n');
    writeFileSync(join(dir, "b.state"), "locals {\n  ok = 1\n}\n");
    const r = run(["-C", dir, "validate"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("2 errors in 1 file.");
  });

  it("prints JSON diagnostics with --json", () => {
    writeFileSync(join(dir, "a.state"), 'locals {\n  a = "abc\n}\n');
    const r = run(["-C", dir, "validate", "--json"]);
    expect(r.code).to.equal(1);
    const j = JSON.parse(r.stdout);
    expect(j).to.include({ format_version: "1.0", valid: false, error_count: 1 });
    expect(j.diagnostics[0]).to.deep.include({
      severity: "error",
      code: "syntax/unterminated-string",
      summary: "Unterminated string",
    });
    expect(j.diagnostics[0].range).to.deep.equal({
      file: "a.state",
      start: { line: 2, column: 7, offset: 15 },
      end: { line: 2, column: 8, offset: 16 },
    });
  });

  it("prints a valid JSON report for a clean directory", () => {
    writeFileSync(join(dir, "a.state"), "locals {\n  a = 1\n}\n");
    const r = run(["-C", dir, "validate", "--json"]);
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      format_version: "1.0",
      valid: true,
      error_count: 0,
      warning_count: 0,
      diagnostics: [],
    });
  });

  it("fails when there are no .state files", () => {
    const r = run(["-C", dir, "validate"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("error[validate/no-files]: No configuration files");
  });

  it("follows symbolic links to .state files and reports dangling ones", () => {
    const other = mkdtempSync(join(tmpdir(), "statectl-validate-target-"));
    try {
      writeFileSync(join(other, "real.state"), "locals {\n  a = = 1\n}\n");
      symlinkSync(join(other, "real.state"), join(dir, "linked.state"));
      symlinkSync(join(other, "missing.state"), join(dir, "dangling.state"));
      const r = run(["-C", dir, "validate"]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain("--> linked.state:2:7");
      expect(r.stderr).to.contain("error[config/unreadable-file]: Cannot read dangling.state");
      expect(r.stderr).to.not.contain("validate/no-files");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("never prints a stack trace for binary junk", () => {
    writeFileSync(join(dir, "junk.state"), Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256)));
    const r = run(["-C", dir, "validate"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.not.match(/\n\s+at .*\(.*:\d+:\d+\)/);
    // Not UTF-8, so it is refused as a whole (with the first bad byte), never parsed as mangled text.
    expect(r.stderr).to.contain("error[config/invalid-encoding]");
  });
});
