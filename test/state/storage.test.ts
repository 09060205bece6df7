import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import {
  decodeState,
  emptyState,
  FileStateStorage,
  MemoryStateStorage,
  openState,
  setInstance,
  StatePersister,
  type State,
  type StateStorage,
} from "../../src/state/index.js";
import { tempDir } from "./helpers/paths.js";

function withDoc(s: State, name: string): State {
  return setInstance(s, {
    address: `document.${name}`,
    kind: "document",
    provider: "ssm",
    id: name,
    attributes: { name },
    sensitiveAttributes: [],
    dependencies: [],
  });
}

function contract(label: string, make: () => StateStorage): void {
  describe(`${label}: the StateStorage contract`, () => {
    it("reads nothing before the first write", async () => {
      expect(await make().read()).to.deep.equal({ diagnostics: [] });
    });

    it("increments the serial on every write and reads back what was written", async () => {
      const storage = make();
      const first = await storage.write(withDoc(emptyState(), "a"));
      expect(first.diagnostics).to.deep.equal([]);
      expect(first.state!.serial).to.equal(1);
      const second = await storage.write(withDoc(first.state!, "b"));
      expect(second.state!.serial).to.equal(2);
      const read = await storage.read();
      expect(read.state).to.deep.equal(second.state);
    });

    it("refuses a state of another lineage, and a stale one", async () => {
      const storage = make();
      const w1 = await storage.write(emptyState());
      const other = await storage.write(emptyState());
      expect(other.diagnostics[0]!.code).to.equal("state/lineage-mismatch");
      const w2 = await storage.write(w1.state!);
      expect(w2.state!.serial).to.equal(2);
      const stale = await storage.write(w1.state!);
      expect(stale.diagnostics[0]!.code).to.equal("state/stale-serial");
    });

    it("locks exclusively and says who holds the lock", async () => {
      const storage = make();
      const a = await storage.lock({ operation: "apply" });
      expect(a.diagnostics).to.deep.equal([]);
      const b = await storage.lock({ operation: "plan", timeoutMs: 50, pollMs: 10 });
      expect(b.lock).to.equal(undefined);
      expect(b.diagnostics[0]!.code).to.equal("state/locked");
      expect(b.diagnostics[0]!.detail)
        .to.include(a.lock!.id)
        .and.include("apply")
        .and.include(String(process.pid))
        .and.include(a.lock!.created);
      expect((await storage.lockInfo())!.id).to.equal(a.lock!.id);
      expect((await storage.unlock("wrong"))[0]!.code).to.equal("state/lock-id-mismatch");
      expect(await storage.unlock(a.lock!.id)).to.deep.equal([]);
      expect((await storage.unlock(a.lock!.id))[0]!.code).to.equal("state/not-locked");
      expect(await storage.lockInfo()).to.equal(undefined);
    });

    it("a waiting locker gets the lock once it is released", async () => {
      const storage = make();
      const a = await storage.lock({ operation: "apply" });
      const waiting = storage.lock({ operation: "plan", timeoutMs: 10_000, pollMs: 10 });
      setTimeout(() => void storage.unlock(a.lock!.id), 30);
      const b = await waiting;
      expect(b.diagnostics).to.deep.equal([]);
      expect(b.lock!.operation).to.equal("plan");
      await storage.forceUnlock(b.lock!.id);
    });

    it("the persister writes after each change, in order, with none lost", async () => {
      const storage = make();
      const start = await storage.write(emptyState());
      const p = new StatePersister(storage, start.state!);
      const names = Array.from({ length: 20 }, (_, i) => `d${i}`);
      const results = await Promise.all(names.map((n) => p.update((s) => withDoc(s, n))));
      expect(results.every((r) => r.diagnostics.length === 0)).to.equal(true);
      const read = await storage.read();
      expect(read.state!.resources.map((r) => r.id).sort()).to.deep.equal([...names].sort());
      expect(read.state!.serial).to.equal(1 + p.writes);
      expect(p.current).to.deep.equal(read.state);
      // Later edits continue from the stored serial.
      const more = await p.update((s) => withDoc(s, "last"));
      expect(more.state!.serial).to.equal(read.state!.serial + 1);
    });
  });
}

describe("state/openState", () => {
  it("locks, starts from an empty state, writes each change, and releases only after the last write", async () => {
    const storage = new FileStateStorage(join(tempDir(), "statectl.state.json"));
    const { opened, diagnostics } = await openState(storage, { operation: "apply" });
    expect(diagnostics).to.deep.equal([]);
    expect(opened!.existed).to.equal(false);
    expect(opened!.prior.serial).to.equal(0);
    expect((await storage.lockInfo())!.operation).to.equal("apply");
    void opened!.persister.update((s) => withDoc(s, "a"));
    void opened!.persister.update((s) => withDoc(s, "b"));
    expect(await opened!.release()).to.deep.equal([]);
    expect(await storage.lockInfo()).to.equal(undefined);
    const read = await new FileStateStorage(storage.path).read();
    expect(read.state!.resources.map((r) => r.id)).to.deep.equal(["a", "b"]);
    const again = await openState(new FileStateStorage(storage.path), { operation: "plan", lock: false });
    expect(again.opened!.existed).to.equal(true);
    expect(again.opened!.prior).to.deep.equal(read.state);
  });

  it("does not stay locked when the state cannot be read", async () => {
    const path = join(tempDir(), "statectl.state.json");
    writeFileSync(path, "{");
    const storage = new FileStateStorage(path);
    const r = await openState(storage, { operation: "apply" });
    expect(r.opened).to.equal(undefined);
    expect(r.diagnostics[0]!.code).to.equal("state/truncated");
    expect(existsSync(`${path}.lock`)).to.equal(false);
  });
});

