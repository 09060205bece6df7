/**
 * The association and fleet operations of the local endpoint (spec sections 3 and 5): request
 * validation with AWS's error codes, UpdateAssociation's replace semantics, the wire shapes, and
 * the hand-off to the simulator (runs on create/update/StartAssociationsOnce, bootstrapping).
 *
 * It talks to the rest of the endpoint through AssociationDeps only: the document catalogue, the
 * error constructor, the clock and persistence, so the HTTP layer stays the core's business.
 */
import { randomUUID } from "node:crypto";
import { INVALID_SCHEDULE_MESSAGE, validateAssociationSchedule } from "../ssm/schedule.js";
import { checkParameters, declaredParameters } from "../ssm/association-parameters.js";
import { documentSteps } from "./agent.js";
import { checkTargets, INSTANCE_ID_PATTERN, PING_STATUSES, PLATFORM_TYPES, type ManagedInstance, type Target } from "./fleet.js";
import { COMPLIANCE_SEVERITIES, PATTERNS, SYNC_COMPLIANCE, Violations } from "./constraints.js";
import {
  afterAssociationWrite,
  afterFleetChange,
  forgetAssociation,
  newAssociationRecord,
  runAssociation,
  runDue,
  targetSnapshot,
  updateAssociationRecord,
  type AssociationConfig,
  type AssociationRecord,
  type DocumentResolver,
  type ExecutionRecord,
  type RunContext,
  type SimulationState,
} from "./simulator.js";

/** What the association operations need to know about a document. */
export interface DocumentFacts {
  /** The document's name (not its ARN). */
  readonly name: string;
  /** The concrete version the selector resolved to. */
  readonly version: string;
  readonly documentType: string;
  readonly schemaVersion: string;
  /** Parsed content (JSON or YAML), for parameters and steps. */
  readonly content: unknown;
}

export type DocumentLookup = DocumentFacts | "no-such-document" | "no-such-version";

export interface AssociationDeps {
  readonly state: SimulationState;
  /** Finds a document by name or ARN and version selector ($DEFAULT when undefined). */
  readonly lookupDocument: (nameOrArn: string, version: string | undefined) => DocumentLookup;
  /** Throws the endpoint's SSM error. */
  readonly fail: (code: string, message: string) => never;
  readonly nowMs: () => number;
  /** Saves the simulation state (after every change). */
  readonly persist: () => void;
  /** Reject a second association with the same document and targets (off by default, as AWS). */
  readonly rejectDuplicateTargets?: boolean;
}

export const MAX_ASSOCIATIONS = 2000;
export const MAX_ASSOCIATION_VERSIONS = 1000;
export const MAX_TAGS_PER_RESOURCE = 50;
const NO_OP_AUTOMATION_TARGET: Target = { Key: "aws:NoOpAutomationTag", Values: ["AWS-NoOpAutomationTarget-Value"] };

type Input = Record<string, any>;
type Json = Record<string, unknown>;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function drop<T extends Json>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

/** The document name inside a name or an ARN (`arn:aws:ssm:…:document/Name`). */
export function documentNameOf(nameOrArn: string): string {
  const at = nameOrArn.indexOf(":document/");
  return nameOrArn.startsWith("arn:") && at >= 0 ? nameOrArn.slice(at + ":document/".length) : nameOrArn;
}

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

/** Paging with opaque tokens bound to the operation and its filters. */
function page<T>(items: readonly T[], input: Input, scope: string, fail: AssociationDeps["fail"], defaultMax: number): { items: T[]; nextToken: string | undefined } {
  const max = (input["MaxResults"] as number | undefined) ?? defaultMax;
  let offset = 0;
  const token = input["NextToken"];
  if (token !== undefined && token !== null && token !== "") {
    try {
      const decoded = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8")) as { s?: unknown; o?: unknown };
      if (decoded.s !== scope || typeof decoded.o !== "number" || !Number.isInteger(decoded.o) || decoded.o < 0 || decoded.o > items.length) throw new Error("bad token");
      offset = decoded.o;
    } catch {
      fail("InvalidNextToken", "The specified token is not valid.");
    }
  }
  const slice = items.slice(offset, offset + max);
  const end = offset + slice.length;
  return { items: slice, nextToken: end < items.length ? Buffer.from(JSON.stringify({ s: scope, o: end })).toString("base64url") : undefined };
}

function scopeOf(operation: string, input: Input): string {
  const { NextToken: _token, MaxResults: _max, ...rest } = input;
  return `${operation}:${JSON.stringify(rest)}`;
}

export class AssociationService {
  constructor(private readonly deps: AssociationDeps) {}

  get state(): SimulationState {
    return this.deps.state;
  }

  private fail(code: string, message: string): never {
    return this.deps.fail(code, message);
  }

  private throwViolations(v: Violations): void {
    const message = v.message();
    if (message !== undefined) this.fail("ValidationException", message);
  }

  private readonly resolveRunnable: DocumentResolver = (name, version) => {
    const found = this.deps.lookupDocument(name, version);
    if (typeof found === "string") return undefined;
    return { name: found.name, version: found.version, documentType: found.documentType, steps: documentSteps(found.content) };
  };

  private runContext(): RunContext {
    return { state: this.deps.state, resolveDocument: this.resolveRunnable };
  }

  // ---------------------------------------------------------------- validation

