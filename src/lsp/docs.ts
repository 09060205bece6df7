// The documentation shown in completion details and hovers, written from the same tables the
// checks use: block schemas (config/schemas.ts), the function table (eval/functions/), and the
// AWS-owned document catalog (ssm/aws-documents.ts). Nothing here is written twice.
import { TOP_LEVEL_SCHEMA, type AttributeSchema, type BlockSchema, type BodySchema } from "../config/index.js";
import { BUILTIN_FUNCTIONS, schemaTypeToType, typeString } from "../eval/index.js";
import { findAwsOwnedDocument, type AwsParameterDeclaration, type ResourceAttribute } from "../ssm/index.js";

/** The schema of the body at a block path (`["association", "targets"]`); the top level for `[]`. */
export function bodySchemaAt(blockPath: readonly string[]): BodySchema | undefined {
  let body: BodySchema = TOP_LEVEL_SCHEMA;
  for (const type of blockPath) {
    const next: BlockSchema | undefined = body.blocks?.[type];
    if (!next) return undefined;
    body = next.body;
  }
  return body;
}

export function blockSchemaAt(blockPath: readonly string[]): BlockSchema | undefined {
  const innermost = blockPath.at(-1);
  if (innermost === undefined) return undefined;
  return bodySchemaAt(blockPath.slice(0, -1))?.blocks?.[innermost];
}

/** What the block types are for; the schemas describe arguments, not the top-level blocks. */
export const BLOCK_DESCRIPTIONS: Readonly<Record<string, string>> = {
  document: "An SSM document that statectl creates and keeps up to date (Command, Automation, Policy, …).",
  association: "An SSM State Manager association: runs a document on targets, on a schedule.",
  variable: "An input variable: set with --var, --var-file, *.auto.statevars or STATECTL_VAR_name; read as var.NAME.",
  locals: "Named values computed from other values; read as local.NAME.",
  output: "A value shown after apply and by `statectl output`.",
  provider: 'How statectl reaches SSM: region, profile, endpoint ("local" for the embedded endpoint).',
  state: "Where the state file lives (default statectl.state.json beside the configuration).",
  import: "Records an existing document or association in the state at the next apply.",
  moved: "Tells the planner a resource was renamed, so it is moved in the state rather than replaced.",
  lifecycle:
    "How changes to this resource are carried out: prevent_destroy, create_before_destroy, ignore_changes, replace_triggered_by.",
  targets: "Which instances the association runs on: key (InstanceIds, tag:NAME, resource-groups:Name, …) and values.",
  output_location: "An S3 bucket for the command output of every run.",
  alarm_configuration: "CloudWatch alarms that stop the association while they are in ALARM.",
  validation: "A condition the variable's value must meet, with the message shown when it does not.",
};

export function attributeMarkdown(name: string, schema: AttributeSchema): string {
  const type = schema.type ? typeString(schemaTypeToType(schema.type)) : "any";
  const lines = [`**${name}** \`${type}\`${schema.required ? " — required" : " — optional"}`];
  if (schema.description) lines.push("", schema.description);
  return lines.join("\n");
}

/** Hover text of a resource attribute read in an expression (`document.d.arn`), from the resource schema. */
export function resourceAttributeMarkdown(name: string, a: ResourceAttribute): string {
  const mode = a.mode === "computed" ? "computed by SSM, known after apply" : a.mode;
  const change =
    a.change === "replace"
      ? `changing it replaces the resource (${a.reason ?? "SSM cannot update it"})`
      : a.change === "new_version"
        ? "changing it adds a document version"
        : a.change === "update"
          ? `updated in place${a.via ? ` (${a.via})` : ""}`
          : a.change === "local"
            ? "statectl's own setting"
            : undefined;
  const lines = [`**${name}** \`${typeString(schemaTypeToType(a.type))}\` — ${mode}`, "", a.description];
  if (change) lines.push("", change);
  if (a.sdk) lines.push("", `SSM: \`${a.sdk}\``);
  return lines.join("\n");
}

