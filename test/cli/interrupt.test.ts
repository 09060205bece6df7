// Ctrl-C during the built CLI's apply. The first SIGINT starts nothing new, lets the calls in
// flight finish, saves the state, releases the lock and exits 130 with a clear message; a second
// abandons the calls in flight too and exits 130 at once — the state still valid, and a create
// whose outcome it never saw recorded as in flight, so the rerun adopts instead of duplicating.
// The endpoint's latency knob holds the calls in flight long enough to interrupt them.
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { decodeState, type State } from "../../src/index.js";
import {
  crashConfig,
  declared,
  remoteInventory,
  standaloneWorkspace,
  startCli,
  type RunningCli,
} from "./kill-helpers.js";

describe("cli: apply interrupted with SIGINT", function () {
  this.timeout(120_000);
  const ws = standaloneWorkspace("statectl-sigint-", { each: true, config: crashConfig });

  const readState = (): State => {
    const r = decodeState(readFileSync(ws.statePath), "statectl.state.json");
    expect(r.diagnostics).to.deep.equal([]);
    return r.state!;
  };

  /** Reruns apply and checks it converged; returns the rerun's output lines. */
  async function converges(): Promise<string[]> {
    const rerun = startCli(ws.dir, ["apply", "--auto-approve", "--var", "gen=0"]);
    expect((await rerun.exit).code, rerun.lines.join("\n")).to.equal(0);
    const plan = startCli(ws.dir, ["plan", "--detailed-exitcode", "--var", "gen=0"]);
    expect((await plan.exit).code, plan.lines.join("\n")).to.equal(0);
    const have = await remoteInventory(ws.client);
    const want = declared(0);
    expect(have.documents).to.deep.equal(want.documents);
    expect(have.associations.map((a) => a.name).sort()).to.deep.equal(Object.keys(want.associations).sort());
    expect(
      readState()
        .resources.map((r) => r.id)
        .sort(),
    ).to.deep.equal([...have.documents, ...have.associations.map((a) => a.id)].sort());
    return rerun.lines;
  }

  /** An apply slowed down by the latency knob, once two creates have started. */
  async function applyUnderWay() {
    ws.endpoint.setKnobs({ latencyByOperation: { CreateDocument: 400, CreateAssociation: 400 } });
    const run = startCli(ws.dir, ["apply", "--auto-approve", "--var", "gen=0", "--parallelism", "2"]);
    expect(await run.waitForLine((l) => / Creating\.\.\./.test(l), 2)).to.equal(true);
    return run;
  }

  /**
   * What every graceful stop of an apply leaves: exit 130 with the interrupted summary, the state
   * saved with nothing in flight and matching SSM, the lock released; then the rerun converges.
   * Returns the output and the state as the stopped apply left it (read before the rerun).
   */
  async function stoppedGracefully(run: RunningCli, code = 130): Promise<{ out: string; state: State }> {
    const exit = await run.exit;
    const out = run.lines.join("\n");
    expect(exit.code, out).to.equal(code);
    expect(out).to.match(/Apply interrupted\. Resources: \d+ added, 0 changed, 0 destroyed\./);
    const state = readState();
    expect(state.pendingCreates ?? []).to.deep.equal([]);
    const have = await remoteInventory(ws.client);
    expect(have.documents.length + have.associations.length).to.equal(state.resources.length);
    expect(existsSync(ws.statePath + ".lock")).to.equal(false);
    ws.endpoint.setKnobs({ latencyByOperation: undefined });
    await converges();
    return { out, state };
  }

  it("first SIGINT: the changes in flight finish and are saved, nothing new starts, exit 130; the rerun converges", async () => {
    const run = await applyUnderWay();
    run.child.kill("SIGINT");
    const { out, state } = await stoppedGracefully(run);
    expect(out).to.contain(
      "Interrupt received: finishing the changes in flight and saving the state. Press Ctrl-C again to stop at once.",
    );
    expect(out).to.match(/Not started: (association|document)\./);
    expect(out).to.contain("Every change that finished is recorded in the state");
    // Every change that had started finished and is in the state; nothing else was made.
    const started = run.lines.filter((l) => / Creating\.\.\./.test(l)).map((l) => l.split(":")[0]!);
    const completed = run.lines.filter((l) => / Creation complete /.test(l)).map((l) => l.split(":")[0]!);
    expect(completed.sort()).to.deep.equal(started.sort());
    expect(state.resources.map((r) => r.address).sort()).to.deep.equal(started.sort());
  });

  // CI cancellation, `timeout` and `docker stop` send SIGTERM; a closed terminal or SSH session SIGHUP.
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    it(`${signal} is a first Ctrl-C: the changes in flight finish and are saved, lock released, summary, exit ${code}`, async () => {
      const run = await applyUnderWay();
      run.child.kill(signal);
      const { out, state } = await stoppedGracefully(run, code);
      expect(out).to.contain(`${signal} received: finishing the changes in flight and saving the state.`);
      expect(out).to.contain("Every change that finished is recorded in the state");
      const started = run.lines.filter((l) => / Creating\.\.\./.test(l)).map((l) => l.split(":")[0]!);
      expect(state.resources.map((r) => r.address).sort()).to.deep.equal(started.sort());
    });
  }

  it("stops as on Ctrl-C when the reader of its output goes away (apply | head): exit 130, state saved, lock released, no EPIPE crash", async () => {
    const run = await applyUnderWay();
    // What `head` does once it has its lines: close the pipe. The next progress line fails with EPIPE.
    run.child.stdout!.destroy();
    const { out } = await stoppedGracefully(run);
    expect(out).to.not.contain("EPIPE");
  });

  it("SIGINT during plan: stops reading, releases the lock, exit 130", async () => {
    const first = startCli(ws.dir, ["apply", "--auto-approve", "--var", "gen=0"]);
    expect((await first.exit).code, first.lines.join("\n")).to.equal(0);
    ws.endpoint.setKnobs({ latencyByOperation: { DescribeAssociation: 3000, ListAssociations: 3000 } });
    const plan = startCli(ws.dir, ["plan", "--var", "gen=0"]);
    // Interrupt once a read is in flight at the endpoint.
    expect(await plan.waitForLine((l) => / Refreshing state/.test(l))).to.equal(true);
    for (
      let i = 0;
      (ws.endpoint.counters()["DescribeAssociation"]?.calls ?? 0) +
        (ws.endpoint.counters()["ListAssociations"]?.calls ?? 0) ===
      0;
      i++
    ) {
      expect(i, "no read reached the endpoint").to.be.lessThan(400);
      await new Promise((r) => setTimeout(r, 10));
    }
    plan.child.kill("SIGINT");
    const exit = await plan.exit;
    const out = plan.lines.join("\n");
    expect(exit.code, out).to.equal(130);
    expect(out).to.contain("Interrupt received: stopping the plan.");
    expect(out).to.contain("Plan interrupted: nothing was changed.");
    expect(existsSync(ws.statePath + ".lock")).to.equal(false);
  });

  it("SIGTERM during plan: stops reading, releases the lock, exit 143", async () => {
    const first = startCli(ws.dir, ["apply", "--auto-approve", "--var", "gen=0"]);
    expect((await first.exit).code, first.lines.join("\n")).to.equal(0);
    ws.endpoint.setKnobs({ latencyByOperation: { DescribeAssociation: 3000, ListAssociations: 3000 } });
    const plan = startCli(ws.dir, ["plan", "--var", "gen=0"]);
    expect(await plan.waitForLine((l) => / Refreshing state/.test(l))).to.equal(true);
    plan.child.kill("SIGTERM");
    const exit = await plan.exit;
    const out = plan.lines.join("\n");
    expect(exit.code, out).to.equal(143);
    expect(out).to.contain("SIGTERM received: stopping the plan.");
    expect(out).to.contain("Plan interrupted: nothing was changed.");
    expect(existsSync(ws.statePath + ".lock")).to.equal(false);
  });

  it("second SIGINT: stops at once, state valid, lock released, an abandoned create is adopted by the rerun", async () => {
    // Long enough that both interrupts land while the creates are still held, even on a loaded
    // machine (at 1.5 s, one run under a load average of 15 saw them finish first).
    ws.endpoint.setKnobs({ latencyByOperation: { CreateAssociation: 4000, CreateAssociationBatch: 4000 } });
    const run = startCli(ws.dir, ["apply", "--auto-approve", "--var", "gen=0", "--parallelism", "3"]);
    expect(await run.waitForLine((l) => /^association\.\S+: Creating\.\.\./.test(l), 3)).to.equal(true);
    // Interrupt once the three creates have reached the endpoint (it counts a call as it arrives,
    // before its latency): three CreateAssociation calls, or a CreateAssociationBatch carrying them.
    const createCalls = (): { single: number; batch: number } => ({
      single: ws.endpoint.counters()["CreateAssociation"]?.calls ?? 0,
      batch: ws.endpoint.counters()["CreateAssociationBatch"]?.calls ?? 0,
    });
    for (let i = 0; createCalls().single < 3 && createCalls().batch < 1; i++) {
      expect(i, "the creates never reached the endpoint").to.be.lessThan(400);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    run.child.kill("SIGINT");
    expect(await run.waitForLine((l) => l.startsWith("Interrupt received"))).to.equal(true);
    run.child.kill("SIGINT");
    const exit = await run.exit;
    const out = run.lines.join("\n");
    expect(exit.code, out).to.equal(130);
    expect(out).to.contain("Second interrupt: abandoning the calls in flight and saving the state.");
    expect(out).to.contain("Apply interrupted.");
    expect(existsSync(ws.statePath + ".lock")).to.equal(false);
    // The three association creates were abandoned mid-call: each is recorded as in flight.
    const inFlight = run.lines.filter((l) => /^association\.\S+: Creating\.\.\./.test(l)).map((l) => l.split(":")[0]!);
    const state = readState();
    expect((state.pendingCreates ?? []).map((p) => p.address).sort()).to.deep.equal(inFlight.sort());
    expect(state.resources.filter((r) => r.kind === "association")).to.deep.equal([]);
    // SSM carries them out anyway once their latency is over (the caller is gone by then).
    const calls = inFlight.length;
    for (let i = 0; (await remoteInventory(ws.client)).associations.length < calls; i++) {
      expect(i, "the abandoned creates never arrived").to.be.lessThan(200);
      await new Promise((r) => setTimeout(r, 25));
    }
    ws.endpoint.setKnobs({ latencyByOperation: undefined });
    const rerun = await converges();
    const adopted = rerun
      .filter((l) => / Adopted .*made by an earlier create whose outcome was never seen$/.test(l))
      .map((l) => l.split(":")[0]!);
    expect(adopted.sort()).to.deep.equal(inFlight.sort());
  });
});
