// The commands Terraform users reach for, through the built command: version, show, refresh,
// providers, console (from stdin and on a pseudo-terminal) and init.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeAssociationCommand, UpdateAssociationCommand } from "@aws-sdk/client-ssm";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { HELLO_CONFIG, HELLO_CONTENT } from "../support/hello.js";
import { behindTheBack, run } from "./helpers.js";

const bin = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));

const CONFIG = `${HELLO_CONFIG}
provider "ssm" {
  alias    = "west"
  endpoint = "local"
  region   = "us-west-2"
}

variable "greeting" {
  type    = string
  default = "hello"
}

output "association_id" {
  value = association.hello.association_id
}

output "secret" {
  value     = "s3cr3t"
  sensitive = true
}
`;

describe("cli: Terraform's commands (version, show, refresh, providers, console, init)", function () {
  this.timeout(90_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-tf-commands-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("init: checks the configuration, creates .statectl and the local endpoint's data directory; safe to run again", () => {
    const r = run(dir, ["init", "-input=false"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("- ssm: the local SSM endpoint");
    expect(r.stdout).to.contain("- ssm.west: the local SSM endpoint");
    expect(r.stdout).to.contain("statectl.state.json: not created yet");
    expect(r.stdout).to.contain("Created: .statectl, .statectl/local");
    expect(r.stdout).to.contain("statectl has been successfully initialized!");
    expect(existsSync(join(dir, ".statectl", "local"))).to.equal(true);
    const again = run(dir, ["init", "--json"]);
    expect(again.code, again.stderr).to.equal(0);
    const j = JSON.parse(again.stdout);
    expect(j.created).to.deep.equal([]);
    expect(j.providers.map((p: { key: string }) => p.key)).to.deep.equal(["ssm", "ssm.west"]);
  });

  it("init refuses a configuration with errors and creates nothing", () => {
    const bad = mkdtempSync(join(tmpdir(), "statectl-tf-init-bad-"));
    try {
      writeFileSync(join(bad, "main.state"), 'provider "ssm" {\n  endpoint = "nowhere"\n}\n');
      const r = run(bad, ["init"]);
      expect(r.code).to.equal(ExitCode.Error);
      expect(r.stderr).to.contain("error[eval/invalid-provider-argument]");
      expect(existsSync(join(bad, ".statectl"))).to.equal(false);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it("version and version --json name statectl, Node.js and the AWS SDK", () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8")) as {
      version: string;
    };
    const r = run(dir, ["version"]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain(`statectl v${pkg.version}`);
    expect(r.stdout).to.contain(`Node.js v${process.versions.node}`);
    expect(r.stdout).to.match(/@aws-sdk\/client-ssm v\d+\.\d+\.\d+/);
    const j = JSON.parse(run(dir, ["version", "-json"]).stdout);
    expect(j.statectl_version).to.equal(pkg.version);
    expect(j.node_version).to.equal(process.versions.node);
    expect(j.aws_sdk_version).to.match(/^\d+\.\d+\.\d+$/);
    expect(run(dir, ["--version"]).stdout.trim()).to.equal(pkg.version);
  });

  it("show with no state says so; show PLANFILE renders a saved plan as plan does, and as JSON", () => {
    expect(run(dir, ["show"]).stdout).to.contain("No state.");
    const plan = run(dir, ["plan", "-out=first.plan"]);
    expect(plan.code, plan.stderr).to.equal(0);
    const shown = run(dir, ["show", "first.plan"]);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain("# association.hello will be created");
    expect(shown.stdout).to.contain("Plan: 2 to add, 0 to change, 0 to destroy.");
    const j = JSON.parse(run(dir, ["show", "-json", "first.plan"]).stdout);
    expect(j.resource_changes.map((c: { address: string }) => c.address).sort()).to.deep.equal([
      "association.hello",
      "document.hello",
    ]);
    const missing = run(dir, ["show", "nope.plan"]);
    expect(missing.code).to.equal(ExitCode.Error);
    expect(missing.stderr).to.contain("error[plan/io-error]");
  });

  it("show after apply: every instance and the outputs, sensitive ones masked; --json the same", () => {
    const apply = run(dir, ["apply", "first.plan"]);
    expect(apply.code, apply.stderr).to.equal(0);
    const r = run(dir, ["show"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("# document.hello:");
    expect(r.stdout).to.contain("# association.hello:");
    expect(r.stdout).to.contain("Outputs:");
    expect(r.stdout).to.match(/secret\s+= \(sensitive\)/);
    expect(r.stdout).to.not.contain("s3cr3t");
    const j = JSON.parse(run(dir, ["show", "--json"]).stdout);
    expect(j.resources).to.have.length(2);
    expect(j.outputs.secret).to.deep.equal({ sensitive: true, value: null });
    expect(j.outputs.association_id.value).to.be.a("string");
  });

  it("refresh records a change made outside statectl in the state, and changes nothing in SSM", async () => {
    const id = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8")).resources.find(
      (x: { address: string }) => x.address === "association.hello",
    ).id as string;
    await behindTheBack(dir, async (client) => {
      await client.send(
        new UpdateAssociationCommand({
          AssociationId: id,
          AssociationName: "HelloWeb",
          ScheduleExpression: "rate(2 days)",
        }),
      );
    });
    const r = run(dir, ["refresh"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("has changed outside statectl");
    const state = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8"));
    const assoc = state.resources.find((x: { address: string }) => x.address === "association.hello");
    expect(assoc.attributes.schedule).to.equal("rate(2 days)");
    await behindTheBack(dir, async (client) => {
      const d = await client.send(new DescribeAssociationCommand({ AssociationId: id }));
      expect(d.AssociationDescription!.ScheduleExpression).to.equal("rate(2 days)");
    });
    // The configuration still says rate(1 day): plan now proposes to put it back.
    const plan = run(dir, ["plan", "-detailed-exitcode"]);
    expect(plan.code, plan.stderr).to.equal(ExitCode.Changes);
    expect(plan.stdout).to.contain('"rate(2 days)" -> "rate(1 day)"');
  });

  it("providers: each configuration, how it reaches SSM, and the resources that use it", () => {
    const r = run(dir, ["providers"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('provider "ssm": the local SSM endpoint');
    expect(r.stdout).to.contain("used by: association.hello, document.hello");
    expect(r.stdout).to.contain("in the state: 2 resource instances");
    expect(r.stdout).to.contain('provider "ssm.west": the local SSM endpoint');
    expect(r.stdout).to.contain("used by no resource in the configuration");
    const j = JSON.parse(run(dir, ["providers", "--json"]).stdout);
    const west = j.providers.find((p: { key: string }) => p.key === "ssm.west");
    expect(west).to.include({ endpoint: "local", region: "us-west-2" });
    expect(west.resources).to.deep.equal([]);
  });

  it("console reads expressions from stdin: variables, functions, attributes from the state, sensitive masked; errors exit 1", () => {
    const ok = run(
      dir,
      ["console"],
      'var.greeting\nupper("${var.greeting} world")\nlength(association.hello.targets)\ndocument.hello.name\n',
    );
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout.split("\n")).to.deep.equal(['"hello"', '"HELLO WORLD"', "1", '"Hello"', ""]);
    const id = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8")).resources.find(
      (x: { address: string }) => x.address === "association.hello",
    ).id;
    expect(run(dir, ["console"], "association.hello.association_id\n").stdout.trim()).to.equal(JSON.stringify(id));
    const bad = run(dir, ["console"], "var.nope\n1 +\n2 * 21\n");
    expect(bad.code).to.equal(ExitCode.Error);
    expect(bad.stdout.trim()).to.equal("42");
    expect(bad.stderr).to.contain("nope");
    expect(bad.stderr).to.contain("<console>:1");
  });

  it("console on a terminal: a prompt, answers, and history kept in .statectl/console_history", function () {
    const script = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(sys.argv[1], sys.argv[1:], dict(os.environ, NO_COLOR="1"))
out = b""
def read_until(token, timeout=30):
    global out
    end = time.time() + timeout
    while token not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
read_until(b"> ")
os.write(fd, b'upper("tty")\\r')
read_until(b'"TTY"')
os.write(fd, b"exit\\r")
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf8", "replace"))
`;
    const r = spawnSync("python3", ["-c", script, process.execPath, bin, "-C", dir, "console"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('"TTY"');
    expect(readFileSync(join(dir, ".statectl", "console_history"), "utf8")).to.contain('upper("tty")');
  });
});
