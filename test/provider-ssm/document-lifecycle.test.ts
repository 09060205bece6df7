// The document status life cycle (issue 20): CreateDocument answers Creating, the document is
// Active after the endpoint's activation delay, and statectl waits for it with at most one
// DescribeDocument per created document — the rest of the state comes from the answers.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApply, runPlan, startLocalEndpoint, type LocalEndpoint } from "../../src/index.js";
import { commandDocument, startRig, type Rig } from "./helpers.js";

const callsBy = (endpoint: LocalEndpoint): Record<string, number> =>
  Object.fromEntries(Object.entries(endpoint.counters()).map(([op, c]) => [op, c.calls]));

describe("provider-ssm document life cycle: Creating → Active in two calls", function () {
  this.timeout(60_000);
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it("creates with CreateDocument and one DescribeDocument (the endpoint's default delay), and the state equals a full read", async () => {
    rig = await startRig({ pollIntervalMs: 50, pollMaxIntervalMs: 500 });
    const created = await rig.provider.createDocument({
      name: "two-calls",
      content: commandDocument("hi"),
      tags: { team: "ops" },
    });
    expect(callsBy(rig.endpoint)).to.deep.equal({ CreateDocument: 1, DescribeDocument: 1 });
    expect(created).to.include({ status: "Active", document_version: "1" });
    expect(created.tags).to.deep.equal({ team: "ops" });
    expect(await rig.provider.readDocument("two-calls")).to.deep.equal(created);
  });

  it("waits for a slow document (Creating for 300 ms) with a few DescribeDocument calls, and sees Active", async () => {
    rig = await startRig(
      { pollIntervalMs: 50, pollMaxIntervalMs: 500 },
      { settings: { documentActivationDelayMs: 300 } },
    );
    const created = await rig.provider.createDocument({ name: "slow-doc", content: commandDocument("slow") });
    expect(created.status).to.equal("Active");
    const calls = callsBy(rig.endpoint);
    expect(calls["CreateDocument"]).to.equal(1);
    // 50, 100, 200 ms waits: Active by the third look at the latest.
    expect(calls["DescribeDocument"]).to.be.within(2, 3);
    expect(calls["GetDocument"] ?? 0).to.equal(0);
  });

  it("shares a created document and reads its permissions back once", async () => {
    rig = await startRig({ pollIntervalMs: 50, pollMaxIntervalMs: 500 });
    const created = await rig.provider.createDocument({
      name: "shared-doc",
      content: commandDocument("x"),
      permissions: ["111122223333"],
    });
    expect(created.permissions).to.deep.equal(["111122223333"]);
    expect(callsBy(rig.endpoint)).to.deep.equal({
      CreateDocument: 1,
      DescribeDocument: 1,
      ModifyDocumentPermission: 1,
      DescribeDocumentPermission: 1,
    });
  });

  it("an update waits for Updating to end before promoting the new version", async () => {
    rig = await startRig(
      { pollIntervalMs: 50, pollMaxIntervalMs: 500 },
      { settings: { documentActivationDelayMs: 150 } },
    );
    const v1 = await rig.provider.createDocument({ name: "upd-doc", content: commandDocument("one") });
    const result = await rig.provider.updateDocument(v1, { name: "upd-doc", content: commandDocument("two") });
    expect(result.state).to.include({ status: "Active", default_version: "2", latest_version: "2" });
  });
});

describe("engine: calls to create documents", function () {
  this.timeout(120_000);
  let dir: string;
  let endpoint: LocalEndpoint;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-doc-lifecycle-"));
    endpoint = await startLocalEndpoint({});
  });
  afterEach(async () => {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an apply creating 25 documents makes at most 2 calls per document", async () => {
    const blocks = ['provider "ssm" {\n  endpoint = "local"\n}\n'];
    for (let i = 0; i < 25; i++)
      blocks.push(
        `document "d${i}" {\n  name    = "Counted-${i}"\n  content = ${JSON.stringify(commandDocument(`doc ${i}`))}\n  tags = {\n    n = "${i}"\n  }\n}\n`,
      );
    writeFileSync(join(dir, "main.state"), blocks.join("\n"));
    const applied = await runApply({ dir, runningLocalEndpoint: endpoint });
    expect(applied.result?.errors).to.deep.equal([]);
    expect(applied.result?.added).to.equal(25);
    const calls = callsBy(endpoint);
    expect(calls["CreateDocument"]).to.equal(25);
    expect(calls["DescribeDocument"] ?? 0).to.be.at.most(25);
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    expect(total, JSON.stringify(calls)).to.be.at.most(50);
    const d7 = applied.result!.state.resources.find((r) => r.address === "document.d7");
    expect(d7?.attributes).to.deep.include({
      name: "Counted-7",
      status: "Active",
      tags: { n: "7" },
      document_version: "1",
    });
    // A plan straight after sees no difference from what SSM reports.
    const again = await runPlan({ dir, runningLocalEndpoint: endpoint });
    expect(again.plan?.drift).to.deep.equal([]);
    expect(again.plan?.changes.every((c) => c.action === "no-op")).to.equal(true);
  });
});
