// The default configuration loader: config/ loads and decodes the directory's .state files,
// eval/ evaluates them, and this file adapts the result to what graph/, plan/ and apply/ take
// (ConfigInstance: plain JSON values with unknown markers and sensitive paths).
import { createHash } from "node:crypto";
import { formatAddress, formatResourceAddress, type InstanceAddress } from "../addrs/index.js";
import { error, hasErrors, redactDiagnostic, redactionList, type Diagnostic } from "../diag/index.js";
import { loadConfig, type Config, type ResourceRef } from "../config/index.js";
import {
  evaluateConfig,
  sensitiveStrings,
  toNative,
  type EvaluateOptions,
  type EvaluatedResource,
  type Value,
} from "../eval/index.js";
import {
  UNKNOWN,
  isUnknown,
  isWhollyKnown,
  withFastProperties,
  type ConfigInstance,
  type DesiredValue,
  type InstanceReference,
} from "../graph/index.js";
import { writeStableJson, type ImportBlock, type MovedBlock, type ResourceChange } from "../plan/index.js";
import { findInstance, type AttributePath, type JsonValue, type State } from "../state/index.js";
import type { LoadedConfig, LoadInputs, ProviderSettings } from "./engine.js";
import { selectedWorkspace } from "./backend.js";

/** A Value as JSON with unknown markers; sensitive parts are collected in `sensitive`. */
export function valueToDesired(v: Value, path: AttributePath = [], sensitive: AttributePath[] = []): DesiredValue {
  // One path, extended and shortened as the walk goes: copied only where a value is sensitive
  // (a copy per element made this the largest allocation of planning 50,000 associations).
  return desired(v, [...path], sensitive);
}

