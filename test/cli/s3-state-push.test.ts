// `state push` into the S3 backend through the built CLI, against moto_server on loopback:
// another lineage is refused without --force and replaces the stored state with it (as Terraform's
// `state push -force`), under the lock and as a compare-and-swap on the ETag read; the replaced
// state is kept as the backup. A held lock stops even a forced push.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { decodeState, emptyState, encodeStateBytes, setInstance, type State } from "../../src/index.js";
import { motoServer, S3_TEST_CREDENTIALS } from "../state-s3/moto.js";
import { run } from "./helpers.js";

const KEY = "team/statectl.state.json";
const ENV = {
  AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
  AWS_REGION: "us-east-1",
};

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

describe("cli: state push --force into the S3 backend (moto_server)", function () {
  this.timeout(120_000);
  const moto = motoServer();
  let dir: string;
  let bucket: string;

  beforeEach(async () => {
    bucket = await moto.bucket();
    dir = mkdtempSync(join(tmpdir(), "statectl-s3-push-"));
    writeFileSync(
      join(dir, "main.state"),
      `provider "ssm" {
  endpoint = "local"
}

state {
  backend "s3" {
    bucket           = "${bucket}"
    key              = "${KEY}"
    endpoint         = "${moto.url}"
    force_path_style = true
  }
}
`,
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function object(key: string): Promise<{ state: State | undefined; etag: string | undefined } | undefined> {
    try {
      const r = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { state: decodeState(await r.Body!.transformToString(), key).state, etag: r.ETag };
    } catch {
      return undefined;
    }
  }

  /** A stored state (serial 5, lineage A) and a state file of another lineage (serial 2, B). */
  async function twoLineages(): Promise<{ stored: State; file: string; pushed: State }> {
    const stored = { ...withDoc(emptyState(), "stored"), serial: 5 };
    await moto.client.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: encodeStateBytes(stored) }));
    const pushed = { ...withDoc(emptyState(), "pushed"), serial: 2 };
    expect(pushed.lineage).not.to.equal(stored.lineage);
    const file = join(dir, "other.json");
    writeFileSync(file, encodeStateBytes(pushed));
    return { stored, file, pushed };
  }

  it("refuses another lineage without --force, naming both lineages, and writes nothing", async () => {
    const { stored, file } = await twoLineages();
    const before = await object(KEY);
    const r = run(dir, ["state", "push", file], undefined, ENV);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.contain("error[state/lineage-mismatch]: Refusing to push a different state");
    expect(r.stderr).to.contain(stored.lineage).and.contain("Nothing was written.").and.contain("push with --force");
    expect(await object(KEY)).to.deep.equal(before);
    expect(await object(`${KEY}.lock`)).to.equal(undefined);
  });

  it("--force replaces a state of another lineage (and a higher serial), keeps the replaced one as the backup, and releases the lock", async () => {
    const { stored, file, pushed } = await twoLineages();
    const r = run(dir, ["state", "push", "--force", file], undefined, ENV);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`Pushed ${file} to s3://${bucket}/${KEY} (now serial 6).`);
    expect(r.stdout).to.contain(`Replaced the state with lineage ${stored.lineage} (serial 5)`);
    const now = (await object(KEY))!.state!;
    expect(now.lineage).to.equal(pushed.lineage);
    expect(now.serial).to.equal(6);
    expect(JSON.stringify(now)).to.contain("document.pushed").and.not.contain("document.stored");
    expect((await object(`${KEY}.backup`))!.state).to.deep.include({ lineage: stored.lineage, serial: 5 });
    expect(await object(`${KEY}.lock`)).to.equal(undefined);
    // The pushed lineage is now the stored one: pull gives it back.
    const pull = run(dir, ["state", "pull"], undefined, ENV);
    expect(decodeState(pull.stdout, "pull").state!.lineage).to.equal(pushed.lineage);
  });

  it("--force does not break a lock someone else holds: refused naming the holder, nothing written", async () => {
    const { file } = await twoLineages();
    const holder = {
      id: "11111111-2222-3333-4444-555555555555",
      operation: "apply",
      who: "alice@ci",
      created: new Date().toISOString(),
      path: `s3://${bucket}/${KEY}`,
      pid: 4242,
      host: "ci-runner-7",
      version: "0.0.0",
    };
    await moto.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${KEY}.lock`, Body: JSON.stringify(holder) }));
    const before = await object(KEY);
    const r = run(dir, ["state", "push", "--force", file], undefined, ENV);
    expect(r.code, r.stdout + r.stderr).to.not.equal(0);
    expect(r.stderr).to.contain(holder.id);
    expect(await object(KEY)).to.deep.equal(before);
  });
});
