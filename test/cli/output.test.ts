import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function run(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [main, "-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const config = `provider "ssm" {
  endpoint = "local"
}

variable "token" {
  default   = "s3cr3t"
  sensitive = true
}

document "hello" {
  name    = "Hello-Output-Doc"
  content = jsonencode({ schemaVersion = "2.2", description = "hi", mainSteps = [{ action = "aws:runShellScript", name = "run", inputs = { runCommand = ["echo hi"] } }] })
}

association "web" {
  name     = "web"
  document = document.hello.name
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
}

output "doc_version" {
  value = document.hello.latest_version
}

output "association_id" {
  value = association.web.association_id
}

output "token" {
  value     = var.token
  sensitive = true
}
`;

describe("cli: statectl output (end to end, local endpoint)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-output-"));
    writeFileSync(join(dir, "main.state"), config);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("says there is no state before the first apply", () => {
    const r = run(dir, ["output"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("error[output/no-state]");
  });

  it("shows outputs with the values apply recorded, masking sensitive ones", () => {
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr).to.equal(0);
    const r = run(dir, ["output"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^association_id = "[0-9a-f-]{36}"\ndoc_version {4}= "1"\ntoken {10}= \(sensitive\)\n$/);
    expect(run(dir, ["output", "doc_version", "--raw"]).stdout).to.equal("1");
    const j = JSON.parse(run(dir, ["output", "--json"]).stdout);
    expect(j.token).to.deep.equal({ sensitive: true, known: true, value: null });
    expect(j.doc_version).to.deep.equal({ sensitive: false, known: true, value: "1" });
    expect(run(dir, ["output", "token", "--show-sensitive"]).stdout).to.equal('"s3cr3t"\n');
  });

  it("shows what apply recorded; a state without recorded outputs gets them evaluated from the state's attributes", () => {
    writeFileSync(join(dir, "extra.state"), 'output "added_later" {\n  value = "x"\n}\n');
    expect(run(dir, ["output"]).stdout).to.not.contain("added_later");
    const statePath = join(dir, "statectl.state.json");
    const state = JSON.parse(readFileSync(statePath, "utf8"));
    expect(Object.keys(state.outputs)).to.include("doc_version");
    state.outputs = {};
    writeFileSync(statePath, JSON.stringify(state, null, 2));
    const r = run(dir, ["output"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /^added_later {4}= "x"\nassociation_id = "[0-9a-f-]{36}"\ndoc_version {4}= "1"\ntoken {10}= \(sensitive\)\n$/,
    );
    rmSync(join(dir, "extra.state"));
  });

  it("suggests a near name for an unknown output", () => {
    const r = run(dir, ["output", "doc_versoin"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('No output named "doc_versoin"');
  });

  it("--raw needs a NAME: a usage error (exit 64), also where the configuration declares no outputs", () => {
    const noName = run(dir, ["output", "--raw"]);
    expect(noName.code).to.equal(64);
    expect(noName.stderr).to.contain("statectl output --raw: needs the NAME");
    const bare = mkdtempSync(join(tmpdir(), "statectl-output-none-"));
    try {
      writeFileSync(join(bare, "main.state"), config.slice(0, config.indexOf('output "doc_version"')));
      const applied = run(bare, ["apply", "--auto-approve"]);
      expect(applied.code, applied.stderr).to.equal(0);
      const r = run(bare, ["output", "--raw"]);
      expect(r.code, r.stderr).to.equal(64);
      expect(r.stderr).to.contain("statectl output --raw: needs the NAME");
      expect(r.stderr).to.not.contain("internal error");
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
