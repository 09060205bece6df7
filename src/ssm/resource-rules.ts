/**
 * The checks `statectl validate` makes on evaluated `association` and `document` resources before
 * anything reaches AWS: everything in the API's constraints that can be known offline (names,
 * schedules, parameters against the document's declarations, targets, rates, enums, tags, output
 * location, duration, document content). Pure: the caller passes plain values and turns each
 * problem's `path` (and optional `span` inside a string) into a source range.
 */
import type { DiagnosticCode } from "../diag/codes.js";
import { didYouMean } from "../diag/suggest.js";
import {
  checkParameters,
  declaredParameters,
  withTargetParameter,
  type DeclaredParameter,
} from "./association-parameters.js";
import { AWS_OWNED_DOCUMENTS, findAwsOwnedDocument } from "./aws-documents.js";
import { checkDocumentContent } from "./document-checks.js";
import type { DocumentFormat } from "./document-model.js";
import { validateAssociationSchedule } from "./schedule.js";

/** Stands for a value known only after apply; rules skip it. */
export const UNKNOWN_VALUE: unique symbol = Symbol("unknown");

export interface ResourceProblem {
  severity: "error" | "warning";
  /** Stable `ssm/...` code (see docs/validation.md). */
  code: DiagnosticCode;
  summary: string;
  detail: string;
  hint?: string;
  /** Argument path: `["schedule"]`, `["targets", 0, "values"]`, `["parameters", "commands"]`. */
  path: (string | number)[];
  /** Character offsets inside the string value at `path`, when the mistake is one part of it. */
  span?: { start: number; end: number };
  /** For `parameters`: the problem is about the key, not the value. */
  onKey?: boolean;
  /**
   * For problems inside a document's content (`path` is `["content"]`): offsets in the content
   * text (see `checkDocument(...).content`), the key path inside the content, and whether the
   * problem is about the key, or about a key missing from the object at that path.
   */
  inContent?: { start: number; end: number; path: (string | number)[]; onKey?: boolean; missing?: boolean };
}

/** A document of the configuration, by the name it will have in SSM. */
export interface ManagedDocument {
  name: string;
  documentType: string;
  /** Parsed content, or undefined when it cannot be known or parsed offline. */
  content: Record<string, unknown> | undefined;
}

type Attrs = Readonly<Record<string, unknown>>;

