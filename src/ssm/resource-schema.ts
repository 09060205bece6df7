/**
 * The one declarative schema of each resource kind (terraform's configschema is the model):
 * every attribute of a `document` and an `association` with its type, whether it is required,
 * optional or computed, its default, what a change to it costs (update in place, a new document
 * version, replacement) and the SSM API member it maps to. The config decoder's block schemas,
 * the evaluator's computed attributes, the planner's change rules, the provider's conversion and
 * the language server's completion and hover are all derived from these two tables.
 */

/**
 * A value's type, spelled structurally so every room can read it without eval's `Type`.
 * `["object", attrs, optionalNames]` marks the listed object attributes optional.
 */
export type ValueType =
  | "string"
  | "number"
  | "bool"
  | "any"
  | readonly ["list" | "set" | "map", ValueType]
  | readonly ["object", Readonly<Record<string, ValueType>>, (readonly string[])?];

export type ChangeRule =
  /** Changed by an API call on the existing resource. */
  | "update"
  /** Documents only: UpdateDocument adds a version carrying the new value. */
  | "new_version"
  /** No API can change it: delete and create again. `reason` says why. */
  | "replace"
  /** statectl's own setting; no SSM call by itself. */
  | "local"
  /** Reported by SSM, never declared. */
  | "computed";

export interface ResourceAttribute {
  readonly type: ValueType;
  /** `required` and `optional` are declared in configuration; `computed` ones SSM reports. */
  readonly mode: "required" | "optional" | "computed";
  readonly change: ChangeRule;
  /** For "replace": why, phrased to follow "must be replaced because". */
  readonly reason?: string;
  /** The value SSM (or statectl) uses when the attribute is left out; equal values are no change. */
  readonly default?: unknown;
  /** The SSM operation that carries a change. */
  readonly via?: string;
  /** The SSM API member the attribute is read from / sent as (`Content`, `AssociationName`). */
  readonly sdk?: string;
  /** False when SSM cannot report the value back: the planner keeps the last applied value. */
  readonly readable?: boolean;
  /** Left out of the configuration, the attribute is whatever exists (SSM cannot take it away). */
  readonly keptWhenUnset?: boolean;
  /** Compare as an unordered set. */
  readonly unordered?: boolean;
  /** How values are compared when not plain JSON equality (document content: by meaning). */
  readonly compare?: "document-content";
  /** Written as nested blocks (`targets { … }`) rather than an argument; at most `max` of them. */
  readonly block?: { readonly max: number };
  /** The type the configuration accepts when wider than the stored one (content: an object is serialised). */
  readonly configType?: ValueType;
  readonly description: string;
}

export interface ResourceSchema {
  readonly kind: "document" | "association";
  readonly description: string;
  readonly attributes: Readonly<Record<string, ResourceAttribute>>;
}

const strList = ["list", "string"] as const;
const tags = {
  type: ["map", "string"],
  mode: "optional",
  change: "update",
  via: "AddTagsToResource/RemoveTagsFromResource",
  sdk: "Tags",
  default: {},
  description: "Tags: key → value.",
} as const;
const computed = (type: ValueType, sdk: string, description: string): ResourceAttribute => ({
  type,
  mode: "computed",
  change: "computed",
  sdk,
  description,
});
const target = ["object", { key: "string", values: strList }] as const;
const alarmConfiguration = [
  "object",
  { ignore_poll_alarm_failure: "bool", alarms: ["list", ["object", { name: "string" }]] },
  ["ignore_poll_alarm_failure"],
] as const;

