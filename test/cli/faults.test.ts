// SSM faults from the local endpoint's knobs, through the built CLI: a storm of throttling (30%
// of calls), InternalServerErrors, lost responses and latency — plan and apply still complete
// and the state matches the real resources exactly (read back through the SDK). With retries
// exhausted, the error names the resource, the operation and the AWS error, and every change
// that did succeed is in the state.
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeState, type Counters, type State } from "../../src/index.js";
import { crashConfig, remoteInventory, standaloneWorkspace, startCli, stateVersusRemote } from "./kill-helpers.js";

/**
 * Five resources for the storm (every call under a storm costs seconds of SDK backoff and
 * adaptive rate limiting): a document whose content changes, one a for_each of associations on
 * it swaps a key of, and an association whose parameters change.
 */
function stormConfig(url: string): string {
  return `provider "ssm" {
  endpoint = "${url}"
}

variable "gen" {
  type    = number
  default = 0
}

document "base" {
  name    = "storm-base"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "generation \${var.gen}"
    parameters    = { message = { type = "String", default = "hello" } }
    mainSteps     = [{ action = "aws:runShellScript", name = "say", inputs = { runCommand = ["echo {{ message }}"] } }]
  })
  tags = { gen = "\${var.gen}" }
}

association "role" {
  for_each = toset(var.gen == 0 ? ["web", "db"] : ["web", "queue"])
  name     = "storm-\${each.key}"
  document = document.base.name
  targets {
    key    = "tag:Role"
    values = [each.key]
  }
  parameters = { message = "gen \${var.gen}" }
  schedule   = "rate(1 day)"
}

association "shell" {
  name     = "storm-shell"
  document = "AWS-RunShellScript"
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  parameters = { commands = ["echo \${var.gen}"] }
  schedule   = "rate(1 day)"
  tags       = { team = "ops" }
}
`;
}

function stormDeclared(gen: number): { documents: string[]; associations: string[] } {
  return {
    documents: ["storm-base"],
    associations: ["storm-shell", "storm-web", gen === 0 ? "storm-db" : "storm-queue"].sort(),
  };
}

const MUTATING = [
  "CreateDocument",
  "UpdateDocument",
  "UpdateDocumentDefaultVersion",
  "DeleteDocument",
  "ModifyDocumentPermission",
  "CreateAssociation",
  "UpdateAssociation",
  "DeleteAssociation",
  "AddTagsToResource",
  "RemoveTagsFromResource",
];

function total(counters: Counters): {
  calls: number;
  throttled: number;
  injectedFaults: number;
  lostResponses: number;
} {
  const t = { calls: 0, throttled: 0, injectedFaults: 0, lostResponses: 0 };
  for (const c of Object.values(counters)) {
    t.calls += c.calls;
    t.throttled += c.throttled;
    t.injectedFaults += c.injectedFaults;
    t.lostResponses += c.lostResponses;
  }
  return t;
}

