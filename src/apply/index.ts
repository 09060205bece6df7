/**
 * apply/ — apply = f(plan) → new state. Owns: the apply graph (a create/update node and a
 * destroy node per change; creation follows dependencies, destruction runs against them;
 * create_before_destroy flips a replacement's order), the bounded-parallel walk over it, writing
 * the state after each change (StatePersister), recording partial results of failed changes
 * (tainted), wait_for_success, creates in flight (recorded in the state before a non-idempotent create,
 * resolved before the next plan: adopt, drop or report), progress events, and the result: the state that really resulted,
 * counts, errors per resource, and what was skipped because a dependency failed.
 *
 * Talks to: plan/ (the plan), graph/ (walks), state/ (edits, persister). What it needs from a
 * provider is ApplyProvider; engine/ adapts provider-ssm/ to it.
 */
export * from "./provider.js";
export * from "./apply.js";
export * from "./pending.js";
