/**
 * Automation executions, simulated: StartAutomationExecution, GetAutomationExecution,
 * DescribeAutomationExecutions and StopAutomationExecution, and the runs that Automation
 * associations start (State Manager starts an Automation execution with the association's
 * Targets, AutomationTargetParameterName, MaxConcurrency and MaxErrors).
 *
 * A run is instantaneous at the endpoint's time, like an association's. Rate control (Targets +
 * TargetParameterName) makes a parent execution and one child per target, in batches of
 * MaxConcurrency; after a batch with more failures than MaxErrors allows, the remaining targets
 * are not started. A child fails when its target instance is marked to fail the runbook
 * (`failDocument`), at its first step; every other step of every run succeeds. Nothing calls
 * EC2 or any other service. Kept in the store section "automation" (newest 10,000 executions).
 */
import { randomUUID } from "node:crypto";
import { defined } from "../diag/index.js";
import { checkParameters, withTargetParameter } from "../ssm/association-parameters.js";
import { parseDocumentContent } from "../ssm/document-model.js";
import { documentSteps } from "./agent.js";
import { simulationState, syncFleetTags } from "./associations.js";
import { asNameMap, nameMap, removeKey, wireTime, type Area, type EndpointCore } from "./core.js";
import { findDocument, resolveDocumentVersion, type StoredDocumentVersion } from "./documents.js";
import { SsmError, ErrorCode } from "./errors.js";
import { checkTargets, resolveTargets, type ManagedInstance, type Target } from "./fleet.js";
import { checkPaging, paginate } from "./paging.js";
import {
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_ERRORS,
  resolveRateControl,
  type AutomationRunner,
  type ExecutionTargetRecord,
} from "./simulator.js";
import { check } from "./validate.js";

export type AutomationStatus = "Success" | "Failed" | "Cancelled";

export interface AutomationStepRecord {
  name: string;
  action: string;
  status: "Success" | "Failed" | "Pending";
  stepExecutionId: string;
  failureMessage?: string;
}

export interface AutomationExecutionRecord {
  id: string;
  documentName: string;
  documentVersion: string;
  status: AutomationStatus;
  startedAt: number;
  endedAt: number;
  parameters: Record<string, string[]>;
  mode: "Auto" | "Interactive";
  steps: AutomationStepRecord[];
  /** Rate control: the parent's targets, target parameter and limits. */
  targets?: Target[];
  targetParameterName?: string;
  maxConcurrency?: string;
  maxErrors?: string;
  /** The values the parent resolved its targets to (one child each). */
  resolvedTargets?: string[];
  /** A child: its parent and the value it ran for. */
  parentId?: string;
  target?: string;
  associationId?: string;
  failureMessage?: string;
}

interface AutomationSection {
  executions: Record<string, AutomationExecutionRecord>;
  /** Ids, oldest first. */
  order: string[];
}

/** Executions kept; older ones are dropped. */
export const MAX_AUTOMATION_EXECUTIONS = 10_000;

function section(core: EndpointCore): AutomationSection {
  const s = core.store.section<AutomationSection>("automation", () => ({ executions: nameMap(), order: [] }));
  // Execution ids are client input: a prototype-free map, also once read back from disk.
  asNameMap(s.executions);
  return s;
}

function store(core: EndpointCore, records: AutomationExecutionRecord[]): void {
  const s = section(core);
  for (const r of records) {
    s.executions[r.id] = r;
    s.order.push(r.id);
    core.changed("automation", "executions", r.id);
  }
  for (const dropped of s.order.splice(0, Math.max(0, s.order.length - MAX_AUTOMATION_EXECUTIONS))) {
    removeKey(s.executions, dropped);
    core.changed("automation", "executions", dropped);
  }
  core.changed("automation", "order");
}

/** What one run of an Automation document needs to know. */
export interface AutomationRunRequest {
  documentName: string;
  version: StoredDocumentVersion;
  parameters: Record<string, string[]>;
  mode?: "Auto" | "Interactive";
  /** Rate control: the targets, already resolved to parameter values, and what they came from. */
  rateControl?: {
    targets: Target[];
    targetParameterName: string;
    values: string[];
    maxConcurrency?: string;
    maxErrors?: string;
  };
  associationId?: string;
}

