/**
 * Rehearse for real without root: `statectl local serve --execute` and `local fleet exec` run by
 * an ordinary user (uid 65534 here, dropped to with setpriv when the suite runs as root, as CI
 * does) sandbox their instances in an unprivileged user namespace with fuse-overlayfs disks.
 * Driven through the built CLI and the real SDK over HTTP; the host is checked before and after
 * (its /etc, a directory that user may write, its firewall and routes) so a run that escaped
 * would fail here.
 *
 * Skipped, printing the endpoint's own reason, only where that user cannot have a sandbox
 * (user namespaces switched off, no /dev/fuse or fuse-overlayfs: .ci/run installs it).
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CreateAssociationCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_ENDPOINT_CREDENTIALS } from "../../src/index.js";
import "./helpers.js";
import { WEB_1, host, hostNetwork, latestInvocation, sandboxStatus } from "../support/sandbox-host.js";

/** The ordinary user the CLI runs as when the suite itself is root (nobody on Debian). */
const USER = 65534;
const CLI = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));

const asRoot = process.getuid?.() === 0;

/** Whether the ordinary user can reach `file` (every directory above it searchable, the file readable). */
function userCanRead(file: string): boolean {
  return (
    spawnSync("setpriv", [`--reuid=${USER}`, `--regid=${USER}`, "--clear-groups", "--", "test", "-r", file]).status ===
    0
  );
}

/**
 * Where the ordinary user finds the checkout. A checkout under a directory only root may enter (a
 * CI clone under /root) is shown to that user through a bind mount in a private mount namespace,
 * under a directory anyone may enter; the host's mounts are untouched. Node itself must be
 * readable by that user (.ci/run makes the Node 24 it installs so).
 */
const view = (() => {
  if (!asRoot || userCanRead(CLI)) return undefined;
  const repo = path.resolve(path.dirname(CLI), "..", "..");
  const root = mkdtempSync(path.join(tmpdir(), "statectl-rootless-view-"));
  chmodSync(root, 0o755);
  const shown = path.join(root, "repo");
  mkdirSync(shown, { mode: 0o755 });
  // Each entry of the checkout, not the checkout itself: a bind mount keeps its directory's mode,
  // and a clone made by `mktemp -d` is itself 0700.
  const entries = readdirSync(repo, { withFileTypes: true }).filter((e) => e.name !== ".git");
  for (const e of entries) {
    if (e.isDirectory()) mkdirSync(path.join(shown, e.name), { mode: 0o755 });
    else writeFileSync(path.join(shown, e.name), "", { mode: 0o644 });
  }
  return {
    root,
    mount: entries.map((e) => `mount --bind '${path.join(repo, e.name)}' '${path.join(shown, e.name)}'`).join(" && "),
    cli: path.join(shown, path.relative(repo, CLI)),
  };
})();

/** The command line that runs the built CLI as the ordinary user. */
function asUser(args: string[]): [string, string[]] {
  if (!asRoot) return [process.execPath, [CLI, ...args]];
  const drop = [`--reuid=${USER}`, `--regid=${USER}`, "--clear-groups", "--", "env", "HOME=/tmp", "NO_COLOR=1"];
  if (!view) return ["setpriv", [...drop, process.execPath, CLI, ...args]];
  // unshare, sh, setpriv and env each exec the next: the child's pid is the CLI's, so signals reach it.
  return [
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "--",
      "sh",
      "-c",
      `${view.mount} && exec setpriv "$@"`,
      "sh",
      ...drop,
      process.execPath,
      view.cli,
      ...args,
    ],
  ];
}

