/**
 * What an SSM document's content means, independent of any endpoint: parsing JSON/YAML content,
 * the schema versions each document type allows, the required structure, parameter declarations
 * (and DescribeDocument's view of them), `{{ name }}` references, and the platforms a document's
 * steps can run on. Problems are thrown as `DocumentContentError` with the SSM error code AWS uses.
 */
import { parseTree, type ParseError } from "jsonc-parser";
import { YAML_ALIAS_BOMB, yaml, yamlValue } from "./lazy.js";
import { defined } from "../diag/invariant.js";

/** A scalar as SSM shows it in text; a list or map (which have no text of their own) as JSON. */
function scalarText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export type DocumentFormat = "JSON" | "YAML" | "TEXT";
export type PlatformType = "Windows" | "Linux" | "MacOS";
export const PLATFORM_ORDER: readonly PlatformType[] = ["Windows", "Linux", "MacOS"];

export const PARAMETER_TYPES = ["String", "StringList", "Boolean", "Integer", "StringMap", "MapList"] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterDeclaration {
  type: string;
  description?: string;
  default?: unknown;
  allowedValues?: unknown[];
  allowedPattern?: string;
  displayType?: string;
  minItems?: number;
  maxItems?: number;
  minChars?: number;
  maxChars?: number;
}

export class DocumentContentError extends Error {
  constructor(
    readonly code: "InvalidDocumentContent" | "InvalidDocumentSchemaVersion",
    message: string,
  ) {
    super(message);
  }
}

