/**
 * The checks `statectl validate` makes inside a document's content: syntax (with the position of
 * the mistake), the schema of the document type and `schemaVersion` (top-level keys, steps,
 * plugin and automation actions and their inputs, `precondition`, Automation `outputs` and step
 * references, Session and Package keys), parameter declarations (types, defaults against their
 * own type / allowedValues / allowedPattern, patterns that compile) and `{{ name }}` references.
 * Every problem carries offsets into the content text and the key path, so the caller can point
 * into a document file, a heredoc, or an object written in the `.state` file. Pure, no I/O; unlike
 * analyzeDocument (which stops at the first problem, as the API does) it reports all it finds.
 */
import type { DiagnosticCode } from "../diag/codes.js";
import { didYouMean } from "../diag/suggest.js";
import { defined } from "../diag/invariant.js";

import { checkParameters, compileAllowedPattern, type DeclaredParameter } from "./association-parameters.js";
import {
  allowedSchemaVersions,
  AUTOMATION_ACTIONS,
  COMMAND_PLUGINS,
  PARAMETER_TYPES,
  type DocumentFormat,
} from "./document-model.js";
import { nodeAt, parseDocumentTree, type Span, type TreeEntry, type TreeNode } from "./document-tree.js";

export interface ContentProblem {
  severity: "error" | "warning";
  /** Stable `ssm/...` code (see docs/validation.md). */
  code: DiagnosticCode;
  summary: string;
  detail: string;
  hint?: string;
  /** Key path inside the content (`["mainSteps", 0, "inputs", "runComand"]`); `[]` is the document. */
  path: (string | number)[];
  /** The problem is about the key at `path`, not its value. */
  onKey?: boolean;
  /** A key is missing from the object at `path` (the span marks where it would go). */
  missing?: boolean;
  /** Offsets in the content text. */
  span: Span;
}

export interface ContentCheck {
  problems: ContentProblem[];
  /** The parsed content, when it parsed (even with schema problems). */
  value?: Record<string, unknown>;
}

type Path = (string | number)[];
type Obj = Extract<TreeNode, { kind: "object" }>;

const isObj = (n: TreeNode | undefined): n is Obj => n?.kind === "object";
const scalarString = (n: TreeNode | undefined): string | undefined =>
  n?.kind === "scalar" && typeof n.value === "string" ? n.value : undefined;

/** Top-level keys of each document type's content. */
const TOP_KEYS: Record<string, readonly string[]> = {
  Command: ["schemaVersion", "description", "parameters", "mainSteps", "runtimeConfig", "$schema"],
  Policy: ["schemaVersion", "description", "parameters", "mainSteps", "$schema"],
  Automation: [
    "schemaVersion",
    "description",
    "parameters",
    "mainSteps",
    "assumeRole",
    "outputs",
    "files",
    "variables",
    "templateBody",
    "$schema",
  ],
  Session: ["schemaVersion", "description", "sessionType", "inputs", "parameters", "properties", "$schema"],
  Package: ["schemaVersion", "description", "publisher", "version", "packages", "files", "packageArn", "$schema"],
};
const COMMAND_STEP_KEYS = [
  "action",
  "name",
  "inputs",
  "precondition",
  "description",
  "maxAttempts",
  "onFailure",
  "onSuccess",
  "finallyStep",
  "timeoutSeconds",
  "settings",
  "isEnd",
];
const AUTOMATION_STEP_KEYS = [
  "action",
  "name",
  "inputs",
  "description",
  "maxAttempts",
  "timeoutSeconds",
  "onFailure",
  "onCancel",
  "isEnd",
  "isCritical",
  "nextStep",
  "outputs",
];
const PARAMETER_KEYS = [
  "type",
  "description",
  "default",
  "allowedValues",
  "allowedPattern",
  "displayType",
  "minItems",
  "maxItems",
  "minChars",
  "maxChars",
  "minValue",
  "maxValue",
  "interpolationType",
];
const SESSION_TYPES = ["Standard_Stream", "InteractiveCommands", "NonInteractiveCommands", "Port"];
const SESSION_INPUT_KEYS = [
  "s3BucketName",
  "s3KeyPrefix",
  "s3EncryptionEnabled",
  "cloudWatchLogGroupName",
  "cloudWatchEncryptionEnabled",
  "cloudWatchStreamingEnabled",
  "kmsKeyId",
  "runAsEnabled",
  "runAsDefaultUser",
  "idleSessionTimeout",
  "maxSessionDuration",
  "shellProfile",
];
/** Inputs every Command plugin accepts (SSM Agent 3.0.502 and later), besides its own. */
const SHARED_PLUGIN_INPUTS = ["finallyStep", "onFailure", "onSuccess", "maxAttempts", "timeoutSeconds", "id"];

/**
 * Inputs of the Command plugins whose inputs are fully documented: required ones, then optional.
 * Plugins not listed here accept any inputs.
 */
