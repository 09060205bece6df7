// The engine in-process against the in-process local endpoint (real SDK over HTTP): plan files,
// failures that leave everything that happened in the state, literal document names, YAML
// content, wait_for_success, locks.
import { expect } from "chai";
import { behindTheBack } from "../support/local-endpoint.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UpdateAssociationCommand } from "@aws-sdk/client-ssm";
import { FileStateStorage, runApply, runPlan, hasChanges, type EngineEvent } from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

/** Changes made behind statectl's back: the SDK against a local endpoint on the same data. */

const PROVIDER = 'provider "ssm" {\n  endpoint = "local"\n}\n';
const DOC_YAML =
  'schemaVersion: "2.2"\ndescription: hello\nmainSteps:\n  - action: aws:runShellScript\n    name: hello\n    inputs:\n      runCommand:\n        - echo hello\n';

describe("engine (in-process, local endpoint)", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-engine-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => writeFileSync(join(dir, "main.state"), PROVIDER + text);

  it("applies examples/quickstart, then plans no changes", async () => {
    const example = fileURLToPath(new URL("../../../examples/quickstart", import.meta.url));
    cpSync(example, dir, {
      recursive: true,
      filter: (src) => !src.includes(".statectl") && !src.includes("statectl.state.json"),
    });
    const a = await runApply({ dir });
    expect(a.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
    expect([a.result!.added, a.result!.changed, a.result!.destroyed]).to.deep.equal([4, 0, 0]);
    expect(a.outputs!.map((o) => o.name).sort()).to.deep.equal(["nginx_document_version", "web_association_id"]);
    const p = await runPlan({ dir });
    expect(hasChanges(p.plan!)).to.equal(false);
  });

  it("infers YAML from the content, and a native object serialised to JSON plans no change afterwards", async () => {
    writeFileSync(join(dir, "hello.yaml"), DOC_YAML);
    write(
      `document "y" {\n  name    = "FromYaml"\n  content = file("hello.yaml")\n}\ndocument "n" {\n  name    = "Native"\n  content = {\n    schemaVersion = "2.2"\n    mainSteps = [{ action = "aws:runShellScript", name = "a", inputs = { runCommand = ["echo a"] } }]\n  }\n}\n`,
    );
    const a = await runApply({ dir });
    expect(a.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
    expect(a.result!.added).to.equal(2);
    const y = a.result!.state.resources.find((r) => r.address === "document.y")!;
    expect(y.attributes["format"]).to.equal("YAML");
    const p = await runPlan({ dir });
    expect(hasChanges(p.plan!)).to.equal(false);
  });

  it("links an association to a document it names literally, with a warning, and creates the document first", async () => {
    writeFileSync(join(dir, "hello.yaml"), DOC_YAML);
    write(
      `document "hello" {\n  name    = "Hello"\n  content = file("hello.yaml")\n}\nassociation "run" {\n  document = "Hello"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n}\n`,
    );
    const events: string[] = [];
    const a = await runApply({
      dir,
      parallelism: 4,
      onEvent: (e: EngineEvent) => e.kind === "apply" && e.event.type === "done" && events.push(e.event.address),
    });
    const warning = a.diagnostics.find((d) => d.code === "graph/document-name-literal")!;
    expect(warning.severity).to.equal("warning");
    expect(warning.hint).to.equal("document = document.hello.name");
    expect(warning.range?.start.line).to.equal(9);
    expect(events).to.deep.equal(["document.hello", "association.run"]);
  });

  it("on a failed change completes the independent ones, lists the AWS error, and a rerun continues", async () => {
    write(
      `association "good" {\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n  parameters = { commands = ["echo ok"] }\n}\nassociation "bad" {\n  document = "No-Such-Document"\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n}\n`,
    );
    const first = await runApply({ dir });
    expect(first.result!.added).to.equal(1);
    expect(first.result!.errors.map((e) => e.address)).to.deep.equal(["association.bad"]);
    expect(first.result!.errors[0]!.code).to.equal("InvalidDocument");
    expect(first.result!.errors[0]!.message).to.contain("CreateAssociation failed: InvalidDocument");
    const stored = (await new FileStateStorage(join(dir, "statectl.state.json")).read()).state!;
    expect(stored.resources.map((r) => r.address)).to.deep.equal(["association.good"]);
    write(
      `association "good" {\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n  parameters = { commands = ["echo ok"] }\n}\nassociation "bad" {\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n  parameters = { commands = ["echo fixed"] }\n}\n`,
    );
    const second = await runApply({ dir });
    expect(second.plan!.changes.filter((c) => c.action !== "no-op").map((c) => [c.address, c.action])).to.deep.equal([
      ["association.bad", "create"],
    ]);
    expect(second.result!.errors).to.deep.equal([]);
    const third = await runPlan({ dir });
    expect(hasChanges(third.plan!)).to.equal(false);
  });

  it("fills values known only after apply once their resource exists (document_version = document.d.latest_version)", async () => {
    writeFileSync(join(dir, "hello.yaml"), DOC_YAML);
    write(
      `document "d" {\n  name    = "Versioned"\n  content = file("hello.yaml")\n}\nassociation "a" {\n  document         = document.d.name\n  document_version = document.d.latest_version\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n}\n`,
    );
    const p = await runPlan({ dir });
    const planned = p.plan!.changes.find((c) => c.address === "association.a")!;
    expect(planned.after!["document_version"]).to.deep.equal({ $unknown: true });
    const a = await runApply({ dir });
    expect(a.result!.errors).to.deep.equal([]);
    expect(
      a.result!.state.resources.find((r) => r.address === "association.a")!.attributes["document_version"],
    ).to.equal("1");
    expect(hasChanges((await runPlan({ dir })).plan!)).to.equal(false);
  });

  it("waits for Success with wait_for_success and records the association", async () => {
    write(
      `association "w" {\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  parameters = { commands = ["echo ok"] }\n  wait_for_success = 30\n}\n`,
    );
    const events: string[] = [];
    const a = await runApply({ dir, onEvent: (e) => e.kind === "apply" && events.push(e.event.type) });
    expect(a.result!.errors).to.deep.equal([]);
    expect(events).to.include("waiting");
    expect(a.result!.state.resources[0]!.attributes["wait_for_success"]).to.equal(30);
    expect(hasChanges((await runPlan({ dir })).plan!)).to.equal(false);
  });

  it("fails at once with the holder's details when another statectl holds the state lock", async () => {
    write(
      `association "x" {\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  parameters = { commands = ["echo ok"] }\n}\n`,
    );
    const storage = new FileStateStorage(join(dir, "statectl.state.json"));
    const held = await storage.lock({ operation: "apply" });
    try {
      const r = await runPlan({ dir, lockTimeoutMs: 300 });
      expect(r.plan).to.equal(undefined);
      const d = r.diagnostics.find((x) => x.severity === "error")!;
      expect(d.code).to.match(/^state\//);
      expect(`${d.summary} ${d.detail ?? ""}`).to.contain(String(process.pid));
    } finally {
      await storage.unlock(held.lock!.id);
    }
  });

  it("refresh-only records drift in the state without touching SSM; the next plan undoes the drift", async () => {
    const cfg = (schedule: string) =>
      `association "x" {\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n  parameters = { commands = ["echo ok"] }\n  schedule = "${schedule}"\n}\n`;
    write(cfg("rate(1 day)"));
    const first = await runApply({ dir });
    const id = first.result!.state.resources[0]!.id;
    await behindTheBack(dir, (c) =>
      c.send(
        new UpdateAssociationCommand({
          AssociationId: id,
          Name: "AWS-RunShellScript",
          Targets: [{ Key: "InstanceIds", Values: ["*"] }],
          Parameters: { commands: ["echo ok"] },
          ScheduleExpression: "rate(7 days)",
        }),
      ),
    );
    const ro = await runApply({ dir, mode: "refresh-only" });
    expect(ro.plan!.changes).to.deep.equal([]);
    expect(ro.plan!.drift.map((d) => d.changes.map((c) => [c.name, c.before, c.after]))).to.deep.equal([
      [["schedule", "rate(1 day)", "rate(7 days)"]],
    ]);
    expect(ro.result!.added + ro.result!.changed + ro.result!.destroyed).to.equal(0);
    expect(ro.result!.state.resources[0]!.attributes["schedule"]).to.equal("rate(7 days)");
    const p = await runPlan({ dir });
    expect(p.plan!.drift).to.deep.equal([]);
    expect(p.plan!.changes.map((c) => [c.action, c.changes.map((x) => x.name)])).to.deep.equal([
      ["update", ["schedule"]],
    ]);
  });

  it("applies a saved plan file exactly, and refuses one made against another state or configuration", async () => {
    const cfg = (name: string) =>
      `association "x" {\n  name     = "${name}"\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  parameters = { commands = ["echo ok"] }\n}\n`;
    write(cfg("one"));
    const planFile = join(dir, "one.plan");
    const stalePlan = join(dir, "stale.plan");
    expect((await runPlan({ dir, out: planFile })).diagnostics).to.deep.equal([]);
    expect((await runPlan({ dir, out: stalePlan })).diagnostics).to.deep.equal([]);
    expect(statSync(planFile).mode & 0o777).to.equal(0o600);
    const applied = await runApply({ dir, planFile });
    expect(applied.result!.added).to.equal(1);
    const stale = await runApply({ dir, planFile: stalePlan });
    expect(stale.result).to.equal(undefined);
    expect(stale.diagnostics.map((d) => d.summary)).to.deep.equal(["The state changed since the plan was made"]);
    write(cfg("two"));
    const changedPlan = join(dir, "two.plan");
    await runPlan({ dir, out: changedPlan });
    write(cfg("three"));
    const refused = await runApply({ dir, planFile: changedPlan });
    expect(refused.result).to.equal(undefined);
    expect(refused.diagnostics.map((d) => d.summary)).to.deep.equal([
      "The configuration changed since the plan was made",
    ]);
    const other = mkdtempSync(join(tmpdir(), "statectl-engine-other-"));
    try {
      writeFileSync(join(other, "main.state"), PROVIDER + cfg("two"));
      await runApply({ dir: other });
      const foreign = await runApply({ dir: other, planFile: changedPlan });
      expect(foreign.diagnostics.map((d) => d.summary)).to.include("The plan was made against a different state");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