  /** Model constraints on the configuration members (ValidationException), `prefix` for batch entries. */
  private checkConfigShape(v: Violations, input: Input, prefix = ""): void {
    const p = (member: string) => `${prefix}${member}`;
    if (v.required(input["Name"], p("name"))) v.string(input["Name"], p("name"), { pattern: PATTERNS.documentArn });
    v.string(input["DocumentVersion"], p("documentVersion"), { pattern: PATTERNS.documentVersion });
    v.string(input["InstanceId"], p("instanceId"), { pattern: PATTERNS.instanceId });
    v.string(input["AssociationName"], p("associationName"), { pattern: PATTERNS.associationName });
    v.string(input["ScheduleExpression"], p("scheduleExpression"), { min: 1, max: 256 });
    v.string(input["MaxConcurrency"], p("maxConcurrency"), { min: 1, max: 7, pattern: PATTERNS.maxConcurrency });
    v.string(input["MaxErrors"], p("maxErrors"), { min: 1, max: 7, pattern: PATTERNS.maxErrors });
    v.oneOf(input["ComplianceSeverity"], p("complianceSeverity"), COMPLIANCE_SEVERITIES);
    v.oneOf(input["SyncCompliance"], p("syncCompliance"), SYNC_COMPLIANCE);
    v.string(input["AutomationTargetParameterName"], p("automationTargetParameterName"), { min: 1, max: 50 });
    v.string(input["AssociationDispatchAssumeRole"], p("associationDispatchAssumeRole"), { min: 1, max: 512, pattern: PATTERNS.assumeRole });
    v.integer(input["ScheduleOffset"], p("scheduleOffset"), 1, 6);
    v.integer(input["Duration"], p("duration"), 1, 24);
    v.boolean(input["ApplyOnlyAtCronInterval"], p("applyOnlyAtCronInterval"));
    const targets = v.list<Target>(input["Targets"], p("targets"), 0, 5);
    targets.forEach((target, i) => {
      const at = `${p("targets")}.${i + 1}.member`;
      if (v.required(target?.Key, `${at}.key`)) v.string(target.Key, `${at}.key`, { min: 1, max: 163, pattern: PATTERNS.targetKey });
      v.list(target?.Values, `${at}.values`, 0, 50);
    });
    v.list(input["TargetMaps"], p("targetMaps"), 0, 300);
    v.list(input["TargetLocations"], p("targetLocations"), 1, 100);
    v.list(input["CalendarNames"], p("calendarNames"), 0, 1000);
    const parameters = input["Parameters"];
    if (parameters !== undefined && (typeof parameters !== "object" || parameters === null || Array.isArray(parameters))) v.add(parameters, p("parameters"), "Member must be a map");
    const s3 = (input["OutputLocation"] as Input | undefined)?.["S3Location"] as Input | undefined;
    if (s3) {
      v.string(s3["OutputS3Region"], `${p("outputLocation")}.s3Location.outputS3Region`, { min: 3, max: 20 });
      v.string(s3["OutputS3BucketName"], `${p("outputLocation")}.s3Location.outputS3BucketName`, { min: 3, max: 63 });
      v.string(s3["OutputS3KeyPrefix"], `${p("outputLocation")}.s3Location.outputS3KeyPrefix`, { max: 500 });
    }
    const alarms = input["AlarmConfiguration"] as Input | undefined;
    if (alarms) {
      const list = v.list<Input>(alarms["Alarms"], `${p("alarmConfiguration")}.alarms`, 1, 1);
      if (alarms["Alarms"] === undefined) v.required(undefined, `${p("alarmConfiguration")}.alarms`);
      list.forEach((alarm, i) => v.string(alarm?.["Name"], `${p("alarmConfiguration")}.alarms.${i + 1}.member.name`, { min: 1, max: 255 }));
    }
  }

  private checkTagShape(v: Violations, tags: unknown, path: string): Array<{ Key: string; Value: string }> {
    const list = v.list<{ Key: string; Value: string }>(tags, path, 0, 1000);
    list.forEach((tag, i) => {
      const at = `${path}.${i + 1}.member`;
      if (v.required(tag?.Key, `${at}.key`)) v.string(tag.Key, `${at}.key`, { min: 1, max: 128, pattern: PATTERNS.tag });
      if (v.required(tag?.Value, `${at}.value`)) v.string(tag.Value, `${at}.value`, { max: 256, pattern: PATTERNS.tag });
    });
    return list;
  }