function runAsUser(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const [command, argv] = asUser(args);
  const r = spawnSync(command, argv, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (r.error) throw new Error(`cannot run the CLI as uid ${USER} (${command}): ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cli: local serve --execute as an ordinary user (rootless sandbox)", function () {
  this.timeout(60_000);
  let dir: string;
  let data: string;
  let serve: ReturnType<typeof spawn> | undefined;
  let url: string;
  let sdk: SSMClient | undefined;
  /** The SDK on the endpoint `before` started. */
  const ssm = (): SSMClient => {
    if (!sdk) throw new Error("the endpoint did not start");
    return sdk;
  };

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-rootless-"));
    if (asRoot) chownSync(dir, USER, USER);
    data = path.join(dir, "data");
    const [command, argv] = asUser(["local", "serve", "--json", "--execute", "--data-dir", data]);
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    serve = child;
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += String(d)));
    url = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`local serve as uid ${USER} exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout }).once("line", (line) =>
        resolve((JSON.parse(line) as { url: string }).url),
      );
    });
    sdk = new SSMClient({ endpoint: url, region: "us-east-1", credentials: { ...LOCAL_ENDPOINT_CREDENTIALS } });
    const status = await sandboxStatus(url);
    if (!status.Available) {
      console.log(`      skipped: no rootless sandbox for uid ${USER} on this machine — ${status.Description}`);
      this.skip();
    }
    expect(status.Description).to.contain("rootless: this user is the instances' root in a user namespace");
    expect(status.Description).to.contain("RLIMIT_NPROC");
  });

  after(async () => {
    sdk?.destroy();
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve?.once("exit", resolve));
      serve.kill("SIGTERM");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (view) rmSync(view.root, { recursive: true, force: true });
  });

  it("runs AWS-RunShellScript inside web-1 as its root: real output, and the host's /etc, /tmp, firewall and routes are untouched", async () => {
    const marker = `statectl-rootless-${randomBytes(4).toString("hex")}`;
    const port = new URL(url).port;
    const networkBefore = hostNetwork();
    const created = await ssm().send(
      new CreateAssociationCommand({
        Name: "AWS-RunShellScript",
        Targets: [{ Key: "InstanceIds", Values: [WEB_1] }],
        Parameters: {
          commands: [
            "echo host=$(hostname) uid=$(id -u)",
            `echo written-inside > /etc/${marker}`,
            // A directory the calling user may write on the host: still only the instance's copy.
            `echo written-inside > /tmp/${marker}`,
            "echo appended >> /etc/hosts",
            `cat /etc/${marker}`,
            "iptables -A INPUT -p tcp --dport 22 -j DROP",
            "iptables -S INPUT",
            "echo routes=[$(ip route show)]",
            "bash -c 'exec 3<>/dev/tcp/192.0.2.1/80' 2>&1 | sed 's/.*: //'",
            `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' 2>&1 | sed 's/.*: //'`,
          ],
        },
      }),
    );
    const invocation = await latestInvocation(ssm(), created.AssociationDescription?.AssociationId ?? "", WEB_1);
    expect(invocation.Status, invocation.StandardErrorContent).to.equal("Success");
    const out = invocation.StandardOutputContent ?? "";
    expect(out).to.contain("host=web-1 uid=0\n");
    expect(out).to.contain("written-inside\n");
    expect(out).to.contain("-A INPUT -p tcp -m tcp --dport 22 -j DROP\n");
    expect(out).to.contain("routes=[]\n");
    expect(out).to.contain("Network is unreachable\n");
    expect(out).to.contain("Connection refused\n");

    expect(existsSync(`/etc/${marker}`), "the host's /etc gained the instance's file").to.equal(false);
    expect(existsSync(`/tmp/${marker}`), "the host's /tmp gained the instance's file").to.equal(false);
    expect(host("cat", ["/etc/hosts"])).to.not.contain("appended");
    expect(hostNetwork()).to.equal(networkBefore);

    // The instance's disk is the calling user's files: what the run wrote is theirs on the host.
    const kept = path.join(data, "sandbox", WEB_1, "upper", "etc", marker);
    expect(statSync(kept).uid).to.equal(asRoot ? USER : process.getuid?.());
    const again = runAsUser(["local", "fleet", "exec", "--data-dir", data, "web-1", "--", "cat", `/etc/${marker}`]);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.equal("written-inside\n");
  });

  it("contains escape attempts: no chroot, namespace, mount, device, kernel switch, host name, clock, network or disk-daemon way out", () => {
    const before = hostNetwork();
    const attempts = [
      "chroot / true",
      "unshare -U true",
      "unshare -r true",
      "unshare -m true",
      "mount -t tmpfs escape /mnt",
      "umount /sys",
      "mknod /tmp/disk b 8 0",
      "sh -c 'echo x > /proc/sys/kernel/hostname'",
      "sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'",
      "hostname escaped",
      "date -s 2000-01-01",
      "nsenter -t 1 -m true",
      "bash -c 'exec 3<>/dev/tcp/192.0.2.1/80'",
      // The disk's fuse-overlayfs runs in the instance's pid namespace, outside its chroot, with
      // every power of the user namespace: the instance must not reach through it.
      'ls "/proc/$(pgrep -x fuse-overlayfs)/root/"',
      'cat "/proc/$(pgrep -x fuse-overlayfs)/environ"',
      'head -c1 "/proc/$(pgrep -x fuse-overlayfs)/mem"',
      'nsenter -t "$(pgrep -x fuse-overlayfs)" -m true',
    ];
    const script = [
      "pgrep -x fuse-overlayfs >/dev/null && echo disk-daemon-seen",
      ...attempts.map((a) => `if ${a} >/dev/null 2>&1; then echo "ESCAPED: ${a.replace(/['"]/g, "")}"; fi`),
      `echo "data dir entries: $(ls -A ${data} 2>/dev/null | wc -l)"`,
      'echo "sys entries: $(ls -A /sys | wc -l)"',
      "echo \"devices: $(ls /dev | tr '\\n' ' ')\"",
      "grep CapBnd /proc/self/status",
    ].join("\n");
    const r = runAsUser(["local", "fleet", "exec", "--data-dir", data, "web-1", "--", "sh", "-c", script]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("disk-daemon-seen\n");
    expect(r.stdout).to.not.contain("ESCAPED");
    expect(r.stdout).to.contain("data dir entries: 0\n");
    expect(r.stdout).to.contain("sys entries: 0\n");
    expect(r.stdout).to.contain("devices: fd full null pts random shm stderr stdin stdout tty urandom zero \n");
    expect(r.stdout).to.contain("CapBnd:\t00000000a00035fb\n");
    expect(host("hostname", [])).to.not.contain("escaped");
    expect(hostNetwork()).to.equal(before);
  });

  it("limits a run by rlimits: processes beyond the allowance are refused, a process past the memory limit fails", () => {
    // 300 forks against an allowance of 256 more tasks than the user runs (the disk's fuse daemon
    // and the shell count too): some must be refused, and the run still ends (its children with it).
    const forks = runAsUser([
      "local",
      "fleet",
      "exec",
      "--data-dir",
      data,
      "web-2",
      "--",
      "python3",
      "-c",
      [
        "import os, time",
        "n = 0",
        "for _ in range(300):",
        "    try:",
        "        pid = os.fork()",
        "    except OSError as e:",
        "        print('refused:', e.strerror)",
        "        break",
        "    if pid == 0:",
        "        time.sleep(30)",
        "        os._exit(0)",
        "    n += 1",
        "print('forked', n)",
      ].join("\n"),
    ]);
    expect(forks.code, forks.stderr).to.equal(0);
    expect(forks.stdout).to.contain("refused: Resource temporarily unavailable\n");
    const forked = Number(/forked (\d+)/.exec(forks.stdout)?.[1]);
    expect(forked).to.be.greaterThan(0);
    expect(forked).to.be.lessThan(256);
    const memory = runAsUser([
      "local",
      "fleet",
      "exec",
      "--data-dir",
      data,
      "web-2",
      "--",
      "python3",
      "-c",
      "b = bytearray(768 * 1024 * 1024); print('allocated')",
    ]);
    expect(memory.code).to.not.equal(0);
    expect(memory.stdout).to.not.contain("allocated");
    expect(memory.stderr).to.contain("MemoryError");
  });
});