const PLUGIN_INPUTS: Record<string, { required: readonly string[]; optional: readonly string[] }> = {
  "aws:runShellScript": { required: ["runCommand"], optional: ["workingDirectory"] },
  "aws:runPowerShellScript": { required: ["runCommand"], optional: ["workingDirectory"] },
  "aws:configurePackage": {
    required: ["name", "action"],
    optional: ["installationType", "version", "additionalArguments"],
  },
  "aws:runDocument": { required: ["documentType", "documentPath"], optional: ["documentParameters"] },
  "aws:downloadContent": { required: ["sourceType", "sourceInfo"], optional: ["destinationPath"] },
  "aws:domainJoin": {
    required: ["directoryId", "directoryName"],
    optional: ["directoryOU", "dnsIpAddresses", "keepHostName", "hostNameSuffix", "hostNameType"],
  },
  "aws:psModule": { required: ["source"], optional: ["sourceHash", "runCommand", "workingDirectory"] },
  "aws:applications": { required: ["action", "source"], optional: ["parameters", "sourceHash"] },
  "aws:configureDocker": { required: ["action"], optional: [] },
  "aws:runDockerAction": {
    required: ["action"],
    optional: [
      "container",
      "cmd",
      "image",
      "memory",
      "cpuShares",
      "volume",
      "env",
      "user",
      "publish",
      "workingDirectory",
    ],
  },
  "aws:updateSsmAgent": { required: ["agentName", "source"], optional: ["allowDowngrade", "targetVersion"] },
  "aws:updateAgent": { required: ["agentName", "source"], optional: ["allowDowngrade", "targetVersion"] },
  "aws:refreshAssociation": { required: [], optional: ["associationIds"] },
  "aws:softwareInventory": {
    required: [],
    optional: [
      "applications",
      "awsComponents",
      "billingInfo",
      "customInventory",
      "files",
      "instanceDetailedInformation",
      "networkConfig",
      "services",
      "windowsRegistry",
      "windowsRoles",
      "windowsUpdates",
    ],
  },
};

/** Every input of the Automation actions whose inputs are a fixed set (not API parameters). */
const AUTOMATION_INPUTS: Record<string, readonly string[]> = {
  "aws:sleep": ["Duration", "Timestamp"],
  "aws:approve": ["Approvers", "Message", "MinRequiredApprovals", "NotificationArn"],
  "aws:branch": ["Choices", "Default"],
  "aws:changeInstanceState": ["InstanceIds", "DesiredState", "CheckStateOnly", "Force", "AdditionalInfo"],
  "aws:executeScript": ["Runtime", "Handler", "Script", "InputPayload", "Attachment"],
  "aws:invokeLambdaFunction": [
    "FunctionName",
    "Qualifier",
    "InvocationType",
    "LogType",
    "ClientContext",
    "Payload",
    "InputPayload",
  ],
  "aws:createTags": ["ResourceIds", "ResourceType", "Tags"],
  "aws:runCommand": [
    "DocumentName",
    "InstanceIds",
    "Targets",
    "Parameters",
    "CloudWatchOutputConfig",
    "Comment",
    "DocumentHash",
    "DocumentHashType",
    "DocumentVersion",
    "MaxConcurrency",
    "MaxErrors",
    "NotificationConfig",
    "OutputS3BucketName",
    "OutputS3KeyPrefix",
    "OutputS3Region",
    "ServiceRoleArn",
    "TimeoutSeconds",
  ],
  "aws:executeAutomation": [
    "DocumentName",
    "DocumentVersion",
    "MaxConcurrency",
    "MaxErrors",
    "RuntimeParameters",
    "Tags",
    "TargetLocations",
    "TargetMaps",
    "TargetParameterName",
    "Targets",
  ],
};

/** Inputs an Automation action cannot run without; any of the names in a group satisfies it. */
const AUTOMATION_REQUIRED_INPUTS: Record<string, readonly (readonly string[])[]> = {
  "aws:approve": [["Approvers"]],
  "aws:assertAwsResourceProperty": [["Service"], ["Api"], ["PropertySelector"], ["DesiredValues"]],
  "aws:waitForAwsResourceProperty": [["Service"], ["Api"], ["PropertySelector"], ["DesiredValues"]],
  "aws:executeAwsApi": [["Service"], ["Api"]],
  "aws:branch": [["Choices"]],
  "aws:changeInstanceState": [["InstanceIds"], ["DesiredState"]],
  "aws:copyImage": [["SourceImageId"], ["SourceRegion"], ["ImageName"]],
  "aws:createImage": [["InstanceId"], ["ImageName"]],
  "aws:createStack": [["StackName"], ["TemplateBody", "TemplateURL"]],
  "aws:createTags": [["ResourceIds"], ["Tags"]],
  "aws:deleteImage": [["ImageId"]],
  "aws:deleteStack": [["StackName"]],
  "aws:executeAutomation": [["DocumentName"]],
  "aws:executeScript": [["Runtime"], ["Handler"]],
  "aws:executeStateMachine": [["stateMachineArn"]],
  "aws:invokeLambdaFunction": [["FunctionName"]],
  "aws:invokeWebhook": [["IntegrationName"]],
  "aws:loop": [["Iterators"], ["Steps"]],
  "aws:runCommand": [["DocumentName"]],
  "aws:runInstances": [["ImageId"]],
  "aws:sleep": [["Duration", "Timestamp"]],
  "aws:updateVariable": [["Name"], ["Value"]],
};

/** Document types whose content is the user's own data, not an SSM schema. */
const FREE_FORM_TYPES: readonly string[] = [
  "ApplicationConfiguration",
  "ApplicationConfigurationSchema",
  "DeploymentStrategy",
];
const REFERENCE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const STEP_OUTPUT_REFERENCE = /\{\{\s*([A-Za-z0-9_-]+)\.[A-Za-z0-9_.]+\s*\}\}/g;
const AWS_RESOURCE_TYPE = /^AWS::[A-Za-z0-9]+(::[A-Za-z0-9]+)+$/;

class Checker {
  readonly problems: ContentProblem[] = [];

