/**
 * plan/ — plan = f(configuration, prior state). Owns: refreshing what the state records through
 * a provider (deleted outside → created again; changed outside → drift, attribute by
 * attribute), comparing desired with actual under per-attribute rules (defaults, sets, document
 * content by meaning), choosing one action per instance (create, update, replace with reasons,
 * delete, no-op) with lifecycle (prevent_destroy, ignore_changes, create_before_destroy,
 * replace_triggered_by), moved blocks, --target/--replace, the impact of association changes,
 * and the plan's three forms: human text (Terraform style), versioned JSON, plan files.
 *
 * Talks to: graph/ (the dependency graph and ConfigInstance), state/ (prior state). It states
 * what it needs from a provider as PlanProvider; engine/ adapts provider-ssm/ to it.
 */
export * from "./provider.js";
export * from "./compare.js";
export * from "./model.js";
export {
  makePlan,
  diffAttributes,
  type ImportBlock,
  type MovedBlock,
  type PlanEvent,
  type PlanOptions,
  type PlanResult,
  type RefreshMode,
} from "./plan.js";
export * from "./render.js";
export * from "./markdown.js";
export * from "./json.js";
export * from "./planfile.js";
export { planOutputChanges, type PlannedOutput } from "./outputs.js";
