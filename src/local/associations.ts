/**
 * The association and fleet operations of the local endpoint (spec sections 3 and 5): request
 * validation with AWS's error codes, UpdateAssociation's replace semantics, the wire shapes, and
 * the hand-off to the simulator (runs on create/update/StartAssociationsOnce, schedules coming
 * due, bootstrapping instances that newly match). The area itself (operation table, hooks,
 * timer) is in associations-area.ts.
 *
 * Everything lives in one store section, "simulation" (SimulationState): associations, their
 * versions and executions, per-instance results, the fleet and the clock offset. Managed-instance
 * tags live with every other tag in the tags area's section and are copied onto the fleet before
 * each simulation step, so AddTagsToResource(ManagedInstance) retargets associations.
 */
import { randomUUID } from "node:crypto";
import { defined } from "../diag/index.js";
import { parseDocumentContent } from "../ssm/document-model.js";
import { INVALID_SCHEDULE_MESSAGE, validateAssociationSchedule } from "../ssm/schedule.js";
import { checkParameters, withTargetParameter } from "../ssm/association-parameters.js";
import { documentSteps, type DocumentStep } from "./agent.js";
import type { Executor } from "./execution.js";
import { asNameMap, nameMap, wireTime, type CoreExecution, type EndpointCore, type Input } from "./core.js";
import { documentNameFromArn, findDocument, resolveDocumentVersion, type StoredDocumentVersion } from "./documents.js";
import { SsmError, ErrorCode } from "./errors.js";
import {
  checkTargets,
  defaultFleet,
  PING_STATUSES,
  PLATFORM_TYPES,
  LATEST_AGENT_VERSION,
  type ManagedInstance,
  type Target,
} from "./fleet.js";
import { automationRunnerFor } from "./automation.js";
import { storeNewInstanceTags, syncInstanceTags } from "./instance-tags.js";
import { checkPaging, paginate } from "./paging.js";
import {
  addTags,
  checkTagList,
  deleteAllTags,
  rejectReservedTagKeys,
  MAX_TAGS_PER_RESOURCE,
  type Tag,
} from "./tags.js";
import { check, type Checker } from "./validate.js";
import {
  afterAssociationWrite,
  applyFleetChanges,
  emptySimulationState,
  forgetAssociation,
  newAssociationRecord,
  rememberTargets,
  runAssociation,
  runDue,
  updateAssociationRecord,
  type AssociationConfig,
  type AssociationRecord,
  type DocumentResolver,
  type ExecutionRecord,
  type MarkChanged,
  type RunContext,
  type SimulationState,
} from "./simulator.js";

export const MAX_ASSOCIATIONS = 2000;
export const MAX_ASSOCIATION_VERSIONS = 1000;
const NO_OP_AUTOMATION_TARGET: Target = { Key: "aws:NoOpAutomationTag", Values: ["AWS-NoOpAutomationTarget-Value"] };

/** Patterns from the SSM model (spec section 1). */
const P = {
  documentArn: "^[a-zA-Z0-9_\\-.:/]{3,128}$",
  documentVersion: "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)",
  instanceId: "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)",
  associationName: "^[a-zA-Z0-9_\\-.]{3,128}$",
  associationId: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
  associationVersion: "([$]LATEST)|([1-9][0-9]*)",
  targetKey: "^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name",
  maxConcurrency: "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$",
  maxErrors: "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$",
  assumeRole: "arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+",
} as const;
const COMPLIANCE_SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"];
const SYNC_COMPLIANCE = ["AUTO", "MANUAL"];

/** Members of CreateAssociation (and of a batch entry) that make up the stored configuration. */
const CONFIG_MEMBERS = [
  "Name",
  "DocumentVersion",
  "InstanceId",
  "Parameters",
  "Targets",
  "ScheduleExpression",
  "OutputLocation",
  "AssociationName",
  "AutomationTargetParameterName",
  "MaxErrors",
  "MaxConcurrency",
  "ComplianceSeverity",
  "SyncCompliance",
  "ApplyOnlyAtCronInterval",
  "CalendarNames",
  "TargetLocations",
  "ScheduleOffset",
  "Duration",
  "TargetMaps",
  "AlarmConfiguration",
  "AssociationDispatchAssumeRole",
] as const;
type ConfigMember = (typeof CONFIG_MEMBERS)[number];
/** Compiles only when `T` is `true`. */
type Holds<T extends true> = T;
// The list and the stored record name the same members: a mismatch is a compile error here.
export type ConfigMembersAgree = Holds<
  [ConfigMember] extends [keyof AssociationConfig]
    ? [keyof AssociationConfig] extends [ConfigMember]
      ? true
      : false
    : false
>;

// Which of them each answer carries (spec section 1: AssociationDescription, AssociationVersionInfo,
// Association); one list each, so a member added to the configuration is added to an answer once.
const DESCRIPTION_CONFIG_MEMBERS = CONFIG_MEMBERS;
const VERSION_CONFIG_MEMBERS = CONFIG_MEMBERS.filter(
  (m) =>
    !["InstanceId", "AutomationTargetParameterName", "AlarmConfiguration", "AssociationDispatchAssumeRole"].includes(m),
);
const LIST_ITEM_CONFIG_MEMBERS: readonly ConfigMember[] = [
  "Name",
  "InstanceId",
  "DocumentVersion",
  "Targets",
  "ScheduleExpression",
  "AssociationName",
  "ScheduleOffset",
  "Duration",
  "TargetMaps",
];

type Json = Record<string, unknown>;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : wireTime(ms));

function fail(code: string, message: string): never {
  throw new SsmError(code, message);
}

