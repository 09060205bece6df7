/**
 * The simulated SSM Agent: which steps of a document run on which platform, and what one
 * instance reports after running a document. By default nothing really runs; the outcome follows
 * the rules the real agent applies (plugin support per platform, `platformType` preconditions,
 * schema 2.2's onFailure / isEnd / nextStep) and the instance's test hook `failDocuments`. With
 * execution on (execution.ts), `aws:runShellScript` steps run in the instance's sandbox and their
 * real output and exit code are the result. The plugin/platform table is ssm/'s, so the
 * platforms DescribeDocument reports for a document are the ones the simulated agent runs it on.
 */
import { pluginPlatforms, preconditionPlatform, type ParameterDeclaration } from "../ssm/document-model.js";
import type { Executor, ShellOutcome, ShellRequest } from "./execution.js";
import { PLATFORM_TYPES, type ManagedInstance, type PlatformType } from "./fleet.js";
import { commandLines, parameterValues, substitute, UnresolvableParameter } from "./substitute.js";

export interface DocumentStep {
  readonly name: string;
  readonly action: string;
  /** From a `precondition: {StringEquals: [platformType, X]}`; the step is skipped elsewhere. */
  readonly platformPrecondition?: PlatformType;
  /** The plugin's inputs: schema 2.x `inputs`, or each of schema 1.2's `properties` (run in order). */
  readonly inputs?: readonly unknown[];
  /** Schema 2.2: "exit" or "successAndExit" when the step fails (default: go on with the next step). */
  readonly onFailure?: string;
  /** Schema 2.2: stop after this step. */
  readonly isEnd?: boolean;
  /** Schema 2.2: the step to run after this one. */
  readonly nextStep?: string;
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
    for (const [action, body] of Object.entries(runtimeConfig)) {
      const properties = isRecord(body) ? body["properties"] : undefined;
      steps.push({
        name: action,
        action,
        inputs: Array.isArray(properties) ? properties : isRecord(properties) ? [properties] : [],
      });
    }
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
        inputs: raw["inputs"] === undefined ? [] : [raw["inputs"]],
        ...(typeof raw["onFailure"] === "string" ? { onFailure: raw["onFailure"] } : {}),
        ...(raw["isEnd"] === true || raw["isEnd"] === "true" ? { isEnd: true } : {}),
        ...(typeof raw["nextStep"] === "string" ? { nextStep: raw["nextStep"] } : {}),
      });
    }
  }
  return steps;
}

