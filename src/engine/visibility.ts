// `statectl history` and `statectl compliance` without the printing: an association's executions
// over time, its versions with what changed between them, one execution's targets with their
// output, and the fleet's Association compliance as instances × associations. Reads through the
// engine's Session as status does (no lock; nothing is changed).
import { error } from "../diag/index.js";
import type { AssociationVersionSnapshot, CommandOutput, ComplianceTypeSummary, ExecutionSummary, ExecutionTargetInfo, ManagedInstanceInfo } from "../provider-ssm/index.js";
import { withSession, type OperateRequest, type OperateResult } from "./operate.js";

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

export interface VersionHistoryEntry extends AssociationVersionSnapshot {
  /** What differs from the previous version (empty for the first). */
  changes: FieldChange[];
}

export interface TargetWithOutput extends ExecutionTargetInfo {
  output?: CommandOutput;
}

export interface AssociationHistory {
  /** The endpoint's clock when read (ISO 8601): the local endpoint's virtual time, else this machine's. */
  now: string;
  address: string;
  association_id: string;
  name?: string;
  document?: string;
  /** Newest first. */
  executions: ExecutionSummary[];
  /** Oldest first. */
  versions: VersionHistoryEntry[];
  /** The drill-down: one execution's targets (with `output`, what each printed). */
  execution?: ExecutionSummary & { targets: TargetWithOutput[] };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The fields that differ between two version snapshots, in a stable order. */
export function versionChanges(before: Record<string, unknown> | undefined, after: Record<string, unknown>): FieldChange[] {
  if (!before) return [];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return fields.filter((f) => !same(before[f], after[f])).map((f) => ({ field: f, ...(before[f] !== undefined ? { before: before[f] } : {}), ...(after[f] !== undefined ? { after: after[f] } : {}) }));
}

export interface HistoryRequest extends OperateRequest {
  /** How many executions to list (newest first). */
  limit?: number;
  /** Drill into this execution ("latest" for the newest). */
  executionId?: string;
  /** Read each drilled-into target's output (GetCommandInvocation). */
  output?: boolean;
}

/** `statectl history ADDRESS`: executions, versions and (optionally) one execution's targets and output. */
export async function runHistory(req: HistoryRequest): Promise<OperateResult<AssociationHistory[]>> {
  let missing: string | undefined;
  const r = await withSession(req, async (s, associations) => {
    const out: AssociationHistory[] = [];
    for (const a of associations) {
      const ssm = s.provider(a.provider).ssm;
      const overview = await ssm.readAssociationOverview(a.id);
      const executions = await ssm.associationExecutionHistory(a.id, Math.max(req.limit ?? 20, 1));
      const versions = await ssm.associationVersions(a.id);
      const history: AssociationHistory = {
        now: (await ssm.now()).toISOString(),
        address: a.address,
        association_id: a.id,
        ...(overview?.name ? { name: overview.name } : {}),
        ...(overview?.document ? { document: overview.document } : {}),
        executions,
        versions: versions.map((v, i) => ({ ...v, changes: versionChanges(versions[i - 1]?.fields, v.fields) })),
      };
      if (req.executionId !== undefined || req.output) {
        const wanted = req.executionId === undefined || req.executionId === "latest" ? executions[0] : executions.find((e) => e.execution_id === req.executionId) ?? (await ssm.associationExecutionHistory(a.id, 500)).find((e) => e.execution_id === req.executionId);
        if (!wanted) {
          missing = req.executionId === undefined || req.executionId === "latest" ? `${a.address} has no executions yet` : `${a.address} has no execution ${req.executionId}`;
          out.push(history);
          continue;
        }
        const targets: TargetWithOutput[] = await ssm.executionTargets(a.id, wanted.execution_id);
        if (req.output) {
          for (const t of targets) {
            if (!t.command_id || t.status === "Skipped") continue;
            const output = await ssm.commandOutput(t.command_id, t.instance_id);
            if (output) t.output = output;
          }
        }
        history.execution = { ...wanted, targets };
      }
      out.push(history);
    }
    return out;
  });
  if (missing !== undefined) {
    r.diagnostics.push(error("history/no-execution", missing, { detail: "The drill-down names an execution the association does not have.", hint: "statectl history ADDRESS lists its executions with their ids" }));
    delete r.value;
  }
  return r;
}


export interface ComplianceCell {
  instance_id: string;
  association_id: string;
  address?: string;
  status: string;
  severity: string;
  /** ISO 8601. */
  execution_time?: string;
  execution_id?: string;
  document?: string;
}

export interface ComplianceReport {
  /** The endpoint's clock (ISO 8601). */
  now: string;
  instances: ManagedInstanceInfo[];
  associations: Array<{ address: string; association_id: string; name?: string }>;
  /** One per instance × association that reported (Association compliance type). */
  cells: ComplianceCell[];
  /** Every compliance type in the account (Association, Custom:…), per ListComplianceSummaries. */
  summaries: ComplianceTypeSummary[];
}

/** `statectl compliance`: the fleet's Association compliance, instances × the associations in the state. */
export async function runCompliance(req: OperateRequest): Promise<OperateResult<ComplianceReport>> {
  return withSession(req, async (s, associations) => {
    const byProvider = new Map<string, typeof associations>();
    for (const a of associations) byProvider.set(a.provider, [...(byProvider.get(a.provider) ?? []), a]);
    const report: ComplianceReport = { now: new Date().toISOString(), instances: [], associations: [], cells: [], summaries: [] };
    for (const [provider, list] of byProvider) {
      const ssm = s.provider(provider).ssm;
      report.now = (await ssm.now()).toISOString();
      const addressOf = new Map(list.map((a) => [a.id, a.address] as const));
      for (const a of list) {
        const o = await ssm.readAssociationOverview(a.id);
        report.associations.push({ address: a.address, association_id: a.id, ...(o?.name ? { name: o.name } : {}) });
      }
      report.instances.push(...(await ssm.listManagedInstances()));
      for (const item of await ssm.complianceItems("Association")) {
        if (!item.id) continue;
        const address = addressOf.get(item.id);
        report.cells.push({
          instance_id: item.resource_id,
          association_id: item.id,
          ...(address ? { address } : {}),
          status: item.status,
          severity: item.severity,
          ...(item.execution_time ? { execution_time: item.execution_time } : {}),
          ...(item.execution_id ? { execution_id: item.execution_id } : {}),
          ...(item.details["DocumentName"] ? { document: item.details["DocumentName"] } : {}),
        });
      }
      report.summaries.push(...(await ssm.complianceSummaries()));
    }
    return report;
  });
}