const isString = (v: unknown): v is string => typeof v === "string";
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
const DOCUMENT_REFERENCE_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const DOCUMENT_VERSION_PATTERN = /^(\$LATEST|\$DEFAULT|[1-9][0-9]*)$/;
const VERSION_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{1,128}$/;
const DISPLAY_NAME_PATTERN = /^[\w.\-:/ ]*$/;
const TARGET_TYPE_PATTERN = /^\/[\w.\-:/]*$/;
const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
const TARGET_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=\-@]*$/u;
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ROLE_ARN_PATTERN = /^arn:aws(-[^:]+)?:iam::[0-9]{12}:role\/.+$/;
export const COMPLIANCE_SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"] as const;
export const SYNC_COMPLIANCE_VALUES = ["AUTO", "MANUAL"] as const;
export const DOCUMENT_TYPES = [
  "Command",
  "Policy",
  "Automation",
  "Session",
  "Package",
  "ApplicationConfiguration",
  "ApplicationConfigurationSchema",
  "DeploymentStrategy",
  "ChangeCalendar",
  "Automation.ChangeTemplate",
  "ProblemAnalysis",
  "ProblemAnalysisTemplate",
  "CloudFormation",
  "ConformancePackTemplate",
  "QuickSetup",
  "ManualApprovalPolicy",
  "AutoApprovalPolicy",
] as const;
/** Target keys State Manager accepts besides `tag:<key>`. */
const TARGET_KEYS = [
  "InstanceIds",
  "instanceids",
  "tag-key",
  "resource-groups:Name",
  "resource-groups:ResourceTypeFilters",
  "ParameterValues",
  "ResourceGroup",
  "AWS::EC2::Instance",
  "aws:NoOpAutomationTag",
];
/** Documents larger than this are rejected by CreateDocument. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
export const MAX_TAGS = 50;

function checkTags(tags: unknown, out: ResourceProblem[]): void {
  if (!isRecord(tags)) return;
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS)
    out.push({
      severity: "error",
      code: "ssm/too-many-tags",
      summary: "Too many tags",
      detail: `SSM allows at most ${MAX_TAGS} tags on a resource; this one has ${keys.length}.`,
      hint: "remove tags or combine them",
      path: ["tags"],
    });
  for (const key of keys) {
    const value = tags[key];
    if (key.length < 1 || key.length > 128 || !TAG_PATTERN.test(key))
      out.push({
        severity: "error",
        code: "ssm/invalid-tag",
        summary: "Invalid tag key",
        detail: `The tag key "${key}" must be 1 to 128 letters, digits, spaces or _ . : / = + - @.`,
        hint: "rename the tag key",
        path: ["tags", key],
        onKey: true,
      });
    else if (key.toLowerCase().startsWith("aws:"))
      out.push({
        severity: "error",
        code: "ssm/reserved-tag-key",
        summary: "Reserved tag key",
        detail: `Tag keys starting with "aws:" are reserved for AWS; "${key}" cannot be set.`,
        hint: "use a key without the aws: prefix",
        path: ["tags", key],
        onKey: true,
      });
    if (isString(value) && (value.length > 256 || !TAG_PATTERN.test(value)))
      out.push({
        severity: "error",
        code: "ssm/invalid-tag",
        summary: "Invalid tag value",
        detail: `The value of tag "${key}" must be at most 256 letters, digits, spaces or _ . : / = + - @.`,
        hint: "shorten the value or remove the other characters",
        path: ["tags", key],
      });
  }
}

function patternProblem(
  code: DiagnosticCode,
  summary: string,
  path: (string | number)[],
  value: unknown,
  pattern: RegExp,
  detail: string,
  hint: string,
  out: ResourceProblem[],
): void {
  if (isString(value) && !pattern.test(value))
    out.push({ severity: "error", code, summary, detail: detail.replace("%s", value), hint, path });
}

/** Where an association's document parameters come from, if they can be known offline. */
export function findDocumentDeclarations(
  documentName: string,
  managed: ReadonlyMap<string, ManagedDocument>,
): { documentType: string; parameters: Record<string, DeclaredParameter> } | undefined {
  const own = managed.get(documentName);
  if (own)
    return own.content ? { documentType: own.documentType, parameters: declaredParameters(own.content) } : undefined;
  const aws = findAwsOwnedDocument(documentName);
  if (aws) return { documentType: aws.documentType, parameters: declaredParameters(aws.content) };
  return undefined;
}

