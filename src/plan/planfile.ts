// Plan files (`statectl plan --out FILE`, `statectl apply FILE`): the whole plan, with the
// lineage and serial of the state it was made against and a digest of the configuration, so
// apply can refuse a plan that no longer fits. They hold sensitive values (apply needs them), so
// they are written with mode 0600, like state files.
import { createHash } from "node:crypto";
import { chmod, open, writeFile } from "node:fs/promises";
import { error, type Diagnostic } from "../diag/index.js";
import type { JsonValue, State } from "../state/index.js";
import type { Plan } from "./model.js";

export const PLAN_FILE_FORMAT = "statectl-plan";
export const PLAN_FILE_VERSION = 1;

export interface PlanFile {
  format: typeof PLAN_FILE_FORMAT;
  version: number;
  statectl_version: string;
  created: string;
  /** SHA-256 of the JSON of `plan`, so a damaged or edited plan file is refused rather than applied. */
  plan_sha256: string;
  plan: Plan;
  /**
   * The variables' values the plan was made with, so `statectl apply FILE` needs no `--var`
   * again. Sensitive values are here in full (the file is mode 0600); they are never printed.
   */
  variables?: Record<string, JsonValue>;
}

/** Larger than any plan of SSM's limits (2,000 associations, 500 documents of 64 KB, twice over). */
export const MAX_PLAN_FILE_BYTES = 256 * 1024 * 1024;

function digest(plan: unknown): string {
  return createHash("sha256").update(JSON.stringify(plan)).digest("hex");
}