export function blockMarkdown(type: string, schema: BlockSchema | undefined): string {
  const labels = schema?.labels?.map((l) => ` "${l}"`).join("") ?? "";
  const lines = [`**${type}**${labels} { … } — block`];
  const about = schema?.description ?? BLOCK_DESCRIPTIONS[type];
  if (about) lines.push("", about);
  const args = schema ? Object.keys(schema.body.attributes) : [];
  if (args.length > 0) lines.push("", `Arguments: ${args.map((a) => `\`${a}\``).join(", ")}`);
  const blocks = schema ? Object.keys(schema.body.blocks ?? {}) : [];
  if (blocks.length > 0) lines.push("", `Blocks: ${blocks.map((b) => `\`${b}\``).join(", ")}`);
  return lines.join("\n");
}

export const SPECIAL_FUNCTION_DOCS: Readonly<Record<string, { signature: string; description: string }>> = {
  can: { signature: "can(expression) bool", description: "True when the expression evaluates without an error." },
  try: {
    signature: "try(expressions...) any",
    description: "The value of the first expression that evaluates without an error.",
  },
};

export function functionSignature(fn: string): string | undefined {
  const special = SPECIAL_FUNCTION_DOCS[fn];
  if (special) return special.signature;
  const spec = BUILTIN_FUNCTIONS[fn];
  if (!spec) return undefined;
  const params = spec.params.map((p) => `${p.name} ${typeString(p.type)}`);
  if (spec.variadic) params.push(`${spec.variadic.name}... ${typeString(spec.variadic.type)}`);
  const returns = typeof spec.returns === "function" ? "" : ` ${typeString(spec.returns)}`;
  return `${fn}(${params.join(", ")})${returns}`;
}

export function functionMarkdown(fn: string): string | undefined {
  const signature = functionSignature(fn);
  if (!signature) return undefined;
  const description = SPECIAL_FUNCTION_DOCS[fn]?.description ?? BUILTIN_FUNCTIONS[fn]?.description ?? "";
  return ["```statectl", signature, "```", "", description].join("\n");
}

export function awsDocumentMarkdown(name: string): string | undefined {
  const doc = findAwsOwnedDocument(name);
  if (!doc) return undefined;
  const lines = [`**${doc.name}** — AWS-owned ${doc.documentType} document`];
  const description = doc.content["description"];
  if (typeof description === "string") lines.push("", description);
  const params = documentParameters(doc.content);
  if (params.size > 0) {
    lines.push("", "Parameters:");
    for (const [p, decl] of params)
      lines.push(
        `- \`${p}\` (${decl.type}${decl.default === undefined ? ", required" : ""})${decl.description ? `: ${decl.description}` : ""}`,
      );
  }
  return lines.join("\n");
}

/** A parameter declaration as a document's content spells it (only the fields shown to the user). */
export type ParameterInfo = Pick<AwsParameterDeclaration, "type" | "description" | "default" | "allowedValues">;

/** The `parameters` of a document's content, in declaration order. */
export function documentParameters(content: Record<string, unknown> | undefined): Map<string, ParameterInfo> {
  const out = new Map<string, ParameterInfo>();
  const params = content?.["parameters"];
  if (typeof params !== "object" || params === null || Array.isArray(params)) return out;
  for (const [name, raw] of Object.entries(params as Record<string, unknown>)) {
    const decl = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    out.set(name, {
      type: (typeof decl["type"] === "string" ? decl["type"] : "String") as ParameterInfo["type"],
      description: typeof decl["description"] === "string" ? decl["description"] : "",
      ...(decl["default"] !== undefined ? { default: decl["default"] } : {}),
      ...(Array.isArray(decl["allowedValues"]) ? { allowedValues: decl["allowedValues"].map(String) } : {}),
    });
  }
  return out;
}

export function parameterMarkdown(name: string, p: ParameterInfo): string {
  const lines = [
    `**${name}** \`${p.type}\`${p.default === undefined ? " — required" : ` — default ${JSON.stringify(p.default)}`}`,
  ];
  if (p.description) lines.push("", p.description);
  if (p.allowedValues) lines.push("", `Allowed values: ${p.allowedValues.map((v) => `\`${v}\``).join(", ")}`);
  return lines.join("\n");
}
