/**
 * Decodes parsed files into a Config: applies the block schemas, checks names, duplicates and
 * labels, reads the static parts (labels, `alias`, `depends_on`, `lifecycle`, `moved`,
 * `import`, `provider = ssm.x`), and checks every reference in every expression against what
 * is declared — without evaluating anything.
 */
import { formatModulePath, isValidName, type ResourceKind } from "../addrs/index.js";
import {
  defined,
  didYouMean,
  didYouMeanHint,
  error,
  type Diagnostic,
  type ErrorCode,
  type Range,
} from "../diag/index.js";
import {
  references as exprReferences,
  type Attribute,
  type Block,
  type Body,
  type Expression,
  type Reference,
} from "../syntax/ast.js";
import type {
  BackendDecl,
  Config,
  Lifecycle,
  LocalDecl,
  ModuleCallDecl,
  ModuleDependency,
  ProviderRef,
  ResourceDecl,
  ResourceRef,
  S3BackendSettings,
} from "./model.js";
import { an, blockHeaderRange, checkLabels, decodeBody, type DecodedBody } from "./schema.js";
import {
  ASSOCIATION_SCHEMA,
  ASSUME_ROLE_SCHEMA,
  BACKEND_SCHEMA,
  DOCUMENT_SCHEMA,
  IMPORT_SCHEMA,
  LIFECYCLE_SCHEMA,
  META_ARGUMENTS,
  MODULE_META_ARGUMENTS,
  MODULE_SCHEMA,
  MOVED_SCHEMA,
  OUTPUT_SCHEMA,
  PROVIDER_NAMES,
  PROVIDER_SCHEMA,
  STATE_SCHEMA,
  TOP_LEVEL_SCHEMA,
  VARIABLE_SCHEMA,
} from "./schemas.js";

type DecodedConfig = Omit<Config, "dir" | "sources" | "variableInputs" | "memoryFiles" | "workspace" | "moduleCalls">;

/**
 * What decoding a folder leaves for the next decode of the same folder (the language server,
 * after an edit): an AST is never changed once parsed, so a file whose body is the same object
 * as last time decodes the same way. Kept: each file's top-level decode and each resource
 * block's own decode (by AST object), and each resource's reference checks and dependencies,
 * valid while the folder declares the same names (variables, locals, resources, modules,
 * providers) and the same locals. Every diagnostic is the one a decode without it would give.
 */
export interface DecodeMemo {
  files: WeakMap<Body, { top: DecodedBody; diagnostics: Diagnostic[] }>;
  resources: WeakMap<Block, DecodedResource>;
  references: { names: string; locals: readonly Attribute[]; byBlock: WeakMap<Block, CheckedReferences> };
  /** Each resource's dependencies at the last decode, when it found no cycle between resources. */
  acyclic?: Map<string, string[]>;
}

/** An empty memo for `decodeFiles` (see DecodeMemo). */
export function newDecodeMemo(): DecodeMemo {
  return {
    files: new WeakMap(),
    resources: new WeakMap(),
    references: { names: "", locals: [], byBlock: new WeakMap() },
  };
}

/** One resource block decoded on its own: diagnostics before and after the duplicate-name check. */
interface DecodedResource {
  before: Diagnostic[];
  /** Absent when the block's name is invalid (reported in `before`). */
  decl?: ResourceDecl;
  after: Diagnostic[];
}

/** One resource's reference checks: its diagnostics and the resources it refers to, then (once asked) what it depends on. */
interface CheckedReferences {
  diagnostics: Diagnostic[];
  references: ResourceRef[];
  argumentReferences: Reference[];
  dependencies?: string[];
}

/** Decodes every file's top-level body into one configuration (file order does not matter). */
export function decodeFiles(
  files: Map<string, Body>,
  diags: Diagnostic[],
  opts: { module?: boolean; memo?: DecodeMemo } = {},
): DecodedConfig {
  const memo = opts.memo;
  const cfg: DecodedConfig = {
    files,
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    resources: new Map(),
    providers: new Map(),
    imports: [],
    moved: [],
    modules: new Map(),
  };
  const stateBlocks: Block[] = [];
  for (const [, body] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Unknown top-level block types and top-level arguments are reported by the parser already.
    let decodedFile = memo?.files.get(body);
    if (!decodedFile) {
      const known = {
        ...body,
        items: body.items.filter((i) => i.type === "Block" && i.blockType in TOP_LEVEL_SCHEMA.blocks),
      };
      const fileDiags: Diagnostic[] = [];
      decodedFile = {
        top: decodeBody(known, TOP_LEVEL_SCHEMA, "the top level", undefined, fileDiags),
        diagnostics: fileDiags,
      };
      memo?.files.set(body, decodedFile);
    }
    diags.push(...decodedFile.diagnostics);
    for (const [type, blocks] of decodedFile.top.blocks) {
      for (const b of blocks) {
        switch (type) {
          case "document":
          case "association": {
            let decoded = memo?.resources.get(b);
            if (!decoded) {
              decoded = decodeResource(b, type);
              memo?.resources.set(b, decoded);
            }
            addResource(decoded, cfg, diags);
            break;
          }
          case "variable":
            decodeVariable(b, cfg, diags);
            break;
          case "locals":
            decodeLocals(b, cfg, diags);
            break;
          case "output":
            decodeOutput(b, cfg, diags);
            break;
          case "provider":
            decodeProvider(b, cfg, diags);
            break;
          case "state":
            stateBlocks.push(b);
            break;
          case "import":
            decodeImport(b, cfg, diags);
            break;
          case "moved":
            decodeMoved(b, cfg, diags);
            break;
          case "module":
            decodeModule(b, cfg, diags);
            break;
        }
      }
    }
  }
  for (const b of stateBlocks) {
    const body = decodeBody(b.body, STATE_SCHEMA.body, "a state block", b, diags);
    if (cfg.state) {
      diags.push(
        error("config/duplicate-block", "Duplicate state block", {
          detail: `The state settings were already given at ${cfg.state.range.file}:${cfg.state.range.start.line}; a configuration has one state block.`,
          range: b.typeRange,
          context: b.range,
        }),
      );
      continue;
    }
    const path = body.attributes.get("path");
    const backendBlock = body.blocks.get("backend")?.[0];
    const backend = backendBlock ? decodeBackend(backendBlock, diags) : undefined;
    if (path && backendBlock) {
      diags.push(
        error("config/state-path-and-backend", "Both a state path and a backend", {
          detail: "A state block has either `path = …` (a local file) or a `backend` block, not both.",
          range: path.nameRange,
          context: b.range,
          hint: "remove `path` to keep the state in the backend, or the backend block to keep it in the file",
        }),
      );
    }
    if (!path && !b.body.items.some((i) => i.type === "Block" && i.blockType === "backend")) {
      diags.push(
        error("config/missing-argument", "Missing state location", {
          detail:
            'A state block says where the state lives: `path = "statectl.state.json"` or a `backend "s3" { … }` block.',
          range: b.typeRange,
          context: b.range,
        }),
      );
    }
    if (path) cfg.state = { path, range: b.range };
    else if (backend) cfg.state = { backend, range: b.range };
  }
  const checked = memo ? memoizedReferences(cfg, memo) : undefined;
  checkReferences(cfg, diags, opts.module === true, checked);
  checkLocalCycles(cfg, diags);
  checkResourceCycles(cfg, diags, checked, memo);
  return cfg;
}