/** Checks one association's arguments (plain values; UNKNOWN_VALUE where not known yet). */
export function checkAssociation(attrs: Attrs, managed: ReadonlyMap<string, ManagedDocument>): ResourceProblem[] {
  const out: ResourceProblem[] = [];
  const name = attrs["name"];
  patternProblem(
    "ssm/invalid-association-name",
    "Invalid association name",
    ["name"],
    name,
    NAME_PATTERN,
    'The association name "%s" must be 3 to 128 letters, digits, _ - or . characters.',
    "rename the association",
    out,
  );
  const document = attrs["document"];
  patternProblem(
    "ssm/invalid-document-reference",
    "Invalid document name",
    ["document"],
    document,
    DOCUMENT_REFERENCE_PATTERN,
    'The document "%s" must be a document name or ARN of 3 to 128 letters, digits and _ - . : / characters.',
    "check the document name",
    out,
  );
  const version = attrs["document_version"];
  patternProblem(
    "ssm/invalid-document-version",
    "Invalid document version",
    ["document_version"],
    version,
    DOCUMENT_VERSION_PATTERN,
    'The document version "%s" must be $LATEST, $DEFAULT or a version number (1, 2, …).',
    'use "$DEFAULT", "$LATEST" or a number',
    out,
  );

  // Schedule: expression, offset and apply_only_at_cron_interval together, only when all are known.
  const schedule = attrs["schedule"];
  const offset = attrs["schedule_offset"];
  const applyOnly = attrs["apply_only_at_cron_interval"];
  if (schedule !== UNKNOWN_VALUE && offset !== UNKNOWN_VALUE && applyOnly !== UNKNOWN_VALUE) {
    const result = validateAssociationSchedule({
      scheduleExpression: isString(schedule) ? schedule : undefined,
      scheduleOffset: typeof offset === "number" ? offset : undefined,
      applyOnlyAtCronInterval: applyOnly === true ? true : undefined,
    });
    for (const p of result.problems) {
      if (p.member === "ScheduleExpression") {
        const tooLong = isString(schedule) && schedule.length > 256;
        out.push({
          severity: "error",
          code: "ssm/invalid-schedule",
          summary: "Invalid schedule",
          detail: tooLong ? "A schedule expression is at most 256 characters." : p.message,
          hint: 'write cron(minutes hours day-of-month month day-of-week year) or rate(N minutes|hours|days), e.g. "cron(0 2 ? * SUN *)" or "rate(1 day)"',
          path: ["schedule"],
          span: { start: p.start, end: p.end },
        });
      } else if (p.member === "ScheduleOffset") {
        out.push({
          severity: "error",
          code: "ssm/invalid-schedule-offset",
          summary: "Invalid schedule offset",
          detail: p.message,
          hint: "use 1 to 6 with a cron() schedule and apply_only_at_cron_interval = true, or remove schedule_offset",
          path: ["schedule_offset"],
        });
      } else {
        out.push({
          severity: "error",
          code: "ssm/apply-only-at-cron-interval",
          summary: "apply_only_at_cron_interval without a cron schedule",
          detail: p.message,
          hint: "add a cron() schedule or remove apply_only_at_cron_interval",
          path: ["apply_only_at_cron_interval"],
        });
      }
    }
  }

  // Targets.
  const targets = attrs["targets"];
  if (Array.isArray(targets)) {
    targets.forEach((t, i) => {
      if (!isRecord(t)) return;
      const key = t["key"];
      const values = t["values"];
      if (isString(key)) {
        const ok =
          key.length >= 1 &&
          key.length <= 163 &&
          (key.startsWith("tag:") ? key.length > 4 && TARGET_KEY_PATTERN.test(key) : TARGET_KEYS.includes(key));
        if (!ok) {
          const suggestion = didYouMean(key, TARGET_KEYS);
          out.push({
            severity: "error",
            code: "ssm/invalid-target-key",
            summary: "Unsupported target key",
            detail: `"${key}" is not a target key State Manager knows: use InstanceIds, tag:<tag name>, tag-key or resource-groups:Name.`,
            hint: suggestion ? `did you mean "${suggestion}"?` : 'for a tag write "tag:Name"',
            path: ["targets", i, "key"],
          });
        }
      }
      if (Array.isArray(values)) {
        if (values.length > 50)
          out.push({
            severity: "error",
            code: "ssm/too-many-target-values",
            summary: "Too many target values",
            detail: `A target takes at most 50 values; this one has ${values.length}.`,
            hint: "split the values over several associations or target by tag",
            path: ["targets", i, "values"],
          });
        if ((key === "InstanceIds" || key === "instanceids") && values.includes("*") && values.length > 1)
          out.push({
            severity: "error",
            code: "ssm/instance-ids-wildcard",
            summary: '"*" must stand alone',
            detail: 'InstanceIds = ["*"] targets every managed node; "*" cannot be combined with instance ids.',
            hint: 'use values = ["*"] alone, or list the ids',
            path: ["targets", i, "values"],
          });
      }
    });
  }

  checkRate(
    "max_concurrency",
    "ssm/invalid-max-concurrency",
    attrs["max_concurrency"],
    MAX_CONCURRENCY_PATTERN,
    "a number from 1 or a percentage from 1% to 100%",
    out,
  );
  checkRate(
    "max_errors",
    "ssm/invalid-max-errors",
    attrs["max_errors"],
    MAX_ERRORS_PATTERN,
    "a number from 0 or a percentage from 0% to 100%",
    out,
  );
  checkEnum(
    "compliance_severity",
    "ssm/invalid-compliance-severity",
    attrs["compliance_severity"],
    COMPLIANCE_SEVERITIES,
    out,
  );
  checkEnum("sync_compliance", "ssm/invalid-sync-compliance", attrs["sync_compliance"], SYNC_COMPLIANCE_VALUES, out);

  const duration = attrs["duration"];
  if (typeof duration === "number" && (!Number.isInteger(duration) || duration < 1 || duration > 24))
    out.push({
      severity: "error",
      code: "ssm/invalid-duration",
      summary: "Invalid duration",
      detail: `duration is the number of hours a run may take, a whole number from 1 to 24; ${duration} is not.`,
      hint: "use 1 to 24",
      path: ["duration"],
    });

  const role = attrs["dispatch_assume_role"];
  if (isString(role) && (role.length > 512 || !ROLE_ARN_PATTERN.test(role)))
    out.push({
      severity: "error",
      code: "ssm/invalid-dispatch-role",
      summary: "Invalid dispatch role",
      detail: `dispatch_assume_role must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME); "${role}" is not.`,
      hint: "give the role's full ARN",
      path: ["dispatch_assume_role"],
    });
  const atpn = attrs["automation_target_parameter_name"];
  if (isString(atpn) && (atpn.length < 1 || atpn.length > 50))
    out.push({
      severity: "error",
      code: "ssm/invalid-automation-target-parameter",
      summary: "Invalid automation_target_parameter_name",
      detail: "automation_target_parameter_name is 1 to 50 characters.",
      hint: "use the name of the document's target parameter, e.g. InstanceId",
      path: ["automation_target_parameter_name"],
    });

  const output = attrs["output_location"];
  if (isRecord(output)) {
    const limits: [string, number, number][] = [
      ["s3_bucket", 3, 63],
      ["s3_key_prefix", 0, 500],
      ["s3_region", 3, 20],
    ];
    for (const [field, min, max] of limits) {
      const v = output[field];
      if (isString(v) && (v.length < min || v.length > max))
        out.push({
          severity: "error",
          code: "ssm/invalid-output-location",
          summary: "Invalid output location",
          detail: `${field} must be ${min === 0 ? `at most ${max}` : `${min} to ${max}`} characters; "${v}" has ${v.length}.`,
          hint:
            field === "s3_bucket"
              ? "give an S3 bucket name (3 to 63 characters)"
              : field === "s3_region"
                ? "give a region such as us-east-1"
                : "shorten the prefix",
          path: ["output_location", field],
        });
    }
  }
  checkTags(attrs["tags"], out);
  const targetMaps = attrs["target_maps"];
  checkTargetMaps(targetMaps, Array.isArray(targets) && targets.length > 0, out);

  // Parameters against the document's declarations (when the document is known offline).
  if (isString(document)) {
    const found = findDocumentDeclarations(document, managed);
    if (found) {
      if (found.documentType === "Package")
        out.push({
          severity: "error",
          code: "ssm/unsupported-document-type",
          summary: "Document type not supported",
          detail: `"${document}" is a Package document; associations run Command, Policy and Automation documents only.`,
          hint: "associate AWS-ConfigureAWSPackage with name = the package instead",
          path: ["document"],
        });
      if (
        found.documentType !== "Automation" &&
        Array.isArray(targets) &&
        targets.length === 0 &&
        attrs["target_maps"] === null
      )
        out.push({
          severity: "error",
          code: "ssm/missing-targets",
          summary: "No targets",
          detail: `An association of the ${found.documentType} document "${document}" must say which nodes it runs on.`,
          hint: 'add a targets block, e.g. targets { key = "tag:Role" values = ["web"] }',
          path: [],
        });
      const declared =
        found.documentType === "Automation" && isString(atpn)
          ? withTargetParameter(found.parameters, atpn)
          : found.parameters;
      checkAssociationParameters(
        attrs["parameters"],
        { ...declared },
        document,
        out,
        parametersEveryTargetMapGives(targetMaps),
      );
      if (found.documentType !== "Automation" && Array.isArray(targets))
        targets.forEach((t, i) => {
          if (isRecord(t) && t["key"] === "ParameterValues")
            out.push({
              severity: "error",
              code: "ssm/invalid-target-key",
              summary: "Unsupported target key",
              detail: `ParameterValues targets run an Automation runbook once per value; "${document}" is a ${found.documentType} document, which runs on managed nodes.`,
              hint: "target nodes (InstanceIds, tag:<tag name>, resource-groups:Name), or associate an Automation runbook",
              path: ["targets", i, "key"],
            });
        });
    } else if (/^(AWS|Amazon)/.test(document) && !managed.has(document)) {
      // The catalog holds only some of AWS's documents, so only a near miss of one it knows is
      // called a mistake (SSM would answer InvalidDocument half-way through an apply).
      const near = didYouMean(
        document,
        AWS_OWNED_DOCUMENTS.map((d) => d.name),
      );
      if (near)
        out.push({
          severity: "error",
          code: "ssm/unknown-aws-document",
          summary: "Unknown AWS-owned document",
          detail: `AWS publishes no document named "${document}"; SSM would refuse the association with InvalidDocument.`,
          hint: `did you mean "${near}"?`,
          path: ["document"],
        });
    }
  }
  return out;
}