export const DOCUMENT_RESOURCE = {
  kind: "document",
  description: "An SSM document (Command, Automation, Session, …), versioned by SSM.",
  attributes: {
    name: {
      type: "string",
      mode: "required",
      change: "replace",
      reason: "SSM has no operation that renames a document",
      sdk: "Name",
      description: "The document's name, unique in the account and region.",
    },
    content: {
      type: "string",
      configType: "any",
      mode: "required",
      change: "new_version",
      via: "UpdateDocument",
      sdk: "Content",
      compare: "document-content",
      description: "A string (usually file(...)) or an object serialised by statectl.",
    },
    type: {
      type: "string",
      mode: "optional",
      change: "replace",
      reason: "UpdateDocument cannot change a document's type",
      default: "Command",
      sdk: "DocumentType",
      description: "Command, Automation, Session, Package, … (default Command).",
    },
    format: {
      type: "string",
      mode: "optional",
      change: "new_version",
      via: "UpdateDocument",
      default: "JSON",
      sdk: "DocumentFormat",
      description: "JSON, YAML or TEXT (inferred from the content when left out).",
    },
    target_type: {
      type: "string",
      mode: "optional",
      change: "new_version",
      via: "UpdateDocument",
      sdk: "TargetType",
      description: "The resource type the document runs on, e.g. /AWS::EC2::Instance.",
    },
    version_name: {
      type: "string",
      mode: "optional",
      change: "new_version",
      via: "UpdateDocument",
      // A version keeps its name; removing the argument stops managing it rather than diffing forever.
      keptWhenUnset: true,
      sdk: "VersionName",
      description: "A name for the version this content makes.",
    },
    display_name: {
      type: "string",
      mode: "optional",
      change: "new_version",
      via: "UpdateDocument",
      sdk: "DisplayName",
      description: "A friendly name shown in the console.",
    },
    requires: {
      type: [
        "list",
        [
          "object",
          { name: "string", version: "string", require_type: "string", version_name: "string" },
          ["version", "require_type", "version_name"],
        ],
      ],
      mode: "optional",
      change: "replace",
      reason: "UpdateDocument cannot change a document's requires list",
      sdk: "Requires",
      description: "Documents this one requires (AppConfig and similar).",
    },
    attachments: {
      type: ["list", ["object", { key: "string", values: strList, name: "string" }, ["name"]]],
      mode: "optional",
      change: "new_version",
      via: "UpdateDocument",
      sdk: "Attachments",
      readable: false,
      description: "Files attached to the document (SourceUrl, S3FileUrl, AttachmentReference).",
    },
    permissions: {
      type: strList,
      mode: "optional",
      change: "update",
      via: "ModifyDocumentPermission",
      default: [],
      unordered: true,
      sdk: "AccountIds",
      description: 'Account ids the document is shared with, or ["all"].',
    },
    tags,
    promote: {
      type: "bool",
      mode: "optional",
      change: "local",
      default: true,
      via: "UpdateDocumentDefaultVersion",
      description: "Make each new version the default version (default true).",
    },
    document_version: computed("string", "DocumentVersion", "The version the attributes were read from."),
    default_version: computed("string", "DefaultVersion", "The default version number."),
    latest_version: computed("string", "LatestVersion", "The latest version number."),
    hash: computed("string", "Hash", "Hex SHA-256 of the content, as SSM computes it."),
    status: computed("string", "Status", "Creating, Active, Updating, Deleting or Failed."),
    status_information: computed(
      "string",
      "StatusInformation",
      "Why the status is what it is (e.g. why the document Failed).",
    ),
    owner: computed("string", "Owner", "The account that owns the document."),
    schema_version: computed("string", "SchemaVersion", "The content's schemaVersion."),
    platform_types: computed(strList, "PlatformTypes", "Operating systems the document runs on."),
    parameters: computed(
      [
        "list",
        [
          "object",
          { name: "string", type: "string", description: "string", default_value: "string" },
          ["description", "default_value"],
        ],
      ],
      "Parameters",
      "The parameters the content declares.",
    ),
    created_date: computed("string", "CreatedDate", "When the version was created (ISO 8601)."),
    arn: computed("string", "ARN", "The document's ARN."),
  },
} as const satisfies ResourceSchema;

const viaUpdate = { mode: "optional", change: "update", via: "UpdateAssociation" } as const;