/** The platforms a document can run on: each step's precondition, or its plugin's platforms. */
export function documentPlatforms(steps: readonly DocumentStep[]): PlatformType[] {
  const platforms = new Set<PlatformType>();
  for (const step of steps)
    for (const p of step.platformPrecondition ? [step.platformPrecondition] : pluginPlatforms(step.action))
      platforms.add(p);
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
    const said = /^\s*(?:echo|Write-Output|Write-Host)\s+(.*)$/i.exec(command)?.[1];
    if (said === undefined) continue;
    const text = said.trim();
    lines.push(/^(["']).*\1$/.test(text) ? text.slice(1, -1) : text);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

function summary(processed: number, success: number, failed: number, timedOut: number, skipped: number): string {
  const plugins = processed === 1 ? "plugin" : "plugins";
  return `${processed} out of ${processed} ${plugins} processed, ${success} success, ${failed} failed, ${timedOut} timedout, ${skipped} skipped.`;
}

/** What a run needs to execute shell steps for real; without it every step is simulated. */
export interface RealRun {
  readonly executor: Executor;
  /** The instance's disk: its id, under its partition's folder when not the endpoint's own. */
  readonly disk: string;
  readonly region: string;
  /** The Run Command id of this run (the agent's orchestration folder is named after it). */
  readonly commandId: string;
  readonly declarations: Readonly<Record<string, ParameterDeclaration>>;
  /** False for AWS-owned documents whose steps are placeholders here (all but AWS-RunShellScript). */
  readonly executable: boolean;
}

/** The agent's default timeout for a shell step without timeoutSeconds. */
const DEFAULT_TIMEOUT_SECONDS = 3600;

function timeoutOf(value: unknown): number {
  const n =
    typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_TIMEOUT_SECONDS;
}

type StepOutcome = PluginOutput & { readonly timedOut?: boolean };

/**
 * Why a step that would run in a sandbox is simulated instead, or undefined when it runs for real.
 * Said in the step's output, so nobody takes a simulated success for a real one.
 */
function whySimulated(
  step: DocumentStep,
  instance: ManagedInstance,
  documentName: string,
  real: RealRun,
): string | undefined {
  if (!real.executor.support.available)
    return `execution is on, but the sandbox is unavailable here (missing ${real.executor.support.missing})`;
  if (instance.platformType !== "Linux")
    return `${instance.instanceId} is a ${instance.platformType} instance; only Linux instances run in the sandbox`;
  if (step.action !== "aws:runShellScript")
    return `${step.action} does not run in the sandbox (only aws:runShellScript does; packages, downloads and other plugins need AWS or the network)`;
  if (!real.executable)
    return `${documentName} is an AWS-owned document whose steps are placeholders here, not AWS's scripts`;
  return undefined;
}

function simulatedNote(reason: string): string {
  return `[statectl] simulated, not run: ${reason}.\n`;
}

/**
 * A shell step for the sandbox: the document's run yields it and is resumed with what the step
 * did, so one walk of the steps (documentRun) serves the simulation and real runs alike.
 */
interface ShellCall {
  readonly real: RealRun;
  readonly instance: ManagedInstance;
  readonly request: ShellRequest;
}

type DocumentRun<T> = Generator<ShellCall, T, ShellOutcome>;

/** Runs a shell step's properties (one for schema 2.x, possibly several for 1.2) in the sandbox, in order. */
function* runShellStep(
  step: DocumentStep,
  instance: ManagedInstance,
  parameters: Readonly<Record<string, readonly string[]>>,
  real: RealRun,
): DocumentRun<StepOutcome> {
  let stdout = "";
  let stderr = "";
  let responseCode = 0;
  let status: "Success" | "Failed" = "Success";
  let timedOut = false;
  try {
    const values = parameterValues(real.declarations, parameters);
    for (const raw of step.inputs ?? []) {
      const inputs = substitute(raw, values, `step ${step.name}`);
      const record = isRecord(inputs) ? inputs : {};
      const outcome: ShellOutcome = yield {
        real,
        instance,
        request: {
          lines: commandLines(record["runCommand"]),
          workingDirectory: typeof record["workingDirectory"] === "string" ? record["workingDirectory"] : "",
          timeoutSeconds: timeoutOf(record["timeoutSeconds"]),
          commandId: real.commandId,
          stepName: step.name,
        },
      };
      stdout += outcome.stdout;
      stderr += outcome.stderr;
      responseCode = outcome.responseCode;
      timedOut ||= outcome.timedOut;
      if (outcome.status === "Failed") {
        status = "Failed";
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof UnresolvableParameter)) throw e;
    return { name: step.name, status: "Failed", responseCode: 1, stdout: "", stderr: `${e.message}\n` };
  }
  return { name: step.name, status, responseCode, stdout, stderr, timedOut };
}

/**
 * What an instance reports after running a document. A document with no step for the instance's
 * platform is "InvalidPlatform" (not delivered); a step whose plugin cannot run on the platform
 * fails; a step whose precondition names another platform is skipped; an instance marked to fail
 * the document fails its first step that runs. With `real`, shell steps run in the instance's
 * sandbox; the others are simulated and say so. Steps go in order unless a step's `nextStep`
 * names another, `isEnd` stops after it, and a failing step's `onFailure` ("exit",
 * "successAndExit") stops the run.
 */
export function runDocumentOn(
  instance: ManagedInstance,
  documentName: string,
  steps: readonly DocumentStep[],
  parameters: Readonly<Record<string, readonly string[]>> = {},
  real?: RealRun,
): InstanceRunResult {
  const run = documentRun(instance, documentName, steps, parameters, real);
  const first = run.next();
  // A step that would run in the sandbox cannot run here without blocking the endpoint.
  if (!first.done) throw new Error("a step runs in the sandbox: runDocumentOnAsync runs it");
  return first.value;
}

/**
 * As runDocumentOn, with the shell steps really run in the instance's sandbox. The whole
 * document holds the executor's queue (no other run or exec touches the disk between its steps).
 */
export function runDocumentOnAsync(
  instance: ManagedInstance,
  documentName: string,
  steps: readonly DocumentStep[],
  parameters: Readonly<Record<string, readonly string[]>>,
  real: RealRun,
): Promise<InstanceRunResult> {
  return real.executor.serial(async () => {
    const run = documentRun(instance, documentName, steps, parameters, real);
    let next = run.next();
    while (!next.done) {
      const call = next.value;
      next = run.next(await call.real.executor.runShell(call.real.disk, call.instance, call.real.region, call.request));
    }
    return next.value;
  });
}

/** The walk of a document's steps on one instance; yields each shell step that runs for real. */
function* documentRun(
  instance: ManagedInstance,
  documentName: string,
  steps: readonly DocumentStep[],
  parameters: Readonly<Record<string, readonly string[]>>,
  real: RealRun | undefined,
): DocumentRun<InstanceRunResult> {
  if (steps.length > 0 && !documentPlatforms(steps).includes(instance.platformType)) {
    return {
      status: "Failed",
      detailedStatus: "InvalidPlatform",
      executionSummary: summary(0, 0, 0, 0, 0),
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
  let timedOut = 0;
  let skipped = 0;
  let successAndExit = false;
  let errorCode: string | undefined;
  const reached = new Set<number>();
  let index = 0;
  for (let step = steps[index]; step !== undefined && !reached.has(index); step = steps[index]) {
    reached.add(index);
    let outcome: StepOutcome;
    if (step.platformPrecondition && step.platformPrecondition !== instance.platformType) {
      skipped++;
      // The agent reports a skipped step as a successful plugin that says why it did not run.
      plugins.push({
        name: step.name,
        status: "Success",
        responseCode: 0,
        stdout: `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, ${step.platformPrecondition}]'. Step name: ${step.name}\n`,
        stderr: "",
      });
      index++;
      continue;
    }
    if (!pluginPlatforms(step.action).includes(instance.platformType)) {
      errorCode ??= `Step ${step.name}: plugin ${step.action} is not supported on ${instance.platformType}`;
      outcome = {
        name: step.name,
        status: "Failed",
        responseCode: 1,
        stdout: "",
        stderr: `Plugin ${step.action} is not supported on ${instance.platformType}.\n`,
      };
    } else if (forcedFailure && failed === 0) {
      errorCode ??= `Step ${step.name} failed (instance ${instance.instanceId} is marked to fail ${documentName})`;
      outcome = {
        name: step.name,
        status: "Failed",
        responseCode: 1,
        stdout: printed(step),
        stderr: `${instance.instanceId} is marked to fail ${documentName} (statectl local fleet fail)\nfailed to run commands: exit status 1\n`,
      };
    } else {
      const why = real ? whySimulated(step, instance, documentName, real) : undefined;
      if (real && why === undefined) {
        outcome = yield* runShellStep(step, instance, parameters, real);
        if (outcome.status === "Failed")
          errorCode ??= outcome.timedOut
            ? `Step ${step.name} timed out`
            : `Step ${step.name} failed with exit code ${outcome.responseCode}`;
      } else {
        outcome = {
          name: step.name,
          status: "Success",
          responseCode: 0,
          stdout: `${why !== undefined ? simulatedNote(why) : ""}${printed(step)}`,
          stderr: "",
        };
      }
    }
    const { timedOut: stepTimedOut, ...plugin } = outcome;
    plugins.push(plugin);
    if (outcome.status === "Success") success++;
    else if (stepTimedOut) timedOut++;
    else failed++;
    if (outcome.status === "Failed" && (step.onFailure === "exit" || step.onFailure === "successAndExit")) {
      successAndExit = step.onFailure === "successAndExit";
      break;
    }
    if (step.isEnd) break;
    if (step.nextStep !== undefined) {
      const next = steps.findIndex((s) => s.name === step.nextStep);
      index = next >= 0 ? next : steps.length;
    } else index++;
  }
  if (steps.length === 0 && forcedFailure) {
    failed = 1;
    errorCode = `Instance ${instance.instanceId} is marked to fail ${documentName}`;
    plugins.push({ name: documentName, status: "Failed", responseCode: 1, stdout: "", stderr: `${errorCode}\n` });
  }
  // Steps a jump or a stop passed over count as skipped, as the agent counts them.
  skipped += Math.max(0, steps.length - reached.size);
  const processed = Math.max(steps.length, success + failed + timedOut + skipped);
  const ok = (failed === 0 && timedOut === 0) || successAndExit;
  return {
    status: ok ? "Success" : "Failed",
    detailedStatus: ok ? "Success" : "Failed",
    executionSummary: summary(processed, success, failed, timedOut, skipped),
    ...(errorCode !== undefined && !ok ? { errorCode } : {}),
    countsAsError: !ok,
    plugins,
  };
}
