// End to end (issue 19): one instance made to fail, the clock advanced, and the failure found with
// `status` (per association and per instance), `history` (executions, versions, output) and
// `compliance`, against the in-process local endpoint.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteAssociationCommand } from "@aws-sdk/client-ssm";
import { behindTheBack, run } from "./helpers.js";
import { excerpt } from "../../src/cli/views/visibility.js";

const CONFIG = `provider "ssm" {
  endpoint = "local"
}

association "web" {
  name                = "WebCheck"
  document            = "AWS-RunShellScript"
  compliance_severity = "HIGH"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = {
    commands = ["echo checking nginx", "echo ok"]
  }
  schedule = "rate(1 day)"
}

association "db" {
  name     = "DbCheck"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Role"
    values = ["db"]
  }
  parameters = {
    commands = ["echo db ok"]
  }
}
`;

const WEB_2 = "i-0web00000000000a2";

describe("cli: status per instance, history and compliance (end to end, local endpoint)", function () {
  this.timeout(90_000);
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-visibility-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr + applied.stdout).to.equal(0);
    const failing = run(dir, ["local", "fleet", "fail", "web-2", "AWS-RunShellScript"]);
    expect(failing.code, failing.stderr).to.equal(0);
    const advanced = run(dir, ["local", "advance", "1d"]);
    expect(advanced.code, advanced.stderr).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("status shows the failure from per-instance results, compliance by severity and times relative to the endpoint clock; --failed exits 1", () => {
    const human = run(dir, ["status"]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.contain("association.web  Failed");
    expect(human.stdout).to.contain("compliance: 1 compliant, 1 non-compliant (severity HIGH)");
    expect(human.stdout).to.contain(`failed on ${WEB_2}`);
    expect(human.stdout).to.match(/last run: {3}(just now|\d+ s ago) {2}Failed/);
    expect(human.stdout).to.match(/next run: {3}in 2[34] h {2}\(rate\(1 day\)\)/);
    const json = JSON.parse(run(dir, ["status", "--json"]).stdout) as {
      now: string;
      compliant: boolean;
      associations: Array<{
        address: string;
        last_execution?: { time?: string };
        compliance?: { compliant: number; non_compliant: number; severity?: string };
      }>;
    };
    expect(json.compliant).to.equal(false);
    const web = json.associations.find((a) => a.address === "association.web")!;
    expect(web.compliance).to.deep.equal({ compliant: 1, non_compliant: 1, severity: "HIGH" });
    expect(web.last_execution?.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(json.now) - Date.parse(web.last_execution!.time!)).to.be.within(0, 600_000);
    expect(run(dir, ["status", "--failed"]).code).to.equal(1);
    expect(run(dir, ["status", "association.db", "--failed"]).code).to.equal(0);
  });

  it("status --instances pivots to one row per instance; ADDRESS --instance ID shows the run's output", () => {
    const rows = run(dir, ["status", "--instances"]);
    expect(rows.code, rows.stderr).to.equal(0);
    expect(rows.stdout).to.match(/INSTANCE\s+NAME\s+PLATFORM\s+PING\s+association\.db\s+association\.web/);
    expect(rows.stdout).to.match(new RegExp(`${WEB_2}\\s+web-2\\s+Linux\\s+Online\\s+-\\s+Failed`));
    expect(rows.stdout).to.contain("4 instances, 3 targeted by these associations, 1 failing.");
    const one = run(dir, ["status", "association.web", "--instance", WEB_2]);
    expect(one.code, one.stderr).to.equal(0);
    expect(one.stdout).to.contain(`association.web on ${WEB_2}`);
    expect(one.stdout).to.contain("exit code 1");
    expect(one.stdout).to.contain("checking nginx");
    expect(one.stdout).to.contain("failed to run commands: exit status 1");
    expect(run(dir, ["status", "--instance", WEB_2]).code).to.equal(64);
  });

  it("history lists executions newest first and versions with what changed; --output drills into the newest run", async () => {
    const h = run(dir, ["history", "association.web"]);
    expect(h.code, h.stderr).to.equal(0);
    expect(h.stdout).to.match(/Executions \(newest first, 2 shown\)/);
    expect(h.stdout.indexOf("Failed")).to.be.lessThan(h.stdout.lastIndexOf("Success"));
    expect(h.stdout).to.contain("version 1");
    // A second version: the parameters change.
    writeFileSync(
      join(dir, "main.state"),
      CONFIG.replace('"echo checking nginx", "echo ok"', '"echo checking nginx v2"'),
    );
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    const json = JSON.parse(run(dir, ["history", "association.web", "--json"]).stdout) as {
      associations: Array<{
        executions: Array<{ status: string }>;
        versions: Array<{ version: string; changes: Array<{ field: string; before?: unknown; after?: unknown }> }>;
      }>;
    };
    const web = json.associations[0]!;
    expect(web.versions.map((v) => v.version)).to.deep.equal(["1", "2"]);
    expect(web.versions[1]!.changes).to.deep.equal([
      {
        field: "Parameters",
        before: { commands: ["echo checking nginx", "echo ok"] },
        after: { commands: ["echo checking nginx v2"] },
      },
    ]);
    expect(web.executions).to.have.length(3);
    const human = run(dir, ["history", "association.web"]).stdout;
    expect(human).to.contain(
      '~ Parameters: {"commands":["echo checking nginx","echo ok"]} → {"commands":["echo checking nginx v2"]}',
    );
    const drill = run(dir, ["history", "association.web", "--output"]);
    expect(drill.code, drill.stderr).to.equal(0);
    expect(drill.stdout).to.match(new RegExp(`${WEB_2}  Failed`));
    expect(drill.stdout).to.contain("checking nginx v2");
    expect(drill.stdout).to.contain("failed to run commands: exit status 1");
    const missing = run(dir, ["history", "association.web", "--execution", "00000000-0000-4000-8000-000000000000"]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain("association.web has no execution 00000000-0000-4000-8000-000000000000");
  });

  it("compliance shows instances × associations, filters by severity, association and instance, and --json", () => {
    const c = run(dir, ["compliance"]);
    expect(c.code, c.stderr).to.equal(0);
    expect(c.stdout).to.match(new RegExp(`${WEB_2}\\s+web-2\\s+-\\s+NON-COMPLIANT HIGH`));
    expect(c.stdout).to.contain("Association compliance: 2 compliant, 1 non-compliant (instance × association).");
    expect(c.stdout).to.contain("Non-compliant by severity: HIGH 1.");
    const high = JSON.parse(run(dir, ["compliance", "--severity", "high", "--json"]).stdout) as {
      compliant: boolean;
      cells: Array<{ instance_id: string; address: string; status: string }>;
    };
    expect(high.cells.map((x) => [x.instance_id, x.address, x.status]).sort()).to.deep.equal([
      ["i-0web00000000000a1", "association.web", "COMPLIANT"],
      [WEB_2, "association.web", "NON_COMPLIANT"],
    ]);
    expect(high.compliant).to.equal(false);
    const db = JSON.parse(run(dir, ["compliance", "--association", "association.db", "--json"]).stdout) as {
      cells: Array<{ status: string }>;
    };
    expect(db.cells.map((x) => x.status)).to.deep.equal(["COMPLIANT"]);
    expect(run(dir, ["compliance", "--association", "association.db", "--failed"]).code).to.equal(0);
    expect(run(dir, ["compliance", "--instance", WEB_2, "--failed"]).code).to.equal(1);
    expect(run(dir, ["compliance", "--severity", "severe"]).code).to.equal(64);
  });

  it("an association deleted outside statectl is Missing, and status --failed exits 1 for it", async () => {
    const state = JSON.parse(run(dir, ["state", "show", "association.db", "--json"]).stdout) as {
      resource: { id: string };
    };
    const id = state.resource.id;
    expect(id, "association id from state show --json").to.be.a("string");
    await behindTheBack(dir, (client) => client.send(new DeleteAssociationCommand({ AssociationId: id })));
    const r = run(dir, ["status", "association.db", "--failed"]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain("association.db  Missing");
    expect(r.stdout).to.contain("1 missing");
  });
});

describe("cli: run output as status and history print it", () => {
  it("shows what an instance printed with its escape sequences escaped, line by line, capped", () => {
    const printed = "ok\n\u001b[2J\u001b]0;title\u0007cleared\n\u202eevil\nfour\n";
    expect(excerpt(printed, 3)).to.deep.equal([
      "ok",
      "\\u001B[2J\\u001B]0;title\\u0007cleared",
      "\\u202Eevil",
      "… 1 more line",
    ]);
  });
});
