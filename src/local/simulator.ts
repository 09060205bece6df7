/**
 * State Manager's behaviour over time, simulated: association records, their executions and the
 * per-instance results; running an association on its targets (MaxConcurrency, MaxErrors),
 * schedules coming due as the clock moves, and new or re-tagged instances being bootstrapped with
 * the associations that now target them. Runs are instantaneous at the virtual time they happen.
 *
 * All of it is plain data (SimulationState) that the endpoint's store persists; the functions here
 * take the state and the time explicitly and never read a real clock.
 */
import { randomUUID } from "node:crypto";
import { nextRun, parseScheduleExpression, type Schedule } from "../ssm/schedule.js";
import type { ParameterDeclaration } from "../ssm/document-model.js";
import {
  runDocumentOn,
  runDocumentOnAsync,
  type DocumentStep,
  type InstanceRunResult,
  type PluginOutput,
  type RealRun,
} from "./agent.js";
import { nameMap, removeKey } from "./core.js";
import { resolveTargets, type ManagedInstance, type Target } from "./fleet.js";

/** The configurable members of an association, exactly as they travel on the wire. */
export interface AssociationConfig {
  Name: string;
  DocumentVersion?: string;
  InstanceId?: string;
  Parameters?: Record<string, string[]>;
  Targets?: Target[];
  ScheduleExpression?: string;
  OutputLocation?: unknown;
  AssociationName?: string;
  AutomationTargetParameterName?: string;
  MaxErrors?: string;
  MaxConcurrency?: string;
  ComplianceSeverity?: string;
  SyncCompliance?: string;
  ApplyOnlyAtCronInterval?: boolean;
  CalendarNames?: string[];
  TargetLocations?: unknown[];
  ScheduleOffset?: number;
  Duration?: number;
  TargetMaps?: Record<string, string[]>[];
  AlarmConfiguration?: unknown;
  AssociationDispatchAssumeRole?: string;
}

export interface AssociationVersionRecord {
  version: number;
  createdDate: number;
  config: AssociationConfig;
}

export type OverviewStatus = "Pending" | "Success" | "Failed";

export interface AssociationRecord {
  associationId: string;
  version: number;
  /** Creation time (epoch ms). */
  date: number;
  lastUpdateAssociationDate: number;
  config: AssociationConfig;
  versions: AssociationVersionRecord[];
  overview: { status: OverviewStatus; detailedStatus: string; counts: Record<string, number> };
  lastExecutionDate?: number;
  lastSuccessfulExecutionDate?: number;
  /** When the schedule next fires (epoch ms), if it does. */
  nextRunAt?: number;
  /** What rate() intervals count from: the last create or update. */
  scheduleAnchor: number;
  /** Tags (ListTagsForResource ResourceType=Association). */
  tags?: Record<string, string>;
}

export type RunTrigger = "create" | "update" | "manual" | "schedule" | "bootstrap";

export interface ExecutionTargetRecord {
  resourceId: string;
  /** ManagedInstance for Command and Policy runs; AutomationExecution (a child execution's id) for Automation runs. */
  resourceType: "ManagedInstance" | "AutomationExecution";
  status: string;
  detailedStatus: string;
  lastExecutionDate: number;
  outputSourceId: string;
  /** What the run printed there (Run Command's invocation); absent for skipped targets. */
  plugins?: PluginOutput[];
}

export interface ExecutionRecord {
  executionId: string;
  associationId: string;
  associationVersion: number;
  /** Skipped: nothing was dispatched (a change calendar was closed). InProgress: real runs are still going. */
  status: "Success" | "Failed" | "Skipped" | "InProgress";
  detailedStatus: string;
  createdTime: number;
  lastExecutionDate: number;
  trigger: RunTrigger;
  resourceCountByStatus: Record<string, number>;
  targets: ExecutionTargetRecord[];
}