  /**
   * The semantic checks of spec 3.2, in AWS's order, on a complete configuration. Returns the
   * document it resolved.
   */
  private checkConfigMeaning(config: AssociationConfig): DocumentFacts {
    const found = this.deps.lookupDocument(config.Name, config.DocumentVersion);
    if (found === "no-such-document") this.fail("InvalidDocument", `Document with name ${documentNameOf(config.Name)} does not exist.`);
    if (found === "no-such-version") this.fail("InvalidDocumentVersion", `Document version ${config.DocumentVersion} is not valid or does not exist for document ${documentNameOf(config.Name)}.`);
    const document = found;
    if (!["Command", "Policy", "Automation"].includes(document.documentType)) {
      this.fail("InvalidDocument", `Document type ${document.documentType} is not supported for associations`);
    }
    const automation = document.documentType === "Automation";
    if (config.InstanceId !== undefined) {
      if (automation || document.schemaVersion !== "1.2") {
        this.fail("InvalidDocument", `Document schema version, ${document.schemaVersion}, is not supported by association that is created with instance id`);
      }
      if (!this.state.fleet.some((i) => i.instanceId === config.InstanceId)) this.fail("InvalidInstanceId", `Instance ${config.InstanceId} is not a managed node.`);
    }

    const hasTargets = (config.Targets?.length ?? 0) > 0;
    if (!hasTargets && config.InstanceId === undefined && !automation) this.fail("InvalidTarget", "Instance ID or targets must be specified");
    if (hasTargets && config.InstanceId !== undefined) this.fail("InvalidTarget", "Instance ID and targets cannot be specified together");
    if (hasTargets && (config.TargetMaps?.length ?? 0) > 0) this.fail("InvalidTargetMaps", "Targets and TargetMaps cannot be specified together");
    if (hasTargets) {
      const problem = checkTargets(config.Targets!, automation);
      if (problem) this.fail("InvalidTarget", problem.message);
    }
    if (automation && (config.AutomationTargetParameterName !== undefined) !== hasTargets) {
      this.fail("ValidationException", "Must specify both Automation Target Parameter Name and Targets");
    }

    const parameterProblems = checkParameters(declaredParameters(document.content), config.Parameters);
    if (parameterProblems.length > 0) this.fail("InvalidParameters", parameterProblems[0]!.message);

    const { problems } = validateAssociationSchedule({
      scheduleExpression: config.ScheduleExpression,
      scheduleOffset: config.ScheduleOffset,
      applyOnlyAtCronInterval: config.ApplyOnlyAtCronInterval,
    });
    if (problems.length > 0) this.fail("InvalidSchedule", INVALID_SCHEDULE_MESSAGE);

    const s3 = (config.OutputLocation as Input | undefined)?.["S3Location"] as Input | undefined;
    if (config.OutputLocation !== undefined && (!s3 || typeof s3["OutputS3BucketName"] !== "string")) {
      this.fail("InvalidOutputLocation", "The output location is not valid or does not exist.");
    }
    return document;
  }

  private configFrom(input: Input, legacyInstanceAllowed: boolean): AssociationConfig {
    const config: Input = {};
    for (const member of CONFIG_MEMBERS) if (input[member] !== undefined && input[member] !== null) config[member] = structuredClone(input[member]);
    if (!legacyInstanceAllowed) delete config["InstanceId"];
    config["DocumentVersion"] ??= "$DEFAULT";
    return config as AssociationConfig;
  }

  private find(input: Input): AssociationRecord {
    const id = input["AssociationId"] as string | undefined;
    if (id !== undefined) {
      const record = this.state.associations[id];
      if (!record) this.fail("AssociationDoesNotExist", `Association ${id} does not exist.`);
      return record;
    }
    const name = input["Name"] as string | undefined;
    const instanceId = input["InstanceId"] as string | undefined;
    if (name === undefined || instanceId === undefined) this.fail("ValidationException", "Either AssociationId or Name and InstanceId must be specified.");
    const record = Object.values(this.state.associations).find((r) => r.config.InstanceId === instanceId && documentNameOf(r.config.Name) === documentNameOf(name));
    if (!record) this.fail("AssociationDoesNotExist", `Association for document ${name} and instance ${instanceId} does not exist.`);
    return record;
  }

  // ---------------------------------------------------------------- wire shapes

  private overview(record: AssociationRecord): Json {
    const counts = record.overview.counts;
    const ran = record.lastExecutionDate !== undefined || Object.keys(counts).length > 0;
    return drop({ Status: record.overview.status, DetailedStatus: record.overview.detailedStatus, AssociationStatusAggregatedCount: ran ? { ...counts } : undefined });
  }

  private wireTargets(config: AssociationConfig, document: string | undefined): Target[] | undefined {
    if (config.Targets && config.Targets.length > 0) return config.Targets;
    if (config.InstanceId) return [{ Key: "InstanceIds", Values: [config.InstanceId] }];
    if (document === "Automation") return [NO_OP_AUTOMATION_TARGET];
    return undefined;
  }

  private documentTypeOf(config: AssociationConfig): string | undefined {
    const found = this.deps.lookupDocument(config.Name, undefined);
    return typeof found === "string" ? undefined : found.documentType;
  }

  /** AssociationDescription for the current configuration, or for one stored version. */
  describeRecord(record: AssociationRecord, version = record.version): Json {
    const snapshot = record.versions.find((s) => s.version === version)!;
    const config = snapshot.config;
    const targets = this.wireTargets(config, this.documentTypeOf(config));
    return drop({
      Name: config.Name,
      InstanceId: config.InstanceId,
      AssociationVersion: String(version),
      Date: seconds(record.date),
      LastUpdateAssociationDate: seconds(snapshot.createdDate),
      Status: config.InstanceId ? { Date: seconds(record.date), Name: "Associated", Message: `Associated with ${config.Name}` } : undefined,
      Overview: this.overview(record),
      DocumentVersion: config.DocumentVersion,
      AutomationTargetParameterName: config.AutomationTargetParameterName,
      Parameters: config.Parameters,
      AssociationId: record.associationId,
      Targets: targets,
      ScheduleExpression: config.ScheduleExpression,
      OutputLocation: config.OutputLocation,
      LastExecutionDate: seconds(record.lastExecutionDate),
      LastSuccessfulExecutionDate: seconds(record.lastSuccessfulExecutionDate),
      AssociationName: config.AssociationName,
      MaxErrors: config.MaxErrors,
      MaxConcurrency: config.MaxConcurrency,
      ComplianceSeverity: config.ComplianceSeverity,
      SyncCompliance: config.SyncCompliance,
      ApplyOnlyAtCronInterval: config.ApplyOnlyAtCronInterval ?? false,
      CalendarNames: config.CalendarNames,
      TargetLocations: config.TargetLocations,
      ScheduleOffset: config.ScheduleOffset,
      Duration: config.Duration,
      TargetMaps: config.TargetMaps,
      AlarmConfiguration: config.AlarmConfiguration,
      AssociationDispatchAssumeRole: config.AssociationDispatchAssumeRole,
    });
  }

