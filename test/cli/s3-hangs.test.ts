// The built CLI with the S3 backend when S3 hangs or the user interrupts: S3 requests have the
// same connect/request timeouts as SSM's (backend block or STATECTL_*_TIMEOUT), a hang fails naming
// the operation and the object, with the lock released; Ctrl-C or SIGTERM during `state rm` /
// `state mv` releases the S3 lock and exits 130 / 143. moto_server on loopback behind a proxy that
// holds back chosen requests (test/state-s3/proxy.ts).
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { decodeState, emptyState, encodeStateBytes, setInstance, type State } from "../../src/index.js";
import { HELLO_CONFIG, HELLO_CONTENT } from "../support/hello.js";
import { motoServer, S3_TEST_CREDENTIALS } from "../state-s3/moto.js";
import { startS3Proxy, type S3Proxy } from "../state-s3/proxy.js";
import { runAsync } from "./helpers.js";

const bin = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));
const KEY = "hang/statectl.state.json";
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

describe("cli: the S3 backend when S3 hangs, and when a state command is interrupted (moto_server behind a proxy)", function () {
  this.timeout(120_000);
  const moto = motoServer();
  let proxy: S3Proxy;
  let dir: string;
  let bucket: string;
  before(async () => {
    proxy = await startS3Proxy(moto.url);
  });
  after(async () => proxy.close());
  beforeEach(async () => {
    bucket = await moto.bucket();
    dir = mkdtempSync(join(tmpdir(), "statectl-s3-hang-"));
    proxy.setRule(undefined);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const backend = (extra = ""): string => `
state {
  backend "s3" {
    bucket           = "${bucket}"
    key              = "${KEY}"
    endpoint         = "${proxy.url}"
    force_path_style = true${extra}
  }
}
`;
  const isState = (path: string): boolean => path === `/${bucket}/${KEY}`;

  async function keys(): Promise<string[]> {
    const r = await moto.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  async function stored(): Promise<State> {
    const r = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }));
    return decodeState(await r.Body!.transformToString(), KEY).state!;
  }

  it("apply: a state write S3 never answers fails within request_timeout, naming PutObject and the object; the lock is released", async () => {
    // Generous for a loaded machine: only the held-back request may take this long.
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backend("\n    request_timeout  = 3"));
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
    proxy.setRule(({ method, path }) => (method === "PUT" && isState(path) ? "hang" : undefined));
    const r = await runAsync(dir, ["apply", "-auto-approve"], "", ENV);
    const out = r.stdout + r.stderr;
    expect(r.code, out).to.equal(1);
    expect(out).to.contain("error[backend/timeout]: An S3 request timed out");
    expect(out).to.contain(
      `Cannot write the state s3://${bucket}/${KEY} (PutObject): no complete answer from ${proxy.url} within 3s; the limit is request_timeout (or STATECTL_REQUEST_TIMEOUT) in the backend block`,
    );
    expect(out).to.not.contain("internal error");
    expect(await keys()).to.not.include(`${KEY}.lock`);
  });

  it("init and plan: STATECTL_REQUEST_TIMEOUT bounds a read S3 never answers (GetObject named); a bad timeout in the backend block is a clear error", async () => {
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backend());
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
    proxy.setRule(({ method, path }) => (method === "GET" && isState(path) ? "hang" : undefined));
    const init = await runAsync(dir, ["init"], "", { ...ENV, STATECTL_REQUEST_TIMEOUT: "2500ms" });
    expect(init.code, init.stdout + init.stderr).to.equal(1);
    expect(init.stderr).to.contain(
      `Cannot read the state s3://${bucket}/${KEY} (GetObject): no complete answer from ${proxy.url} within 2.5s`,
    );
    const plan = await runAsync(dir, ["plan"], "", { ...ENV, STATECTL_REQUEST_TIMEOUT: "2500ms" });
    expect(plan.code, plan.stdout + plan.stderr).to.equal(1);
    expect(plan.stderr).to.contain("error[backend/timeout]");
    expect(await keys()).to.not.include(`${KEY}.lock`);
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backend("\n    connect_timeout  = 0"));
    const bad = await runAsync(dir, ["plan"], "", ENV);
    expect(bad.code).to.equal(1);
    expect(bad.stderr)
      .to.contain("error[config/invalid-backend]")
      .and.contain("connect_timeout must be more than zero");
  });

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal} during state rm (the state read held back) releases the S3 lock, changes nothing and exits ${code}`, async () => {
      writeFileSync(join(dir, "main.state"), backend());
      await moto.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: KEY,
          Body: encodeStateBytes(withDoc(withDoc(emptyState(), "a"), "b")),
        }),
      );
      const before = await stored();
      proxy.setRule(({ method, path }) => (method === "GET" && isState(path) ? 60_000 : undefined));
      const child = spawn(process.execPath, [bin, "-C", dir, "state", "rm", "document.a"], {
        env: { ...process.env, ...ENV, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      // Wait until it holds the lock and is reading the state.
      const started = Date.now();
      while (!proxy.seen.some((s) => s === `GET /${bucket}/${KEY}`) && Date.now() - started < 30_000)
        await new Promise((r) => setTimeout(r, 50));
      expect(await keys()).to.include(`${KEY}.lock`);
      child.kill(signal);
      expect(await exited, output).to.equal(code);
      expect(output).to.contain("the state lock on s3://");
      expect(await keys()).to.not.include(`${KEY}.lock`);
      expect(await stored()).to.deep.equal(before);
    });
  }

  it("SIGTERM during state mv's state write lets the write finish, then releases the lock (143); the state is whole", async () => {
    writeFileSync(join(dir, "main.state"), backend());
    await moto.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: encodeStateBytes(withDoc(emptyState(), "a")) }),
    );
    proxy.setRule(({ method, path }) => (method === "PUT" && isState(path) ? 3000 : undefined));
    const child = spawn(process.execPath, [bin, "-C", dir, "state", "mv", "document.a", "document.renamed"], {
      env: { ...process.env, ...ENV, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    const started = Date.now();
    while (!proxy.seen.some((s) => s === `PUT /${bucket}/${KEY}`) && Date.now() - started < 30_000)
      await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    expect(await exited, output).to.equal(143);
    expect(await keys()).to.not.include(`${KEY}.lock`);
    expect((await stored()).resources.map((r) => r.address)).to.deep.equal(["document.renamed"]);
  });
});
