/**
 * Examples become rehearsals: with `statectl local serve --execute` running on an example's data
 * dir, `statectl apply` (the built CLI) runs its shell for real in the local fleet's sandboxed
 * instances, and the effect each example's README states is checked inside the instance — and
 * the host's firewall is checked unchanged.
 *
 * Skipped, with the endpoint's reason printed, only where the sandbox is unavailable (not Linux,
 * not root, no namespaces); CI (root on Linux, iptables from .ci/run) runs them.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { withLocalEndpoint } from "../support/local-endpoint.js";
import { startServe, type RunningServer } from "../local/processes.js";
import { run } from "./helpers.js";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

function hostFirewall(): string {
  const r = spawnSync("iptables", ["-S"], { encoding: "utf8" });
  if (r.error)
    throw new Error(`iptables is needed on the host for this test (.ci/run installs it): ${r.error.message}`);
  return r.stdout;
}

describe("examples rehearsed for real (local serve --execute)", function () {
  this.timeout(120_000);
  let dir: string;
  let server: RunningServer | undefined;

  before(async function () {
    const status = await withLocalEndpoint({ execute: true }, async (_client, endpoint) => endpoint.execution());
    if (!status.available) {
      console.log(`      skipped: the sandbox is unavailable on this machine — ${status.description}`);
      this.skip();
    }
  });

  /** A copy of the example with a sandboxing server on its data dir (statectl uses a running server). */
  async function rehearse(name: string): Promise<void> {
    dir = mkdtempSync(path.join(tmpdir(), `statectl-rehearse-${name}-`));
    cpSync(path.join(examples, name), dir, { recursive: true });
    server = await startServe(["--execute", "--data-dir", path.join(dir, ".statectl", "local")]);
  }

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exec = (instance: string, ...command: string[]) =>
    run(dir, ["local", "fleet", "exec", instance, "--", ...command]);

  it("security-baseline: port 22 is closed by an iptables DROP rule inside web-1, and not on the host", async () => {
    const before = hostFirewall();
    await rehearse("security-baseline");
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    // Both associations ran at once, in either order; the baseline replaces the INPUT chain (a
    // DROP policy, which closes 22 too, and drops close_port_22's rule if it came first), so the
    // rehearsal runs close_port_22 once more, as its daily schedule would.
    const again = run(dir, ["run", "association.close_port_22", "--wait", "60"]);
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    const rules = exec("web-1", "iptables", "-S", "INPUT");
    expect(rules.code, rules.stderr).to.equal(0);
    expect(rules.stdout).to.contain("-P INPUT DROP\n");
    expect(rules.stdout).to.contain("-A INPUT -p tcp -m tcp --dport 22 -j DROP\n");
    expect(rules.stdout).to.not.match(/--dport 22 -j ACCEPT/);
    expect(exec("web-1", "grep", "-c", "dport 22", "/etc/sysconfig/iptables").stdout).to.equal("1\n");
    const history = run(dir, ["history", "association.close_port_22", "--output"]);
    expect(history.stdout).to.match(/i-0web00000000000a1 {2}Success/);
    expect(hostFirewall()).to.equal(before);
  });

  it("drift-prevention: the file's content is there; deleted inside web-1, it comes back at the next scheduled run", async () => {
    const hostMotd = existsSync("/etc/motd") ? readFileSync("/etc/motd", "utf8") : undefined;
    await rehearse("drift-prevention");
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    // The document's heredoc ends the content with a line end of its own.
    const motd = `${readFileSync(path.join(dir, "files", "motd"), "utf8")}\n`;
    expect(exec("web-1", "cat", "/etc/motd").stdout).to.equal(motd);
    expect(exec("web-1", "stat", "-c", "%a %U", "/etc/ssh/sshd_config.d/50-hardening.conf").stdout).to.equal(
      "600 root\n",
    );
    expect(
      existsSync("/etc/motd") ? readFileSync("/etc/motd", "utf8") : undefined,
      "the host's /etc/motd changed",
    ).to.equal(hostMotd);

    const broken = exec("web-1", "rm", "/etc/motd");
    expect(broken.code, broken.stderr).to.equal(0);
    expect(exec("web-1", "test", "-e", "/etc/motd").code).to.equal(1);
    const advanced = run(dir, ["local", "advance", "30m"]);
    expect(advanced.code, advanced.stderr).to.equal(0);
    expect(exec("web-1", "cat", "/etc/motd").stdout).to.equal(motd);
    const history = run(dir, ["history", 'association.file["/etc/motd"]', "--output"]);
    expect(history.stdout).to.contain("rewrote /etc/motd");
  });

  it("web-bootstrap: the nginx install fails, and the output says the sandbox has no network", async () => {
    await rehearse("web-bootstrap");
    // One web server is enough to see it (each apt-get attempt waits for the resolver).
    expect(run(dir, ["local", "fleet", "remove", "web-2"]).code).to.equal(0);
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    // The run goes on in the background (apt-get waits for the resolver); status is polled, as on AWS.
    let status = run(dir, ["status", "association.bootstrap_web", "--instance", "i-0web00000000000a1"]);
    for (let tries = 0; !status.stdout.includes("Failed") && tries < 300; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = run(dir, ["status", "association.bootstrap_web", "--instance", "i-0web00000000000a1"]);
    }
    expect(status.stdout).to.contain("Failed");
    expect(status.stdout).to.contain("Temporary failure resolving");
    expect(status.stdout).to.contain("the sandboxed instance has no network");
  });
});