  constructor(
    readonly text: string,
    readonly root: Obj,
    readonly documentType: string,
  ) {}

  report(p: Omit<ContentProblem, "span"> & { span?: Span }): void {
    this.problems.push({ ...p, span: p.span ?? this.spanOf(p.path, p.onKey) });
  }

  spanOf(path: Path, onKey?: boolean): Span {
    const found = nodeAt(this.root, path);
    if (!found) return this.root.span;
    if (onKey && found.entry) return found.entry.keySpan;
    return found.node.span;
  }

  /** Where a missing key would go: the key of the object holding it, or the object's first character. */
  missingSpan(path: Path): Span {
    if (path.length === 0) return { start: this.root.span.start, end: this.root.span.start + 1 };
    const found = nodeAt(this.root, path);
    if (found?.entry) return found.entry.keySpan;
    const s = found?.node.span ?? this.root.span;
    return { start: s.start, end: s.start + 1 };
  }

  unknownKeys(
    obj: Obj,
    path: Path,
    known: readonly string[],
    what: string,
    severity: "error" | "warning" = "error",
    code: DiagnosticCode = "ssm/unknown-document-key",
  ): void {
    for (const e of obj.entries) {
      if (known.includes(e.key)) continue;
      const suggestion = didYouMean(e.key, known);
      this.report({
        severity,
        code,
        summary:
          code === "ssm/unknown-plugin-input"
            ? "Unknown plugin input"
            : code === "ssm/unknown-action-input"
              ? "Unknown action input"
              : "Unknown document key",
        detail: `"${e.key}" is not a key of ${what}.`,
        hint: suggestion
          ? `did you mean "${suggestion}"?`
          : `${what} takes ${known.filter((k) => k !== "$schema").join(", ")}`,
        path: [...path, e.key],
        onKey: true,
      });
    }
  }

  shape(path: Path, detail: string, hint?: string): void {
    this.report({
      severity: "error",
      code: "ssm/invalid-document-content",
      summary: "Invalid document content",
      detail,
      ...(hint ? { hint } : {}),
      path,
    });
  }

  run(): void {
    const type = this.documentType;
    const schemaEntry = this.root.entries.find((e) => e.key === "schemaVersion");
    let schemaVersion: string | undefined;
    if (!schemaEntry && FREE_FORM_TYPES.includes(type)) {
      // AppConfig documents hold the application's own JSON/YAML, with no SSM schema.
    } else if (!schemaEntry) {
      this.report({
        severity: "error",
        code: "ssm/invalid-schema-version",
        summary: "Missing schemaVersion",
        detail: `Every ${type} document declares its schemaVersion.`,
        hint: schemaHint(type),
        path: [],
        span: this.missingSpan([]),
        missing: true,
      });
    } else {
      const v =
        schemaEntry.value.kind === "scalar" && schemaEntry.value.value !== null
          ? String(schemaEntry.value.value)
          : undefined;
      const allowed = allowedSchemaVersions(type);
      if (v === undefined || !/^[0-9]+\.[0-9]+$/.test(v) || (allowed && !allowed(v)))
        this.report({
          severity: "error",
          code: "ssm/invalid-schema-version",
          summary: "Unsupported schemaVersion",
          detail: `${type} documents do not support schemaVersion ${JSON.stringify(v ?? null)}.`,
          hint: schemaHint(type),
          path: ["schemaVersion"],
        });
      else schemaVersion = v;
    }
    const topKeys = TOP_KEYS[type];
    if (topKeys) {
      const keys =
        type !== "Command" || schemaVersion === undefined
          ? topKeys
          : topKeys.filter((k) => k !== (schemaVersion === "1.2" ? "mainSteps" : "runtimeConfig"));
      this.unknownKeys(this.root, [], keys, `a ${type} document${schemaVersion ? ` (schema ${schemaVersion})` : ""}`);
    }

    const parameters = this.checkParameterDeclarations();
    if (type === "Command" || type === "Policy" || type === "Automation") {
      if (schemaVersion === "1.2") this.checkRuntimeConfig();
      else this.checkMainSteps(type === "Automation");
      if (type === "Automation") this.checkAutomationTop();
    } else if (type === "Session") this.checkSession();
    this.checkReferences(parameters);
  }

  checkParameterDeclarations(): Set<string> {
    const names = new Set<string>();
    const entry = this.root.entries.find((e) => e.key === "parameters");
    if (!entry || (entry.value.kind === "scalar" && entry.value.value === null)) return names;
    if (!isObj(entry.value)) {
      this.shape(["parameters"], "parameters is an object of parameter declarations (name: { type: …, … }).");
      return names;
    }
    for (const p of entry.value.entries) {
      names.add(p.key);
      const path: Path = ["parameters", p.key];
      if (!isObj(p.value)) {
        this.shape(
          path,
          `The declaration of parameter "${p.key}" must be an object with a type.`,
          'e.g. { "type": "String" }',
        );
        continue;
      }
      this.unknownKeys(p.value, path, PARAMETER_KEYS, `a parameter declaration`);
      const typeNode = p.value.entries.find((e) => e.key === "type");
      const type = scalarString(typeNode?.value);
      if (!typeNode) {
        this.report({
          severity: "error",
          code: "ssm/missing-document-key",
          summary: "Parameter without a type",
          detail: `Parameter "${p.key}" declares no type.`,
          hint: `add "type": one of ${PARAMETER_TYPES.join(", ")}`,
          path,
          span: p.keySpan,
          missing: true,
        });
        continue;
      }
      const knownType =
        type !== undefined &&
        ((PARAMETER_TYPES as readonly string[]).includes(type) ||
          (this.documentType === "Automation" && AWS_RESOURCE_TYPE.test(type)));
      if (!knownType) {
        const suggestion = type ? didYouMean(type, PARAMETER_TYPES) : undefined;
        this.report({
          severity: "error",
          code: "ssm/invalid-parameter-type",
          summary: "Unsupported parameter type",
          detail: `Parameter "${p.key}" has type ${JSON.stringify(type ?? null)}; SSM knows ${PARAMETER_TYPES.join(", ")}${this.documentType === "Automation" ? " and AWS resource types such as AWS::EC2::Instance::Id" : ""}.`,
          hint: suggestion
            ? `did you mean "${suggestion}"?`
            : type === "Array"
              ? 'use "StringList"'
              : `use one of ${PARAMETER_TYPES.join(", ")}`,
          path: [...path, "type"],
        });
        continue;
      }
      this.checkDeclaration(p, path, type);
    }
    return names;
  }

