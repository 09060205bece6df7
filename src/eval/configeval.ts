/**
 * Evaluating a whole configuration: variables (type, default, inputs by precedence,
 * validation), locals, every resource instance (count/for_each expanded) with its arguments
 * converted to their declared types, outputs, providers, the state path, imports and moved
 * blocks. The result is what the planner needs: instances with addresses, values (some
 * unknown until apply), references, ranges, provider, dependencies and lifecycle.
 */
import {
  formatAddress,
  formatModulePath,
  withModule,
  type InstanceAddress,
  type InstanceKey,
  type ModulePath,
  type ModuleStep,
  type ResourceKind,
} from "../addrs/index.js";
import { defined, error, redactQuoted, type Diagnostic, type Range } from "../diag/index.js";
import { resolve } from "node:path";
import {
  ASSOCIATION_SCHEMA,
  DEFAULT_STATE_PATH,
  DOCUMENT_SCHEMA,
  type BackendDecl,
  type BlockSchema,
  type BodySchema,
  type Config,
  type Lifecycle,
  type ModuleCallDecl,
  type ResourceDecl,
  type ResourceRef,
  type SchemaType,
  type VariableDecl,
  type VariableInput,
} from "../config/index.js";
import { computedAttributes, resourceSchema, type ResourceSchema } from "../ssm/index.js";
import {
  parseExpression,
  references,
  type Attribute,
  type Block,
  type Expression,
  type Reference,
} from "../syntax/index.js";
import { conversionPathSteps, convert, conversionMessage, stripOptional, unifyTypes } from "./convert.js";
import { evaluate, type EvalContext, type EvalResult } from "./evaluate.js";
import { diskFileSource, memoryFileSource } from "./filesource.js";
import type { FunctionContext } from "./functions/index.js";
import { renderTemplate } from "./template.js";
import { typeFromExpression } from "./typeexpr.js";
import { T, typeString, type Type } from "./types.js";
import { Value, formatNumber, fromNative, identicalValue } from "./value.js";

/** Instances one `count` may ask for: beyond SSM's own limits, and small enough to plan quickly. */
export const MAX_COUNT = 10_000;

export interface EvaluatedResource {
  address: InstanceAddress;
  /** `association.web["prod"]` */
  addressText: string;
  kind: ResourceKind;
  name: string;
  key?: InstanceKey;
  /**
   * The resource's arguments as one object: every argument of the schema (null when unset),
   * nested blocks as objects (`output_location`) or lists of objects (`targets`). Values may
   * be unknown (known after apply) and may carry the sensitive mark.
   */
  attrs: Value;
  /** Resources this one refers to in its arguments, with the range of each reference. */
  references: ResourceRef[];
  ranges: { block: Range; name: Range; attributes: Record<string, Range> };
  provider: { name: string; alias?: string; key: string };
  dependsOn: ResourceRef[];
  /**
   * More dependencies, as addresses from the root: `module.NAME` (every resource in a module
   * whose outputs this one uses, or that a depends_on names) and the depends_on of the module
   * calls this resource is inside.
   */
  extraDependencies: string[];
  /** Module calls this one's arguments use outputs of (`module.NAME`, as addresses from the root). */
  moduleReferences: string[];
  lifecycle: Lifecycle;
  /** The block it comes from (in a module's files for a module's resource). */
  decl?: ResourceDecl;
}

export interface EvaluatedOutput {
  name: string;
  value: Value;
  sensitive: boolean;
  description?: string;
  range: Range;
}

export interface EvaluatedProvider {
  key: string;
  name: string;
  alias?: string;
  region?: string;
  profile?: string;
  /** `"local"` or a URL. */
  endpoint?: string;
  maxRetries?: number;
  /** `assume_role { … }`: work in the role's account with credentials from AWS STS. */
  assumeRole?: {
    roleArn: string;
    accountId: string;
    sessionName: string;
    externalId?: string;
    durationSeconds: number;
  };
  /** `connect_timeout` / `request_timeout` (seconds in the block), in milliseconds. */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** `local { … }` (with endpoint = "local"): how the local endpoint runs documents. */
  local?: { execute: boolean; rootfs?: string; memoryMb?: number; maxProcesses?: number; maxRunSeconds?: number };
  range?: Range;
}

export interface EvaluatedConfig {
  resources: EvaluatedResource[];
  outputs: EvaluatedOutput[];
  variables: Map<string, Value>;
  locals: Map<string, Value>;
  /** Always has the default `ssm` configuration (empty when there is no provider block). */
  providers: Map<string, EvaluatedProvider>;
  /** The state file path as configured (or the default), and resolved against the configuration directory. */
  /** Where the state lives: a local file (`path`), or a backend (`backend`, with `path` the default file's, unused). */
  state: { path: string; absolutePath: string; configured: boolean; backend?: BackendDecl };
  imports: { to: InstanceAddress; id: Value; range: Range; toRange: Range; idRange: Range }[];
  moved: {
    from: InstanceAddress | { kind: ResourceKind; name: string };
    to: InstanceAddress | { kind: ResourceKind; name: string };
    range: Range;
  }[];
  diagnostics: Diagnostic[];
  /**
   * Evaluates another expression in the configuration's scope (var, local, path, resources,
   * functions), as `statectl console` does; its diagnostics are returned, not added above.
   */
  evaluateExpression(expr: Expression): EvalResult;
  /**
   * With `EvaluateOptions.reuse` (of an earlier run, or an empty memo to start one): what the
   * next run reuses, and the resources this run evaluated rather than reused.
   */
  memo?: EvaluationMemo;
  evaluatedResources?: string[];
}

/** What a module instance gets from its call. */
interface ModuleContext {
  path: ModuleStep[];
  /** Values of the call's arguments, evaluated in the caller's scope. */
  inputs: Map<string, Value>;
  call: ModuleCallDecl;
  /** The module's provider configuration keys (`ssm`, `ssm.ALIAS`) → the root's. */
  providers: Map<string, string>;
  /** The call's depends_on (and its callers'), as addresses from the root. */
  dependencies: string[];
  /** The root configuration's folder (`path.root`). */
  rootDir: string;
}

export interface EvaluateOptions {
  /** Extra inputs, appended after (so winning over) the ones gathered by loadConfig. */
  inputs?: VariableInput[];
  /**
   * Known values of computed attributes (`arn`, `latest_version`, …) by instance address, e.g.
   * from the state after apply. Without it, computed attributes are unknown ("known after
   * apply"). Arguments set in the configuration always come from the configuration.
   */
  instanceAttributes?: (address: string) => Readonly<Record<string, unknown>> | undefined;
  /**
   * Evaluate the outputs only, and only what they refer to (resources, locals and modules are
   * evaluated on demand): `resources`, `providers`, `imports` and `moved` come back empty, and
   * the diagnostics cover only what was evaluated.
   */
  outputsOnly?: boolean;
  /**
   * Reuse what an earlier evaluation of the same folder found (the language server, after an
   * edit): a resource whose block is the same AST node as then, and whose every input (the
   * variables, the locals and other resources it read) has the same value as then, takes its
   * earlier instances, value and diagnostics instead of being evaluated again. A resource that
   * read files (file(), templatefile()) is always evaluated again. The result's `memo` is what
   * the next evaluation passes here. Not used in modules' configurations, nor with
   * `instanceAttributes`.
   */
  reuse?: EvaluationMemo;
}

/** One resource's evaluation, as the next evaluation of an edited folder may reuse it. */
export interface ResourceEvaluation {
  /** The block it was evaluated from: a re-parsed file has new blocks, so they are evaluated again. */
  block: Block;
  value: Value;
  instances: EvaluatedResource[];
  /** Its own diagnostics (not those of the resources it evaluated on the way). */
  diagnostics: Diagnostic[];
  /** What it read: other resources (by `kind.name`), locals with their values, the variables. */
  resources: Set<string>;
  locals: Map<string, Value>;
  variables: boolean;
  /** It called a file function: the file may have changed on disk, so it is never reused. */
  readFiles: boolean;
}

