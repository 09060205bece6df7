/**
 * Throughput of the local endpoint against moto's `moto_server` on the same workload: both run
 * as their own process on 127.0.0.1 (`statectl local serve --in-memory`, `moto_server -p PORT`),
 * and one JS SDK client keeps `inFlight` requests going — CreateDocument for a set of documents,
 * then a fixed mix of DescribeDocument, GetDocument (as JSON) and ListDocuments (Owner=Self, a
 * page of 10). Requests per second of wall time; every answer must be a success. When
 * `moto_server` is not on the PATH the comparison is skipped (run.ts prints a row saying so).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import {
  CreateDocumentCommand,
  DescribeDocumentCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const cliMain = join(
  repoRoot,
  (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { bin: { statectl: string } }).bin.statectl,
);

export interface ThroughputFigures {
  requests: number;
  inFlight: number;
  documents: number;
  ours: { ms: number; perSecond: number };
  moto: { ms: number; perSecond: number };
}

/** The path of moto_server, or undefined when it is not installed. */
export function findMotoServer(): string | undefined {
  const r = spawnSync("sh", ["-c", "command -v moto_server"], { encoding: "utf8" });
  const path = r.stdout.trim();
  return r.status === 0 && path !== "" ? path : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Server {
  url: string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

async function startStatectl(): Promise<Server> {
  const child = spawn(process.execPath, [cliMain, "local", "serve", "--in-memory", "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr.resume();
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`statectl local serve exited (${code}) before listening`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, stop: stopper(child) };
}

async function startMoto(command: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(command, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "ignore"] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/moto-api/`)).status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error("moto_server did not start within 30 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: stopper(child) };
}

function content(i: number): string {
  return JSON.stringify({
    schemaVersion: "2.2",
    description: `throughput document ${i}`,
    parameters: { greeting: { type: "String", default: "hello" } },
    mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: [`echo {{ greeting }} ${i}`] } }],
  });
}

/** Runs the workload against `url`: returns the wall time of the timed part (ms). */
async function workload(url: string, documents: number, requests: number, inFlight: number): Promise<number> {
  const client = new SSMClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const pool = async (count: number, call: (i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < count) await call(next++);
      }),
    );
  };
  try {
    const t0 = performance.now();
    await pool(documents, (i) =>
      client.send(new CreateDocumentCommand({ Name: `tp-doc-${i}`, Content: content(i), DocumentType: "Command" })),
    );
    await pool(requests, (i) => {
      const name = `tp-doc-${i % documents}`;
      switch (i % 3) {
        case 0:
          return client.send(new DescribeDocumentCommand({ Name: name }));
        case 1:
          return client.send(new GetDocumentCommand({ Name: name, DocumentFormat: "JSON" }));
        default:
          return client.send(
            new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }], MaxResults: 10 }),
          );
      }
    });
    return performance.now() - t0;
  } finally {
    client.destroy();
  }
}

/** The same workload against statectl's endpoint and moto_server (each a fresh process). */
export async function benchThroughput(
  moto: string,
  requests: number,
  inFlight = 32,
  documents = 50,
): Promise<ThroughputFigures> {
  const total = documents + requests;
  const ourServer = await startStatectl();
  let oursMs: number;
  try {
    oursMs = await workload(ourServer.url, documents, requests, inFlight);
  } finally {
    await ourServer.stop();
  }
  const motoServer = await startMoto(moto);
  let motoMs: number;
  try {
    motoMs = await workload(motoServer.url, documents, requests, inFlight);
  } finally {
    await motoServer.stop();
  }
  return {
    requests: total,
    inFlight,
    documents,
    ours: { ms: oursMs, perSecond: (total * 1000) / oursMs },
    moto: { ms: motoMs, perSecond: (total * 1000) / motoMs },
  };
}
