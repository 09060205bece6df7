// A real S3 wire-protocol server for the S3 backend's tests: moto_server (moto 5.2.1 honours
// If-None-Match and If-Match on PutObject) on a free loopback port, started in a `before` hook
// and stopped in `after`. Not a mock of the SDK: the SDK signs and sends real HTTP requests.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, request } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";

export const S3_TEST_CREDENTIALS = { accessKeyId: "moto-test", secretAccessKey: "moto-test-secret" };

export interface MotoServer {
  readonly url: string;
  readonly client: S3Client;
  /** Creates a bucket with a fresh name (versioning on or off). */
  bucket(opts?: { versioning?: boolean }): Promise<string>;
}

/** moto_server from MOTO_SERVER, PATH, or the machine's pyenv shims. */
function motoCommand(): string {
  if (process.env["MOTO_SERVER"]) return process.env["MOTO_SERVER"];
  for (const dir of (process.env["PATH"] ?? "").split(":"))
    if (dir && existsSync(join(dir, "moto_server"))) return join(dir, "moto_server");
  const shim = join(homedir(), ".pyenv", "shims", "moto_server");
  if (existsSync(shim)) return shim;
  throw new Error(
    "moto_server was not found (PATH, MOTO_SERVER, ~/.pyenv/shims): the S3 backend tests need it (pip's moto[server] 5.2.1)",
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/moto-api/`, { method: "GET", timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export interface StartedMoto {
  readonly url: string;
  readonly client: S3Client;
  /** A bucket name no other run uses. */
  readonly bucketName: string;
  createBucket(name: string, versioning?: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<StartedMoto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(motoCommand(), ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (!running()) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (running()) child.kill("SIGKILL");
  };
  const started = Date.now();
  while (!(await answers(url))) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${output.slice(-2000)}`);
    if (Date.now() - started > 50_000) {
      await stop();
      throw new Error(`moto_server did not answer on ${url}: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const client = new S3Client({
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { ...S3_TEST_CREDENTIALS },
  });
  return {
    url,
    client,
    bucketName: `statectl-${process.pid}-${port}`,
    async createBucket(name, versioning = false) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      if (versioning)
        await client.send(
          new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }),
        );
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

let bucketCounter = 0;

/** Registers before/after hooks that run one moto_server for the suite. */
export function motoServer(): MotoServer {
  let moto: StartedMoto | undefined;
  before(async function () {
    this.timeout(60_000);
    moto = await startMoto();
  });
  after(async () => {
    await moto?.stop();
  });
  const get = (): StartedMoto => {
    if (!moto) throw new Error("moto_server runs only inside the suite");
    return moto;
  };
  return {
    get url() {
      return get().url;
    },
    get client() {
      return get().client;
    },
    async bucket(opts = {}) {
      const name = `statectl-test-${process.pid}-${++bucketCounter}`;
      await get().createBucket(name, opts.versioning === true);
      return name;
    },
  };
}