export interface InstanceAssociationRecord {
  associationId: string;
  instanceId: string;
  documentName: string;
  documentVersion: string;
  associationVersion: number;
  associationName?: string;
  executionDate: number;
  status: string;
  detailedStatus: string;
  executionSummary: string;
  errorCode?: string;
  /** The Run Command id of the run that produced this result. */
  outputSourceId?: string;
}

export interface SimulationState {
  fleet: ManagedInstance[];
  /** By id, in creation order. */
  associations: Record<string, AssociationRecord>;
  /** By association id, oldest first. */
  executions: Record<string, ExecutionRecord[]>;
  /** instance id → association id → that instance's latest result. */
  instanceStatus: Record<string, Record<string, InstanceAssociationRecord>>;
  /** association id → the instances it targeted when last looked at (to spot newly matching ones). */
  knownTargets: Record<string, string[]>;
  clockOffsetMs: number;
}

export function emptySimulationState(fleet: ManagedInstance[] = []): SimulationState {
  // Keyed by ids a client names: prototype-free, so "__proto__" is only an unknown id.
  return {
    fleet,
    associations: nameMap(),
    executions: nameMap(),
    instanceStatus: nameMap(),
    knownTargets: nameMap(),
    clockOffsetMs: 0,
  };
}

/** What the simulator needs to know about a document to run it. */
export interface RunnableDocument {
  readonly name: string;
  /** The concrete version that ran ("1", "2", …). */
  readonly version: string;
  readonly documentType: string;
  readonly steps: readonly DocumentStep[];
  /** The version's parameter declarations (their defaults fill what an association leaves out). */
  readonly declarations?: Readonly<Record<string, ParameterDeclaration>>;
  /** Whether its steps are real scripts (false for AWS-owned documents whose steps are placeholders here). */
  readonly executable?: boolean;
}

/** Resolves an association's document (name or ARN, and version selector) as it is now. */
export type DocumentResolver = (name: string, version: string | undefined) => RunnableDocument | undefined;

/** Executions kept per association; older ones are dropped. */
export const MAX_EXECUTIONS_PER_ASSOCIATION = 500;
/**
 * How long the endpoint keeps an execution, by its clock: a long `local advance` must not grow
 * the data without bound (every write stores it). Scheduled runs that fall before the window are
 * not simulated at all — they would be dropped at once.
 */
export const EXECUTION_RETENTION_MS = 30 * 24 * 3600_000;
/** Scheduled runs replayed per association in one clock step; missed runs beyond it are skipped. */
export const MAX_CATCH_UP_RUNS = 100;
/** State Manager's defaults when MaxConcurrency / MaxErrors are not set. */
export const DEFAULT_MAX_CONCURRENCY = "50";
export const DEFAULT_MAX_ERRORS = "100%";

/** Resolves MaxConcurrency / MaxErrors ("N" or "N%") against a target count. */
export function resolveRateControl(value: string, targetCount: number, kind: "concurrency" | "errors"): number {
  if (value.endsWith("%")) {
    const share = (Number(value.slice(0, -1)) * targetCount) / 100;
    return kind === "concurrency" ? Math.max(1, Math.floor(share)) : Math.floor(share);
  }
  return Number(value);
}

export function associationSchedule(config: AssociationConfig): Schedule | undefined {
  if (config.ScheduleExpression === undefined) return undefined;
  const parsed = parseScheduleExpression(config.ScheduleExpression);
  return parsed.ok ? parsed.schedule : undefined;
}

/**
 * The last next run found per cron expression and offset, and the time it was found from. A
 * cron's runs do not depend on the association, so the next run after any time from `fromMs` up
 * to `nextMs` is `nextMs` again: associations created together (a batch of thousands) share one
 * search instead of one each.
 */
const cronNext = new Map<string, { fromMs: number; nextMs: number | undefined }>();
const CRON_NEXT_ENTRIES = 1000;