export interface AutomationRunResult {
  /** The execution StartAutomationExecution answers with (the parent under rate control). */
  execution: AutomationExecutionRecord;
  /** Under rate control: one per target, in order; the targets never started are absent. */
  children: AutomationExecutionRecord[];
  /** Under rate control: the target values skipped after MaxErrors was exceeded. */
  skipped: string[];
}

function stepsOf(version: StoredDocumentVersion): Array<{ name: string; action: string }> {
  try {
    return documentSteps(parseDocumentContent(version.content, version.format));
  } catch {
    return [];
  }
}

function fleetOf(core: EndpointCore): ManagedInstance[] {
  const state = simulationState(core);
  syncFleetTags(core, state);
  return state.fleet;
}

/** Runs one execution (no rate control) at `at`; `failOn` makes its first step fail. */
function runOne(
  core: EndpointCore,
  request: AutomationRunRequest,
  at: number,
  parameters: Record<string, string[]>,
  extra: Partial<AutomationExecutionRecord>,
  fails: boolean,
): AutomationExecutionRecord {
  const steps = stepsOf(request.version).map((s, i): AutomationStepRecord => {
    if (!fails) return { name: s.name, action: s.action, status: "Success", stepExecutionId: randomUUID() };
    return i === 0
      ? {
          name: s.name,
          action: s.action,
          status: "Failed",
          stepExecutionId: randomUUID(),
          failureMessage: "Step failed: the simulated target is marked to fail this runbook.",
        }
      : { name: s.name, action: s.action, status: "Pending", stepExecutionId: randomUUID() };
  });
  return {
    id: randomUUID(),
    documentName: request.documentName,
    documentVersion: request.version.version,
    status: fails ? "Failed" : "Success",
    startedAt: at,
    endedAt: at,
    parameters,
    mode: request.mode ?? "Auto",
    steps,
    ...(request.associationId !== undefined ? { associationId: request.associationId } : {}),
    ...(fails
      ? { failureMessage: "Step fails when it is failing. The simulated target is marked to fail this runbook." }
      : {}),
    ...extra,
  };
}

/** Runs an Automation document now (instantly) and records its executions. */
export function runAutomation(
  core: EndpointCore,
  request: AutomationRunRequest,
  at: number = core.clock.now(),
): AutomationRunResult {
  const failing = (value: string | undefined) =>
    value !== undefined &&
    fleetOf(core).some((i) => i.instanceId === value && i.failDocuments.includes(request.documentName));
  const rc = request.rateControl;
  if (!rc) {
    const execution = runOne(core, request, at, request.parameters, {}, false);
    store(core, [execution]);
    return { execution, children: [], skipped: [] };
  }
  const parentId = randomUUID();
  const batchSize = resolveRateControl(rc.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY, rc.values.length, "concurrency");
  const maxErrors = resolveRateControl(rc.maxErrors ?? DEFAULT_MAX_ERRORS, rc.values.length, "errors");
  const children: AutomationExecutionRecord[] = [];
  const skipped: string[] = [];
  let errors = 0;
  for (let start = 0; start < rc.values.length; start += batchSize) {
    const batch = rc.values.slice(start, start + batchSize);
    if (errors > maxErrors) {
      skipped.push(...batch);
      continue;
    }
    for (const value of batch) {
      const child = runOne(
        core,
        request,
        at,
        { ...request.parameters, [rc.targetParameterName]: [value] },
        { parentId, target: value },
        failing(value),
      );
      if (child.status === "Failed") errors++;
      children.push(child);
    }
  }
  const failed = children.some((c) => c.status === "Failed") || skipped.length > 0;
  const parent: AutomationExecutionRecord = {
    id: parentId,
    documentName: request.documentName,
    documentVersion: request.version.version,
    status: failed ? "Failed" : "Success",
    startedAt: at,
    endedAt: at,
    parameters: request.parameters,
    mode: request.mode ?? "Auto",
    steps: [],
    targets: rc.targets,
    targetParameterName: rc.targetParameterName,
    ...(rc.maxConcurrency !== undefined ? { maxConcurrency: rc.maxConcurrency } : {}),
    ...(rc.maxErrors !== undefined ? { maxErrors: rc.maxErrors } : {}),
    resolvedTargets: rc.values,
    ...(request.associationId !== undefined ? { associationId: request.associationId } : {}),
    ...(failed
      ? {
          failureMessage: `${children.filter((c) => c.status === "Failed").length} of ${rc.values.length} targets failed${skipped.length > 0 ? `; ${skipped.length} not started (MaxErrors exceeded)` : ""}.`,
        }
      : {}),
  };
  store(core, [parent, ...children]);
  return { execution: parent, children, skipped };
}

