/**
 * The compliance area: PutComplianceItems, ListComplianceItems, ListComplianceSummaries and
 * ListResourceComplianceSummaries, and State Manager's own reporting — every association run
 * writes an item of type `Association` per instance (Id = the association id, Severity = its
 * ComplianceSeverity, COMPLIANT when the instance succeeded), unless the association's
 * SyncCompliance is MANUAL, in which case only PutComplianceItems reports for it.
 *
 * Store section `compliance`: resource id → compliance type → the last upload for that type
 * (items, execution summary, content hash). Resource type is always ManagedInstance, the only one
 * the API accepts.
 */
import { asNameMap, wireTime, nameMap, type Area, type EndpointCore, type Input } from "./core.js";
import { SsmError, ErrorCode } from "./errors.js";
import { checkPaging, paginate } from "./paging.js";
import { check, type Checker } from "./validate.js";
import { simulationState } from "./associations.js";
import type { AssociationRecord, ExecutionRecord } from "./simulator.js";

export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"] as const;
export type Severity = (typeof SEVERITIES)[number];
const STATUSES = ["COMPLIANT", "NON_COMPLIANT"] as const;
type ComplianceStatus = (typeof STATUSES)[number];
const COMPLIANCE_TYPE_PATTERN = "[A-Za-z0-9_\\-]\\w+|Custom:[a-zA-Z0-9_\\-]\\w+";
const RESOURCE_TYPE = "ManagedInstance";
/** Custom compliance types an account may use (ComplianceTypeCountLimitExceededException). */
export const MAX_CUSTOM_COMPLIANCE_TYPES = 10;
const OPERATORS = ["EQUAL", "NOT_EQUAL", "BEGIN_WITH", "LESS_THAN", "GREATER_THAN"] as const;

export interface StoredComplianceItem {
  id?: string;
  title?: string;
  severity: Severity;
  status: ComplianceStatus;
  details?: Record<string, string>;
  /** Per item, because State Manager's association items each carry their own run. */
  execution: { time: number; id?: string; type?: string };
}

interface ComplianceUpload {
  items: StoredComplianceItem[];
  execution: { time: number; id?: string; type?: string };
  contentHash?: string;
}

/** resource id → compliance type → upload. */
type ComplianceSection = Record<string, Record<string, ComplianceUpload>>;

function section(core: EndpointCore): ComplianceSection {
  const s = core.store.section<ComplianceSection>("compliance", () => nameMap());
  // Resource ids are client input: prototype-free maps, also once read back from disk.
  if (Object.getPrototypeOf(s) !== null) for (const perType of Object.values(asNameMap(s))) asNameMap(perType);
  return s;
}

function fail(code: string, message: string): never {
  throw new SsmError(code, message);
}

// ------------------------------------------------------------------ State Manager's reporting

/** After an association ran: its Association item on each instance it ran on (unless MANUAL). */
function reportAssociationRun(core: EndpointCore, record: AssociationRecord, execution: ExecutionRecord): void {
  if (record.config.SyncCompliance === "MANUAL") return;
  const data = section(core);
  const state = simulationState(core);
  for (const target of execution.targets) {
    if (target.status === "Skipped" || target.resourceType !== "ManagedInstance") continue;
    const result = state.instanceStatus[target.resourceId]?.[record.associationId];
    const perType = (data[target.resourceId] ??= nameMap());
    const upload = (perType["Association"] ??= { items: [], execution: { time: execution.createdTime } });
    const item: StoredComplianceItem = {
      id: record.associationId,
      title: record.config.AssociationName ?? "",
      severity: (record.config.ComplianceSeverity as Severity | undefined) ?? "UNSPECIFIED",
      status: target.status === "Success" ? "COMPLIANT" : "NON_COMPLIANT",
      details: {
        DocumentName: result?.documentName ?? record.config.Name,
        DocumentVersion: result?.documentVersion ?? record.config.DocumentVersion ?? "$DEFAULT",
      },
      execution: { time: execution.createdTime, id: execution.executionId, type: "Command" },
    };
    upload.items = [...upload.items.filter((i) => i.id !== record.associationId), item];
    upload.execution = { time: Math.max(upload.execution.time, execution.createdTime) };
    core.changed("compliance", target.resourceId, "Association");
  }
}