export const ASSOCIATION_RESOURCE = {
  kind: "association",
  description: "An SSM State Manager association: a document applied to targets, on a schedule.",
  attributes: {
    name: { type: "string", ...viaUpdate, sdk: "AssociationName", description: "The association's name." },
    document: {
      type: "string",
      mode: "required",
      change: "replace",
      reason: "an association cannot be moved to another document (UpdateAssociation only changes its version)",
      sdk: "Name",
      description: "The document's name or ARN.",
    },
    document_version: {
      type: "string",
      ...viaUpdate,
      default: "$DEFAULT",
      sdk: "DocumentVersion",
      description: "The document version to run ($DEFAULT, $LATEST or a number).",
    },
    targets: {
      type: ["list", target],
      ...viaUpdate,
      sdk: "Targets",
      block: { max: 5 },
      description: "Which instances to run on: key (InstanceIds, tag:NAME, …) and values.",
    },
    parameters: {
      type: ["map", strList],
      configType: "any",
      ...viaUpdate,
      default: {},
      sdk: "Parameters",
      description: "A map of string lists; a plain string means a one-item list.",
    },
    schedule: { type: "string", ...viaUpdate, sdk: "ScheduleExpression", description: "cron(...) or rate(...)." },
    schedule_offset: {
      type: "number",
      ...viaUpdate,
      sdk: "ScheduleOffset",
      description: "Days after the cron schedule's day to run (1–6).",
    },
    apply_only_at_cron_interval: {
      type: "bool",
      ...viaUpdate,
      default: false,
      sdk: "ApplyOnlyAtCronInterval",
      description: "Run only on the schedule, not when created or updated.",
    },
    compliance_severity: {
      type: "string",
      ...viaUpdate,
      sdk: "ComplianceSeverity",
      description: "CRITICAL, HIGH, MEDIUM, LOW or UNSPECIFIED.",
    },
    max_concurrency: {
      type: "string",
      ...viaUpdate,
      sdk: "MaxConcurrency",
      description: "How many targets at once: a number or a percentage.",
    },
    max_errors: {
      type: "string",
      ...viaUpdate,
      sdk: "MaxErrors",
      description: "How many errors stop the run: a number or a percentage.",
    },
    sync_compliance: {
      type: "string",
      ...viaUpdate,
      default: "AUTO",
      sdk: "SyncCompliance",
      description: "AUTO or MANUAL.",
    },
    output_location: {
      type: [
        "object",
        { s3_bucket: "string", s3_key_prefix: "string", s3_region: "string" },
        ["s3_key_prefix", "s3_region"],
      ],
      ...viaUpdate,
      sdk: "OutputLocation",
      block: { max: 1 },
      description: "Where command output is written in S3.",
    },
    calendar_names: {
      type: strList,
      ...viaUpdate,
      sdk: "CalendarNames",
      description: "Change Calendar documents that gate runs.",
    },
    duration: { type: "number", ...viaUpdate, sdk: "Duration", description: "Hours a run may take (1–24)." },
    automation_target_parameter_name: {
      type: "string",
      ...viaUpdate,
      sdk: "AutomationTargetParameterName",
      description: "The Automation parameter the targets fill.",
    },
    target_maps: {
      type: ["list", ["map", strList]],
      ...viaUpdate,
      sdk: "TargetMaps",
      description: "Target maps (Automation).",
    },
    target_locations: {
      type: ["list", "any"],
      ...viaUpdate,
      sdk: "TargetLocations",
      description: "Accounts and regions to run in (Automation).",
    },
    alarm_configuration: {
      type: alarmConfiguration,
      ...viaUpdate,
      sdk: "AlarmConfiguration",
      block: { max: 1 },
      description: "CloudWatch alarms that stop the association.",
    },
    dispatch_assume_role: {
      type: "string",
      ...viaUpdate,
      sdk: "AssociationDispatchAssumeRole",
      description: "The role State Manager assumes to dispatch.",
    },
    tags,
    wait_for_success: {
      type: "number",
      mode: "optional",
      change: "local",
      description: "Seconds to wait for Success after create and update.",
    },
    association_id: computed("string", "AssociationId", "The association's id."),
    association_version: computed("string", "AssociationVersion", "The association's version; every update adds one."),
    status: computed("string", "Overview.Status", "Pending, Success or Failed."),
    detailed_status: computed("string", "Overview.DetailedStatus", "SSM's detailed status."),
    arn: computed("string", "ARN", "The association's ARN."),
  },
} as const satisfies ResourceSchema;

export function resourceSchema(kind: ResourceSchema["kind"]): ResourceSchema {
  return kind === "document" ? DOCUMENT_RESOURCE : ASSOCIATION_RESOURCE;
}

/** Computed attributes: SSM reports them; a configuration reads them (`document.d.arn`). */
export function computedAttributes(schema: ResourceSchema): string[] {
  return Object.entries(schema.attributes)
    .filter(([, a]) => a.change === "computed")
    .map(([n]) => n);
}

/** statectl's own attributes: never sent to SSM, kept from the configuration in the state. */
export function localAttributes(schema: ResourceSchema): string[] {
  return Object.entries(schema.attributes)
    .filter(([, a]) => a.change === "local")
    .map(([n]) => n);
}

/** Whether a JSON value has type `t`. Object members listed optional may be absent. */
export function conformsTo(t: ValueType, v: unknown): boolean {
  if (t === "any") return v !== undefined;
  if (t === "string") return typeof v === "string";
  if (t === "number") return typeof v === "number";
  if (t === "bool") return typeof v === "boolean";
  if (t[0] === "object") {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    const members = v as Record<string, unknown>;
    const optional = t[2] ?? [];
    return Object.entries(t[1]).every(([k, mt]) =>
      members[k] === undefined ? optional.includes(k) : conformsTo(mt, members[k]),
    );
  }
  if (t[0] === "map")
    return (
      v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((e) => conformsTo(t[1], e))
    );
  return Array.isArray(v) && v.every((e) => conformsTo(t[1], e));
}

/**
 * The part of an attribute set the provider is given: declared attributes only (computed ones
 * are SSM's), without statectl's own settings that no SSM call carries (`wait_for_success`).
 */
export function providerInput(
  schema: ResourceSchema,
  attrs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(schema.attributes)) {
    if (a.mode === "computed" || (a.change === "local" && a.via === undefined)) continue;
    if (attrs[name] !== undefined && attrs[name] !== null) out[name] = attrs[name];
  }
  return out;
}

/**
 * Whether attributes are what the schema describes: required attributes present and every
 * attribute present of its type (absent and null are "not set").
 */
export function conformsToResource(schema: ResourceSchema, attrs: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(schema.attributes).every(([name, a]) =>
    attrs[name] === undefined || attrs[name] === null ? a.mode !== "required" : conformsTo(a.type, attrs[name]),
  );
}