  private listItem(record: AssociationRecord): Json {
    const config = record.config;
    return drop({
      Name: config.Name,
      InstanceId: config.InstanceId,
      AssociationId: record.associationId,
      AssociationVersion: String(record.version),
      DocumentVersion: config.DocumentVersion,
      Targets: this.wireTargets(config, this.documentTypeOf(config)),
      LastExecutionDate: seconds(record.lastExecutionDate),
      Overview: this.overview(record),
      ScheduleExpression: config.ScheduleExpression,
      AssociationName: config.AssociationName,
      ScheduleOffset: config.ScheduleOffset,
      Duration: config.Duration,
      TargetMaps: config.TargetMaps,
    });
  }

  // ---------------------------------------------------------------- operations

  /** Validates and stores one new association; returns its description as it stood before running. */
  private createOne(input: Input, tags: Array<{ Key: string; Value: string }>): Json {
    const config = this.configFrom(input, true);
    if (config.InstanceId !== undefined) {
      const conflicting = ["AssociationName", "MaxErrors", "MaxConcurrency", "OutputLocation", "ScheduleExpression"].filter((m) => input[m] !== undefined);
      if (input["DocumentVersion"] !== undefined) conflicting.unshift("DocumentVersion");
      if (conflicting.length > 0) this.fail("ValidationException", `InstanceId cannot be used together with ${conflicting.join(", ")}; use Targets instead.`);
    }
    this.checkConfigMeaning(config);
    if (Object.keys(this.state.associations).length >= MAX_ASSOCIATIONS) this.fail("AssociationLimitExceeded", "");
    if (config.InstanceId !== undefined) {
      const duplicate = Object.values(this.state.associations).some((r) => r.config.InstanceId === config.InstanceId && documentNameOf(r.config.Name) === documentNameOf(config.Name));
      if (duplicate) this.fail("AssociationAlreadyExists", "");
    }
    if (this.deps.rejectDuplicateTargets && config.Targets) {
      const same = JSON.stringify(config.Targets);
      const duplicate = Object.values(this.state.associations).some((r) => documentNameOf(r.config.Name) === documentNameOf(config.Name) && JSON.stringify(r.config.Targets) === same);
      if (duplicate) this.fail("AssociationAlreadyExists", "");
    }
    const now = this.deps.nowMs();
    const record = newAssociationRecord(randomUUID(), config, now);
    if (tags.length > 0) record.tags = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
    this.state.associations[record.associationId] = record;
    const description = this.describeRecord(record);
    afterAssociationWrite(this.runContext(), record, now, "create");
    return description;
  }

  createAssociation(input: Input): Json {
    this.tick();
    const v = new Violations();
    this.checkConfigShape(v, input);
    const tags = this.checkTagShape(v, input["Tags"], "tags");
    this.throwViolations(v);
    if (tags.length > MAX_TAGS_PER_RESOURCE) this.fail("TooManyTagsError", "");
    if (tags.some((t) => t.Key.toLowerCase().startsWith("aws:"))) this.fail("ValidationException", "Tag keys beginning with aws: are reserved.");
    const description = this.createOne(input, tags);
    this.deps.persist();
    return { AssociationDescription: description };
  }

  createAssociationBatch(input: Input): Json {
    this.tick();
    const v = new Violations();
    const entries = v.list<Input>(input["Entries"], "entries", 1, 10);
    if (input["Entries"] === undefined) v.required(undefined, "entries");
    v.string(input["AssociationDispatchAssumeRole"], "associationDispatchAssumeRole", { min: 1, max: 512, pattern: PATTERNS.assumeRole });
    this.throwViolations(v);
    const instanceIds = entries.map((e) => e?.["InstanceId"]).filter((id): id is string => typeof id === "string");
    if (new Set(instanceIds).size !== instanceIds.length) this.fail("DuplicateInstanceId", "");
    const successful: Json[] = [];
    const failed: Json[] = [];
    for (const entry of entries) {
      try {
        const ev = new Violations();
        this.checkConfigShape(ev, entry ?? {});
        this.throwViolations(ev);
        const withRole = input["AssociationDispatchAssumeRole"] !== undefined ? { ...entry, AssociationDispatchAssumeRole: input["AssociationDispatchAssumeRole"] } : entry;
        successful.push(this.createOne(withRole, []));
      } catch (e) {
        const code = (e as { name?: string; code?: string }).code ?? (e as Error).name;
        const message = (e as Error).message;
        if (code === "InternalServerError" || !(e instanceof Error)) throw e;
        failed.push({ Entry: entry, Message: message || code, Fault: "Client" });
      }
    }
    this.deps.persist();
    return { Successful: successful, Failed: failed };
  }

