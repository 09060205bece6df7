// End to end: `statectl status --watch` refreshes until interrupted, and the next run comes from
// the local endpoint's virtual clock (moved with `statectl local advance`), not this machine's.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./helpers.js";
import { CONFIG } from "./status-config.js";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const DAY = 86_400_000;

function nextRunOfWeb(dir: string): number {
  const r = run(dir, ["status", "--json", "association.web"]);
  expect(r.code, r.stderr).to.equal(0);
  const s = JSON.parse(r.stdout) as { associations: { next_run?: string }[] };
  return Date.parse(s.associations[0]!.next_run!);
}

describe("cli: status --watch and the endpoint's clock (end to end, local endpoint)", function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-watch-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr + applied.stdout).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the next run from the local endpoint's virtual clock", () => {
    const before = nextRunOfWeb(dir);
    expect(before).to.be.below(Date.now() + 1.5 * DAY);
    const advanced = run(dir, ["local", "advance", "3d"]);
    expect(advanced.code, advanced.stderr).to.equal(0);
    // The endpoint now lives three days ahead: its next daily run is three days later than before.
    const after = nextRunOfWeb(dir);
    expect(after - before).to.equal(3 * DAY);
    expect(after).to.be.above(Date.now() + 2.5 * DAY);
  });

  it("--watch prints the status again and again, picks up changes, and stops on SIGINT", async () => {
    const child = spawn(process.execPath, [main, "-C", dir, "status", "--watch", "0.2"], {
      env: { ...process.env, NO_COLOR: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      while (!ok()) {
        if (child.exitCode !== null) throw new Error(`status --watch exited while waiting for ${what}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until("two refreshes", () => stdout.split("2 associations:").length > 2);
      expect(stdout).to.contain("association.db");
      // Changed between two refreshes: the next one shows it.
      const removed = run(dir, ["state", "rm", "association.db"]);
      expect(removed.code, removed.stderr).to.equal(0);
      await until("a refresh without association.db", () => stdout.includes("1 association:"));
      const last = stdout.slice(stdout.lastIndexOf("association.web  "));
      expect(last).not.to.contain("association.db");
    } finally {
      child.kill("SIGINT");
    }
    const end = await exited;
    expect(end.code === 130 || end.signal === "SIGINT", JSON.stringify(end)).to.equal(true);
    expect(stderr).to.equal("");
  });

  it("--watch refuses a period that is not a positive number", () => {
    const r = run(dir, ["status", "--watch", "0"]);
    expect(r.code).to.equal(64);
    expect(r.stderr).to.contain("SECONDS must be a positive number");
  });
});