/** A deleted association's items go with it. */
function forgetAssociation(core: EndpointCore, associationId: string): void {
  const data = section(core);
  for (const [resourceId, perType] of Object.entries(data)) {
    const upload = perType["Association"];
    if (!upload?.items.some((i) => i.id === associationId)) continue;
    upload.items = upload.items.filter((i) => i.id !== associationId);
    core.changed("compliance", resourceId, "Association");
  }
}

// ------------------------------------------------------------------ filters

interface Filter {
  Key: string;
  Values: string[];
  Type: (typeof OPERATORS)[number];
}

function checkFilters(c: Checker): Filter[] {
  // As the wire delivers them (checked below): Values and Type may be left out.
  const filters = (c.list("Filters") ?? []) as Array<Pick<Filter, "Key"> & Partial<Filter>>;
  filters.forEach((raw, i) => {
    const f = c.nested(`filters.${i + 1}.member`, raw);
    f.string("Key", { min: 1, max: 200 });
    f.stringList("Values", { min: 1, max: 20 });
    f.string("Type", { enum: [...OPERATORS] });
  });
  return filters.map((f) => ({ Key: f.Key, Values: f.Values ?? [], Type: f.Type ?? "EQUAL" }));
}

/** A filter's test against one value (a string, or epoch ms for time keys). */
function matches(filter: Filter, actual: string | number | undefined): boolean {
  if (actual === undefined) return filter.Type === "NOT_EQUAL";
  const values = filter.Values;
  if (typeof actual === "number") {
    const times = values.map((v) => Date.parse(v));
    if (times.some((t) => Number.isNaN(t)))
      fail("InvalidFilter", `${filter.Key} takes ISO 8601 times, e.g. 2019-02-18T16:00:00Z.`);
    switch (filter.Type) {
      case "LESS_THAN":
        return times.some((t) => actual < t);
      case "GREATER_THAN":
        return times.some((t) => actual > t);
      case "NOT_EQUAL":
        return times.every((t) => actual !== t);
      default:
        return times.some((t) => actual === t);
    }
  }
  switch (filter.Type) {
    case "NOT_EQUAL":
      return values.every((v) => actual !== v);
    case "BEGIN_WITH":
      return values.some((v) => actual.startsWith(v));
    case "LESS_THAN":
      return values.some((v) => actual < v);
    case "GREATER_THAN":
      return values.some((v) => actual > v);
    default:
      return values.includes(actual);
  }
}

function applyFilters<T>(
  filters: readonly Filter[],
  rows: readonly T[],
  field: (row: T, key: string) => string | number | undefined | null,
): T[] {
  return rows.filter((row) =>
    filters.every((f) => {
      const actual = field(row, f.Key);
      if (actual === null) fail("InvalidFilter", `The filter name ${f.Key} isn't valid.`);
      return matches(f, actual);
    }),
  );
}

// ------------------------------------------------------------------ rows and summaries

interface ItemRow {
  resourceId: string;
  complianceType: string;
  item: StoredComplianceItem;
}

/** Orders [key, value] entries as sorting their keys would (default sort order: UTF-16 code units). */
function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function allItems(core: EndpointCore): ItemRow[] {
  const rows: ItemRow[] = [];
  const data = section(core);
  for (const [resourceId, perType] of Object.entries(data).sort(byKey)) {
    for (const [complianceType, upload] of Object.entries(perType).sort(byKey)) {
      for (const item of upload.items) rows.push({ resourceId, complianceType, item });
    }
  }
  return rows;
}

const severityRank = (s: Severity) => SEVERITIES.indexOf(s);
const highest = (items: readonly StoredComplianceItem[]): Severity =>
  items.reduce<Severity>(
    (best, i) => (severityRank(i.severity) < severityRank(best) ? i.severity : best),
    "UNSPECIFIED",
  );

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function emptySeverities(): Record<string, number> {
  return { CriticalCount: 0, HighCount: 0, MediumCount: 0, LowCount: 0, InformationalCount: 0, UnspecifiedCount: 0 };
}
const severityKey = (s: Severity) => `${s[0]}${s.slice(1).toLowerCase()}Count`;

