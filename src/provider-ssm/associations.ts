// Associations: read, create, update (always the full desired spec), delete, tags, waiting for a
// run's outcome, and paging through ListAssociations.
//
// UpdateAssociation has replace semantics: every optional member left out of the request is
// cleared by AWS ("by design", including AssociationName). So an update never sends a diff; it
// sends the whole desired spec, and the defaults SSM would otherwise reset to are spelled out.
import type {
  AlarmConfiguration,
  AssociationDescription,
  AssociationExecution,
  AssociationExecutionTarget,
  CreateAssociationCommandOutput,
  DescribeAssociationCommandOutput,
  DescribeAssociationExecutionsCommandOutput,
  Target,
  TargetLocation,
  UpdateAssociationCommandOutput,
} from "@aws-sdk/client-ssm";
import { compact, tagsToList, type CallOptions, type ProviderContext } from "./context.js";
import { hasCode, ProviderError } from "./errors.js";
import type {
  AlarmConfigurationSpec,
  AssociationSpec,
  AssociationState,
  RecordedAssociation,
  AssociationSummary,
  AssociationTarget,
  TargetLocationSpec,
  Tags,
} from "./model.js";
import { applyTagDiff, readTags } from "./tags.js";
import { countTargets } from "./fleet.js";

export const DEFAULT_DOCUMENT_VERSION = "$DEFAULT";
export const MAX_TARGETS = 5;

// ---- spec → SDK ---------------------------------------------------------------------------------

function targetsInput(targets: AssociationTarget[] | undefined): Target[] | undefined {
  return targets?.map((t) => ({ Key: t.key, Values: [...t.values] }));
}

function alarmInput(alarm: AlarmConfigurationSpec | undefined): AlarmConfiguration | undefined {
  if (alarm === undefined) return undefined;
  return compact({
    IgnorePollAlarmFailure: alarm.ignore_poll_alarm_failure,
    Alarms: alarm.alarms.map((a) => ({ Name: a.name })),
  });
}

function targetLocationInput(l: TargetLocationSpec): TargetLocation {
  return compact({
    Accounts: l.accounts,
    Regions: l.regions,
    TargetLocationMaxConcurrency: l.target_location_max_concurrency,
    TargetLocationMaxErrors: l.target_location_max_errors,
    ExecutionRoleName: l.execution_role_name,
    TargetLocationAlarmConfiguration: alarmInput(l.target_location_alarm_configuration),
    IncludeChildOrganizationUnits: l.include_child_organization_units,
    ExcludeAccounts: l.exclude_accounts,
    Targets: targetsInput(l.targets),
    TargetsMaxConcurrency: l.targets_max_concurrency,
    TargetsMaxErrors: l.targets_max_errors,
  });
}

/**
 * The request members shared by CreateAssociation and UpdateAssociation, for the whole spec.
 * Members with a server-side default (DocumentVersion, ApplyOnlyAtCronInterval) are always sent.
 */
export function associationRequest(spec: AssociationSpec) {
  if (spec.targets !== undefined && spec.targets.length > MAX_TARGETS) {
    throw new RangeError(`an association takes at most ${MAX_TARGETS} targets, got ${spec.targets.length}`);
  }
  const o = spec.output_location;
  return compact({
    Name: spec.document,
    DocumentVersion: spec.document_version ?? DEFAULT_DOCUMENT_VERSION,
    AssociationName: spec.name,
    Targets: targetsInput(spec.targets),
    Parameters: spec.parameters !== undefined ? cloneLists(spec.parameters) : undefined,
    ScheduleExpression: spec.schedule,
    ScheduleOffset: spec.schedule_offset,
    ApplyOnlyAtCronInterval: spec.apply_only_at_cron_interval ?? false,
    ComplianceSeverity: spec.compliance_severity as never,
    MaxConcurrency: spec.max_concurrency,
    MaxErrors: spec.max_errors,
    SyncCompliance: spec.sync_compliance as never,
    OutputLocation:
      o !== undefined
        ? {
            S3Location: compact({
              OutputS3BucketName: o.s3_bucket,
              OutputS3KeyPrefix: o.s3_key_prefix,
              OutputS3Region: o.s3_region,
            }),
          }
        : undefined,
    CalendarNames: spec.calendar_names !== undefined ? [...spec.calendar_names] : undefined,
    Duration: spec.duration,
    AutomationTargetParameterName: spec.automation_target_parameter_name,
    TargetMaps: spec.target_maps?.map(cloneLists),
    TargetLocations: spec.target_locations?.map(targetLocationInput),
    AlarmConfiguration: alarmInput(spec.alarm_configuration),
    AssociationDispatchAssumeRole: spec.dispatch_assume_role,
  });
}