/** The simulation section of the store (created with the default fleet the first time). */
export function simulationState(core: EndpointCore): SimulationState {
  const state = core.store.section<SimulationState>("simulation", () => {
    const fresh = emptySimulationState(defaultFleet(core.clock.now()));
    for (const instance of fresh.fleet) storeNewInstanceTags(core, instance);
    return fresh;
  });
  // Read back from disk, the maps keyed by ids are ordinary objects again: make them prototype-free once.
  if (Object.getPrototypeOf(state.associations) !== null) {
    asNameMap(state.associations);
    asNameMap(state.executions);
    for (const perInstance of Object.values(asNameMap(state.instanceStatus))) asNameMap(perInstance);
  }
  if ((state as Partial<SimulationState>).knownTargets === undefined) {
    // Data written before targets were remembered.
    state.knownTargets = nameMap();
    core.changed("simulation", "knownTargets");
  }
  asNameMap(state.knownTargets);
  return state;
}

/** Copies managed-instance tags from the tags area onto the fleet (instance-tags.ts says which tags live where). */
export function syncFleetTags(core: EndpointCore, state: SimulationState): void {
  syncInstanceTags(core, state.fleet);
}

const stepsCache = new Map<string, readonly DocumentStep[]>();

function stepsOf(version: StoredDocumentVersion): readonly DocumentStep[] {
  let steps = stepsCache.get(version.hash);
  if (!steps) {
    let body: unknown;
    try {
      body = parseDocumentContent(version.content, version.format);
    } catch {
      body = undefined;
    }
    steps = documentSteps(body);
    stepsCache.set(version.hash, steps);
  }
  return steps;
}

/** AWS-owned documents whose content here is AWS's own (the others' steps are placeholders). */
const EXECUTABLE_AWS_DOCUMENTS = new Set(["AWS-RunShellScript"]);

/** How a run executes shell steps on an instance of this core's fleet. */
function realRunFor(core: EndpointCore, execution: CoreExecution): NonNullable<RunContext["realRun"]> {
  return (instance, commandId, document) => ({
    executor: execution.executor,
    disk: `${execution.diskPrefix}${instance.instanceId}`,
    region: core.settings.region,
    commandId,
    declarations: document.declarations ?? {},
    executable: document.executable ?? true,
  });
}

/**
 * Real runs go on after the request that started them: their results are committed like a
 * request's changes, with no handler running, and stored before the next request sees them.
 */
function backgroundFor(core: EndpointCore, executor: Executor): NonNullable<RunContext["background"]> {
  return (job) =>
    executor.background(() =>
      job((change) =>
        core.exclusive(() => {
          change();
          // A run's results touch its execution, the association's overview and the instances'
          // statuses: compare the simulation as a whole (only real runs come through here).
          core.changed("simulation");
        }),
      ),
    );
}

/** The document behind an association as it is now, or undefined when it (or the version) is gone. */
function lookup(
  core: EndpointCore,
  nameOrArn: string,
  version: string | undefined,
): { name: string; version: StoredDocumentVersion; awsOwned: boolean } | undefined {
  const doc = findDocument(core, nameOrArn);
  if (!doc) return undefined;
  try {
    return { name: doc.name, version: resolveDocumentVersion(doc, version), awsOwned: doc.awsOwned === true };
  } catch {
    return undefined;
  }
}

/** `object` without its undefined members (absent optional members are left out of answers). */
function drop<T extends Json>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** The fleet (as JSON) when a tick last compared every association's targets, per simulation state. */
const fleetSeen = new WeakMap<SimulationState, string>();

export class AssociationService {
  readonly state: SimulationState;

  constructor(private readonly core: EndpointCore) {
    this.state = simulationState(core);
  }

  private readonly resolveRunnable: DocumentResolver = (name, version) => {
    const found = lookup(this.core, name, version);
    return (
      found && {
        name: found.name,
        version: found.version.version,
        documentType: found.version.documentType,
        steps: stepsOf(found.version),
        declarations: found.version.declarations,
        executable: !found.awsOwned || EXECUTABLE_AWS_DOCUMENTS.has(found.name),
      }
    );
  };

  /** Marks a part of the simulation section changed (keys below it). */
  private readonly changed: MarkChanged = (...keys) => this.core.changed("simulation", ...keys);

  private runContext(): RunContext {
    const core = this.core;
    return {
      state: this.state,
      changed: this.changed,
      resolveDocument: this.resolveRunnable,
      runAutomation: automationRunnerFor(this.core),
      calendarsOpen: (names, at) => core.hooks.calendarsOpen.every((open) => open(core, names, at)),
      onExecution: (record, execution) => {
        for (const listener of core.hooks.associationExecuted) listener(core, record, execution);
      },
      ...(core.execution ? { realRun: realRunFor(core, core.execution) } : {}),
      ...(core.execution?.executor.available ? { background: backgroundFor(core, core.execution.executor) } : {}),
    };
  }

  private now(): number {
    return this.core.clock.now();
  }

  // ---------------------------------------------------------------- simulation steps

  /**
   * Brings the simulation up to now: fleet tags, instances that newly match associations, and
   * scheduled runs that came due. Every operation starts with it; the timer and the library call it too.
   */
  tick(): ExecutionRecord[] {
    syncFleetTags(this.core, this.state);
    const now = this.now();
    // What an association targets changes only with the fleet (its own writes remember their
    // targets at once), so while the fleet is as it was, comparing every association's targets —
    // work that grows with the number of associations, on every call — finds nothing.
    const fleet = JSON.stringify(this.state.fleet);
    const fleetRan = fleet === fleetSeen.get(this.state) ? [] : applyFleetChanges(this.runContext(), now);
    fleetSeen.set(this.state, fleet);
    // What ran marked what it changed.
    return [...fleetRan, ...runDue(this.runContext(), now)];
  }

  // ---------------------------------------------------------------- validation