interface ResourceSummary {
  resourceId: string;
  complianceType: string;
  status: ComplianceStatus;
  overallSeverity: Severity;
  execution: { time: number; id?: string; type?: string };
  items: StoredComplianceItem[];
}

function resourceSummaries(core: EndpointCore): ResourceSummary[] {
  const out: ResourceSummary[] = [];
  const data = section(core);
  for (const [resourceId, perType] of Object.entries(data).sort(byKey)) {
    for (const [complianceType, upload] of Object.entries(perType).sort(byKey)) {
      if (upload.items.length === 0) continue;
      const failing = upload.items.filter((i) => i.status === "NON_COMPLIANT");
      out.push({
        resourceId,
        complianceType,
        status: failing.length > 0 ? "NON_COMPLIANT" : "COMPLIANT",
        overallSeverity: highest(failing.length > 0 ? failing : upload.items),
        execution: upload.execution,
        items: upload.items,
      });
    }
  }
  return out;
}

function resourceField(r: ResourceSummary, key: string): string | number | undefined | null {
  switch (key) {
    case "ComplianceType":
      return r.complianceType;
    case "ResourceId":
      return r.resourceId;
    case "ResourceType":
      return RESOURCE_TYPE;
    case "Status":
      return r.status;
    case "OverallSeverity":
      return r.overallSeverity;
    case "ExecutionTime":
      return r.execution.time;
    default:
      return null;
  }
}

function executionSummary(e: { time: number; id?: string; type?: string }): Record<string, unknown> {
  return {
    ExecutionTime: wireTime(e.time),
    ...(e.id !== undefined ? { ExecutionId: e.id } : {}),
    ...(e.type !== undefined ? { ExecutionType: e.type } : {}),
  };
}

function countsOf(
  items: readonly StoredComplianceItem[],
  status: ComplianceStatus,
): { count: number; severities: Record<string, number> } {
  const severities = emptySeverities();
  const matching = items.filter((i) => i.status === status);
  for (const i of matching) bump(severities, severityKey(i.severity));
  return { count: matching.length, severities };
}

// ------------------------------------------------------------------ the area