function cloneLists(map: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(map)) out[key] = [...values];
  return out;
}

// ---- SDK → state --------------------------------------------------------------------------------

/**
 * SSM gives an Automation association created without targets (rate control by target_maps, or a
 * runbook run once) this placeholder target; the configuration never names it, so it reads as none.
 */
const NO_OP_AUTOMATION_TARGET_KEY = "aws:NoOpAutomationTag";

function targetsState(targets: Target[] | undefined): AssociationTarget[] | undefined {
  return targets
    ?.filter((t) => t.Key !== NO_OP_AUTOMATION_TARGET_KEY)
    .map((t) => ({ key: t.Key ?? "", values: [...(t.Values ?? [])] }));
}

function alarmState(alarm: AlarmConfiguration | undefined): AlarmConfigurationSpec | undefined {
  if (alarm === undefined) return undefined;
  return compact({
    ignore_poll_alarm_failure: alarm.IgnorePollAlarmFailure,
    alarms: (alarm.Alarms ?? []).map((a) => ({ name: a.Name ?? "" })),
  });
}

function targetLocationState(l: TargetLocation): TargetLocationSpec {
  return compact({
    accounts: l.Accounts,
    regions: l.Regions,
    target_location_max_concurrency: l.TargetLocationMaxConcurrency,
    target_location_max_errors: l.TargetLocationMaxErrors,
    execution_role_name: l.ExecutionRoleName,
    target_location_alarm_configuration: alarmState(l.TargetLocationAlarmConfiguration),
    include_child_organization_units: l.IncludeChildOrganizationUnits,
    exclude_accounts: l.ExcludeAccounts,
    targets: targetsState(l.Targets),
    targets_max_concurrency: l.TargetsMaxConcurrency,
    targets_max_errors: l.TargetsMaxErrors,
  });
}

/** Empty lists/maps that SSM echoes for "not set" read back as not set. */
function nonEmpty<T>(value: T[] | undefined): T[] | undefined {
  return value !== undefined && value.length > 0 ? value : undefined;
}

export async function toAssociationState(
  ctx: ProviderContext,
  d: AssociationDescription,
  tags: Tags,
): Promise<AssociationState> {
  const id = d.AssociationId ?? "";
  const s3 = d.OutputLocation?.S3Location;
  return compact<AssociationState>({
    name: d.AssociationName,
    document: d.Name ?? "",
    document_version: d.DocumentVersion ?? DEFAULT_DOCUMENT_VERSION,
    targets: nonEmpty(targetsState(d.Targets)),
    parameters:
      d.Parameters !== undefined && Object.keys(d.Parameters).length > 0 ? cloneLists(d.Parameters) : undefined,
    schedule: d.ScheduleExpression,
    schedule_offset: d.ScheduleOffset,
    apply_only_at_cron_interval: d.ApplyOnlyAtCronInterval ?? false,
    compliance_severity: d.ComplianceSeverity,
    max_concurrency: d.MaxConcurrency,
    max_errors: d.MaxErrors,
    sync_compliance: d.SyncCompliance,
    output_location:
      s3?.OutputS3BucketName !== undefined
        ? compact({
            s3_bucket: s3.OutputS3BucketName,
            s3_key_prefix: s3.OutputS3KeyPrefix,
            s3_region: s3.OutputS3Region,
          })
        : undefined,
    calendar_names: nonEmpty(d.CalendarNames),
    duration: d.Duration,
    automation_target_parameter_name: d.AutomationTargetParameterName,
    target_maps: nonEmpty(d.TargetMaps?.map(cloneLists)),
    target_locations: nonEmpty(d.TargetLocations?.map(targetLocationState)),
    alarm_configuration: alarmState(d.AlarmConfiguration),
    dispatch_assume_role: d.AssociationDispatchAssumeRole,
    tags,
    association_id: id,
    association_version: d.AssociationVersion ?? "",
    status: d.Overview?.Status ?? "",
    detailed_status: d.Overview?.DetailedStatus,
    arn: await ctx.arn("association", id, await ctx.accountId()),
  });
}

