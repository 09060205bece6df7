/**
 * "Changes to Outputs": which outputs applying a plan would add, change or remove in the state.
 * The engine evaluates the outputs as they will be after apply (attributes of the resources the
 * plan leaves alone are known; those of resources it creates or changes are unknown) and this
 * compares them with what the state records.
 */
import { isWhollyKnown, type DesiredValue } from "../graph/index.js";
import type { JsonValue } from "../state/index.js";
import type { OutputChange, Plan } from "./model.js";

export interface PlannedOutput {
  name: string;
  value: DesiredValue;
  sensitive: boolean;
}

function same(a: JsonValue | undefined, b: DesiredValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `after` is every output of the configuration after apply (none in destroy mode). An output
 * still unknown when the plan changes no resource would stay unknown after apply too (it is
 * recorded only once known), so it is not a change.
 */
export function planOutputChanges(plan: Plan, after: readonly PlannedOutput[]): OutputChange[] {
  const prior = plan.refreshedState.outputs;
  const changesResources = plan.changes.some((c) => c.action !== "no-op");
  const changes: OutputChange[] = [];
  for (const o of [...after].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const before = prior[o.name];
    const known = isWhollyKnown(o.value);
    if (!known && !changesResources) continue;
    if (before === undefined) changes.push({ name: o.name, action: "create", after: o.value, sensitive: o.sensitive });
    else if (!known || !same(before.value, o.value) || before.sensitive !== o.sensitive)
      changes.push({
        name: o.name,
        action: "update",
        before: before.value,
        after: o.value,
        sensitive: o.sensitive || before.sensitive,
      });
  }
  const kept = new Set(after.map((o) => o.name));
  for (const [name, o] of Object.entries(prior).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!kept.has(name)) changes.push({ name, action: "delete", before: o.value, sensitive: o.sensitive });
  }
  return changes;
}
