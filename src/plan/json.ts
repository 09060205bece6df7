// The plan for scripts: a versioned JSON document. Sensitive values never appear in it; they are
// replaced by the marker "(sensitive)" and their paths listed.
import {
  diagnosticToJson,
  JSON_FORMAT_VERSION,
  type Diagnostic,
  type DiagnosticJson,
  type JsonFormatVersion,
} from "../diag/index.js";
import { isUnknown, type DesiredValue } from "../graph/index.js";
import { isSensitivePath, type AttributePath, type JsonValue } from "../state/index.js";
import { importCount, summarize, hasChanges, type AttributeChange, type Plan, type PlanMode } from "./model.js";
import type { PlanTargetCount } from "./provider.js";

export interface AttributeChangeJson {
  name: string;
  before: JsonValue;
  after: JsonValue;
  forces_replacement?: true;
  reason?: string | null;
  sensitive?: true;
}

export type ImpactJson =
  { managed_instances: number; instance_ids: string[] } | { managed_instances: null; reason: string };

export interface ResourceChangeJson {
  address: string;
  type: string;
  provider: string;
  action: string;
  id?: string;
  before: JsonValue | undefined;
  after: JsonValue | undefined;
  after_unknown: AttributePath[];
  changes: AttributeChangeJson[];
  replace_reasons?: string[];
  create_before_destroy?: true;
  importing?: { id: string };
  impact?: ImpactJson;
  association_impacts?: ({ association: string } & ImpactJson)[];
  dependencies: string[];
  sensitive_paths: AttributePath[];
}

/** What `statectl plan --json` prints for a plan (docs/plan.schema.json#/$defs/plan). */
export interface PlanJson {
  format_version: JsonFormatVersion;
  mode: PlanMode;
  prior_state: { lineage: string; serial: number };
  has_changes: boolean;
  errored: boolean;
  resource_changes: ResourceChangeJson[];
  resource_drift: { address: string; type: string; drift: string; changes: AttributeChangeJson[] }[];
  moved: { from: string; to: string }[];
  output_changes: {
    name: string;
    action: string;
    before: JsonValue;
    after: JsonValue;
    after_unknown: AttributePath[];
    sensitive: boolean;
  }[];
  summary: { import?: number; add: number; change: number; destroy: number };
  diagnostics: DiagnosticJson[];
}

/** What `statectl plan --json` prints when planning failed before a plan existed (docs/plan.schema.json#/$defs/failed). */
export interface FailedPlanJson {
  format_version: JsonFormatVersion;
  errored: true;
  diagnostics: DiagnosticJson[];
}

function mask(
  v: DesiredValue | JsonValue | undefined,
  sensitive: readonly AttributePath[],
  path: AttributePath = [],
): JsonValue | undefined {
  if (v === undefined) return undefined;
  if (path.length > 0 && isSensitivePath(sensitive, path)) return "(sensitive)";
  if (isUnknown(v)) return "(known after apply)";
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((e, i) => mask(e, sensitive, [...path, i]) ?? null);
  const out: { [k: string]: JsonValue } = {};
  for (const [k, e] of Object.entries(v)) {
    const m = mask(e, sensitive, [...path, k]);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

function unknownPaths(
  v: DesiredValue | undefined,
  path: AttributePath = [],
  out: AttributePath[] = [],
): AttributePath[] {
  if (v === undefined || v === null || typeof v !== "object") return out;
  if (isUnknown(v)) {
    out.push(path);
    return out;
  }
  if (Array.isArray(v)) v.forEach((e, i) => unknownPaths(e, [...path, i], out));
  else for (const [k, e] of Object.entries(v)) unknownPaths(e, [...path, k], out);
  return out;
}

function impactJson(impact: PlanTargetCount): ImpactJson {
  return impact.known
    ? { managed_instances: impact.count, instance_ids: impact.instance_ids }
    : { managed_instances: null, reason: impact.reason };
}

function attrChange(c: AttributeChange, sensitive: readonly AttributePath[]): AttributeChangeJson {
  const hidden = c.sensitive || isSensitivePath(sensitive, [c.name]);
  return {
    name: c.name,
    before: hidden ? "(sensitive)" : (mask(c.before, sensitive, [c.name]) ?? null),
    after: hidden ? "(sensitive)" : (mask(c.after, sensitive, [c.name]) ?? null),
    ...(c.forcesReplacement ? { forces_replacement: true, reason: c.reason ?? null } : {}),
    ...(hidden ? { sensitive: true } : {}),
  };
}

/** The machine-readable plan (`statectl plan --json`). */
export function planToJson(plan: Plan): PlanJson {
  const s = summarize(plan);
  return {
    format_version: JSON_FORMAT_VERSION,
    mode: plan.mode,
    prior_state: { lineage: plan.prior.lineage, serial: plan.prior.serial },
    has_changes: hasChanges(plan),
    errored: plan.errored,
    resource_changes: plan.changes.map((c) => ({
      address: c.address,
      type: c.kind,
      provider: c.provider,
      action: c.action,
      ...(c.id !== undefined ? { id: c.id } : {}),
      before: c.before ? mask(c.before, c.sensitivePaths) : null,
      after: c.after ? mask(c.after, c.sensitivePaths) : null,
      after_unknown: unknownPaths(c.after),
      changes: c.changes.map((ch) => attrChange(ch, c.sensitivePaths)),
      ...(c.replaceReasons.length > 0 ? { replace_reasons: c.replaceReasons } : {}),
      ...(c.createBeforeDestroy ? { create_before_destroy: true } : {}),
      ...(c.importing ? { importing: { id: c.importing.id } } : {}),
      ...(c.impact ? { impact: impactJson(c.impact) } : {}),
      ...(c.associationImpacts
        ? {
            association_impacts: c.associationImpacts.map((a) => ({
              association: a.association,
              ...impactJson(a.impact),
            })),
          }
        : {}),
      dependencies: c.dependencies,
      sensitive_paths: c.sensitivePaths,
    })),
    resource_drift: plan.drift.map((d) => ({
      address: d.address,
      type: d.kind,
      drift: d.type,
      changes: d.changes.map((ch) => attrChange(ch, d.sensitivePaths)),
    })),
    moved: plan.moved,
    output_changes: (plan.outputChanges ?? []).map((o) => ({
      name: o.name,
      action: o.action,
      before: o.before === undefined ? null : o.sensitive ? "(sensitive)" : (mask(o.before, []) ?? null),
      after: o.after === undefined ? null : o.sensitive ? "(sensitive)" : (mask(o.after, []) ?? null),
      after_unknown: o.after === undefined ? [] : unknownPaths(o.after),
      sensitive: o.sensitive,
    })),
    summary: {
      ...(importCount(plan) > 0 ? { import: importCount(plan) } : {}),
      add: s.add,
      change: s.change,
      destroy: s.destroy,
    },
    diagnostics: plan.diagnostics.map(diagnosticToJson),
  };
}

/** The plan document when planning failed before a plan existed. */
export function failedPlanToJson(diagnostics: readonly Diagnostic[]): FailedPlanJson {
  return { format_version: JSON_FORMAT_VERSION, errored: true, diagnostics: diagnostics.map(diagnosticToJson) };
}
