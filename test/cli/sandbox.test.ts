/**
 * Rehearse for real: `statectl local serve --execute` runs shell documents inside sandboxed
 * instances. Driven through the built CLI and the real SDK over HTTP; the host is checked before
 * and after (its /etc, its firewall, its routes) so a run that escapes would fail here.
 *
 * These tests need what the sandbox needs (Linux, root, util-linux, overlayfs, namespaces) and
 * iptables (.ci/run installs it). Where the endpoint reports the sandbox unavailable they are
 * skipped, printing the endpoint's own reason; CI (root on Linux) runs them.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateAssociationCommand,
  CreateDocumentCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionsCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListDocumentsCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { LOCAL_ENDPOINT_CREDENTIALS } from "../../src/index.js";
import { startServe, type RunningServer } from "../local/processes.js";
import { run } from "./helpers.js";
import { withLocalEndpoint } from "../support/local-endpoint.js";
import { WEB_1, host, hostNetwork, latestCommandId, latestInvocation, sandboxStatus } from "../support/sandbox-host.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The host's pid of a process whose whole command line is `commandLine` (an instance's processes are visible from the host). */
async function hostPidOf(commandLine: string): Promise<number> {
  for (;;) {
    const found = spawnSync("pgrep", ["-f", "-x", commandLine], { encoding: "utf8" }).stdout.trim();
    if (found) return Number(found.split("\n")[0]);
    await pause(100);
  }
}