/** The memo's reference checks by block, emptied first when the folder's names or locals changed. */
function memoizedReferences(cfg: DecodedConfig, memo: DecodeMemo): WeakMap<Block, CheckedReferences> {
  const names = JSON.stringify([
    [...cfg.variables.keys()],
    [...cfg.locals.keys()],
    [...cfg.resources.keys()],
    [...cfg.modules.keys()],
    [...cfg.providers.keys()],
  ]);
  const locals = [...cfg.locals.values()].map((l) => l.attribute);
  const known = memo.references;
  if (known.names !== names || known.locals.length !== locals.length || known.locals.some((a, i) => a !== locals[i]))
    memo.references = { names, locals, byBlock: new WeakMap() };
  return memo.references.byBlock;
}

/** The backend types statectl knows. */
export const BACKEND_TYPES = ["s3"] as const;

/** Parses `30s`, `500ms`, `5m`, `1h` (a bare number is seconds) into milliseconds. */
function parseDurationText(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? "s") as "ms" | "s" | "m" | "h"; // what the pattern accepts
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]);
}

function decodeBackend(b: Block, diags: Diagnostic[]): BackendDecl | undefined {
  const label = b.labels[0];
  if (!label) {
    diags.push(
      error("config/missing-label", "Missing backend type", {
        detail: 'A backend block names its type: backend "s3" { … }.',
        range: b.typeRange,
        context: b.range,
      }),
    );
    return undefined;
  }
  if (!(BACKEND_TYPES as readonly string[]).includes(label.value)) {
    diags.push(
      error("config/unknown-backend", "Unknown backend type", {
        detail: `statectl has no backend "${label.value}"; the backends are: ${BACKEND_TYPES.join(", ")}. A local file is \`path = "…"\` in the state block.`,
        range: label.range,
        context: b.range,
        hint: didYouMeanHint(label.value, [...BACKEND_TYPES]),
      }),
    );
    return undefined;
  }
  const before = diags.length;
  const body = decodeBody(b.body, BACKEND_SCHEMA.body, 'a backend "s3" block', b, diags);
  const str = (name: string): string | undefined => {
    const a = body.attributes.get(name);
    const v = literalString(a, diags);
    if (a && v !== undefined && v.trim() === "") {
      diags.push(
        error("config/invalid-backend", "Invalid backend setting", {
          detail: `"${name}" must not be empty.`,
          range: a.expr.range,
          context: a.range,
        }),
      );
      return undefined;
    }
    return v;
  };
  const bool = (name: string): boolean | undefined =>
    body.attributes.has(name) ? literalBool(body.attributes.get(name), false, diags) : undefined;
  const bucket = str("bucket");
  const key = str("key");
  const settings: S3BackendSettings = { bucket: bucket ?? "", key: key ?? "" };
  const region = str("region");
  if (region !== undefined) settings.region = region;
  const profile = str("profile");
  if (profile !== undefined) settings.profile = profile;
  const endpoint = str("endpoint");
  const endpointAttr = body.attributes.get("endpoint");
  if (endpoint !== undefined) {
    if (!/^https?:\/\/[^\s/]+/.test(endpoint))
      diags.push(
        error("config/invalid-backend", "Invalid backend setting", {
          detail: `endpoint must be an http:// or https:// URL, not "${endpoint}".`,
          range: defined(endpointAttr, "the endpoint attribute").expr.range,
          context: defined(endpointAttr, "the endpoint attribute").range,
        }),
      );
    else settings.endpoint = endpoint;
  }
  const forcePathStyle = bool("force_path_style");
  if (forcePathStyle !== undefined) settings.forcePathStyle = forcePathStyle;
  const encrypt = bool("encrypt");
  if (encrypt !== undefined) settings.encrypt = encrypt;
  const kmsKeyId = str("kms_key_id");
  if (kmsKeyId !== undefined) settings.kmsKeyId = kmsKeyId;
  const lockTimeout = str("lock_timeout");
  if (lockTimeout !== undefined) {
    const ms = parseDurationText(lockTimeout);
    const a = defined(body.attributes.get("lock_timeout"), "the lock_timeout attribute");
    if (ms === undefined)
      diags.push(
        error("config/invalid-backend", "Invalid backend setting", {
          detail: `lock_timeout must be a duration like "30s", "500ms" or "5m", not "${lockTimeout}".`,
          range: a.expr.range,
          context: a.range,
        }),
      );
    else settings.lockTimeoutMs = ms;
  }
  for (const name of ["connect_timeout", "request_timeout"] as const) {
    const a = body.attributes.get(name);
    if (!a) continue;
    const ms = literalTimeoutMs(a, diags);
    if (ms === undefined) continue;
    if (name === "connect_timeout") settings.connectTimeoutMs = ms;
    else settings.requestTimeoutMs = ms;
  }
  const prefix = str("workspace_key_prefix");
  if (prefix !== undefined) settings.workspaceKeyPrefix = prefix.replace(/\/+$/, "");
  if (key !== undefined && (key.startsWith("/") || key.endsWith("/"))) {
    const a = defined(body.attributes.get("key"), "the key attribute");
    diags.push(
      error("config/invalid-backend", "Invalid backend setting", {
        detail: `key names an object, so it neither starts nor ends with "/": "${key}".`,
        range: a.expr.range,
        context: a.range,
        hint: `key = "${key.replace(/^\/+|\/+$/g, "")}"`,
      }),
    );
  }
  const role = body.blocks.get("assume_role")?.[0];
  if (role) {
    const rb = decodeBody(role.body, ASSUME_ROLE_SCHEMA.body, "an assume_role block", role, diags);
    const roleArn = literalString(rb.attributes.get("role_arn"), diags);
    const sessionName = literalString(rb.attributes.get("session_name"), diags);
    const externalId = literalString(rb.attributes.get("external_id"), diags);
    if (roleArn)
      settings.assumeRole = { roleArn, ...(sessionName ? { sessionName } : {}), ...(externalId ? { externalId } : {}) };
  }
  if (diags.slice(before).some((d) => d.severity === "error") || !bucket || !key) return undefined;
  return { type: "s3", s3: settings, range: b.range };
}

// ---------------------------------------------------------------------------------------------
// Static readers

function unwrap(e: Expression): Expression {
  return e.type === "Parenthesis" ? unwrap(e.expr) : e;
}

/** A literal bool argument (`sensitive = true`); these shape the configuration, so no expressions. */
function literalBool(attr: Attribute | undefined, dflt: boolean, diags: Diagnostic[]): boolean {
  if (!attr) return dflt;
  const e = unwrap(attr.expr);
  if (e.type === "Literal" && typeof e.value === "boolean") return e.value;
  diags.push(
    error("config/not-literal", "Invalid value", {
      detail: `"${attr.name}" must be the literal value true or false.`,
      range: attr.expr.range,
      context: attr.range,
    }),
  );
  return dflt;
}

/** A timeout as the provider block writes it (seconds), or as a duration string ("500ms", "30s", "2m"). */
function literalTimeoutMs(attr: Attribute, diags: Diagnostic[]): number | undefined {
  const e = unwrap(attr.expr);
  const raw =
    e.type === "Literal" && typeof e.value === "number"
      ? e.value * 1000
      : e.type === "Literal" && typeof e.value === "string"
        ? parseDurationText(e.value)
        : undefined;
  // The same bounds as net/'s timeouts (config comes before net/ in the room order and stays free of it).
  if (raw !== undefined && Number.isFinite(raw) && raw > 0 && raw <= 86_400_000) return Math.round(raw);
  const literal = e.type === "Literal" && (typeof e.value === "number" || typeof e.value === "string");
  diags.push(
    literal
      ? error("config/invalid-backend", "Invalid backend setting", {
          detail: `${attr.name} must be more than zero and at most a day: seconds (e.g. 30) or a duration ("500ms", "30s", "2m").`,
          range: attr.expr.range,
          context: attr.range,
        })
      : error("config/not-literal", "Invalid value", {
          detail: `"${attr.name}" must be a literal number of seconds or a duration string (no references or functions).`,
          range: attr.expr.range,
          context: attr.range,
        }),
  );
  return undefined;
}

