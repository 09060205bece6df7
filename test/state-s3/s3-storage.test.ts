// The S3 backend's StateStorage over the real S3 wire protocol (the SDK against moto_server on
// loopback): the storage contract, compare-and-swap writes, the lock object, the previous state
// kept, and clear diagnostics that name bucket and key with nothing written on bad input.
import { expect } from "chai";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import {
  decodeState,
  emptyState,
  S3StateStorage,
  s3WorkspaceKey,
  setInstance,
  StatePersister,
  type State,
} from "../../src/index.js";
import { motoServer, S3_TEST_CREDENTIALS } from "./moto.js";

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

describe("state-s3: S3StateStorage against an S3 server (moto_server)", function () {
  this.timeout(30_000);
  const moto = motoServer();
  const opened: S3StateStorage[] = [];
  const storage = (bucket: string, key = "team/statectl.state.json"): S3StateStorage => {
    const s = new S3StateStorage({
      bucket,
      key,
      endpoint: moto.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { ...S3_TEST_CREDENTIALS },
      maxRetries: 0,
    });
    opened.push(s);
    return s;
  };
  after(() => opened.forEach((s) => s.destroy()));

  async function keys(bucket: string): Promise<string[]> {
    const r = await moto.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  async function object(bucket: string, key: string): Promise<string> {
    const r = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return r.Body!.transformToString();
  }

  it("reads nothing before the first write, then increments the serial per write and reads back what was written", async () => {
    const bucket = await moto.bucket();
    const s = storage(bucket);
    expect(s.location).to.equal(`s3://${bucket}/team/statectl.state.json`);
    expect(await s.read()).to.deep.equal({ diagnostics: [] });
    const first = await s.write(withDoc(emptyState(), "a"));
    expect(first.diagnostics).to.deep.equal([]);
    expect(first.state!.serial).to.equal(1);
    const second = await s.write(withDoc(first.state!, "b"));
    expect(second.state!.serial).to.equal(2);
    expect((await storage(bucket).read()).state).to.deep.equal(second.state);
    expect(decodeState(await object(bucket, "team/statectl.state.json"), "x").state).to.deep.equal(second.state);
  });

  it("refuses a state of another lineage, and a stale one", async () => {
    const s = storage(await moto.bucket());
    const w1 = await s.write(emptyState());
    expect((await s.write(emptyState())).diagnostics[0]!.code).to.equal("state/lineage-mismatch");
    const w2 = await s.write(w1.state!);
    expect(w2.state!.serial).to.equal(2);
    expect((await s.write(w1.state!)).diagnostics[0]!.code).to.equal("state/stale-serial");
  });

  it("replaceLineage (state push --force) replaces another lineage, but still only by compare-and-swap on the ETag read", async () => {
    const bucket = await moto.bucket();
    await storage(bucket).write(withDoc(emptyState(), "old"));
    const pusher = storage(bucket);
    const before = (await pusher.read()).state!;
    const other = withDoc(emptyState(), "new");
    // Someone who skipped the lock stores a state after the pusher read: the forced write is refused.
    const sneaky = storage(bucket);
    await sneaky.read();
    const sneakyWrote = await sneaky.write(withDoc(before, "sneaky"));
    expect(sneakyWrote.diagnostics).to.deep.equal([]);
    const refused = await pusher.write({ ...other, serial: before.serial }, { replaceLineage: true });
    expect(refused.diagnostics.map((d) => d.code)).to.deep.equal(["backend/state-changed"]);
    expect(decodeState(await object(bucket, "team/statectl.state.json"), "x").state).to.deep.equal(sneakyWrote.state);
    // Read again, the forced write goes through and the replaced state is the backup.
    const fresh = storage(bucket);
    const now = (await fresh.read()).state!;
    const replaced = await fresh.write({ ...other, serial: now.serial }, { replaceLineage: true });
    expect(replaced.diagnostics).to.deep.equal([]);
    expect(replaced.state).to.deep.include({ lineage: other.lineage, serial: now.serial + 1 });
    expect(decodeState(await object(bucket, "team/statectl.state.json.backup"), "x").state).to.deep.equal(
      sneakyWrote.state,
    );
    // Without the option another lineage is still refused.
    expect((await fresh.write(withDoc(emptyState(), "third"))).diagnostics[0]!.code).to.equal("state/lineage-mismatch");
  });

  it("refuses a writer whose ETag is stale (compare-and-swap, also without the lock) and leaves the other write intact", async () => {
    const bucket = await moto.bucket();
    const base = await storage(bucket).write(withDoc(emptyState(), "base"));
    const alice = storage(bucket);
    const bob = storage(bucket);
    const a = (await alice.read()).state!;
    const b = (await bob.read()).state!;
    const aliceWrote = await alice.write(withDoc(a, "alice"));
    expect(aliceWrote.diagnostics).to.deep.equal([]);
    // Bob read the same serial, so the serial check alone would let him through: the ETag stops him.
    const bobWrote = await bob.write(withDoc(b, "bob"));
    expect(bobWrote.state).to.equal(undefined);
    expect(bobWrote.diagnostics).to.have.length(1);
    const d = bobWrote.diagnostics[0]!;
    expect(d.code).to.equal("backend/state-changed");
    expect(d.detail).to.include(`s3://${bucket}/team/statectl.state.json`).and.include("nothing was overwritten");
    const now = (await storage(bucket).read()).state!;
    expect(now.serial).to.equal(base.state!.serial + 1);
    expect(now.resources.map((r) => r.id)).to.deep.equal(["alice", "base"]);
    // After reading again, Bob's change goes in on top of Alice's.
    const again = await bob.write(withDoc((await bob.read()).state!, "bob"));
    expect(again.diagnostics).to.deep.equal([]);
    expect((await storage(bucket).read()).state!.resources.map((r) => r.id)).to.deep.equal(["alice", "base", "bob"]);
  });

  it("refuses to create the state when someone created it after it was read as missing", async () => {
    const bucket = await moto.bucket();
    const late = storage(bucket);
    expect((await late.read()).state).to.equal(undefined);
    await storage(bucket).write(withDoc(emptyState(), "first"));
    const w = await late.write(withDoc(emptyState(), "second"));
    expect(w.diagnostics[0]!.code).to.equal("backend/state-changed");
    expect((await storage(bucket).read()).state!.resources.map((r) => r.id)).to.deep.equal(["first"]);
  });

  it("the persister writes after each change through conditional writes, with none lost", async () => {
    const s = storage(await moto.bucket());
    const start = await s.write(emptyState());
    const p = new StatePersister(s, start.state!);
    const names = Array.from({ length: 12 }, (_, i) => `d${i}`);
    const results = await Promise.all(names.map((n) => p.update((st) => withDoc(st, n))));
    expect(results.every((r) => r.diagnostics.length === 0)).to.equal(true);
    const read = await s.read();
    expect(read.state!.resources.map((r) => r.id).sort()).to.deep.equal([...names].sort());
    expect(read.state!.serial).to.equal(1 + p.writes);
  });

  it("locks with an object created only if absent, names the holder, waits with a timeout, and deletes the lock on release", async () => {
    const bucket = await moto.bucket();
    const a = storage(bucket);
    const b = storage(bucket);
    const held = await a.lock({ operation: "apply" });
    expect(held.diagnostics).to.deep.equal([]);
    const body = JSON.parse(await object(bucket, "team/statectl.state.json.lock")) as Record<string, unknown>;
    expect(body).to.include({ id: held.lock!.id, pid: process.pid, operation: "apply" });
    expect(body["who"]).to.be.a("string").and.match(/@/);
    expect(body["created"]).to.be.a("string");
    const refused = await b.lock({ operation: "plan" });
    expect(refused.lock).to.equal(undefined);
    expect(refused.diagnostics[0]!.code).to.equal("state/locked");
    expect(refused.diagnostics[0]!.detail)
      .to.include(held.lock!.id)
      .and.include(`PID:       ${process.pid}`)
      .and.include("Operation: apply")
      .and.include(`s3://${bucket}/team/statectl.state.json`);
    expect((await b.unlock("not-the-id"))[0]!.code).to.equal("state/lock-id-mismatch");
    const waiting = b.lock({ operation: "plan", timeoutMs: 10_000, pollMs: 50 });
    setTimeout(() => void a.unlock(held.lock!.id), 200);
    const got = await waiting;
    expect(got.diagnostics).to.deep.equal([]);
    expect(got.lock!.operation).to.equal("plan");
    // The old holder cannot delete the new lock.
    expect((await a.unlock(held.lock!.id))[0]!.code).to.equal("state/lock-id-mismatch");
    expect(await b.forceUnlock(got.lock!.id)).to.deep.equal([]);
    expect(await keys(bucket)).to.deep.equal([]);
    expect((await a.unlock(got.lock!.id))[0]!.code).to.equal("state/not-locked");
  });

  it("reports a lock left by a process that is gone, with its holder and how to release it", async () => {
    const bucket = await moto.bucket();
    const s = storage(bucket);
    const { hostname } = await import("node:os");
    const stale = {
      id: "6b0c1f9e-0000-4000-8000-000000000001",
      who: `ci@${hostname()}`,
      pid: 2 ** 22 + 17,
      operation: "apply",
      created: "2026-01-01T00:00:00.000Z",
      version: "0.1.0",
      path: s.location,
    };
    await moto.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: "team/statectl.state.json.lock", Body: JSON.stringify(stale) }),
    );
    const r = await s.lock({ operation: "apply", timeoutMs: 300, pollMs: 50 });
    const d = r.diagnostics[0]!;
    expect(d.code).to.equal("state/locked");
    expect(d.detail)
      .to.include(`ci@${hostname()}`)
      .and.include(String(stale.pid))
      .and.include("is no longer running on this host");
    expect(d.hint).to.equal(`release the stale lock with: statectl force-unlock ${stale.id}`);
    expect(await s.forceUnlock(stale.id)).to.deep.equal([]);
    expect((await s.lock({ operation: "apply" })).diagnostics).to.deep.equal([]);
  });

  it("keeps the previous state in <key>.backup when the bucket has no versioning", async () => {
    const bucket = await moto.bucket();
    const s = storage(bucket);
    const w1 = await s.write(withDoc(emptyState(), "a"));
    expect(await keys(bucket)).to.deep.equal(["team/statectl.state.json"]);
    await s.write(withDoc(w1.state!, "b"));
    expect(await keys(bucket)).to.deep.equal(["team/statectl.state.json", "team/statectl.state.json.backup"]);
    expect(decodeState(await object(bucket, "team/statectl.state.json.backup"), "b").state).to.deep.equal(w1.state);
    expect(await s.keepsVersions()).to.equal(false);
  });

  it("writes <key>.backup only after the conditional write of the new state succeeded: a refused writer leaves the backup as it was", async () => {
    const bucket = await moto.bucket();
    const base = await storage(bucket).write(withDoc(emptyState(), "base"));
    const alice = storage(bucket);
    const bob = storage(bucket);
    const a = (await alice.read()).state!;
    const b = (await bob.read()).state!;
    const first = await alice.write(withDoc(a, "alice"));
    await alice.write(withDoc(first.state!, "alice2"));
    const backupAfterAlice = await object(bucket, "team/statectl.state.json.backup");
    expect(decodeState(backupAfterAlice, "b").state).to.deep.equal(first.state);
    // Bob's write is refused (stale ETag): the backup still holds the state before Alice's last
    // write, not the older copy Bob read.
    expect(b).to.deep.equal(base.state);
    expect((await bob.write(withDoc(b, "bob"))).diagnostics[0]!.code).to.equal("backend/state-changed");
    expect(await object(bucket, "team/statectl.state.json.backup")).to.equal(backupAfterAlice);
  });

  it("relies on object versions when the bucket keeps them (no backup object)", async () => {
    const bucket = await moto.bucket({ versioning: true });
    const s = storage(bucket);
    let st = (await s.write(emptyState())).state!;
    for (const n of ["a", "b"]) st = (await s.write(withDoc(st, n))).state!;
    expect(await keys(bucket)).to.deep.equal(["team/statectl.state.json"]);
    const versions = await moto.client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "team/statectl.state.json" }),
    );
    expect((versions.Versions ?? []).filter((v) => v.Key === "team/statectl.state.json")).to.have.length(3);
  });

  it("a corrupt state object: a diagnostic naming bucket and key with how to restore, and nothing written", async () => {
    const bucket = await moto.bucket();
    const s = storage(bucket);
    const w1 = await s.write(withDoc(emptyState(), "a"));
    await s.write(withDoc(w1.state!, "b"));
    await moto.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "team/statectl.state.json",
        Body: '{"format_version": 1, "serial": ',
      }),
    );
    const fresh = storage(bucket);
    const r = await fresh.read();
    expect(r.state).to.equal(undefined);
    expect(r.diagnostics[0]!.code).to.equal("state/truncated");
    expect(r.diagnostics[0]!.range!.file).to.equal(`s3://${bucket}/team/statectl.state.json`);
    expect(r.diagnostics[0]!.hint).to.include(`s3://${bucket}/team/statectl.state.json.backup`).and.include("serial 1");
    const w = await fresh.write(withDoc(emptyState(), "c"));
    expect(w.state).to.equal(undefined);
    expect(await object(bucket, "team/statectl.state.json")).to.equal('{"format_version": 1, "serial": ');
  });

  it("a missing bucket: a diagnostic naming the bucket and key, and nothing written", async () => {
    const s = storage("statectl-no-such-bucket");
    const r = await s.read();
    expect(r.diagnostics[0]!.code).to.equal("backend/no-such-bucket");
    expect(r.diagnostics[0]!.detail)
      .to.include("s3://statectl-no-such-bucket/team/statectl.state.json")
      .and.include("Nothing was written");
    const l = await s.lock({ operation: "apply" });
    expect(l.diagnostics[0]!.code).to.equal("backend/no-such-bucket");
    const w = await s.write(emptyState());
    expect(w.diagnostics[0]!.code).to.equal("backend/no-such-bucket");
  });

  it("an unreachable endpoint: a diagnostic naming the bucket and key", async () => {
    const s = new S3StateStorage({
      bucket: "b-unreachable",
      key: "k.json",
      endpoint: "http://127.0.0.1:1",
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { ...S3_TEST_CREDENTIALS },
      maxRetries: 0,
    });
    opened.push(s);
    const r = await s.read();
    expect(r.diagnostics[0]!.code).to.equal("backend/unreachable");
    expect(r.diagnostics[0]!.detail).to.include("s3://b-unreachable/k.json");
  });

  it("puts other workspaces' states under workspaces/NAME/KEY and lists them", async () => {
    expect(s3WorkspaceKey("prod/s.json", "default")).to.equal("prod/s.json");
    expect(s3WorkspaceKey("prod/s.json", "staging")).to.equal("workspaces/staging/prod/s.json");
    expect(s3WorkspaceKey("s.json", "dev", "envs")).to.equal("envs/dev/s.json");
    const bucket = await moto.bucket();
    await storage(bucket, "prod/s.json").write(emptyState());
    await storage(bucket, "workspaces/staging/prod/s.json").write(emptyState());
    await storage(bucket, "workspaces/dev/prod/s.json").write(emptyState());
    await storage(bucket, "workspaces/other/unrelated.json").write(emptyState());
    expect((await storage(bucket, "prod/s.json").listWorkspaceNames("prod/s.json")).names).to.deep.equal([
      "dev",
      "staging",
    ]);
  });

  it("counts the requests it sends", async () => {
    const s = storage(await moto.bucket());
    await s.read();
    expect(s.counter.requests).to.equal(1);
  });
});