  checkDeclaration(p: TreeEntry, path: Path, type: string): void {
    const decl = p.value as Obj;
    const get = (k: string) => decl.entries.find((e) => e.key === k)?.value;
    const patternNode = get("allowedPattern");
    const pattern = scalarString(patternNode);
    if (patternNode && !(patternNode.kind === "scalar" && patternNode.value === null)) {
      if (pattern === undefined)
        this.shape(
          [...path, "allowedPattern"],
          `allowedPattern of parameter "${p.key}" must be a string (a regular expression).`,
        );
      else if (!compiles(pattern))
        this.report({
          severity: "error",
          code: "ssm/invalid-allowed-pattern",
          summary: "allowedPattern does not compile",
          detail: `The allowedPattern of parameter "${p.key}" is not a valid regular expression.`,
          hint: "check brackets, parentheses and escapes",
          path: [...path, "allowedPattern"],
        });
    }
    const allowedNode = get("allowedValues");
    if (allowedNode && allowedNode.kind !== "array" && !(allowedNode.kind === "scalar" && allowedNode.value === null))
      this.shape([...path, "allowedValues"], `allowedValues of parameter "${p.key}" must be a list.`);
    const defNode = get("default");
    if (!defNode || (defNode.kind === "scalar" && defNode.value === null)) return;
    const def = plain(defNode);
    const typeOk =
      type === "Boolean"
        ? typeof def === "boolean" || def === "true" || def === "false"
        : type === "Integer"
          ? (typeof def === "number" && Number.isInteger(def)) || (typeof def === "string" && /^-?[0-9]+$/.test(def))
          : type === "StringList"
            ? Array.isArray(def) || typeof def === "string"
            : type === "StringMap"
              ? (typeof def === "object" && def !== null && !Array.isArray(def)) || typeof def === "string"
              : type === "MapList"
                ? Array.isArray(def) || typeof def === "string"
                : type === "String"
                  ? typeof def !== "object" || def === null
                  : true;
    if (!typeOk) {
      this.report({
        severity: "error",
        code: "ssm/invalid-parameter-default",
        summary: "Default does not match the type",
        detail: `The default of parameter "${p.key}" is not ${/^[AEIOU]/.test(type) ? "an" : "a"} ${type}.`,
        hint: defaultHint(type),
        path: [...path, "default"],
      });
      return;
    }
    const values = Array.isArray(def) ? def.map(asText) : [asText(def)];
    if (values.some((v) => v.includes("{{"))) return;
    const declared: DeclaredParameter = {
      type,
      ...(allowedNode?.kind === "array" ? { allowedValues: plain(allowedNode) as unknown[] } : {}),
      ...(pattern !== undefined && compiles(pattern) ? { allowedPattern: pattern } : {}),
    };
    // Size limits (minItems, minChars …) say what a caller must pass, not what the default is.
    for (const problem of checkParameters(
      { [p.key]: declared },
      { [p.key]: type === "StringList" || type === "MapList" ? values : values.slice(0, 1) },
    ))
      this.report({
        severity: "warning",
        code: "ssm/default-not-allowed",
        summary: "Default not allowed by its own declaration",
        detail: problem.message.replace(
          /^Parameter "([^"]*)" has value "(.*)", which (is|does)/,
          'The default "$2" of parameter "$1" $3',
        ),
        hint: "change the default or the allowedValues / allowedPattern",
        path: [...path, "default"],
      });
  }

  checkRuntimeConfig(): void {
    const rc = this.root.entries.find((e) => e.key === "runtimeConfig");
    if (!rc) {
      this.report({
        severity: "error",
        code: "ssm/missing-document-key",
        summary: "Missing runtimeConfig",
        detail: "A schema 1.2 document runs the plugins under runtimeConfig.",
        hint: 'add "runtimeConfig": { "aws:runShellScript": { "properties": [ … ] } }',
        path: [],
        span: this.missingSpan([]),
        missing: true,
      });
      return;
    }
    if (!isObj(rc.value)) {
      this.shape(["runtimeConfig"], "runtimeConfig is an object of plugins.");
      return;
    }
    if (rc.value.entries.length === 0)
      this.report({
        severity: "error",
        code: "ssm/no-steps",
        summary: "Document has no steps",
        detail: "runtimeConfig names no plugin: the document does nothing.",
        hint: "add a plugin",
        path: ["runtimeConfig"],
      });
    for (const plugin of rc.value.entries) {
      const path: Path = ["runtimeConfig", plugin.key];
      if (!COMMAND_PLUGINS.includes(plugin.key)) {
        this.unknownAction(plugin.key, path, COMMAND_PLUGINS, true);
        continue;
      }
      if (!isObj(plugin.value)) {
        this.shape(path, `The plugin "${plugin.key}" takes an object with "properties".`);
        continue;
      }
      this.unknownKeys(plugin.value, path, ["properties"], `a runtimeConfig plugin`);
      const props = plugin.value.entries.find((e) => e.key === "properties")?.value;
      const list =
        props?.kind === "array"
          ? props.items.map((n, i) => ({ n, p: [...path, "properties", i] as Path }))
          : props
            ? [{ n: props, p: [...path, "properties"] as Path }]
            : [];
      for (const { n, p } of list) if (isObj(n)) this.checkPluginInputs(plugin.key, n, p);
    }
  }

  unknownAction(action: string, path: Path, known: readonly string[], onKey: boolean): void {
    const suggestion = didYouMean(action, known) ?? (action === "aws:executeAPI" ? "aws:executeAwsApi" : undefined);
    const automation = this.documentType === "Automation";
    this.report({
      severity: "error",
      code: "ssm/unknown-action",
      summary: automation ? "Unknown automation action" : "Unknown plugin",
      detail: `"${action}" is not ${automation ? "an Automation action" : `a plugin a ${this.documentType} document can run`}.`,
      hint: suggestion
        ? `did you mean "${suggestion}"?`
        : automation
          ? "see the Automation actions reference (aws:executeAwsApi, aws:runCommand, aws:executeScript, …)"
          : "see the Command document plugin reference (aws:runShellScript, aws:runPowerShellScript, …)",
      path,
      ...(onKey ? { onKey } : {}),
    });
  }

  checkMainSteps(automation: boolean): void {
    const entry = this.root.entries.find((e) => e.key === "mainSteps");
    if (!entry) {
      this.report({
        severity: "error",
        code: "ssm/missing-document-key",
        summary: "Missing mainSteps",
        detail: `A ${this.documentType} document lists what it does under mainSteps.`,
        hint: 'add "mainSteps": [ { "action": …, "name": …, "inputs": { … } } ]',
        path: [],
        span: this.missingSpan([]),
        missing: true,
      });
      return;
    }
    if (entry.value.kind !== "array") {
      this.shape(["mainSteps"], "mainSteps is a list of steps.");
      return;
    }
    if (entry.value.items.length === 0) {
      this.report({
        severity: "error",
        code: "ssm/no-steps",
        summary: "Document has no steps",
        detail: "mainSteps is empty: SSM rejects a document without steps.",
        hint: "add a step, or remove the document",
        path: ["mainSteps"],
      });
      return;
    }
    const names = new Map<string, number>();
    const stepNames = new Set(
      entry.value.items.flatMap((s) =>
        isObj(s)
          ? [scalarString(s.entries.find((e) => e.key === "name")?.value)].filter((n): n is string => n !== undefined)
          : [],
      ),
    );
    entry.value.items.forEach((step, i) => {
      const path: Path = ["mainSteps", i];
      if (!isObj(step)) {
        this.shape(path, `mainSteps[${i}] must be an object with an action and a name.`);
        return;
      }
      // A precondition in a runbook step is reported by checkPrecondition, which says why.
      this.unknownKeys(
        step,
        path,
        automation ? [...AUTOMATION_STEP_KEYS, "precondition"] : COMMAND_STEP_KEYS,
        automation ? "an Automation step" : "a step",
      );
      const get = (k: string) => step.entries.find((e) => e.key === k)?.value;
      const name = scalarString(get("name"));
      const action = scalarString(get("action"));
      for (const [key, value] of [
        ["name", name],
        ["action", action],
      ] as const)
        if (value === undefined || value === "")
          this.report({
            severity: "error",
            code: "ssm/missing-document-key",
            summary: `Step without ${key === "name" ? "a name" : "an action"}`,
            detail: `mainSteps[${i}]${name ? ` ("${name}")` : ""} has no ${key}.`,
            hint:
              key === "name"
                ? "give the step a unique name"
                : automation
                  ? 'e.g. "action": "aws:executeAwsApi"'
                  : 'e.g. "action": "aws:runShellScript"',
            path: get(key) ? [...path, key] : path,
            ...(get(key) ? {} : { span: this.missingSpan(path), missing: true }),
          });
      if (name) {
        if (names.has(name))
          this.report({
            severity: "error",
            code: "ssm/duplicate-step-name",
            summary: "Duplicate step name",
            detail: `The step name "${name}" is already used by mainSteps[${names.get(name)}].`,
            hint: "give every step a unique name",
            path: [...path, "name"],
          });
        else names.set(name, i);
      }
      const known = automation ? AUTOMATION_ACTIONS : COMMAND_PLUGINS;
      if (action && !known.includes(action)) this.unknownAction(action, [...path, "action"], known, false);
      const inputs = get("inputs");
      if (action && known.includes(action)) {
        if (automation) this.checkAutomationInputs(action, inputs, path);
        else if (isObj(inputs)) this.checkPluginInputs(action, inputs, [...path, "inputs"]);
        else if (!inputs && PLUGIN_INPUTS[action]?.required.length)
          this.report({
            severity: "warning",
            code: "ssm/missing-plugin-input",
            summary: "Missing plugin inputs",
            detail: `The step "${name}" (${action}) has no inputs; the plugin needs ${PLUGIN_INPUTS[action].required.join(", ")}.`,
            hint: `add "inputs": { "${PLUGIN_INPUTS[action].required[0]}": … }`,
            path,
            span: this.missingSpan(path),
            missing: true,
          });
      }
      const pre = step.entries.find((e) => e.key === "precondition");
      if (pre) this.checkPrecondition(pre.value, [...path, "precondition"], automation);
      if (automation) this.checkStepReferences(step, path, stepNames);
    });
  }

  checkPluginInputs(action: string, inputs: Obj, path: Path): void {
    const spec = PLUGIN_INPUTS[action];
    if (!spec) return;
    const has = new Set(inputs.entries.map((e) => e.key));
    const unknown = inputs.entries
      .map((e) => e.key)
      .filter((k) => !spec.required.includes(k) && !spec.optional.includes(k) && !SHARED_PLUGIN_INPUTS.includes(k));
    for (const req of spec.required)
      // A misspelt required input is reported once, as the unknown input with its "did you mean".
      if (!has.has(req) && !unknown.some((k) => didYouMean(k, [req]) !== undefined))
        this.report({
          severity: "warning",
          code: "ssm/missing-plugin-input",
          summary: "Missing plugin input",
          detail: `${action} needs the input "${req}"; SSM accepts the document, but the agent fails the step.`,
          hint: `add "${req}" to the inputs`,
          path,
          span: this.missingSpan(path),
          missing: true,
        });
    this.unknownKeys(
      inputs,
      path,
      [...spec.required, ...spec.optional, ...SHARED_PLUGIN_INPUTS],
      `the inputs of ${action}`,
      "warning",
      "ssm/unknown-plugin-input",
    );
  }

  checkAutomationInputs(action: string, inputs: TreeNode | undefined, path: Path): void {
    const known = AUTOMATION_INPUTS[action];
    const groups = AUTOMATION_REQUIRED_INPUTS[action];
    if (known && isObj(inputs)) {
      // A misspelt required input is reported once, as ssm/missing-action-input naming it.
      const missing = (groups ?? []).filter((g) => !g.some((n) => inputs.entries.some((e) => e.key === n))).flat();
      const rest = {
        ...inputs,
        entries: inputs.entries.filter(
          (e) => known.includes(e.key) || !missing.some((m) => didYouMean(e.key, [m]) !== undefined),
        ),
      };
      this.unknownKeys(
        rest,
        [...path, "inputs"],
        known,
        `the inputs of ${action}`,
        "warning",
        "ssm/unknown-action-input",
      );
    }
    if (!groups) return;
    const has = new Set(isObj(inputs) ? inputs.entries.map((e) => e.key) : []);
    const where: Path = inputs ? [...path, "inputs"] : path;
    for (const group of groups) {
      if (group.some((g) => has.has(g))) continue;
      const suggestion = isObj(inputs)
        ? inputs.entries.map((e) => e.key).find((k) => group.some((g) => didYouMean(k, [g]) !== undefined))
        : undefined;
      this.report({
        severity: "error",
        code: "ssm/missing-action-input",
        summary: "Missing action input",
        detail: `${action} needs the input ${group.map((g) => `"${g}"`).join(" or ")}.`,
        hint: suggestion
          ? `"${suggestion}" is misspelt: write "${group.find((g) => didYouMean(suggestion, [g]) !== undefined)}"`
          : `add ${group[0]} to the inputs`,
        path: suggestion ? [...where, suggestion] : where,
        ...(suggestion ? { onKey: true } : { span: this.missingSpan(where), missing: true }),
      });
    }
  }

  checkPrecondition(pre: TreeNode, path: Path, automation: boolean): void {
    const invalid = (detail: string, at: Path = path, onKey?: boolean) =>
      this.report({
        severity: "error",
        code: "ssm/invalid-precondition",
        summary: "Invalid precondition",
        detail,
        hint: 'write "precondition": { "StringEquals": ["platformType", "Linux"] }',
        path: at,
        ...(onKey ? { onKey } : {}),
      });
    if (automation) {
      invalid("Automation steps have no precondition (it is for Command and Policy steps).", path, true);
      return;
    }
    if (!isObj(pre)) {
      invalid("precondition is an object with one operator, StringEquals.");
      return;
    }
    for (const e of pre.entries) {
      if (e.key !== "StringEquals") {
        const suggestion = didYouMean(e.key, ["StringEquals"]);
        this.report({
          severity: "error",
          code: "ssm/invalid-precondition",
          summary: "Invalid precondition",
          detail: `"${e.key}" is not a precondition operator; SSM supports StringEquals only.`,
          hint: suggestion ? `did you mean "${suggestion}"?` : 'write "StringEquals": ["platformType", "Linux"]',
          path: [...path, e.key],
          onKey: true,
        });
        continue;
      }
      const operands = e.value;
      if (
        operands.kind !== "array" ||
        operands.items.length !== 2 ||
        operands.items.some((o) => o.kind !== "scalar" || typeof o.value !== "string")
      )
        invalid('StringEquals compares exactly two strings, e.g. ["platformType", "Windows"].', [...path, e.key]);
    }
    if (pre.entries.length === 0) invalid("precondition is empty.");
  }

  checkStepReferences(step: Obj, path: Path, stepNames: ReadonlySet<string>): void {
    const check = (key: string, raw: string | undefined, valueOnly: boolean) => {
      if (raw === undefined) return;
      const target = valueOnly ? raw : raw.startsWith("step:") ? raw.slice(5) : undefined;
      if (target === undefined || stepNames.has(target)) return;
      const suggestion = didYouMean(target, stepNames);
      this.report({
        severity: "error",
        code: "ssm/unknown-step-reference",
        summary: "Reference to a step that does not exist",
        detail: `${key} names the step "${target}", but the runbook has no step of that name.`,
        hint: suggestion ? `did you mean "${suggestion}"?` : `use one of ${[...stepNames].join(", ")}`,
        path: [...path, key],
      });
    };
    const get = (k: string) => scalarString(step.entries.find((e) => e.key === k)?.value);
    check("nextStep", get("nextStep"), true);
    check("onFailure", get("onFailure"), false);
    check("onCancel", get("onCancel"), false);
    // aws:branch: each choice's NextStep, and Default.
    const inputs = step.entries.find((e) => e.key === "inputs")?.value;
    if (isObj(inputs) && scalarString(step.entries.find((e) => e.key === "action")?.value) === "aws:branch") {
      const choices = inputs.entries.find((e) => e.key === "Choices")?.value;
      if (choices?.kind === "array")
        choices.items.forEach((c, j) => {
          const next = isObj(c) ? scalarString(c.entries.find((e) => e.key === "NextStep")?.value) : undefined;
          if (next !== undefined && !stepNames.has(next)) {
            const suggestion = didYouMean(next, stepNames);
            this.report({
              severity: "error",
              code: "ssm/unknown-step-reference",
              summary: "Reference to a step that does not exist",
              detail: `Choice ${j + 1} goes to the step "${next}", but the runbook has no step of that name.`,
              hint: suggestion ? `did you mean "${suggestion}"?` : `use one of ${[...stepNames].join(", ")}`,
              path: [...path, "inputs", "Choices", j, "NextStep"],
            });
          }
        });
      const def = scalarString(inputs.entries.find((e) => e.key === "Default")?.value);
      if (def !== undefined && !stepNames.has(def)) {
        const suggestion = didYouMean(def, stepNames);
        this.report({
          severity: "error",
          code: "ssm/unknown-step-reference",
          summary: "Reference to a step that does not exist",
          detail: `Default goes to the step "${def}", but the runbook has no step of that name.`,
          hint: suggestion ? `did you mean "${suggestion}"?` : `use one of ${[...stepNames].join(", ")}`,
          path: [...path, "inputs", "Default"],
        });
      }
    }
  }

  checkAutomationTop(): void {
    const role = this.root.entries.find((e) => e.key === "assumeRole");
    if (role && !(role.value.kind === "scalar" && (typeof role.value.value === "string" || role.value.value === null)))
      this.shape(
        ["assumeRole"],
        "assumeRole is a role ARN or a {{ parameter }} reference, as a string.",
        'e.g. "assumeRole": "{{ AutomationAssumeRole }}"',
      );
    const outputs = this.root.entries.find((e) => e.key === "outputs");
    if (!outputs) return;
    if (outputs.value.kind !== "array") {
      this.shape(["outputs"], 'outputs is a list of "stepName.OutputName" strings.');
      return;
    }
    const stepNames = new Set<string>();
    const steps = this.root.entries.find((e) => e.key === "mainSteps")?.value;
    if (steps?.kind === "array")
      for (const s of steps.items)
        if (isObj(s)) {
          const n = scalarString(s.entries.find((e) => e.key === "name")?.value);
          if (n) stepNames.add(n);
        }
    outputs.value.items.forEach((o, i) => {
      const text = scalarString(o);
      if (text === undefined || !/^[^.]+\.[^.]+/.test(text)) {
        this.shape(["outputs", i], 'Each output is "stepName.OutputName".');
        return;
      }
      const step = text.slice(0, text.indexOf("."));
      if (!stepNames.has(step)) {
        const suggestion = didYouMean(step, stepNames);
        this.report({
          severity: "error",
          code: "ssm/unknown-step-reference",
          summary: "Reference to a step that does not exist",
          detail: `The output "${text}" names the step "${step}", but the runbook has no step of that name.`,
          hint: suggestion ? `did you mean "${suggestion}"?` : `use one of ${[...stepNames].join(", ")}`,
          path: ["outputs", i],
        });
      }
    });
  }

  checkSession(): void {
    const st = this.root.entries.find((e) => e.key === "sessionType");
    if (!st)
      this.report({
        severity: "error",
        code: "ssm/missing-document-key",
        summary: "Missing sessionType",
        detail: "A Session document says which kind of session it configures.",
        hint: `add "sessionType": one of ${SESSION_TYPES.join(", ")}`,
        path: [],
        span: this.missingSpan([]),
        missing: true,
      });
    else {
      const v = scalarString(st.value);
      if (v === undefined || !SESSION_TYPES.includes(v)) {
        const suggestion = v ? didYouMean(v, SESSION_TYPES) : undefined;
        this.shape(
          ["sessionType"],
          `sessionType is one of ${SESSION_TYPES.join(", ")}.`,
          suggestion ? `did you mean "${suggestion}"?` : undefined,
        );
      }
    }
    const inputs = this.root.entries.find((e) => e.key === "inputs")?.value;
    if (isObj(inputs) && scalarString(st?.value) === "Standard_Stream")
      this.unknownKeys(inputs, ["inputs"], SESSION_INPUT_KEYS, "Session inputs");
  }

  /** Names of an Automation runbook's steps, those inside aws:loop steps included. */
  automationStepNames(): Set<string> {
    const names = new Set<string>();
    const collect = (steps: TreeNode | undefined) => {
      if (steps?.kind !== "array") return;
      for (const s of steps.items) {
        if (!isObj(s)) continue;
        const n = scalarString(s.entries.find((e) => e.key === "name")?.value);
        if (n) names.add(n);
        const inputs = s.entries.find((e) => e.key === "inputs")?.value;
        if (isObj(inputs)) collect(inputs.entries.find((e) => e.key === "Steps")?.value);
      }
    };
    collect(this.root.entries.find((e) => e.key === "mainSteps")?.value);
    return names;
  }

  /**
   * `{{ name }}` outside the parameter declarations must name a declared parameter; in a runbook,
   * `{{ step.Output }}` must name one of its steps (or a parameter, or `variables`).
   */
  checkReferences(declared: ReadonlySet<string>): void {
    const steps = this.documentType === "Automation" ? this.automationStepNames() : undefined;
    const visit = (node: TreeNode, path: Path): void => {
      if (node.kind === "scalar") {
        if (typeof node.value !== "string") return;
        if (steps)
          for (const m of node.value.matchAll(STEP_OUTPUT_REFERENCE)) {
            const step = defined(m[1], "the step name a reference captures");
            if (steps.has(step) || declared.has(step) || step === "variables") continue;
            const raw = this.text.slice(node.span.start, node.span.end);
            const at = raw.indexOf(m[0]);
            const suggestion = didYouMean(step, steps);
            this.report({
              severity: "error",
              code: "ssm/unknown-step-reference",
              summary: "Reference to a step that does not exist",
              detail: `${m[0].replace(/\s+/g, " ")} reads an output of the step "${step}", but the runbook has no step of that name.`,
              hint: suggestion ? `did you mean "${suggestion}"?` : `use one of ${[...steps].join(", ")}`,
              path,
              ...(at >= 0 ? { span: { start: node.span.start + at, end: node.span.start + at + m[0].length } } : {}),
            });
          }
        for (const m of node.value.matchAll(REFERENCE)) {
          const name = defined(m[1], "the parameter name a reference captures");
          if (declared.has(name)) continue;
          const raw = this.text.slice(node.span.start, node.span.end);
          const at = raw.indexOf(m[0]);
          const suggestion = didYouMean(name, declared);
          this.report({
            severity: "error",
            code: "ssm/undeclared-parameter",
            summary: "Undeclared parameter",
            detail: `{{ ${name} }} refers to a parameter the document does not declare${declared.size ? `; it declares ${[...declared].join(", ")}` : ""}.`,
            hint: suggestion
              ? `did you mean "${suggestion}"?`
              : `declare "${name}" under parameters, or use {{ ssm:${name} }} for a Parameter Store value`,
            path,
            ...(at >= 0 ? { span: { start: node.span.start + at, end: node.span.start + at + m[0].length } } : {}),
          });
        }
      } else if (node.kind === "array") node.items.forEach((n, i) => visit(n, [...path, i]));
      else for (const e of node.entries) visit(e.value, [...path, e.key]);
    };
    for (const e of this.root.entries) if (e.key !== "parameters" && e.key !== "description") visit(e.value, [e.key]);
  }
}