/** Parses content in its declared format; TEXT content has no structure and yields undefined. */
export function parseDocumentContent(content: string, format: DocumentFormat): Record<string, unknown> | undefined {
  if (format === "TEXT") return undefined;
  let value: unknown;
  if (format === "JSON") {
    try {
      value = JSON.parse(content);
    } catch (e) {
      const { line, column } = jsonErrorPosition(content, (e as Error).message);
      throw new DocumentContentError(
        "InvalidDocumentContent",
        `JSON not well-formed. at Line: ${line}, Column: ${column}`,
      );
    }
  } else {
    const doc = yaml().parseDocument(content, { prettyErrors: false, uniqueKeys: true });
    // A tag the loader cannot resolve (CloudFormation's !Ref, !Sub …) is an error for SSM's parser.
    const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
    if (problem) {
      const pos = problem.linePos?.[0];
      throw new DocumentContentError(
        "InvalidDocumentContent",
        `YAML not well-formed. at Line: ${pos?.line ?? 1}, Column: ${pos?.col ?? 1}`,
      );
    }
    const plain = yamlValue(doc);
    if ("aliasBomb" in plain)
      throw new DocumentContentError("InvalidDocumentContent", `YAML not accepted: ${YAML_ALIAS_BOMB}.`);
    value = plain.value;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new DocumentContentError(
      "InvalidDocumentContent",
      "The content for the document is not valid: it must be an object.",
    );
  return value as Record<string, unknown>;
}

/**
 * Where the offending token starts (1-based line and column), as SSM's "at Line: L, Column: C".
 * JSON.parse names a position for some errors only ("Unexpected token '}', … is not valid JSON"
 * has none), so a strict jsonc-parser pass finds the first error's offset; the message's
 * position (characters JSON.parse rejects and jsonc-parser allows) and the end are fallbacks.
 */
function jsonErrorPosition(content: string, message: string): { line: number; column: number } {
  const errors: ParseError[] = [];
  parseTree(content, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const m = /position (\d+)/.exec(message);
  const offset = errors[0]?.offset ?? (m ? Number(m[1]) : content.length);
  const before = content.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}

/** Plugins the SSM agent runs (Command and Policy steps; schema 1.2 runtimeConfig keys). */
export const COMMAND_PLUGINS: readonly string[] = [
  "aws:applications",
  "aws:cloudWatch",
  "aws:configureDocker",
  "aws:configurePackage",
  "aws:domainJoin",
  "aws:downloadContent",
  "aws:psModule",
  "aws:refreshAssociation",
  "aws:runDockerAction",
  "aws:runDocument",
  "aws:runPowerShellScript",
  "aws:runShellScript",
  "aws:softwareInventory",
  "aws:updateAgent",
  "aws:updateSsmAgent",
];

/** Actions an Automation runbook step may use. */
export const AUTOMATION_ACTIONS: readonly string[] = [
  "aws:approve",
  "aws:assertAwsResourceProperty",
  "aws:branch",
  "aws:changeInstanceState",
  "aws:copyImage",
  "aws:createImage",
  "aws:createStack",
  "aws:createTags",
  "aws:deleteImage",
  "aws:deleteStack",
  "aws:executeAutomation",
  "aws:executeAwsApi",
  "aws:executeScript",
  "aws:executeStateMachine",
  "aws:invokeLambdaFunction",
  "aws:invokeWebhook",
  "aws:loop",
  "aws:pause",
  "aws:runCommand",
  "aws:runInstances",
  "aws:sleep",
  "aws:updateVariable",
  "aws:waitForAwsResourceProperty",
];

/** The schema versions a document type allows; undefined = any `N.N`. */
export function allowedSchemaVersions(documentType: string): ((v: string) => boolean) | undefined {
  switch (documentType) {
    case "Command":
      return (v) => v === "1.2" || v === "2.0" || v === "2.2";
    case "Policy":
      return (v) => /^([2-9]|[1-9][0-9]+)\.[0-9]+$/.test(v);
    case "Automation":
      return (v) => v === "0.3";
    case "Session":
      return (v) => v === "1.0";
    case "Package":
      return (v) => v === "2.0";
    default:
      return undefined;
  }
}

export interface DocumentAnalysis {
  schemaVersion: string;
  description?: string;
  parameters: Record<string, ParameterDeclaration>;
  platformTypes: PlatformType[];
}

export interface AnalyzeOptions {
  /** Command documents may declare only String and StringList parameters (the user guide's rule). */
  strictCommandParameterTypes?: boolean;
}

/** Checks a parsed document body against its type's rules and extracts what DescribeDocument shows. */
export function analyzeDocument(
  body: Record<string, unknown>,
  documentType: string,
  options: AnalyzeOptions = {},
): DocumentAnalysis {
  const invalid = (message: string) => new DocumentContentError("InvalidDocumentContent", message);
  const rawVersion = body.schemaVersion;
  if (rawVersion === undefined || rawVersion === null)
    throw invalid("Document schema version is required (schemaVersion).");
  const schemaVersion = scalarText(rawVersion);
  const allowed = allowedSchemaVersions(documentType);
  if (!/^[0-9]+\.[0-9]+$/.test(schemaVersion) || (allowed && !allowed(schemaVersion)))
    throw invalid(`Document schema version is invalid. Value: ${schemaVersion}`);

  if (documentType === "CloudFormation" && body.templateBody === undefined)
    throw invalid('object has missing required properties (["templateBody"])');
  const hasSteps = ["Command", "Policy", "Automation"].includes(documentType);
  if (hasSteps) {
    if (schemaVersion === "1.2") {
      const rc = body.runtimeConfig;
      if (typeof rc !== "object" || rc === null || Array.isArray(rc) || Object.keys(rc).length === 0)
        throw invalid("A schema 1.2 document needs a runtimeConfig with at least one plugin.");
      for (const plugin of Object.keys(rc))
        if (!COMMAND_PLUGINS.includes(plugin)) throw invalid(`Unknown plugin "${plugin}" in runtimeConfig.`);
    } else {
      const steps = body.mainSteps;
      if (!Array.isArray(steps) || steps.length === 0)
        throw invalid(`A schema ${schemaVersion} document needs mainSteps with at least one step.`);
      const names = new Set<string>();
      steps.forEach((step, i) => {
        if (typeof step !== "object" || step === null || Array.isArray(step))
          throw invalid(`mainSteps[${i}] must be an object.`);
        const s = step as Record<string, unknown>;
        if (typeof s.action !== "string" || s.action === "") throw invalid(`mainSteps[${i}] has no action.`);
        if (typeof s.name !== "string" || s.name === "") throw invalid(`mainSteps[${i}] has no name.`);
        const known = documentType === "Automation" ? AUTOMATION_ACTIONS : COMMAND_PLUGINS;
        if (!known.includes(s.action)) throw invalid(`Unknown action "${s.action}" in step "${s.name}".`);
        if (names.has(s.name)) throw invalid(`Step name "${s.name}" is used more than once.`);
        names.add(s.name);
      });
    }
  }

  const parameters = readParameters(body.parameters, documentType, options);
  checkReferences(body, parameters);
  const description = typeof body.description === "string" ? body.description : undefined;
  return {
    schemaVersion,
    ...(description !== undefined ? { description } : {}),
    parameters,
    platformTypes: platformTypesOf(body, documentType),
  };
}

function readParameters(
  raw: unknown,
  documentType: string,
  options: AnalyzeOptions,
): Record<string, ParameterDeclaration> {
  const invalid = (message: string) => new DocumentContentError("InvalidDocumentContent", message);
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw invalid("parameters must be an object of parameter declarations.");
  // Parameter names come from user content: a prototype-free map keeps "__proto__" a plain name.
  const out = Object.create(null) as Record<string, ParameterDeclaration>;
  for (const [name, decl] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof decl !== "object" || decl === null || Array.isArray(decl))
      throw invalid(`Parameter "${name}" must be an object with a type.`);
    // The agent's own fixtures write absent fields as null; SSM treats null as "not given".
    const d = Object.fromEntries(Object.entries(decl as Record<string, unknown>).filter(([, value]) => value !== null));
    if (typeof d.type !== "string") throw invalid(`Parameter "${name}" has no type.`);
    // Automation parameters may also use AWS resource types (e.g. AWS::EC2::Instance::Id).
    const known = (PARAMETER_TYPES as readonly string[]).includes(d.type);
    if (!known && documentType !== "Automation")
      throw invalid(`Parameter "${name}" has an unsupported type "${d.type}".`);
    if (
      options.strictCommandParameterTypes &&
      documentType === "Command" &&
      d.type !== "String" &&
      d.type !== "StringList"
    )
      throw invalid(`Parameter "${name}": Command documents support only String and StringList parameters.`);
    if (d.default !== undefined && d.default !== null) {
      const def = d.default;
      const ok =
        d.type === "Boolean"
          ? typeof def === "boolean"
          : d.type === "Integer"
            ? typeof def === "number" && Number.isInteger(def)
            : d.type === "StringList"
              ? Array.isArray(def) || typeof def === "string"
              : d.type === "StringMap"
                ? (typeof def === "object" && !Array.isArray(def)) || typeof def === "string"
                : d.type === "MapList"
                  ? Array.isArray(def) || typeof def === "string"
                  : true;
      if (!ok) throw invalid(`Parameter "${name}" has a default value that is not a ${d.type}.`);
    }
    if (d.allowedValues !== undefined && !Array.isArray(d.allowedValues))
      throw invalid(`Parameter "${name}": allowedValues must be a list.`);
    if (d.allowedPattern !== undefined && typeof d.allowedPattern !== "string")
      throw invalid(`Parameter "${name}": allowedPattern must be a string.`);
    Object.defineProperty(out, name, { value: d, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const REFERENCE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** A `{{ Name }}` reference to a parameter the document does not declare is an error, as in SSM. */
function checkReferences(body: Record<string, unknown>, parameters: Record<string, ParameterDeclaration>): void {
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      for (const m of value.matchAll(REFERENCE)) {
        const name = defined(m[1], "the parameter name a reference captures");
        if (!(name in parameters))
          throw new DocumentContentError("InvalidDocumentContent", `Parameter "${name}" is not declared.`);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(visit);
  };
  for (const [key, value] of Object.entries(body)) if (key !== "parameters" && key !== "description") visit(value);
}

/** DescribeDocument's Parameters: scalars as text, lists and maps as JSON, no DefaultValue when none. */
export function describeParameters(
  parameters: Record<string, ParameterDeclaration>,
): Array<{ Name: string; Type: string; Description?: string; DefaultValue?: string }> {
  return Object.entries(parameters).map(([name, d]) => {
    const item: { Name: string; Type: string; Description?: string; DefaultValue?: string } = {
      Name: name,
      Type: d.type,
    };
    if (typeof d.description === "string" && d.description !== "") item.Description = d.description;
    if (d.default !== undefined && d.default !== null) item.DefaultValue = scalarText(d.default);
    return item;
  });
}

/** Platforms each step plugin runs on, as the SSM agent supports them. Unlisted plugins run everywhere. */
const PLUGIN_PLATFORMS: Record<string, readonly PlatformType[]> = {
  "aws:runShellScript": ["Linux", "MacOS"],
  "aws:runPowerShellScript": ["Windows", "Linux"],
  "aws:psModule": ["Windows"],
  "aws:applications": ["Windows"],
  "aws:cloudWatch": ["Windows"],
  "aws:updateAgent": ["Windows"],
  "aws:configureDocker": ["Windows", "Linux"],
  "aws:runDockerAction": ["Windows", "Linux"],
  "aws:domainJoin": ["Windows", "Linux"],
};

/** The platforms a step plugin runs on, whatever its precondition. */
export function pluginPlatforms(action: string): readonly PlatformType[] {
  return (Object.hasOwn(PLUGIN_PLATFORMS, action) ? PLUGIN_PLATFORMS[action] : undefined) ?? PLATFORM_ORDER;
}

/** The platforms a single step (action + optional precondition) can run on. */
export function stepPlatforms(action: string, precondition?: unknown): PlatformType[] {
  let platforms = [...pluginPlatforms(action)];
  const wanted = preconditionPlatform(precondition);
  if (wanted) platforms = platforms.includes(wanted) ? [wanted] : [];
  return platforms;
}

/** The platform a `precondition: { StringEquals: [platformType, X] }` names, if any. */
export function preconditionPlatform(precondition: unknown): PlatformType | undefined {
  if (typeof precondition !== "object" || precondition === null) return undefined;
  const eq = (precondition as Record<string, unknown>).StringEquals;
  if (!Array.isArray(eq) || eq.length !== 2) return undefined;
  const [a, b] = eq as unknown[];
  const value = a === "platformType" ? b : b === "platformType" ? a : undefined;
  return PLATFORM_ORDER.find((p) => p === value);
}

/** Union of the platforms of a document's steps, in AWS's order (Windows, Linux, MacOS). */
export function platformTypesOf(body: Record<string, unknown>, documentType: string): PlatformType[] {
  if (documentType === "Automation") return ["Windows", "Linux"];
  const found = new Set<PlatformType>();
  const rc = body.runtimeConfig;
  if (typeof rc === "object" && rc !== null && !Array.isArray(rc))
    for (const plugin of Object.keys(rc)) stepPlatforms(plugin).forEach((p) => found.add(p));
  if (Array.isArray(body.mainSteps))
    for (const step of body.mainSteps as unknown[])
      if (isRecord(step) && typeof step.action === "string")
        stepPlatforms(step.action, step.precondition).forEach((p) => found.add(p));
  if (found.size === 0 && rc === undefined && body.mainSteps === undefined) return [...PLATFORM_ORDER];
  return PLATFORM_ORDER.filter((p) => found.has(p));
}

/** Re-renders content in another format (GetDocument's DocumentFormat). */
export function convertContent(body: Record<string, unknown>, to: "JSON" | "YAML"): string {
  return to === "JSON" ? JSON.stringify(body, null, 2) : yaml().stringify(body);
}