  /** Model constraints on the configuration members (ValidationException). */
  private checkConfigShape(c: Checker, nameRequired: boolean): void {
    c.string("Name", { required: nameRequired, pattern: P.documentArn });
    c.string("DocumentVersion", { pattern: P.documentVersion });
    c.string("InstanceId", { pattern: P.instanceId });
    c.string("AssociationName", { pattern: P.associationName });
    c.string("ScheduleExpression", { min: 1, max: 256 });
    c.string("MaxConcurrency", { min: 1, max: 7, pattern: P.maxConcurrency });
    c.string("MaxErrors", { min: 1, max: 7, pattern: P.maxErrors });
    c.string("ComplianceSeverity", { enum: COMPLIANCE_SEVERITIES });
    c.string("SyncCompliance", { enum: SYNC_COMPLIANCE });
    c.string("AutomationTargetParameterName", { min: 1, max: 50 });
    c.string("AssociationDispatchAssumeRole", { min: 1, max: 512, pattern: P.assumeRole });
    c.number("ScheduleOffset", { min: 1, max: 6 });
    c.number("Duration", { min: 1, max: 24 });
    c.boolean("ApplyOnlyAtCronInterval");
    c.list("Targets", { max: 5 })?.forEach((raw, i) => {
      const t = c.nested(`targets.${i + 1}.member`, raw);
      t.string("Key", { required: true, min: 1, max: 163, pattern: P.targetKey });
      t.stringList("Values", { max: 50 });
    });
    c.list("TargetMaps", { max: 300 });
    c.list("TargetLocations", { min: 1, max: 100 });
    c.stringList("CalendarNames");
    const parameters = c.structure("Parameters");
    if (parameters) {
      for (const [name, values] of Object.entries(parameters)) {
        if (!Array.isArray(values) || values.some((v) => typeof v !== "string"))
          fail(ErrorCode.Serialization, `Parameters.${name} must be a list of strings`);
      }
    }
    const output = c.structure("OutputLocation");
    if (output) {
      const s3 = c.nested("outputLocation", output).structure("S3Location");
      if (s3) {
        const s = c.nested("outputLocation.s3Location", s3);
        s.string("OutputS3Region", { min: 3, max: 20 });
        s.string("OutputS3BucketName", { min: 3, max: 63 });
        s.string("OutputS3KeyPrefix", { max: 500 });
      }
    }
    const alarms = c.structure("AlarmConfiguration");
    if (alarms) {
      const a = c.nested("alarmConfiguration", alarms);
      a.boolean("IgnorePollAlarmFailure");
      a.list("Alarms", { required: true, min: 1, max: 1 })?.forEach((raw, i) => {
        c.nested(`alarmConfiguration.alarms.${i + 1}.member`, raw).string("Name", {
          required: true,
          min: 1,
          max: 255,
        });
      });
    }
  }

  /** The semantic checks of spec 3.2, in AWS's order, on a complete configuration. */
  private checkConfigMeaning(config: AssociationConfig): void {
    const doc = findDocument(this.core, config.Name);
    if (!doc) fail(ErrorCode.InvalidDocument, `Document with name ${documentNameFromArn(config.Name)} does not exist.`);
    const version = resolveDocumentVersion(doc, config.DocumentVersion);
    if (!["Command", "Policy", "Automation"].includes(version.documentType)) {
      fail(ErrorCode.InvalidDocument, `Document type ${version.documentType} is not supported for associations`);
    }
    const automation = version.documentType === "Automation";
    if (config.InstanceId !== undefined) {
      if (automation || version.schemaVersion !== "1.2") {
        fail(
          ErrorCode.InvalidDocument,
          `Document schema version, ${version.schemaVersion}, is not supported by association that is created with instance id`,
        );
      }
      if (!this.state.fleet.some((i) => i.instanceId === config.InstanceId))
        fail("InvalidInstanceId", `Instance ${config.InstanceId} is not a managed node.`);
    }

    const hasTargets = (config.Targets?.length ?? 0) > 0;
    if (!hasTargets && config.InstanceId === undefined && !automation)
      fail("InvalidTarget", "Instance ID or targets must be specified");
    if (hasTargets && config.InstanceId !== undefined)
      fail("InvalidTarget", "Instance ID and targets cannot be specified together");
    if (hasTargets && (config.TargetMaps?.length ?? 0) > 0)
      fail("InvalidTargetMaps", "Targets and TargetMaps cannot be specified together");
    if (hasTargets && config.Targets) {
      const problem = checkTargets(config.Targets, automation);
      if (problem) fail("InvalidTarget", problem.message);
    }
    if (automation && (config.AutomationTargetParameterName !== undefined) !== hasTargets) {
      fail(ErrorCode.Validation, "Must specify both Automation Target Parameter Name and Targets");
    }

    const declarations = automation
      ? withTargetParameter(version.declarations, config.AutomationTargetParameterName)
      : version.declarations;
    // Each run takes its parameters from its target map on top of Parameters: check each such run.
    const runs = config.TargetMaps?.length
      ? config.TargetMaps.map((map) => ({ ...config.Parameters, ...map }))
      : [config.Parameters];
    for (const parameters of runs) {
      const parameterProblems = checkParameters(declarations, parameters);
      const [problem] = parameterProblems;
      if (problem) fail("InvalidParameters", problem.message);
    }

    const { problems } = validateAssociationSchedule({
      scheduleExpression: config.ScheduleExpression,
      scheduleOffset: config.ScheduleOffset,
      applyOnlyAtCronInterval: config.ApplyOnlyAtCronInterval,
    });
    if (problems.length > 0) fail("InvalidSchedule", INVALID_SCHEDULE_MESSAGE);

    if (config.OutputLocation !== undefined) {
      const s3 = (config.OutputLocation as Input)["S3Location"] as Input | undefined;
      if (!s3 || typeof s3["OutputS3BucketName"] !== "string")
        fail("InvalidOutputLocation", "The output location is not valid or does not exist.");
    }
  }