/** TargetMaps' limits (0–300 maps of 1–20 keys, each to 0–25 values), and SSM's refusal of Targets beside them. */
function checkTargetMaps(raw: unknown, hasTargets: boolean, out: ResourceProblem[]): void {
  if (!Array.isArray(raw) || raw.length === 0) return;
  if (hasTargets)
    out.push({
      severity: "error",
      code: "ssm/invalid-target-maps",
      summary: "targets and target_maps together",
      detail:
        "SSM refuses an association with both Targets and TargetMaps (InvalidTargetMaps): target_maps names the resources itself, one map of parameter values per run.",
      hint: "remove the targets blocks, or target_maps",
      path: ["target_maps"],
    });
  if (raw.length > 300)
    out.push({
      severity: "error",
      code: "ssm/invalid-target-maps",
      summary: "Too many target maps",
      detail: `target_maps holds at most 300 maps; this one has ${raw.length}.`,
      hint: "split the association",
      path: ["target_maps"],
    });
  raw.forEach((map, i) => {
    if (!isRecord(map)) return;
    const keys = Object.keys(map);
    if (keys.length < 1 || keys.length > 20)
      out.push({
        severity: "error",
        code: "ssm/invalid-target-maps",
        summary: "Invalid target map",
        detail: `Each map in target_maps has 1 to 20 keys; map ${i} has ${keys.length}.`,
        hint: "give each map the parameters of one run",
        path: ["target_maps", i],
      });
    for (const [k, v] of Object.entries(map)) {
      if (k.length > 50)
        out.push({
          severity: "error",
          code: "ssm/invalid-target-maps",
          summary: "Invalid target map",
          detail: `A target map key is 1 to 50 characters; "${k.slice(0, 60)}…" has ${k.length}.`,
          hint: "use the document's parameter name",
          path: ["target_maps", i, k],
        });
      if (Array.isArray(v) && v.length > 25)
        out.push({
          severity: "error",
          code: "ssm/invalid-target-maps",
          summary: "Invalid target map",
          detail: `A target map value is a list of at most 25 strings; "${k}" has ${v.length}.`,
          hint: "split the values over several maps",
          path: ["target_maps", i, k],
        });
    }
  });
}

