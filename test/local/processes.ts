/** Standalone servers for wire-compatibility tests: `statectl local serve` and moto_server. */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

export const CLI_MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface RunningServer {
  url: string;
  process: ChildProcess;
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<number | null> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve(child.exitCode);
        return;
      }
      child.once("exit", (code) => resolve(code));
      child.kill("SIGTERM");
    });
}

/** Starts `statectl local serve --json` and waits for the line that names its URL. */
export async function startServe(args: string[]): Promise<RunningServer> {
  const child = spawn(process.execPath, [CLI_MAIN, "local", "serve", "--json", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`statectl local serve exited (${code}) before listening: ${stderr}`)),
    );
    lines.once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, process: child, stderr: () => stderr, stop: stopper(child) };
}

/**
 * Starts moto's standalone server on a free port and waits until it answers. moto is part of the
 * machine image; if it is missing this fails loudly rather than skipping.
 */
export async function startMoto(env: Readonly<Record<string, string>> = {}): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  child.stdout.resume();
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) =>
      reject(new Error(`cannot start moto_server (is moto installed? pip install 'moto[server]'): ${e.message}`)),
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`moto_server did not answer on ${url} within 15 s: ${stderr}`);
  })();
  await Promise.race([ready, spawnError]);
  return { url, process: child, stderr: () => stderr, stop: stopper(child) };
}

/** Empties moto's in-memory state between scenarios. */
export async function resetMoto(url: string): Promise<void> {
  const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
}

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `aws ssm …` against `endpoint` with dummy credentials and no user configuration, one
 * attempt per call, so every test sees the server's own answer.
 */
export function aws(endpoint: string, args: string[]): Promise<AwsCliResult> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_MAX_ATTEMPTS: "1",
    AWS_PAGER: "",
  };
  return new Promise((resolve, reject) => {
    execFile(
      "aws",
      ["ssm", ...args, "--endpoint-url", endpoint, "--output", "json"],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`cannot run the AWS CLI (is it installed?): ${error.message}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}