// ---- operations ---------------------------------------------------------------------------------

/** The association as SSM reports it (with its tags), or undefined (error code AssociationDoesNotExist). */
export async function readAssociation(
  ctx: ProviderContext,
  id: string,
  call?: CallOptions,
): Promise<AssociationState | undefined> {
  let description: AssociationDescription | undefined;
  try {
    const out = await ctx.send<DescribeAssociationCommandOutput>(
      "DescribeAssociation",
      id,
      (sdk) => new sdk.DescribeAssociationCommand({ AssociationId: id }),
      call,
    );
    description = out.AssociationDescription;
  } catch (error) {
    if (hasCode(error, "AssociationDoesNotExist")) return undefined;
    throw error;
  }
  if (description === undefined) return undefined;
  let tags: Tags;
  try {
    tags = await readTags(ctx, "Association", id, call);
  } catch (error) {
    // Deleted between the two calls.
    if (hasCode(error, "InvalidResourceId", "AssociationDoesNotExist")) return undefined;
    throw error;
  }
  return await toAssociationState(ctx, description, tags);
}

/**
 * Create the association (tags included in the same call). Not idempotent: a failure after which
 * it may exist anyway comes back with `outcomeUnknown` (and is not retried by the SDK); look for
 * it with findCreatedAssociations before creating again. The state is built from the
 * response — it describes exactly what SSM stored — so no second read is needed.
 */
export async function createAssociation(
  ctx: ProviderContext,
  spec: AssociationSpec,
  call?: CallOptions,
): Promise<AssociationState> {
  const tags = tagsToList(spec.tags);
  const out = await ctx.send<CreateAssociationCommandOutput>(
    "CreateAssociation",
    undefined,
    (sdk) =>
      new sdk.CreateAssociationCommand({ ...associationRequest(spec), ...(tags.length > 0 ? { Tags: tags } : {}) }),
    call,
    // Each call makes a new association: never sent twice blindly (see findCreatedAssociations).
    { idempotent: false },
  );
  if (out.AssociationDescription?.AssociationId === undefined) {
    throw new ProviderError({
      operation: "CreateAssociation",
      code: "MalformedResponse",
      message: "the response carried no AssociationId",
      fault: "server",
      retryable: false,
    });
  }
  return await toAssociationState(ctx, out.AssociationDescription, { ...(spec.tags ?? {}) });
}

export interface UpdateAssociationOptions extends CallOptions {
  /**
   * Optimistic concurrency: fail with InvalidAssociationVersion if the association is no longer
   * at this version (someone changed it since it was read).
   */
  expectedVersion?: string;
}

/**
 * Bring association `prior` to `desired`. UpdateAssociation gets the FULL desired spec (AWS
 * clears omitted members); tags change through the tagging API. Nothing is sent when only tags
 * changed. A tag failure after a successful update carries the updated state (partialState).
 */
export async function updateAssociation(
  ctx: ProviderContext,
  prior: RecordedAssociation & { association_id: string },
  desired: AssociationSpec,
  options: UpdateAssociationOptions = {},
): Promise<AssociationState> {
  const id = prior.association_id;
  const call: CallOptions = options.signal !== undefined ? { signal: options.signal } : {};
  // A state written by hand or by another version may lack tags or computed attributes: what SSM
  // has is read first, so the tags change from the ones SSM has.
  let state = recordedWhole(prior) ? prior : await readAssociation(ctx, id, call);
  if (state === undefined) {
    throw new ProviderError({
      operation: "DescribeAssociation",
      code: "AssociationDoesNotExist",
      message: `association ${id} does not exist`,
      fault: "client",
      id,
    });
  }
  const priorTags = state.tags;
  if (!sameApiSpec(state, desired)) {
    const out = await ctx.send<UpdateAssociationCommandOutput>(
      "UpdateAssociation",
      id,
      (sdk) =>
        new sdk.UpdateAssociationCommand({
          ...associationRequest(desired),
          AssociationId: id,
          ...(options.expectedVersion !== undefined ? { AssociationVersion: options.expectedVersion } : {}),
        }),
      call,
    );
    if (out.AssociationDescription === undefined) {
      throw new ProviderError({
        operation: "UpdateAssociation",
        code: "MalformedResponse",
        message: "empty response",
        fault: "server",
        id,
      });
    }
    state = await toAssociationState(ctx, out.AssociationDescription, priorTags);
  }
  try {
    await applyTagDiff(ctx, "Association", id, priorTags, desired.tags ?? {}, call);
  } catch (error) {
    if (error instanceof ProviderError) error.partialState = state;
    throw error;
  }
  return { ...state, tags: { ...(desired.tags ?? {}) } };
}

