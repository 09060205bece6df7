// Reading how associations are doing and running them on demand: the SSM calls behind
// `statectl status` and `statectl run` (the engine composes them; this room owns the calls and
// turns SDK shapes into plain snake_case objects).
import type {
  AssociationDescription,
  AssociationExecution,
  DescribeAssociationCommandOutput,
  DescribeAssociationExecutionsCommandOutput,
  DescribeInstanceAssociationsStatusCommandOutput,
} from "@aws-sdk/client-ssm";
import { parseResourceCounts } from "./associations.js";
import { compact, type CallOptions, type ProviderContext } from "./context.js";
import { hasCode } from "./errors.js";

/** An association's overview as DescribeAssociation reports it. */
export interface AssociationOverview {
  association_id: string;
  name?: string;
  document?: string;
  /** Overview status: Pending, Success or Failed. */
  status: string;
  detailed_status?: string;
  /** Targets by status, e.g. { Success: 3, Failed: 1 }. */
  counts: Record<string, number>;
  schedule?: string;
  schedule_offset?: number;
  /** When the schedule's rate counts from (the last update, else the creation), ISO 8601. */
  schedule_anchor?: string;
}

export interface ExecutionSummary {
  execution_id: string;
  association_version?: string;
  /** ISO 8601. */
  created_time?: string;
  status?: string;
  detailed_status?: string;
  counts: Record<string, number>;
}

/** An instance where an execution failed, with what SSM says about why. */
export interface InstanceFailure {
  instance_id: string;
  status: string;
  detailed_status?: string;
  error_code?: string;
  /** The instance's execution summary for the association (what the run reported). */
  output?: string;
}

function iso(d: Date | undefined): string | undefined {
  return d === undefined ? undefined : d.toISOString();
}

/** The overview, or undefined when the association no longer exists (AssociationDoesNotExist). */
export async function readAssociationOverview(
  ctx: ProviderContext,
  id: string,
  call?: CallOptions,
): Promise<AssociationOverview | undefined> {
  let d: AssociationDescription | undefined;
  try {
    d = (
      await ctx.send<DescribeAssociationCommandOutput>(
        "DescribeAssociation",
        id,
        (sdk) => new sdk.DescribeAssociationCommand({ AssociationId: id }),
        call,
      )
    ).AssociationDescription;
  } catch (error) {
    if (hasCode(error, "AssociationDoesNotExist")) return undefined;
    throw error;
  }
  if (d === undefined) return undefined;
  return compact<AssociationOverview>({
    association_id: id,
    name: d.AssociationName,
    document: d.Name,
    status: d.Overview?.Status ?? "Pending",
    detailed_status: d.Overview?.DetailedStatus,
    counts: { ...(d.Overview?.AssociationStatusAggregatedCount ?? {}) },
    schedule: d.ScheduleExpression,
    schedule_offset: d.ScheduleOffset,
    schedule_anchor: iso(d.LastUpdateAssociationDate ?? d.Date),
  });
}

/** One execution as runs and history report it. */
export function executionSummary(e: AssociationExecution): ExecutionSummary {
  return compact<ExecutionSummary>({
    execution_id: e.ExecutionId ?? "",
    association_version: e.AssociationVersion,
    created_time: iso(e.CreatedTime),
    status: e.Status,
    detailed_status: e.DetailedStatus,
    counts: parseResourceCounts(e.ResourceCountByStatus ?? ""),
  });
}

/** The association's recent executions (first page, up to 50), newest first. */
export async function listAssociationExecutions(
  ctx: ProviderContext,
  id: string,
  call?: CallOptions,
): Promise<ExecutionSummary[]> {
  const out = await ctx.send<DescribeAssociationExecutionsCommandOutput>(
    "DescribeAssociationExecutions",
    id,
    (sdk) => new sdk.DescribeAssociationExecutionsCommand({ AssociationId: id, MaxResults: 50 }),
    call,
  );
  return (out.AssociationExecutions ?? [])
    .map(executionSummary)
    .sort((a, b) => Date.parse(b.created_time ?? "0") - Date.parse(a.created_time ?? "0"));
}

/** The instances an execution failed on, each with its error code and execution summary (best effort). */
export async function failedExecutionTargets(
  ctx: ProviderContext,
  id: string,
  executionId: string,
  call?: CallOptions,
): Promise<InstanceFailure[]> {
  const { paginateDescribeAssociationExecutionTargets } = await ctx.sdk();
  const failed: InstanceFailure[] = [];
  try {
    for await (const page of paginateDescribeAssociationExecutionTargets(
      { client: ctx.client, pageSize: 50 },
      { AssociationId: id, ExecutionId: executionId, Filters: [{ Key: "Status", Value: "Failed" }] },
    )) {
      for (const t of page.AssociationExecutionTargets ?? []) {
        failed.push(
          compact<InstanceFailure>({
            instance_id: t.ResourceId ?? "",
            status: t.Status ?? "Failed",
            detailed_status: t.DetailedStatus,
          }),
        );
      }
    }
  } catch (error) {
    throw ctx.wrap(error, "DescribeAssociationExecutionTargets", id);
  }
  for (const f of failed) {
    try {
      const out = await ctx.send<DescribeInstanceAssociationsStatusCommandOutput>(
        "DescribeInstanceAssociationsStatus",
        f.instance_id,
        (sdk) => new sdk.DescribeInstanceAssociationsStatusCommand({ InstanceId: f.instance_id }),
        call,
      );
      const info = (out.InstanceAssociationStatusInfos ?? []).find((i) => i.AssociationId === id);
      if (info?.ErrorCode) f.error_code = info.ErrorCode;
      if (info?.ExecutionSummary) f.output = info.ExecutionSummary;
    } catch {
      // The instance may have left the fleet since; its target record still says that it failed.
    }
  }
  return failed;
}

/** StartAssociationsOnce: SSM runs each association now, on all its targets. */
export async function startAssociationsOnce(
  ctx: ProviderContext,
  ids: readonly string[],
  call?: CallOptions,
): Promise<void> {
  if (ids.length === 0) return;
  await ctx.send(
    "StartAssociationsOnce",
    ids.join(","),
    (sdk) => new sdk.StartAssociationsOnceCommand({ AssociationIds: [...ids] }),
    call,
  );
}

/**
 * The time on statectl's local endpoint, whose clock can run ahead of real time (`statectl local
 * advance`): asked with its own `AmazonSSM.StatectlListFleet` operation. Undefined for AWS (an
 * `amazonaws.com` endpoint, or none) and for any endpoint that does not answer it.
 */
export async function localEndpointNow(endpoint: string | undefined, call?: CallOptions): Promise<Date | undefined> {
  if (endpoint === undefined) return undefined;
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
  if (host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn") || host.endsWith(".api.aws"))
    return undefined;
  try {
    const response = await fetch(endpoint.endsWith("/") ? endpoint : `${endpoint}/`, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.StatectlListFleet" },
      body: "{}",
      ...(call?.signal ? { signal: call.signal } : {}),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { Now?: unknown };
    // Epoch milliseconds (what the endpoint sends), or epoch seconds as AWS JSON 1.1 timestamps are.
    const now =
      typeof body.Now === "number"
        ? new Date(body.Now > 1e11 ? body.Now : body.Now * 1000)
        : typeof body.Now === "string"
          ? new Date(body.Now)
          : undefined;
    return now !== undefined && !Number.isNaN(now.getTime()) ? now : undefined;
  } catch {
    return undefined;
  }
}
