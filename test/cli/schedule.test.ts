import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

function run(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [main, "-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", TZ: "UTC" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const config = `
association "patch" {
  document        = "AWS-RunPatchBaseline"
  parameters      = { Operation = "Install" }
  schedule        = "cron(0 2 ? * SUN *)"
  schedule_offset = 1
  apply_only_at_cron_interval = true
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
}

association "inventory" {
  document = "AWS-GatherSoftwareInventory"
  schedule = "cron(0 2 * * ? *)"
  targets {
    key    = "tag:Role"
    values = ["web", "db"]
  }
}

association "agent" {
  document = "AWS-UpdateSSMAgent"
  schedule = "rate(7 days)"
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
}

association "once" {
  document = "AWS-UpdateSSMAgent"
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
}
`;

describe("cli: statectl schedule (end to end)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-schedule-"));
    writeFileSync(join(dir, "main.state"), config);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists the next runs per association and warns where associations on the same instances start together", () => {
    const r = run(dir, ["schedule", "--count", "2", "--utc", "--from", "2026-03-02T10:00:00Z"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(
      [
        "association.agent  rate(7 days)  (counted from now: rate() runs from when the association was created or changed)",
        "  Mon 2026-03-09 10:00 UTC",
        "  Mon 2026-03-16 10:00 UTC",
        "association.inventory  cron(0 2 * * ? *)",
        "  Tue 2026-03-03 02:00 UTC",
        "  Wed 2026-03-04 02:00 UTC",
        "association.patch  cron(0 2 ? * SUN *)  (offset 1 day)",
        "  Mon 2026-03-09 02:00 UTC",
        "  Mon 2026-03-16 02:00 UTC",
        "association.once  no schedule: runs when created or changed",
        "",
      ].join("\n"),
    );
    expect(r.stderr).to.equal("");
  });

  it("finds the collision within the runs it lists", () => {
    const r = run(dir, ["schedule", "--count", "7", "--utc", "--from", "2026-03-02T10:00:00Z"]);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal(
      "warning: association.inventory, association.patch start at the same minute, Mon 2026-03-09 02:00 UTC, on the same instances (tag:Role = web)\n",
    );
  });

  it("prints JSON with ISO times", () => {
    const r = run(dir, ["schedule", "--json", "--count", "1", "--from", "2026-03-02T10:00:00Z"]);
    expect(r.code).to.equal(0);
    const json = JSON.parse(r.stdout) as {
      format_version: string;
      associations: { address: string; runs: string[]; approximate: boolean; schedule_offset?: number }[];
      unscheduled: string[];
    };
    expect(json.format_version).to.equal("1.0");
    expect(json.associations.map((a) => [a.address, a.runs, a.approximate])).to.deep.equal([
      ["association.agent", ["2026-03-09T10:00:00.000Z"], true],
      ["association.inventory", ["2026-03-03T02:00:00.000Z"], false],
      ["association.patch", ["2026-03-09T02:00:00.000Z"], false],
    ]);
    expect(json.unscheduled).to.deep.equal(["association.once"]);
  });

  it("rejects a bad --count with the usage exit code", () => {
    const r = run(dir, ["schedule", "--count", "0"]);
    expect(r.code).to.equal(64);
    expect(r.stderr).to.contain("--count must be a whole number from 1 to 1000");
  });
});