/** Whether a recorded association has every attribute SSM reports (so it need not be read again). */
function recordedWhole(prior: RecordedAssociation & { association_id: string }): prior is AssociationState {
  return (
    prior.association_version !== undefined &&
    prior.document_version !== undefined &&
    prior.apply_only_at_cron_interval !== undefined &&
    prior.tags !== undefined &&
    prior.status !== undefined
  );
}

/** Whether UpdateAssociation would change nothing: the request built from each side is equal. */
export function sameApiSpec(prior: AssociationSpec, desired: AssociationSpec): boolean {
  return stableJson(associationRequest(prior)) === stableJson(associationRequest(desired));
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Delete; false when it was already gone (AssociationDoesNotExist counts as done). */
export async function deleteAssociation(ctx: ProviderContext, id: string, call?: CallOptions): Promise<boolean> {
  try {
    await ctx.send("DeleteAssociation", id, (sdk) => new sdk.DeleteAssociationCommand({ AssociationId: id }), call);
    return true;
  } catch (error) {
    if (hasCode(error, "AssociationDoesNotExist")) return false;
    throw error;
  }
}

export interface FailedTarget {
  resource_id: string;
  status: string;
  detailed_status?: string;
}

export interface WaitResult {
  /**
   * Success and Failed come from SSM; TimedOut means neither arrived in time; NoTargets: the
   * targets match no managed instance, so no run will come (said at once, not after the timeout).
   */
  outcome: "Success" | "Failed" | "TimedOut" | "NoTargets";
  association_version: string;
  status: string;
  detailed_status?: string;
  /** Targets by status, e.g. { Success: 3, Failed: 1 }. */
  counts: Record<string, number>;
  /** On Failed: the failed targets of the newest execution (best effort). */
  failed_targets?: FailedTarget[];
  execution_id?: string;
}

const FAILED_EXECUTION_STATUSES = new Set(["Failed", "TimedOut", "Cancelled"]);

/**
 * Wait until the run of the association's *current* version ends, or `seconds` pass.
 *
 * The overview alone is not enough: right after an update it may still describe the previous
 * version's run (or instances that are no longer targeted), so a terminal overview is confirmed
 * against the newest execution, which must belong to the current association version. On
 * Failed, that execution's failed targets are listed so apply can say where it failed.
 */
export async function waitForSuccess(
  ctx: ProviderContext,
  id: string,
  seconds: number,
  call?: CallOptions,
): Promise<WaitResult> {
  let last: AssociationDescription | undefined;
  let lastExecution: AssociationExecution | undefined;
  let targetsChecked = false;
  const settled = await ctx.poll(
    seconds,
    async () => {
      const out = await ctx.send<DescribeAssociationCommandOutput>(
        "DescribeAssociation",
        id,
        (sdk) => new sdk.DescribeAssociationCommand({ AssociationId: id }),
        call,
      );
      last = out.AssociationDescription;
      const overview = last?.Overview?.Status;
      if (overview !== "Success" && overview !== "Failed") {
        const targets = last?.Targets;
        if (!targetsChecked && targets !== undefined && targets.length > 0) {
          targetsChecked = true;
          const n = await countTargets(
            ctx,
            targets.map((t) => ({ key: t.Key ?? "", values: t.Values ?? [] })),
            call,
          );
          if (n.known && n.count === 0) return { outcome: "NoTargets", execution: undefined } as const;
        }
        return undefined;
      }
      const execution = await newestExecution(ctx, id, call);
      if (execution === undefined) return { outcome: overview, execution: undefined } as const;
      if (execution.AssociationVersion !== last?.AssociationVersion) return undefined;
      lastExecution = execution;
      const status = execution.Status ?? "";
      if (status === "Success") return { outcome: "Success", execution } as const;
      if (FAILED_EXECUTION_STATUSES.has(status)) return { outcome: "Failed", execution } as const;
      return undefined;
    },
    call,
  );
  const d = last;
  const execution = settled?.execution ?? lastExecution;
  const result: WaitResult = compact({
    outcome: settled?.outcome ?? "TimedOut",
    association_version: d?.AssociationVersion ?? "",
    status: execution?.Status ?? d?.Overview?.Status ?? "",
    detailed_status: execution?.DetailedStatus ?? d?.Overview?.DetailedStatus,
    counts:
      execution?.ResourceCountByStatus !== undefined
        ? parseResourceCounts(execution.ResourceCountByStatus)
        : { ...(d?.Overview?.AssociationStatusAggregatedCount ?? {}) },
    execution_id: execution?.ExecutionId,
  });
  if (result.outcome === "Failed" && execution?.ExecutionId !== undefined) {
    result.failed_targets = (await executionTargets(ctx, id, execution.ExecutionId, call))
      .filter((t) => FAILED_EXECUTION_STATUSES.has(t.Status ?? ""))
      .map((t) =>
        compact({ resource_id: t.ResourceId ?? "", status: t.Status ?? "", detailed_status: t.DetailedStatus }),
      );
  }
  return result;
}

/** SSM reports counts as a string like "{Failed=1, Success=3}". */
export function parseResourceCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, status, count] of text.matchAll(/([A-Za-z]+)\s*=\s*(\d+)/g))
    if (status !== undefined) counts[status] = Number(count);
  return counts;
}