function literalString(attr: Attribute | undefined, diags: Diagnostic[]): string | undefined {
  if (!attr) return undefined;
  const e = unwrap(attr.expr);
  if (e.type === "Literal" && typeof e.value === "string") return e.value;
  if (e.type === "Template" && e.parts.every((p) => p.type === "TemplateLiteral"))
    return e.parts.map((p) => (p as { value: string }).value).join("");
  diags.push(
    error("config/not-literal", "Invalid value", {
      detail: `"${attr.name}" must be a literal string (no references or functions).`,
      range: attr.expr.range,
      context: attr.range,
    }),
  );
  return undefined;
}

/** Reads a static reference to a resource (`document.x`, `association.y["k"]`, `association.z[0].name`). */
export function staticResourceRef(
  expr: Expression,
  what: string,
  diags: Diagnostic[],
  allowModules = false,
): ResourceRef | undefined {
  const e = unwrap(expr);
  if (e.type === "ScopeTraversal" && (e.root === "document" || e.root === "association")) {
    const r = resourceRefFromReference({ root: e.root, traversal: e.traversal, range: e.range });
    if (r) return r;
  }
  if (allowModules && e.type === "ScopeTraversal" && e.root === "module") {
    const r = moduleResourceRef(e.traversal, e.range);
    if (r) return r;
    diags.push(
      error("config/invalid-reference", "Invalid reference", {
        detail: `${what} must name a resource inside a module like module.NAME.association.NAME (or module.NAME["key"].association.NAME).`,
        range: expr.range,
      }),
    );
    return undefined;
  }
  diags.push(
    error("config/invalid-reference", "Invalid reference", {
      detail: `${what} must be a reference to a resource, like document.NAME or association.NAME.`,
      range: expr.range,
    }),
  );
  return undefined;
}

/** `module.a["k"].module.b.association.x[0]` (the steps after the first `module`) as a reference with its module path. */
function moduleResourceRef(steps: Reference["traversal"], range: Range): ResourceRef | undefined {
  const module: { name: string; key?: string | number }[] = [];
  let i = 0;
  for (;;) {
    const name = steps[i];
    if (name?.type !== "AttrStep") return undefined;
    const step: { name: string; key?: string | number } = { name: name.name };
    i++;
    const idx = steps[i];
    if (idx?.type === "IndexStep") {
      step.key = idx.key;
      i++;
    }
    module.push(step);
    const next = steps[i];
    if (next?.type !== "AttrStep") return undefined;
    if (next.name === "module") {
      i++;
      continue;
    }
    if (next.name !== "document" && next.name !== "association") return undefined;
    const r = resourceRefFromReference({ root: next.name, traversal: steps.slice(i + 1), range });
    return r ? { ...r, module } : undefined;
  }
}

export function resourceRefFromReference(ref: Reference): ResourceRef | undefined {
  if (ref.root !== "document" && ref.root !== "association") return undefined;
  const first = ref.traversal[0];
  if (!first || first.type !== "AttrStep") return undefined;
  const out: ResourceRef = { kind: ref.root, name: first.name, range: ref.range };
  let i = 1;
  const second = ref.traversal[1];
  if (second?.type === "IndexStep") {
    out.key = second.key;
    i = 2;
  }
  const attr = ref.traversal[i];
  if (attr?.type === "AttrStep") out.attribute = attr.name;
  return out;
}

function staticList(attr: Attribute, what: string, diags: Diagnostic[]): Expression[] | undefined {
  const e = unwrap(attr.expr);
  if (e.type === "Tuple") return e.items;
  diags.push(
    error("config/invalid-argument", "Invalid value", {
      detail: `${what} must be a list written out in brackets: [ … ].`,
      range: attr.expr.range,
      context: attr.range,
    }),
  );
  return undefined;
}

function providerRef(attr: Attribute, diags: Diagnostic[]): ProviderRef {
  const e = unwrap(attr.expr);
  if (e.type === "ScopeTraversal" && e.traversal.length <= 1 && e.traversal.every((s) => s.type === "AttrStep")) {
    const alias = e.traversal[0]?.type === "AttrStep" ? e.traversal[0].name : undefined;
    return alias ? { name: e.root, alias, range: e.range } : { name: e.root, range: e.range };
  }
  diags.push(
    error("config/invalid-provider-reference", "Invalid provider reference", {
      detail: "A provider is chosen with a bare reference: provider = ssm or provider = ssm.ALIAS (no quotes).",
      range: attr.expr.range,
      context: attr.range,
    }),
  );
  return { name: "ssm" };
}

function checkName(label: { value: string; range: Range }, what: string, diags: Diagnostic[]): boolean {
  if (isValidName(label.value)) return true;
  diags.push(
    error("config/invalid-name", `Invalid ${what} name`, {
      detail: `"${label.value}" is not a valid name: a name starts with a letter or underscore and contains only letters, digits, underscores and dashes.`,
      range: label.range,
    }),
  );
  return false;
}

// ---------------------------------------------------------------------------------------------
// Blocks

/** Decodes one resource block on its own (what does not depend on other blocks). */
function decodeResource(b: Block, kind: ResourceKind): DecodedResource {
  const schema = kind === "document" ? DOCUMENT_SCHEMA : ASSOCIATION_SCHEMA;
  const label = defined(b.labels[0], "the block's label (the schema checked it)");
  const before: Diagnostic[] = [];
  const after: Diagnostic[] = [];
  const body = decodeBody(b.body, schema.body, `${an(kind)} block`, b, before);
  if (!checkName(label, kind, before)) return { before, after };
  const id = `${kind}.${label.value}`;
  const count = body.attributes.get("count");
  const forEach = body.attributes.get("for_each");
  const dependsOn = body.attributes.get("depends_on");
  const provider = body.attributes.get("provider");
  const lc = body.blocks.get("lifecycle")?.[0];
  // The decoded body's own maps (made for this block alone), without the meta-arguments.
  const attributes = body.attributes;
  for (const m of META_ARGUMENTS) attributes.delete(m);
  const blocks = body.blocks;
  blocks.delete("lifecycle");
  blocks.forEach((list, type) => {
    const nested = schema.body.blocks?.[type];
    if (nested) for (const nb of list) decodeBody(nb.body, nested.body, `${an(type)} block`, nb, after);
  });
  const res: ResourceDecl = {
    kind,
    name: label.value,
    address: { kind, name: label.value },
    id,
    block: b,
    nameRange: label.range,
    range: b.range,
    attributes,
    blocks,
    dependsOn: [],
    dependsOnModules: [],
    provider: { name: "ssm" },
    lifecycle: { preventDestroy: false, createBeforeDestroy: false, ignoreChanges: [], replaceTriggeredBy: [] },
    references: [],
  };
  if (count && forEach) {
    after.push(
      error("config/conflicting-arguments", "Invalid combination of count and for_each", {
        detail: `${an(kind, true)} may use count or for_each, not both.`,
        range: forEach.nameRange,
        context: b.range,
      }),
    );
  }
  if (count) res.count = count;
  if (forEach && !count) res.forEach = forEach;
  if (dependsOn) readDependsOn(dependsOn, res.dependsOn, res.dependsOnModules, after);
  if (provider) res.provider = providerRef(provider, after);
  if (lc) res.lifecycle = decodeLifecycle(lc, kind, after);
  return { before, decl: res, after };
}

