// The plan: what apply will do, and why. Plain data, so it can be rendered, turned into JSON
// and written to a plan file without losing anything apply needs.
import type { Range } from "../diag/index.js";
import type { Diagnostic } from "../diag/index.js";
import type { DesiredValue, InstanceReference } from "../graph/index.js";
import type { AttributePath, JsonValue, State } from "../state/index.js";
import type { PlanTargetCount } from "./provider.js";

export type Action = "create" | "update" | "replace" | "delete" | "no-op";
export type PlanMode = "normal" | "destroy" | "refresh-only";

export interface AttributeChange {
  name: string;
  before: JsonValue | undefined;
  /** May be unknown (known after apply). */
  after: DesiredValue | undefined;
  /** This attribute's change forces a replacement; `reason` says why. */
  forcesReplacement?: boolean;
  reason?: string;
  sensitive?: boolean;
}

export interface ResourceChange {
  address: string;
  kind: "document" | "association";
  provider: string;
  action: Action;
  /** The remote identity, when the resource exists. */
  id?: string;
  /** What exists now (refreshed), for update, replace, delete and no-op. */
  before?: { [name: string]: JsonValue };
  /** What the configuration wants (normalised), for create, update, replace and no-op. */
  after?: { [name: string]: DesiredValue };
  /** The attributes that differ (for update and replace); every set attribute for create; every attribute for delete. */
  changes: AttributeChange[];
  /** Why a replacement is needed, one line each. */
  replaceReasons: string[];
  createBeforeDestroy?: boolean;
  /** Sensitive paths of `after` (from the configuration) and `before` (from the state). */
  sensitivePaths: AttributePath[];
  /** Addresses this instance depends on (recorded in the state when applied). */
  dependencies: string[];
  /** References in the configuration (to resolve unknown values at apply time). */
  references?: InstanceReference[];
  /** Association changes that make SSM run it now: on how many managed instances. */
  impact?: PlanTargetCount;
  /** Documents: a new default version makes these associations (pinned to $DEFAULT) run now. */
  associationImpacts?: { association: string; impact: PlanTargetCount }[];
  /** Seconds to wait for Success after create/update (associations' wait_for_success). */
  waitForSuccess?: number;
  /** Why the instance is destroyed when it is (left the configuration, destroy mode). */
  deleteReason?: string;
  /** An `import` block brings this existing object under management (its id); `before` is what was read. */
  importing?: { id: string };
  /** Where the resource block is in the configuration (its label, and the whole block), so apply-time errors can point at it. */
  location?: { range: Range; block?: Range };
}

export interface Drift {
  address: string;
  kind: "document" | "association";
  /** deleted: gone outside statectl (to be created again); changed: attributes differ. */
  type: "deleted" | "changed";
  changes: AttributeChange[];
  sensitivePaths: AttributePath[];
}

export interface MovedInstance {
  from: string;
  to: string;
}

export interface Plan {
  mode: PlanMode;
  /** The state the plan was made against. */
  prior: { lineage: string; serial: number };
  /** A digest of the configuration and inputs the plan was made from (the engine computes it). */
  configHash?: string;
  /** The state after refresh and moves, before any change: apply starts from it. */
  refreshedState: State;
  changes: ResourceChange[];
  drift: Drift[];
  moved: MovedInstance[];
  /** --target addresses (with their dependencies the plan was limited to). */
  targets?: string[];
  /** Outputs whose recorded values applying the plan adds, changes or removes. */
  outputChanges?: OutputChange[];
  diagnostics: Diagnostic[];
  /** True when planning hit errors: the plan must not be applied. */
  errored: boolean;
  /** What each provider configuration key stands for, for people (`us-west-2`, `us-west-2, account 111111111111`); set by the engine. */
  providerLabels?: Record<string, string>;
}

/** An output whose recorded value applying the plan changes (Terraform's "Changes to Outputs"). */
export interface OutputChange {
  name: string;
  action: "create" | "update" | "delete";
  /** The value the state records (absent for create). */
  before?: JsonValue;
  /** The value after apply (absent for delete); may be unknown (known after apply). */
  after?: DesiredValue;
  sensitive: boolean;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
}

export function summarize(plan: Pick<Plan, "changes">): PlanSummary {
  const s = { add: 0, change: 0, destroy: 0 };
  for (const c of plan.changes) {
    if (c.action === "create") s.add++;
    else if (c.action === "update") s.change++;
    else if (c.action === "delete") s.destroy++;
    else if (c.action === "replace") {
      s.add++;
      s.destroy++;
    }
  }
  return s;
}

/** The summary per provider configuration (region, account), for plans that change several. */
export function summarizeByProvider(plan: Plan): Map<string, PlanSummary> {
  const out = new Map<string, PlanSummary>();
  for (const p of [...new Set(plan.changes.filter((c) => c.action !== "no-op").map((c) => c.provider))].sort()) {
    out.set(p, summarize({ changes: plan.changes.filter((c) => c.provider === p) }));
  }
  return out;
}

/**
 * The plan with other diagnostics. A digest the plan computes on first read stays so (a spread
 * would read it, hashing the whole configuration for a view that does not show it).
 */
export function planWithDiagnostics(plan: Plan, diagnostics: Diagnostic[]): Plan {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(plan)) as Plan;
  copy.diagnostics = diagnostics;
  return copy;
}

/** How many existing objects the plan brings under management (import blocks). */
export function importCount(plan: Plan): number {
  return plan.changes.filter((c) => c.importing !== undefined).length;
}

/** True when applying the plan would change anything (resources, or the state through moves or accepted drift). */
export function hasChanges(plan: Plan): boolean {
  if (plan.mode === "refresh-only") return plan.drift.length > 0 || plan.moved.length > 0;
  return (
    plan.changes.some((c) => c.action !== "no-op" || c.importing !== undefined) ||
    plan.moved.length > 0 ||
    (plan.outputChanges?.length ?? 0) > 0
  );
}
