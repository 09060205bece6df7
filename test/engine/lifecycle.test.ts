// create_before_destroy on a document that keeps its name cannot work in SSM (one document per
// name): the plan says so before anything is changed. With a new name it replaces as asked.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApply, runPlan } from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const config = (name: string, type: string) => `provider "ssm" {
  endpoint = "local"
}

document "tool" {
  name    = "${name}"
  type    = "${type}"
  content = ${type === "Automation" ? 'jsonencode({ schemaVersion = "0.3", mainSteps = [{ action = "aws:sleep", name = "a", inputs = { Duration = "PT1S" } }] })' : 'jsonencode({ schemaVersion = "2.2", mainSteps = [{ action = "aws:runShellScript", name = "a", inputs = { runCommand = ["true"] } }] })'}
  lifecycle {
    create_before_destroy = true
  }
}
`;

describe("engine: create_before_destroy and unique document names", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-cbd-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses at plan time to replace a document under the same name, pointing at the name, with a hint", async () => {
    writeFileSync(join(dir, "main.state"), config("Tool", "Command"));
    expect((await runApply({ dir })).result!.added).to.equal(1);
    writeFileSync(join(dir, "main.state"), config("Tool", "Automation"));
    const p = await runPlan({ dir });
    expect(p.plan!.errored).to.equal(true);
    const d = p.diagnostics.find((x) => x.code === "plan/create-before-destroy-conflict")!;
    expect(d.summary).to.equal("create_before_destroy cannot replace document.tool under the same name");
    expect(d.detail).to.contain("must be replaced (type: ").and.to.contain('Both would be named "Tool"');
    expect(d.hint).to.equal(
      'give the replacement a new name in the same change (for example name = "Tool-v2"), or remove create_before_destroy so that the old document is deleted first',
    );
    expect(d.range?.start.line).to.equal(6);
    const a = await runApply({ dir });
    expect(a.result).to.equal(undefined);
    expect(a.diagnostics.map((x) => x.code)).to.include("plan/create-before-destroy-conflict");
  });

  it("replaces create-before-destroy when the name changes too", async () => {
    writeFileSync(join(dir, "main.state"), config("Tool", "Command"));
    await runApply({ dir });
    writeFileSync(join(dir, "main.state"), config("Tool-v2", "Command"));
    const a = await runApply({ dir });
    expect(a.diagnostics.filter((x) => x.severity === "error")).to.deep.equal([]);
    expect(a.plan!.changes.find((c) => c.address === "document.tool")).to.include({
      action: "replace",
      createBeforeDestroy: true,
    });
    expect(a.result!.state.resources.map((r) => r.id)).to.deep.equal(["Tool-v2"]);
  });
});
