// The `--json` documents of apply/destroy, status, history, compliance, run and schedule: one typed view function
// each. Like validate's and plan's (diag/json.ts, plan/json.ts) they carry JSON_FORMAT_VERSION
// and their diagnostics as DiagnosticJson; docs/*.schema.json describe them.
import {
  diagnosticToJson,
  JSON_FORMAT_VERSION,
  type Diagnostic,
  type DiagnosticJson,
  type JsonFormatVersion,
} from "../diag/index.js";
import type { ApplyError } from "../apply/index.js";
import type {
  ApplyRun,
  AssociationHistory,
  AssociationStatus,
  ComplianceReport,
  FleetStatus,
  RunResult,
} from "../engine/index.js";
import type { ScheduleResult } from "../engine/schedule.js";
import { planToJson, type PlanJson } from "../plan/index.js";

/** What `statectl apply --json` and `statectl destroy --json` print (docs/apply.schema.json). */
export interface ApplyJson {
  format_version: JsonFormatVersion;
  plan?: PlanJson;
  result?: {
    imported: number;
    added: number;
    changed: number;
    destroyed: number;
    errors: ApplyError[];
    skipped: string[];
    serial: number;
  };
  cancelled: boolean;
  diagnostics: DiagnosticJson[];
}

export function applyToJson(run: Pick<ApplyRun, "plan" | "result" | "cancelled" | "diagnostics">): ApplyJson {
  const r = run.result;
  return {
    format_version: JSON_FORMAT_VERSION,
    // The plan's own diagnostics are among the run's: printed once, at the top level. An error's
    // source location is for the rendered diagnostic; the JSON schema has none.
    ...(run.plan ? { plan: planToJson({ ...run.plan, diagnostics: [] }) } : {}),
    ...(r
      ? {
          result: {
            imported: r.imported,
            added: r.added,
            changed: r.changed,
            destroyed: r.destroyed,
            errors: r.errors.map(({ location: _location, ...e }) => e),
            skipped: r.skipped,
            serial: r.state.serial,
          },
        }
      : {}),
    cancelled: run.cancelled ?? false,
    diagnostics: run.diagnostics.map(diagnosticToJson),
  };
}

/** What `statectl status --json` prints (docs/status.schema.json). */
export interface StatusJson {
  format_version: JsonFormatVersion;
  now: string;
  associations: AssociationStatus[];
  instances?: FleetStatus["instances"];
  compliant: boolean;
  diagnostics: DiagnosticJson[];
}

/** `compliant` is false when any association is Failed or Missing (what `--failed` turns into the exit code). */
export function statusToJson(
  view: { now: string; associations: AssociationStatus[]; instances?: FleetStatus["instances"] },
  diagnostics: readonly Diagnostic[],
): StatusJson {
  return {
    format_version: JSON_FORMAT_VERSION,
    now: view.now,
    associations: view.associations,
    ...(view.instances ? { instances: view.instances } : {}),
    compliant: view.associations.every((s) => s.status !== "Failed" && s.status !== "Missing"),
    diagnostics: diagnostics.map(diagnosticToJson),
  };
}

/** What `statectl history --json` prints. */
export interface HistoryJson {
  format_version: JsonFormatVersion;
  associations: AssociationHistory[];
  diagnostics: DiagnosticJson[];
}

export function historyToJson(associations: AssociationHistory[], diagnostics: readonly Diagnostic[]): HistoryJson {
  return { format_version: JSON_FORMAT_VERSION, associations, diagnostics: diagnostics.map(diagnosticToJson) };
}

/** What `statectl compliance --json` prints: the (filtered) report, and whether every cell is compliant. */
export type ComplianceJson = { format_version: JsonFormatVersion } & ComplianceReport & {
    compliant: boolean;
    diagnostics: DiagnosticJson[];
  };

export function complianceToJson(report: ComplianceReport, diagnostics: readonly Diagnostic[]): ComplianceJson {
  return {
    format_version: JSON_FORMAT_VERSION,
    ...report,
    compliant: report.cells.every((c) => c.status !== "NON_COMPLIANT"),
    diagnostics: diagnostics.map(diagnosticToJson),
  };
}

/** What `statectl run --json` prints (docs/run.schema.json). */
export interface RunJson {
  format_version: JsonFormatVersion;
  runs: RunResult[];
  diagnostics: DiagnosticJson[];
}

export function runToJson(runs: RunResult[], diagnostics: readonly Diagnostic[]): RunJson {
  return { format_version: JSON_FORMAT_VERSION, runs, diagnostics: diagnostics.map(diagnosticToJson) };
}

/** What `statectl schedule --json` prints (docs/schedule.schema.json). */
export interface ScheduleJson {
  format_version: JsonFormatVersion;
  from: string;
  associations: {
    address: string;
    schedule: string;
    schedule_offset?: number;
    approximate: boolean;
    invalid?: true;
    runs: string[];
  }[];
  overlaps: { minute: string; associations: string[]; shared_targets: string }[];
  unscheduled: string[];
  unknown: string[];
  diagnostics: DiagnosticJson[];
}

export function scheduleToJson(result: ScheduleResult, from: Date): ScheduleJson {
  return {
    format_version: JSON_FORMAT_VERSION,
    from: from.toISOString(),
    associations: result.forecasts.map((f) => ({
      address: f.address,
      schedule: f.expression,
      ...(f.offsetDays ? { schedule_offset: f.offsetDays } : {}),
      approximate: f.approximate,
      ...(f.invalid ? { invalid: true as const } : {}),
      runs: f.runs.map((r) => r.toISOString()),
    })),
    overlaps: result.overlaps.map((o) => ({
      minute: o.minute.toISOString(),
      associations: o.addresses,
      shared_targets: o.shared,
    })),
    unscheduled: result.unscheduled,
    unknown: result.unknown,
    diagnostics: result.diagnostics.map(diagnosticToJson),
  };
}