/** Sets when the association's schedule next fires after `fromMs`. */
export function scheduleNext(record: AssociationRecord, fromMs: number): void {
  const schedule = associationSchedule(record.config);
  const search = (): number | undefined =>
    schedule &&
    nextRun(schedule, new Date(fromMs), {
      anchor: new Date(record.scheduleAnchor),
      ...(record.config.ScheduleOffset ? { offsetDays: record.config.ScheduleOffset } : {}),
    })?.getTime();
  let next: number | undefined;
  if (schedule?.kind === "cron") {
    const key = `${schedule.expression}\u0000${record.config.ScheduleOffset ?? 0}`;
    const known = cronNext.get(key);
    if (known && known.fromMs <= fromMs && (known.nextMs === undefined || fromMs < known.nextMs)) next = known.nextMs;
    else {
      next = search();
      if (cronNext.size >= CRON_NEXT_ENTRIES) cronNext.clear();
      cronNext.set(key, { fromMs, nextMs: next });
    }
  } else next = search();
  if (next !== undefined) record.nextRunAt = next;
  else delete record.nextRunAt;
}

/** Whether the association applies to instances (Command and Policy documents do; Automation does not). */
function runsOnInstances(document: RunnableDocument): boolean {
  return document.documentType === "Command" || document.documentType === "Policy";
}

function associationTargets(config: AssociationConfig): Target[] {
  if (config.Targets && config.Targets.length > 0) return config.Targets;
  if (config.InstanceId) return [{ Key: "InstanceIds", Values: [config.InstanceId] }];
  return [];
}

/** The instances an association targets right now. */
export function currentTargets(state: SimulationState, record: AssociationRecord): ManagedInstance[] {
  return resolveTargets(state.fleet, associationTargets(record.config));
}

/**
 * Told which part of the simulation state a step changed, by keys below it (e.g. "associations",
 * id): the endpoint's store writes only what is marked (store.ts).
 */
export type MarkChanged = (...keys: string[]) => void;

function recomputeOverview(ctx: RunContext, record: AssociationRecord): void {
  const counts: Record<string, number> = {};
  for (const perInstance of Object.values(ctx.state.instanceStatus)) {
    const result = perInstance[record.associationId];
    if (result) counts[result.status] = (counts[result.status] ?? 0) + 1;
  }
  const status: OverviewStatus =
    (counts["Failed"] ?? 0) > 0 ? "Failed" : (counts["Success"] ?? 0) > 0 ? "Success" : "Pending";
  record.overview = { status, detailedStatus: status === "Pending" ? record.overview.detailedStatus : status, counts };
  ctx.changed("associations", record.associationId);
}

/** What an Automation association's run produced: one target per Automation execution it started. */
export interface AutomationRunOutcome {
  status: "Success" | "Failed";
  targets: ExecutionTargetRecord[];
}

/**
 * Starts the Automation execution an Automation association runs (automation.ts): with
 * `instanceIds` (rate control over the association's Targets) one child per instance, without
 * them one execution with the association's parameters.
 */
export type AutomationRunner = (
  record: AssociationRecord,
  document: RunnableDocument,
  instanceIds: string[] | undefined,
  at: number,
) => AutomationRunOutcome | undefined;

export interface RunContext {
  readonly state: SimulationState;
  /** Told of every part of `state` a step changes. */
  readonly changed: MarkChanged;
  readonly resolveDocument: DocumentResolver;
  readonly newId?: () => string;
  /** Runs Automation documents; without it Automation associations record nothing. */
  readonly runAutomation?: AutomationRunner;
  /** Whether every named change calendar is OPEN at `at` (absent: calendars never close). */
  readonly calendarsOpen?: (names: readonly string[], at: number) => boolean;
  /** Told of every execution recorded (compliance reporting listens here). */
  readonly onExecution?: (record: AssociationRecord, execution: ExecutionRecord) => void;
  /** With execution on: how shell steps run for real on an instance (absent: everything is simulated). */
  readonly realRun?: (instance: ManagedInstance, commandId: string, document: RunnableDocument) => RealRun | undefined;
  /**
   * With a sandbox that works: starts a run's real work in the background. The job records what
   * happened through `commit`, which applies a change to the state when no request is being
   * handled and stores it. Without it, runs are recorded at once (simulated).
   */
  readonly background?: (job: (commit: (change: () => void) => Promise<void>) => Promise<void>) => void;
}

