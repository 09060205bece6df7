// Shared by the end-to-end CLI tests: run the built CLI in a directory, and reach the local
// endpoint's data for that directory "behind statectl's back" through the real SDK.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_ENDPOINT_CREDENTIALS, startLocalEndpoint, type LocalEndpoint } from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

// The command as installed: package.json's bin, the bundle of dist/src/cli/main.js (npm run bundle).
// Other CLI tests run dist/src/cli/main.js itself, so both entry points are exercised.
const main = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));

/** `env` is laid over the CLI's environment; a key set to undefined is removed from it. */
export function run(dir: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [main, "-C", dir, ...args], { encoding: "utf8", input: input ?? "", env: { ...process.env, NO_COLOR: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `run`, without blocking the event loop, so several runs can overlap. */
export function runAsync(dir: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, "-C", dir, ...args], { env: { ...process.env, NO_COLOR: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** Runs `fn` with an SDK client on the local endpoint's data for `dir`. */
export async function behindTheBack<T>(dir: string, fn: (client: SSMClient, endpoint: LocalEndpoint) => Promise<T>): Promise<T> {
  const endpoint = await startLocalEndpoint({ dataDir: join(dir, ".statectl", "local") });
  const client = new SSMClient({ endpoint: endpoint.url, region: "us-east-1", credentials: { ...LOCAL_ENDPOINT_CREDENTIALS } });
  try {
    return await fn(client, endpoint);
  } finally {
    client.destroy();
    await endpoint.stop();
  }
}