/** Adds a decoded resource to the configuration, unless its name is taken (then only the first diagnostics and the duplicate). */
function addResource(decoded: DecodedResource, cfg: DecodedConfig, diags: Diagnostic[]): void {
  diags.push(...decoded.before);
  const decl = decoded.decl;
  if (!decl) return;
  const prev = cfg.resources.get(decl.id);
  if (prev) {
    diags.push(
      error("config/duplicate-resource", `Duplicate ${decl.kind}`, {
        detail: `${an(decl.kind, true)} named "${decl.name}" was already declared at ${prev.nameRange.file}:${prev.nameRange.start.line}. Each ${decl.kind} needs a unique name.`,
        range: decl.nameRange,
        context: blockHeaderRange(decl.block),
      }),
    );
    return;
  }
  diags.push(...decoded.after);
  // The same object on every decode of an unchanged block (the reference checks set `references`).
  cfg.resources.set(decl.id, decl);
}

/** `depends_on = [association.x, module.y]`: resources, and module calls (every resource in them). */
function readDependsOn(
  attr: Attribute,
  resources: ResourceRef[],
  modules: ModuleDependency[],
  diags: Diagnostic[],
): void {
  for (const item of staticList(attr, "depends_on", diags) ?? []) {
    const e = unwrap(item);
    if (e.type === "ScopeTraversal" && e.root === "module") {
      const first = e.traversal[0];
      if (first?.type === "AttrStep" && e.traversal.length === 1) modules.push({ name: first.name, range: e.range });
      else
        diags.push(
          error("config/invalid-reference", "Invalid reference", {
            detail: "A depends_on entry names a whole module call: module.NAME (no instance key or output).",
            range: e.range,
          }),
        );
      continue;
    }
    const r = staticResourceRef(item, "Each depends_on entry", diags);
    if (r) resources.push(r);
  }
}

function decodeModule(b: Block, cfg: DecodedConfig, diags: Diagnostic[]): void {
  const label = defined(b.labels[0], "the block's label (the schema checked it)");
  const body = decodeBody(b.body, MODULE_SCHEMA.body, "a module block", b, diags);
  if (!checkName(label, "module", diags)) return;
  const prev = cfg.modules.get(label.value);
  if (prev) {
    diags.push(
      error("config/duplicate-module", "Duplicate module call", {
        detail: `A module call named "${label.value}" was already declared at ${prev.nameRange.file}:${prev.nameRange.start.line}. Each module block needs a unique name.`,
        range: label.range,
        context: blockHeaderRange(b),
      }),
    );
    return;
  }
  const call: ModuleCallDecl = {
    name: label.value,
    nameRange: label.range,
    range: b.range,
    block: b,
    inputs: new Map(),
    dependsOn: [],
    dependsOnModules: [],
    providers: new Map(),
  };
  const source = body.attributes.get("source");
  if (source) {
    const text = literalString(source, diags);
    if (text !== undefined) {
      call.source = text;
      call.sourceRange = source.expr.range;
    }
  }
  for (const [name, a] of body.attributes)
    if (!(MODULE_META_ARGUMENTS as readonly string[]).includes(name)) call.inputs.set(name, a);
  const count = body.attributes.get("count");
  const forEach = body.attributes.get("for_each");
  if (count && forEach)
    diags.push(
      error("config/conflicting-arguments", "Invalid combination of count and for_each", {
        detail: "A module call may use count or for_each, not both.",
        range: forEach.nameRange,
        context: b.range,
      }),
    );
  if (count) call.count = count;
  if (forEach && !count) call.forEach = forEach;
  const dependsOn = body.attributes.get("depends_on");
  if (dependsOn) readDependsOn(dependsOn, call.dependsOn, call.dependsOnModules, diags);
  const providers = body.attributes.get("providers");
  if (providers) {
    const e = unwrap(providers.expr);
    if (e.type !== "Object")
      diags.push(
        error("config/invalid-argument", "Invalid providers argument", {
          detail: "providers is an object written out in braces: providers = { ssm = ssm.west }.",
          range: providers.expr.range,
          context: providers.range,
        }),
      );
    else {
      for (const item of e.items) {
        const k = unwrap(item.key);
        let key: string | undefined;
        if (k.type === "ScopeTraversal" && k.traversal.length <= 1 && k.traversal.every((t) => t.type === "AttrStep"))
          key = [k.root, ...k.traversal.map((t) => (t as { name: string }).name)].join(".");
        else if (k.type === "Literal" && typeof k.value === "string") key = k.value;
        else if (k.type === "Template" && k.parts.every((p) => p.type === "TemplateLiteral"))
          key = k.parts.map((p) => (p as { value: string }).value).join("");
        if (key === undefined || !/^ssm(\.[A-Za-z_][A-Za-z0-9_-]*)?$/.test(key)) {
          diags.push(
            error("config/invalid-provider-reference", "Invalid provider reference", {
              detail: "Each key of providers names the module's provider configuration: ssm or ssm.ALIAS.",
              range: item.key.range,
            }),
          );
          continue;
        }
        const ref = providerRef({ ...providers, expr: item.value }, diags);
        call.providers.set(key, { ...ref, keyRange: item.key.range });
      }
    }
  }
  cfg.modules.set(label.value, call);
}

function decodeLifecycle(b: Block, kind: ResourceKind, diags: Diagnostic[]): Lifecycle {
  const body = decodeBody(b.body, LIFECYCLE_SCHEMA.body, "a lifecycle block", b, diags);
  const lc: Lifecycle = {
    preventDestroy: literalBool(body.attributes.get("prevent_destroy"), false, diags),
    createBeforeDestroy: literalBool(body.attributes.get("create_before_destroy"), false, diags),
    ignoreChanges: [],
    replaceTriggeredBy: [],
    range: b.range,
  };
  const ignore = body.attributes.get("ignore_changes");
  if (ignore) {
    const e = unwrap(ignore.expr);
    if (e.type === "ScopeTraversal" && e.root === "all" && e.traversal.length === 0) lc.ignoreChanges = "all";
    else {
      const args = Object.keys((kind === "document" ? DOCUMENT_SCHEMA : ASSOCIATION_SCHEMA).body.attributes).filter(
        (a) => !(META_ARGUMENTS as readonly string[]).includes(a),
      );
      const blockArgs = Object.keys(
        (kind === "document" ? DOCUMENT_SCHEMA : ASSOCIATION_SCHEMA).body.blocks ?? {},
      ).filter((x) => x !== "lifecycle");
      const known = [...args, ...blockArgs];
      const names: string[] = [];
      for (const item of staticList(ignore, "ignore_changes", diags) ?? []) {
        const it = unwrap(item);
        let name: string | undefined;
        if (it.type === "ScopeTraversal") name = it.root;
        else if (it.type === "Literal" && typeof it.value === "string") name = it.value;
        if (name === undefined) {
          diags.push(
            error("config/invalid-lifecycle", "Invalid ignore_changes entry", {
              detail: "Each entry is the name of an argument of this resource, e.g. ignore_changes = [tags, schedule].",
              range: item.range,
            }),
          );
          continue;
        }
        if (!known.includes(name)) {
          diags.push(
            error("config/invalid-lifecycle", "Invalid ignore_changes entry", {
              detail: `${an(kind, true)} has no argument named "${name}".`,
              range: item.range,
              hint: didYouMeanHint(name, known),
            }),
          );
          continue;
        }
        names.push(name);
      }
      lc.ignoreChanges = names;
    }
  }
  const rtb = body.attributes.get("replace_triggered_by");
  if (rtb) {
    for (const item of staticList(rtb, "replace_triggered_by", diags) ?? []) {
      const r = staticResourceRef(item, "Each replace_triggered_by entry", diags);
      if (r) lc.replaceTriggeredBy.push(r);
    }
  }
  return lc;
}

