/**
 * The decoded configuration: every block of every file, with meaning attached but nothing
 * evaluated. Expressions stay as AST (with ranges) for eval/ to evaluate; references between
 * blocks are already listed and checked, so a graph builder can work from this alone.
 */
import type { ModulePath, ResourceAddress, ResourceKind, InstanceKey } from "../addrs/index.js";
import type { Range, SourceRegistry } from "../diag/index.js";
import type { Attribute, Block, Body, Expression, Reference } from "../syntax/ast.js";
import type { InputBudget } from "./source-file.js";

export interface Config {
  /** The configuration directory (absolute); file functions resolve paths against it. */
  dir: string;
  /** Parsed `.state` files by file name (as shown in diagnostics). */
  files: Map<string, Body>;
  sources: SourceRegistry;
  /** In-memory file contents when the configuration was given as `{ files }`. */
  memoryFiles?: Readonly<Record<string, string>>;
  variables: Map<string, VariableDecl>;
  locals: Map<string, LocalDecl>;
  outputs: Map<string, OutputDecl>;
  /** Keyed by `kind.name`. */
  resources: Map<string, ResourceDecl>;
  /** Keyed by `ssm` (the default configuration) or `ssm.ALIAS`. */
  providers: Map<string, ProviderDecl>;
  state?: StateDecl;
  /** The selected workspace (`statectl.workspace`); "default" unless chosen. */
  workspace: string;
  imports: ImportDecl[];
  moved: MovedDecl[];
  /** `module "NAME" { source = "./path" … }` calls, by name; each holds the module's own Config once loaded. */
  modules: Map<string, ModuleCallDecl>;
  /** For a module's Config: the chain of calls from the root (`["baseline", "patching"]`); absent for the root. */
  moduleCalls?: string[];
  /** Values for variables from the command line, var files and the environment, lowest precedence first. */
  variableInputs: VariableInput[];
  /** What the files read for this configuration add up to; file functions keep counting on it. */
  inputBudget?: InputBudget;
}

export interface VariableValidation {
  condition: Expression;
  errorMessage: Expression;
  range: Range;
}

export interface VariableDecl {
  name: string;
  nameRange: Range;
  range: Range;
  /** The `type` expression (decoded by eval into a type constraint); absent means `any`. */
  type?: Expression;
  default?: Attribute;
  description?: string;
  sensitive: boolean;
  nullable: boolean;
  validations: VariableValidation[];
}

export interface LocalDecl {
  name: string;
  attribute: Attribute;
  references: Reference[];
}

export interface OutputDecl {
  name: string;
  nameRange: Range;
  range: Range;
  value: Attribute;
  description?: string;
  sensitive: boolean;
  dependsOn: ResourceRef[];
}

/** A reference from an expression to a resource: `document.x` (and the attribute if any). */
export interface ResourceRef {
  /** Set by eval for references made inside a module instance: the instance's module path. */
  module?: ModulePath;
  kind: ResourceKind;
  name: string;
  /** `document.x[0].name` → 0; absent when the reference names the whole resource. */
  key?: InstanceKey;
  /** The first attribute after the resource (or instance), e.g. `name` in `document.x.name`. */
  attribute?: string;
  /** The whole reference, e.g. `document.x.name`. */
  range: Range;
}

export interface Lifecycle {
  preventDestroy: boolean;
  createBeforeDestroy: boolean;
  /** Argument names, or "all". */
  ignoreChanges: string[] | "all";
  replaceTriggeredBy: ResourceRef[];
  range?: Range;
}

export interface ProviderRef {
  name: string;
  alias?: string;
  range?: Range;
}

export interface ResourceDecl {
  kind: ResourceKind;
  name: string;
  address: ResourceAddress;
  /** `kind.name` */
  id: string;
  block: Block;
  nameRange: Range;
  range: Range;
  /** Arguments other than the meta-arguments, by name. */
  attributes: Map<string, Attribute>;
  /** Nested blocks other than lifecycle, by type (targets, output_location, …). */
  blocks: Map<string, Block[]>;
  count?: Attribute;
  forEach?: Attribute;
  dependsOn: ResourceRef[];
  /** `depends_on = [module.NAME]` entries: the names of module calls. */
  dependsOnModules: ModuleDependency[];
  provider: ProviderRef;
  lifecycle: Lifecycle;
  /** Every resource this one refers to in its arguments (not depends_on), with ranges. */
  references: ResourceRef[];
  /**
   * Every reference in its arguments and nested blocks (variables, locals, resources…), as the
   * reference checks read them: evaluation builds the resource's scope from these.
   */
  argumentReferences?: Reference[];
}