  private configFrom(input: Input): AssociationConfig {
    const config: Input = {};
    for (const member of CONFIG_MEMBERS)
      if (input[member] !== undefined && input[member] !== null) config[member] = structuredClone(input[member]);
    config["DocumentVersion"] ??= "$DEFAULT";
    return config as unknown as AssociationConfig;
  }

  private find(input: Input): AssociationRecord {
    const id = input["AssociationId"] as string | undefined;
    if (id !== undefined) {
      const record = this.state.associations[id];
      if (!record) fail("AssociationDoesNotExist", `Association ${id} does not exist.`);
      return record;
    }
    const name = input["Name"] as string | undefined;
    const instanceId = input["InstanceId"] as string | undefined;
    if (name === undefined || instanceId === undefined)
      fail(ErrorCode.Validation, "Specify AssociationId, or both Name and InstanceId.");
    const record = Object.values(this.state.associations).find(
      (r) => r.config.InstanceId === instanceId && documentNameFromArn(r.config.Name) === documentNameFromArn(name),
    );
    if (!record)
      fail("AssociationDoesNotExist", `Association for document ${name} and instance ${instanceId} does not exist.`);
    return record;
  }

  // ---------------------------------------------------------------- wire shapes

  private overview(record: AssociationRecord): Json {
    const counts = record.overview.counts;
    const settled = record.overview.status !== "Pending" || Object.keys(counts).length > 0;
    return drop({
      Status: record.overview.status,
      DetailedStatus: record.overview.detailedStatus,
      AssociationStatusAggregatedCount: settled ? { ...counts } : undefined,
    });
  }

  /** The stored configuration's members one wire shape carries, as SSM answers them. */
  private wireConfig(config: AssociationConfig, members: readonly ConfigMember[]): Json {
    const out: Json = {};
    for (const m of members)
      out[m] =
        m === "Targets"
          ? this.wireTargets(config)
          : m === "ApplyOnlyAtCronInterval"
            ? (config.ApplyOnlyAtCronInterval ?? false)
            : config[m];
    return out;
  }

  private wireTargets(config: AssociationConfig): Target[] | undefined {
    if (config.Targets && config.Targets.length > 0) return config.Targets;
    if (config.InstanceId) return [{ Key: "InstanceIds", Values: [config.InstanceId] }];
    if (lookup(this.core, config.Name, undefined)?.version.documentType === "Automation")
      return [NO_OP_AUTOMATION_TARGET];
    return undefined;
  }

  /** AssociationDescription for the current configuration, or for one stored version. */
  describeRecord(record: AssociationRecord, version = record.version): Json {
    const snapshot = defined(
      record.versions.find((s) => s.version === version),
      `version ${version} of association ${record.associationId}`,
    );
    const config = snapshot.config;
    return drop({
      Name: config.Name,
      InstanceId: config.InstanceId,
      AssociationVersion: String(version),
      Date: seconds(record.date),
      LastUpdateAssociationDate: seconds(snapshot.createdDate),
      Status: config.InstanceId
        ? { Date: seconds(record.date), Name: "Associated", Message: `Associated with ${config.Name}` }
        : undefined,
      Overview: this.overview(record),
      AssociationId: record.associationId,
      LastExecutionDate: seconds(record.lastExecutionDate),
      LastSuccessfulExecutionDate: seconds(record.lastSuccessfulExecutionDate),
      ...this.wireConfig(config, DESCRIPTION_CONFIG_MEMBERS),
    });
  }

  private listItem(record: AssociationRecord): Json {
    const config = record.config;
    return drop({
      AssociationId: record.associationId,
      AssociationVersion: String(record.version),
      LastExecutionDate: seconds(record.lastExecutionDate),
      Overview: this.overview(record),
      ...this.wireConfig(config, LIST_ITEM_CONFIG_MEMBERS),
    });
  }

  // ---------------------------------------------------------------- operations

  /** Validates and stores one new association; returns its description as it stood before running. */
  private createOne(input: Input, tags: readonly Tag[]): Json {
    const config = this.configFrom(input);
    if (config.InstanceId !== undefined) {
      const conflicting = [
        "DocumentVersion",
        "AssociationName",
        "MaxErrors",
        "MaxConcurrency",
        "OutputLocation",
        "ScheduleExpression",
      ].filter((m) => input[m] !== undefined);
      if (conflicting.length > 0)
        fail(
          ErrorCode.Validation,
          `InstanceId cannot be used together with ${conflicting.join(", ")}; use Targets instead.`,
        );
    }
    this.checkConfigMeaning(config);
    if (Object.keys(this.state.associations).length >= MAX_ASSOCIATIONS) fail("AssociationLimitExceeded", "");
    if (config.InstanceId !== undefined) {
      const duplicate = Object.values(this.state.associations).some(
        (r) =>
          r.config.InstanceId === config.InstanceId &&
          documentNameFromArn(r.config.Name) === documentNameFromArn(config.Name),
      );
      if (duplicate) fail("AssociationAlreadyExists", "");
    }
    if (this.core.settings.rejectDuplicateAssociations && config.Targets) {
      const same = JSON.stringify(config.Targets);
      const duplicate = Object.values(this.state.associations).some(
        (r) =>
          documentNameFromArn(r.config.Name) === documentNameFromArn(config.Name) &&
          JSON.stringify(r.config.Targets) === same,
      );
      if (duplicate) fail("AssociationAlreadyExists", "");
    }
    const now = this.now();
    const record = newAssociationRecord(randomUUID(), config, now);
    this.state.associations[record.associationId] = record;
    if (tags.length > 0) addTags(this.core, "Association", record.associationId, tags);
    const description = this.describeRecord(record);
    afterAssociationWrite(this.runContext(), record, now, "create");
    this.changed("associations", record.associationId);
    return description;
  }

