// Every example folder is applied against the local endpoint in a copy: apply → plan shows no
// changes → status shows the runs.
import { expect } from "chai";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./helpers.js";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** One folder per State Manager use case of issue 7. */
const USE_CASES = [
  "web-bootstrap",
  "os-patching",
  "security-baseline",
  "drift-prevention",
  "antivirus",
  "cloudwatch-agent",
  "ssm-agent-updates",
];

describe("examples: every folder validates cleanly", function () {
  this.timeout(60_000);
  for (const name of readdirSync(examples).filter((n) => statSync(join(examples, n)).isDirectory())) {
    it(`${name}: statectl validate exits 0 with no diagnostics`, () => {
      const r = run(join(examples, name), ["validate"]);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stderr).to.equal("");
    });
  }
});

describe("examples (applied end to end, local endpoint)", function () {
  this.timeout(60_000);
  it("has the State Manager use cases of issue 7, each with a README", () => {
    const names = readdirSync(examples);
    for (const use of USE_CASES) {
      expect(names).to.include(use);
      expect(existsSync(join(examples, use, "README.md")), `${use}/README.md`).to.equal(true);
    }
  });
  // fleets targets tags (Fleet, Canary) the local default fleet does not have, so nothing runs there.
  for (const name of [...USE_CASES, "quickstart"]) {
    it(`${name}: apply, then plan shows no changes, then status shows the runs`, () => {
      const dir = mkdtempSync(join(tmpdir(), `statectl-example-${name}-`));
      try {
        cpSync(join(examples, name), dir, { recursive: true });
        const applied = run(dir, ["apply", "--auto-approve"]);
        expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
        const plan = run(dir, ["plan", "--detailed-exitcode"]);
        expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
        let status = run(dir, ["status", "--json"]);
        expect(status.code, status.stderr).to.equal(0);
        let s = JSON.parse(status.stdout) as { associations: { address: string; last_execution?: unknown }[] };
        // Associations that run only at their cron time (apply_only_at_cron_interval) have not run yet: run them now.
        if (!s.associations.some((a) => a.last_execution !== undefined)) {
          const started = run(dir, ["run", ...s.associations.map((a) => a.address), "--wait", "60"]);
          expect(started.code, started.stdout + started.stderr).to.equal(0);
          status = run(dir, ["status", "--json"]);
          s = JSON.parse(status.stdout) as typeof s;
        }
        expect(s.associations.length).to.be.greaterThan(0);
        expect(
          s.associations.some((a) => a.last_execution !== undefined),
          status.stdout,
        ).to.equal(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