  describeAssociation(input: Input): Json {
    this.tick();
    const v = new Violations();
    v.string(input["AssociationId"], "associationId", { pattern: PATTERNS.associationId });
    v.string(input["Name"], "name", { pattern: PATTERNS.documentArn });
    v.string(input["InstanceId"], "instanceId", { pattern: PATTERNS.instanceId });
    v.string(input["AssociationVersion"], "associationVersion", { pattern: PATTERNS.associationVersion });
    this.throwViolations(v);
    const record = this.find(input);
    const requested = input["AssociationVersion"] as string | undefined;
    const version = requested === undefined || requested === "$LATEST" ? record.version : Number(requested);
    if (!record.versions.some((s) => s.version === version)) this.fail("InvalidAssociationVersion", `Association version ${requested} does not exist for association ${record.associationId}.`);
    return { AssociationDescription: this.describeRecord(record, version) };
  }

  updateAssociation(input: Input): Json {
    this.tick();
    const v = new Violations();
    if (v.required(input["AssociationId"], "associationId")) v.string(input["AssociationId"], "associationId", { pattern: PATTERNS.associationId });
    v.string(input["AssociationVersion"], "associationVersion", { pattern: PATTERNS.associationVersion });
    this.checkConfigShape(v, { ...input, Name: input["Name"] ?? "placeholder" });
    this.throwViolations(v);
    const record = this.find(input);
    const requested = input["AssociationVersion"] as string | undefined;
    if (requested !== undefined && requested !== "$LATEST" && Number(requested) !== record.version) {
      this.fail("InvalidAssociationVersion", `Association version ${requested} is not the latest version (${record.version}) of association ${record.associationId}.`);
    }
    if (input["Name"] !== undefined && documentNameOf(input["Name"]) !== documentNameOf(record.config.Name)) {
      this.fail("InvalidUpdate", "The document of an association cannot be changed; create a new association instead.");
    }
    // Replace semantics: what the request omits is reset, except the document, targets and legacy instance.
    const config = this.configFrom({ ...input, Name: input["Name"] ?? record.config.Name, Targets: input["Targets"] ?? record.config.Targets }, false);
    if (record.config.InstanceId !== undefined) config.InstanceId = record.config.InstanceId;
    this.checkConfigMeaning(config);
    if (record.version >= MAX_ASSOCIATION_VERSIONS) this.fail("AssociationVersionLimitExceeded", `Association ${record.associationId} has reached the limit of ${MAX_ASSOCIATION_VERSIONS} versions.`);
    const now = this.deps.nowMs();
    updateAssociationRecord(record, config, now);
    const description = this.describeRecord(record);
    afterAssociationWrite(this.runContext(), record, now, "update");
    this.deps.persist();
    return { AssociationDescription: description };
  }

  deleteAssociation(input: Input): Json {
    this.tick();
    const v = new Violations();
    v.string(input["AssociationId"], "associationId", { pattern: PATTERNS.associationId });
    v.string(input["Name"], "name", { pattern: PATTERNS.documentArn });
    v.string(input["InstanceId"], "instanceId", { pattern: PATTERNS.instanceId });
    this.throwViolations(v);
    const record = this.find(input);
    forgetAssociation(this.state, record.associationId);
    this.deps.persist();
    return {};
  }

  listAssociations(input: Input): Json {
    this.tick();
    const v = new Violations();
    const keys = ["InstanceId", "Name", "AssociationId", "AssociationStatusName", "LastExecutedBefore", "LastExecutedAfter", "AssociationName", "ResourceGroupName"];
    const filters = v.list<{ key: string; value: string }>(input["AssociationFilterList"], "associationFilterList", 1, 100);
    filters.forEach((f, i) => {
      const at = `associationFilterList.${i + 1}.member`;
      if (v.required(f?.key, `${at}.key`)) v.oneOf(f.key, `${at}.key`, keys);
      if (v.required(f?.value, `${at}.value`)) v.string(f.value, `${at}.value`, { min: 1 });
    });
    v.integer(input["MaxResults"], "maxResults", 1, 50);
    this.throwViolations(v);
    const timeFilter = (value: string) => {
      const t = Date.parse(value);
      if (Number.isNaN(t)) this.fail("ValidationException", `Invalid timestamp ${value} in the filter; use ISO 8601, e.g. 2019-02-18T16:00:00Z.`);
      return t;
    };
    const matches = (record: AssociationRecord) =>
      filters.every(({ key, value }) => {
        const config = record.config;
        switch (key) {
          case "InstanceId":
            return config.InstanceId === value;
          case "Name":
            return documentNameOf(config.Name) === documentNameOf(value);
          case "AssociationId":
            return record.associationId === value;
          case "AssociationStatusName":
            return record.overview.status === value;
          case "LastExecutedBefore":
            return record.lastExecutionDate !== undefined && record.lastExecutionDate < timeFilter(value);
          case "LastExecutedAfter":
            return record.lastExecutionDate !== undefined && record.lastExecutionDate > timeFilter(value);
          case "AssociationName":
            return config.AssociationName === value;
          default:
            return (config.Targets ?? []).some((t) => t.Key === "resource-groups:Name" && (t.Values ?? []).includes(value));
        }
      });
    const all = Object.values(this.state.associations).filter(matches);
    const { items, nextToken } = page(all, input, scopeOf("ListAssociations", input), this.deps.fail, 50);
    return drop({ Associations: items.map((r) => this.listItem(r)), NextToken: nextToken });
  }