  createAssociation(input: Input): Json {
    const tags = check(input, (c) => {
      this.checkConfigShape(c, true);
      return checkTagList(c, "Tags") ?? [];
    });
    rejectReservedTagKeys(tags);
    if (tags.length > MAX_TAGS_PER_RESOURCE) fail(ErrorCode.TooManyTagsError, "");
    this.tick();
    return { AssociationDescription: this.createOne(input, tags) };
  }

  createAssociationBatch(input: Input): Json {
    const entries = check(input, (c) => {
      const list = (c.list("Entries", { required: true, min: 1 }) ?? []) as Input[];
      list.forEach((entry, i) => this.checkConfigShape(c.nested(`entries.${i + 1}.member`, entry), true));
      c.string("AssociationDispatchAssumeRole", { min: 1, max: 512, pattern: P.assumeRole });
      return list;
    });
    const instanceIds = entries.map((e) => e["InstanceId"]).filter((id): id is string => typeof id === "string");
    if (new Set(instanceIds).size !== instanceIds.length) fail("DuplicateInstanceId", "");
    this.tick();
    const successful: Json[] = [];
    const failed: Json[] = [];
    const role = input["AssociationDispatchAssumeRole"];
    for (const entry of entries) {
      try {
        successful.push(
          this.createOne(role !== undefined ? { ...entry, AssociationDispatchAssumeRole: role } : entry, []),
        );
      } catch (e) {
        if (!(e instanceof SsmError) || e.httpStatus >= 500) throw e;
        failed.push({ Entry: entry, Message: e.message || e.code, Fault: "Client" });
      }
    }
    return { Successful: successful, Failed: failed };
  }

  describeAssociation(input: Input): Json {
    const requested = check(input, (c) => {
      c.string("AssociationId", { pattern: P.associationId });
      c.string("Name", { pattern: P.documentArn });
      c.string("InstanceId", { pattern: P.instanceId });
      return c.string("AssociationVersion", { pattern: P.associationVersion });
    });
    this.tick();
    const record = this.find(input);
    const version = requested === undefined || requested === "$LATEST" ? record.version : Number(requested);
    if (!record.versions.some((s) => s.version === version))
      fail(
        "InvalidAssociationVersion",
        `Association version ${requested} does not exist for association ${record.associationId}.`,
      );
    return { AssociationDescription: this.describeRecord(record, version) };
  }

  updateAssociation(input: Input): Json {
    const requested = check(input, (c) => {
      c.string("AssociationId", { required: true, pattern: P.associationId });
      this.checkConfigShape(c, false);
      return c.string("AssociationVersion", { pattern: P.associationVersion });
    });
    this.tick();
    const record = this.find({ AssociationId: input["AssociationId"] });
    if (requested !== undefined && requested !== "$LATEST" && Number(requested) !== record.version) {
      fail(
        "InvalidAssociationVersion",
        `Association version ${requested} is not the latest version (${record.version}) of association ${record.associationId}.`,
      );
    }
    if (input["InstanceId"] !== undefined) fail(ErrorCode.Validation, "UpdateAssociation does not take InstanceId.");
    if (
      typeof input["Name"] === "string" &&
      documentNameFromArn(input["Name"]) !== documentNameFromArn(record.config.Name)
    ) {
      fail("InvalidUpdate", "The document of an association cannot be changed; create a new association instead.");
    }
    // Replace semantics (spec 3.5): what the request omits is reset — except the document, the
    // targets and a legacy instance id, which AWS keeps.
    const config = this.configFrom({
      ...input,
      Name: input["Name"] ?? record.config.Name,
      Targets: input["Targets"] ?? record.config.Targets,
    });
    if (record.config.InstanceId !== undefined) {
      config.InstanceId = record.config.InstanceId;
      delete config.Targets;
    }
    this.checkConfigMeaning(config);
    if (record.version >= MAX_ASSOCIATION_VERSIONS)
      fail(
        "AssociationVersionLimitExceeded",
        `Association ${record.associationId} has reached the limit of ${MAX_ASSOCIATION_VERSIONS} versions.`,
      );
    const now = this.now();
    updateAssociationRecord(record, config, now);
    const description = this.describeRecord(record);
    afterAssociationWrite(this.runContext(), record, now, "update");
    this.changed("associations", record.associationId);
    return { AssociationDescription: description };
  }

  deleteAssociation(input: Input): Json {
    check(input, (c) => {
      c.string("AssociationId", { pattern: P.associationId });
      c.string("Name", { pattern: P.documentArn });
      c.string("InstanceId", { pattern: P.instanceId });
    });
    this.tick();
    this.remove(this.find(input).associationId);
    return {};
  }

  /** Deletes an association with its versions, executions, per-instance results and tags. */
  remove(associationId: string): void {
    forgetAssociation(this.state, associationId, this.changed);
    for (const listener of this.core.hooks.associationDeleted) listener(this.core, associationId);
    deleteAllTags(this.core, "Association", associationId);
  }

