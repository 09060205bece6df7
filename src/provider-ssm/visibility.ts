// What `statectl status --instances`, `history`, `compliance` and `report` read: the fleet,
// per-instance association results, complete execution histories and their targets, association
// versions, Run Command output and compliance items. Every list is read to its end through the
// SDK's paginators; results are plain snake_case objects (SDK shapes stay in this room).
import type { GetCommandInvocationCommandOutput } from "@aws-sdk/client-ssm";
import { compact, type CallOptions, type ProviderContext } from "./context.js";
import { hasCode } from "./errors.js";
import { executionSummary, type ExecutionSummary } from "./runs.js";

export interface ManagedInstanceInfo {
  instance_id: string;
  name?: string;
  platform?: string;
  ping_status?: string;
  /** Success or Failed across the instance's associations (DescribeInstanceInformation). */
  association_status?: string;
}

/** One association's latest result on one instance (DescribeInstanceAssociationsStatus). */
export interface InstanceAssociationResult {
  association_id: string;
  instance_id: string;
  association_name?: string;
  document?: string;
  document_version?: string;
  association_version?: string;
  status: string;
  detailed_status?: string;
  /** ISO 8601. */
  execution_date?: string;
  error_code?: string;
  execution_summary?: string;
  /** Where the output was written (S3), when the association has an OutputLocation. */
  output_url?: string;
}

export interface ExecutionTargetInfo {
  instance_id: string;
  resource_type?: string;
  status: string;
  detailed_status?: string;
  /** ISO 8601. */
  time?: string;
  /** The Run Command id that carries the output (OutputSource.OutputSourceId). */
  command_id?: string;
}

/** What one instance printed for one command (GetCommandInvocation). */
export interface CommandOutput {
  status?: string;
  response_code?: number;
  stdout: string;
  stderr: string;
  /** Set when the output is (also) in S3: inline content is cut at 24,000 / 8,000 characters. */
  stdout_url?: string;
  stderr_url?: string;
  /** The inline content reached Run Command's limit, so the rest is only at the URL. */
  truncated: boolean;
}

export interface AssociationVersionSnapshot {
  version: string;
  /** ISO 8601. */
  created?: string;
  /** The configurable members as SSM returned them (SDK names). */
  fields: Record<string, unknown>;
}

export interface ComplianceItemInfo {
  compliance_type: string;
  resource_id: string;
  resource_type: string;
  /** For Association items, the association id. */
  id?: string;
  title?: string;
  status: string;
  severity: string;
  /** ISO 8601. */
  execution_time?: string;
  execution_id?: string;
  details: Record<string, string>;
}

export interface ComplianceTypeSummary {
  compliance_type: string;
  compliant: number;
  non_compliant: number;
  /** Non-compliant resources by severity (lower-case keys: critical, high, …). */
  non_compliant_by_severity: Record<string, number>;
}

const iso = (d: Date | undefined) => (d === undefined ? undefined : d.toISOString());

export async function listManagedInstances(ctx: ProviderContext): Promise<ManagedInstanceInfo[]> {
  const { paginateDescribeInstanceInformation } = await ctx.sdk();
  const out: ManagedInstanceInfo[] = [];
  try {
    for await (const page of paginateDescribeInstanceInformation({ client: ctx.client, pageSize: 50 }, {})) {
      for (const i of page.InstanceInformationList ?? []) {
        out.push(
          compact<ManagedInstanceInfo>({
            instance_id: i.InstanceId ?? "",
            name: i.Name ?? i.ComputerName,
            platform: i.PlatformType,
            ping_status: i.PingStatus,
            association_status: i.AssociationStatus,
          }),
        );
      }
    }
  } catch (error) {
    throw ctx.wrap(error, "DescribeInstanceInformation", undefined);
  }
  return out;
}