/**
 * Runs an association once at time `at` on its current targets (or on `only` of them, for a
 * bootstrap), honouring MaxConcurrency and MaxErrors, and records the execution. Returns
 * undefined when nothing ran: no target matched, or the document is gone.
 */
export function runAssociation(
  ctx: RunContext,
  associationId: string,
  at: number,
  trigger: RunTrigger,
  only?: ReadonlySet<string>,
): ExecutionRecord | undefined {
  const { state } = ctx;
  const newId = ctx.newId ?? randomUUID;
  const record = state.associations[associationId];
  if (!record) return undefined;
  const document = ctx.resolveDocument(record.config.Name, record.config.DocumentVersion);
  if (!document) return undefined;
  const calendars = record.config.CalendarNames ?? [];
  const calendarClosed = (): boolean =>
    calendars.length > 0 && ctx.calendarsOpen !== undefined && !ctx.calendarsOpen(calendars, at);
  if (document.documentType === "Automation")
    return calendarClosed()
      ? recordSkippedRun(ctx, record, at, trigger, newId)
      : runAutomationAssociation(ctx, record, document, at, trigger, only);
  let targets = runsOnInstances(document) ? currentTargets(state, record) : [];
  if (only) targets = targets.filter((t) => only.has(t.instanceId));
  if (targets.length === 0) return undefined;
  if (calendarClosed()) return recordSkippedRun(ctx, record, at, trigger, newId);

  const batchSize = resolveRateControl(
    record.config.MaxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    targets.length,
    "concurrency",
  );
  const maxErrors = resolveRateControl(record.config.MaxErrors ?? DEFAULT_MAX_ERRORS, targets.length, "errors");
  const commandId = newId();
  if (ctx.background && ctx.realRun)
    return startRealRun(ctx, ctx.background, record, document, targets, {
      at,
      trigger,
      commandId,
      batchSize,
      maxErrors,
    });
  const results: ExecutionTargetRecord[] = [];
  let errors = 0;
  let stopped = false;
  for (let start = 0; start < targets.length; start += batchSize) {
    // A batch is in flight together: once dispatched, all of it finishes even past MaxErrors.
    for (const instance of targets.slice(start, start + batchSize)) {
      if (stopped) {
        results.push({
          resourceId: instance.instanceId,
          resourceType: "ManagedInstance",
          status: "Skipped",
          detailedStatus: "MaxErrorsExceeded",
          lastExecutionDate: at,
          outputSourceId: commandId,
        });
        continue;
      }
      const outcome = runDocumentOn(
        instance,
        document.name,
        document.steps,
        record.config.Parameters ?? {},
        ctx.realRun?.(instance, commandId, document),
      );
      if (outcome.countsAsError) errors++;
      results.push({
        resourceId: instance.instanceId,
        resourceType: "ManagedInstance",
        status: outcome.status,
        detailedStatus: outcome.detailedStatus,
        lastExecutionDate: at,
        outputSourceId: commandId,
        plugins: [...outcome.plugins],
      });
      recordInstanceResult(state, record, document, instance, outcome, at, commandId);
      ctx.changed("instanceStatus", instance.instanceId, record.associationId);
    }
    if (errors > maxErrors) stopped = true;
  }

  const resourceCountByStatus = countByStatus(results);
  const succeeded = results.every((r) => r.status === "Success");
  const execution: ExecutionRecord = {
    executionId: newId(),
    associationId,
    associationVersion: record.version,
    status: succeeded ? "Success" : "Failed",
    detailedStatus: succeeded ? "Success" : "Failed",
    createdTime: at,
    lastExecutionDate: at,
    trigger,
    resourceCountByStatus,
    targets: results,
  };
  keepExecution(ctx, execution);

  record.lastExecutionDate = at;
  if (succeeded) record.lastSuccessfulExecutionDate = at;
  recomputeOverview(ctx, record);
  ctx.onExecution?.(record, execution);
  return execution;
}