describe("cli: plan and apply under SSM faults", function () {
  this.timeout(240_000);
  const ws = standaloneWorkspace("statectl-faults-", { each: true });

  const readState = (): State => decodeState(readFileSync(ws.statePath), "state").state!;
  async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
    const c = startCli(ws.dir, args);
    const e = await c.exit;
    return { code: e.code, output: c.lines.join("\n") };
  }

  it("a storm of throttling, 500s, lost responses and latency: every plan and apply completes and the state matches SSM exactly", async () => {
    writeFileSync(join(ws.dir, "main.state"), stormConfig(ws.endpoint.url));
    const seed = Number(process.env["FAULT_SEED"] ?? 2);
    ws.endpoint.setKnobs({
      throttleRate: 0.3,
      internalErrorRate: 0.1,
      lostResponseRate: 0.1,
      lostResponseOperations: MUTATING,
      latencyMs: 5,
      seed,
    });
    const sum = { calls: 0, throttled: 0, injectedFaults: 0, lostResponses: 0 };
    for (const gen of [0, 1]) {
      const vars = ["--var", `gen=${gen}`];
      // On top of the random ones, the first response of each create (and of an update) is lost for sure.
      ws.endpoint.setKnobs({
        loseResponses:
          gen === 0 ? { CreateDocument: 1, CreateAssociation: 1 } : { UpdateAssociation: 1, CreateAssociation: 1 },
      });
      const apply = await cli(["apply", "--auto-approve", ...vars]);
      expect(apply.code, apply.output).to.equal(0);
      expect(apply.output).to.contain("Apply complete!");
      const plan = await cli(["plan", "--detailed-exitcode", ...vars]);
      expect(plan.code, plan.output).to.equal(0);
      // Compared with the storm paused (the comparison's own reads are neither under test nor counted).
      const c = total(ws.endpoint.counters());
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += c[k];
      const { seed: _seed, ...storm } = ws.endpoint.knobs();
      ws.endpoint.setKnobs({ throttleRate: 0, internalErrorRate: 0, lostResponseRate: 0, loseResponses: undefined });
      expect(await stateVersusRemote(ws.client, readState()), `gen ${gen}`).to.deep.equal([]);
      const have = await remoteInventory(ws.client);
      const want = stormDeclared(gen);
      expect(have.documents).to.deep.equal(want.documents);
      expect(have.associations.map((a) => a.name).sort()).to.deep.equal(want.associations);
      ws.endpoint.resetCounters();
      ws.endpoint.setKnobs(storm);
    }
    const t = sum;
    expect(t.throttled / t.calls).to.be.within(0.15, 0.45);
    expect(t.lostResponses).to.be.at.least(4);
    expect(t.injectedFaults).to.be.greaterThan(0);
    console.log(
      `      (seed ${seed}: ${t.calls} calls, ${t.throttled} throttled (${Math.round((100 * t.throttled) / t.calls)}%), ${t.injectedFaults} InternalServerErrors, ${t.lostResponses} lost responses; 2 applies + 2 plans completed, state = SSM)`,
    );
  });

  it("retries exhausted: the error names the resource, the operation and the AWS error; everything that succeeded is in the state", async () => {
    // One retry only, and every UpdateAssociation fails.
    writeFileSync(
      join(ws.dir, "main.state"),
      crashConfig(ws.endpoint.url).replace(
        `endpoint = "${ws.endpoint.url}"`,
        `endpoint    = "${ws.endpoint.url}"\n  max_retries = 1`,
      ),
    );
    const first = await cli(["apply", "--auto-approve", "--var", "gen=0"]);
    expect(first.code, first.output).to.equal(0);
    ws.endpoint.setKnobs({ internalErrorRate: 1, internalErrorOperations: ["UpdateAssociation"] });
    const second = await cli(["apply", "--auto-approve", "--var", "gen=1"]);
    expect(second.code, second.output).to.equal(1);
    // gen 1 updates the parameters of role["web"] and role["db"], the targets of extra and the
    // schedule of static_a: each fails, naming the resource, the operation and the AWS error;
    // chained (also updated) depends on static_a, so it is not attempted.
    for (const address of [
      'association.role["web"]',
      'association.role["db"]',
      "association.extra",
      "association.static_a",
    ]) {
      // Each error points back at its resource block in the configuration (issue 15).
      expect(second.output).to.match(
        new RegExp(
          `error\\[apply/change-failed\\]: ${address.replace(/[[\]".]/g, "\\$&")}: updating failed\n  --> main\\.state:\\d+:13\n[^=]*= [0-9a-f-]{36}: UpdateAssociation failed: InternalServerError: An internal error occurred`,
        ),
      );
    }
    // The document replacement counts as one added and one destroyed, as the plan counts it.
    expect(second.output).to.contain("Apply failed: 4 errors. Resources: 2 added, 1 changed, 2 destroyed.");
    expect(second.output).to.contain("Not attempted because something they depend on failed: association.chained.");
    expect(second.output).to.contain(
      "Every change that happened is recorded in the state; run the command again to continue.",
    );
    // Two attempts each (max_retries = 1), no more.
    expect(ws.endpoint.counters()["UpdateAssociation"]!.calls).to.equal(8);
    // What succeeded (the new document version, the replaced document, the queue association,
    // the deletion) is in the state, and the state matches SSM exactly.
    const state = readState();
    expect(state.resources.map((r) => r.address))
      .to.include('association.role["queue"]')
      .and.not.include('association.role["cache"]');
    expect(state.resources.find((r) => r.address === "document.extra")!.id).to.equal("crash-extra-1");
    expect(await stateVersusRemote(ws.client, state)).to.deep.equal([]);
    // Once SSM recovers, the rerun finishes the job.
    ws.endpoint.setKnobs({ internalErrorRate: 0 });
    const third = await cli(["apply", "--auto-approve", "--var", "gen=1"]);
    expect(third.code, third.output).to.equal(0);
    expect(third.output).to.contain("Resources: 0 added, 5 changed, 0 destroyed.");
    expect(await stateVersusRemote(ws.client, readState())).to.deep.equal([]);
  });
});