/** Every association's latest result on the instance; empty when the instance is gone. */
export async function instanceAssociationResults(
  ctx: ProviderContext,
  instanceId: string,
): Promise<InstanceAssociationResult[]> {
  const { paginateDescribeInstanceAssociationsStatus } = await ctx.sdk();
  const out: InstanceAssociationResult[] = [];
  try {
    for await (const page of paginateDescribeInstanceAssociationsStatus(
      { client: ctx.client, pageSize: 50 },
      { InstanceId: instanceId },
    )) {
      for (const r of page.InstanceAssociationStatusInfos ?? []) {
        out.push(
          compact<InstanceAssociationResult>({
            association_id: r.AssociationId ?? "",
            instance_id: r.InstanceId ?? instanceId,
            association_name: r.AssociationName,
            document: r.Name,
            document_version: r.DocumentVersion,
            association_version: r.AssociationVersion,
            status: r.Status ?? "Pending",
            detailed_status: r.DetailedStatus,
            execution_date: iso(r.ExecutionDate),
            error_code: r.ErrorCode,
            execution_summary: r.ExecutionSummary,
            output_url: r.OutputUrl?.S3OutputUrl?.OutputUrl,
          }),
        );
      }
    }
  } catch (error) {
    if (hasCode(error, "InvalidInstanceId")) return [];
    throw ctx.wrap(error, "DescribeInstanceAssociationsStatus", instanceId);
  }
  return out;
}

/** The association's executions, newest first, up to `max`. */
export async function associationExecutionHistory(
  ctx: ProviderContext,
  id: string,
  max: number,
): Promise<ExecutionSummary[]> {
  const { paginateDescribeAssociationExecutions } = await ctx.sdk();
  const out: ExecutionSummary[] = [];
  try {
    for await (const page of paginateDescribeAssociationExecutions(
      { client: ctx.client, pageSize: 50 },
      { AssociationId: id },
    )) {
      for (const e of page.AssociationExecutions ?? []) {
        out.push(executionSummary(e));
        if (out.length >= max) break;
      }
      if (out.length >= max) break;
    }
  } catch (error) {
    if (hasCode(error, "AssociationDoesNotExist")) return [];
    throw ctx.wrap(error, "DescribeAssociationExecutions", id);
  }
  return out.sort((a, b) => Date.parse(b.created_time ?? "0") - Date.parse(a.created_time ?? "0"));
}

/** Every target of one execution (all pages). */
export async function executionTargets(
  ctx: ProviderContext,
  id: string,
  executionId: string,
): Promise<ExecutionTargetInfo[]> {
  const { paginateDescribeAssociationExecutionTargets } = await ctx.sdk();
  const out: ExecutionTargetInfo[] = [];
  try {
    for await (const page of paginateDescribeAssociationExecutionTargets(
      { client: ctx.client, pageSize: 50 },
      { AssociationId: id, ExecutionId: executionId },
    )) {
      for (const t of page.AssociationExecutionTargets ?? []) {
        out.push(
          compact<ExecutionTargetInfo>({
            instance_id: t.ResourceId ?? "",
            resource_type: t.ResourceType,
            status: t.Status ?? "",
            detailed_status: t.DetailedStatus,
            time: iso(t.LastExecutionDate),
            command_id: t.OutputSource?.OutputSourceId,
          }),
        );
      }
    }
  } catch (error) {
    throw ctx.wrap(error, "DescribeAssociationExecutionTargets", id);
  }
  return out;
}

/** What the instance printed for the command; undefined when Run Command has no such invocation. */
export async function commandOutput(
  ctx: ProviderContext,
  commandId: string,
  instanceId: string,
  call?: CallOptions,
): Promise<CommandOutput | undefined> {
  let r: GetCommandInvocationCommandOutput;
  try {
    r = await ctx.send<GetCommandInvocationCommandOutput>(
      "GetCommandInvocation",
      commandId,
      (sdk) => new sdk.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
      call,
    );
  } catch (error) {
    if (hasCode(error, "InvocationDoesNotExist") || hasCode(error, "InvalidCommandId")) return undefined;
    throw error;
  }
  const stdout = r.StandardOutputContent ?? "";
  const stderr = r.StandardErrorContent ?? "";
  return compact<CommandOutput>({
    status: r.Status,
    response_code: r.ResponseCode,
    stdout,
    stderr,
    stdout_url: r.StandardOutputUrl || undefined,
    stderr_url: r.StandardErrorUrl || undefined,
    truncated: stdout.length >= 24000 || stderr.length >= 8000,
  });
}

const VERSION_FIELDS_LEFT_OUT = new Set(["AssociationId", "AssociationVersion", "CreatedDate"]);

