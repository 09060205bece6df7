// Each example folder is applied against the local endpoint in a copy: apply → plan shows no
// changes → status shows the runs.
import { expect } from "chai";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./helpers.js";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

describe("examples (applied end to end, local endpoint)", function () {
  this.timeout(60_000);
  for (const name of ["ssm-agent-updates"]) {
    it(`${name}: apply, then plan shows no changes, then status shows the runs`, () => {
      const dir = mkdtempSync(join(tmpdir(), `statectl-example-${name}-`));
      try {
        cpSync(join(examples, name), dir, { recursive: true });
        const applied = run(dir, ["apply", "--auto-approve"]);
        expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
        const plan = run(dir, ["plan", "--detailed-exitcode"]);
        expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
        const status = run(dir, ["status", "--json"]);
        expect(status.code, status.stderr).to.equal(0);
        const s = JSON.parse(status.stdout) as { associations: { last_execution?: unknown }[] };
        expect(s.associations.length).to.be.greaterThan(0);
        expect(s.associations.some((a) => a.last_execution !== undefined), status.stdout).to.equal(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
