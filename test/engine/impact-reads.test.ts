// Issue 23: the plan's impact preview reads the fleet once per distinct target set, not once per
// changed association. Counted with the local endpoint's call counters (no timing here; the
// bench's "impact" section times it at a set latency).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { runApply, runPlan } from "../../src/index.js";
import { withLocalEndpoint } from "../support/local-endpoint.js";

const DOCUMENT = (say: string) =>
  JSON.stringify({
    schemaVersion: "2.2",
    description: "impact",
    parameters: { greeting: { type: "String", default: "hi" } },
    mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: [`echo ${say}`] } }],
  });

/** 24 associations over 4 target sets: three tag roles, and instance ids (two lists that share one read). */
function config(say: string, message: string): string {
  const parts = [
    `provider "ssm" {\n  endpoint = "local"\n}\n`,
    `document "d" {\n  name    = "Impact-Doc"\n  content = ${JSON.stringify(DOCUMENT(say))}\n}\n`,
  ];
  const targets = [
    `  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n`,
    `  targets {\n    key    = "tag:Role"\n    values = ["db", "web"]\n  }\n`,
    `  targets {\n    key    = "tag:Role"\n    values = ["app"]\n  }\n`,
    `  targets {\n    key    = "InstanceIds"\n    values = ["i-0web00000000000a1", "mi-0win00000000000c1"]\n  }\n`,
    `  targets {\n    key    = "InstanceIds"\n    values = ["i-0db000000000000b1"]\n  }\n`,
    `  targets {\n    key    = "tag:Role"\n    values = ["web", "db"]\n  }\n`,
  ];
  for (let i = 0; i < 24; i++) {
    parts.push(
      `association "a${i}" {\n  name     = "impact-${i}"\n  document = document.d.name\n${targets[i % targets.length]}  parameters = {\n    greeting = "${message} ${i}"\n  }\n}\n`,
    );
  }
  return parts.join("\n");
}

describe("plan: the impact preview's reads of the fleet (issue 23)", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "statectl-impact-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads each distinct target set once, and instance-id targets share one read, for creates and for a document's new version", async () => {
    await withLocalEndpoint({}, async (_client, endpoint) => {
      writeFileSync(join(dir, "main.state"), config("hi", "hello"));
      const created = await runPlan({ dir, runningLocalEndpoint: endpoint, lock: false });
      expect(
        created.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.summary}: ${d.detail ?? ""}`),
      ).to.deep.equal([]);
      expect(created.plan!.changes.filter((c) => c.action === "create")).to.have.length(25);
      // Three tag filter sets (["db","web"] and ["web","db"] are one) and one unfiltered read for both id lists.
      expect(endpoint.counters()["DescribeInstanceInformation"]?.calls).to.equal(4);
      const impact = (address: string) => created.plan!.changes.find((c) => c.address === address)!.impact;
      expect(impact("association.a0")).to.deep.equal({
        known: true,
        count: 2,
        instance_ids: ["i-0web00000000000a1", "i-0web00000000000a2"],
      });
      expect(impact("association.a1")).to.include({ count: 3 });
      expect(impact("association.a5")).to.deep.equal(impact("association.a1"));
      expect(impact("association.a2")).to.deep.equal({
        known: true,
        count: 1,
        instance_ids: ["mi-0win00000000000c1"],
        windows: ["mi-0win00000000000c1"],
      });
      expect(impact("association.a3")).to.deep.equal({
        known: true,
        count: 2,
        instance_ids: ["i-0web00000000000a1", "mi-0win00000000000c1"],
        windows: ["mi-0win00000000000c1"],
      });
      expect(impact("association.a4")).to.deep.equal({ known: true, count: 1, instance_ids: ["i-0db000000000000b1"] });
      const applied = await runApply({ dir, runningLocalEndpoint: endpoint, lock: false });
      expect(applied.result?.errors).to.deep.equal([]);

      // A new default version of the document (every association runs again) plus a change to every association.
      writeFileSync(join(dir, "main.state"), config("bye", "goodbye"));
      endpoint.resetCounters();
      const changed = await runPlan({ dir, runningLocalEndpoint: endpoint, lock: false });
      const document = changed.plan!.changes.find((c) => c.address === "document.d")!;
      expect(document.action).to.equal("update");
      expect(document.associationImpacts).to.have.length(24);
      expect(changed.plan!.changes.filter((c) => c.kind === "association" && c.action === "update")).to.have.length(24);
      expect(endpoint.counters()["DescribeInstanceInformation"]?.calls).to.equal(4);
      const byAddress = new Map(document.associationImpacts!.map((a) => [a.association, a.impact]));
      for (const c of changed.plan!.changes.filter((c) => c.kind === "association")) {
        expect(c.impact, c.address).to.deep.equal(created.plan!.changes.find((p) => p.address === c.address)!.impact);
        expect(byAddress.get(c.address), c.address).to.deep.equal(c.impact);
      }
    });
  });
});
