/**
 * Test helper, run as a child process, driving one lock on the state at argv[2]:
 *   hold OPERATION       lock, print the lock as JSON, release when stdin says "release", then exit
 *   try OPERATION MS     try to lock for MS milliseconds, print the result as JSON, release, exit
 *   exit OPERATION       lock, print the lock, and exit without unlocking (the exit hook must)
 *   sleep OPERATION      lock, print the lock, and wait to be killed
 */
import { createInterface } from "node:readline";
import { FileStateStorage } from "../../../src/state/index.js";

const [path, mode, operation, ms] = process.argv.slice(2) as [string, string, string, string?];
const storage = new FileStateStorage(path);
const timeoutMs = Number(ms ?? 0);
const r = await storage.lock({ operation, timeoutMs, pollMs: 20 });
process.stdout.write(JSON.stringify(r) + "\n");
if (!r.lock) process.exit(1);

if (mode === "hold") {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "release") break;
  }
  const u = await storage.unlock(r.lock.id);
  process.stdout.write(JSON.stringify({ released: u.length === 0 }) + "\n");
  process.exit(0);
} else if (mode === "try") {
  await storage.unlock(r.lock.id);
} else if (mode === "exit") {
  process.exit(0);
} else if (mode === "sleep") {
  setTimeout(() => undefined, 20_000);
}
