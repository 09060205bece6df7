// The built CLI's apply SIGKILLed at seeded random points, again and again: after every kill the
// state file is readable, and a rerun converges — `plan --detailed-exitcode` exits 0 and the
// endpoint holds exactly the declared resources (no duplicate, nothing lost), checked through
// the SDK. The endpoint is a standalone local endpoint in this process, reached by URL, so the
// kill never takes it down; its latency knob keeps each mutating call in flight for a while, so
// kills land before calls, during them (a create SSM carries out after its caller died) and
// between them. CRASH_SEED picks another sequence of kill points.
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { decodeState } from "../../src/index.js";
import { seededRandom } from "../seeded-random.js";
import { crashConfig, declared, remoteInventory, standaloneWorkspace, startCli } from "./kill-helpers.js";

const REFRESHING = /: Refreshing state/;
const TOOK_OVER = /^Took over the lock on .* left by process \d+ \(apply, .*\), which is no longer running\.$/m;
const APPLYING =
  /: (Creating\.\.\.|Modifying\.\.\.|Destroying\.\.\.|Creation complete|Modifications complete|Destruction complete|Adopted)/;
// Each mutating call takes this long at the endpoint, so kills can land while calls are in flight.
const LATENCY_MS = 100;
const MUTATING = [
  "CreateDocument",
  "UpdateDocument",
  "UpdateDocumentDefaultVersion",
  "DeleteDocument",
  "CreateAssociation",
  "CreateAssociationBatch",
  "UpdateAssociation",
  "DeleteAssociation",
];

describe("cli: apply killed with SIGKILL at random points, then rerun to convergence", function () {
  this.timeout(180_000);
  const ws = standaloneWorkspace("statectl-kill-", {
    knobs: { latencyByOperation: Object.fromEntries(MUTATING.map((op) => [op, LATENCY_MS])) },
    config: crashConfig,
  });

  async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
    const c = startCli(ws.dir, args);
    const e = await c.exit;
    return { code: e.code, output: c.lines.join("\n") };
  }

  it("leaves a readable state after every kill, and every rerun converges with no duplicate and nothing lost", async () => {
    const seed = Number(process.env["CRASH_SEED"] ?? 1129);
    const random = seededRandom(seed);
    const generations = 4;
    const killsPerGeneration = 4;
    let kills = 0;
    let finishedFirst = 0;
    let leftInFlight = 0;
    let adopted = 0;
    let staleLocks = 0;
    let lockLeft = false;
    for (let gen = 0; gen < generations; gen++) {
      const vars = ["--var", `gen=${gen}`];
      // Up to killsPerGeneration kills; an apply that finishes before its kill point ends the
      // generation early (see below).
      for (let k = 0, killedHere = 0; killedHere < killsPerGeneration && k < 2 * killsPerGeneration; k++) {
        const run = startCli(ws.dir, ["apply", "--auto-approve", ...vars]);
        // The kill point: one time in five the n-th refresh line, else the n-th apply progress
        // line; then up to 1.5 × LATENCY_MS more — inside the latency a call is in flight,
        // after it the next one starts.
        const duringRefresh = random() < 0.2;
        const n = 1 + Math.floor(random() * 3);
        const offset = Math.floor(random() * 1.5 * LATENCY_MS);
        const reached = await run.waitForLine((l) => (duringRefresh ? REFRESHING : APPLYING).test(l), n);
        if (reached && offset > 0) await new Promise((r) => setTimeout(r, offset));
        run.child.kill("SIGKILL");
        const exit = await run.exit;
        if (exit.signal === "SIGKILL") {
          kills++;
          killedHere++;
        } else {
          // It ended before its kill point, so the generation's work is done: nothing is left to
          // kill, and the loop moves on to the next generation.
          finishedFirst++;
        }
        adopted += run.lines.filter((l) => / Adopted /.test(l)).length;
        // Whatever instant it died at, the state file is complete and readable.
        if (existsSync(ws.statePath)) {
          const read = decodeState(readFileSync(ws.statePath), "statectl.state.json");
          expect(read.diagnostics, `gen ${gen}, kill ${k} (line ${n} + ${offset} ms)`).to.deep.equal([]);
          if ((read.state!.pendingCreates ?? []).length > 0) leftInFlight++;
        }
        // The run after a kill takes the dead process's lock over by itself, saying so (no force-unlock).
        if (lockLeft)
          expect(
            run.lines.some((l) => TOOK_OVER.test(l)),
            `gen ${gen}, kill ${k}: the stale lock was not taken over`,
          ).to.equal(true);
        lockLeft = existsSync(ws.statePath + ".lock");
        if (lockLeft) staleLocks++;
        if (exit.signal !== "SIGKILL") break;
      }
      const rerun = await cli(["apply", "--auto-approve", ...vars]);
      expect(rerun.code, rerun.output).to.equal(0);
      if (lockLeft) expect(rerun.output).to.match(TOOK_OVER);
      lockLeft = false;
      adopted += rerun.output.split("\n").filter((l) => / Adopted /.test(l)).length;
      const plan = await cli(["plan", "--detailed-exitcode", ...vars]);
      expect(plan.code, plan.output).to.equal(0);
      // Exactly what is declared exists: no duplicate, nothing missing, and the state tracks each one.
      const want = declared(gen);
      const have = await remoteInventory(ws.client);
      expect(have.documents, `gen ${gen}`).to.deep.equal(want.documents);
      expect(have.associations.map((a) => `${a.name} → ${a.document}`).sort(), `gen ${gen}`).to.deep.equal(
        Object.entries(want.associations)
          .map(([n, d]) => `${n} → ${d}`)
          .sort(),
      );
      const state = decodeState(readFileSync(ws.statePath), "state").state!;
      expect(state.pendingCreates ?? []).to.deep.equal([]);
      expect(
        state.resources
          .filter((r) => r.kind === "association")
          .map((r) => r.id)
          .sort(),
      ).to.deep.equal(have.associations.map((a) => a.id).sort());
      expect(
        state.resources
          .filter((r) => r.kind === "document")
          .map((r) => r.id)
          .sort(),
      ).to.deep.equal(have.documents);
    }
    // Enough of the kills landed mid-apply to mean something: at least two per generation on
    // average (10–16 of 16 land in practice, depending on the seed; kill points come early
    // because batched creates make each generation's apply short).
    expect(kills).to.be.greaterThanOrEqual(2 * generations);
    console.log(
      `      (seed ${seed}: ${kills} SIGKILLs, ${finishedFirst} applies finished before their kill point, ${leftInFlight} kills left a create in flight, ${adopted} adoptions, ${staleLocks} stale locks taken over; ${generations} reruns converged)`,
    );
  });
});