export interface ModuleDependency {
  name: string;
  range: Range;
}

/** A `module` block: a call of the module in the folder `source` with arguments for its variables. */
export interface ModuleCallDecl {
  name: string;
  nameRange: Range;
  range: Range;
  block: Block;
  /** `source` as written (`./modules/baseline`) and where; absent when it was missing or not a literal. */
  source?: string;
  sourceRange?: Range;
  /** The module's folder (absolute), once `source` is known. */
  dir?: string;
  /** Arguments for the module's variables, by name. */
  inputs: Map<string, Attribute>;
  count?: Attribute;
  forEach?: Attribute;
  dependsOn: ResourceRef[];
  dependsOnModules: ModuleDependency[];
  /**
   * `providers = { ssm = ssm.west }`: the module's provider configuration (`ssm`, `ssm.ALIAS`)
   * → the caller's. Without it the module gets the caller's default `ssm`.
   */
  providers: Map<string, ProviderRef & { keyRange: Range }>;
  /** The module's configuration; absent when it could not be loaded (reported). */
  config?: Config;
}

export interface ProviderDecl {
  name: string;
  alias?: string;
  /** `ssm` or `ssm.ALIAS` */
  key: string;
  block: Block;
  range: Range;
  attributes: Map<string, Attribute>;
  /** `assume_role { role_arn, session_name, external_id, duration }`: its arguments, when the block is there. */
  assumeRole?: { attributes: Map<string, Attribute>; range: Range };
  /** `local { execute, rootfs, … }`: how the local endpoint runs documents, when the block is there. */
  local?: { attributes: Map<string, Attribute>; range: Range };
}

export interface StateDecl {
  /** `path = …`; absent when a backend is configured. */
  path?: Attribute;
  backend?: BackendDecl;
  range: Range;
}

/** `backend "s3" { … }`, decoded statically: backend settings are literals, as in Terraform. */
export interface BackendDecl {
  type: "s3";
  s3: S3BackendSettings;
  range: Range;
}

/**
 * Where an S3 state lives and how to reach it: what the `backend "s3"` block says and what the
 * state storage it opens needs alike (state-s3's options extend this one list).
 */
export interface S3Connection {
  bucket: string;
  /** The state object's key (for the storage of a non-default workspace: already `PREFIX/NAME/KEY`). */
  key: string;
  /** When omitted, the SDK's chain (AWS_REGION, the profile) decides. */
  region?: string;
  profile?: string;
  /** An S3-compatible endpoint; when omitted, the SDK honours AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Server-side encryption: SSE-S3, or SSE-KMS with kmsKeyId. */
  encrypt?: boolean;
  kmsKeyId?: string;
  assumeRole?: { roleArn: string; sessionName?: string; externalId?: string };
}

/** The settings of an S3 backend, in the language's names. */
export interface S3BackendSettings extends S3Connection {
  /** Milliseconds. */
  lockTimeoutMs?: number;
  workspaceKeyPrefix?: string;
  /** `connect_timeout` / `request_timeout`, in milliseconds; else the environment's, else net/'s defaults. */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface ImportDecl {
  to: ResourceRef;
  id: Attribute;
  provider?: ProviderRef;
  range: Range;
}

export interface MovedDecl {
  from: ResourceRef;
  to: ResourceRef;
  range: Range;
}

/** A value for a variable from outside the configuration. */
export interface VariableInput {
  name: string;
  /** `plan`: the value a saved plan was made with (`statectl apply PLANFILE`); `module`: an argument of a module block. */
  source: "env" | "auto-file" | "file" | "cli" | "plan" | "module";
  /** Raw text (cli, env) to be read according to the variable's type, or an expression (var files). */
  text?: string;
  /** A value as JSON (plan files), converted to the variable's type. */
  value?: unknown;
  expr?: Expression;
  /** Where it came from, for messages: `--var`, `STATECTL_VAR_x`, or the var file's name. */
  origin: string;
  range?: Range;
}