function desired(v: Value, path: (string | number)[], sensitive: AttributePath[]): DesiredValue {
  if (v.sensitive) sensitive.push([...path]);
  if (!v.isKnown) return UNKNOWN;
  if (v.isNull) return null;
  const kind = v.type.kind;
  if (kind === "list" || kind === "set" || kind === "tuple") {
    const out: DesiredValue[] = [];
    for (const e of v.elements()) {
      path.push(out.length);
      out.push(desired(e, path, sensitive));
      path.pop();
    }
    return out;
  }
  if (kind === "map" || kind === "object") {
    const out: { [k: string]: DesiredValue } = {};
    const entries = v.entries();
    entries.forEach((e, k) => {
      path.push(k);
      // A key named "__proto__" must become an own property, not the object's prototype.
      if (k === "__proto__")
        Object.defineProperty(out, k, {
          value: desired(e, path, sensitive),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[k] = desired(e, path, sensitive);
      path.pop();
    });
    return withFastProperties(out, entries.size);
  }
  if (kind === "string") return v.asString();
  if (kind === "number") return v.asNumber();
  if (kind === "bool") return v.asBool();
  return null;
}

/** Whether an unknown marker sits anywhere in a desired value (a walk that allocates nothing). */
function holdsUnknown(v: DesiredValue): boolean {
  if (v === null || typeof v !== "object") return false;
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) {
    for (const e of v) if (holdsUnknown(e)) return true;
    return false;
  }
  for (const k in v) if (holdsUnknown(v[k] as DesiredValue)) return true;
  return false;
}

function refTarget(r: ResourceRef): string {
  const module = r.module && r.module.length > 0 ? { module: r.module } : {};
  return r.key === undefined
    ? formatResourceAddress({ ...module, kind: r.kind, name: r.name })
    : formatAddress({ ...module, kind: r.kind, name: r.name, key: r.key });
}

function toReference(r: ResourceRef): InstanceReference {
  return { target: refTarget(r), ...(r.attribute ? { attribute: r.attribute } : {}), range: r.range };
}

function addressText(a: InstanceAddress | { kind: "document" | "association"; name: string }): string {
  return formatAddress(a);
}

/**
 * Attributes SSM computes from another one: when the source is (or holds something) sensitive,
 * so are they. A document's `parameters` are read back from its content, defaults included, so a
 * secret default in a sensitive content would otherwise show in clear in `state show` and plans.
 */
const DERIVED_ATTRIBUTES: Record<string, Record<string, string[]>> = {
  document: { content: ["parameters", "status_information", "description"] },
};

export function adaptInstance(r: EvaluatedResource): ConfigInstance {
  const sensitive: AttributePath[] = [];
  const attrs = valueToDesired(r.attrs, [], sensitive);
  for (const [source, derived] of Object.entries(DERIVED_ATTRIBUTES[r.kind] ?? {})) {
    if (!sensitive.some((p) => p[0] === source)) continue;
    for (const name of derived) if (!sensitive.some((p) => p.length === 1 && p[0] === name)) sensitive.push([name]);
  }
  return {
    address: r.addressText,
    kind: r.kind,
    provider: r.provider.key,
    attrs: attrs !== null && typeof attrs === "object" && !Array.isArray(attrs) && !isUnknown(attrs) ? attrs : {},
    sensitivePaths: sensitive.filter((p) => p.length > 0),
    references: referencesTo(r.references, r.moduleReferences),
    dependsOn: referencesTo(r.dependsOn, r.extraDependencies),
    lifecycle: {
      preventDestroy: r.lifecycle.preventDestroy,
      createBeforeDestroy: r.lifecycle.createBeforeDestroy,
      ignoreChanges: r.lifecycle.ignoreChanges,
      replaceTriggeredBy: r.lifecycle.replaceTriggeredBy.map(toReference),
    },
    ranges: r.ranges,
  };
}

/**
 * References to resources, then to whole modules (by address), in one array: every instance
 * keeps two of them, and most are empty (a map and a spread each made three arrays).
 */
function referencesTo(resources: readonly ResourceRef[], modules: readonly string[]): InstanceReference[] {
  const out: InstanceReference[] = [];
  for (const ref of resources) out.push(toReference(ref));
  for (const target of modules) out.push({ target });
  return out;
}

/**
 * Fills attributes that were unknown at plan time (computed attributes of other resources):
 * evaluates the configuration again with the attributes apply has recorded so far, and takes
 * from it only the values the plan did not know.
 */
function resolver(config: Config, inputs: EvaluateOptions) {
  return (
    change: ResourceChange,
    state: State,
  ): { attrs?: { [name: string]: DesiredValue }; diagnostics: Diagnostic[] } => {
    const again = evaluateConfig(config, {
      ...inputs,
      instanceAttributes: (address) => findInstance(state, address)?.attributes,
    });
    const fresh = again.resources.find((r) => r.addressText === change.address);
    if (!fresh)
      return {
        diagnostics: [error("engine/unknown-after-apply", `${change.address} is no longer in the configuration`, {})],
      };
    const attrs = adaptInstance(fresh).attrs;
    const after: { [name: string]: DesiredValue } = {};
    for (const [name, planned] of Object.entries(change.after ?? {}))
      after[name] = isWhollyKnown(planned) ? planned : (attrs[name] ?? null);
    for (const [name, value] of Object.entries(attrs)) if (!(name in after) && value !== null) after[name] = value;
    const unresolved = Object.keys(after).filter((n) => !isWhollyKnown(after[n]));
    if (unresolved.length > 0) {
      return {
        diagnostics: [
          error("engine/unknown-after-apply", `Values of ${change.address} are still unknown`, {
            detail: `${unresolved.join(", ")} still ${unresolved.length === 1 ? "depends" : "depend"} on values that are unknown after its dependencies were applied.`,
          }),
        ],
      };
    }
    return { attrs: after, diagnostics: [] };
  };
}

/** Problems reading the files, kept beside syntax errors (they are not consequences of them). */
const READ_PROBLEMS = new Set([
  "config/unreadable-directory",
  "config/unreadable-file",
  "config/unreadable-var-file",
  "config/invalid-encoding",
  "config/file-too-large",
  "config/invalid-var-option",
]);

/**
 * The configuration's digest, computed on first call. A function of its own, so that what it
 * holds (for a plan that computes it on first use) is what it hashes, not the AST and evaluation.
 */
function digestOnce(inputs: {
  instances: readonly ConfigInstance[];
  moved: readonly MovedBlock[];
  imports: readonly ImportBlock[];
  providers: ReadonlyMap<string, ProviderSettings>;
  state: string;
  workspace: string;
}): () => string {
  let hash: string | undefined;
  return () => {
    if (hash !== undefined) return hash;
    const { instances, moved, imports, providers, state, workspace } = inputs;
    const digest = createHash("sha256");
    // Streamed in pieces of about 64 KB: the same digest as hashing stableJson's whole text.
    let pending = "";
    writeStableJson(
      {
        instances: instances.map((i) => ({
          address: i.address,
          provider: i.provider,
          attrs: i.attrs,
          lifecycle: { ...i.lifecycle, replaceTriggeredBy: i.lifecycle.replaceTriggeredBy?.map((r) => r.target) },
          dependsOn: i.dependsOn.map((d) => d.target),
        })),
        moved,
        imports: imports.map((i) => [i.address, i.id]),
        providers: [...providers].map(([k, { range: _range, ...p }]) => [k, p]),
        state,
        workspace,
      },
      (piece) => {
        pending += piece;
        if (pending.length >= 65_536) {
          digest.update(pending);
          pending = "";
        }
      },
    );
    hash = digest.update(pending).digest("hex");
    return hash;
  };
}

/** Loads, evaluates and adapts the configuration in `dir`. */
export async function loadConfiguration(dir: string, inputs: LoadInputs): Promise<LoadedConfig> {
  const workspace = inputs.workspace ?? (inputs.files ? "default" : await selectedWorkspace(dir, inputs.env ?? {}));
  const loaded = loadConfig(inputs.files ? { files: inputs.files, dir } : { dir }, {
    ...(inputs.vars ? { vars: inputs.vars } : {}),
    ...(inputs.varFiles ? { varFiles: inputs.varFiles } : {}),
    ...(inputs.env ? { env: inputs.env } : {}),
    workspace,
  });
  // Phases, as validate does: once a file has syntax errors, what decoding and evaluation say
  // about the partial tree is mostly noise ("missing argument name" after "name = " was cut
  // short), so only the syntax and file-reading problems are reported.
  const syntaxFailed = loaded.diagnostics.some((d) => d.severity === "error" && d.code.startsWith("syntax/"));
  const diagnostics: Diagnostic[] = syntaxFailed
    ? loaded.diagnostics.filter((d) => d.code.startsWith("syntax/") || READ_PROBLEMS.has(d.code))
    : [...loaded.diagnostics];
  if (inputs.planVariables) {
    // A saved plan's values win over the environment and auto files; explicit --var/--var-file
    // values still come last, so the engine can refuse one that differs.
    const given = loaded.config.variableInputs;
    const fromPlan = Object.entries(inputs.planVariables)
      .filter(([name]) => loaded.config.variables.has(name))
      .map(([name, value]) => ({ name, source: "plan" as const, value, origin: "the plan file" }));
    loaded.config.variableInputs = [
      ...given.filter((i) => i.source === "env" || i.source === "auto-file"),
      ...fromPlan,
      ...given.filter((i) => i.source === "file" || i.source === "cli"),
    ];
  }
  const evaluated = evaluateConfig(loaded.config);
  const instances = evaluated.resources.map(adaptInstance);
  if (!syntaxFailed && !hasErrors([...diagnostics, ...evaluated.diagnostics])) {
    // validate's SSM checks, before any call: what validate already knows must not fail an apply
    // half-way. Only their errors: plan and apply keep validate's advice to validate.
    const { checkResources } = await import("./ssm-validation.js");
    const secrets = new Set<string>();
    // Adapting listed where each resource holds a sensitive value: only those are walked for secrets.
    evaluated.resources.forEach((r, i) => {
      if (r.attrs.sensitive || (instances[i]?.sensitivePaths.length ?? 0) > 0) sensitiveStrings(r.attrs, secrets);
    });
    const list = redactionList(secrets);
    // The checks read plain values; the adapted attributes are those already, where nothing is unknown.
    const plain = new Map<EvaluatedResource, Readonly<Record<string, unknown>>>();
    evaluated.resources.forEach((r, i) => {
      const attrs = instances[i]?.attrs;
      if (attrs && r.attrs.isKnown && !holdsUnknown(attrs)) plain.set(r, attrs);
    });
    const ssm = checkResources(evaluated.resources, loaded.config.resources, {
      sources: loaded.config.sources,
      dir,
      evaluated,
      plain: (r) => plain.get(r),
    });
    diagnostics.push(...ssm.filter((d) => d.severity === "error").map((d) => redactDiagnostic(d, list)));
  }
  const variables: Record<string, { value: JsonValue; sensitive: boolean }> = {};
  for (const [name, v] of evaluated.variables)
    if (v.isWhollyKnown())
      variables[name] = { value: toNative(v) as JsonValue, sensitive: v.sensitive || v.containsSensitive() };
  const explicitVariables = [
    ...new Set(
      loaded.config.variableInputs.filter((i) => i.source === "file" || i.source === "cli").map((i) => i.name),
    ),
  ];
  if (!syntaxFailed) diagnostics.push(...evaluated.diagnostics);
  const providers = new Map<string, ProviderSettings>();
  for (const [key, p] of evaluated.providers) {
    providers.set(key, {
      ...(p.region !== undefined ? { region: p.region } : {}),
      ...(p.profile !== undefined ? { profile: p.profile } : {}),
      ...(p.endpoint !== undefined ? { endpoint: p.endpoint } : {}),
      ...(p.maxRetries !== undefined ? { maxRetries: p.maxRetries } : {}),
      ...(p.assumeRole ? { assumeRole: p.assumeRole } : {}),
      ...(p.range ? { range: p.range } : {}),
      ...(p.connectTimeoutMs !== undefined ? { connectTimeoutMs: p.connectTimeoutMs } : {}),
      ...(p.requestTimeoutMs !== undefined ? { requestTimeoutMs: p.requestTimeoutMs } : {}),
      ...(p.local ? { local: p.local } : {}),
    });
  }
  const moved = evaluated.moved.map((m) => ({ from: addressText(m.from), to: addressText(m.to) }));
  // An id that is not a known string was reported by eval; such a block is left out.
  const imports = evaluated.imports
    .filter((i) => i.id.isKnown && !i.id.isNull)
    .map((i) => ({
      address: addressText(i.to),
      id: i.id.unmark().asString(),
      range: i.range,
      toRange: i.toRange,
      idRange: i.idRange,
    }));
  // Hashing a whole configuration costs about as much as evaluating a tenth of it (0.7 s at 50,000
  // associations): computed on first use, so the commands that make no plan do not pay it.
  const configHash = digestOnce({
    instances,
    moved,
    imports,
    providers,
    state: evaluated.state.backend
      ? `s3://${evaluated.state.backend.s3.bucket}/${evaluated.state.backend.s3.key}`
      : evaluated.state.absolutePath,
    workspace,
  });
  const moduleDirs: { dir: string; call: string }[] = [];
  const walk = (c: Config, prefix: string) => {
    for (const m of c.modules.values()) {
      const call = `${prefix}module.${m.name}`;
      if (m.dir) moduleDirs.push({ dir: m.dir, call });
      if (m.config) walk(m.config, `${call}.`);
    }
  };
  walk(loaded.config, "");
  return {
    dir,
    moduleDirs,
    instances,
    providers,
    statePath: evaluated.state.absolutePath,
    noConfigurationFiles: loaded.diagnostics.some((d) => d.code === "config/no-files"),
    variables,
    explicitVariables,
    ...(evaluated.state.backend ? { backend: evaluated.state.backend.s3 } : {}),
    workspace,
    moved,
    imports,
    diagnostics,
    sources: loaded.config.sources,
    get hash() {
      return configHash();
    },
    digest: configHash,
    resolve: resolver(loaded.config, {}),
    // Only the outputs and what they refer to: a configuration of 50,000 associations and no
    // outputs used to be evaluated a second time here for nothing.
    outputs: (state) =>
      evaluateConfig(loaded.config, {
        outputsOnly: true,
        instanceAttributes: (address) => findInstance(state, address)?.attributes,
      }).outputs.map((o) => ({
        name: o.name,
        value: valueToDesired(o.value),
        sensitive: o.sensitive || o.value.containsSensitive(),
      })),
    reevaluate: (known) => evaluateConfig(loaded.config, { instanceAttributes: known }).resources.map(adaptInstance),
  };
}
