// Two statectl processes on the same state, through the built CLI: while one applies, a second
// apply either fails at once naming the lock holder, or (with --lock-timeout) waits for it and
// then finds nothing to do — never do both apply. And a plan file made before another process
// changed the state is refused, changing nothing. The endpoint's latency knob keeps the first
// apply running (one CreateAssociation at a time, 1 s each; a batch 5 s) while the others start.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeState } from "../../src/index.js";
import { crashConfig, declared, remoteInventory, standaloneWorkspace, startCli } from "./kill-helpers.js";

describe("cli: two statectl processes on one state", function () {
  this.timeout(120_000);
  const ws = standaloneWorkspace("statectl-concurrent-", { config: crashConfig });

  const serial = (): number => decodeState(readFileSync(ws.statePath), "state").state!.serial;

  it("while one applies, another fails at once with the holder's details, and a third waits (--lock-timeout) and then has nothing to do", async () => {
    // Creates without tags go out in one CreateAssociationBatch: slow that call too, long enough
    // for two more Node.js processes to start on a loaded machine before the first one finishes.
    ws.endpoint.setKnobs({ latencyByOperation: { CreateAssociation: 1000, CreateAssociationBatch: 5000 } });
    const first = startCli(ws.dir, ["apply", "--auto-approve", "--parallelism", "1"]);
    // It holds the lock from before planning until it exits; wait until it is applying.
    expect(await first.waitForLine((l) => /^association\.\S+: Creating\.\.\./.test(l))).to.equal(true);
    const exits: string[] = [];
    const impatient = startCli(ws.dir, ["apply", "--auto-approve"]);
    const patient = startCli(ws.dir, ["apply", "--auto-approve", "--lock-timeout", "90s"]);
    const [f, i, p] = await Promise.all([
      first.exit.then((e) => (exits.push("first"), e)),
      impatient.exit.then((e) => (exits.push("impatient"), e)),
      patient.exit.then((e) => (exits.push("patient"), e)),
    ]);
    const out = (r: { lines: string[] }) => r.lines.join("\n");
    expect(f.code, out(first)).to.equal(0);
    expect(out(first)).to.contain("Apply complete! Resources: 10 added, 0 changed, 0 destroyed.");
    // The impatient one gave up at once, naming who holds the lock; it changed nothing.
    expect(i.code, out(impatient)).to.equal(1);
    expect(out(impatient)).to.contain("error[state/locked]: The state is locked");
    expect(out(impatient)).to.contain(`PID:       ${first.child.pid}`);
    expect(out(impatient)).to.contain("Operation: apply");
    expect(out(impatient)).to.not.contain("Creating...");
    // The patient one waited for the first to finish, then found nothing left to do.
    expect(p.code, out(patient)).to.equal(0);
    expect(exits.indexOf("patient")).to.be.greaterThan(exits.indexOf("first"));
    expect(out(patient)).to.contain("No changes.");
    expect(out(patient)).to.not.contain("Creating...");
    // Exactly one of each declared resource.
    const have = await remoteInventory(ws.client);
    const want = declared(0);
    expect(have.documents).to.deep.equal(want.documents);
    expect(have.associations.map((a) => a.name).sort()).to.deep.equal(Object.keys(want.associations).sort());
    ws.endpoint.setKnobs({ latencyByOperation: undefined });
  });

  it("refuses a plan file when another process changed the state after the plan was made, and changes nothing", async () => {
    const planFile = join(ws.dir, "gen1.plan");
    const plan = startCli(ws.dir, ["plan", "--var", "gen=1", "--out", planFile]);
    expect((await plan.exit).code, plan.lines.join("\n")).to.equal(0);
    // Someone else applies part of it in between.
    const other = startCli(ws.dir, ["apply", "--auto-approve", "--var", "gen=1", "--target", "association.chained"]);
    expect((await other.exit).code, other.lines.join("\n")).to.equal(0);
    const before = serial();
    const inventory = await remoteInventory(ws.client);
    const stale = startCli(ws.dir, ["apply", planFile]);
    const exit = await stale.exit;
    const out = stale.lines.join("\n");
    expect(exit.code, out).to.equal(1);
    expect(out).to.contain("error[plan/stale-plan]: The state changed since the plan was made");
    expect(out).to.match(
      /The plan was made against serial \d+ of the state, which is now at serial \d+: something was applied in between\. Make a new plan\./,
    );
    expect(out).to.not.contain("Creating...").and.not.contain("Modifying...");
    expect(serial()).to.equal(before);
    expect(await remoteInventory(ws.client)).to.deep.equal(inventory);
  });
});