function schemaHint(type: string): string {
  switch (type) {
    case "Command":
      return 'use "2.2" (or "1.2" with runtimeConfig)';
    case "Automation":
      return 'use "0.3"';
    case "Session":
      return 'use "1.0"';
    case "Package":
      return 'use "2.0"';
    case "Policy":
      return 'use "2.0"';
    default:
      return 'use a version such as "1.0"';
  }
}

function defaultHint(type: string): string {
  switch (type) {
    case "Boolean":
      return "write true or false";
    case "Integer":
      return "write a whole number";
    case "StringList":
      return 'write a list of strings, e.g. ["a", "b"]';
    case "StringMap":
      return 'write an object, e.g. { "key": "value" }';
    case "MapList":
      return "write a list of objects";
    default:
      return "write a string";
  }
}

function compiles(pattern: string): boolean {
  return compileAllowedPattern(pattern) !== undefined;
}

function plain(node: TreeNode): unknown {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "array") return node.items.map(plain);
  return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value)]));
}

function asText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Parses and checks document content in its format; TEXT content is not checked. */
export function checkDocumentContent(text: string, format: DocumentFormat, documentType: string): ContentCheck {
  if (format === "TEXT") return { problems: [] };
  const parsed = parseDocumentTree(text, format);
  if ("error" in parsed) {
    return {
      problems: [
        parsed.error.aliasBomb
          ? {
              severity: "error",
              code: "ssm/invalid-document-content",
              summary: "Document content expands without bound",
              detail: parsed.error.message,
              path: [],
              span: parsed.error.span,
            }
          : {
              severity: "error",
              code: "ssm/document-parse-error",
              summary: `Document content is not valid ${format}`,
              detail: parsed.error.message,
              hint: "fix the content's syntax, or set format to match it",
              path: [],
              span: parsed.error.span,
            },
      ],
    };
  }
  const { root, value } = parsed.tree;
  if (!isObj(root) || typeof value !== "object" || value === null || Array.isArray(value))
    return {
      problems: [
        {
          severity: "error",
          code: "ssm/invalid-document-content",
          summary: "Invalid document content",
          detail: "Document content must be an object (keys such as schemaVersion and mainSteps).",
          path: [],
          span: root.span,
        },
      ],
    };
  const checker = new Checker(text, root, documentType);
  checker.run();
  return { problems: checker.problems, value: value as Record<string, unknown> };
}
