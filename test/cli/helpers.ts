// Shared by the end-to-end CLI tests: run the built CLI in a directory, and reach the local
// endpoint's data for that directory "behind statectl's back" through the real SDK.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

// The command as installed: package.json's bin, the bundle of dist/src/cli/main.js (npm run bundle).
// Other CLI tests run dist/src/cli/main.js itself, so both entry points are exercised.
const main = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestFile(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `npm test` bundles after compiling; a focused run (`npx tsc -p . && npx mocha …`) does not, and
 * would run a stale command. So the bundle is rebuilt when any file of dist/src is newer.
 */
export function ensureBundle(): void {
  const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  if (newestFile(join(repoRoot, "dist", "src")) <= built) return;
  const r = spawnSync("npm", ["run", "-s", "bundle"], { cwd: repoRoot, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run bundle failed:\n${r.stdout}${r.stderr}`);
}
ensureBundle();

/** `env` is laid over the CLI's environment; a key set to undefined is removed from it. */
export function run(dir: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [main, "-C", dir, ...args], {
    encoding: "utf8",
    input: input ?? "",
    env: { ...process.env, NO_COLOR: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `run`, without blocking the event loop, so several runs can overlap (or a server in the test process can answer them). */
export function runAsync(
  dir: string,
  args: string[],
  input?: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, "-C", dir, ...args], {
      env: { ...process.env, NO_COLOR: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    });
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
export { behindTheBack } from "../support/local-endpoint.js";