describe("cli: statectl local serve --execute (sandboxed instances)", function () {
  this.timeout(60_000);
  let dir: string;
  let server: RunningServer;
  let ssm: SSMClient;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-sandbox-"));
    server = await startServe(["--execute", "--data-dir", path.join(dir, "data")]);
    ssm = new SSMClient({ endpoint: server.url, region: "us-east-1", credentials: { ...LOCAL_ENDPOINT_CREDENTIALS } });
    const status = await sandboxStatus(server.url);
    if (!status.Available) {
      console.log(`      skipped: the sandbox is unavailable on this machine — ${status.Description}`);
      this.skip();
    }
  });

  after(async () => {
    // Unset when before() failed.
    (ssm as SSMClient | undefined)?.destroy();
    await (server as RunningServer | undefined)?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs AWS-RunShellScript inside web-1: real output, and the host's /etc, firewall and routes are untouched", async () => {
    const marker = `statectl-sandbox-${randomBytes(4).toString("hex")}`;
    const port = new URL(server.url).port;
    const networkBefore = hostNetwork();
    expect(existsSync(`/etc/${marker}`)).to.equal(false);
    const created = await ssm.send(
      new CreateAssociationCommand({
        Name: "AWS-RunShellScript",
        Targets: [{ Key: "InstanceIds", Values: [WEB_1] }],
        Parameters: {
          commands: [
            "echo host=$(hostname)",
            `echo written-inside > /etc/${marker}`,
            `cat /etc/${marker}`,
            "iptables -A INPUT -p tcp --dport 22 -j DROP",
            "iptables -S INPUT",
            "echo routes=[$(ip route show)]",
            // No route out: an outside address is unreachable, and the host's own loopback (where
            // the endpoint listens) is not this instance's loopback.
            "bash -c 'exec 3<>/dev/tcp/192.0.2.1/80' 2>&1 | sed 's/.*: //'",
            `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}' 2>&1 | sed 's/.*: //'`,
            "echo pid1=$(cat /proc/1/comm)",
          ],
        },
      }),
    );
    const invocation = await latestInvocation(ssm, created.AssociationDescription!.AssociationId!, WEB_1);
    expect(invocation.Status, invocation.StandardErrorContent).to.equal("Success");
    const out = invocation.StandardOutputContent!;
    expect(out).to.contain("host=web-1\n");
    expect(out).to.contain("written-inside\n");
    expect(out).to.contain("-A INPUT -p tcp -m tcp --dport 22 -j DROP\n");
    expect(out).to.contain("routes=[]\n");
    expect(out).to.contain("Network is unreachable\n");
    expect(out).to.contain("Connection refused\n");
    // The instance has its own pid namespace: its first process is the run's, not the host's init.
    expect(out).to.not.match(/pid1=(systemd|init)\n/);

    expect(existsSync(`/etc/${marker}`), "the host's /etc gained the instance's file").to.equal(false);
    expect(hostNetwork()).to.equal(networkBefore);

    // The instance's disk keeps what the run wrote, as a real instance's would.
    const again = run(dir, [
      "local",
      "fleet",
      "exec",
      "--data-dir",
      path.join(dir, "data"),
      "web-1",
      "--",
      "cat",
      `/etc/${marker}`,
    ]);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.equal("written-inside\n");
  });

  it("reports exit codes as the SSM Agent does: a failing command fails the run with its code and stderr", async () => {
    const created = await ssm.send(
      new CreateAssociationCommand({
        Name: "AWS-RunShellScript",
        Targets: [{ Key: "InstanceIds", Values: [WEB_1] }],
        Parameters: { commands: ["echo before", "echo oops >&2", "exit 7"], workingDirectory: ["/etc"] },
      }),
    );
    const invocation = await latestInvocation(ssm, created.AssociationDescription!.AssociationId!, WEB_1);
    expect(invocation.Status).to.equal("Failed");
    expect(invocation.ResponseCode).to.equal(7);
    expect(invocation.StandardOutputContent).to.equal("before\n");
    expect(invocation.StandardErrorContent).to.equal("oops\nfailed to run commands: exit status 7\n");
  });

  it("local fleet exec runs a command in an instance and passes its exit status on; reset restores the disk", async () => {
    const data = path.join(dir, "data");
    const wrote = run(dir, [
      "local",
      "fleet",
      "exec",
      "--data-dir",
      data,
      "web-2",
      "--",
      "sh",
      "-c",
      "echo broken > /etc/motd && hostname",
    ]);
    expect(wrote.code, wrote.stderr).to.equal(0);
    expect(wrote.stdout).to.equal("web-2\n");
    const failing = run(dir, ["local", "fleet", "exec", "--data-dir", data, "web-2", "--", "sh", "-c", "exit 5"]);
    expect(failing.code).to.equal(5);
    expect(run(dir, ["local", "fleet", "exec", "--data-dir", data, "web-2", "--", "cat", "/etc/motd"]).stdout).to.equal(
      "broken\n",
    );
    const reset = run(dir, ["local", "fleet", "reset", "--data-dir", data, "web-2"]);
    expect(reset.code, reset.stderr).to.equal(0);
    expect(reset.stdout).to.contain("Reset web-2");
    const after = run(dir, [
      "local",
      "fleet",
      "exec",
      "--data-dir",
      data,
      "web-2",
      "--",
      "sh",
      "-c",
      "cat /etc/motd 2>/dev/null | grep -c broken; true",
    ]);
    expect(after.stdout).to.equal("0\n");
    const windows = run(dir, ["local", "fleet", "exec", "--data-dir", data, "win-1", "--", "true"]);
    expect(windows.code).to.equal(1);
    expect(windows.stderr).to.contain("only Linux instances run in the sandbox");
  });
  it("keeps firewall rules on the instance between runs, and never on the host", () => {
    const data = path.join(dir, "data");
    const before = hostNetwork();
    const added = run(dir, [
      "local",
      "fleet",
      "exec",
      "--data-dir",
      data,
      "db-1",
      "--",
      "iptables",
      "-A",
      "INPUT",
      "-p",
      "tcp",
      "--dport",
      "5432",
      "-j",
      "DROP",
    ]);
    expect(added.code, added.stderr).to.equal(0);
    const listed = run(dir, ["local", "fleet", "exec", "--data-dir", data, "db-1", "--", "iptables", "-S", "INPUT"]);
    expect(listed.stdout).to.contain("-A INPUT -p tcp -m tcp --dport 5432 -j DROP\n");
    expect(hostNetwork()).to.equal(before);
  });

  it("contains escape attempts: no chroot, namespace, mount, device, kernel switch, host name, clock or network way out", () => {
    const data = path.join(dir, "data");
    const before = hostNetwork();
    const attempts = [
      "chroot / true",
      "unshare -U true",
      "unshare -m true",
      "mount -t tmpfs escape /mnt",
      "mknod /tmp/disk b 8 0",
      "sh -c 'echo x > /proc/sys/kernel/hostname'",
      "sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'",
      "hostname escaped",
      "date -s 2000-01-01",
      "nsenter -t 1 -m true",
      "bash -c 'exec 3<>/dev/tcp/192.0.2.1/80'",
    ];
    const script = [
      ...attempts.map((a) => `if ${a} >/dev/null 2>&1; then echo "ESCAPED: ${a.replace(/'/g, "")}"; fi`),
      `echo "data dir entries: $(ls -A ${data} 2>/dev/null | wc -l)"`,
      'echo "sys entries: $(ls -A /sys | wc -l)"',
      "echo \"devices: $(ls /dev | tr '\\n' ' ')\"",
      "grep CapBnd /proc/self/status",
    ].join("\n");
    const r = run(dir, ["local", "fleet", "exec", "--data-dir", data, "web-1", "--", "sh", "-c", script]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.not.contain("ESCAPED");
    // The endpoint's data dir is an empty tmpfs inside; no /sys; only harmless devices.
    expect(r.stdout).to.contain("data dir entries: 0\n");
    expect(r.stdout).to.contain("sys entries: 0\n");
    expect(r.stdout).to.contain("devices: fd full null pts random shm stderr stdin stdout tty urandom zero \n");
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_ADMIN NET_RAW AUDIT_WRITE SETFCAP only.
    expect(r.stdout).to.contain("CapBnd:\t00000000a00035fb\n");
    expect(host("hostname", [])).to.not.contain("escaped");
    expect(hostNetwork()).to.equal(before);
  });

  it("runs in the background: the endpoint answers other calls while a run is in progress, and the invocation reads InProgress until it ends", async () => {
    // The run sleeps until this test ends its sleep (by its pid on the host), so what is seen
    // meanwhile depends on order, not on time.
    const gate = `${1000 + randomBytes(2).readUInt16BE(0)}.${randomBytes(2).readUInt16BE(0)}`;
    const created = await ssm.send(
      new CreateAssociationCommand({
        Name: "AWS-RunShellScript",
        Targets: [{ Key: "InstanceIds", Values: [WEB_1] }],
        Parameters: { commands: ["echo started", `sleep ${gate} || true`, "echo finished"] },
      }),
    );
    const associationId = created.AssociationDescription!.AssociationId!;
    const running = await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId }));
    expect(running.AssociationExecutions!.map((e) => e.Status)).to.deep.equal(["InProgress"]);
    const sleeper = await hostPidOf(`sleep ${gate}`);
    const commandId = await latestCommandId(ssm, associationId, WEB_1);
    const during = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: WEB_1 }));
    expect(during.Status).to.equal("InProgress");
    expect(during.StandardOutputContent).to.equal("");

    // Other calls answer meanwhile, a new document and another association's write among them.
    const documents = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
    expect(documents.DocumentIdentifiers).to.be.an("array");
    await ssm.send(
      new CreateDocumentCommand({
        Name: `While-Running-${gate.replace(".", "-")}`,
        DocumentType: "Command",
        Content: JSON.stringify({
          schemaVersion: "2.2",
          description: "x",
          mainSteps: [{ action: "aws:runShellScript", name: "x", inputs: { runCommand: ["true"] } }],
        }),
      }),
    );
    const fleet = await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(fleet.InstanceInformationList!.length).to.be.greaterThan(0);
    // … and the run was still going when they had all answered.
    expect(spawnSync("kill", ["-0", String(sleeper)]).status, "the run's sleep ended on its own").to.equal(0);
    const stillRunning = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: WEB_1 }));
    expect(stillRunning.Status).to.equal("InProgress");

    process.kill(sleeper, "SIGTERM");
    const done = await latestInvocation(ssm, associationId, WEB_1);
    expect(done.Status, done.StandardErrorContent).to.equal("Success");
    expect(done.StandardOutputContent).to.equal("started\nfinished\n");
    const finished = await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId }));
    expect(finished.AssociationExecutions!.map((e) => e.Status)).to.deep.equal(["Success"]);
  });

  it("runs a custom schema 2.2 document: defaults substituted, workingDirectory, reboot exit codes, a timeout, {{ssm:…}} refused, onFailure", async () => {
    await ssm.send(
      new CreateDocumentCommand({
        Name: "Rehearsal-Steps",
        DocumentType: "Command",
        DocumentFormat: "YAML",
        Content: [
          'schemaVersion: "2.2"',
          "description: steps of every kind",
          "parameters:",
          "  greeting: {type: String, default: hello}",
          "  names: {type: StringList, default: [ann, bob]}",
          "mainSteps:",
          "  - action: aws:runShellScript",
          "    name: greet",
          "    inputs:",
          "      workingDirectory: /etc",
          "      runCommand:",
          "        - echo {{ greeting }} from $(pwd) to {{ names }}",
          "  - action: aws:runShellScript",
          "    name: reboot",
          "    inputs: {runCommand: [exit 3010]}",
          "  - action: aws:runShellScript",
          "    name: slow",
          "    inputs: {timeoutSeconds: '1', runCommand: [echo started, sleep 10]}",
          "  - action: aws:runShellScript",
          "    name: secret",
          "    onFailure: exit",
          "    inputs: {runCommand: ['echo {{ssm:/app/password}}']}",
          "  - action: aws:runShellScript",
          "    name: never",
          "    inputs: {runCommand: [echo never]}",
        ].join("\n"),
      }),
    );
    const created = await ssm.send(
      new CreateAssociationCommand({
        Name: "Rehearsal-Steps",
        Targets: [{ Key: "InstanceIds", Values: [WEB_1] }],
        Parameters: { greeting: ["hi"] },
      }),
    );
    const id = created.AssociationDescription!.AssociationId!;
    const invocation = await latestInvocation(ssm, id, WEB_1);
    expect(invocation.Status).to.equal("Failed");
    const plugin = async (name: string) => {
      const executions = await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id }));
      const targets = await ssm.send(
        new DescribeAssociationExecutionTargetsCommand({
          AssociationId: id,
          ExecutionId: executions.AssociationExecutions![0]!.ExecutionId!,
        }),
      );
      return ssm.send(
        new GetCommandInvocationCommand({
          CommandId: targets.AssociationExecutionTargets![0]!.OutputSource!.OutputSourceId!,
          InstanceId: WEB_1,
          PluginName: name,
        }),
      );
    };
    expect((await plugin("greet")).StandardOutputContent).to.equal("hi from /etc to ann,bob\n");
    const reboot = await plugin("reboot");
    expect(reboot.Status).to.equal("Success");
    expect(reboot.ResponseCode).to.equal(194);
    expect(reboot.StandardOutputContent).to.contain("asked for a reboot");
    const slow = await plugin("slow");
    expect(slow.Status).to.equal("Failed");
    expect(slow.StandardOutputContent).to.equal("started\n");
    expect(slow.StandardErrorContent).to.contain("Execution timed out after 1 seconds");
    const secret = await plugin("secret");
    expect(secret.Status).to.equal("Failed");
    expect(secret.StandardErrorContent).to.contain(
      "{{ssm:/app/password}}, a Parameter Store value; the local endpoint has no Parameter Store",
    );
    // onFailure: exit stopped the run before the last step.
    try {
      await plugin("never");
      expect.fail("the step after onFailure: exit ran");
    } catch (e) {
      expect((e as { name?: string }).name).to.equal("InvalidPluginName");
    }
  });
});