function countByStatus(targets: readonly ExecutionTargetRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of targets) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}

/** An instance's latest result for the association (DescribeInstanceAssociationsStatus). */
function recordInstanceResult(
  state: SimulationState,
  record: AssociationRecord,
  document: RunnableDocument,
  instance: ManagedInstance,
  outcome: InstanceRunResult,
  at: number,
  commandId: string,
): void {
  const perInstance = (state.instanceStatus[instance.instanceId] ??= nameMap());
  perInstance[record.associationId] = {
    associationId: record.associationId,
    instanceId: instance.instanceId,
    documentName: document.name,
    documentVersion: document.version,
    associationVersion: record.version,
    ...(record.config.AssociationName !== undefined ? { associationName: record.config.AssociationName } : {}),
    executionDate: at,
    status: outcome.status,
    detailedStatus: outcome.detailedStatus,
    executionSummary: outcome.executionSummary,
    ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
    outputSourceId: commandId,
  };
}

interface RealRunPlan {
  readonly at: number;
  readonly trigger: RunTrigger;
  readonly commandId: string;
  readonly batchSize: number;
  readonly maxErrors: number;
}

/**
 * A run whose shell steps really execute: recorded now as InProgress with every target Pending,
 * then carried out in the background, batch after batch as MaxConcurrency and MaxErrors say (one
 * instance at a time: the executor runs one sandbox at a time). Each target turns InProgress, then
 * gets its result and output; the execution gets its status when the last target is done. The
 * times stay the run's start on the endpoint's clock. If the association is deleted meanwhile, the
 * results are dropped with it.
 */
function startRealRun(
  ctx: RunContext,
  background: NonNullable<RunContext["background"]>,
  record: AssociationRecord,
  document: RunnableDocument,
  targets: readonly ManagedInstance[],
  plan: RealRunPlan,
): ExecutionRecord {
  const { state } = ctx;
  const { at, commandId } = plan;
  const pending: ExecutionTargetRecord[] = targets.map((instance) => ({
    resourceId: instance.instanceId,
    resourceType: "ManagedInstance",
    status: "Pending",
    detailedStatus: "Pending",
    lastExecutionDate: at,
    outputSourceId: commandId,
    plugins: [],
  }));
  const execution: ExecutionRecord = {
    executionId: (ctx.newId ?? randomUUID)(),
    associationId: record.associationId,
    associationVersion: record.version,
    status: "InProgress",
    detailedStatus: "InProgress",
    createdTime: at,
    lastExecutionDate: at,
    trigger: plan.trigger,
    resourceCountByStatus: countByStatus(pending),
    targets: pending,
  };
  keepExecution(ctx, execution);
  record.lastExecutionDate = at;
  ctx.changed("associations", record.associationId);
  const current = (): boolean => state.associations[record.associationId] === record;
  background(async (commit) => {
    let errors = 0;
    let stopped = false;
    for (let start = 0; start < targets.length; start += plan.batchSize) {
      for (const [offset, instance] of targets.slice(start, start + plan.batchSize).entries()) {
        const target = pending[start + offset];
        if (!target) continue;
        if (stopped) {
          await commit(() => {
            target.status = "Skipped";
            target.detailedStatus = "MaxErrorsExceeded";
            delete target.plugins;
            execution.resourceCountByStatus = countByStatus(pending);
          });
          continue;
        }
        await commit(() => {
          target.status = "InProgress";
          target.detailedStatus = "InProgress";
          execution.resourceCountByStatus = countByStatus(pending);
        });
        const real = ctx.realRun?.(instance, commandId, document);
        const outcome = real
          ? await runDocumentOnAsync(instance, document.name, document.steps, record.config.Parameters ?? {}, real)
          : runDocumentOn(instance, document.name, document.steps, record.config.Parameters ?? {});
        if (outcome.countsAsError) errors++;
        await commit(() => {
          target.status = outcome.status;
          target.detailedStatus = outcome.detailedStatus;
          target.plugins = [...outcome.plugins];
          execution.resourceCountByStatus = countByStatus(pending);
          if (current()) recordInstanceResult(state, record, document, instance, outcome, at, commandId);
        });
      }
      if (errors > plan.maxErrors) stopped = true;
    }
    await commit(() => {
      const succeeded = pending.every((t) => t.status === "Success");
      execution.status = succeeded ? "Success" : "Failed";
      execution.detailedStatus = execution.status;
      if (!current()) return;
      if (succeeded) record.lastSuccessfulExecutionDate = at;
      recomputeOverview(ctx, record);
      ctx.onExecution?.(record, execution);
    });
  });
  return execution;
}

