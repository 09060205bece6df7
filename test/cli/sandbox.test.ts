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
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateAssociationCommand, DescribeAssociationExecutionTargetsCommand, DescribeAssociationExecutionsCommand, GetCommandInvocationCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_ENDPOINT_CREDENTIALS } from "../../src/index.js";
import { startServe, type RunningServer } from "../local/processes.js";
import { run } from "./helpers.js";

const WEB_1 = "i-0web00000000000a1";

function host(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.error) throw new Error(`${command} is needed on the host for this test (.ci/run installs it): ${r.error.message}`);
  return `${r.stdout}${r.stderr}`;
}

/** What a run must not change on the host: its firewall, its routes, its network interfaces. */
function hostNetwork(): string {
  return [host("iptables", ["-S"]), host("ip", ["route", "show"]), host("ip", ["-o", "link", "show"]).replace(/state \w+.*$/gm, "")].join("\n---\n");
}

/** The output of the association's latest run on an instance, through GetCommandInvocation. */
async function latestInvocation(ssm: SSMClient, associationId: string, instanceId: string) {
  const executions = await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId }));
  const executionId = executions.AssociationExecutions![0]!.ExecutionId!;
  const targets = await ssm.send(new DescribeAssociationExecutionTargetsCommand({ AssociationId: associationId, ExecutionId: executionId }));
  const target = targets.AssociationExecutionTargets!.find((t) => t.ResourceId === instanceId)!;
  return ssm.send(new GetCommandInvocationCommand({ CommandId: target.OutputSource!.OutputSourceId!, InstanceId: instanceId }));
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
    const status = (await (await fetch(`${server.url}/`, { method: "POST", headers: { "X-Amz-Target": "AmazonSSM.StatectlDescribeExecution", "Content-Type": "application/x-amz-json-1.1" }, body: "{}" })).json()) as { Available: boolean; Description: string };
    if (!status.Available) {
      console.log(`      skipped: the sandbox is unavailable on this machine — ${status.Description}`);
      this.skip();
    }
  });

  after(async () => {
    ssm?.destroy();
    await server?.stop();
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
    const again = run(dir, ["local", "fleet", "exec", "--data-dir", path.join(dir, "data"), "web-1", "--", "cat", `/etc/${marker}`]);
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
    const wrote = run(dir, ["local", "fleet", "exec", "--data-dir", data, "web-2", "--", "sh", "-c", "echo broken > /etc/motd && hostname"]);
    expect(wrote.code, wrote.stderr).to.equal(0);
    expect(wrote.stdout).to.equal("web-2\n");
    const failing = run(dir, ["local", "fleet", "exec", "--data-dir", data, "web-2", "--", "sh", "-c", "exit 5"]);
    expect(failing.code).to.equal(5);
    expect(run(dir, ["local", "fleet", "exec", "--data-dir", data, "web-2", "--", "cat", "/etc/motd"]).stdout).to.equal("broken\n");
    const reset = run(dir, ["local", "fleet", "reset", "--data-dir", data, "web-2"]);
    expect(reset.code, reset.stderr).to.equal(0);
    expect(reset.stdout).to.contain("Reset web-2");
    const after = run(dir, ["local", "fleet", "exec", "--data-dir", data, "web-2", "--", "sh", "-c", "cat /etc/motd 2>/dev/null | grep -c broken; true"]);
    expect(after.stdout).to.equal("0\n");
    const windows = run(dir, ["local", "fleet", "exec", "--data-dir", data, "win-1", "--", "true"]);
    expect(windows.code).to.equal(1);
    expect(windows.stderr).to.contain("only Linux instances run in the sandbox");
  });
});