describe('cli: provider "ssm" { local { execute = true } } (sandboxed instances in process)', function () {
  this.timeout(60_000);
  let dir: string;
  before(async function () {
    const status = await withLocalEndpoint({ execute: true }, async (_client, endpoint) => endpoint.execution());
    if (!status.available) {
      console.log(`      skipped: the sandbox is unavailable on this machine — ${status.description}`);
      this.skip();
    }
  });
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "statectl-sandbox-provider-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("apply runs the association's shell in the instance; history --output shows what it printed", () => {
    writeFileSync(
      path.join(dir, "main.state"),
      [
        'provider "ssm" {',
        '  endpoint = "local"',
        "  local {",
        "    execute = true",
        "  }",
        "}",
        'association "hello" {',
        '  name     = "Hello"',
        '  document = "AWS-RunShellScript"',
        "  targets {",
        '    key    = "tag:Name"',
        '    values = ["web-2"]',
        "  }",
        "  parameters = {",
        '    commands = ["echo hello from $(hostname) as $(id -un)", "echo kept > /etc/rehearsed"]',
        "  }",
        "}",
      ].join("\n") + "\n",
    );
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    expect(applied.stdout + applied.stderr).to.contain("documents run for real in sandboxed instances");
    const history = run(dir, ["history", "association.hello", "--output"]);
    expect(history.code, history.stderr).to.equal(0);
    expect(history.stdout).to.contain("hello from web-2 as root");
    expect(run(dir, ["local", "fleet", "exec", "web-2", "--", "cat", "/etc/rehearsed"]).stdout).to.equal("kept\n");
    expect(existsSync("/etc/rehearsed")).to.equal(false);
  });

  it("refuses a local block on a provider that does not use the local endpoint", () => {
    writeFileSync(
      path.join(dir, "main.state"),
      'provider "ssm" {\n  region = "us-east-1"\n  local {\n    execute = true\n  }\n}\n',
    );
    const r = run(dir, ["validate"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("a local block configures the local endpoint, and this provider does not use it");
  });
});