/** Parameters every map of target_maps gives a value for: SSM fills them per run, so `parameters` need not. */
function parametersEveryTargetMapGives(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const maps = raw.filter(isRecord);
  const [first] = maps;
  if (first === undefined || maps.length !== raw.length) return [];
  return Object.keys(first).filter((k) => maps.every((m) => k in m));
}

function checkAssociationParameters(
  raw: unknown,
  declared: Record<string, DeclaredParameter>,
  document: string,
  out: ResourceProblem[],
  fromTargetMaps: readonly string[] = [],
): void {
  if (raw === UNKNOWN_VALUE) return;
  const given: Record<string, string[]> = {};
  // Values each run takes from its target map are checked by SSM at run time, not here.
  for (const name of fromTargetMaps) if (Object.prototype.hasOwnProperty.call(declared, name)) given[name] = [];
  let partlyUnknown = false;
  if (isRecord(raw)) {
    for (const [k, v] of Object.entries(raw)) {
      const list = Array.isArray(v) ? v : [v];
      if (v === UNKNOWN_VALUE || list.some((x) => x === UNKNOWN_VALUE)) {
        partlyUnknown = true;
        given[k] = [];
        continue;
      }
      given[k] = list.map((x) => (isString(x) ? x : JSON.stringify(x)));
    }
  }
  const declaredNames = Object.keys(declared);
  for (const problem of checkParameters(declared, given)) {
    const { name, message } = problem;
    const declaration = Object.hasOwn(declared, name) ? declared[name] : undefined;
    const values = Object.hasOwn(given, name) ? given[name] : undefined;
    if (declaration === undefined) {
      const suggestion = didYouMean(name, declaredNames);
      out.push({
        severity: "error",
        code: "ssm/unknown-parameter",
        summary: "Unknown document parameter",
        detail: `The document "${document}" declares no parameter "${name}"${declaredNames.length ? `; it declares ${declaredNames.join(", ")}` : ""}.`,
        hint: suggestion ? `did you mean "${suggestion}"?` : "remove it",
        path: ["parameters", name],
        onKey: true,
      });
    } else if (values === undefined) {
      if (partlyUnknown) continue;
      out.push({
        severity: "error",
        code: "ssm/missing-parameter",
        summary: "Missing required parameter",
        detail: `The document "${document}" requires the parameter "${name}" (it has no default).`,
        hint: `add ${name} = … to parameters`,
        path: ["parameters"],
      });
    } else if (values.length > 0) {
      out.push({
        severity: "error",
        code: "ssm/invalid-parameter-value",
        summary: "Invalid parameter value",
        detail: message,
        hint: describeDeclaration(declaration),

        path: ["parameters", name],
      });
    }
  }
}