/** Every stored version of the association, oldest first. */
export async function associationVersions(ctx: ProviderContext, id: string): Promise<AssociationVersionSnapshot[]> {
  const { paginateListAssociationVersions } = await ctx.sdk();
  const out: AssociationVersionSnapshot[] = [];
  try {
    for await (const page of paginateListAssociationVersions(
      { client: ctx.client, pageSize: 50 },
      { AssociationId: id },
    )) {
      for (const v of page.AssociationVersions ?? []) {
        const fields: Record<string, unknown> = {};
        for (const [k, value] of Object.entries(v))
          if (!VERSION_FIELDS_LEFT_OUT.has(k) && value !== undefined)
            fields[k] = value instanceof Date ? value.toISOString() : value;
        out.push(
          compact<AssociationVersionSnapshot>({
            version: v.AssociationVersion ?? "",
            created: iso(v.CreatedDate),
            fields,
          }),
        );
      }
    }
  } catch (error) {
    if (hasCode(error, "AssociationDoesNotExist")) return [];
    throw ctx.wrap(error, "ListAssociationVersions", id);
  }
  return out.sort((a, b) => Number(a.version) - Number(b.version));
}

/**
 * Compliance items across the fleet: the resources that have some (ListResourceComplianceSummaries),
 * then each one's items (ListComplianceItems takes one resource id at a time).
 */
export async function complianceItems(ctx: ProviderContext, complianceType?: string): Promise<ComplianceItemInfo[]> {
  const { paginateListResourceComplianceSummaries, paginateListComplianceItems } = await ctx.sdk();
  const typeFilter = complianceType
    ? [{ Key: "ComplianceType", Values: [complianceType], Type: "EQUAL" as const }]
    : undefined;
  const resources = new Map<string, string>();
  const out: ComplianceItemInfo[] = [];
  try {
    for await (const page of paginateListResourceComplianceSummaries(
      { client: ctx.client, pageSize: 50 },
      typeFilter ? { Filters: typeFilter } : {},
    )) {
      for (const r of page.ResourceComplianceSummaryItems ?? [])
        if (r.ResourceId) resources.set(r.ResourceId, r.ResourceType ?? "ManagedInstance");
    }
    for (const [resourceId, resourceType] of resources) {
      for await (const page of paginateListComplianceItems(
        { client: ctx.client, pageSize: 50 },
        { ResourceIds: [resourceId], ResourceTypes: [resourceType], ...(typeFilter ? { Filters: typeFilter } : {}) },
      )) {
        for (const i of page.ComplianceItems ?? []) {
          out.push(
            compact<ComplianceItemInfo>({
              compliance_type: i.ComplianceType ?? "",
              resource_id: i.ResourceId ?? resourceId,
              resource_type: i.ResourceType ?? resourceType,
              id: i.Id,
              title: i.Title || undefined,
              status: i.Status ?? "",
              severity: i.Severity ?? "UNSPECIFIED",
              execution_time: iso(i.ExecutionSummary?.ExecutionTime),
              execution_id: i.ExecutionSummary?.ExecutionId,
              details: { ...(i.Details ?? {}) },
            }),
          );
        }
      }
    }
  } catch (error) {
    throw ctx.wrap(error, "ListComplianceItems", undefined);
  }
  return out;
}

/** Per compliance type, how many resources are compliant and non-compliant (ListComplianceSummaries). */
export async function complianceSummaries(ctx: ProviderContext): Promise<ComplianceTypeSummary[]> {
  const { paginateListComplianceSummaries } = await ctx.sdk();
  const out: ComplianceTypeSummary[] = [];
  try {
    for await (const page of paginateListComplianceSummaries({ client: ctx.client, pageSize: 50 }, {})) {
      for (const s of page.ComplianceSummaryItems ?? []) {
        const sev = s.NonCompliantSummary?.SeveritySummary ?? {};
        out.push({
          compliance_type: s.ComplianceType ?? "",
          compliant: s.CompliantSummary?.CompliantCount ?? 0,
          non_compliant: s.NonCompliantSummary?.NonCompliantCount ?? 0,
          non_compliant_by_severity: {
            critical: sev.CriticalCount ?? 0,
            high: sev.HighCount ?? 0,
            medium: sev.MediumCount ?? 0,
            low: sev.LowCount ?? 0,
            informational: sev.InformationalCount ?? 0,
            unspecified: sev.UnspecifiedCount ?? 0,
          },
        });
      }
    }
  } catch (error) {
    throw ctx.wrap(error, "ListComplianceSummaries", undefined);
  }
  return out;
}