function decodeVariable(b: Block, cfg: DecodedConfig, diags: Diagnostic[]): void {
  const label = defined(b.labels[0], "the block's label (the schema checked it)");
  const body = decodeBody(b.body, VARIABLE_SCHEMA.body, "a variable block", b, diags);
  if (!checkName(label, "variable", diags)) return;
  const prev = cfg.variables.get(label.value);
  if (prev) {
    diags.push(
      error("config/duplicate-variable", "Duplicate variable declaration", {
        detail: `A variable named "${label.value}" was already declared at ${prev.nameRange.file}:${prev.nameRange.start.line}.`,
        range: label.range,
        context: blockHeaderRange(b),
      }),
    );
    return;
  }
  const validations = (body.blocks.get("validation") ?? []).flatMap((v) => {
    const vb = decodeBody(v.body, VARIABLE_SCHEMA.body.blocks.validation.body, "a validation block", v, diags);
    const condition = vb.attributes.get("condition");
    const msg = vb.attributes.get("error_message");
    return condition && msg ? [{ condition: condition.expr, errorMessage: msg.expr, range: v.range }] : [];
  });
  const description = literalString(body.attributes.get("description"), diags);
  const typeAttr = body.attributes.get("type");
  const dflt = body.attributes.get("default");
  cfg.variables.set(label.value, {
    name: label.value,
    nameRange: label.range,
    range: b.range,
    ...(typeAttr ? { type: typeAttr.expr } : {}),
    ...(dflt ? { default: dflt } : {}),
    ...(description !== undefined ? { description } : {}),
    sensitive: literalBool(body.attributes.get("sensitive"), false, diags),
    nullable: literalBool(body.attributes.get("nullable"), true, diags),
    validations,
  });
}

function decodeLocals(b: Block, cfg: DecodedConfig, diags: Diagnostic[]): void {
  const body = decodeBody(b.body, { attributes: {}, anyAttributes: true }, "a locals block", b, diags);
  for (const [name, attr] of body.attributes) {
    const prev = cfg.locals.get(name);
    if (prev) {
      diags.push(
        error("config/duplicate-local", "Duplicate local value", {
          detail: `A local value named "${name}" was already defined at ${prev.attribute.nameRange.file}:${prev.attribute.nameRange.start.line}.`,
          range: attr.nameRange,
          context: attr.range,
        }),
      );
      continue;
    }
    cfg.locals.set(name, { name, attribute: attr, references: exprReferences(attr.expr) });
  }
}

function decodeOutput(b: Block, cfg: DecodedConfig, diags: Diagnostic[]): void {
  const label = defined(b.labels[0], "the block's label (the schema checked it)");
  const body = decodeBody(b.body, OUTPUT_SCHEMA.body, "an output block", b, diags);
  if (!checkName(label, "output", diags)) return;
  const prev = cfg.outputs.get(label.value);
  if (prev) {
    diags.push(
      error("config/duplicate-output", "Duplicate output", {
        detail: `An output named "${label.value}" was already declared at ${prev.nameRange.file}:${prev.nameRange.start.line}.`,
        range: label.range,
        context: blockHeaderRange(b),
      }),
    );
    return;
  }
  const value = body.attributes.get("value");
  if (!value) return;
  const dependsOn: ResourceRef[] = [];
  const dep = body.attributes.get("depends_on");
  if (dep)
    for (const item of staticList(dep, "depends_on", diags) ?? []) {
      const r = staticResourceRef(item, "Each depends_on entry", diags);
      if (r) dependsOn.push(r);
    }
  const description = literalString(body.attributes.get("description"), diags);
  cfg.outputs.set(label.value, {
    name: label.value,
    nameRange: label.range,
    range: b.range,
    value,
    ...(description !== undefined ? { description } : {}),
    sensitive: literalBool(body.attributes.get("sensitive"), false, diags),
    dependsOn,
  });
}

function decodeProvider(b: Block, cfg: DecodedConfig, diags: Diagnostic[]): void {
  const label = defined(b.labels[0], "the block's label (the schema checked it)");
  const body = decodeBody(b.body, PROVIDER_SCHEMA.body, "a provider block", b, diags);
  if (!(PROVIDER_NAMES as readonly string[]).includes(label.value)) {
    diags.push(
      error("config/unknown-provider", "Unknown provider", {
        detail: `statectl has no provider named "${label.value}"; the only provider is "ssm".`,
        range: label.range,
        hint: didYouMeanHint(label.value, PROVIDER_NAMES) ?? 'write provider "ssm" { … }',
      }),
    );
    return;
  }
  const aliasAttr = body.attributes.get("alias");
  const alias = literalString(aliasAttr, diags);
  if (alias !== undefined && !isValidName(alias)) {
    diags.push(
      error("config/invalid-name", "Invalid provider alias", {
        detail: `"${alias}" is not a valid alias: use letters, digits, underscores and dashes.`,
        range: defined(aliasAttr, "the alias attribute").expr.range,
      }),
    );
    return;
  }
  const key = alias ? `${label.value}.${alias}` : label.value;
  const prev = cfg.providers.get(key);
  if (prev) {
    diags.push(
      error("config/duplicate-provider", "Duplicate provider configuration", {
        detail: alias
          ? `A provider configuration with alias "${alias}" was already declared at ${prev.range.file}:${prev.range.start.line}.`
          : `The default "${label.value}" provider was already configured at ${prev.range.file}:${prev.range.start.line}. Give the second one an alias (alias = "west") and select it with provider = ${label.value}.west.`,
        range: aliasAttr?.expr.range ?? label.range,
        context: blockHeaderRange(b),
      }),
    );
    return;
  }
  const attributes = new Map(body.attributes);
  attributes.delete("alias");
  const ar = body.blocks.get("assume_role")?.[0];
  const assumeRole = ar
    ? {
        attributes: decodeBody(ar.body, PROVIDER_SCHEMA.body.blocks.assume_role.body, "an assume_role block", ar, diags)
          .attributes,
        range: ar.range,
      }
    : undefined;
  const lb = body.blocks.get("local")?.[0];
  const local = lb
    ? {
        attributes: decodeBody(lb.body, PROVIDER_SCHEMA.body.blocks.local.body, "a local block", lb, diags).attributes,
        range: lb.range,
      }
    : undefined;
  cfg.providers.set(key, {
    name: label.value,
    ...(alias ? { alias } : {}),
    key,
    block: b,
    range: b.range,
    attributes,
    ...(assumeRole ? { assumeRole } : {}),
    ...(local ? { local } : {}),
  });
}

function decodeImport(b: Block, cfg: DecodedConfig, diags: Diagnostic[]): void {
  const body = decodeBody(b.body, IMPORT_SCHEMA.body, "an import block", b, diags);
  const to = body.attributes.get("to");
  const id = body.attributes.get("id");
  if (!to || !id) return;
  const ref = staticResourceRef(to.expr, '"to"', diags, true);
  if (!ref) return;
  const provider = body.attributes.get("provider");
  cfg.imports.push({ to: ref, id, ...(provider ? { provider: providerRef(provider, diags) } : {}), range: b.range });
}

