// Terraform's spellings through the built command: single-dash options (derived from each
// command's long options), `-flag=true|false` booleans, usage errors that show the subcommand's
// usage, and "did you mean" for mistyped commands.
import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { acceptTerraformOptions } from "../../src/cli/terraform-args.js";
import { suggestCommands } from "../../src/cli/suggest-command.js";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { HELLO_CONFIG, HELLO_CONTENT } from "../support/hello.js";
import { run } from "./helpers.js";

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

describe("cli: Terraform's single-dash options", function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-tf-flags-"));
    writeFileSync(
      join(dir, "main.state"),
      HELLO_CONFIG.replace('schedule = "rate(1 day)"', "schedule = var.schedule").replace(
        'document "hello"',
        'variable "schedule" {\n  type    = string\n  default = "rate(1 day)"\n}\n\ndocument "hello"',
      ),
    );
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
    writeFileSync(join(dir, "weekly.statevars"), 'schedule = "rate(7 days)"\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("every long option of every command has its single-dash spelling (derived, not listed)", () => {
    const program = buildProgram();
    let checked = 0;
    for (const cmd of allCommands(program)) {
      const path: string[] = [];
      for (let c: Command = cmd; c.parent; c = c.parent) path.unshift(c.name());
      for (const o of cmd.options) {
        if (!o.long) continue;
        const single = o.long.slice(1);
        const args = o.required ? [...path, `${single}=x`] : [...path, single];
        const expected = o.required ? [...path, `${o.long}=x`] : [...path, o.long];
        expect(acceptTerraformOptions(program, args), `${path.join(" ")} ${single}`).to.deep.equal(expected);
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(50);
  });

  it("leaves option values, short options and everything after -- alone", () => {
    const program = buildProgram();
    expect(acceptTerraformOptions(program, ["plan", "-var", "-json=x", "-C", "-out"])).to.deep.equal([
      "plan",
      "--var",
      "-json=x",
      "-C",
      "-out",
    ]);
    expect(acceptTerraformOptions(program, ["fmt", "--", "-check"])).to.deep.equal(["fmt", "--", "-check"]);
    expect(
      acceptTerraformOptions(program, ["-chdir=/tmp", "apply", "-refresh=false", "-lock=true", "-auto-approve=false"]),
    ).to.deep.equal(["--chdir=/tmp", "apply", "--no-refresh"]);
    // An option the command does not have is left for commander to refuse.
    expect(acceptTerraformOptions(program, ["plan", "-auto-approve"])).to.deep.equal(["plan", "-auto-approve"]);
    expect(acceptTerraformOptions(program, ["apply", "-auto-approve=true", "-json=1"])).to.deep.equal([
      "apply",
      "--auto-approve",
      "--json",
    ]);
  });

  it("plan -out=FILE -detailed-exitcode, then apply FILE: exit 2, then the plan is applied", () => {
    const plan = run(dir, ["plan", "-out=tf.plan", "-detailed-exitcode"]);
    expect(plan.code, plan.stderr).to.equal(ExitCode.Changes);
    expect(plan.stdout).to.contain("Saved the plan to: tf.plan");
    expect(existsSync(join(dir, "tf.plan"))).to.equal(true);
    const apply = run(dir, ["apply", "tf.plan"]);
    expect(apply.code, apply.stderr).to.equal(0);
    expect(apply.stdout).to.contain("Apply complete! Resources: 2 added");
  });

  it("plan -var k=v -json -refresh=false -lock=false: JSON, no changes, state untouched", () => {
    const before = readFileSync(join(dir, "statectl.state.json"), "utf8");
    const r = run(dir, ["plan", "-var", "schedule=rate(1 day)", "-json", "-refresh=false", "-lock=false"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).has_changes).to.equal(false);
    const weekly = run(dir, ["plan", "-var-file", "weekly.statevars", "-detailed-exitcode"]);
    expect(weekly.code, weekly.stderr).to.equal(ExitCode.Changes);
    expect(weekly.stdout).to.contain('"rate(1 day)" -> "rate(7 days)"');
    expect(readFileSync(join(dir, "statectl.state.json"), "utf8")).to.equal(before);
  });

  it("plan -target / -replace / -destroy", () => {
    const target = run(dir, ["plan", "-var=schedule=rate(2 days)", "-target=association.hello", "-json"]);
    expect(target.code, target.stderr).to.equal(0);
    expect(JSON.parse(target.stdout).resource_changes.map((c: { address: string }) => c.address)).to.include(
      "association.hello",
    );
    const replace = run(dir, ["plan", "-replace=document.hello"]);
    expect(replace.code, replace.stderr).to.equal(0);
    expect(replace.stdout).to.match(/document\.hello.*replaced/);
    const destroy = run(dir, ["plan", "-destroy"]);
    expect(destroy.code, destroy.stderr).to.equal(0);
    expect(destroy.stdout).to.contain("2 to destroy");
  });

  it("apply -destroy -auto-approve destroys; -help prints the command's help", () => {
    const help = run(dir, ["apply", "-help"]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain("Usage: statectl apply");
    expect(help.stdout).to.contain("--auto-approve");
    const r = run(dir, ["apply", "-destroy", "-auto-approve"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("Destroy complete! Resources: 2 destroyed.");
  });

  it("fmt -check -diff: exit 3 and a diff, nothing written", () => {
    const messy = join(dir, "messy");
    rmSync(messy, { recursive: true, force: true });
    mkdirSync(messy);
    writeFileSync(join(messy, "x.state"), "locals {\n  a    = 1\n}\n");
    const r = run(messy, ["fmt", "-check", "-diff"]);
    expect(r.code).to.equal(ExitCode.NeedsFormatting);
    expect(r.stdout).to.contain("-  a    = 1");
    expect(readFileSync(join(messy, "x.state"), "utf8")).to.equal("locals {\n  a    = 1\n}\n");
  });

  it("a usage error prints the subcommand's usage", () => {
    const r = run(dir, ["plan", "-bogus"]);
    expect(r.code).to.equal(ExitCode.Usage);
    expect(r.stderr).to.contain("unknown option '-bogus'");
    expect(r.stderr).to.contain("Usage: statectl plan [options]");
    expect(r.stderr).to.contain("statectl plan --help");
    const missing = run(dir, ["state", "show"]);
    expect(missing.code).to.equal(ExitCode.Usage);
    expect(missing.stderr).to.contain("Usage: statectl state show");
  });

  it("a mistyped command gets the closest commands", () => {
    const stat = run(dir, ["stat"]);
    expect(stat.code).to.equal(ExitCode.Usage);
    expect(stat.stderr).to.contain("unknown command 'stat'");
    expect(stat.stderr).to.match(/Did you mean .*'state'/);
    expect(stat.stderr).to.match(/Did you mean .*'status'/);
    const plna = run(dir, ["plna"]);
    expect(plna.stderr).to.contain("Did you mean 'plan'?");
    const sub = run(dir, ["state", "lst"]);
    expect(sub.code).to.equal(ExitCode.Usage);
    expect(sub.stderr).to.contain("Did you mean 'list'?");
    const none = run(dir, ["frobnicate"]);
    expect(none.stderr).to.not.contain("Did you mean");
  });

  it("suggestCommands: prefixes first by distance, then near misses", () => {
    const names = ["status", "state", "plan", "apply", "destroy"];
    expect(suggestCommands("stat", names)).to.deep.equal(["state", "status"]);
    expect(suggestCommands("destory", names)).to.deep.equal(["destroy"]);
    expect(suggestCommands("zzz", names)).to.deep.equal([]);
  });
});