function keepExecution(ctx: RunContext, execution: ExecutionRecord): void {
  const history = (ctx.state.executions[execution.associationId] ??= []);
  ctx.changed("executions", execution.associationId);
  history.push(execution);
  const oldestKept = execution.createdTime - EXECUTION_RETENTION_MS;
  let expired = 0;
  while (expired < history.length && (history[expired]?.createdTime ?? oldestKept) < oldestKept) expired++;
  const drop = Math.max(expired, history.length - MAX_EXECUTIONS_PER_ASSOCIATION);
  if (drop > 0) history.splice(0, drop);
}

/**
 * A run that a closed change calendar held back: nothing is dispatched and no instance's result
 * changes; the execution history records it as Skipped (docs/local-endpoint.md, inferred).
 */
function recordSkippedRun(
  ctx: RunContext,
  record: AssociationRecord,
  at: number,
  trigger: RunTrigger,
  newId: () => string,
): ExecutionRecord {
  const execution: ExecutionRecord = {
    executionId: newId(),
    associationId: record.associationId,
    associationVersion: record.version,
    status: "Skipped",
    detailedStatus: "ChangeCalendarClosed",
    createdTime: at,
    lastExecutionDate: at,
    trigger,
    resourceCountByStatus: {},
    targets: [],
  };
  keepExecution(ctx, execution);
  return execution;
}

/**
 * An Automation association's run: rate control over the instances its Targets match (with
 * AutomationTargetParameterName), or one execution when it has no targets. Its overview follows
 * the latest run (Automation associations have no per-instance results).
 */
function runAutomationAssociation(
  ctx: RunContext,
  record: AssociationRecord,
  document: RunnableDocument,
  at: number,
  trigger: RunTrigger,
  only?: ReadonlySet<string>,
): ExecutionRecord | undefined {
  if (!ctx.runAutomation) return undefined;
  const rateControlled =
    record.config.AutomationTargetParameterName !== undefined && (record.config.Targets?.length ?? 0) > 0;
  let instanceIds: string[] | undefined;
  if (rateControlled) {
    instanceIds = currentTargets(ctx.state, record).map((i) => i.instanceId);
    if (only) instanceIds = instanceIds.filter((id) => only.has(id));
    if (instanceIds.length === 0) return undefined;
  } else if (only) return undefined; // nothing to bootstrap without targets
  const outcome = ctx.runAutomation(record, document, instanceIds, at);
  if (!outcome) return undefined;
  const resourceCountByStatus: Record<string, number> = {};
  for (const t of outcome.targets) resourceCountByStatus[t.status] = (resourceCountByStatus[t.status] ?? 0) + 1;
  const execution: ExecutionRecord = {
    executionId: (ctx.newId ?? randomUUID)(),
    associationId: record.associationId,
    associationVersion: record.version,
    status: outcome.status,
    detailedStatus: outcome.status,
    createdTime: at,
    lastExecutionDate: at,
    trigger,
    resourceCountByStatus,
    targets: outcome.targets,
  };
  keepExecution(ctx, execution);
  record.lastExecutionDate = at;
  if (outcome.status === "Success") record.lastSuccessfulExecutionDate = at;
  record.overview = { status: outcome.status, detailedStatus: outcome.status, counts: resourceCountByStatus };
  ctx.changed("associations", record.associationId);
  return execution;
}