/** The parameter values Targets resolve to: instance ids from the fleet, or `ParameterValues` as given. */
export function resolveAutomationTargets(core: EndpointCore, targets: readonly Target[]): string[] {
  const direct = targets.find((t) => t.Key === "ParameterValues");
  if (direct) return [...(direct.Values ?? [])];
  return resolveTargets(fleetOf(core), targets).map((i) => i.instanceId);
}

/**
 * The runner the associations area gives the simulator: an Automation association starts an
 * execution with its parameters, rate-controlled over the instances its Targets match.
 */
export function automationRunnerFor(core: EndpointCore): AutomationRunner {
  return (record, document, instanceIds, at) => {
    const doc = findDocument(core, record.config.Name);
    if (!doc) return undefined;
    let version: StoredDocumentVersion;
    try {
      version = resolveDocumentVersion(doc, document.version);
    } catch {
      return undefined;
    }
    const result = runAutomation(
      core,
      {
        documentName: doc.name,
        version,
        parameters: record.config.Parameters ?? {},
        associationId: record.associationId,
        ...(instanceIds !== undefined
          ? {
              rateControl: {
                targets: record.config.Targets ?? [],
                targetParameterName: defined(
                  record.config.AutomationTargetParameterName,
                  "the target parameter of an association run with instance ids",
                ),
                values: instanceIds,
                ...(record.config.MaxConcurrency !== undefined ? { maxConcurrency: record.config.MaxConcurrency } : {}),
                ...(record.config.MaxErrors !== undefined ? { maxErrors: record.config.MaxErrors } : {}),
              },
            }
          : {}),
      },
      at,
    );
    const target = (e: AutomationExecutionRecord): ExecutionTargetRecord => ({
      resourceId: e.id,
      resourceType: "AutomationExecution",
      status: e.status,
      detailedStatus: e.status,
      lastExecutionDate: at,
      outputSourceId: e.id,
    });
    const targets = instanceIds === undefined ? [target(result.execution)] : result.children.map(target);
    for (const value of result.skipped)
      targets.push({
        resourceId: value,
        resourceType: "AutomationExecution",
        status: "Skipped",
        detailedStatus: "MaxErrorsExceeded",
        lastExecutionDate: at,
        outputSourceId: result.execution.id,
      });
    return { status: result.execution.status === "Success" ? "Success" : "Failed", targets };
  };
}

// ------------------------------------------------------------------ wire views

const seconds = (ms: number) => wireTime(ms);

/** `object` without its undefined members (absent optional members are left out of answers). */
function drop<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function common(core: EndpointCore, r: AutomationExecutionRecord): Record<string, unknown> {
  return drop({
    AutomationExecutionId: r.id,
    DocumentName: r.documentName,
    DocumentVersion: r.documentVersion,
    AutomationExecutionStatus: r.status,
    ExecutionStartTime: seconds(r.startedAt),
    ExecutionEndTime: seconds(r.endedAt),
    ExecutedBy: `arn:aws:iam::${core.settings.accountId}:root`,
    Mode: r.mode,
    ParentAutomationExecutionId: r.parentId,
    Target: r.target,
    Targets: r.targets,
    TargetParameterName: r.targetParameterName,
    MaxConcurrency: r.maxConcurrency,
    MaxErrors: r.maxErrors,
    ResolvedTargets: r.resolvedTargets ? { ParameterValues: r.resolvedTargets, Truncated: false } : undefined,
    FailureMessage: r.failureMessage,
    AssociationId: r.associationId,
    Outputs: {},
  });
}