/** The newest execution, from the first page (SSM lists executions newest first). */
async function newestExecution(
  ctx: ProviderContext,
  id: string,
  call?: CallOptions,
): Promise<AssociationExecution | undefined> {
  const out = await ctx.send<DescribeAssociationExecutionsCommandOutput>(
    "DescribeAssociationExecutions",
    id,
    (sdk) => new sdk.DescribeAssociationExecutionsCommand({ AssociationId: id, MaxResults: 50 }),
    call,
  );
  let newest: AssociationExecution | undefined;
  for (const e of out.AssociationExecutions ?? []) {
    if (newest === undefined || (e.CreatedTime?.getTime() ?? 0) > (newest.CreatedTime?.getTime() ?? 0)) newest = e;
  }
  return newest;
}

async function executionTargets(
  ctx: ProviderContext,
  id: string,
  executionId: string,
  call?: CallOptions,
): Promise<AssociationExecutionTarget[]> {
  const { paginateDescribeAssociationExecutionTargets } = await ctx.sdk();
  const targets: AssociationExecutionTarget[] = [];
  try {
    for await (const page of paginateDescribeAssociationExecutionTargets(
      { client: ctx.client, pageSize: 50 },
      { AssociationId: id, ExecutionId: executionId },
    )) {
      targets.push(...(page.AssociationExecutionTargets ?? []));
      if (call?.signal?.aborted) break;
    }
  } catch (error) {
    throw ctx.wrap(error, "DescribeAssociationExecutionTargets", id);
  }
  return targets;
}

export interface ListAssociationsFilter {
  /** Document name (exact). */
  document?: string;
  association_name?: string;
  association_id?: string;
}