/**
 * Runs every scheduled occurrence that has come due up to `nowMs`, oldest first, each at its own
 * time. Returns the executions recorded.
 */
export function runDue(ctx: RunContext, nowMs: number): ExecutionRecord[] {
  const due: Array<{ at: number; associationId: string }> = [];
  const windowStart = nowMs - EXECUTION_RETENTION_MS;
  for (const record of Object.values(ctx.state.associations)) {
    let replayed = 0;
    if (record.nextRunAt !== undefined && record.nextRunAt <= nowMs) ctx.changed("associations", record.associationId);
    if (record.nextRunAt !== undefined && record.nextRunAt < windowStart) scheduleNext(record, windowStart - 1);
    while (record.nextRunAt !== undefined && record.nextRunAt <= nowMs) {
      if (replayed === MAX_CATCH_UP_RUNS) {
        scheduleNext(record, nowMs);
        break;
      }
      due.push({ at: record.nextRunAt, associationId: record.associationId });
      replayed++;
      scheduleNext(record, record.nextRunAt);
    }
  }
  due.sort((a, b) => a.at - b.at);
  const executions: ExecutionRecord[] = [];
  for (const { at, associationId } of due) {
    const execution = runAssociation(ctx, associationId, at, "schedule");
    if (execution) executions.push(execution);
  }
  return executions;
}

/** Remembers what every association targets now, for applyFleetChanges to compare against later. */
export function rememberTargets(state: SimulationState, changed: MarkChanged): void {
  const known = state.knownTargets;
  const now = targetSnapshot(state);
  for (const id of Object.keys(known))
    if (!now.has(id)) {
      removeKey(known, id);
      changed("knownTargets", id);
    }
  for (const [id, targets] of now) {
    const ids = [...targets];
    const before = Object.hasOwn(known, id) ? known[id] : undefined;
    if (before?.length === ids.length && before.every((t, i) => t === ids[i])) continue;
    known[id] = ids;
    changed("knownTargets", id);
  }
}

/**
 * Bootstraps instances that match an association now but did not when targets were last
 * remembered (whatever changed the fleet: tags, the CLI, the library), then remembers again.
 */
export function applyFleetChanges(ctx: RunContext, nowMs: number): ExecutionRecord[] {
  const before = new Map(Object.entries(ctx.state.knownTargets).map(([id, ids]) => [id, new Set(ids)] as const));
  for (const [id, record] of Object.entries(ctx.state.associations))
    if (!before.has(id)) before.set(id, new Set(currentTargets(ctx.state, record).map((i) => i.instanceId)));
  const ran = afterFleetChange(ctx, before, nowMs);
  rememberTargets(ctx.state, ctx.changed);
  return ran;
}

/** For each association, the ids of the instances it targets now (to compare before/after a fleet change). */
export function targetSnapshot(state: SimulationState): Map<string, Set<string>> {
  const snapshot = new Map<string, Set<string>>();
  for (const record of Object.values(state.associations)) {
    snapshot.set(record.associationId, new Set(currentTargets(state, record).map((i) => i.instanceId)));
  }
  return snapshot;
}

/**
 * After the fleet changed: applies each association to the instances it targets now but did not
 * before (State Manager bootstraps new and newly tagged nodes at once), and forgets the results of
 * instances that left the fleet.
 */