  listAssociations(input: Input): Json {
    const keys = [
      "InstanceId",
      "Name",
      "AssociationId",
      "AssociationStatusName",
      "LastExecutedBefore",
      "LastExecutedAfter",
      "AssociationName",
      "ResourceGroupName",
    ];
    const req = check(input, (c) => {
      const filters = (c.list("AssociationFilterList", { min: 1 }) ?? []) as Array<{ key: string; value: string }>;
      filters.forEach((raw, i) => {
        const f = c.nested(`associationFilterList.${i + 1}.member`, raw);
        f.string("key", { required: true, enum: keys });
        f.string("value", { required: true, min: 1 });
      });
      return { filters, ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }) };
    });
    this.tick();
    const time = (value: string) => {
      const t = Date.parse(value);
      if (Number.isNaN(t))
        fail(
          ErrorCode.Validation,
          `Invalid timestamp ${value} in the filter; use ISO 8601, e.g. 2019-02-18T16:00:00Z.`,
        );
      return t;
    };
    const matches = (record: AssociationRecord) =>
      req.filters.every(({ key, value }) => {
        const config = record.config;
        switch (key) {
          case "InstanceId":
            return config.InstanceId === value;
          case "Name":
            return documentNameFromArn(config.Name) === documentNameFromArn(value);
          case "AssociationId":
            return record.associationId === value;
          case "AssociationStatusName":
            return record.overview.status === value;
          case "LastExecutedBefore":
            return record.lastExecutionDate !== undefined && record.lastExecutionDate < time(value);
          case "LastExecutedAfter":
            return record.lastExecutionDate !== undefined && record.lastExecutionDate > time(value);
          case "AssociationName":
            return config.AssociationName === value;
          default:
            return (config.Targets ?? []).some(
              (t) => t.Key === "resource-groups:Name" && (t.Values ?? []).includes(value),
            );
        }
      });
    const all = Object.values(this.state.associations).filter(matches);
    const page = paginate("ListAssociations", all, (r) => r.associationId, req.maxResults, req.nextToken);
    return drop({ Associations: page.items.map((r) => this.listItem(r)), NextToken: page.nextToken });
  }

  listAssociationVersions(input: Input): Json {
    const req = check(input, (c) => ({
      id: c.requiredString("AssociationId", { pattern: P.associationId }),
      ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }),
    }));
    this.tick();
    const record = this.find({ AssociationId: req.id });
    const page = paginate(
      `ListAssociationVersions:${record.associationId}`,
      record.versions,
      (v) => String(v.version),
      req.maxResults,
      req.nextToken,
    );
    return drop({
      AssociationVersions: page.items.map(({ version, createdDate, config }) =>
        drop({
          AssociationId: record.associationId,
          AssociationVersion: String(version),
          CreatedDate: seconds(createdDate),
          ...this.wireConfig(config, VERSION_CONFIG_MEMBERS),
        }),
      ),
      NextToken: page.nextToken,
    });
  }

  private executionItem(e: ExecutionRecord): Json {
    const counts = Object.keys(e.resourceCountByStatus)
      .sort()
      .map((k) => `${k}=${e.resourceCountByStatus[k]}`)
      .join(", ");
    return {
      AssociationId: e.associationId,
      AssociationVersion: String(e.associationVersion),
      ExecutionId: e.executionId,
      Status: e.status,
      DetailedStatus: e.detailedStatus,
      CreatedTime: seconds(e.createdTime),
      LastExecutionDate: seconds(e.lastExecutionDate),
      ResourceCountByStatus: `{${counts}}`,
    };
  }

  describeAssociationExecutions(input: Input): Json {
    const req = check(input, (c) => {
      const id = c.string("AssociationId", { required: true, pattern: P.associationId });
      const filters = (c.list("Filters", { min: 1 }) ?? []) as Array<{ Key: string; Value: string; Type: string }>;
      filters.forEach((raw, i) => {
        const f = c.nested(`filters.${i + 1}.member`, raw);
        f.string("Key", { required: true, enum: ["ExecutionId", "Status", "CreatedTime"] });
        f.string("Value", { required: true, min: 1 });
        f.string("Type", { required: true, enum: ["EQUAL", "LESS_THAN", "GREATER_THAN"] });
      });
      return { id, filters, ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }) };
    });
    this.tick();
    const record = this.find({ AssociationId: req.id });
    const compare = (actual: number, type: string, wanted: number) =>
      type === "EQUAL" ? actual === wanted : type === "LESS_THAN" ? actual < wanted : actual > wanted;
    const newestFirst = [...(this.state.executions[record.associationId] ?? [])].reverse();
    const all = newestFirst.filter((e) =>
      req.filters.every((f) => {
        if (f.Key === "ExecutionId") return e.executionId === f.Value;
        if (f.Key === "Status") return e.status === f.Value;
        const wanted = Date.parse(f.Value);
        if (Number.isNaN(wanted))
          fail(ErrorCode.Validation, `Invalid CreatedTime ${f.Value}; use ISO 8601, e.g. 2019-02-18T16:00:00Z.`);
        return compare(e.createdTime, f.Type, wanted);
      }),
    );
    const page = paginate(
      `DescribeAssociationExecutions:${record.associationId}`,
      all,
      (e) => e.executionId,
      req.maxResults,
      req.nextToken,
    );
    return drop({ AssociationExecutions: page.items.map((e) => this.executionItem(e)), NextToken: page.nextToken });
  }

  describeAssociationExecutionTargets(input: Input): Json {
    const req = check(input, (c) => {
      const id = c.string("AssociationId", { required: true, pattern: P.associationId });
      const executionId = c.string("ExecutionId", { required: true, pattern: P.associationId });
      const filters = (c.list("Filters", { min: 1 }) ?? []) as Array<{ Key: string; Value: string }>;
      filters.forEach((raw, i) => {
        const f = c.nested(`filters.${i + 1}.member`, raw);
        f.string("Key", { required: true, enum: ["Status", "ResourceId", "ResourceType"] });
        f.string("Value", { required: true, min: 1 });
      });
      return { id, executionId, filters, ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }) };
    });
    this.tick();
    const record = this.find({ AssociationId: req.id });
    const execution = (this.state.executions[record.associationId] ?? []).find(
      (e) => e.executionId === req.executionId,
    );
    if (!execution)
      fail(
        "AssociationExecutionDoesNotExist",
        `Execution ${req.executionId} does not exist for association ${record.associationId}.`,
      );
    const all = execution.targets.filter((t) =>
      req.filters.every((f) =>
        f.Key === "Status"
          ? t.status === f.Value
          : f.Key === "ResourceId"
            ? t.resourceId === f.Value
            : t.resourceType === f.Value,
      ),
    );
    const page = paginate(
      `DescribeAssociationExecutionTargets:${execution.executionId}`,
      all,
      (t) => t.resourceId,
      req.maxResults,
      req.nextToken,
    );
    return drop({
      AssociationExecutionTargets: page.items.map((t) => ({
        AssociationId: record.associationId,
        AssociationVersion: String(execution.associationVersion),
        ExecutionId: execution.executionId,
        ResourceId: t.resourceId,
        ResourceType: t.resourceType,
        Status: t.status,
        DetailedStatus: t.detailedStatus,
        LastExecutionDate: seconds(t.lastExecutionDate),
        OutputSource: {
          OutputSourceId: t.outputSourceId,
          OutputSourceType: t.resourceType === "AutomationExecution" ? "AutomationExecution" : "RunCommand",
        },
      })),
      NextToken: page.nextToken,
    });
  }

  startAssociationsOnce(input: Input): Json {
    const ids = check(
      input,
      (c) =>
        c.stringList("AssociationIds", { required: true, min: 1, max: 10, item: { pattern: P.associationId } }) ?? [],
    );
    this.tick();
    for (const id of ids)
      if (!this.state.associations[id]) fail("AssociationDoesNotExist", `Association ${id} does not exist.`);
    const now = this.now();
    // Each run marks what it changed.
    for (const id of ids) runAssociation(this.runContext(), id, now, "manual");
    return {};
  }

  describeInstanceAssociationsStatus(input: Input): Json {
    const req = check(input, (c) => ({
      instanceId: c.requiredString("InstanceId", { pattern: P.instanceId }),
      ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }),
    }));
    this.tick();
    const instanceId = req.instanceId;
    if (!this.state.fleet.some((i) => i.instanceId === instanceId))
      fail("InvalidInstanceId", `Instance ${instanceId} is not a managed node.`);
    const results = Object.values(this.state.instanceStatus[instanceId] ?? {}).filter(
      (r) => this.state.associations[r.associationId],
    );
    const page = paginate(
      `DescribeInstanceAssociationsStatus:${instanceId}`,
      results,
      (r) => r.associationId,
      req.maxResults,
      req.nextToken,
    );
    return drop({
      InstanceAssociationStatusInfos: page.items.map((r) =>
        drop({
          AssociationId: r.associationId,
          Name: r.documentName,
          DocumentVersion: r.documentVersion,
          AssociationVersion: String(r.associationVersion),
          InstanceId: r.instanceId,
          ExecutionDate: seconds(r.executionDate),
          Status: r.status,
          DetailedStatus: r.detailedStatus,
          ExecutionSummary: r.executionSummary,
          ErrorCode: r.errorCode,
          OutputUrl: this.outputUrl(r.associationId, r.instanceId, r.outputSourceId),
          AssociationName: r.associationName,
        }),
      ),
      NextToken: page.nextToken,
    });
  }

  /** Where the run's output lives when the association writes it to S3 (OutputUrl.S3OutputUrl). */
  private outputUrl(associationId: string, instanceId: string, commandId: string | undefined): Json | undefined {
    const s3 = (
      this.state.associations[associationId]?.config.OutputLocation as
        | { S3Location?: { OutputS3BucketName?: string; OutputS3KeyPrefix?: string; OutputS3Region?: string } }
        | undefined
    )?.S3Location;
    if (!s3?.OutputS3BucketName || commandId === undefined) return undefined;
    const prefix = s3.OutputS3KeyPrefix ? `${s3.OutputS3KeyPrefix.replace(/\/$/, "")}/` : "";
    return {
      S3OutputUrl: {
        OutputUrl: `https://s3.${s3.OutputS3Region ?? this.core.settings.region}.amazonaws.com/${s3.OutputS3BucketName}/${prefix}${commandId}/${instanceId}`,
      },
    };
  }

  // ---------------------------------------------------------------- fleet

  private instanceOverview(instance: ManagedInstance): {
    status?: string;
    counts: Record<string, number>;
    last?: number;
    lastSuccess?: number;
  } {
    const results = Object.values(this.state.instanceStatus[instance.instanceId] ?? {}).filter(
      (r) => this.state.associations[r.associationId],
    );
    const counts: Record<string, number> = {};
    let last: number | undefined;
    let lastSuccess: number | undefined;
    for (const r of results) {
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      last = Math.max(last ?? 0, r.executionDate);
      if (r.status === "Success") lastSuccess = Math.max(lastSuccess ?? 0, r.executionDate);
    }
    const status = results.length === 0 ? undefined : (counts["Failed"] ?? 0) > 0 ? "Failed" : "Success";
    return {
      ...(status ? { status } : {}),
      counts,
      ...(last !== undefined ? { last } : {}),
      ...(lastSuccess !== undefined ? { lastSuccess } : {}),
    };
  }

  describeInstanceInformation(input: Input): Json {
    const legacyKeys = [
      "InstanceIds",
      "AgentVersion",
      "PingStatus",
      "PlatformTypes",
      "ActivationIds",
      "IamRole",
      "ResourceType",
      "AssociationStatus",
    ];
    const req = check(input, (c) => {
      const legacy = (c.list("InstanceInformationFilterList", { min: 0 }) ?? []) as Array<{
        key: string;
        valueSet: string[];
      }>;
      legacy.forEach((raw, i) => {
        const f = c.nested(`instanceInformationFilterList.${i + 1}.member`, raw);
        f.string("key", { required: true, enum: legacyKeys });
        f.stringList("valueSet", { required: true, min: 1, max: 100 });
      });
      const filters = (c.list("Filters", { min: 0 }) ?? []) as Array<{ Key: string; Values: string[] }>;
      filters.forEach((raw, i) => {
        const f = c.nested(`filters.${i + 1}.member`, raw);
        f.string("Key", { required: true, min: 1, max: 163, pattern: "^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$" });
        f.stringList("Values", { required: true, min: 1, max: 100 });
      });
      return { legacy, filters, ...checkPaging(c, { defaultMax: 10, min: 5, max: 50 }) };
    });
    this.tick();
    if (req.legacy.length > 0 && req.filters.length > 0)
      fail(
        "InvalidInstanceInformationFilterValue",
        "InstanceInformationFilterList and Filters cannot be used together.",
      );
    const known = [
      "ActivationIds",
      "AgentVersion",
      "AssociationStatus",
      "IamRole",
      "InstanceIds",
      "PingStatus",
      "PlatformType",
      "ResourceType",
      "SourceIds",
      "SourceTypes",
    ];
    const isTag = (key: string) => key === "tag-key" || key.startsWith("tag:");
    const conditions = [
      ...req.legacy.map((f) => ({ key: f.key === "PlatformTypes" ? "PlatformType" : f.key, values: f.valueSet })),
      ...req.filters.map((f) => ({ key: f.Key, values: f.Values })),
    ];
    for (const f of conditions) if (!known.includes(f.key) && !isTag(f.key)) fail(ErrorCode.InvalidFilterKey, "");
    if (conditions.some((f) => isTag(f.key)) && conditions.some((f) => !isTag(f.key))) {
      fail("InvalidInstanceInformationFilterValue", "Tag filters cannot be combined with other filter types.");
    }
    const allowed: Record<string, readonly string[]> = {
      PingStatus: PING_STATUSES,
      PlatformType: PLATFORM_TYPES,
      ResourceType: ["ManagedInstance", "EC2Instance"],
    };
    for (const f of conditions) {
      for (const value of f.values) {
        const allowedValues = allowed[f.key];
        if (allowedValues && !allowedValues.includes(value))
          fail("InvalidInstanceInformationFilterValue", `${value} is not a valid value for ${f.key}.`);
        if (f.key === "InstanceIds" && !this.state.fleet.some((i) => i.instanceId === value))
          fail("InvalidInstanceId", `Instance ${value} is not a managed node.`);
      }
    }
    const matching = this.state.fleet
      .filter((i) => i.pingStatus !== "Inactive")
      .filter((instance) =>
        conditions.every(({ key, values }) => {
          switch (key) {
            case "InstanceIds":
              return values.includes(instance.instanceId);
            case "AgentVersion":
              return values.includes(instance.agentVersion);
            case "PingStatus":
              return values.includes(instance.pingStatus);
            case "PlatformType":
              return values.includes(instance.platformType);
            case "ResourceType":
              return values.includes(instance.resourceType);
            case "AssociationStatus": {
              const status = this.instanceOverview(instance).status;
              return status !== undefined && values.includes(status);
            }
            case "tag-key":
              return values.some((k) => k in instance.tags);
            default:
              if (key.startsWith("tag:")) {
                const value = instance.tags[key.slice(4)];
                return value !== undefined && values.includes(value);
              }
              return false; // ActivationIds, IamRole, SourceIds, SourceTypes: the simulated fleet has none.
          }
        }),
      );
    const page = paginate("DescribeInstanceInformation", matching, (i) => i.instanceId, req.maxResults, req.nextToken);
    const now = this.now();
    return drop({
      InstanceInformationList: page.items.map((instance) => {
        const overview = this.instanceOverview(instance);
        return drop({
          InstanceId: instance.instanceId,
          PingStatus: instance.pingStatus,
          LastPingDateTime: seconds(instance.pingStatus === "Online" ? now : instance.registrationDate),
          AgentVersion: instance.agentVersion,
          IsLatestVersion: instance.agentVersion === LATEST_AGENT_VERSION,
          PlatformType: instance.platformType,
          PlatformName: instance.platformName,
          PlatformVersion: instance.platformVersion,
          RegistrationDate:
            instance.resourceType === "ManagedInstance" ? seconds(instance.registrationDate) : undefined,
          ResourceType: instance.resourceType,
          Name: instance.name,
          IPAddress: instance.ipAddress,
          ComputerName: instance.computerName,
          AssociationStatus: overview.status,
          LastAssociationExecutionDate: seconds(overview.last),
          LastSuccessfulAssociationExecutionDate: seconds(overview.lastSuccess),
          AssociationOverview: overview.status
            ? { DetailedStatus: overview.status, InstanceAssociationStatusAggregatedCount: overview.counts }
            : undefined,
          SourceId: instance.instanceId,
          SourceType: instance.resourceType === "EC2Instance" ? "AWS::EC2::Instance" : "AWS::SSM::ManagedInstance",
        });
      }),
      NextToken: page.nextToken,
    });
  }

  // ---------------------------------------------------------------- hooks from the documents area

  usageOf(documentName: string): { associationIds: string[]; legacyInstanceIds: string[] } {
    const using = Object.values(this.state.associations).filter(
      (r) => documentNameFromArn(r.config.Name) === documentName,
    );
    return {
      associationIds: using.map((r) => r.associationId),
      legacyInstanceIds: using.flatMap((r) => (r.config.InstanceId ? [r.config.InstanceId] : [])),
    };
  }

  /** The document's default version moved: associations on $DEFAULT apply the new one at once. */
  defaultVersionChanged(documentName: string): void {
    this.tick();
    const now = this.now();
    for (const record of Object.values(this.state.associations)) {
      if (documentNameFromArn(record.config.Name) !== documentName) continue;
      if ((record.config.DocumentVersion ?? "$DEFAULT") !== "$DEFAULT" || record.config.ApplyOnlyAtCronInterval)
        continue;
      runAssociation(this.runContext(), record.associationId, now, "update");
    }
    rememberTargets(this.state, this.changed);
  }
}