/** Every association (optionally filtered), paging through ListAssociations 50 at a time. */
export async function listAssociations(
  ctx: ProviderContext,
  filter: ListAssociationsFilter = {},
): Promise<AssociationSummary[]> {
  const { paginateListAssociations } = await ctx.sdk();
  const filters: { key: "Name" | "AssociationName" | "AssociationId"; value: string }[] = [];
  if (filter.document !== undefined) filters.push({ key: "Name", value: filter.document });
  if (filter.association_name !== undefined) filters.push({ key: "AssociationName", value: filter.association_name });
  if (filter.association_id !== undefined) filters.push({ key: "AssociationId", value: filter.association_id });
  const out: AssociationSummary[] = [];
  try {
    for await (const page of paginateListAssociations(
      { client: ctx.client, pageSize: 50 },
      filters.length > 0 ? { AssociationFilterList: filters } : {},
    )) {
      for (const a of page.Associations ?? []) {
        out.push(
          compact<AssociationSummary>({
            association_id: a.AssociationId ?? "",
            association_version: a.AssociationVersion,
            name: a.AssociationName,
            document: a.Name ?? "",
            document_version: a.DocumentVersion,
            targets: targetsState(a.Targets),
            schedule: a.ScheduleExpression,
            schedule_offset: a.ScheduleOffset,
            duration: a.Duration,
            target_maps: a.TargetMaps?.map(cloneLists),
            status: a.Overview?.Status,
            detailed_status: a.Overview?.DetailedStatus,
            last_execution_date: a.LastExecutionDate?.toISOString(),
          }),
        );
      }
    }
  } catch (error) {
    throw ctx.wrap(error, "ListAssociations", undefined);
  }
  return out;
}

/**
 * Associations that look like the one `spec` would create (same document, association name,
 * document version and targets). CreateAssociation is not idempotent: when a create's response
 * is lost, the association may exist anyway, and this finds it for adoption instead of a
 * duplicate. One ListAssociations scan filtered server-side by document and name.
 */
export async function findAssociationCandidates(
  ctx: ProviderContext,
  spec: AssociationSpec,
): Promise<AssociationSummary[]> {
  const filter: ListAssociationsFilter = { document: spec.document };
  if (spec.name !== undefined) filter.association_name = spec.name;
  const wantedTargets = stableJson(targetsInput(spec.targets) ?? []);
  const wantedVersion = spec.document_version ?? DEFAULT_DOCUMENT_VERSION;
  return (await listAssociations(ctx, filter)).filter(
    (a) =>
      a.name === spec.name &&
      (a.document_version ?? DEFAULT_DOCUMENT_VERSION) === wantedVersion &&
      stableJson(targetsInput(a.targets) ?? []) === wantedTargets,
  );
}

/** How far back a created association's Date may lie before the create started (clock skew). */
export const CREATED_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface FindCreatedOptions extends CallOptions {
  /** When the create was sent; an association created before this (less clock skew) is not it. */
  since: Date;
  /** Association ids that are accounted for (e.g. every id in the state): never a match. */
  exclude?: ReadonlySet<string>;
}

/**
 * The associations a create of `spec` sent at `since` may have made: same document, name,
 * version and targets (one filtered ListAssociations scan), then, for each one not excluded,
 * DescribeAssociation: the full request spec must be equal (as UpdateAssociation would send it)
 * and it must have been created no earlier than `since` less CREATED_CLOCK_SKEW_MS. Tags are
 * read for the matches only.
 */
export async function findCreatedAssociations(
  ctx: ProviderContext,
  spec: AssociationSpec,
  options: FindCreatedOptions,
): Promise<AssociationState[]> {
  const call: CallOptions = options.signal !== undefined ? { signal: options.signal } : {};
  const notBefore = options.since.getTime() - CREATED_CLOCK_SKEW_MS;
  const matches: AssociationState[] = [];
  for (const candidate of await findAssociationCandidates(ctx, spec)) {
    const id = candidate.association_id;
    if (options.exclude?.has(id)) continue;
    let d: AssociationDescription | undefined;
    try {
      d = (
        await ctx.send<DescribeAssociationCommandOutput>(
          "DescribeAssociation",
          id,
          (sdk) => new sdk.DescribeAssociationCommand({ AssociationId: id }),
          call,
        )
      ).AssociationDescription;
    } catch (error) {
      if (hasCode(error, "AssociationDoesNotExist")) continue;
      throw error;
    }
    if (d === undefined || (d.Date !== undefined && d.Date.getTime() < notBefore)) continue;
    const state = await toAssociationState(ctx, d, {});
    if (!sameApiSpec(state, spec)) continue;
    let tags: Tags;
    try {
      tags = await readTags(ctx, "Association", id, call);
    } catch (error) {
      if (hasCode(error, "InvalidResourceId", "AssociationDoesNotExist")) continue;
      throw error;
    }
    matches.push({ ...state, tags });
  }
  return matches;
}