contract("memory", () => new MemoryStateStorage());
contract("file", () => new FileStateStorage(join(tempDir(), "statectl.state.json")));

describe("state/file storage", () => {
  it("creates the state, backup and lock files with mode 0600 and leaves no temporary file", async () => {
    const dir = tempDir();
    const path = join(dir, "statectl.state.json");
    const storage = new FileStateStorage(path);
    const old = process.umask(0o000);
    try {
      const lock = await storage.lock({ operation: "apply" });
      expect(statSync(`${path}.lock`).mode & 0o777).to.equal(0o600);
      const w1 = await storage.write(emptyState());
      await storage.write(withDoc(w1.state!, "a"));
      expect(statSync(path).mode & 0o777).to.equal(0o600);
      expect(statSync(`${path}.backup`).mode & 0o777).to.equal(0o600);
      await storage.unlock(lock.lock!.id);
    } finally {
      process.umask(old);
    }
    expect(readdirSync(dir).sort()).to.deep.equal(["statectl.state.json", "statectl.state.json.backup"]);
  });

  it("tightens an existing state file that was readable by others", async () => {
    const dir = tempDir();
    const path = join(dir, "s.json");
    const s = new FileStateStorage(path);
    await s.write(emptyState());
    const { chmodSync } = await import("node:fs");
    chmodSync(path, 0o644);
    const r = await s.read();
    await s.write(r.state!);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(statSync(`${path}.backup`).mode & 0o777).to.equal(0o600);
  });

  it("keeps the previous version as <file>.backup", async () => {
    const path = join(tempDir(), "s.json");
    const s = new FileStateStorage(path);
    const w1 = await s.write(withDoc(emptyState(), "a"));
    expect(existsSync(`${path}.backup`)).to.equal(false);
    const w2 = await s.write(withDoc(w1.state!, "b"));
    expect(decodeState(readFileSync(`${path}.backup`), "b").state).to.deep.equal(w1.state);
    await s.write(withDoc(w2.state!, "c"));
    expect(decodeState(readFileSync(`${path}.backup`), "b").state).to.deep.equal(w2.state);
  });

  it("refuses to write over a damaged state, and names the intact backup", async () => {
    const path = join(tempDir(), "s.json");
    const first = new FileStateStorage(path);
    const w1 = await first.write(emptyState());
    await first.write(w1.state!);
    writeFileSync(path, '{"format_version": 1, "serial": ');
    const fresh = new FileStateStorage(path);
    const read = await fresh.read();
    expect(read.diagnostics[0]!.code).to.equal("state/truncated");
    expect(read.diagnostics[0]!.hint).to.include("serial 1").and.include("s.json.backup");
    const w = await fresh.write(emptyState());
    expect(w.diagnostics[0]!.code).to.equal("state/truncated");
    expect(decodeState(readFileSync(`${path}.backup`), "b").state!.serial).to.equal(1);
  });

  it("refuses to replace a state of another lineage even without reading it first", async () => {
    const path = join(tempDir(), "s.json");
    await new FileStateStorage(path).write(emptyState());
    const w = await new FileStateStorage(path).write(emptyState());
    expect(w.diagnostics[0]!.code).to.equal("state/lineage-mismatch");
  });

  it("reports an unreadable path as a diagnostic", async () => {
    const dir = tempDir();
    const r = await new FileStateStorage(dir).read();
    expect(r.diagnostics[0]!.code).to.equal("state/io-error");
    expect(r.diagnostics[0]!.detail).to.include("it is a directory");
  });

  it("force-unlock needs the lock's id", async () => {
    const path = join(tempDir(), "s.json");
    const s = new FileStateStorage(path);
    const a = await s.lock({ operation: "apply" });
    const other = new FileStateStorage(path);
    expect((await other.forceUnlock("nope"))[0]!.code).to.equal("state/lock-id-mismatch");
    expect(await other.forceUnlock(a.lock!.id)).to.deep.equal([]);
    expect(existsSync(`${path}.lock`)).to.equal(false);
  });

  it("says how to clear a lock file left empty", async () => {
    const path = join(tempDir(), "s.json");
    writeFileSync(`${path}.lock`, "");
    const r = await new FileStateStorage(path).lock({ operation: "apply" });
    expect(r.diagnostics[0]!.code).to.equal("state/locked");
    expect(r.diagnostics[0]!.hint).to.include("delete").and.include("s.json.lock");
  });
});