  listAssociationVersions(input: Input): Json {
    this.tick();
    const v = new Violations();
    if (v.required(input["AssociationId"], "associationId")) v.string(input["AssociationId"], "associationId", { pattern: PATTERNS.associationId });
    v.integer(input["MaxResults"], "maxResults", 1, 50);
    this.throwViolations(v);
    const record = this.find({ AssociationId: input["AssociationId"] });
    const { items, nextToken } = page(record.versions, input, scopeOf("ListAssociationVersions", input), this.deps.fail, 50);
    return drop({
      AssociationVersions: items.map(({ version, createdDate, config }) =>
        drop({
          AssociationId: record.associationId,
          AssociationVersion: String(version),
          CreatedDate: seconds(createdDate),
          Name: config.Name,
          DocumentVersion: config.DocumentVersion,
          Parameters: config.Parameters,
          Targets: this.wireTargets(config, this.documentTypeOf(config)),
          ScheduleExpression: config.ScheduleExpression,
          OutputLocation: config.OutputLocation,
          AssociationName: config.AssociationName,
          MaxErrors: config.MaxErrors,
          MaxConcurrency: config.MaxConcurrency,
          ComplianceSeverity: config.ComplianceSeverity,
          SyncCompliance: config.SyncCompliance,
          ApplyOnlyAtCronInterval: config.ApplyOnlyAtCronInterval ?? false,
          CalendarNames: config.CalendarNames,
          TargetLocations: config.TargetLocations,
          ScheduleOffset: config.ScheduleOffset,
          Duration: config.Duration,
          TargetMaps: config.TargetMaps,
        }),
      ),
      NextToken: nextToken,
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
    this.tick();
    const v = new Violations();
    if (v.required(input["AssociationId"], "associationId")) v.string(input["AssociationId"], "associationId", { pattern: PATTERNS.associationId });
    const filters = v.list<{ Key: string; Value: string; Type: string }>(input["Filters"], "filters", 1, 1000);
    filters.forEach((f, i) => {
      const at = `filters.${i + 1}.member`;
      if (v.required(f?.Key, `${at}.key`)) v.oneOf(f.Key, `${at}.key`, ["ExecutionId", "Status", "CreatedTime"]);
      if (v.required(f?.Value, `${at}.value`)) v.string(f.Value, `${at}.value`, { min: 1 });
      if (v.required(f?.Type, `${at}.type`)) v.oneOf(f.Type, `${at}.type`, ["EQUAL", "LESS_THAN", "GREATER_THAN"]);
    });
    v.integer(input["MaxResults"], "maxResults", 1, 50);
    this.throwViolations(v);
    const record = this.find({ AssociationId: input["AssociationId"] });
    const compare = (actual: number, type: string, wanted: number) => (type === "EQUAL" ? actual === wanted : type === "LESS_THAN" ? actual < wanted : actual > wanted);
    const all = [...(this.state.executions[record.associationId] ?? [])].reverse().filter((e) =>
      filters.every((f) => {
        if (f.Key === "ExecutionId") return e.executionId === f.Value;
        if (f.Key === "Status") return e.status === f.Value;
        const wanted = Date.parse(f.Value);
        if (Number.isNaN(wanted)) this.fail("ValidationException", `Invalid CreatedTime ${f.Value}; use ISO 8601, e.g. 2019-02-18T16:00:00Z.`);
        return compare(e.createdTime, f.Type, wanted);
      }),
    );
    const { items, nextToken } = page(all, input, scopeOf("DescribeAssociationExecutions", input), this.deps.fail, 50);
    return drop({ AssociationExecutions: items.map((e) => this.executionItem(e)), NextToken: nextToken });
  }

  describeAssociationExecutionTargets(input: Input): Json {
    this.tick();
    const v = new Violations();
    if (v.required(input["AssociationId"], "associationId")) v.string(input["AssociationId"], "associationId", { pattern: PATTERNS.associationId });
    if (v.required(input["ExecutionId"], "executionId")) v.string(input["ExecutionId"], "executionId", { pattern: PATTERNS.associationId });
    const filters = v.list<{ Key: string; Value: string }>(input["Filters"], "filters", 1, 1000);
    filters.forEach((f, i) => {
      const at = `filters.${i + 1}.member`;
      if (v.required(f?.Key, `${at}.key`)) v.oneOf(f.Key, `${at}.key`, ["Status", "ResourceId", "ResourceType"]);
      if (v.required(f?.Value, `${at}.value`)) v.string(f.Value, `${at}.value`, { min: 1 });
    });
    v.integer(input["MaxResults"], "maxResults", 1, 50);
    this.throwViolations(v);
    const record = this.find({ AssociationId: input["AssociationId"] });
    const execution = (this.state.executions[record.associationId] ?? []).find((e) => e.executionId === input["ExecutionId"]);
    if (!execution) this.fail("AssociationExecutionDoesNotExist", `Execution ${input["ExecutionId"]} does not exist for association ${record.associationId}.`);
    const all = execution.targets.filter((t) =>
      filters.every((f) => (f.Key === "Status" ? t.status === f.Value : f.Key === "ResourceId" ? t.resourceId === f.Value : t.resourceType === f.Value)),
    );
    const { items, nextToken } = page(all, input, scopeOf("DescribeAssociationExecutionTargets", input), this.deps.fail, 50);
    return drop({
      AssociationExecutionTargets: items.map((t) => ({
        AssociationId: record.associationId,
        AssociationVersion: String(execution.associationVersion),
        ExecutionId: execution.executionId,
        ResourceId: t.resourceId,
        ResourceType: t.resourceType,
        Status: t.status,
        DetailedStatus: t.detailedStatus,
        LastExecutionDate: seconds(t.lastExecutionDate),
        OutputSource: { OutputSourceId: t.outputSourceId, OutputSourceType: "RunCommand" },
      })),
      NextToken: nextToken,
    });
  }

  startAssociationsOnce(input: Input): Json {
    this.tick();
    const v = new Violations();
    if (v.required(input["AssociationIds"], "associationIds")) {
      const ids = v.list<string>(input["AssociationIds"], "associationIds", 1, 10);
      ids.forEach((id, i) => v.string(id, `associationIds.${i + 1}.member`, { pattern: PATTERNS.associationId }));
    }
    this.throwViolations(v);
    const ids = input["AssociationIds"] as string[];
    for (const id of ids) if (!this.state.associations[id]) this.fail("AssociationDoesNotExist", `Association ${id} does not exist.`);
    const now = this.deps.nowMs();
    for (const id of ids) runAssociation(this.runContext(), id, now, "manual");
    this.deps.persist();
    return {};
  }

  describeInstanceAssociationsStatus(input: Input): Json {
    this.tick();
    const v = new Violations();
    if (v.required(input["InstanceId"], "instanceId")) v.string(input["InstanceId"], "instanceId", { pattern: PATTERNS.instanceId });
    v.integer(input["MaxResults"], "maxResults", 1, 50);
    this.throwViolations(v);
    const instanceId = input["InstanceId"] as string;
    if (!this.state.fleet.some((i) => i.instanceId === instanceId)) this.fail("InvalidInstanceId", `Instance ${instanceId} is not a managed node.`);
    const results = Object.values(this.state.instanceStatus[instanceId] ?? {}).filter((r) => this.state.associations[r.associationId]);
    const { items, nextToken } = page(results, input, scopeOf("DescribeInstanceAssociationsStatus", input), this.deps.fail, 50);
    return drop({
      InstanceAssociationStatusInfos: items.map((r) =>
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
          AssociationName: r.associationName,
        }),
      ),
      NextToken: nextToken,
    });
  }

