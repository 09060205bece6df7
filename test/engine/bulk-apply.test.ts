// Apply creates associations ten per CreateAssociationBatch call once their document exists, records
// every success in the state and reports a failed entry on its own resource.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decodeState,
  LOCAL_ENDPOINT_CREDENTIALS,
  MemoryStateStorage,
  runApply,
  runPlan,
  startLocalEndpoint,
  hasChanges,
  SsmProvider,
  type LocalEndpoint,
} from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const DOC = JSON.stringify({
  schemaVersion: "2.2",
  description: "hi",
  parameters: { greeting: { type: "String", default: "hi", allowedValues: ["hi", "hello"] } },
  mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: ["echo {{ greeting }}"] } }],
});

function association(i: number, parameters = 'greeting = ["hi"]'): string {
  return `association "a${i}" {
  name     = "a-${i}"
  document = document.d.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = {
    ${parameters}
  }
}
`;
}

describe("bulk apply (engine against the local endpoint)", function () {
  this.timeout(60_000);
  let dir: string;
  let endpoint: LocalEndpoint;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-bulk-apply-"));
    endpoint = await startLocalEndpoint({});
  });
  afterEach(async () => {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates 30 associations in batches after their document, one failing entry reported on its resource", async () => {
    const blocks = [
      'provider "ssm" {\n  endpoint = "local"\n}\n',
      `document "d" {\n  name    = "Batched-Doc"\n  content = ${JSON.stringify(DOC)}\n}\n`,
    ];
    // Entry 17 is refused by SSM at apply time: its value is known only then (plan and apply run
    // validate's checks first, so a mistake known offline would never reach a batch).
    for (let i = 0; i < 30; i++)
      blocks.push(association(i, i === 17 ? "greeting = [document.d.latest_version]" : undefined));
    writeFileSync(join(dir, "main.state"), blocks.join("\n"));

    const applied = await runApply({ dir, runningLocalEndpoint: endpoint });
    const result = applied.result!;
    expect(result.added).to.equal(30); // the document and 29 associations
    expect(result.errors.map((e) => e.address)).to.deep.equal(["association.a17"]);
    expect(result.errors[0]!.message).to.match(/greeting/);
    expect(result.errors[0]!.code).to.equal("InvalidParameters");
    const counters = endpoint.counters();
    // The 30 start together once the document exists: three full batches; the failed entry is sent
    // again alone, for its error code.
    expect(counters["CreateAssociationBatch"]!.calls).to.equal(3);
    expect(counters["CreateAssociation"]!.calls).to.equal(1);
    const recorded = result.state.resources.filter((r) => r.kind === "association");
    expect(recorded).to.have.length(29);
    const provider = await SsmProvider.create({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: LOCAL_ENDPOINT_CREDENTIALS,
    });
    const listed = new Set((await provider.listAssociations()).map((a) => a.association_id));
    provider.destroy();
    for (const r of recorded) expect(listed.has(r.id), r.address).to.equal(true);
    expect(listed.size).to.equal(29);

    // Fix the configuration: the next apply creates only the one that failed.
    blocks[2 + 17] = association(17);
    writeFileSync(join(dir, "main.state"), blocks.join("\n"));
    const again = await runApply({ dir, runningLocalEndpoint: endpoint });
    expect(again.result!.errors).to.deep.equal([]);
    expect(again.result!.added).to.equal(1);
    const plan = await runPlan({ dir, runningLocalEndpoint: endpoint });
    expect(hasChanges(plan.plan!)).to.equal(false);
  });

  it("fills every batch when the parallelism limit lets creates start a few at a time, with one state write per batch's intents and one per its results", async () => {
    // parallelism 1: at most 20 association creates under way, so the 45 start in waves as earlier
    // ones end; each wave still goes ten to a call.
    const blocks = [
      'provider "ssm" {\n  endpoint = "local"\n}\n',
      `document "d" {\n  name    = "Batched-Doc"\n  content = ${JSON.stringify(DOC)}\n}\n`,
    ];
    for (let i = 0; i < 45; i++) blocks.push(association(i));
    writeFileSync(join(dir, "main.state"), blocks.join("\n"));
    const storage = new MemoryStateStorage();
    const applied = await runApply({ dir, runningLocalEndpoint: endpoint, storage, parallelism: 1 });
    expect(applied.result!.errors).to.deep.equal([]);
    expect(applied.result!.added).to.equal(46);
    const counters = endpoint.counters();
    expect(counters["CreateAssociationBatch"]!.calls).to.equal(5);
    expect(counters["CreateAssociation"]?.calls ?? 0).to.equal(0);
    // Writes: the document's result, then for each of the 5 batches its intents and its results
    // (where one batch's results and the next one's intents are ready together they share a write).
    // Per change it would be 1 + 2 × 45 = 91.
    expect(storage.writes).to.be.at.most(1 + 2 * 5);
    const state = decodeState(storage.contents!, "memory").state!;
    expect(state.resources).to.have.length(46);
    expect(state.pendingCreates ?? []).to.deep.equal([]);
  });
});