function describeDeclaration(d: DeclaredParameter): string {
  const parts = [`type ${d.type ?? "String"}`];
  if (d.allowedValues) parts.push(`one of ${d.allowedValues.map(String).join(", ")}`);
  if (d.allowedPattern) parts.push(`matching ${d.allowedPattern}`);
  return `the document declares it as ${parts.join(", ")}`;
}

function checkRate(
  field: string,
  code: DiagnosticCode,
  value: unknown,
  pattern: RegExp,
  what: string,
  out: ResourceProblem[],
): void {
  if (isString(value) && (value.length > 7 || !pattern.test(value)))
    out.push({
      severity: "error",
      code,
      summary: `Invalid ${field}`,
      detail: `${field} must be ${what}; "${value}" is not.`,
      hint: field === "max_errors" ? 'e.g. "0", "1" or "10%"' : 'e.g. "1", "10" or "50%"',
      path: [field],
    });
}

function checkEnum(
  field: string,
  code: DiagnosticCode,
  value: unknown,
  allowed: readonly string[],
  out: ResourceProblem[],
): void {
  if (isString(value) && !allowed.includes(value)) {
    const suggestion = didYouMean(value, allowed) ?? allowed.find((a) => a === value.toUpperCase());
    out.push({
      severity: "error",
      code,
      summary: `Invalid ${field}`,
      detail: `${field} is one of ${allowed.join(", ")}; "${value}" is not.`,
      hint: suggestion ? `did you mean "${suggestion}"?` : `use one of ${allowed.join(", ")}`,
      path: [field],
    });
  }
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN_VALUE) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  return isRecord(v) && Object.values(v).some(containsUnknown);
}

/** The content of a document resource as SSM would receive it, and its format. */
export function documentContentText(
  content: unknown,
  format: string | undefined,
): { text: string; format: DocumentFormat } | undefined {
  const fmt = (format?.toUpperCase() ?? "JSON") as DocumentFormat;
  // Like the engine: without a format, string content is JSON when it parses as JSON, else YAML.
  if (isString(content))
    return { text: content, format: format !== undefined ? fmt : looksLikeJson(content) ? "JSON" : "YAML" };
  if (isRecord(content) && !containsUnknown(content))
    return { text: JSON.stringify(content), format: fmt === "TEXT" ? "JSON" : fmt };
  return undefined;
}