  // ---------------------------------------------------------------- fleet

  private instanceAssociationOverview(instance: ManagedInstance): { status?: string; counts: Record<string, number>; last?: number; lastSuccess?: number } {
    const results = Object.values(this.state.instanceStatus[instance.instanceId] ?? {}).filter((r) => this.state.associations[r.associationId]);
    const counts: Record<string, number> = {};
    let last: number | undefined;
    let lastSuccess: number | undefined;
    for (const r of results) {
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      last = Math.max(last ?? 0, r.executionDate);
      if (r.status === "Success") lastSuccess = Math.max(lastSuccess ?? 0, r.executionDate);
    }
    const status = results.length === 0 ? undefined : (counts["Failed"] ?? 0) > 0 ? "Failed" : "Success";
    return { ...(status ? { status } : {}), counts, ...(last !== undefined ? { last } : {}), ...(lastSuccess !== undefined ? { lastSuccess } : {}) };
  }

  describeInstanceInformation(input: Input): Json {
    this.tick();
    const v = new Violations();
    const legacyKeys = ["InstanceIds", "AgentVersion", "PingStatus", "PlatformTypes", "ActivationIds", "IamRole", "ResourceType", "AssociationStatus"];
    const legacy = v.list<{ key: string; valueSet: string[] }>(input["InstanceInformationFilterList"], "instanceInformationFilterList", 0, 1000);
    legacy.forEach((f, i) => {
      const at = `instanceInformationFilterList.${i + 1}.member`;
      if (v.required(f?.key, `${at}.key`)) v.oneOf(f.key, `${at}.key`, legacyKeys);
      if (v.required(f?.valueSet, `${at}.valueSet`)) v.list(f.valueSet, `${at}.valueSet`, 1, 100);
    });
    const filters = v.list<{ Key: string; Values: string[] }>(input["Filters"], "filters", 0, 1000);
    filters.forEach((f, i) => {
      const at = `filters.${i + 1}.member`;
      if (v.required(f?.Key, `${at}.key`)) v.string(f.Key, `${at}.key`, { min: 1, max: 163, pattern: "^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$|^tag-key$" });
      if (v.required(f?.Values, `${at}.values`)) v.list(f.Values, `${at}.values`, 1, 100);
    });
    v.integer(input["MaxResults"], "maxResults", 5, 50);
    this.throwViolations(v);
    if (legacy.length > 0 && filters.length > 0) this.fail("InvalidFilterKey", "");

    const known = ["ActivationIds", "AgentVersion", "AssociationStatus", "IamRole", "InstanceIds", "PingStatus", "PlatformType", "ResourceType", "SourceIds", "SourceTypes"];
    const normalized = [
      ...legacy.map((f) => ({ key: f.key === "PlatformTypes" ? "PlatformType" : f.key, values: f.valueSet })),
      ...filters.map((f) => ({ key: f.Key, values: f.Values })),
    ];
    for (const f of normalized) if (!known.includes(f.key) && f.key !== "tag-key" && !f.key.startsWith("tag:")) this.fail("InvalidFilterKey", "");
    const isTag = (key: string) => key === "tag-key" || key.startsWith("tag:");
    if (normalized.some((f) => isTag(f.key)) && normalized.some((f) => !isTag(f.key))) {
      this.fail("InvalidInstanceInformationFilterValue", "Tag filters cannot be combined with other filter types.");
    }
    for (const f of normalized) {
      if (f.key === "PingStatus") for (const value of f.values) if (!(PING_STATUSES as readonly string[]).includes(value)) this.fail("InvalidInstanceInformationFilterValue", `${value} is not a valid PingStatus.`);
      if (f.key === "PlatformType") for (const value of f.values) if (!(PLATFORM_TYPES as readonly string[]).includes(value)) this.fail("InvalidInstanceInformationFilterValue", `${value} is not a valid PlatformType.`);
      if (f.key === "ResourceType") for (const value of f.values) if (value !== "ManagedInstance" && value !== "EC2Instance") this.fail("InvalidInstanceInformationFilterValue", `${value} is not a valid ResourceType.`);
      if (f.key === "InstanceIds") {
        for (const value of f.values) {
          if (!INSTANCE_ID_PATTERN.test(value) || !this.state.fleet.some((i) => i.instanceId === value)) this.fail("InvalidInstanceId", `Instance ${value} is not a managed node.`);
        }
      }
    }
    const visible = this.state.fleet.filter((i) => i.pingStatus !== "Inactive");
    const matching = visible.filter((instance) =>
      normalized.every(({ key, values }) => {
        const overview = this.instanceAssociationOverview(instance);
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
          case "AssociationStatus":
            return overview.status !== undefined && values.includes(overview.status);
          case "tag-key":
            return values.some((k) => k in instance.tags);
          default:
            if (key.startsWith("tag:")) return values.includes(instance.tags[key.slice(4)] ?? "\u0000");
            return false; // ActivationIds, IamRole, SourceIds, SourceTypes: the simulated fleet has none.
        }
      }),
    );
    const { items, nextToken } = page(matching, input, scopeOf("DescribeInstanceInformation", input), this.deps.fail, 10);
    return drop({
      InstanceInformationList: items.map((instance) => {
        const overview = this.instanceAssociationOverview(instance);
        return drop({
          InstanceId: instance.instanceId,
          PingStatus: instance.pingStatus,
          LastPingDateTime: seconds(this.deps.nowMs()),
          AgentVersion: instance.agentVersion,
          IsLatestVersion: instance.agentVersion === "3.3.1142.0",
          PlatformType: instance.platformType,
          PlatformName: instance.platformName,
          PlatformVersion: instance.platformVersion,
          RegistrationDate: instance.resourceType === "ManagedInstance" ? seconds(instance.registrationDate) : undefined,
          ResourceType: instance.resourceType,
          Name: instance.name,
          IPAddress: instance.ipAddress,
          ComputerName: instance.computerName,
          AssociationStatus: overview.status,
          LastAssociationExecutionDate: seconds(overview.last),
          LastSuccessfulAssociationExecutionDate: seconds(overview.lastSuccess),
          AssociationOverview: overview.status ? { DetailedStatus: overview.status, InstanceAssociationStatusAggregatedCount: overview.counts } : undefined,
          SourceId: instance.instanceId,
          SourceType: instance.resourceType === "EC2Instance" ? "AWS::EC2::Instance" : "AWS::SSM::ManagedInstance",
        });
      }),
      NextToken: nextToken,
    });
  }

  // ---------------------------------------------------------------- simulation controls (library and CLI)

  /** Runs whatever the schedule says is due by now. Every operation calls it first. */
  tick(): ExecutionRecord[] {
    const ran = runDue(this.runContext(), this.deps.nowMs());
    if (ran.length > 0) this.deps.persist();
    return ran;
  }

  /** Changes the fleet through `change`, then bootstraps instances that newly match associations. */
  changeFleet(change: (fleet: ManagedInstance[]) => ManagedInstance[] | void): ExecutionRecord[] {
    this.tick();
    const before = targetSnapshot(this.state);
    const replaced = change(this.state.fleet);
    if (replaced) this.state.fleet = replaced;
    const ran = afterFleetChange(this.runContext(), before, this.deps.nowMs());
    this.deps.persist();
    return ran;
  }

  /** True when some association uses the document (DeleteDocument must then fail with AssociatedInstances). */
  documentInUse(documentName: string): boolean {
    return Object.values(this.state.associations).some((r) => documentNameOf(r.config.Name) === documentName);
  }

  // ---------------------------------------------------------------- tags (Association and ManagedInstance)

  /** The tags of an association or managed instance, or undefined if there is no such resource. */
  getTags(resourceType: "Association" | "ManagedInstance", resourceId: string): Record<string, string> | undefined {
    if (resourceType === "Association") {
      const record = this.state.associations[resourceId];
      return record ? { ...(record.tags ?? {}) } : undefined;
    }
    const instance = this.state.fleet.find((i) => i.instanceId === resourceId);
    return instance ? { ...instance.tags } : undefined;
  }

  /** Replaces the tags of an association or managed instance (a managed instance may then be bootstrapped). */
  setTags(resourceType: "Association" | "ManagedInstance", resourceId: string, tags: Record<string, string>): void {
    if (resourceType === "Association") {
      const record = this.state.associations[resourceId];
      if (record) record.tags = { ...tags };
      this.deps.persist();
      return;
    }
    this.changeFleet((fleet) => {
      const instance = fleet.find((i) => i.instanceId === resourceId);
      if (instance) instance.tags = { ...tags };
    });
  }
}
