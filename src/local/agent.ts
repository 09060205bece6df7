/**
 * The simulated SSM Agent: which steps of a document run on which platform, and what one
 * instance reports after running a document. Nothing really runs; the outcome follows the rules
 * the real agent applies (plugin support per platform, `platformType` preconditions) and the
 * instance's test hook `failDocuments`. The plugin/platform table is ssm/'s, so the platforms
 * DescribeDocument reports for a document are the ones the simulated agent runs it on.
 */
import { pluginPlatforms, preconditionPlatform } from "../ssm/document-model.js";
import { PLATFORM_TYPES, type ManagedInstance, type PlatformType } from "./fleet.js";

export interface DocumentStep {
  readonly name: string;
  readonly action: string;
  /** From a `precondition: {StringEquals: [platformType, X]}`; the step is skipped elsewhere. */
  readonly platformPrecondition?: PlatformType;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The steps of a parsed Command or Policy document (schema 1.2 runtimeConfig or 2.x mainSteps). */
export function documentSteps(content: unknown): DocumentStep[] {
  if (!isRecord(content)) return [];
  const steps: DocumentStep[] = [];
  const runtimeConfig = content["runtimeConfig"];
  if (isRecord(runtimeConfig)) {
    for (const action of Object.keys(runtimeConfig)) steps.push({ name: action, action });
  }
  const mainSteps = content["mainSteps"];
  if (Array.isArray(mainSteps)) {
    for (const raw of mainSteps) {
      if (!isRecord(raw) || typeof raw["action"] !== "string") continue;
      const platform = preconditionPlatform(raw["precondition"]);
      steps.push({
        name: typeof raw["name"] === "string" ? raw["name"] : raw["action"],
        action: raw["action"],
        ...(platform ? { platformPrecondition: platform } : {}),
      });
    }
  }
  return steps;
}

/** The platforms a document can run on: each step's precondition, or its plugin's platforms. */
export function documentPlatforms(steps: readonly DocumentStep[]): PlatformType[] {
  const platforms = new Set<PlatformType>();
  for (const step of steps) for (const p of step.platformPrecondition ? [step.platformPrecondition] : pluginPlatforms(step.action)) platforms.add(p);
  return PLATFORM_TYPES.filter((p) => platforms.has(p));
}

export type InstanceRunStatus = "Success" | "Failed";

export interface InstanceRunResult {
  readonly status: InstanceRunStatus;
  /** Success, Failed, or InvalidPlatform (the document has nothing for this platform). */
  readonly detailedStatus: "Success" | "Failed" | "InvalidPlatform";
  /** Like the agent's "1 out of 1 plugin processed, 1 success, 0 failed, 0 timedout, 0 skipped." */
  readonly executionSummary: string;
  /** Set when the run failed: why, in the agent's words. */
  readonly errorCode?: string;
  /** Whether the failure counts against MaxErrors (InvalidPlatform does not). */
  readonly countsAsError: boolean;
  /** What the run printed, per step (plugin), as Run Command reports it; none for InvalidPlatform. */
  readonly plugins: readonly PluginOutput[];
}

/** One step's result as Run Command's CommandPlugin carries it. */
export interface PluginOutput {
  readonly name: string;
  readonly status: "Success" | "Failed";
  readonly responseCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Plugins that run a `commands` parameter in a shell. */
const SHELL_PLUGINS = new Set(["aws:runShellScript", "aws:runPowerShellScript"]);

/**
 * What a shell step prints: the simulated shell runs nothing, but `echo`/`Write-Output` lines
 * print their text, so an association's output reads like its commands.
 */
function shellOutput(commands: readonly string[] | undefined): string {
  const lines: string[] = [];
  for (const command of (commands ?? []).flatMap((c) => c.split("\n"))) {
    const m = /^\s*(?:echo|Write-Output|Write-Host)\s+(.*)$/i.exec(command);
    if (!m) continue;
    const text = m[1]!.trim();
    lines.push(/^(["']).*\1$/.test(text) ? text.slice(1, -1) : text);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

function summary(processed: number, success: number, failed: number, skipped: number): string {
  const plugins = processed === 1 ? "plugin" : "plugins";
  return `${processed} out of ${processed} ${plugins} processed, ${success} success, ${failed} failed, 0 timedout, ${skipped} skipped.`;
}

/**
 * What an instance reports after running a document. A document with no step for the instance's
 * platform is "InvalidPlatform" (not delivered); a step whose plugin cannot run on the platform
 * fails; a step whose precondition names another platform is skipped; an instance marked to fail
 * the document fails its first step that runs.
 */
export function runDocumentOn(instance: ManagedInstance, documentName: string, steps: readonly DocumentStep[], parameters: Readonly<Record<string, readonly string[]>> = {}): InstanceRunResult {
  if (steps.length > 0 && !documentPlatforms(steps).includes(instance.platformType)) {
    return {
      status: "Failed",
      detailedStatus: "InvalidPlatform",
      executionSummary: summary(0, 0, 0, 0),
      errorCode: `The document ${documentName} does not support the platform ${instance.platformType}`,
      countsAsError: false,
      plugins: [],
    };
  }
  const plugins: PluginOutput[] = [];
  const printed = (step: DocumentStep) => (SHELL_PLUGINS.has(step.action) ? shellOutput(parameters["commands"]) : "");
  const forcedFailure = instance.failDocuments.includes(documentName);
  let success = 0;
  let failed = 0;
  let skipped = 0;
  let errorCode: string | undefined;
  for (const step of steps) {
    if (step.platformPrecondition && step.platformPrecondition !== instance.platformType) {
      skipped++;
      // The agent reports a skipped step as a successful plugin that says why it did not run.
      plugins.push({ name: step.name, status: "Success", responseCode: 0, stdout: `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, ${step.platformPrecondition}]'. Step name: ${step.name}\n`, stderr: "" });
      continue;
    }
    if (!pluginPlatforms(step.action).includes(instance.platformType)) {
      failed++;
      errorCode ??= `Step ${step.name}: plugin ${step.action} is not supported on ${instance.platformType}`;
      plugins.push({ name: step.name, status: "Failed", responseCode: 1, stdout: "", stderr: `Plugin ${step.action} is not supported on ${instance.platformType}.\n` });
      continue;
    }
    if (forcedFailure && failed === 0) {
      failed++;
      errorCode ??= `Step ${step.name} failed (instance ${instance.instanceId} is marked to fail ${documentName})`;
      plugins.push({ name: step.name, status: "Failed", responseCode: 1, stdout: printed(step), stderr: `${instance.instanceId} is marked to fail ${documentName} (statectl local fleet fail)\nfailed to run commands: exit status 1\n` });
      continue;
    }
    success++;
    plugins.push({ name: step.name, status: "Success", responseCode: 0, stdout: printed(step), stderr: "" });
  }
  if (steps.length === 0 && forcedFailure) {
    failed = 1;
    errorCode = `Instance ${instance.instanceId} is marked to fail ${documentName}`;
    plugins.push({ name: documentName, status: "Failed", responseCode: 1, stdout: "", stderr: `${errorCode}\n` });
  }
  const processed = Math.max(steps.length, success + failed + skipped);
  const ok = failed === 0;
  return {
    status: ok ? "Success" : "Failed",
    detailedStatus: ok ? "Success" : "Failed",
    executionSummary: summary(processed, success, failed, skipped),
    ...(errorCode !== undefined ? { errorCode } : {}),
    countsAsError: !ok,
    plugins,
  };
}
