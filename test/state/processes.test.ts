import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expect } from "chai";
import { decodeState, FileStateStorage, staleLockNote, type LockResult } from "../../src/state/index.js";
import { helpersDir, tempDir } from "./helpers/paths.js";
import { seededRandom } from "../seeded-random.js";

function run(script: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [join(helpersDir, script), ...args], { stdio: "pipe" });
}

/** Resolves with the child's next line of output (rejects if it exits first). */
function nextLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const onExit = (code: number | null) =>
      reject(new Error(`child exited (${code}) before printing a line: ${stderr}`));
    child.once("exit", onExit);
    rl.once("line", (line) => {
      child.off("exit", onExit);
      rl.close();
      resolve(line);
    });
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("state across processes", function () {
  this.timeout(60_000);

  it("a writer killed with SIGKILL at random points always leaves a readable state (20 kills)", async () => {
    const seed = Number(process.env.STATE_KILL_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const dir = tempDir();
    const path = join(dir, "statectl.state.json");
    let lastSerial = 0;
    let leftovers = 0;
    for (let round = 0; round < 20; round++) {
      const child = run("writer.js", [path]);
      expect(await nextLine(child)).to.equal("ready");
      await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
      child.kill("SIGKILL");
      await exited(child);
      const why = `seed ${seed}, round ${round}`;
      const state = decodeState(readFileSync(path), path);
      expect(state.diagnostics, why).to.deep.equal([]);
      expect(state.state!.serial, why).to.be.at.least(lastSerial + 1);
      lastSerial = state.state!.serial;
      if (existsSync(`${path}.backup`)) {
        const backup = decodeState(readFileSync(`${path}.backup`), "backup");
        expect(backup.diagnostics, why).to.deep.equal([]);
        // Killed between publishing the backup and replacing the state, both hold the same version.
        expect(backup.state!.serial, why).to.be.at.most(lastSerial);
      }
      for (const name of readdirSync(dir).filter((n) => n.includes(".tmp-"))) {
        leftovers++;
        expect(statSync(join(dir, name)).mode & 0o777, `${why}: ${name}`).to.equal(0o600);
      }
      expect(statSync(path).mode & 0o777).to.equal(0o600);
    }
    // The next locker clears the temporary files the killed writers left behind.
    const storage = new FileStateStorage(path);
    const lock = await storage.lock({ operation: "cleanup" });
    await storage.unlock(lock.lock!.id);
    expect(
      readdirSync(dir).filter((n) => n.includes(".tmp-")),
      `seed ${seed}, ${leftovers} leftovers seen`,
    ).to.deep.equal([]);
  });

  it("a second process waits for the lock, then fails naming the holder and since when", async () => {
    const path = join(tempDir(), "statectl.state.json");
    const holder = run("locker.js", [path, "hold", "apply"]);
    const held = JSON.parse(await nextLine(holder)) as LockResult;
    expect(held.lock!.pid).to.equal(holder.pid);

    const waiter = run("locker.js", [path, "try", "plan", "300"]);
    const failed = JSON.parse(await nextLine(waiter)) as LockResult;
    expect(await exited(waiter)).to.equal(1);
    expect(failed.lock).to.equal(undefined);
    const d = failed.diagnostics[0]!;
    expect(d.code).to.equal("state/locked");
    expect(d.detail)
      .to.include("after waiting 300ms")
      .and.include(held.lock!.id)
      .and.include(held.lock!.who)
      .and.include(`PID:       ${holder.pid}`)
      .and.include("Operation: apply")
      .and.include(`Since:     ${held.lock!.created}`);
    expect(d.hint).to.include(`statectl force-unlock ${held.lock!.id}`);

    // One that waits long enough gets the lock once the holder lets go.
    const patient = run("locker.js", [path, "try", "plan", "20000"]);
    holder.stdin.write("release\n");
    expect(JSON.parse(await nextLine(holder))).to.deep.equal({ released: true });
    const got = JSON.parse(await nextLine(patient)) as LockResult;
    expect(got.diagnostics).to.deep.equal([]);
    expect(got.lock!.operation).to.equal("plan");
    expect(await exited(patient)).to.equal(0);
    expect(existsSync(`${path}.lock`)).to.equal(false);
  });

  it("of several processes racing for the lock, exactly one gets it", async () => {
    const path = join(tempDir(), "statectl.state.json");
    const racers = Array.from({ length: 5 }, () => run("locker.js", [path, "hold", "apply"]));
    const results = await Promise.all(racers.map(async (c) => JSON.parse(await nextLine(c)) as LockResult));
    const winners = racers.filter((_, i) => results[i]!.lock);
    expect(winners.length).to.equal(1);
    for (const [i, r] of results.entries())
      if (!r.lock) expect(r.diagnostics[0]!.code, `racer ${i}`).to.equal("state/locked");
    winners[0]!.stdin.write("release\n");
    await Promise.all(racers.map(exited));
    expect(existsSync(`${path}.lock`)).to.equal(false);
  });

  it("a process that exits without unlocking releases its lock; one killed leaves a lock the next locker takes over, saying so", async () => {
    const path = join(tempDir(), "statectl.state.json");
    const exiting = run("locker.js", [path, "exit", "apply"]);
    expect((JSON.parse(await nextLine(exiting)) as LockResult).lock).to.not.equal(undefined);
    expect(await exited(exiting)).to.equal(0);
    expect(existsSync(`${path}.lock`)).to.equal(false);

    const killed = run("locker.js", [path, "sleep", "apply"]);
    const lock = (JSON.parse(await nextLine(killed)) as LockResult).lock!;
    expect(lock.started, "the lock records which process holds it").to.match(/^.+:\d+$/);
    killed.kill("SIGKILL");
    await exited(killed);
    const storage = new FileStateStorage(path);
    const now = await storage.lock({ operation: "plan" });
    expect(now.diagnostics).to.deep.equal([]);
    expect(now.tookOver!.id).to.equal(lock.id);
    expect(staleLockNote(now.tookOver!)).to.equal(
      `Took over the lock on ${path} left by process ${lock.pid} (apply, ${lock.who}, since ${lock.created}), which is no longer running.`,
    );
    expect(existsSync(`${path}.lock.takeover`)).to.equal(false);
    await storage.unlock(now.lock!.id);
  });

  it("a lock whose pid now belongs to another process (pid reused) is taken over; a live holder's is not", async () => {
    const path = join(tempDir(), "statectl.state.json");
    const holder = run("locker.js", [path, "hold", "apply"]);
    const held = (JSON.parse(await nextLine(holder)) as LockResult).lock!;
    const storage = new FileStateStorage(path);
    const blocked = await storage.lock({ operation: "plan" });
    expect(blocked.lock).to.equal(undefined);
    expect(blocked.diagnostics[0]!.code).to.equal("state/locked");
    // The same pid, started at another time: what a crashed holder whose pid was reused looks like.
    writeFileSync(`${path}.lock`, JSON.stringify({ ...held, started: `${held.started!.split(":")[0]}:1` }));
    const taken = await storage.lock({ operation: "plan" });
    expect(taken.diagnostics).to.deep.equal([]);
    expect(taken.tookOver!.pid).to.equal(holder.pid);
    await storage.unlock(taken.lock!.id);
    holder.kill("SIGKILL");
    await exited(holder);
  });

  it("a lock held on another host is never taken over: force-unlock with its ID is still needed", async () => {
    const path = join(tempDir(), "statectl.state.json");
    const id = "5f0e3c1a-0000-4000-8000-000000000001";
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({
        id,
        who: "ci@build-agent-7",
        pid: 999_999,
        operation: "apply",
        created: new Date().toISOString(),
        version: "0.1.0",
        path,
        started: "x:1",
      }),
    );
    const storage = new FileStateStorage(path);
    const blocked = await storage.lock({ operation: "plan" });
    expect(blocked.lock).to.equal(undefined);
    expect(blocked.diagnostics[0]!.code).to.equal("state/locked");
    expect(blocked.diagnostics[0]!.hint).to.include(`statectl force-unlock ${id}`);
    expect(await storage.forceUnlock(id)).to.deep.equal([]);
    const now = await storage.lock({ operation: "plan" });
    expect(now.diagnostics).to.deep.equal([]);
    expect(now.tookOver).to.equal(undefined);
    await storage.unlock(now.lock!.id);
  });

  it("of several processes finding the same stale lock, exactly one takes it over", async () => {
    const path = join(tempDir(), "statectl.state.json");
    const killed = run("locker.js", [path, "sleep", "apply"]);
    await nextLine(killed);
    killed.kill("SIGKILL");
    await exited(killed);
    const racers = Array.from({ length: 5 }, () => run("locker.js", [path, "hold", "apply"]));
    const results = await Promise.all(racers.map(async (c) => JSON.parse(await nextLine(c)) as LockResult));
    const winners = racers.filter((_, i) => results[i]!.lock);
    for (const w of winners) w.stdin.write("release\n");
    await Promise.all(racers.map(exited));
    expect(winners.length, JSON.stringify(results)).to.equal(1);
    // The winner took the stale lock over, or created its own right after another racer removed it.
    expect(results.filter((r) => r.tookOver).length).to.be.at.most(1);
    expect(existsSync(`${path}.lock`)).to.equal(false);
  });
});