/** What `EvaluateOptions.reuse` takes, and an evaluation returns when it was given one. */
export interface EvaluationMemo {
  /** The folder, workspace and working directory (`path` and `statectl.workspace`): another scope reuses nothing. */
  scope: string;
  variables: Value;
  resources: Map<string, ResourceEvaluation>;
}

/** Converts a schema's structural type to a type of the type system. */
export function schemaTypeToType(t: SchemaType): Type {
  if (typeof t !== "string") {
    const cached = schemaTypeCache.get(t);
    if (cached) return cached;
    const made = makeType(t);
    schemaTypeCache.set(t, made);
    return made;
  }
  return makeType(t);
}

const schemaTypeCache = new WeakMap<object, Type>();

const computedCache = new WeakMap<object, readonly string[]>();

/** The schema's computed attributes in key order, listed once per schema rather than once per resource. */
function computedOf(schema: ResourceSchema): readonly string[] {
  let names = computedCache.get(schema);
  if (!names) {
    names = [...computedAttributes(schema)].sort(compareNames);
    computedCache.set(schema, names);
  }
  return names;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What evaluating an instance of a body's schema starts from, worked out once per schema: every
 * attribute the instance has (arguments but the meta-arguments, nested blocks but lifecycle) in
 * key order, with what each is when the configuration leaves it out, and the arguments and
 * blocks to evaluate in schema order (the order diagnostics come in). An instance replaces only
 * what its block sets: a fleet's association sets 6 of 27.
 */
interface InstanceLayout {
  readonly keys: readonly string[];
  /** `keys[i]`'s value when the configuration leaves it out. */
  readonly unset: readonly Value[];
  readonly arguments: readonly { readonly name: string; readonly type: Type }[];
  readonly blocks: readonly { readonly name: string; readonly schema: BlockSchema }[];
}

const layoutCache = new WeakMap<object, InstanceLayout>();

function instanceLayoutOf(body: BodySchema): InstanceLayout {
  let layout = layoutCache.get(body);
  if (!layout) {
    const unset = new Map<string, Value>();
    const args: { name: string; type: Type }[] = [];
    for (const [name, s] of Object.entries(body.attributes)) {
      if (META_ARGUMENTS.has(name)) continue;
      const type = s.type ? schemaTypeToType(s.type) : T.dynamic;
      args.push({ name, type });
      unset.set(name, Value.null(stripOptional(type)));
    }
    const blocks: { name: string; schema: BlockSchema }[] = [];
    for (const [name, schema] of Object.entries(body.blocks ?? {})) {
      if (name === "lifecycle") continue;
      blocks.push({ name, schema });
      unset.set(name, schema.max === 1 ? Value.null(T.dynamic) : Value.list([], T.dynamic));
    }
    const keys = [...unset.keys()].sort(compareNames);
    layout = {
      keys,
      unset: keys.map((k) => defined(unset.get(k), "an attribute's unset value")),
      arguments: args,
      blocks,
    };
    layoutCache.set(body, layout);
  }
  return layout;
}

/** A fresh map of a layout's attributes, each unset: set one by one, faster than copying a map (Node 20). */
function unsetAttributes(layout: InstanceLayout): Map<string, Value> {
  const m = new Map<string, Value>();
  const { keys, unset } = layout;
  for (let i = 0; i < keys.length; i++) m.set(keys[i] as string, unset[i] as Value);
  return m;
}

const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "provider"]);

function makeType(t: SchemaType): Type {
  // The shared primitive types: one per attribute per instance was a large share of evaluation's garbage.
  if (typeof t === "string") return t === "any" ? T.dynamic : T[t];
  if (t[0] === "object") {
    const attrs = new Map(Object.entries(t[1]).map(([k, v]) => [k, schemaTypeToType(v)]));
    const opt = new Map((t[2] ?? []).map((k) => [k, undefined] as [string, Value | undefined]));
    return T.object(attrs, opt);
  }
  return { kind: t[0], element: schemaTypeToType(t[1]) };
}

const EMPTY_OBJECT = Value.object({});

const PROVIDER_TYPES: Record<string, Type> = {
  region: T.string,
  profile: T.string,
  endpoint: T.string,
  max_retries: T.number,
  connect_timeout: T.number,
  request_timeout: T.number,
};

/** Evaluates a loaded configuration. Never throws for user mistakes; they come back as diagnostics. */
export function evaluateConfig(config: Config, opts: EvaluateOptions = {}): EvaluatedConfig {
  return new ConfigEvaluator(config, opts).run();
}

/** A node's value, made now if it was left for its first reader. */
function valueOf(node: NodeState): Value {
  if (node.later) {
    node.value = node.later();
    node.later = undefined;
  }
  return node.value;
}

type NodeState = {
  state: "pending" | "busy" | "done";
  value: Value;
  /**
   * A resource's value, made when something first reads it (see valueOf): most resources of a
   * large fleet are never referenced, and their values (computed attributes merged in) would be
   * garbage made for nothing.
   */
  later?: () => Value;
};

/** What the resource being evaluated reads (for `EvaluateOptions.reuse`). */
type Reads = Omit<ResourceEvaluation, "block" | "value" | "instances">;

class ConfigEvaluator {
  /** Where diagnostics go: the run's list, or (while reuse is on) the list of the resource being evaluated. */
  private diags: Diagnostic[] = [];
  private readonly runDiags = this.diags;
  /** Set when this evaluation records what each resource reads, so that the next one can reuse it. */
  private readonly memo?: {
    previous: EvaluationMemo;
    next: EvaluationMemo;
    evaluated: string[];
    /** Whether the variables, each local and each resource have the same value as in the previous run (found once). */
    same: Map<string, boolean>;
  };
  private reads?: Reads;
  private readonly fnCtx: FunctionContext;
  private varObject: Value = Value.UNKNOWN;
  private readonly variables = new Map<string, Value>();
  /** Variables whose value could not be determined (already reported): what depends on them stays quiet. */
  private readonly failedVariables = new Set<string>();
  private readonly locals = new Map<string, NodeState>();
  private readonly resourceValues = new Map<string, NodeState>();
  private readonly instances = new Map<string, EvaluatedResource[]>();
  private readonly pathObject: Value;
  private readonly statectlObject: Value;
  private readonly declReferences = new Map<string, Reference[]>();
  private readonly providerRefs = new Map<string, EvaluatedResource["provider"]>();
  private readonly moduleValues = new Map<string, NodeState>();
  private readonly moduleResults = new Map<string, EvaluatedConfig[]>();
  private readonly path: ModulePath;

  constructor(
    private readonly config: Config,
    private readonly opts: EvaluateOptions,
    private readonly module?: ModuleContext,
  ) {
    this.path = module?.path ?? [];
    const files = config.memoryFiles
      ? memoryFileSource(config.memoryFiles, config.dir)
      : diskFileSource(config.inputBudget);
    // Module calls are evaluated whole (their outputs are not tracked), so a folder with any is evaluated whole.
    if (opts.reuse && !module && !opts.instanceAttributes && !opts.outputsOnly && config.modules.size === 0) {
      const scope = JSON.stringify([config.dir, config.workspace, process.cwd()]);
      const previous =
        opts.reuse.scope === scope ? opts.reuse : { scope, variables: Value.UNKNOWN, resources: new Map() };
      this.memo = {
        previous,
        next: { scope, variables: Value.UNKNOWN, resources: new Map() },
        evaluated: [],
        same: new Map(),
      };
    }
    const tracked: typeof files = {
      read: (path) => {
        if (this.reads) this.reads.readFiles = true;
        return files.read(path);
      },
      exists: (path) => {
        if (this.reads) this.reads.readFiles = true;
        return files.exists(path);
      },
    };
    this.fnCtx = {
      baseDir: config.dir,
      files: this.memo ? tracked : files,
      renderTemplate: (text, fileName, vars) => renderTemplate(text, fileName, vars, this.fnCtx),
    };
    this.pathObject = Value.object({
      module: Value.string(config.dir),
      root: Value.string(module?.rootDir ?? config.dir),
      cwd: Value.string(process.cwd()),
    });
    this.statectlObject = Value.object({ workspace: Value.string(config.workspace) });
  }