function decodeMoved(b: Block, cfg: DecodedConfig, diags: Diagnostic[]): void {
  const body = decodeBody(b.body, MOVED_SCHEMA.body, "a moved block", b, diags);
  const fromA = body.attributes.get("from");
  const toA = body.attributes.get("to");
  if (!fromA || !toA) return;
  const from = staticResourceRef(fromA.expr, '"from"', diags, true);
  const to = staticResourceRef(toA.expr, '"to"', diags, true);
  if (!from || !to) return;
  for (const r of [from, to]) {
    if (r.attribute !== undefined)
      diags.push(
        error("config/invalid-reference", "Invalid address", {
          detail: "A moved block names resources or instances, not their attributes.",
          range: r.range,
        }),
      );
  }
  if (from.kind !== to.kind) {
    diags.push(
      error("config/invalid-moved", "Invalid moved block", {
        detail: `${an(from.kind, true)} cannot move to ${an(to.kind)}; moved blocks rename resources of one kind.`,
        range: toA.expr.range,
        context: b.range,
      }),
    );
    return;
  }
  if (
    from.name === to.name &&
    from.key === to.key &&
    JSON.stringify(from.module ?? []) === JSON.stringify(to.module ?? [])
  ) {
    diags.push(
      error("config/invalid-moved", "Invalid moved block", {
        detail: '"from" and "to" are the same address.',
        range: toA.expr.range,
        context: b.range,
      }),
    );
    return;
  }
  cfg.moved.push({ from, to, range: b.range });
}

// ---------------------------------------------------------------------------------------------
// References

const ROOTS = ["var", "local", "document", "association", "module", "each", "count", "path", "statectl"];

interface RefScope {
  /** Human name of where the expression is, for messages. */
  where: string;
  allowResources: boolean;
  each: boolean;
  count: boolean;
  /** For variable validations: only `var.<self>`; for defaults: nothing. */
  onlyVariable?: string | null;
}

function checkExprRefs(
  expr: Expression,
  scope: RefScope,
  cfg: DecodedConfig,
  diags: Diagnostic[],
  found?: ResourceRef[],
  all?: Reference[],
): void {
  const refs = exprReferences(expr);
  if (all) for (const ref of refs) all.push(ref);
  for (const ref of refs) {
    const first = ref.traversal[0];
    const attrName = first?.type === "AttrStep" ? first.name : undefined;
    const fail = (code: ErrorCode, summary: string, detail: string, hint?: string) => {
      const d = error(code, summary, { detail, range: ref.range });
      if (hint) d.hint = hint;
      diags.push(d);
    };
    if (scope.onlyVariable !== undefined) {
      if (scope.onlyVariable === null) {
        fail(
          "config/invalid-reference",
          "Variables not allowed",
          `${scope.where} must be a constant; it cannot refer to "${ref.root}".`,
        );
        continue;
      }
      if (ref.root !== "var" || attrName !== scope.onlyVariable) {
        fail(
          "config/invalid-reference",
          "Invalid reference in variable validation",
          `A validation condition can refer only to the variable itself (var.${scope.onlyVariable}).`,
        );
        continue;
      }
    }
    switch (ref.root) {
      case "var":
        if (!attrName)
          fail(
            "config/invalid-reference",
            "Invalid reference",
            'The "var" object cannot be used on its own; refer to one variable: var.NAME.',
          );
        else if (!cfg.variables.has(attrName)) {
          fail(
            "config/undeclared-variable",
            "Reference to undeclared input variable",
            `No variable named "${attrName}" is declared.`,
            didYouMeanHint(attrName, cfg.variables.keys()) ?? `declare it with: variable "${attrName}" { … }`,
          );
        }
        break;
      case "local":
        if (!attrName)
          fail(
            "config/invalid-reference",
            "Invalid reference",
            'The "local" object cannot be used on its own; refer to one local value: local.NAME.',
          );
        else if (!cfg.locals.has(attrName)) {
          fail(
            "config/undeclared-local",
            "Reference to undeclared local value",
            `No local value named "${attrName}" is defined.`,
            didYouMeanHint(attrName, cfg.locals.keys()) ?? `define it in a locals { … } block`,
          );
        }
        break;
      case "document":
      case "association": {
        if (!attrName) {
          fail(
            "config/invalid-reference",
            "Invalid reference",
            `A reference to ${an(ref.root)} needs its name: ${ref.root}.NAME.`,
          );
          break;
        }
        if (!scope.allowResources) {
          fail("config/invalid-reference", "Invalid reference", `${scope.where} cannot refer to resources.`);
          break;
        }
        if (!cfg.resources.has(`${ref.root}.${attrName}`)) {
          const same = [...cfg.resources.values()].filter((r) => r.kind === ref.root).map((r) => r.name);
          const near = didYouMean(attrName, same);
          const other = ref.root === "document" ? "association" : "document";
          const hint = near
            ? undefined
            : cfg.resources.has(`${other}.${attrName}`)
              ? `there is ${an(other)} named "${attrName}": ${other}.${attrName}`
              : undefined;
          fail(
            "config/undeclared-resource",
            `Reference to undeclared ${ref.root}`,
            `No ${ref.root} named ${attrName}${near ? `; did you mean ${near}?` : "."}`,
            hint,
          );
          break;
        }
        const r = resourceRefFromReference(ref);
        if (r && found) found.push(r);
        break;
      }
      case "each":
        if (!scope.each)
          fail(
            "config/invalid-reference",
            'Reference to "each" in the wrong place',
            `"each.key" and "each.value" are available only in a resource that sets for_each; ${scope.where} does not.`,
          );
        else if (attrName !== "key" && attrName !== "value")
          fail(
            "config/invalid-reference",
            "Invalid each attribute",
            'The "each" object has two attributes: each.key and each.value.',
            attrName ? didYouMeanHint(attrName, ["key", "value"]) : undefined,
          );
        break;
      case "count":
        if (!scope.count)
          fail(
            "config/invalid-reference",
            'Reference to "count" in the wrong place',
            `"count.index" is available only in a resource that sets count; ${scope.where} does not.`,
          );
        else if (attrName !== "index")
          fail(
            "config/invalid-reference",
            "Invalid count attribute",
            'The "count" object has one attribute: count.index.',
          );
        break;
      case "module":
        if (!attrName)
          fail(
            "config/invalid-reference",
            "Invalid reference",
            "A reference to a module needs its name and an output: module.NAME.OUTPUT.",
          );
        else if (!scope.allowResources)
          fail("config/invalid-reference", "Invalid reference", `${scope.where} cannot refer to modules.`);
        else if (!cfg.modules.has(attrName)) {
          fail(
            "config/undeclared-module",
            "Reference to undeclared module",
            `No module call named "${attrName}" is declared.`,
            didYouMeanHint(attrName, cfg.modules.keys()) ??
              `declare it with: module "${attrName}" { source = "./modules/${attrName}" }`,
          );
        }
        // Whether the output exists is checked once the module is loaded (config/modules.ts).
        break;
      case "path":
        if (attrName !== "module" && attrName !== "root" && attrName !== "cwd")
          fail(
            "config/invalid-reference",
            "Invalid path attribute",
            'The "path" object has the attributes path.module, path.root and path.cwd.',
            attrName ? didYouMeanHint(attrName, ["module", "root", "cwd"]) : undefined,
          );
        break;
      case "statectl":
        if (attrName !== "workspace")
          fail(
            "config/invalid-reference",
            "Invalid statectl attribute",
            'The "statectl" object has one attribute: statectl.workspace (the selected workspace).',
            attrName ? didYouMeanHint(attrName, ["workspace"]) : undefined,
          );
        break;
      default:
        fail(
          "config/unknown-reference",
          "Unknown variable",
          `There is no variable named "${ref.root}".`,
          didYouMeanHint(ref.root, ROOTS) ?? `references start with one of: ${ROOTS.join(", ")}`,
        );
    }
  }
}

