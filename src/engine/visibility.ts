// `statectl history` and `statectl compliance` without the printing: an association's executions
// over time, its versions with what changed between them, one execution's targets with their
// output, and the fleet's Association compliance as instances × associations. Reads through the
// engine's Session as status does (no lock; nothing is changed).
import { error } from "../diag/index.js";
import type {
  AssociationVersionSnapshot,
  CommandOutput,
  ComplianceTypeSummary,
  ExecutionSummary,
  ExecutionTargetInfo,
  ManagedInstanceInfo,
} from "../provider-ssm/index.js";
import { resolve } from "node:path";
import { runFleetStatus, withSession, type FleetStatus, type OperateRequest, type OperateResult } from "./operate.js";
import { runGraph } from "./engine.js";

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
export function versionChanges(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): FieldChange[] {
  if (!before) return [];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return fields
    .filter((f) => !same(before[f], after[f]))
    .map((f) => ({
      field: f,
      ...(before[f] !== undefined ? { before: before[f] } : {}),
      ...(after[f] !== undefined ? { after: after[f] } : {}),
    }));
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
        const wanted =
          req.executionId === undefined || req.executionId === "latest"
            ? executions[0]
            : (executions.find((e) => e.execution_id === req.executionId) ??
              (await ssm.associationExecutionHistory(a.id, 500)).find((e) => e.execution_id === req.executionId));
        if (!wanted) {
          missing =
            req.executionId === undefined || req.executionId === "latest"
              ? `${a.address} has no executions yet`
              : `${a.address} has no execution ${req.executionId}`;
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
    r.diagnostics.push(
      error("history/no-execution", missing, {
        detail: "The drill-down names an execution the association does not have.",
        hint: "statectl history ADDRESS lists its executions with their ids",
      }),
    );
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
    const report: ComplianceReport = {
      now: new Date().toISOString(),
      instances: [],
      associations: [],
      cells: [],
      summaries: [],
    };
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

export interface ReportData {
  /** The endpoint's clock (ISO 8601). */
  now: string;
  /** The configuration directory the report describes. */
  dir: string;
  status: FleetStatus;
  histories: AssociationHistory[];
  compliance: ComplianceReport;
  /** The dependency graph laid out as SVG (Graphviz in WebAssembly). */
  graphSvg?: string;
}

/**
 * Everything `statectl report` draws, read once: the fleet status with the failing runs' output,
 * each association's recent executions and versions, the compliance matrix, and the dependency
 * graph rendered to SVG.
 */
export async function runReport(req: OperateRequest & { executions?: number }): Promise<OperateResult<ReportData>> {
  const status = await runFleetStatus({ ...req, outputs: true });
  if (!status.value) return { diagnostics: status.diagnostics, sources: status.sources };
  const histories = await runHistory({ ...req, limit: req.executions ?? 50 });
  const compliance = await runCompliance(req);
  const diagnostics = [...status.diagnostics, ...histories.diagnostics, ...compliance.diagnostics];
  if (!histories.value || !compliance.value) return { diagnostics, sources: status.sources };
  const graph = await runGraph({ ...req, dir: req.dir ?? "." });
  diagnostics.push(
    ...graph.diagnostics.filter((d) => d.severity !== "error" || !status.diagnostics.some((s) => s.code === d.code)),
  );
  let graphSvg: string | undefined;
  if (graph.dot) {
    const { dotToSvg } = await import("../graph/index.js");
    graphSvg = await dotToSvg(colourGraph(graph.dot, status.value));
  }
  return {
    value: {
      now: status.value.now,
      dir: resolve(req.dir ?? "."),
      status: status.value,
      histories: histories.value,
      compliance: compliance.value,
      ...(graphSvg !== undefined ? { graphSvg } : {}),
    },
    diagnostics,
    sources: status.sources,
  };
}

const NODE_COLOURS: Record<string, { fill: string; line: string }> = {
  Success: { fill: "#e3f4ea", line: "#2e9e5b" },
  Failed: { fill: "#fbe3e3", line: "#d64545" },
  Missing: { fill: "#fbe3e3", line: "#d64545" },
  Pending: { fill: "#e8eef6", line: "#8aa4c8" },
};

/** The graph's DOT with rounded boxes, and each association filled by its status (a later node statement adds attributes). */
function colourGraph(dot: string, status: FleetStatus): string {
  const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const extra = ['  node [style = "rounded,filled", fillcolor = "#f6f7f9", color = "#66717f", fontsize = 11];'];
  for (const a of status.associations) {
    const c = NODE_COLOURS[a.status];
    if (c)
      extra.push(
        `  ${quote(a.address)} [fillcolor = "${c.fill}", color = "${c.line}", tooltip = ${quote(`${a.address}: ${a.status}`)}];`,
      );
  }
  const close = dot.lastIndexOf("}");
  const head = dot.indexOf("{") + 1;
  return `${dot.slice(0, head)}\n${extra[0]}${dot.slice(head, close)}${extra.slice(1).join("\n")}\n}\n`;
}
