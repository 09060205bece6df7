// Apply creates associations ten per CreateAssociationBatch call once their document exists, records
// every success in the state and reports a failed entry on its own resource.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_ENDPOINT_CREDENTIALS, runApply, runPlan, startLocalEndpoint, hasChanges, SsmProvider, type LocalEndpoint } from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const DOC = JSON.stringify({
  schemaVersion: "2.2",
  description: "hi",
  parameters: { greeting: { type: "String", default: "hi" } },
  mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: ["echo {{ greeting }}"] } }],
});

function association(i: number, parameters = "greeting = [\"hi\"]"): string {
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
    const blocks = ['provider "ssm" {\n  endpoint = "local"\n}\n', `document "d" {\n  name    = "Batched-Doc"\n  content = ${JSON.stringify(DOC)}\n}\n`];
    for (let i = 0; i < 30; i++) blocks.push(association(i, i === 17 ? 'undeclared = ["x"]' : undefined));
    writeFileSync(join(dir, "main.state"), blocks.join("\n"));

    const applied = await runApply({ dir, runningLocalEndpoint: endpoint });
    const result = applied.result!;
    expect(result.added).to.equal(30); // the document and 29 associations
    expect(result.errors.map((e) => e.address)).to.deep.equal(["association.a17"]);
    expect(result.errors[0]!.message).to.match(/undeclared/);
    expect(result.errors[0]!.code).to.equal("InvalidParameters");
    const counters = endpoint.counters();
    // The failed entry is sent again alone, for its error code; how the others were grouped depends
    // on timing, but they go ten to a call (at most a few stragglers alone).
    expect(counters["CreateAssociation"]?.calls ?? 0).to.be.at.least(1);
    expect((counters["CreateAssociation"]?.calls ?? 0) + counters["CreateAssociationBatch"]!.calls).to.be.at.most(10);
    const recorded = result.state.resources.filter((r) => r.kind === "association");
    expect(recorded).to.have.length(29);
    const provider = await SsmProvider.create({ endpoint: endpoint.url, region: "us-east-1", credentials: LOCAL_ENDPOINT_CREDENTIALS });
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
});