export async function writePlanFile(
  path: string,
  plan: Plan,
  statectlVersion: string,
  variables: Record<string, JsonValue> = {},
): Promise<Diagnostic[]> {
  const file: PlanFile = {
    format: PLAN_FILE_FORMAT,
    version: PLAN_FILE_VERSION,
    statectl_version: statectlVersion,
    created: new Date().toISOString(),
    plan_sha256: digest(plan),
    plan,
    variables,
  };
  try {
    await writeFile(path, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
    await chmod(path, 0o600);
    return [];
  } catch (e) {
    return [error("plan/io-error", `Cannot write the plan file ${path}`, { detail: (e as Error).message })];
  }
}

export async function readPlanFile(
  path: string,
): Promise<{ plan?: Plan; variables?: Record<string, JsonValue>; diagnostics: Diagnostic[] }> {
  const bad = (why: string) => ({
    diagnostics: [error("plan/invalid-plan-file", `${path} is not a statectl plan file`, { detail: why })],
  });
  let text: string;
  try {
    const fh = await open(path, "r");
    try {
      if ((await fh.stat()).size > MAX_PLAN_FILE_BYTES)
        return bad(
          `It is larger than ${MAX_PLAN_FILE_BYTES / (1024 * 1024)} MiB; statectl never writes plan files that large.`,
        );
      text = new TextDecoder("utf-8", { fatal: true }).decode(await fh.readFile());
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof TypeError) return bad("It is not UTF-8 text. Make plan files with `statectl plan --out FILE`.");
    const code = (e as NodeJS.ErrnoException).code;
    return {
      diagnostics: [
        error("plan/io-error", `Cannot read the plan file ${path}`, {
          detail:
            code === "ENOENT"
              ? "There is no such file."
              : code === "EISDIR"
                ? "It is a directory."
                : (e as Error).message,
        }),
      ],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad("It is not JSON. Make plan files with `statectl plan --out FILE`.");
  }
  const header = "It lacks the statectl plan header. Make plan files with `statectl plan --out FILE`.";
  if (json === null || typeof json !== "object") return bad(header);
  // Any JSON object: each field is checked before it is used.
  const parsed = json as { readonly [K in keyof PlanFile]?: unknown };
  if (parsed.format !== PLAN_FILE_FORMAT || typeof parsed.plan !== "object" || parsed.plan === null) return bad(header);
  if (parsed.version !== PLAN_FILE_VERSION)
    return bad(`It has format version ${String(parsed.version)}; this statectl reads version ${PLAN_FILE_VERSION}.`);
  let actual: string;
  try {
    actual = digest(parsed.plan);
  } catch {
    return bad("It nests too deeply to be a plan statectl wrote.");
  }
  if (parsed.plan_sha256 !== actual)
    return bad(
      "Its content does not match its checksum: it was damaged or edited after `statectl plan --out` wrote it. Make a new plan.",
    );
  const shape = planShapeProblem(parsed.plan);
  if (shape) return bad(`${shape}. Make a new plan with \`statectl plan --out FILE\`.`);
  if (parsed.variables !== undefined && !isObject(parsed.variables))
    return bad("Its variables are not an object. Make a new plan with `statectl plan --out FILE`.");
  // planShapeProblem checked what apply relies on; the values came from JSON.parse, so they are JSON.
  const plan = parsed.plan as Plan;
  const variables = parsed.variables as Record<string, JsonValue> | undefined;
  return { plan, ...(variables ? { variables } : {}), diagnostics: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const ACTIONS = new Set(["create", "update", "replace", "delete", "no-op"]);

/** What apply relies on, checked before it is used (a checksum can be recomputed by hand). */
function planShapeProblem(plan: unknown): string | undefined {
  if (!isObject(plan)) return "Its plan is not an object";
  if (!["normal", "destroy", "refresh-only"].includes(plan.mode as string)) return "Its plan has no valid mode";
  const prior = plan.prior;
  if (!isObject(prior) || typeof prior.lineage !== "string" || !Number.isInteger(prior.serial))
    return "Its plan does not say which state it was made against";
  if (plan.configHash !== undefined && typeof plan.configHash !== "string")
    return "Its configuration digest is not a string";
  const state = plan.refreshedState;
  if (
    !isObject(state) ||
    typeof state.lineage !== "string" ||
    !Number.isInteger(state.serial) ||
    !Array.isArray(state.resources) ||
    !isObject(state.outputs)
  )
    return "Its refreshed state is malformed";
  for (const r of state.resources)
    if (!isObject(r) || typeof r.address !== "string" || typeof r.id !== "string" || !isObject(r.attributes))
      return "A resource of its refreshed state is malformed";
  for (const key of ["changes", "drift", "moved", "diagnostics"])
    if (!Array.isArray(plan[key])) return `Its ${key} are not a list`;
  if (typeof plan.errored !== "boolean") return "It does not say whether planning failed";
  for (const c of plan.changes as unknown[]) {
    if (
      !isObject(c) ||
      typeof c.address !== "string" ||
      !["document", "association"].includes(c.kind as string) ||
      typeof c.provider !== "string" ||
      !ACTIONS.has(c.action as string)
    )
      return "A change in it is malformed";
    if (
      !Array.isArray(c.changes) ||
      !Array.isArray(c.replaceReasons) ||
      !Array.isArray(c.sensitivePaths) ||
      !Array.isArray(c.dependencies)
    )
      return `The change of ${c.address} is malformed`;
  }
  return undefined;
}

/** Refuses a plan made against another state (lineage, or a serial that has moved on) or another configuration. */
export function checkPlanApplies(plan: Plan, current: State, configHash: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (plan.errored)
    out.push(
      error("plan/errored-plan", "The plan has errors and cannot be applied", {
        detail: "Fix the errors and make a new plan.",
      }),
    );
  // A plan made when no state existed (serial 0) has no meaningful lineage.
  if (plan.prior.lineage !== current.lineage && current.serial > 0 && plan.prior.serial > 0) {
    out.push(
      error("plan/stale-plan", "The plan was made against a different state", {
        detail: `The plan was made against the state with lineage ${plan.prior.lineage}, but the state now has lineage ${current.lineage}. Make a new plan.`,
      }),
    );
  } else if (plan.prior.serial !== current.serial) {
    out.push(
      error("plan/stale-plan", "The state changed since the plan was made", {
        detail: `The plan was made against serial ${plan.prior.serial} of the state, which is now at serial ${current.serial}: something was applied in between. Make a new plan.`,
      }),
    );
  }
  if (configHash !== undefined && plan.configHash === undefined) {
    out.push(
      error("plan/no-config-digest", "The plan does not say which configuration it was made from", {
        detail:
          "A plan carries a digest of the configuration and variable values it was made from, so that apply can refuse it once they change; this one has none (it was edited, or not made by statectl plan --out). Make a new plan.",
      }),
    );
  } else if (configHash !== undefined && plan.configHash !== configHash) {
    out.push(
      error("plan/config-changed", "The configuration changed since the plan was made", {
        detail: "The .state files or variable values differ from those the plan was made from. Make a new plan.",
      }),
    );
  }
  return out;
}