function bodyExpressions(body: Body): Expression[] {
  const out: Expression[] = [];
  for (const item of body.items) {
    if (item.type === "Attribute") out.push(item.expr);
    else out.push(...bodyExpressions(item.body));
  }
  return out;
}

function checkReferences(
  cfg: DecodedConfig,
  diags: Diagnostic[],
  isModule: boolean,
  checked?: WeakMap<Block, CheckedReferences>,
): void {
  for (const r of cfg.resources.values()) {
    let found = checked?.get(r.block);
    if (!found) {
      found = { diagnostics: [], references: [], argumentReferences: [] };
      checkResourceReferences(r, cfg, found.diagnostics, isModule, found.references, found.argumentReferences);
      checked?.set(r.block, found);
    }
    diags.push(...found.diagnostics);
    // Assigned, never added to: an evaluation reused by the language server keeps the list it saw.
    r.references = found.references;
    r.argumentReferences = found.argumentReferences;
  }
  checkOtherReferences(cfg, diags);
}

function checkResourceReferences(
  r: ResourceDecl,
  cfg: DecodedConfig,
  diags: Diagnostic[],
  isModule: boolean,
  references: ResourceRef[],
  argumentReferences: Reference[],
): void {
  {
    const scope: RefScope = {
      where: `${r.kind} "${r.name}"`,
      allowResources: true,
      each: r.forEach !== undefined,
      count: r.count !== undefined,
    };
    for (const a of r.attributes.values()) checkExprRefs(a.expr, scope, cfg, diags, references, argumentReferences);
    for (const bs of r.blocks.values())
      for (const b of bs)
        for (const e of bodyExpressions(b.body)) checkExprRefs(e, scope, cfg, diags, references, argumentReferences);
    const expansionScope: RefScope = {
      where: `The ${r.count ? "count" : "for_each"} of ${r.kind} "${r.name}"`,
      allowResources: true,
      each: false,
      count: false,
    };
    if (r.count) checkExprRefs(r.count.expr, expansionScope, cfg, diags, references);
    if (r.forEach) checkExprRefs(r.forEach.expr, expansionScope, cfg, diags, references);
    for (const d of [...r.dependsOn, ...r.lifecycle.replaceTriggeredBy]) checkResourceExists(d, cfg, diags);
    // A module's provider configurations come from its caller (config/modules.ts checks them).
    if (!isModule && (r.provider.alias !== undefined || r.provider.name !== "ssm")) {
      const key = r.provider.alias ? `${r.provider.name}.${r.provider.alias}` : r.provider.name;
      if (!cfg.providers.has(key)) {
        const aliases = [...cfg.providers.values()].filter((p) => p.alias).map((p) => `${p.name}.${p.alias}`);
        const d = error("config/undeclared-provider", "Reference to undeclared provider configuration", {
          detail:
            r.provider.name !== "ssm"
              ? `statectl has no provider named "${r.provider.name}".`
              : `No provider "ssm" block has alias = "${r.provider.alias}".`,
        });
        if (r.provider.range) d.range = r.provider.range;
        const hint = didYouMeanHint(key, aliases);
        if (hint) d.hint = hint;
        diags.push(d);
      }
    }
  }
}

/** The reference checks of everything but resources: module calls, locals, outputs, variables, providers, state, imports, moved. */
function checkOtherReferences(cfg: DecodedConfig, diags: Diagnostic[]): void {
  for (const m of cfg.modules.values()) {
    const scope: RefScope = {
      where: `module "${m.name}"`,
      allowResources: true,
      each: m.forEach !== undefined,
      count: m.count !== undefined,
    };
    for (const a of m.inputs.values()) checkExprRefs(a.expr, scope, cfg, diags);
    const expansionScope: RefScope = {
      where: `The ${m.count ? "count" : "for_each"} of module "${m.name}"`,
      allowResources: true,
      each: false,
      count: false,
    };
    if (m.count) checkExprRefs(m.count.expr, expansionScope, cfg, diags);
    if (m.forEach) checkExprRefs(m.forEach.expr, expansionScope, cfg, diags);
    for (const d of m.dependsOn) checkResourceExists(d, cfg, diags);
    for (const d of m.dependsOnModules) checkModuleExists(d, cfg, diags);
  }
  for (const r of cfg.resources.values()) for (const d of r.dependsOnModules) checkModuleExists(d, cfg, diags);
  for (const l of cfg.locals.values())
    checkExprRefs(
      l.attribute.expr,
      { where: `local.${l.name}`, allowResources: true, each: false, count: false },
      cfg,
      diags,
    );
  for (const o of cfg.outputs.values()) {
    checkExprRefs(
      o.value.expr,
      { where: `output "${o.name}"`, allowResources: true, each: false, count: false },
      cfg,
      diags,
    );
    for (const d of o.dependsOn) checkResourceExists(d, cfg, diags);
  }
  for (const v of cfg.variables.values()) {
    if (v.default)
      checkExprRefs(
        v.default.expr,
        {
          where: `The default of variable "${v.name}"`,
          allowResources: false,
          each: false,
          count: false,
          onlyVariable: null,
        },
        cfg,
        diags,
      );
    for (const val of v.validations) {
      for (const e of [val.condition, val.errorMessage])
        checkExprRefs(
          e,
          { where: "A validation", allowResources: false, each: false, count: false, onlyVariable: v.name },
          cfg,
          diags,
        );
    }
  }
  for (const p of cfg.providers.values()) {
    for (const a of [
      ...p.attributes.values(),
      ...(p.assumeRole?.attributes.values() ?? []),
      ...(p.local?.attributes.values() ?? []),
    ])
      checkExprRefs(
        a.expr,
        { where: "A provider configuration", allowResources: false, each: false, count: false },
        cfg,
        diags,
      );
  }
  if (cfg.state?.path)
    checkExprRefs(
      cfg.state.path.expr,
      { where: "The state path", allowResources: false, each: false, count: false },
      cfg,
      diags,
    );
  for (const i of cfg.imports) {
    if (!i.to.module) checkResourceExists(i.to, cfg, diags);
    checkExprRefs(i.id.expr, { where: "An import id", allowResources: false, each: false, count: false }, cfg, diags);
  }
  for (const m of cfg.moved) {
    // The old address is gone from the configuration by design; only the new one must exist
    // (inside a module, that is checked when planning: plan/… diagnostics).
    if (!m.to.module) checkResourceExists(m.to, cfg, diags);
    const stillThere = m.from.module ? undefined : cfg.resources.get(`${m.from.kind}.${m.from.name}`);
    if (stillThere && m.from.key === undefined && (m.to.name !== m.from.name || m.to.module)) {
      diags.push(
        error("config/invalid-moved", "Moved object still exists", {
          detail: `${m.from.kind}.${m.from.name} is still declared (${stillThere.nameRange.file}:${stillThere.nameRange.start.line}), so it cannot have moved to ${m.to.module ? `${formatModulePath(m.to.module)}.` : ""}${m.to.kind}.${m.to.name}. Remove or rename the old block.`,
          range: m.from.range,
        }),
      );
    }
  }
}

function checkModuleExists(d: ModuleDependency, cfg: DecodedConfig, diags: Diagnostic[]): void {
  if (cfg.modules.has(d.name)) return;
  const hint = didYouMeanHint(d.name, cfg.modules.keys());
  diags.push(
    error("config/undeclared-module", "Reference to undeclared module", {
      detail: `No module call named "${d.name}" is declared.`,
      range: d.range,
      ...(hint ? { hint } : {}),
    }),
  );
}

