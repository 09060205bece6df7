// Plan files (`statectl plan --out FILE`, `statectl apply FILE`): the whole plan, with the
// lineage and serial of the state it was made against and a digest of the configuration, so
// apply can refuse a plan that no longer fits. They hold sensitive values (apply needs them), so
// they are written with mode 0600, like state files.
import { chmod, readFile, writeFile } from "node:fs/promises";
import { error, type Diagnostic } from "../diag/index.js";
import type { State } from "../state/index.js";
import type { Plan } from "./model.js";

export const PLAN_FILE_FORMAT = "statectl-plan";
export const PLAN_FILE_VERSION = 1;

export interface PlanFile {
  format: typeof PLAN_FILE_FORMAT;
  version: number;
  statectl_version: string;
  created: string;
  plan: Plan;
}

export async function writePlanFile(path: string, plan: Plan, statectlVersion: string): Promise<Diagnostic[]> {
  const file: PlanFile = { format: PLAN_FILE_FORMAT, version: PLAN_FILE_VERSION, statectl_version: statectlVersion, created: new Date().toISOString(), plan };
  try {
    await writeFile(path, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
    await chmod(path, 0o600);
    return [];
  } catch (e) {
    return [error("plan/io-error", `Cannot write the plan file ${path}`, { detail: (e as Error).message })];
  }
}

export async function readPlanFile(path: string): Promise<{ plan?: Plan; diagnostics: Diagnostic[] }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    return { diagnostics: [error("plan/io-error", `Cannot read the plan file ${path}`, { detail: (e as Error).message })] };
  }
  const bad = (why: string) => ({ diagnostics: [error("plan/invalid-plan-file", `${path} is not a statectl plan file`, { detail: why })] });
  let parsed: Partial<PlanFile>;
  try {
    parsed = JSON.parse(text) as Partial<PlanFile>;
  } catch {
    return bad("It is not JSON. Make plan files with `statectl plan --out FILE`.");
  }
  if (parsed?.format !== PLAN_FILE_FORMAT || typeof parsed.plan !== "object" || parsed.plan === null) return bad("It lacks the statectl plan header. Make plan files with `statectl plan --out FILE`.");
  if (parsed.version !== PLAN_FILE_VERSION) return bad(`It has format version ${String(parsed.version)}; this statectl reads version ${PLAN_FILE_VERSION}.`);
  return { plan: parsed.plan, diagnostics: [] };
}

/** Refuses a plan made against another state (lineage, or a serial that has moved on) or another configuration. */
export function checkPlanApplies(plan: Plan, current: State, configHash: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (plan.errored) out.push(error("plan/errored-plan", "The plan has errors and cannot be applied", { detail: "Fix the errors and make a new plan." }));
  // A plan made when no state existed (serial 0) has no meaningful lineage.
  if (plan.prior.lineage !== current.lineage && current.serial > 0 && plan.prior.serial > 0) {
    out.push(error("plan/stale-plan", "The plan was made against a different state", { detail: `The plan was made against the state with lineage ${plan.prior.lineage}, but the state now has lineage ${current.lineage}. Make a new plan.` }));
  } else if (plan.prior.serial !== current.serial) {
    out.push(error("plan/stale-plan", "The state changed since the plan was made", { detail: `The plan was made against serial ${plan.prior.serial} of the state, which is now at serial ${current.serial}: something was applied in between. Make a new plan.` }));
  }
  if (configHash !== undefined && plan.configHash !== undefined && plan.configHash !== configHash) {
    out.push(error("plan/config-changed", "The configuration changed since the plan was made", { detail: "The .state files or variable values differ from those the plan was made from. Make a new plan." }));
  }
  return out;
}
