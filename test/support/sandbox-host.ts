/**
 * What the sandbox tests share: the host-side checks a run must leave unchanged, and the polling
 * an SSM client does for a run that goes on in the background.
 */
import { spawnSync } from "node:child_process";
import {
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionsCommand,
  GetCommandInvocationCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";

/** web-1 of the local endpoint's default fleet (a Linux instance). */
export const WEB_1 = "i-0web00000000000a1";

/** A host command's output; the error names the package .ci/run installs when it is missing. */
export function host(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.error)
    throw new Error(`${command} is needed on the host for this test (.ci/run installs it): ${r.error.message}`);
  return `${r.stdout}${r.stderr}`;
}

/**
 * What a run must not change on the host: its firewall (readable by root only, so an ordinary
 * user's suite compares the rest), its routes, its network interfaces.
 */
export function hostNetwork(): string {
  const asRoot = process.getuid?.() === 0;
  return [
    ...(asRoot ? [host("iptables", ["-S"])] : []),
    host("ip", ["route", "show"]),
    host("ip", ["-o", "link", "show"]).replace(/state \w+.*$/gm, ""),
  ].join("\n---\n");
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Run Command id of the association's latest run on an instance. */
export async function latestCommandId(ssm: SSMClient, associationId: string, instanceId: string): Promise<string> {
  const executions = await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: associationId }));
  const executionId = executions.AssociationExecutions?.[0]?.ExecutionId;
  if (executionId === undefined) throw new Error(`association ${associationId} has no execution`);
  const targets = await ssm.send(
    new DescribeAssociationExecutionTargetsCommand({ AssociationId: associationId, ExecutionId: executionId }),
  );
  const commandId = targets.AssociationExecutionTargets?.find((t) => t.ResourceId === instanceId)?.OutputSource
    ?.OutputSourceId;
  if (commandId === undefined) throw new Error(`the latest execution of ${associationId} did not target ${instanceId}`);
  return commandId;
}

/**
 * The output of the association's latest run on an instance, through GetCommandInvocation, once
 * it has finished: runs go on in the background, as on AWS, so a client polls (the test's own
 * timeout bounds the wait).
 */
export async function latestInvocation(ssm: SSMClient, associationId: string, instanceId: string) {
  const commandId = await latestCommandId(ssm, associationId, instanceId);
  for (;;) {
    const invocation = await ssm.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
    );
    if (!["Pending", "InProgress", "Delayed"].includes(invocation.Status ?? "")) return invocation;
    await pause(100);
  }
}

/** What a running `local serve --execute` says about its sandbox (statectl's own control operation). */
export async function sandboxStatus(url: string): Promise<{ Available: boolean; Description: string }> {
  const response = await fetch(`${url}/`, {
    method: "POST",
    headers: { "X-Amz-Target": "AmazonSSM.StatectlDescribeExecution", "Content-Type": "application/x-amz-json-1.1" },
    body: "{}",
  });
  return (await response.json()) as { Available: boolean; Description: string };
}