/** Checks one document's arguments and content; returns the parsed content for association checks. */
export function checkDocument(attrs: Attrs): {
  problems: ResourceProblem[];
  document: ManagedDocument | undefined;
  content?: { text: string; format: DocumentFormat };
} {
  const out: ResourceProblem[] = [];
  const name = attrs["name"];
  patternProblem(
    "ssm/invalid-document-name",
    "Invalid document name",
    ["name"],
    name,
    NAME_PATTERN,
    'The document name "%s" must be 3 to 128 letters, digits, _ - or . characters.',
    "rename the document",
    out,
  );
  if (isString(name) && /^(aws|amazon|amzn)/i.test(name))
    out.push({
      severity: "error",
      code: "ssm/reserved-document-name",
      summary: "Reserved document name",
      detail: `Document names starting with "aws", "amazon" or "amzn" are reserved for AWS; "${name}" cannot be created.`,
      hint: "choose another prefix",
      path: ["name"],
    });
  patternProblem(
    "ssm/invalid-version-name",
    "Invalid version name",
    ["version_name"],
    attrs["version_name"],
    VERSION_NAME_PATTERN,
    'The version name "%s" must be 1 to 128 letters, digits, _ - or . characters.',
    "rename the version",
    out,
  );
  const display = attrs["display_name"];
  if (isString(display) && (display.length > 1024 || !DISPLAY_NAME_PATTERN.test(display)))
    out.push({
      severity: "error",
      code: "ssm/invalid-display-name",
      summary: "Invalid display name",
      detail: `display_name is at most 1024 letters, digits, spaces and _ . - : / characters; "${display}" is not.`,
      hint: "remove the other characters",
      path: ["display_name"],
    });
  const targetType = attrs["target_type"];
  if (isString(targetType) && (targetType.length > 200 || !TARGET_TYPE_PATTERN.test(targetType)))
    out.push({
      severity: "error",
      code: "ssm/invalid-target-type",
      summary: "Invalid target type",
      detail: `target_type is a resource type path such as "/AWS::EC2::Instance" (or "/" for all); "${targetType}" is not.`,
      hint: 'start it with "/"',
      path: ["target_type"],
    });
  const type = attrs["type"];
  if (isString(type) && !(DOCUMENT_TYPES as readonly string[]).includes(type)) {
    const suggestion = didYouMean(type, DOCUMENT_TYPES);
    out.push({
      severity: "error",
      code: "ssm/invalid-document-type",
      summary: "Unknown document type",
      detail: `"${type}" is not a document type SSM knows.`,
      hint: suggestion ? `did you mean "${suggestion}"?` : "use Command, Automation, Policy, Session or Package",
      path: ["type"],
    });
  }
  const format = attrs["format"];
  if (isString(format) && !["JSON", "YAML", "TEXT"].includes(format.toUpperCase())) {
    out.push({
      severity: "error",
      code: "ssm/invalid-document-format",
      summary: "Unknown document format",
      detail: `format is JSON, YAML or TEXT; "${format}" is not.`,
      hint: `use ${format.toUpperCase() === "YML" ? "YAML" : "JSON or YAML"}`,
      path: ["format"],
    });
  }
  checkTags(attrs["tags"], out);

  const documentType = isString(type) ? type : "Command";
  const content = attrs["content"];
  if (
    content === UNKNOWN_VALUE ||
    format === UNKNOWN_VALUE ||
    type === UNKNOWN_VALUE ||
    out.some((p) => p.code === "ssm/invalid-document-format")
  )
    return { problems: out, document: isString(name) ? { name, documentType, content: undefined } : undefined };
  const given = documentContentText(content, isString(format) ? format : undefined);
  let parsed: Record<string, unknown> | undefined;
  if (given) {
    if (Buffer.byteLength(given.text, "utf8") > MAX_DOCUMENT_BYTES)
      out.push({
        severity: "error",
        code: "ssm/document-too-large",
        summary: "Document too large",
        detail: `Document content is at most 64 KB; this one is ${Buffer.byteLength(given.text, "utf8")} bytes.`,
        hint: "split it into several documents (aws:runDocument can call one from another)",
        path: ["content"],
      });
    let checked = checkDocumentContent(given.text, given.format, documentType);
    // Without a format, content that fails both ways and opens like JSON is reported as JSON.
    if (
      format === null &&
      given.format === "YAML" &&
      /^\s*[{[]/.test(given.text) &&
      checked.problems.some((p) => p.code === "ssm/document-parse-error")
    )
      checked = checkDocumentContent(given.text, "JSON", documentType);
    parsed = checked.problems.some((p) => p.severity === "error") ? undefined : checked.value;
    for (const p of checked.problems) {
      const { span, path, onKey, missing, ...rest } = p;
      out.push({
        ...rest,
        path: ["content"],
        inContent: {
          start: span.start,
          end: span.end,
          path,
          ...(onKey ? { onKey } : {}),
          ...(missing ? { missing } : {}),
        },
      });
    }
  }
  return {
    problems: out,
    document: isString(name) ? { name, documentType, content: parsed } : undefined,
    ...(given ? { content: given } : {}),
  };
}