function full(core: EndpointCore, r: AutomationExecutionRecord): Record<string, unknown> {
  return drop({
    ...common(core, r),
    Parameters: r.parameters,
    StepExecutionsTruncated: false,
    StepExecutions: r.steps.map((s) =>
      drop({
        StepName: s.name,
        Action: s.action,
        StepExecutionId: s.stepExecutionId,
        StepStatus: s.status,
        ExecutionStartTime: s.status === "Pending" ? undefined : seconds(r.startedAt),
        ExecutionEndTime: s.status === "Pending" ? undefined : seconds(r.endedAt),
        FailureMessage: s.failureMessage,
        OnFailure: "Abort",
      }),
    ),
  });
}

function metadata(core: EndpointCore, r: AutomationExecutionRecord): Record<string, unknown> {
  return drop({ ...common(core, r), AutomationType: "Local", LogFile: "" });
}

const EXECUTION_ID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const FILTER_KEYS = [
  "DocumentNamePrefix",
  "ExecutionStatus",
  "ExecutionId",
  "ParentExecutionId",
  "CurrentAction",
  "StartTimeBefore",
  "StartTimeAfter",
  "AutomationType",
  "TagKey",
  "TargetResourceGroup",
  "AutomationSubtype",
  "OpsItemId",
] as const;

function requireExecution(core: EndpointCore, id: string): AutomationExecutionRecord {
  const found = section(core).executions[id];
  if (!found)
    throw new SsmError("AutomationExecutionNotFoundException", `There is no AutomationExecution with id: ${id}`);
  return found;
}

function matches(r: AutomationExecutionRecord, key: string, values: string[]): boolean {
  switch (key) {
    case "DocumentNamePrefix":
      return values.some((v) => r.documentName.startsWith(v));
    case "ExecutionStatus":
      return values.includes(r.status);
    case "ExecutionId":
      return values.includes(r.id);
    case "ParentExecutionId":
      return r.parentId !== undefined && values.includes(r.parentId);
    case "StartTimeBefore":
      return values.some((v) => r.startedAt < Date.parse(v));
    case "StartTimeAfter":
      return values.some((v) => r.startedAt > Date.parse(v));
    case "AutomationType":
      return values.includes("Local");
    default:
      // Nothing here has a current action, tags, a resource group, a subtype or an OpsItem.
      return false;
  }
}

