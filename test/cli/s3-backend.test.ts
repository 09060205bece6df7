// The built CLI with `backend "s3"` against a real S3 wire protocol (moto_server on loopback,
// started by the suite) and the local SSM endpoint as a standalone server: two applies from two
// working directories on one key, SIGKILL during an apply, workspaces, migration local → S3 and
// back, and bad input. The endpoint's latency knob keeps an apply running while others start.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { decodeState, emptyState, encodeStateBytes, type State } from "../../src/index.js";
import {
  crashConfig,
  declared,
  remoteInventory,
  standaloneWorkspace,
  startCli,
  stateVersusRemote,
} from "./kill-helpers.js";
import { motoServer } from "../state-s3/moto.js";

const KEY = "fleet/statectl.state.json";

function backendBlock(url: string, bucket: string, extra = ""): string {
  return `
state {
  backend "s3" {
    bucket           = "${bucket}"
    key              = "${KEY}"
    endpoint         = "${url}"
    force_path_style = true${extra}
  }
}
`;
}

describe("cli: the S3 backend (moto_server) shared by several working directories", function () {
  this.timeout(180_000);
  const moto = motoServer();
  const ws = standaloneWorkspace("statectl-s3-", { each: true });
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A working directory of its own with the crash configuration and the S3 backend on `bucket`. */
  function workingDir(bucket: string, config: (url: string) => string = crashConfig): string {
    const dir = mkdtempSync(join(tmpdir(), "statectl-s3-wd-"));
    dirs.push(dir);
    writeFileSync(join(dir, "main.state"), config(ws.endpoint.url) + backendBlock(moto.url, bucket));
    return dir;
  }

  async function stored(bucket: string, key = KEY): Promise<State | undefined> {
    try {
      const r = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return decodeState(await r.Body!.transformToString(), key).state;
    } catch {
      return undefined;
    }
  }

  async function keys(bucket: string): Promise<string[]> {
    const r = await moto.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  const text = (r: { lines: string[] }): string => r.lines.join("\n");

  it("two applies from two directories on one key: the second waits for the lock, a third fails naming the holder, and both applies' changes end up in the state", async () => {
    const bucket = await moto.bucket({ versioning: true });
    const [a, b, c] = [workingDir(bucket), workingDir(bucket), workingDir(bucket)];
    // Slow enough that the first apply (three associations, one at a time) still holds the lock
    // when the other two processes have started, even on a loaded machine.
    ws.endpoint.setKnobs({
      latencyByOperation: { CreateDocument: 4000, CreateAssociation: 3000, CreateAssociationBatch: 3000 },
    });
    // Two disjoint parts of the configuration: a's roles (document base and three associations),
    // b's chain (document static, static_a, static_b, chained).
    const first = startCli(a, ["apply", "--auto-approve", "--parallelism", "1", "--target", "association.role"]);
    expect(await first.waitForLine((l) => /^document\.base: Creating\.\.\./.test(l))).to.equal(true);
    const lockBody = JSON.parse(
      await (
        await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${KEY}.lock` }))
      ).Body!.transformToString(),
    ) as Record<string, unknown>;
    expect(lockBody).to.include({ pid: first.child.pid, operation: "apply" });
    const impatient = startCli(c, ["apply", "--auto-approve", "--target", "association.extra"]);
    const patient = startCli(b, [
      "apply",
      "--auto-approve",
      "--parallelism",
      "1",
      "--lock-timeout",
      "120s",
      "--target",
      "association.chained",
    ]);
    const order: string[] = [];
    const [f, i, p] = await Promise.all([
      first.exit.then((e) => (order.push("first"), e)),
      impatient.exit.then((e) => (order.push("impatient"), e)),
      patient.exit.then((e) => (order.push("patient"), e)),
    ]);
    expect(f.code, text(first)).to.equal(0);
    expect(text(first)).to.contain("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
    expect(i.code, text(impatient)).to.equal(1);
    expect(text(impatient)).to.contain("error[state/locked]: The state is locked");
    expect(text(impatient)).to.contain(`s3://${bucket}/${KEY}`);
    // It names the holder: the first apply, or the patient one if that already took over.
    expect(text(impatient)).to.match(new RegExp(`PID: +(${first.child.pid}|${patient.child.pid})\n`));
    expect(text(impatient)).to.contain("Operation: apply");
    expect(text(impatient)).to.not.contain("Creating...");
    expect(p.code, text(patient)).to.equal(0);
    expect(order.indexOf("patient")).to.be.greaterThan(order.indexOf("first"));
    expect(text(patient)).to.contain("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
    // Nothing lost: the state holds both applies' resources, exactly what SSM holds.
    const state = (await stored(bucket))!;
    expect(state.resources.map((r) => r.address).sort()).to.deep.equal([
      "association.chained",
      'association.role["cache"]',
      'association.role["db"]',
      'association.role["web"]',
      "association.static_a",
      "association.static_b",
      "document.base",
      "document.static",
    ]);
    expect(await stateVersusRemote(ws.client, state)).to.deep.equal([]);
    expect(await keys(bucket)).to.deep.equal([KEY]);
  });

  it("SIGKILL during an S3-backed apply: the state stays readable, the lock names the dead holder, force-unlock releases it, and a rerun converges", async () => {
    const bucket = await moto.bucket();
    const dir = workingDir(bucket);
    ws.endpoint.setKnobs({ latencyByOperation: { CreateAssociation: 500, CreateDocument: 300 } });
    const run = startCli(dir, ["apply", "--auto-approve", "--parallelism", "1"]);
    expect(await run.waitForLine((l) => /: Creation complete/.test(l), 3)).to.equal(true);
    run.child.kill("SIGKILL");
    expect((await run.exit).signal).to.equal("SIGKILL");
    ws.endpoint.setKnobs({ latencyByOperation: undefined });
    // Readable, and it records what was done before the kill.
    const after = (await stored(bucket))!;
    expect(after.resources.length).to.be.greaterThanOrEqual(3);
    const pulled = startCli(dir, ["state", "pull"]);
    expect((await pulled.exit).code, text(pulled)).to.equal(0);
    expect(decodeState(pulled.lines.join("\n"), "pulled").state!.serial).to.equal(after.serial);
    // The dead holder's lock is reported with its holder.
    const blocked = startCli(dir, ["plan"]);
    expect((await blocked.exit).code).to.equal(1);
    expect(text(blocked)).to.contain(`PID:       ${run.child.pid}`);
    expect(text(blocked)).to.contain(
      `Process ${run.child.pid} is no longer running on this host, so the lock is probably stale.`,
    );
    const id = /statectl force-unlock (\S+)/.exec(text(blocked))![1]!;
    const unlock = startCli(dir, ["force-unlock", id]);
    expect((await unlock.exit).code, text(unlock)).to.equal(0);
    expect(text(unlock)).to.contain(`Released the lock on s3://${bucket}/${KEY}`);
    const rerun = startCli(dir, ["apply", "--auto-approve"]);
    expect((await rerun.exit).code, text(rerun)).to.equal(0);
    const plan = startCli(dir, ["plan", "--detailed-exitcode"]);
    expect((await plan.exit).code, text(plan)).to.equal(0);
    const final = (await stored(bucket))!;
    expect(await stateVersusRemote(ws.client, final)).to.deep.equal([]);
    const inventory = await remoteInventory(ws.client);
    expect(inventory.documents).to.deep.equal(declared(0).documents);
    expect(inventory.associations.map((x) => x.name).sort()).to.deep.equal(
      Object.keys(declared(0).associations).sort(),
    );
    expect(await keys(bucket)).to.deep.equal([KEY, `${KEY}.backup`]);
  });

  it("workspaces isolate state: each has its own S3 key and names through statectl.workspace; delete refuses a workspace that manages resources", async () => {
    const bucket = await moto.bucket();
    const config = (url: string) => `provider "ssm" {
  endpoint = "${url}"
}

document "doc" {
  name    = "ws-doc-\${statectl.workspace}"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "for \${statectl.workspace}"
    mainSteps     = [{ action = "aws:runShellScript", name = "run", inputs = { runCommand = ["true"] } }]
  })
}
`;
    const dir = workingDir(bucket, config);
    const step = async (args: string[], code = 0): Promise<string> => {
      const r = startCli(dir, args);
      expect((await r.exit).code, `${args.join(" ")}: ${text(r)}`).to.equal(code);
      return text(r);
    };
    await step(["apply", "--auto-approve"]);
    expect(await step(["workspace", "new", "staging"])).to.contain(
      `Created and switched to workspace "staging" (state: s3://${bucket}/workspaces/staging/${KEY})`,
    );
    expect(await step(["workspace", "show"])).to.equal("staging");
    expect(await step(["state", "list"])).to.equal("");
    await step(["apply", "--auto-approve"]);
    expect(await step(["workspace", "list"])).to.equal("  default\n* staging");
    expect((await remoteInventory(ws.client)).documents).to.deep.equal(["ws-doc-default", "ws-doc-staging"]);
    expect((await stored(bucket))!.resources.map((r) => r.id)).to.deep.equal(["ws-doc-default"]);
    expect((await stored(bucket, `workspaces/staging/${KEY}`))!.resources.map((r) => r.id)).to.deep.equal([
      "ws-doc-staging",
    ]);
    await step(["workspace", "select", "default"]);
    expect(await step(["plan", "--detailed-exitcode"])).to.contain("No changes.");
    expect(await step(["workspace", "delete", "staging"], 1)).to.contain("error[workspace/not-empty]");
    expect(await keys(bucket)).to.include(`workspaces/staging/${KEY}`);
    // STATECTL_WORKSPACE is for one command; here through the selection file instead.
    await step(["workspace", "select", "staging"]);
    await step(["destroy", "--auto-approve"]);
    await step(["workspace", "select", "default"]);
    expect(await step(["workspace", "delete", "staging"])).to.contain('Deleted workspace "staging".');
    expect(await keys(bucket)).to.deep.equal([KEY]);
    expect((await remoteInventory(ws.client)).documents).to.deep.equal(["ws-doc-default"]);
  });

  it("migrates the state local → S3 and back, and refuses to overwrite a target holding another state", async () => {
    const bucket = await moto.bucket();
    const dir = mkdtempSync(join(tmpdir(), "statectl-s3-mig-"));
    dirs.push(dir);
    const local = crashConfig(ws.endpoint.url);
    writeFileSync(join(dir, "main.state"), local);
    const step = async (args: string[], code = 0): Promise<string> => {
      const r = startCli(dir, args);
      expect((await r.exit).code, `${args.join(" ")}: ${text(r)}`).to.equal(code);
      return text(r);
    };
    await step(["apply", "--auto-approve"]);
    const localState = decodeState(readFileSync(join(dir, "statectl.state.json")), "local").state!;
    // The backend is added: plan stops rather than plan against the empty bucket.
    writeFileSync(join(dir, "main.state"), local + backendBlock(moto.url, bucket));
    const stopped = await step(["plan"], 1);
    expect(stopped).to.contain("error[backend/migration-needed]");
    expect(stopped).to.contain("statectl state migrate --from statectl.state.json");
    expect(await keys(bucket)).to.deep.equal([]);
    expect(await step(["state", "migrate", "--from", "statectl.state.json"])).to.contain(
      `Copied the state (10 resource instances) from`,
    );
    const inS3 = (await stored(bucket))!;
    expect(inS3.lineage).to.equal(localState.lineage);
    expect(inS3.resources).to.deep.equal(localState.resources);
    expect(await step(["plan", "--detailed-exitcode"])).to.contain("No changes.");
    expect(await step(["state", "migrate", "--from", "statectl.state.json"])).to.contain("already holds this state");
    // Change something through S3, then go back to the local file.
    await step(["apply", "--auto-approve", "--var", "gen=1"]);
    const newer = (await stored(bucket))!;
    writeFileSync(join(dir, "main.state"), local);
    expect(await step(["state", "migrate", "--from", `s3://${bucket}/${KEY}`, "--from-endpoint", moto.url])).to.contain(
      `to statectl.state.json`,
    );
    const back = decodeState(readFileSync(join(dir, "statectl.state.json")), "local").state!;
    expect(back.lineage).to.equal(localState.lineage);
    expect(back.resources).to.deep.equal(newer.resources);
    expect(await step(["plan", "--detailed-exitcode", "--var", "gen=1"])).to.contain("No changes.");
    // A target that holds a different state is never overwritten.
    const otherBucket = await moto.bucket();
    const other = encodeStateBytes({ ...emptyState(), serial: 3 });
    await moto.client.send(new PutObjectCommand({ Bucket: otherBucket, Key: KEY, Body: other }));
    writeFileSync(join(dir, "main.state"), local + backendBlock(moto.url, otherBucket));
    const refused = await step(["state", "migrate", "--from", "statectl.state.json"], 1);
    expect(refused).to.contain("error[backend/migrate-target-not-empty]");
    expect(refused).to.contain("Nothing was written.");
    expect(
      Buffer.from(
        await (
          await moto.client.send(new GetObjectCommand({ Bucket: otherBucket, Key: KEY }))
        ).Body!.transformToByteArray(),
      ).equals(other),
    ).to.equal(true);
  });

  it("a missing bucket stops before anything is changed, naming the bucket and key", async () => {
    const dir = workingDir("statectl-no-such-bucket");
    const r = startCli(dir, ["apply", "--auto-approve"]);
    expect((await r.exit).code).to.equal(1);
    expect(text(r)).to.contain("error[backend/no-such-bucket]: The state bucket does not exist");
    expect(text(r)).to.contain(`s3://statectl-no-such-bucket/${KEY}`);
    expect(await remoteInventory(ws.client)).to.deep.equal({ documents: [], associations: [] });
    expect(readdirSync(dir).filter((n) => n.startsWith("statectl.state"))).to.deep.equal([]);
    expect(existsSync(join(dir, "statectl.state.json"))).to.equal(false);
  });
});