export function afterFleetChange(ctx: RunContext, before: Map<string, Set<string>>, nowMs: number): ExecutionRecord[] {
  const { state } = ctx;
  const present = new Set(state.fleet.map((i) => i.instanceId));
  const departed = new Set<string>();
  for (const [instanceId, perInstance] of Object.entries(state.instanceStatus)) {
    if (present.has(instanceId)) continue;
    for (const associationId of Object.keys(perInstance)) departed.add(associationId);
    removeKey(state.instanceStatus, instanceId);
    ctx.changed("instanceStatus", instanceId);
  }
  const executions: ExecutionRecord[] = [];
  for (const record of Object.values(state.associations)) {
    const previously = before.get(record.associationId) ?? new Set<string>();
    const added = new Set(
      currentTargets(state, record)
        .map((i) => i.instanceId)
        .filter((id) => !previously.has(id)),
    );
    if (added.size > 0) {
      const execution = runAssociation(ctx, record.associationId, nowMs, "bootstrap", added);
      if (execution) executions.push(execution);
    } else if (departed.has(record.associationId)) {
      // Only a result that left with its instance changes the counts; otherwise the overview
      // (e.g. Pending just after an update) stands.
      recomputeOverview(ctx, record);
    }
  }
  return executions;
}

/** Forgets an association's executions and per-instance results (DeleteAssociation). */
export function forgetAssociation(state: SimulationState, associationId: string, changed: MarkChanged): void {
  removeKey(state.associations, associationId);
  removeKey(state.executions, associationId);
  removeKey(state.knownTargets, associationId);
  changed("associations", associationId);
  changed("executions", associationId);
  changed("knownTargets", associationId);
  for (const [instanceId, perInstance] of Object.entries(state.instanceStatus)) {
    if (!Object.hasOwn(perInstance, associationId)) continue;
    removeKey(perInstance, associationId);
    changed("instanceStatus", instanceId, associationId);
  }
}

/**
 * After CreateAssociation or UpdateAssociation stored `record`: restarts its schedule from now and
 * runs it at once, unless ApplyOnlyAtCronInterval holds it to its schedule (an at() time already
 * past still runs at once).
 */
export function afterAssociationWrite(
  ctx: RunContext,
  record: AssociationRecord,
  nowMs: number,
  trigger: "create" | "update",
): ExecutionRecord | undefined {
  record.scheduleAnchor = nowMs;
  scheduleNext(record, nowMs);
  const schedule = associationSchedule(record.config);
  const runNow =
    record.config.ApplyOnlyAtCronInterval !== true || (schedule?.kind === "at" && schedule.time.getTime() <= nowMs);
  const execution = runNow ? runAssociation(ctx, record.associationId, nowMs, trigger) : undefined;
  ctx.state.knownTargets[record.associationId] = currentTargets(ctx.state, record).map((i) => i.instanceId);
  ctx.changed("associations", record.associationId);
  ctx.changed("knownTargets", record.associationId);
  return execution;
}

/** A new association record (version 1, Pending/Creating), not yet stored or run. */
export function newAssociationRecord(
  associationId: string,
  config: AssociationConfig,
  nowMs: number,
): AssociationRecord {
  return {
    associationId,
    version: 1,
    date: nowMs,
    lastUpdateAssociationDate: nowMs,
    config,
    versions: [{ version: 1, createdDate: nowMs, config }],
    overview: { status: "Pending", detailedStatus: "Creating", counts: {} },
    scheduleAnchor: nowMs,
  };
}

/** Replaces an association's configuration (UpdateAssociation): version + 1, a new snapshot, Pending again. */
export function updateAssociationRecord(record: AssociationRecord, config: AssociationConfig, nowMs: number): void {
  record.version += 1;
  record.config = config;
  record.lastUpdateAssociationDate = nowMs;
  record.versions.push({ version: record.version, createdDate: nowMs, config });
  record.overview = { status: "Pending", detailedStatus: "Creating", counts: {} };
}
