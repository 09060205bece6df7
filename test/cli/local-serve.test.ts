/** End-to-end: the built `statectl local serve` process — its output, signals and exit codes. */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { CLI_MAIN } from "../local/processes.js";

describe("cli: statectl local serve", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-serve-cli-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the URL and data dir, serves, and exits 0 on SIGINT", async () => {
    const child = spawn(process.execPath, [CLI_MAIN, "local", "serve", "--data-dir", path.join(dir, "d")], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout });
    await new Promise<void>((resolve) =>
      rl.on("line", (l) => {
        lines.push(l);
        if (l.startsWith("Press Ctrl-C")) resolve();
      }),
    );
    expect(lines[0]).to.match(/^Local SSM endpoint listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).to.equal(`Data: ${path.join(dir, "d")}`);
    const url = lines[0]!.split(" ").pop()!;
    const res = await fetch(url + "/", {
      method: "POST",
      headers: { "X-Amz-Target": "AmazonSSM.ListDocuments", "Content-Type": "application/x-amz-json-1.1" },
      body: "{}",
    });
    expect(res.status).to.equal(200);
    expect(existsSync(path.join(dir, "d", "endpoint.lock"))).to.equal(true);
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGINT");
    });
    expect(code).to.equal(0);
    expect(stderr).to.contain("stopped (SIGINT)");
    expect(existsSync(path.join(dir, "d", "endpoint.lock"))).to.equal(false);
  });

  it("exits 64 for a bad --port and 1 when the port is taken", async () => {
    const bad = spawnSync(process.execPath, [CLI_MAIN, "local", "serve", "--in-memory", "--port", "http"], {
      encoding: "utf8",
    });
    expect(bad.status).to.equal(64);
    expect(bad.stderr).to.contain('--port must be 0–65535, got "http"');
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = spawnSync(process.execPath, [CLI_MAIN, "local", "serve", "--in-memory", "--port", String(port)], {
        encoding: "utf8",
      });
      expect(taken.status).to.equal(1);
      expect(taken.stderr).to.contain("statectl local serve:");
      expect(taken.stderr).to.contain("EADDRINUSE");
    } finally {
      blocker.close();
    }
  });

  it("refuses a data dir another server holds, with exit 1", async () => {
    const first = spawn(process.execPath, [CLI_MAIN, "local", "serve", "--json", "--data-dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve) => createInterface({ input: first.stdout }).once("line", () => resolve()));
    try {
      const second = spawnSync(process.execPath, [CLI_MAIN, "local", "serve", "--data-dir", dir], { encoding: "utf8" });
      expect(second.status).to.equal(1);
      expect(second.stderr).to.match(/in use by another local endpoint \(pid \d+\)/);
    } finally {
      await new Promise((resolve) => {
        first.once("exit", resolve);
        first.kill("SIGTERM");
      });
    }
  });
});