  run(): EvaluatedConfig {
    this.evalVariables();
    for (const name of this.config.locals.keys()) this.locals.set(name, { state: "pending", value: Value.UNKNOWN });
    for (const id of this.config.resources.keys())
      this.resourceValues.set(id, { state: "pending", value: Value.UNKNOWN });
    for (const name of this.config.modules.keys())
      this.moduleValues.set(name, { state: "pending", value: Value.UNKNOWN });
    if (this.opts.outputsOnly) {
      return {
        resources: [],
        outputs: this.evalOutputs(),
        variables: this.variables,
        locals: new Map([...this.locals].map(([k, v]) => [k, v.value])),
        providers: new Map(),
        state: this.evalState(),
        imports: [],
        moved: [],
        diagnostics: uniqueDiagnostics(this.diags),
        evaluateExpression: (expr) => evaluate(expr, this.scopeFor(expr)),
      };
    }
    for (const name of this.config.locals.keys()) this.evalLocal(name);
    for (const id of this.config.resources.keys()) this.evaluateOnce(id);
    for (const name of this.config.modules.keys()) this.evalModule(name);
    const resources: EvaluatedResource[] = [];
    for (const id of [...this.config.resources.keys()].sort()) resources.push(...(this.instances.get(id) ?? []));
    const children = [...this.config.modules.keys()].sort().flatMap((n) => this.moduleResults.get(n) ?? []);
    for (const c of children) resources.push(...c.resources);
    return {
      resources,
      outputs: this.evalOutputs(),
      variables: this.variables,
      locals: new Map([...this.locals].map(([k, v]) => [k, v.value])),
      providers: this.module ? new Map<string, EvaluatedProvider>() : this.evalProviders(),
      state: this.evalState(),
      imports: this.module ? [] : this.evalImports(),
      moved: [
        ...this.config.moved.map((m) => ({
          from: withModule(refAddress(m.from), this.path),
          to: withModule(refAddress(m.to), this.path),
          range: m.range,
        })),
        ...children.flatMap((c) => c.moved),
      ],
      diagnostics: uniqueDiagnostics([...this.diags, ...children.flatMap((c) => c.diagnostics)]),
      evaluateExpression: (expr) => evaluate(expr, this.scopeFor(expr)),
      ...(this.memo
        ? { memo: { ...this.memo.next, variables: this.varObject }, evaluatedResources: this.memo.evaluated }
        : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Scopes

  /** The scope for one expression: only the names it refers to are built (large configurations stay fast). */
  private scopeFor(expr: Expression | readonly Reference[], extra: Record<string, Value> = {}): EvalContext {
    const refs = Array.isArray(expr) ? (expr as readonly Reference[]) : references(expr as Expression);
    const vars = new Map<string, Value>();
    const localNames = new Set<string>();
    const resourceNames: Record<"document" | "association", Set<string>> = {
      document: new Set(),
      association: new Set(),
    };
    const moduleNames = new Set<string>();
    const reads = this.reads;
    for (const ref of refs) {
      const first = ref.traversal[0];
      const name = first?.type === "AttrStep" ? first.name : undefined;
      if (reads && ref.root === "var") reads.variables = true;
      if (ref.root === "module" && name) moduleNames.add(name);
      if (ref.root === "local" && name) localNames.add(name);
      if ((ref.root === "document" || ref.root === "association") && name) resourceNames[ref.root].add(name);
    }
    vars.set("var", this.varObject);
    vars.set("path", this.pathObject);
    vars.set("statectl", this.statectlObject);
    if (localNames.size > 0) {
      const m = new Map<string, Value>();
      for (const n of localNames) {
        const v = this.locals.has(n) ? this.evalLocal(n) : Value.UNKNOWN;
        reads?.locals.set(n, v);
        m.set(n, v);
      }
      vars.set("local", Value.object(m));
    } else vars.set("local", EMPTY_OBJECT);
    for (const kind of ["document", "association"] as const) {
      if (resourceNames[kind].size === 0) {
        vars.set(kind, EMPTY_OBJECT);
        continue;
      }
      const m = new Map<string, Value>();
      for (const n of resourceNames[kind]) {
        const id = `${kind}.${n}`;
        reads?.resources.add(id);
        m.set(n, this.resourceValues.has(id) ? this.evalResource(id) : Value.UNKNOWN);
      }
      vars.set(kind, Value.object(m));
    }
    if (moduleNames.size > 0) {
      const m = new Map<string, Value>();
      for (const n of moduleNames) m.set(n, this.moduleValues.has(n) ? this.evalModule(n) : Value.UNKNOWN);
      vars.set("module", Value.object(m));
    }
    for (const [k, v] of Object.entries(extra)) vars.set(k, v);
    // Names that config/ already reported as undeclared or misplaced evaluate to unknown here,
    // so one mistake gives one diagnostic.
    let varObject = this.varObject;
    for (const ref of refs) {
      const first = ref.traversal[0];
      if (
        ref.root === "var" &&
        first?.type === "AttrStep" &&
        !this.config.variables.has(first.name) &&
        varObject.isKnown
      ) {
        varObject = Value.object(new Map([...varObject.entries(), [first.name, Value.UNKNOWN]]));
      }
      if (!vars.has(ref.root)) vars.set(ref.root, Value.UNKNOWN);
    }
    vars.set("var", varObject);
    return {
      variables: vars,
      functionContext: this.fnCtx,
      explainMissingRoot: (name) =>
        name === "each"
          ? '"each" is available only in a resource that sets for_each.'
          : name === "count"
            ? '"count" is available only in a resource that sets count.'
            : undefined,
    };
  }

  private eval(expr: Expression, extra: Record<string, Value> | EvalContext = {}): Value {
    const ctx =
      "variables" in extra && extra.variables instanceof Map
        ? (extra as EvalContext)
        : this.scopeFor(expr, extra as Record<string, Value>);
    const r = evaluate(expr, ctx);
    this.diags.push(...r.diagnostics);
    return r.value;
  }

  /** Evaluates an expression that may use only built-in functions (defaults, var files, --var). */
  private evalConstant(expr: Expression): { value: Value; ok: boolean } {
    const r = evaluate(expr, { variables: new Map(), functionContext: this.fnCtx });
    this.diags.push(...r.diagnostics);
    return { value: r.value, ok: r.diagnostics.length === 0 };
  }

  /** Whether an expression depends (directly or through locals) on a variable that failed, so its unknown value is no news. */
  private dependsOnFailure(expr: Expression, seen = new Set<string>()): boolean {
    if (this.failedVariables.size === 0) return false;
    for (const ref of references(expr)) {
      const first = ref.traversal[0];
      if (first?.type !== "AttrStep") continue;
      if (ref.root === "var" && this.failedVariables.has(first.name)) return true;
      if (ref.root === "local" && !seen.has(first.name)) {
        seen.add(first.name);
        const l = this.config.locals.get(first.name);
        if (l && this.dependsOnFailure(l.attribute.expr, seen)) return true;
      }
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Variables

  private evalVariables(): void {
    const moduleCall = this.module?.call;
    const inputs: VariableInput[] = moduleCall
      ? [...moduleCall.inputs.values()].map((a) => ({
          name: a.name,
          source: "module",
          expr: a.expr,
          origin: `the argument ${a.name} of module "${moduleCall.name}"`,
          range: a.range,
        }))
      : [...this.config.variableInputs, ...(this.opts.inputs ?? [])];
    const entries = new Map<string, Value>();
    for (const v of this.config.variables.values()) {
      const before = this.diags.length;
      const value = this.evalVariable(
        v,
        inputs.filter((i) => i.name === v.name),
      );
      if (this.diags.slice(before).some((d) => d.severity === "error")) this.failedVariables.add(v.name);
      this.variables.set(v.name, value);
      entries.set(v.name, value);
    }
    this.varObject = Value.object(entries);
  }

  private evalVariable(v: VariableDecl, inputs: VariableInput[]): Value {
    let type: Type = T.dynamic;
    if (v.type) {
      const t = typeFromExpression(v.type);
      this.diags.push(...t.diagnostics);
      type = t.type;
    }
    const resultType = stripOptional(type);
    let dflt: Value | undefined;
    if (v.default) {
      const d = this.evalConstant(v.default.expr);
      if (d.ok) {
        const c = convert(d.value, type);
        if (c.error) {
          this.diags.push(
            error("eval/invalid-default", "Invalid default value for variable", {
              detail: `The default of variable "${v.name}" does not match its type ${typeString(resultType)}: ${v.sensitive ? redactQuoted(conversionMessage(c.error)) : conversionMessage(c.error)}`,
              ...(v.sensitive
                ? { range: v.nameRange }
                : { range: narrowRange(v.default.expr, c.error.path), context: v.default.range }),
            }),
          );
        } else dflt = c.value;
      }
    }
    const input = inputs[inputs.length - 1];
    let value: Value | undefined;
    if (input) {
      const raw = this.readInput(input, type);
      if (raw) {
        const c = convert(raw, type);
        if (c.error) {
          // A sensitive variable's value is never quoted, nor shown by pointing into its var-file.
          this.diags.push(
            error("eval/invalid-variable-value", "Invalid value for variable", {
              detail: `The value for variable "${v.name}" from ${input.origin} does not match its type ${typeString(resultType)}: ${v.sensitive ? redactQuoted(conversionMessage(c.error)) : conversionMessage(c.error)}`,
              ...(input.expr && !v.sensitive
                ? { range: narrowRange(input.expr, c.error.path) }
                : { range: v.nameRange }),
            }),
          );
          return Value.unknown(resultType).mark(v.sensitive);
        }
        value = c.value;
      } else return Value.unknown(resultType).mark(v.sensitive);
    }
    if (value?.isNull && !v.nullable) {
      if (dflt) value = dflt;
      else {
        const given = defined(input, "the input that set the variable to null");
        this.diags.push(
          error("eval/invalid-variable-value", "Invalid value for variable", {
            detail: `Variable "${v.name}" is declared nullable = false, but ${given.origin} sets it to null.`,
            range: given.expr?.range ?? v.nameRange,
          }),
        );
        return Value.unknown(resultType).mark(v.sensitive);
      }
    }
    if (value === undefined) value = dflt;
    if (value === undefined) {
      // A module's missing argument was reported at the module block (config/module-missing-input).
      if (!v.default && !this.module) {
        this.diags.push(
          error("eval/missing-variable", "No value for required variable", {
            detail: `Variable "${v.name}" has no default, and no value was given for it.`,
            range: v.nameRange,
            context: v.range,
            hint: `set it with --var ${v.name}=VALUE, in a .statevars file (--var-file FILE or *.auto.statevars), or with the environment variable STATECTL_VAR_${v.name}`,
          }),
        );
      }
      return Value.unknown(resultType).mark(v.sensitive);
    }
    value = value.mark(v.sensitive);
    this.validate(v, value, input);
    return value;
  }

  /** Reads one input as a value: var-file expressions are evaluated; raw text is a string for primitive types, an expression otherwise. */
  private readInput(input: VariableInput, type: Type): Value | undefined {
    if (input.source === "plan") return fromNative(input.value);
    if (input.source === "module") return this.module?.inputs.get(input.name);
    if (input.expr) {
      const r = this.evalConstant(input.expr);
      return r.ok ? r.value : undefined;
    }
    const text = input.text ?? "";
    if (type.kind === "string" || type.kind === "number" || type.kind === "bool" || type.kind === "dynamic")
      return Value.string(text);
    const parsed = parseExpression(text, input.origin);
    if (!parsed.expr) {
      this.diags.push(
        error("eval/invalid-variable-value", "Invalid value for variable", {
          detail: `The value of ${input.origin} must be written in the language's syntax for ${typeString(stripOptional(type))}: ${parsed.diagnostics[0]?.summary ?? "syntax error"}.`,
          hint: `for example: ${input.source === "env" ? `STATECTL_VAR_${input.name}='["a", "b"]'` : `--var '${input.name}=["a", "b"]'`}`,
        }),
      );
      return undefined;
    }
    const r = evaluate(parsed.expr, { variables: new Map(), functionContext: this.fnCtx });
    if (r.diagnostics.length > 0) {
      this.diags.push(
        ...r.diagnostics.map((d) => ({ ...d, range: undefined, detail: `In ${input.origin}: ${d.detail ?? ""}` })),
      );
      return undefined;
    }
    return r.value;
  }

  private validate(v: VariableDecl, value: Value, input: VariableInput | undefined): void {
    if (!value.isWhollyKnown()) return;
    for (const val of v.validations) {
      const self = Value.object({ [v.name]: value });
      const r = evaluate(val.condition, { variables: new Map([["var", self]]), functionContext: this.fnCtx });
      this.diags.push(...r.diagnostics);
      if (r.diagnostics.length > 0) continue;
      const c = convert(r.value, T.bool);
      if (c.error || r.value.isNull) {
        this.diags.push(
          error("eval/invalid-validation", "Invalid validation condition", {
            detail: `A validation condition must be true or false${c.error ? `: ${conversionMessage(c.error)}` : ", not null"}.`,
            range: val.condition.range,
          }),
        );
        continue;
      }
      if (!c.value.isKnown || c.value.unmark().asBool()) continue;
      const m = evaluate(val.errorMessage, { variables: new Map([["var", self]]), functionContext: this.fnCtx });
      this.diags.push(...m.diagnostics);
      const msg =
        m.value.isKnown && m.value.type.kind === "string"
          ? m.value.sensitive
            ? "(sensitive)"
            : m.value.asString()
          : "the value does not satisfy the validation condition.";
      this.diags.push(
        error("eval/variable-validation", "Invalid value for variable", {
          detail: `${msg}\nThe value ${input ? `from ${input.origin} ` : "(the default) "}failed the validation of variable "${v.name}" (${val.condition.range.file}:${val.condition.range.start.line}).`,
          // A sensitive value is not pointed at: the snippet would print the line holding it.
          range: v.sensitive
            ? v.nameRange
            : (input?.expr?.range ?? (input ? v.nameRange : (v.default?.expr.range ?? v.nameRange))),
        }),
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Locals and resources (evaluated on demand, in dependency order; cycles were reported by config/)

  private evalLocal(name: string): Value {
    const node = defined(this.locals.get(name), "a local's node");
    if (node.state !== "pending") return node.value;
    node.state = "busy";
    node.value = this.eval(defined(this.config.locals.get(name), "a local's declaration").attribute.expr);
    node.state = "done";
    return node.value;
  }

  /** A resource's value, evaluating the resource first if it has not been. */
  private evalResource(id: string): Value {
    return valueOf(this.evaluateOnce(id));
  }

  /** Evaluates a resource unless that is done or under way; its value may still be to make. */
  private evaluateOnce(id: string): NodeState {
    const node = defined(this.resourceValues.get(id), "a resource's node");
    if (node.state !== "pending") return node;
    if (!this.memo) {
      this.evaluateResource(id, node);
      return node;
    }
    node.state = "busy";
    const decl = defined(this.config.resources.get(id), "the declaration of a resource being evaluated");
    const earlier = this.memo.previous.resources.get(id);
    if (earlier && this.reusable(decl, earlier)) {
      node.value = earlier.value;
      node.state = "done";
      this.instances.set(id, earlier.instances);
      this.runDiags.push(...earlier.diagnostics);
      this.memo.next.resources.set(id, earlier);
      return node;
    }
    node.state = "pending";
    const outer = { diags: this.diags, reads: this.reads };
    const reads: Reads = {
      diagnostics: [],
      resources: new Set(),
      locals: new Map(),
      variables: false,
      readFiles: false,
    };
    this.diags = reads.diagnostics;
    this.reads = reads;
    try {
      this.evaluateResource(id, node);
    } finally {
      this.diags = outer.diags;
      this.reads = outer.reads;
    }
    this.runDiags.push(...reads.diagnostics);
    this.memo.evaluated.push(id);
    this.memo.next.resources.set(id, {
      ...reads,
      block: decl.block,
      value: valueOf(node),
      instances: this.instances.get(id) ?? [],
    });
    return node;
  }

  /** Whether an earlier evaluation of a resource still holds: the same block, and everything it read unchanged. */
  private reusable(decl: ResourceDecl, earlier: ResourceEvaluation): boolean {
    if (earlier.block !== decl.block || earlier.readFiles) return false;
    const memo = defined(this.memo, "the evaluation memo");
    const same = (key: string, now: () => Value | undefined, then: () => Value | undefined): boolean => {
      let known = memo.same.get(key);
      if (known === undefined) {
        const a = now();
        const b = then();
        known = a !== undefined && b !== undefined && identicalValue(a, b);
        memo.same.set(key, known);
      }
      return known;
    };
    if (
      earlier.variables &&
      !same(
        "var",
        () => this.varObject,
        () => memo.previous.variables,
      )
    )
      return false;
    for (const [name, value] of earlier.locals)
      if (
        !same(
          `local.${name}`,
          () => (this.locals.has(name) ? this.evalLocal(name) : undefined),
          () => value,
        )
      )
        return false;
    for (const dep of earlier.resources) {
      const now = () => (this.resourceValues.has(dep) ? this.evalResource(dep) : undefined);
      if (!same(dep, now, () => memo.previous.resources.get(dep)?.value)) return false;
    }
    return true;
  }

  private evaluateResource(id: string, node: NodeState): void {
    node.state = "busy";
    const decl = defined(this.config.resources.get(id), "a resource's declaration");
    const keys = this.expansion(decl);
    const schema = resourceSchema(decl.kind);
    const computed = computedOf(schema);
    const withComputed = (inst: EvaluatedResource): Value => {
      const attrs = inst.attrs;
      if (!attrs.isKnown) return attrs;
      const known = this.opts.instanceAttributes?.(inst.addressText);
      const given = attrs.entries();
      // The given attributes (sorted) and the computed ones (sorted once per schema) merged in key
      // order, so Value.object keeps the map rather than sorting a copy of it.
      const m = new Map<string, Value>();
      const addComputed = (c: string) => {
        if (given.has(c)) return;
        const k = known && Object.prototype.hasOwnProperty.call(known, c) ? known[c] : undefined;
        const type = schemaTypeToType(defined(schema.attributes[c], "a computed attribute's schema").type);
        const v = k === undefined ? undefined : convert(fromNative(k), type).value;
        m.set(c, v ?? Value.unknown(type));
      };
      let next = 0;
      given.forEach((v, k) => {
        for (let c = computed[next]; c !== undefined && c < k; c = computed[++next]) addComputed(c);
        m.set(k, v);
      });
      for (let c = computed[next]; c !== undefined; c = computed[++next]) addComputed(c);
      return Value.object(m);
    };
    if (keys === undefined) {
      node.value = Value.UNKNOWN;
    } else if (keys === null) {
      const inst = this.evalInstance(decl, undefined, {});
      this.instances.set(id, [inst]);
      node.later = () => withComputed(inst);
    } else {
      const list: EvaluatedResource[] = [];
      for (const k of keys) {
        const extra: Record<string, Value> =
          typeof k.key === "number"
            ? { count: Value.object({ index: Value.number(k.key) }) }
            : { each: Value.object({ key: Value.string(k.key), value: k.value }) };
        list.push(this.evalInstance(decl, k.key, extra));
      }
      this.instances.set(id, list);
      node.later = decl.count
        ? () => Value.tuple(list.map((i) => withComputed(i)))
        : () => Value.object(new Map(list.map((i) => [i.key as string, withComputed(i)])));
    }
    node.state = "done";
  }

  /** null: a single instance; undefined: expansion failed (already reported); otherwise the instance keys. */
  private expansion(decl: {
    count?: Attribute;
    forEach?: Attribute;
  }): { key: InstanceKey; value: Value }[] | null | undefined {
    if (decl.count) {
      const v = this.eval(decl.count.expr);
      const at = { range: decl.count.expr.range, context: decl.count.range };
      if (!v.isKnown) {
        if (this.dependsOnFailure(decl.count.expr)) return undefined;
        this.diags.push(
          error("eval/invalid-count", "Invalid count argument", {
            detail:
              "The count value depends on something that is known only after apply, so statectl cannot tell how many instances to plan. Use values from variables or locals for count.",
            ...at,
          }),
        );
        return undefined;
      }
      if (v.isNull) {
        this.diags.push(
          error("eval/invalid-count", "Invalid count argument", {
            detail: "count must be a whole number, not null.",
            ...at,
          }),
        );
        return undefined;
      }
      if (v.sensitive) {
        this.diags.push(
          error("eval/invalid-count", "Invalid count argument", {
            detail: "count cannot be a sensitive value: the number of instances is shown in plans.",
            ...at,
          }),
        );
        return undefined;
      }
      const c = convert(v, T.number);
      if (c.error || !Number.isInteger(c.value.asNumber()) || c.value.asNumber() < 0) {
        this.diags.push(
          error("eval/invalid-count", "Invalid count argument", {
            detail: `count must be a whole number of zero or more${c.error ? `: ${conversionMessage(c.error)}` : `, not ${formatNumber(c.value.asNumber())}`}.`,
            ...at,
          }),
        );
        return undefined;
      }
      if (c.value.asNumber() > MAX_COUNT) {
        this.diags.push(
          error("eval/invalid-count", "Invalid count argument", {
            detail: `count is ${formatNumber(c.value.asNumber())}; statectl plans at most ${MAX_COUNT} instances of one resource (SSM allows 2,000 associations and 500 documents per account and region).`,
            ...at,
          }),
        );
        return undefined;
      }
      return Array.from({ length: c.value.asNumber() }, (_, i) => ({ key: i, value: Value.NULL }));
    }
    if (decl.forEach) {
      const v = this.eval(decl.forEach.expr);
      const at = { range: decl.forEach.expr.range, context: decl.forEach.range };
      const fail = (detail: string, hint?: string) => {
        this.diags.push(
          error("eval/invalid-for-each", "Invalid for_each argument", { detail, ...at, ...(hint ? { hint } : {}) }),
        );
        return undefined;
      };
      if (v.isNull) {
        fail("for_each must be a map or a set of strings, not null.");
        return;
      }
      if (v.sensitive) {
        fail(
          "for_each cannot be a sensitive value: instance keys are shown in plans and addresses.",
          "use nonsensitive() if the keys are safe to show",
        );
        return;
      }
      if (!v.isKnown && this.dependsOnFailure(decl.forEach.expr)) return undefined;
      if (!v.isKnown) {
        fail(
          "The for_each value depends on something that is known only after apply, so statectl cannot tell which instances to plan. Use keys from variables or locals.",
        );
        return;
      }
      if (v.type.kind === "map" || v.type.kind === "object") {
        const out: { key: InstanceKey; value: Value }[] = [];
        for (const [k, e] of v.entries()) out.push({ key: k, value: e });
        return out;
      }
      if (v.type.kind === "set") {
        const out: { key: InstanceKey; value: Value }[] = [];
        for (const e of v.elements()) {
          if (!e.isKnown) {
            fail(
              "The for_each set contains a value that is known only after apply; every key must be known when planning.",
            );
            return;
          }
          if (e.isNull) {
            fail("The for_each set contains null; every element must be a string.");
            return;
          }
          const s = convert(e, T.string);
          if (s.error) {
            fail(`The elements of a for_each set must be strings: ${conversionMessage(s.error)}`);
            return;
          }
          if (e.sensitive) {
            fail("for_each cannot contain sensitive values: instance keys are shown in plans and addresses.");
            return;
          }
          out.push({ key: s.value.asString(), value: s.value });
        }
        return out;
      }
      if (v.type.kind === "list" || v.type.kind === "tuple") {
        fail(
          `for_each needs a map or a set of strings, and this is ${v.type.kind === "list" ? "a list" : "a tuple"}: a list may repeat values and its order would become part of every address.`,
          "convert it with toset(...)",
        );
        return;
      }
      fail(`for_each needs a map or a set of strings, not ${typeString(v.type)}.`);
      return;
    }
    return null;
  }

  /** The references of every argument of a resource (nested blocks included), computed once per resource. */
  private argumentReferences(decl: ResourceDecl): readonly Reference[] {
    // The reference checks of config/ listed them already.
    if (decl.argumentReferences) return decl.argumentReferences;
    let refs = this.declReferences.get(decl.id);
    if (!refs) {
      refs = [];
      for (const a of decl.attributes.values()) refs.push(...references(a.expr));
      for (const bs of decl.blocks.values())
        for (const b of bs)
          for (const item of b.body.items) if (item.type === "Attribute") refs.push(...references(item.expr));
      this.declReferences.set(decl.id, refs);
    }
    return refs;
  }

  private evalInstance(
    decl: ResourceDecl,
    key: InstanceKey | undefined,
    extraValues: Record<string, Value>,
  ): EvaluatedResource {
    const schema = decl.kind === "document" ? DOCUMENT_SCHEMA : ASSOCIATION_SCHEMA;
    // One scope for all of the instance's arguments: large configurations stay fast.
    const extra = this.scopeFor(this.argumentReferences(decl), extraValues);
    const layout = instanceLayoutOf(schema.body);
    // In key order from the start; the values below replace the unset ones in place.
    const attrs = unsetAttributes(layout);
    const ranges: Record<string, Range> = {};
    for (const arg of layout.arguments) {
      const a = decl.attributes.get(arg.name);
      if (!a) continue;
      ranges[arg.name] = a.range;
      attrs.set(arg.name, this.evalArgument(a, arg.type, decl, extra));
    }
    for (const block of layout.blocks) {
      const blocks = decl.blocks.get(block.name);
      if (!blocks?.[0]) continue;
      const objs = blocks.map((b) => this.evalNestedBlock(b, block.schema.body, decl, extra));
      ranges[block.name] = blocks[0].range;
      attrs.set(block.name, block.schema.max === 1 ? defined(objs[0], "a nested block's value") : listOf(objs));
    }
    if (decl.kind === "association")
      attrs.set(
        "parameters",
        this.normalizeParameters(
          defined(attrs.get("parameters"), "an association's parameters"),
          decl.attributes.get("parameters"),
        ),
      );
    const name = decl.attributes.get("name");
    if (name && attrs.get("name")?.containsSensitive()) {
      // Names identify objects: plans, progress lines, the state and status show them. Like
      // Terraform's sensitive for_each keys, a secret there is refused rather than half-hidden.
      this.diags.push(
        error("eval/sensitive-name", "Sensitive value in a name", {
          detail: `The name of ${decl.kind} "${decl.name}" comes from a sensitive value. A name identifies the ${decl.kind} in SSM and is shown in plans, progress lines, the state and status, so it cannot be kept secret.`,
          range: name.expr.range,
          context: name.range,
          hint: "build the name from values that are not secret; if this value is safe to show, wrap it in nonsensitive()",
        }),
      );
    }
    const address: InstanceAddress = withModule(
      key === undefined ? { kind: decl.kind, name: decl.name } : { kind: decl.kind, name: decl.name, key },
      this.path,
    );
    const providerKey = this.providerKey(
      decl.provider.alias ? `${decl.provider.name}.${decl.provider.alias}` : decl.provider.name,
    );
    const inModule = <R extends ResourceRef>(r: R): R => (this.path.length > 0 ? withModule(r, this.path) : r);
    const extraDependencies =
      !this.module && decl.dependsOnModules.length === 0
        ? []
        : [
            ...(this.module?.dependencies ?? []),
            ...decl.dependsOnModules.map((m) => formatModulePath([...this.path, { name: m.name }])),
          ];
    const moduleReferences: string[] = [];
    for (const ref of this.argumentReferences(decl)) {
      const first = ref.traversal[0];
      if (ref.root === "module" && first?.type === "AttrStep" && this.config.modules.has(first.name)) {
        const target = formatModulePath([...this.path, { name: first.name }]);
        if (!moduleReferences.includes(target)) moduleReferences.push(target);
      }
    }
    return {
      address,
      addressText: formatAddress(address),
      kind: decl.kind,
      name: decl.name,
      ...(key !== undefined ? { key } : {}),
      attrs: Value.object(attrs),
      references: this.path.length > 0 ? decl.references.map(inModule) : decl.references,
      ranges: { block: decl.range, name: decl.nameRange, attributes: ranges },
      provider: this.providerRef(providerKey),
      dependsOn: this.path.length > 0 ? decl.dependsOn.map(inModule) : decl.dependsOn,
      extraDependencies,
      moduleReferences,
      decl,
      lifecycle:
        this.path.length > 0
          ? { ...decl.lifecycle, replaceTriggeredBy: decl.lifecycle.replaceTriggeredBy.map(inModule) }
          : decl.lifecycle,
    };
  }

  /** The provider configuration an instance uses, one object per key (every instance of a fleet shares one). */
  private providerRef(key: string): EvaluatedResource["provider"] {
    let ref = this.providerRefs.get(key);
    if (!ref) {
      const dot = key.indexOf(".");
      ref = dot < 0 ? { name: key, key } : { name: key.slice(0, dot), alias: key.slice(dot + 1), key };
      this.providerRefs.set(key, ref);
    }
    return ref;
  }

  /** A provider configuration key as the root names it: a module's own keys map to what its call passed. */
  private providerKey(key: string): string {
    return this.module ? (this.module.providers.get(key) ?? key) : key;
  }

  // -------------------------------------------------------------------------------------------
  // Module calls (evaluated on demand like resources: their value is the object of their outputs)

  private evalModule(name: string): Value {
    const node = defined(this.moduleValues.get(name), "a module call's node");
    if (node.state !== "pending") return node.value;
    node.state = "busy";
    const call = defined(this.config.modules.get(name), "a module call's declaration");
    const results: EvaluatedConfig[] = [];
    const outputsOf = (r: EvaluatedConfig) => Value.object(new Map(r.outputs.map((o) => [o.name, o.value])));
    const keys = call.config ? this.expansion(call) : undefined;
    if (keys === undefined) node.value = Value.UNKNOWN;
    else if (keys === null) {
      const r = this.runModule(call, undefined, {});
      results.push(r);
      node.value = outputsOf(r);
    } else {
      for (const k of keys) {
        const extra: Record<string, Value> =
          typeof k.key === "number"
            ? { count: Value.object({ index: Value.number(k.key) }) }
            : { each: Value.object({ key: Value.string(k.key), value: k.value }) };
        results.push(this.runModule(call, k.key, extra));
      }
      node.value = call.count
        ? Value.tuple(results.map(outputsOf))
        : Value.object(
            new Map(results.map((r, i) => [defined(keys[i], "a module instance's key").key as string, outputsOf(r)])),
          );
    }
    this.moduleResults.set(name, results);
    node.state = "done";
    return node.value;
  }

  private runModule(call: ModuleCallDecl, key: InstanceKey | undefined, extra: Record<string, Value>): EvaluatedConfig {
    const refs: Reference[] = [];
    for (const a of call.inputs.values()) refs.push(...references(a.expr));
    const scope = this.scopeFor(refs, extra);
    const inputs = new Map<string, Value>();
    for (const [n, a] of call.inputs) inputs.set(n, this.eval(a.expr, scope));
    const providers = new Map<string, string>([["ssm", this.providerKey("ssm")]]);
    for (const [k, ref] of call.providers)
      providers.set(k, this.providerKey(ref.alias ? `${ref.name}.${ref.alias}` : ref.name));
    const dependencies = [...(this.module?.dependencies ?? [])];
    for (const d of call.dependsOn) dependencies.push(formatAddress(withModule(refAddress(d), this.path)));
    for (const m of call.dependsOnModules) dependencies.push(formatModulePath([...this.path, { name: m.name }]));
    const path = [...this.path, key === undefined ? { name: call.name } : { name: call.name, key }];
    return new ConfigEvaluator(defined(call.config, "the loaded module's configuration"), this.opts, {
      path,
      inputs,
      call,
      providers,
      dependencies,
      rootDir: this.module?.rootDir ?? this.config.dir,
    }).run();
  }

  private evalArgument(a: Attribute, type: Type, decl: ResourceDecl, extra: EvalContext): Value {
    const v = this.eval(a.expr, extra);
    const c = convert(v, type);
    if (c.error) {
      this.diags.push(
        error("eval/invalid-argument-type", "Incorrect argument type", {
          detail: `Inappropriate value for "${a.name}" of ${decl.kind} "${decl.name}": ${conversionMessage(c.error)}`,
          range: narrowRange(a.expr, c.error.path),
          context: a.range,
        }),
      );
      return Value.unknown(stripOptional(type));
    }
    return c.value;
  }

  private evalNestedBlock(b: Block, body: BodySchema, decl: ResourceDecl, extra: EvalContext): Value {
    const layout = instanceLayoutOf(body);
    const m = unsetAttributes(layout);
    const given = new Map<string, Attribute>();
    for (const item of b.body.items) if (item.type === "Attribute" && !given.has(item.name)) given.set(item.name, item);
    for (const arg of layout.arguments) {
      const a = given.get(arg.name);
      if (a) m.set(arg.name, this.evalArgument(a, arg.type, decl, extra));
    }
    return Value.object(m);
  }

  /** Association parameters are string lists; a plain string (or number, bool) means a one-item list. */
  private normalizeParameters(v: Value, attr: Attribute | undefined): Value {
    if (!v.isKnown || v.isNull)
      return v.isNull ? Value.null(T.map(T.list(T.string))) : Value.unknown(T.map(T.list(T.string))).mark(v.sensitive);
    if (!v.isMapping) {
      this.diags.push(
        error("eval/invalid-argument-type", "Incorrect argument type", {
          detail: `"parameters" must be a map of string lists, like { commands = ["echo hi"] }, not ${typeString(v.type)}.`,
          ...(attr ? { range: attr.expr.range, context: attr.range } : {}),
        }),
      );
      return Value.unknown(T.map(T.list(T.string)));
    }
    const out = new Map<string, Value>();
    for (const [k, e] of v.entries()) {
      if (!e.isNull && (e.type.kind === "string" || e.type.kind === "number" || e.type.kind === "bool")) {
        // A string, number or bool always converts to a string.
        out.set(k, Value.list([defined(convert(e, T.string).value, "the value as a string")], T.string));
        continue;
      }
      if (!e.isKnown && e.type.kind === "dynamic") {
        out.set(k, Value.unknown(T.list(T.string)).mark(e.sensitive));
        continue;
      }
      const c = convert(e, T.list(T.string));
      if (c.error) {
        this.diags.push(
          error("eval/invalid-argument-type", "Incorrect argument type", {
            detail: `Parameter "${k}" must be a string or a list of strings: ${conversionMessage(c.error)}`,
            ...(attr ? { range: attr.expr.range, context: attr.range } : {}),
          }),
        );
        out.set(k, Value.unknown(T.list(T.string)));
        continue;
      }
      out.set(k, c.value);
    }
    return Value.map(out, T.list(T.string)).mark(v.sensitive);
  }

  // -------------------------------------------------------------------------------------------
  // Outputs, providers, state, imports

  private evalOutputs(): EvaluatedOutput[] {
    const out: EvaluatedOutput[] = [];
    for (const o of [...this.config.outputs.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      let v = this.eval(o.value.expr);
      if (v.containsSensitive() && !o.sensitive) {
        this.diags.push(
          error("eval/sensitive-output", "Output refers to sensitive values", {
            detail: `The value of output "${o.name}" comes from sensitive values, so it must be declared sensitive = true (it will be shown as (sensitive)).`,
            range: o.value.expr.range,
            context: o.range,
            hint: "add sensitive = true to the output block, or use nonsensitive() if the value is safe to show",
          }),
        );
      }
      if (o.sensitive) v = v.mark();
      out.push({
        name: o.name,
        value: v,
        sensitive: o.sensitive || v.containsSensitive(),
        ...(o.description !== undefined ? { description: o.description } : {}),
        range: o.range,
      });
    }
    return out;
  }

  private evalProviders(): Map<string, EvaluatedProvider> {
    const out = new Map<string, EvaluatedProvider>();
    out.set("ssm", { key: "ssm", name: "ssm" });
    for (const p of this.config.providers.values()) {
      const ep: EvaluatedProvider = {
        key: p.key,
        name: p.name,
        ...(p.alias ? { alias: p.alias } : {}),
        range: p.range,
      };
      for (const [name, a] of p.attributes) {
        const type = PROVIDER_TYPES[name];
        if (!type) continue;
        const v = this.eval(a.expr);
        const c = convert(v, type);
        const fail = (detail: string) =>
          this.diags.push(
            error("eval/invalid-provider-argument", "Invalid provider argument", {
              detail,
              range: a.expr.range,
              context: a.range,
            }),
          );
        if (c.error) {
          fail(`"${name}": ${conversionMessage(c.error)}`);
          continue;
        }
        if (!c.value.isKnown || c.value.isNull) continue;
        const x = c.value.unmark();
        if (name === "max_retries") {
          const n = x.asNumber();
          if (!Number.isInteger(n) || n < 0)
            fail(`max_retries must be a whole number of zero or more, not ${formatNumber(n)}.`);
          else ep.maxRetries = n;
        } else if (name === "connect_timeout" || name === "request_timeout") {
          const ms = x.asNumber() * 1000;
          // The same bounds as net/'s timeouts (eval comes before it and stays free of it).
          if (!(Number.isFinite(ms) && ms > 0 && ms <= 86_400_000))
            fail(
              `${name} must be a number of seconds more than zero and at most a day (86400), not ${formatNumber(x.asNumber())}.`,
            );
          else if (name === "connect_timeout") ep.connectTimeoutMs = Math.round(ms);
          else ep.requestTimeoutMs = Math.round(ms);
        } else if (name === "endpoint") {
          const s = x.asString();
          if (s !== "local" && !isHttpUrl(s))
            fail(`endpoint must be "local" (the embedded local endpoint) or an http:// or https:// URL, not "${s}".`);
          else ep.endpoint = s;
        } else if (name === "region") ep.region = x.asString();
        else if (name === "profile") ep.profile = x.asString();
      }
      if (p.assumeRole) {
        const ar = this.evalAssumeRole(p.key, p.assumeRole);
        if (ar) ep.assumeRole = ar;
      }
      if (p.local) {
        const local = this.evalLocalBlock(p.key, p.local, ep.endpoint);
        if (local) ep.local = local;
      }
      out.set(p.key, ep);
    }
    return out;
  }

  /** `local { execute, rootfs, memory_mb, max_processes, max_run_seconds }`: only with endpoint = "local". */
  private evalLocalBlock(
    key: string,
    block: { attributes: Map<string, Attribute>; range: Range },
    endpoint: string | undefined,
  ): EvaluatedProvider["local"] {
    const fail = (name: string | undefined, detail: string, hint?: string): undefined => {
      const a = name === undefined ? undefined : block.attributes.get(name);
      this.diags.push(
        error("eval/invalid-provider-argument", "Invalid provider argument", {
          detail,
          range: a?.expr.range ?? block.range,
          ...(a ? { context: a.range } : {}),
          ...(hint ? { hint } : {}),
        }),
      );
      return undefined;
    };
    if (endpoint !== "local") {
      fail(
        undefined,
        `provider ${key}: a local block configures the local endpoint, and this provider does not use it.`,
        'set endpoint = "local" in the provider block, or remove the local block',
      );
      return;
    }
    const read = (name: string, type: typeof T.string): Value | undefined => {
      const a = block.attributes.get(name);
      if (!a) return undefined;
      const c = convert(this.eval(a.expr), type);
      if (c.error) {
        fail(name, `"${name}": ${conversionMessage(c.error)}`);
        return undefined;
      }
      return c.value.isKnown && !c.value.isNull ? c.value.unmark() : undefined;
    };
    const local: NonNullable<EvaluatedProvider["local"]> = { execute: read("execute", T.bool)?.asBool() ?? false };
    const rootfs = read("rootfs", T.string)?.asString();
    if (rootfs !== undefined) local.rootfs = resolve(this.config.dir, rootfs);
    const whole = (name: string, min: number, max: number, set: (n: number) => void): void => {
      const n = read(name, T.number)?.asNumber();
      if (n === undefined) return;
      if (!Number.isInteger(n) || n < min || n > max)
        fail(name, `provider ${key}: ${name} must be a whole number from ${min} to ${max}, not ${formatNumber(n)}.`);
      else set(n);
    };
    whole("memory_mb", 16, 1_048_576, (n) => (local.memoryMb = n));
    whole("max_processes", 8, 1_000_000, (n) => (local.maxProcesses = n));
    whole("max_run_seconds", 1, 172_800, (n) => (local.maxRunSeconds = n));
    return local;
  }

  private evalAssumeRole(
    key: string,
    block: { attributes: Map<string, Attribute>; range: Range },
  ): EvaluatedProvider["assumeRole"] {
    const text = (name: string): string | undefined => {
      const a = block.attributes.get(name);
      if (!a) return undefined;
      const c = convert(this.eval(a.expr), T.string);
      if (c.error) {
        this.diags.push(
          error("eval/invalid-provider-argument", "Invalid provider argument", {
            detail: `"${name}": ${conversionMessage(c.error)}`,
            range: a.expr.range,
            context: a.range,
          }),
        );
        return undefined;
      }
      return c.value.isKnown && !c.value.isNull ? c.value.unmark().asString() : undefined;
    };
    const fail = (name: string, detail: string, hint?: string) => {
      const a = block.attributes.get(name);
      this.diags.push(
        error("eval/invalid-provider-argument", "Invalid provider argument", {
          detail,
          range: a?.expr.range ?? block.range,
          ...(a ? { context: a.range } : {}),
          ...(hint ? { hint } : {}),
        }),
      );
      return undefined;
    };
    const roleArn = text("role_arn");
    if (roleArn === undefined) return undefined;
    const m = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\/[\w+=,.@/-]+$/.exec(roleArn);
    if (!m) {
      fail(
        "role_arn",
        `provider ${key}: "${roleArn}" is not the ARN of an IAM role.`,
        "write arn:aws:iam::ACCOUNT_ID:role/ROLE_NAME",
      );
      return;
    }
    const sessionName = text("session_name") ?? "statectl";
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      fail(
        "session_name",
        `provider ${key}: a role session name is 2 to 64 letters, digits and +=,.@_- characters, not "${sessionName}".`,
      );
      return;
    }
    const externalId = text("external_id");
    if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
      fail("external_id", `provider ${key}: an external id is 2 to 1224 letters, digits and +=,.@:/_- characters.`);
      return;
    }
    const durationText = text("duration");
    let durationSeconds = 3600;
    if (durationText !== undefined) {
      const d = parseDuration(durationText);
      if (d === undefined || d < 900 || d > 43200) {
        fail(
          "duration",
          `provider ${key}: duration must be between "15m" and "12h" (AWS STS's limits), like "1h" or "45m", not "${durationText}".`,
        );
        return;
      }
      durationSeconds = d;
    }
    return {
      roleArn,
      accountId: defined(m[1], "the account id the pattern requires"),
      sessionName,
      ...(externalId !== undefined ? { externalId } : {}),
      durationSeconds,
    };
  }

  private evalState(): EvaluatedConfig["state"] {
    const s = this.config.state;
    if (s?.backend)
      return {
        path: DEFAULT_STATE_PATH,
        absolutePath: resolve(this.config.dir, DEFAULT_STATE_PATH),
        configured: true,
        backend: s.backend,
      };
    if (!s?.path)
      return {
        path: DEFAULT_STATE_PATH,
        absolutePath: resolve(this.config.dir, DEFAULT_STATE_PATH),
        configured: false,
      };
    const pathAttr = s.path;
    const v = this.eval(pathAttr.expr);
    const c = convert(v, T.string);
    if (c.error || !c.value.isKnown || c.value.isNull || c.value.unmark().asString() === "") {
      if (!c.error && !c.value.isKnown && this.dependsOnFailure(pathAttr.expr))
        return {
          path: DEFAULT_STATE_PATH,
          absolutePath: resolve(this.config.dir, DEFAULT_STATE_PATH),
          configured: false,
        };
      this.diags.push(
        error("eval/invalid-state-path", "Invalid state path", {
          detail: `The state path must be a non-empty string known before planning${c.error ? `: ${conversionMessage(c.error)}` : "."}`,
          range: pathAttr.expr.range,
          context: pathAttr.range,
        }),
      );
      return {
        path: DEFAULT_STATE_PATH,
        absolutePath: resolve(this.config.dir, DEFAULT_STATE_PATH),
        configured: false,
      };
    }
    const path = c.value.unmark().asString();
    return { path, absolutePath: resolve(this.config.dir, path), configured: true };
  }

  private evalImports(): EvaluatedConfig["imports"] {
    return this.config.imports.map((i) => {
      const v = this.eval(i.id.expr);
      const c = convert(v, T.string);
      if (c.error || c.value.isNull)
        this.diags.push(
          error("eval/invalid-import-id", "Invalid import id", {
            detail: `The id must be a string${c.error ? `: ${conversionMessage(c.error)}` : ", not null"}.`,
            range: i.id.expr.range,
          }),
        );
      return {
        to: refAddress(i.to),
        id: c.value ?? Value.unknown(T.string),
        range: i.range,
        toRange: i.to.range,
        idRange: i.id.expr.range,
      };
    });
  }
}

/**
 * The part of a literal expression a conversion error is about: for `default = { targets = [{
 * values = "x" }] }` and the path `.targets[0].values`, the range of `"x"`. Falls back to the
 * innermost literal reached (or the whole expression).
 */
export function narrowRange(expr: Expression, path: string): Range {
  let e: Expression = expr;
  for (const step of conversionPathSteps(path)) {
    while (e.type === "Parenthesis") e = e.expr;
    const element = typeof step === "number" && e.type === "Tuple" ? e.items[step] : undefined;
    if (element) e = element;
    else if (typeof step === "string" && e.type === "Object") {
      const item = e.items.find((i) => {
        const k = i.key.type === "Parenthesis" ? i.key.expr : i.key;
        if (k.type === "Literal") return String(k.value) === step;
        if (k.type === "Template")
          return (
            k.parts.every((p) => p.type === "TemplateLiteral") &&
            k.parts.map((p) => (p as { value: string }).value).join("") === step
          );
        return false;
      });
      if (!item) break;
      e = item.value;
    } else break;
  }
  return e.range;
}

/** The same mistake in every instance of a counted or for_each resource is reported once. */
function uniqueDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = JSON.stringify([
      d.code,
      d.summary,
      d.detail,
      d.range?.file,
      d.range?.start.offset,
      d.range?.end.offset,
    ]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function listOf(objs: Value[]): Value {
  const u = unifyTypes(objs.map((o) => o.type));
  return u
    ? Value.list(
        // An object already of the unified type (the only block, or the first) is kept as it is.
        objs.map((o) => (o.type === u ? o : (convert(o, u).value ?? o))),
        u,
      )
    : Value.tuple(objs);
}

/** "1h30m", "45m", "900s" → seconds; undefined when it is not such a duration. */
function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || text.trim() === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function refAddress(r: ResourceRef): InstanceAddress {
  const module = r.module && r.module.length > 0 ? { module: r.module } : {};
  return r.key === undefined
    ? { ...module, kind: r.kind, name: r.name }
    : { ...module, kind: r.kind, name: r.name, key: r.key };
}
