// The plan as Terraform users read it, through the built command: maps diffed key by key,
// computed attributes of a replacement "(known after apply)", "Changes to Outputs", the
// targeting warning, and invisible characters shown escaped.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { HELLO_CONFIG, HELLO_CONTENT } from "../support/hello.js";
import { run } from "./helpers.js";

function config(tags: string, outputs = ""): string {
  return (
    HELLO_CONFIG.replace('  schedule = "rate(1 day)"\n', `  schedule = "rate(1 day)"\n  tags = ${tags}\n`) + outputs
  );
}

describe("cli: the plan reads like Terraform's", function () {
  this.timeout(90_000);
  let dir: string;
  const write = (text: string) => writeFileSync(join(dir, "main.state"), text);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-plan-render-"));
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
    write(config('{ Team = "ops", Env = "dev", Old = "x" }', 'output "name" {\n  value = association.hello.name\n}\n'));
    const r = run(dir, ["apply", "-auto-approve"]);
    expect(r.code, r.stderr).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a map is diffed key by key: changed, added, removed, and a count of the unchanged", () => {
    write(
      config('{ Team = "ops", Env = "prod", New = "y" }', 'output "name" {\n  value = association.hello.name\n}\n'),
    );
    const r = run(dir, ["plan"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("      ~ tags = {\n");
    expect(r.stdout).to.contain('          ~ Env = "dev" -> "prod"\n');
    expect(r.stdout).to.contain('          + New = "y"\n');
    expect(r.stdout).to.contain('          - Old = "x" -> null\n');
    expect(r.stdout).to.contain("            # (1 unchanged element hidden)\n        }\n");
  });

  it("a replacement shows the attributes SSM computes as (known after apply)", () => {
    write(config('{ Team = "ops", Env = "dev", Old = "x" }', 'output "name" {\n  value = association.hello.name\n}\n'));
    const r = run(dir, ["plan", "-replace=association.hello"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("# association.hello must be replaced");
    expect(r.stdout).to.match(/~ association_id\s+= "[0-9a-f-]+" -> \(known after apply\)/);
    expect(r.stdout).to.match(/~ id\s+= "[0-9a-f-]+" -> \(known after apply\)/);
  });

  it("adding, changing and removing outputs is a change: a Changes to Outputs section, exit 2, and apply records it", () => {
    write(
      config(
        '{ Team = "ops", Env = "dev", Old = "x" }',
        'output "greeting" {\n  value = "hello"\n}\n\noutput "token" {\n  value     = "s3cr3t"\n  sensitive = true\n}\n',
      ),
    );
    const r = run(dir, ["plan", "-detailed-exitcode"]);
    expect(r.code, r.stderr).to.equal(ExitCode.Changes);
    expect(r.stdout).to.contain("Changes to Outputs:\n");
    expect(r.stdout).to.contain('  + greeting = "hello"\n');
    expect(r.stdout).to.contain("  + token    = (sensitive)\n");
    expect(r.stdout).to.contain('  - name     = "HelloWeb" -> null\n');
    expect(r.stdout).to.contain("You can apply this plan to save these new output values");
    expect(r.stdout).to.not.contain("s3cr3t");
    const j = JSON.parse(run(dir, ["plan", "-json"]).stdout);
    expect(j.has_changes).to.equal(true);
    expect(j.output_changes.map((o: { name: string; action: string }) => `${o.action} ${o.name}`)).to.deep.equal([
      "create greeting",
      "create token",
      "delete name",
    ]);
    expect(j.output_changes[1].after).to.equal("(sensitive)");
    const apply = run(dir, ["apply", "-auto-approve"]);
    expect(apply.code, apply.stderr).to.equal(0);
    const again = run(dir, ["plan", "-detailed-exitcode"]);
    expect(again.code, again.stdout).to.equal(0);
    expect(again.stdout).to.contain("No changes.");
  });

  it("an output of an attribute that apply changes is (known after apply)", () => {
    write(
      config(
        '{ Team = "ops", Env = "dev", Old = "x" }',
        'output "version" {\n  value = association.hello.association_version\n}\n',
      ),
    );
    expect(run(dir, ["apply", "-auto-approve"]).code).to.equal(0);
    write(
      config(
        '{ Team = "ops", Env = "qa", Old = "x" }',
        'output "version" {\n  value = association.hello.association_version\n}\n',
      ),
    );
    const r = run(dir, ["plan"]);
    expect(r.stdout).to.contain("Changes to Outputs:\n");
    expect(r.stdout).to.match(/~ version = "1" -> \(known after apply\)/);
  });

  it("--target warns that targeting is in effect", () => {
    const r = run(dir, ["plan", "-target=association.hello"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("Warning: Resource targeting is in effect");
    expect(r.stdout).to.contain("limited to association.hello");
    expect(run(dir, ["plan"]).stdout).to.not.contain("targeting");
  });

  it("bidirectional and zero-width characters in values are shown escaped", () => {
    // Tag values refuse such characters (ssm/invalid-tag), so they travel in outputs.
    write(
      config(
        '{ Team = "ops", Env = "dev", Old = "x" }',
        'output "name" {\n  value = association.hello.name\n}\n\noutput "a" {\n  value = "dev\u202Eved"\n}\n\noutput "b" {\n  value = "x\u200By"\n}\n',
      ),
    );
    const r = run(dir, ["plan"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('"dev\\u202Eved"');
    expect(r.stdout).to.contain('"x\\u200By"');
    expect(r.stdout).to.not.match(/[\u202E\u200B]/);
  });
});
