import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [main, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cli: statectl validate — configuration and evaluation checks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-validate-config-"));
    writeFileSync(
      join(dir, "main.state"),
      'variable "env" {\n  type = string\n}\ndocument "install_nginx" {\n  name    = "nginx-${var.env}"\n  content = file("doc.json")\n}\nassociation "web" {\n  document = document.install_nginx.name\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n}\n',
    );
    writeFileSync(
      join(dir, "doc.json"),
      '{"schemaVersion": "2.2", "mainSteps": [{"action": "aws:runShellScript", "name": "run", "inputs": {"runCommand": ["true"]}}]}',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reports a required variable without a value, naming it and how to set it", () => {
    const r = run(["-C", dir, "validate"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("error[eval/missing-variable]: No value for required variable\n --> main.state:1:10");
    expect(r.stderr).to.contain("--var env=VALUE");
  });

  it("takes values from --var, --var-file and STATECTL_VAR_*", () => {
    expect(run(["-C", dir, "validate", "--var", "env=prod"]).code).to.equal(0);
    writeFileSync(join(dir, "prod.statevars"), 'env = "prod"\n');
    expect(run(["-C", dir, "validate", "--var-file", "prod.statevars"]).code).to.equal(0);
    expect(run(["-C", dir, "validate"], { STATECTL_VAR_env: "prod" }).code).to.equal(0);
  });

  it("shows the offending line of a var file", () => {
    writeFileSync(join(dir, "bad.statevars"), "env = [1]\n");
    const r = run(["-C", dir, "validate", "--var-file", "bad.statevars"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("--> bad.statevars:1:7\n  |\n1 | env = [1]\n  |       ^^^");
  });

  it("reports references to undeclared resources with a suggestion, as JSON too", () => {
    writeFileSync(
      join(dir, "main.state"),
      'document "install_nginx" {\n  name    = "n"\n  content = "{}"\n}\nassociation "web" {\n  document = document.install_ngnix.name\n}\n',
    );
    const r = run(["-C", dir, "validate", "--json"]);
    expect(r.code).to.equal(1);
    const j = JSON.parse(r.stdout);
    expect(j.diagnostics).to.have.length(1);
    expect(j.diagnostics[0]).to.deep.include({
      code: "config/undeclared-resource",
      detail: "No document named install_ngnix; did you mean install_nginx?",
    });
  });
});
