// End to end: `statectl status` and `statectl run` against the in-process local endpoint.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { behindTheBack, run } from "./helpers.js";
import { CONFIG } from "./status-config.js";

interface StatusJson {
  compliant: boolean;
  associations: {
    address: string;
    status: string;
    counts: Record<string, number>;
    schedule?: string;
    next_run?: string;
    last_execution?: { status?: string; time?: string };
    failed_instances: { instance_id: string; output?: string; detailed_status?: string }[];
  }[];
}

describe("cli: status and run (end to end, local endpoint)", function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-status-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr + applied.stdout).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints no AWS SDK Node-version warning (the CLI turns it off for every command, not only plan/apply)", () => {
    const r = run(dir, ["status"], undefined, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.not.contain("NodeVersionSupportWarning");
  });

  it("shows every association's overview, counts, last run and next run", () => {
    const r = run(dir, ["status", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const s = JSON.parse(r.stdout) as StatusJson;
    expect(s.associations.map((a) => a.address)).to.deep.equal(["association.db", "association.web"]);
    const web = s.associations.find((a) => a.address === "association.web")!;
    expect(web.status).to.equal("Success");
    expect(web.counts).to.deep.equal({ Success: 2 });
    expect(web.last_execution?.status).to.equal("Success");
    expect(web.schedule).to.equal("rate(1 day)");
    expect(web.next_run).to.be.a("string");
    expect(s.associations.find((a) => a.address === "association.db")!.next_run).to.equal(undefined);
    expect(s.compliant).to.equal(true);
    const human = run(dir, ["status", "association.web"]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.contain("association.web  Success");
    expect(human.stdout).to.contain("targets:    Success 2");
    expect(human.stdout).to.contain("next run:");
    expect(human.stdout).not.to.contain("association.db");
    expect(run(dir, ["status", "--failed"]).code).to.equal(0);
  });

  it("names an unknown address", () => {
    const r = run(dir, ["status", "association.nope"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("No association in the state matches association.nope");
  });

  it("run --wait reports a failing instance with its output; status --failed then exits 1", async () => {
    await behindTheBack(dir, (_client, endpoint) => endpoint.failDocument("web-2", "AWS-RunShellScript"));
    const r = run(dir, ["run", "association.web", "--wait", "60"]);
    expect(r.code, r.stderr + r.stdout).to.equal(1);
    expect(r.stdout).to.contain("association.web  Failed");
    expect(r.stdout).to.contain("failed on i-0web00000000000a2");
    const s = JSON.parse(run(dir, ["status", "--json"]).stdout) as StatusJson;
    const web = s.associations.find((a) => a.address === "association.web")!;
    expect(web.status).to.equal("Failed");
    expect(web.counts).to.deep.equal({ Failed: 1, Success: 1 });
    expect(web.failed_instances.map((f) => f.instance_id)).to.deep.equal(["i-0web00000000000a2"]);
    expect(s.compliant).to.equal(false);
    const failed = run(dir, ["status", "--failed"]);
    expect(failed.code).to.equal(1);
    expect(failed.stdout).to.contain("failed on i-0web00000000000a2");
    expect(failed.stdout).to.contain("1 failed");
  });

  it("run without --wait starts the association and exits 0 once it succeeds again", async () => {
    await behindTheBack(dir, (_client, endpoint) => endpoint.failDocument("web-2", "AWS-RunShellScript", false));
    expect(run(dir, ["run", "association.web"]).stdout).to.contain("association.web  Started");
    const r = run(dir, ["run", "association.web", "--wait", "60", "--json"]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    const j = JSON.parse(r.stdout) as { runs: { outcome: string; counts: Record<string, number> }[] };
    expect(j.runs[0]!.outcome).to.equal("Success");
    expect(j.runs[0]!.counts).to.deep.equal({ Success: 2 });
    expect(run(dir, ["status", "--failed"]).code).to.equal(0);
  });
});