export const automationArea: Area = {
  name: "automation",
  operations: {
    StartAutomationExecution(input, ctx) {
      const req = check(input, (c) => {
        const targets = c.list("Targets", { min: 0, max: 5 }) as Target[] | undefined;
        targets?.forEach((raw, i) => {
          const t = c.nested(`targets.${i + 1}.member`, raw);
          t.string("Key", { min: 1, max: 163 });
          t.stringList("Values", { max: 50 });
        });
        return {
          name: c.requiredString("DocumentName", { pattern: "^[a-zA-Z0-9_\\-.:/]{3,128}$" }),
          version: c.string("DocumentVersion", { pattern: "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)" }),
          parameters: (c.structure("Parameters") ?? {}) as Record<string, string[]>,
          mode: c.string("Mode", { enum: ["Auto", "Interactive"] }) as "Auto" | "Interactive" | undefined,
          targetParameterName: c.string("TargetParameterName", { min: 1, max: 50 }),
          targets,
          maxConcurrency: c.string("MaxConcurrency", {
            min: 1,
            max: 7,
            pattern: "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$",
          }),
          maxErrors: c.string("MaxErrors", { min: 1, max: 7, pattern: "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$" }),
          clientToken: c.string("ClientToken", { min: 36, max: 36 }),
        };
      });
      const doc = findDocument(ctx, req.name);
      if (!doc) throw new SsmError("AutomationDefinitionNotFoundException", `Document ${req.name} does not exist.`);
      let version: StoredDocumentVersion;
      try {
        version = resolveDocumentVersion(doc, req.version);
      } catch {
        throw new SsmError(
          "AutomationDefinitionVersionNotFoundException",
          `Document ${doc.name} has no version ${req.version}.`,
        );
      }
      if (version.documentType !== "Automation")
        throw new SsmError(
          "InvalidAutomationExecutionParametersException",
          `Document ${doc.name} is a ${version.documentType} document, not an Automation runbook.`,
        );
      const targets = req.targets ?? [];
      const targetParameterName = req.targetParameterName;
      if (targets.length > 0 !== (targetParameterName !== undefined))
        throw new SsmError(
          "InvalidAutomationExecutionParametersException",
          "TargetParameterName and Targets must be given together.",
        );
      // Rate control: targets and the parameter they fill (given together, as just checked).
      const rated = targets.length > 0 && targetParameterName !== undefined ? { targetParameterName } : undefined;
      if (rated) {
        const problem = checkTargets(
          targets.filter((t) => t.Key !== "ParameterValues"),
          true,
        );
        if (problem) throw new SsmError("InvalidTarget", problem.message);
        if (!(rated.targetParameterName in version.declarations))
          throw new SsmError(
            "InvalidAutomationExecutionParametersException",
            `TargetParameterName ${req.targetParameterName} is not a parameter of ${doc.name}.`,
          );
      }
      // Under rate control the target parameter is filled in per target.
      const problems = checkParameters(
        rated ? withTargetParameter(version.declarations, rated.targetParameterName) : version.declarations,
        req.parameters,
      );
      const [problem] = problems;
      if (problem) throw new SsmError("InvalidAutomationExecutionParametersException", problem.message);
      const result = runAutomation(ctx, {
        documentName: doc.name,
        version,
        parameters: req.parameters,
        ...(req.mode !== undefined ? { mode: req.mode } : {}),
        ...(rated
          ? {
              rateControl: {
                targets,
                targetParameterName: rated.targetParameterName,
                values: resolveAutomationTargets(ctx, targets),
                ...(req.maxConcurrency !== undefined ? { maxConcurrency: req.maxConcurrency } : {}),
                ...(req.maxErrors !== undefined ? { maxErrors: req.maxErrors } : {}),
              },
            }
          : {}),
      });
      return { AutomationExecutionId: result.execution.id };
    },

    GetAutomationExecution(input, ctx) {
      const req = check(input, (c) => ({
        id: c.requiredString("AutomationExecutionId", { min: 36, max: 36 }),
      }));
      return { AutomationExecution: full(ctx, requireExecution(ctx, req.id)) };
    },

    StopAutomationExecution(input, ctx) {
      const req = check(input, (c) => ({
        id: c.requiredString("AutomationExecutionId", { min: 36, max: 36 }),
        type: c.string("Type", { enum: ["Complete", "Cancel"] }),
      }));
      const execution = requireExecution(ctx, req.id);
      // Simulated runs finish the moment they start: there is never anything left to stop.
      throw new SsmError(
        "InvalidAutomationStatusUpdateException",
        `The execution ${execution.id} is already in status ${execution.status}.`,
      );
    },

    DescribeAutomationExecutions(input, ctx) {
      const req = check(input, (c) => {
        const filters = (c.list("Filters", { min: 1, max: 10 }) ?? []) as Array<{ Key: string; Values: string[] }>;
        filters.forEach((raw, i) => {
          const f = c.nested(`filters.${i + 1}.member`, raw);
          f.string("Key", { required: true, enum: FILTER_KEYS });
          f.stringList("Values", { required: true, min: 1, max: 10, item: { min: 1, max: 150 } });
        });
        return { filters, ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }) };
      });
      for (const f of req.filters)
        if (f.Key === "ExecutionId" || f.Key === "ParentExecutionId")
          for (const v of f.Values)
            if (!new RegExp(EXECUTION_ID_PATTERN).test(v))
              throw new SsmError(ErrorCode.Validation, `The value ${v} of filter ${f.Key} is not an execution id.`);
      const s = section(ctx);
      // Newest first, as the console and the CLI show them.
      const all = [...s.order]
        .reverse()
        .map((id) => defined(s.executions[id], `automation execution ${id} of the order list`))
        .filter((r) => req.filters.every((f) => matches(r, f.Key, f.Values)));
      const page = paginate(ctx.operation, all, (r) => r.id, req.maxResults, req.nextToken);
      return drop({
        AutomationExecutionMetadataList: page.items.map((r) => metadata(ctx, r)),
        NextToken: page.nextToken,
      });
    },
  },
};