export const complianceArea: Area = {
  name: "compliance",

  setup(core) {
    core.hooks.associationExecuted.push(reportAssociationRun);
    core.hooks.associationDeleted.push(forgetAssociation);
  },

  operations: {
    PutComplianceItems(input, ctx) {
      const req = check(input, (c) => {
        const resourceId = c.requiredString("ResourceId", { min: 1, max: 100 });
        const resourceType = c.requiredString("ResourceType", { min: 1, max: 50 });
        const complianceType = c.requiredString("ComplianceType", {
          min: 1,
          max: 100,
          pattern: COMPLIANCE_TYPE_PATTERN,
        });
        const summary = c.structure("ExecutionSummary", { required: true }) ?? {};
        const s = c.nested("executionSummary", summary);
        s.string("ExecutionId", { max: 100 });
        s.string("ExecutionType", { max: 50 });
        const items = (c.list("Items", { required: true, min: 0, max: 10000 }) ?? []) as Input[];
        items.forEach((raw, i) => {
          const item = c.nested(`items.${i + 1}.member`, raw);
          item.string("Id");
          item.string("Title", { max: 500 });
          item.string("Severity", { required: true, enum: [...SEVERITIES] });
          item.string("Status", { required: true, enum: [...STATUSES] });
          item.structure("Details");
        });
        const contentHash = c.string("ItemContentHash", { max: 256 });
        const uploadType = c.string("UploadType", { enum: ["COMPLETE", "PARTIAL"] }) ?? "COMPLETE";
        return { resourceId, resourceType, complianceType, summary, items, contentHash, uploadType };
      });
      if (req.resourceType !== RESOURCE_TYPE) fail(ErrorCode.InvalidResourceType, "");
      const state = simulationState(ctx);
      if (!state.fleet.some((i) => i.instanceId === req.resourceId)) fail(ErrorCode.InvalidResourceId, "");
      const time = req.summary["ExecutionTime"];
      if (typeof time !== "number")
        fail(
          ErrorCode.Validation,
          "1 validation error detected: Value null at 'executionSummary.executionTime' failed to satisfy constraint: Member must not be null",
        );
      const execution = {
        time: Math.round(time * 1000),
        ...(typeof req.summary["ExecutionId"] === "string" ? { id: req.summary["ExecutionId"] } : {}),
        ...(typeof req.summary["ExecutionType"] === "string" ? { type: req.summary["ExecutionType"] } : {}),
      };
      const items: StoredComplianceItem[] = req.items.map((raw) => {
        const details = raw["Details"] as Record<string, unknown> | undefined;
        if (details && Object.values(details).some((v) => typeof v !== "string"))
          fail("InvalidItemContentException", "Details values must be strings.");
        return {
          ...(typeof raw["Id"] === "string" ? { id: raw["Id"] } : {}),
          ...(typeof raw["Title"] === "string" ? { title: raw["Title"] } : {}),
          severity: raw["Severity"] as Severity,
          status: raw["Status"] as ComplianceStatus,
          ...(details ? { details: details as Record<string, string> } : {}),
          execution,
        };
      });
      if (req.uploadType === "PARTIAL") {
        // Only association compliance is uploaded in part, and only for associations that leave reporting to you.
        if (req.complianceType !== "Association")
          fail(ErrorCode.Validation, "UploadType PARTIAL is valid only for the Association compliance type.");
        for (const item of items) {
          const association = item.id !== undefined ? state.associations[item.id] : undefined;
          if (!association || association.config.SyncCompliance !== "MANUAL") {
            fail(
              "InvalidItemContentException",
              `Item ${item.id ?? "(no Id)"} must be the id of an association whose SyncCompliance is MANUAL.`,
            );
          }
        }
      }
      const data = section(ctx);
      const perType = (data[req.resourceId] ??= nameMap());
      if (req.complianceType.startsWith("Custom:") && !perType[req.complianceType]) {
        const custom = new Set(
          Object.values(data).flatMap((t) => Object.keys(t).filter((k) => k.startsWith("Custom:"))),
        );
        if (!custom.has(req.complianceType) && custom.size >= MAX_CUSTOM_COMPLIANCE_TYPES) {
          fail(
            "ComplianceTypeCountLimitExceededException",
            `You can specify a maximum of ${MAX_CUSTOM_COMPLIANCE_TYPES} different types.`,
          );
        }
      }
      const previous = perType[req.complianceType];
      if (req.contentHash !== undefined && previous?.contentHash === req.contentHash) return {};
      if (req.uploadType === "PARTIAL" && previous) {
        const replaced = new Set(items.map((i) => i.id));
        previous.items = [...previous.items.filter((i) => !replaced.has(i.id)), ...items];
        previous.execution = execution;
        if (req.contentHash !== undefined) previous.contentHash = req.contentHash;
        else delete previous.contentHash;
      } else {
        perType[req.complianceType] = {
          items,
          execution,
          ...(req.contentHash !== undefined ? { contentHash: req.contentHash } : {}),
        };
      }
      ctx.changed("compliance", req.resourceId, req.complianceType);
      return {};
    },

    ListComplianceItems(input, ctx) {
      const req = check(input, (c) => {
        const filters = checkFilters(c);
        const resourceIds = c.stringList("ResourceIds", { min: 1, item: { min: 1, max: 100 } });
        const resourceTypes = c.stringList("ResourceTypes", { min: 1, item: { min: 1, max: 50 } });
        return { filters, resourceIds, resourceTypes, ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }) };
      });
      if (req.resourceTypes?.some((t) => t !== RESOURCE_TYPE)) fail(ErrorCode.InvalidResourceType, "");
      if (req.resourceIds) {
        const fleet = new Set(simulationState(ctx).fleet.map((i) => i.instanceId));
        const data = section(ctx);
        for (const id of req.resourceIds) if (!fleet.has(id) && !data[id]) fail(ErrorCode.InvalidResourceId, "");
      }
      const wanted = req.resourceIds ? new Set(req.resourceIds) : undefined;
      const rows = applyFilters(
        req.filters,
        allItems(ctx).filter((r) => !wanted || wanted.has(r.resourceId)),
        (r, key): string | number | undefined | null => {
          switch (key) {
            case "ComplianceType":
              return r.complianceType;
            case "Id":
              return r.item.id;
            case "Title":
              return r.item.title;
            case "Status":
              return r.item.status;
            case "Severity":
              return r.item.severity;
            case "ExecutionId":
              return r.item.execution.id;
            case "ExecutionType":
              return r.item.execution.type;
            case "ExecutionTime":
              return r.item.execution.time;
            case "ResourceId":
              return r.resourceId;
            case "ResourceType":
              return RESOURCE_TYPE;
            default:
              if (key.startsWith("Details.")) return r.item.details?.[key.slice(8)];
              return null;
          }
        },
      );
      const page = paginate(
        "ListComplianceItems",
        rows,
        (r) => `${r.resourceId}\u0000${r.complianceType}\u0000${r.item.id ?? ""}`,
        req.maxResults,
        req.nextToken,
      );
      return {
        ComplianceItems: page.items.map((r) => ({
          ComplianceType: r.complianceType,
          ResourceType: RESOURCE_TYPE,
          ResourceId: r.resourceId,
          ...(r.item.id !== undefined ? { Id: r.item.id } : {}),
          Title: r.item.title ?? "",
          Status: r.item.status,
          Severity: r.item.severity,
          ExecutionSummary: executionSummary(r.item.execution),
          Details: { ...(r.item.details ?? {}) },
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    ListResourceComplianceSummaries(input, ctx) {
      const req = check(input, (c) => ({
        filters: checkFilters(c),
        ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }),
      }));
      const rows = applyFilters(req.filters, resourceSummaries(ctx), resourceField);
      const page = paginate(
        "ListResourceComplianceSummaries",
        rows,
        (r) => `${r.resourceId}\u0000${r.complianceType}`,
        req.maxResults,
        req.nextToken,
      );
      return {
        ResourceComplianceSummaryItems: page.items.map((r) => {
          const compliant = countsOf(r.items, "COMPLIANT");
          const nonCompliant = countsOf(r.items, "NON_COMPLIANT");
          return {
            ComplianceType: r.complianceType,
            ResourceType: RESOURCE_TYPE,
            ResourceId: r.resourceId,
            Status: r.status,
            OverallSeverity: r.overallSeverity,
            ExecutionSummary: executionSummary(r.execution),
            CompliantSummary: { CompliantCount: compliant.count, SeveritySummary: compliant.severities },
            NonCompliantSummary: { NonCompliantCount: nonCompliant.count, SeveritySummary: nonCompliant.severities },
          };
        }),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    ListComplianceSummaries(input, ctx) {
      const req = check(input, (c) => ({
        filters: checkFilters(c),
        ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }),
      }));
      const rows = applyFilters(req.filters, resourceSummaries(ctx), resourceField);
      // Resources per compliance type, each counted once under its overall severity.
      const byType = new Map<string, ResourceSummary[]>();
      for (const r of rows) byType.set(r.complianceType, [...(byType.get(r.complianceType) ?? []), r]);
      const types = [...byType.keys()].sort();
      const page = paginate("ListComplianceSummaries", types, (t) => t, req.maxResults, req.nextToken);
      return {
        ComplianceSummaryItems: page.items.map((type) => {
          const resources = byType.get(type) ?? [];
          const compliant = emptySeverities();
          const nonCompliant = emptySeverities();
          for (const r of resources)
            bump(r.status === "COMPLIANT" ? compliant : nonCompliant, severityKey(r.overallSeverity));
          return {
            ComplianceType: type,
            CompliantSummary: {
              CompliantCount: resources.filter((r) => r.status === "COMPLIANT").length,
              SeveritySummary: compliant,
            },
            NonCompliantSummary: {
              NonCompliantCount: resources.filter((r) => r.status === "NON_COMPLIANT").length,
              SeveritySummary: nonCompliant,
            },
          };
        }),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },
  },
};
