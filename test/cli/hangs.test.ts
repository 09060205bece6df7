// The built CLI when SSM hangs or the local endpoint is busy or damaged: a hanging endpoint fails
// the command within its request timeout (from the provider block or the environment) naming the
// operation and the endpoint, with the lock released; a `local serve` already running on the
// configuration's data dir is used instead of failing; a corrupt endpoint data file is a clear
// error naming the file, never "internal error".
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { run } from "./helpers.js";
import { CLI_MAIN } from "../local/processes.js";

const DOCUMENT = `document "hello" {
  name    = "hang-hello"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "say hello"
    mainSteps     = [{ action = "aws:runShellScript", name = "say", inputs = { runCommand = ["echo hello"] } }]
  })
}
`;

describe("cli: hanging endpoints, a running local serve, damaged endpoint data", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-hangs-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = http.createServer((req) => req.resume());
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  it("apply against an endpoint that never answers fails within request_timeout, naming the operation and endpoint; the lock is released", async () => {
    const server = await silentServer();
    try {
      writeFileSync(
        join(dir, "main.state"),
        `provider "ssm" {\n  endpoint        = "${server.url}"\n  region          = "us-east-1"\n  request_timeout = 1\n}\n\n${DOCUMENT}`,
      );
      const r = run(dir, ["apply", "--auto-approve"], undefined, {
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "not-a-real-secret-key",
      });
      const out = r.stdout + r.stderr;
      expect(r.code, out).to.equal(1);
      expect(out).to.contain(
        "CreateDocument failed: ResponseTimeout: no complete answer from " + server.url + " within 1s",
      );
      expect(out).to.not.contain("internal error");
      expect(existsSync(join(dir, "statectl.state.json.lock"))).to.equal(false);
    } finally {
      await server.close();
    }
  });

  it("STATECTL_REQUEST_TIMEOUT sets the timeout when the provider block does not; a bad value is a clear error", async () => {
    const server = await silentServer();
    try {
      writeFileSync(
        join(dir, "main.state"),
        `provider "ssm" {\n  endpoint = "${server.url}"\n  region   = "us-east-1"\n}\n\n${DOCUMENT}`,
      );
      const creds = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "not-a-real-secret-key" };
      const r = run(dir, ["apply", "--auto-approve"], undefined, { ...creds, STATECTL_REQUEST_TIMEOUT: "700ms" });
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stdout + r.stderr).to.contain(`no complete answer from ${server.url} within 700ms`);
      const bad = run(dir, ["apply", "--auto-approve"], undefined, { ...creds, STATECTL_REQUEST_TIMEOUT: "soon" });
      expect(bad.code).to.equal(1);
      expect(bad.stderr)
        .to.contain("engine/invalid-timeout")
        .and.contain('STATECTL_REQUEST_TIMEOUT="soon" is not a duration');
      expect(existsSync(join(dir, "statectl.state.json.lock"))).to.equal(false);
    } finally {
      await server.close();
    }
  });

  it("rejects a request_timeout of zero or of more than a day in the provider block", () => {
    writeFileSync(join(dir, "main.state"), `provider "ssm" {\n  endpoint        = "local"\n  request_timeout = 0\n}\n`);
    const r = run(dir, ["validate"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(
      "request_timeout must be a number of seconds more than zero and at most a day (86400), not 0.",
    );
  });

  it("plan, apply and status use a `local serve` already running on the data dir instead of failing", async () => {
    writeFileSync(join(dir, "main.state"), `provider "ssm" {\n  endpoint = "local"\n}\n\n${DOCUMENT}`);
    const serve: ChildProcess = spawn(process.execPath, [CLI_MAIN, "-C", dir, "local", "serve", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: serve.stdout! }).once("line", resolve),
      );
      const { url } = JSON.parse(line) as { url: string };
      const apply = run(dir, ["apply", "--auto-approve"]);
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      expect(apply.stdout).to.contain(`Using the local SSM endpoint already running at ${url}`);
      expect(apply.stdout).to.contain("Apply complete! Resources: 1 added");
      const plan = run(dir, ["plan", "--detailed-exitcode"]);
      expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
      // The running server holds what apply made.
      const res = await fetch(url + "/", {
        method: "POST",
        headers: { "X-Amz-Target": "AmazonSSM.DescribeDocument", "Content-Type": "application/x-amz-json-1.1" },
        body: JSON.stringify({ Name: "hang-hello" }),
      });
      expect(res.status).to.equal(200);
    } finally {
      await new Promise((resolve) => {
        serve.once("exit", resolve);
        serve.kill("SIGTERM");
      });
    }
  });

  it("a corrupt endpoint data file is a user error naming the file with a hint, not an internal error", () => {
    writeFileSync(join(dir, "main.state"), `provider "ssm" {\n  endpoint = "local"\n}\n\n${DOCUMENT}`);
    mkdirSync(join(dir, ".statectl", "local"), { recursive: true });
    const file = join(dir, ".statectl", "local", "endpoint.json");
    writeFileSync(file, '{"format":"statectl-local-endpoint","version":1,"sections":{');
    for (const args of [["apply", "--auto-approve"], ["plan"]]) {
      const r = run(dir, args);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr)
        .to.contain("engine/local-endpoint-data")
        .and.contain(`${file} is not valid JSON`)
        .and.contain("move the data dir aside");
      expect(r.stderr).to.not.contain("internal error");
      expect(existsSync(join(dir, "statectl.state.json.lock"))).to.equal(false);
    }
  });
});