function checkResourceExists(r: ResourceRef, cfg: DecodedConfig, diags: Diagnostic[]): void {
  if (cfg.resources.has(`${r.kind}.${r.name}`)) return;
  const near = didYouMean(
    r.name,
    [...cfg.resources.values()].filter((x) => x.kind === r.kind).map((x) => x.name),
  );
  diags.push(
    error("config/undeclared-resource", `Reference to undeclared ${r.kind}`, {
      detail: `No ${r.kind} named ${r.name}${near ? `; did you mean ${near}?` : "."}`,
      range: r.range,
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Cycles

/** Finds the cycles of a directed graph given as adjacency lists (Tarjan's strongly connected components). */
export function findCycles(nodes: readonly string[], edges: (n: string) => readonly string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        strong(w);
        low.set(
          v,
          Math.min(defined(low.get(v), "a visited node's low link"), defined(low.get(w), "a visited node's low link")),
        );
      } else if (onStack.has(w))
        low.set(
          v,
          Math.min(defined(low.get(v), "a visited node's low link"), defined(idx.get(w), "a visited node's index")),
        );
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = defined(stack.pop(), "a node of the component on the stack");
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || edges(v).includes(v)) out.push(comp.reverse());
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return out;
}

function localDeps(l: LocalDecl, cfg: DecodedConfig): string[] {
  const out: string[] = [];
  for (const r of l.references) {
    const a = r.traversal[0];
    if (r.root === "local" && a?.type === "AttrStep" && cfg.locals.has(a.name) && !out.includes(a.name))
      out.push(a.name);
  }
  return out;
}

function checkLocalCycles(cfg: DecodedConfig, diags: Diagnostic[]): void {
  const names = [...cfg.locals.keys()];
  const depsOf = (n: string) => localDeps(defined(cfg.locals.get(n), "a local in a cycle"), cfg);
  for (const cycle of findCycles(names, depsOf)) {
    const ordered = orderCycle(cycle, depsOf);
    const first = defined(cfg.locals.get(ordered[0]), "the first local of a cycle");
    diags.push(
      error("config/local-cycle", "Cycle in local values", {
        detail: `These local values refer to each other in a cycle: ${[...ordered, ordered[0]].map((n) => `local.${n}`).join(" → ")}.`,
        range: first.attribute.nameRange,
        hint: "break the cycle by computing one of them without the others",
      }),
    );
  }
}

/** Puts a cycle's members in reference order, starting from the member declared first. */
function orderCycle(members: string[], edges: (n: string) => readonly string[]): [string, ...string[]] {
  const set = new Set(members);
  const start = defined(members.slice().sort()[0], "a cycle's first member");
  const order: [string, ...string[]] = [start];
  let cur = start;
  while (order.length < members.length) {
    const next = edges(cur).find((n) => set.has(n) && !order.includes(n));
    if (!next) break;
    order.push(next);
    cur = next;
  }
  return order;
}

/** The dependency list of every resource that has none (most of a large fleet): one shared, empty, never added to. */
const NO_DEPENDENCIES: string[] = [];

/** Which resources each resource depends on, through references (also via locals) and depends_on. */
export function resourceDependencies(
  cfg: DecodedConfig,
  checked?: WeakMap<Block, CheckedReferences>,
): Map<string, string[]> {
  const localResources = new Map<string, Set<string>>();
  const resolveLocal = (name: string, seen: Set<string>): Set<string> => {
    const cached = localResources.get(name);
    if (cached) return cached;
    const out = new Set<string>();
    const l = cfg.locals.get(name);
    if (!l || seen.has(name)) return out;
    seen.add(name);
    for (const r of l.references) {
      const rr = resourceRefFromReference(r);
      if (rr && cfg.resources.has(`${rr.kind}.${rr.name}`)) out.add(`${rr.kind}.${rr.name}`);
      const a = r.traversal[0];
      if (r.root === "local" && a?.type === "AttrStep") for (const x of resolveLocal(a.name, seen)) out.add(x);
    }
    localResources.set(name, out);
    return out;
  };
  const deps = new Map<string, string[]>();
  for (const r of cfg.resources.values()) {
    const known = checked?.get(r.block);
    if (known?.dependencies) {
      deps.set(r.id, known.dependencies);
      continue;
    }
    const out = new Set<string>();
    for (const list of [r.references, r.dependsOn])
      for (const ref of list) {
        const id = `${ref.kind}.${ref.name}`;
        if (cfg.resources.has(id)) out.add(id);
      }
    // Only locals can add more, so without locals no expression is walked again.
    if (cfg.locals.size > 0) {
      const exprs = [...r.attributes.values()].map((a) => a.expr);
      for (const bs of r.blocks.values()) for (const b of bs) exprs.push(...bodyExpressions(b.body));
      if (r.count) exprs.push(r.count.expr);
      if (r.forEach) exprs.push(r.forEach.expr);
      for (const e of exprs) {
        for (const ref of exprReferences(e)) {
          const a = ref.traversal[0];
          if (ref.root === "local" && a?.type === "AttrStep")
            for (const x of resolveLocal(a.name, new Set())) out.add(x);
        }
      }
    }
    const list = out.size === 0 ? NO_DEPENDENCIES : [...out];
    deps.set(r.id, list);
    if (known) known.dependencies = list;
  }
  return deps;
}

function checkResourceCycles(
  cfg: DecodedConfig,
  diags: Diagnostic[],
  checked?: WeakMap<Block, CheckedReferences>,
  memo?: DecodeMemo,
): void {
  const deps = resourceDependencies(cfg, checked);
  const before = memo?.acyclic;
  if (memo) memo.acyclic = deps;
  // The last decode found no cycle: a cycle now must pass through a resource whose dependencies
  // changed (unchanged ones keep the same list), so only what those reach is searched first.
  if (before) {
    const reach: string[] = [];
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      reach.push(id);
      for (const d of deps.get(id) ?? []) visit(d);
    };
    for (const [id, list] of deps) if (before.get(id) !== list) visit(id);
    if (findCycles(reach, (n) => deps.get(n) ?? []).length === 0) return;
  }
  checkCycles(cfg, diags, deps, memo);
}

function checkCycles(cfg: DecodedConfig, diags: Diagnostic[], deps: Map<string, string[]>, memo?: DecodeMemo): void {
  const cycles = findCycles([...deps.keys()], (n) => deps.get(n) ?? []);
  if (memo && cycles.length > 0) delete memo.acyclic;
  for (const cycle of cycles) {
    const ordered = orderCycle(cycle, (n) => deps.get(n) ?? []);
    const first = defined(cfg.resources.get(ordered[0]), "the first resource of a cycle");
    const lines = ordered.map((id) => {
      const r = defined(cfg.resources.get(id), "a resource of a cycle");
      return `${id} (${r.nameRange.file}:${r.nameRange.start.line})`;
    });
    diags.push(
      error("config/dependency-cycle", "Cycle between resources", {
        detail: `These resources depend on each other in a cycle, so none can be created first:\n${[...lines, lines[0]].join("\n  → ")}`,
        range: first.nameRange,
        context: blockHeaderRange(first.block),
      }),
    );
  }
}

export { checkLabels };

/**
 * Checks the names an expression written outside the files refers to (`statectl console`),
 * exactly as references inside the files are checked: undeclared variables, locals and
 * resources, unknown roots, each and count where they do not exist.
 */
export function checkStandaloneExpression(expr: Expression, cfg: DecodedConfig, where = "the console"): Diagnostic[] {
  const diags: Diagnostic[] = [];
  checkExprRefs(expr, { where, allowResources: true, each: false, count: false }, cfg, diags);
  return diags;
}
