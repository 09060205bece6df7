// Planning: plan = f(configuration, prior state). Moves are applied to the prior state first,
// then every instance in state is refreshed through the provider (deleted outside → created
// again; changed outside → drift, attribute by attribute), then the configuration is compared
// with what exists and each instance gets one action, in dependency order (so
// replace_triggered_by sees what its triggers will do).
import {
  defined,
  didYouMean,
  InvariantError,
  error,
  hasErrors,
  warning,
  type Diagnostic,
  type ErrorCode,
  type Range,
} from "../diag/index.js";
import {
  buildGraph,
  forEachBounded,
  isUnknown,
  orderedNodes,
  UNKNOWN,
  type ConfigInstance,
  type DependencyGraph,
  type DesiredValue,
} from "../graph/index.js";
import {
  findInstance,
  moveInstances,
  removeInstances,
  setInstance,
  type AttributePath,
  type JsonValue,
  type ResourceInstanceState,
  type State,
} from "../state/index.js";
import { findAwsOwnedDocument, isLinuxOnlyDocument } from "../ssm/index.js";
import { addressMatches, canonicalAddress, canonicalTarget } from "../addrs/index.js";
import { effectiveValue, sameValue } from "./compare.js";
import type { AttributeChange, Drift, MovedInstance, Plan, PlanMode, ResourceChange } from "./model.js";
import type { PlanAttributeRule, PlanProvider, PlanReadResult, PlanTargetCount } from "./provider.js";

export type RefreshMode = "bulk" | "per-resource";

export interface MovedBlock {
  from: string;
  to: string;
}

/** An `import { to, id }` block, evaluated: bring the existing object `id` under management at `address`. */
export interface ImportBlock {
  address: string;
  id: string;
  /** The block, and its `to` and `id` expressions (for diagnostics). */
  range?: Range;
  toRange?: Range;
  idRange?: Range;
}

/** Something the planner is doing, for progress lines ("Refreshing state... [id=...]"). */
export type PlanEvent =
  | { type: "refresh-start"; address: string; id: string; importing?: boolean }
  | { type: "refresh-done"; address: string; id: string; found: boolean };

export interface PlanOptions {
  /** Configured instances (eval's output, adapted). Ignored in destroy mode except for lifecycle. */
  instances: readonly ConfigInstance[];
  priorState: State;
  /** The provider for a provider key (`ssm`, `ssm.ALIAS`). */
  provider: (key: string) => PlanProvider;
  /** Default "normal". */
  mode?: PlanMode;
  /** Read what exists before comparing; default true. */
  refresh?: boolean;
  /**
   * "bulk" (default): providers that can read many resources at once (list calls, details only
   * where needed) do so; "per-resource": one read per resource, the baseline a bulk read is
   * measured against.
   */
  refreshMode?: RefreshMode;
  /** Limit the plan to these addresses (and their dependencies; dependents when destroying). */
  targets?: readonly string[];
  /** Replace these instances even if nothing changed. */
  replace?: readonly string[];
  moved?: readonly MovedBlock[];
  /** Import blocks: existing objects to read and record at configured addresses (not in destroy mode). */
  imports?: readonly ImportBlock[];
  /** Concurrent refresh reads; default 10. */
  parallelism?: number;
  signal?: AbortSignal;
  /** The configuration's digest, or a function that computes it when the plan's is first read. */
  configHash?: string | (() => string);
  onEvent?: (event: PlanEvent) => void;
}

export interface PlanResult {
  plan: Plan;
  /** The dependency graph the plan was made with (for `statectl graph` and apply's order). */
  graph: DependencyGraph;
}

const LOCAL_ONLY = new Set(["wait_for_success"]);

function pathStartsWith(path: AttributePath, name: string): boolean {
  return path[0] === name;
}

function sensitiveAttr(paths: readonly AttributePath[], name: string): boolean {
  return paths.some((p) => pathStartsWith(p, name));
}

/** Provider-and-kind groups refreshed at the same time (each reads with `parallelism` itself). */
const MAX_CONCURRENT_GROUPS = 4;

function applyMoves(
  state: State,
  moved: readonly MovedBlock[],
  diagnostics: Diagnostic[],
): { state: State; moved: MovedInstance[] } {
  const done: MovedInstance[] = [];
  for (const m of moved) {
    const from = canonicalAddress(m.from) ?? m.from;
    const to = canonicalAddress(m.to) ?? m.to;
    const hasFrom = state.resources.some((r) => addressMatches(from, r.address));
    const hasTo = state.resources.some((r) => addressMatches(to, r.address));
    if (!hasFrom) continue;
    if (hasTo) {
      diagnostics.push(
        warning("plan/moved-destination-exists", `Cannot move ${from} to ${to}: ${to} is already in the state`, {
          detail: `The moved block from ${from} to ${to} was ignored because both are in the state. Remove the moved block, or remove ${to} from the state first.`,
        }),
      );
      continue;
    }
    const r = moveInstances(state, from, to);
    diagnostics.push(...r.diagnostics);
    if (r.diagnostics.length === 0) {
      state = r.state;
      for (const c of r.changed) {
        const [a, b] = c.split(" → ");
        done.push({ from: defined(a, "a move's old address"), to: defined(b, "a move's new address") });
      }
    }
  }
  return { state, moved: done };
}

/** Attribute-by-attribute differences between two attribute sets under `rules` (computed attributes left out). */
export function diffAttributes(
  before: { [name: string]: JsonValue | DesiredValue },
  after: { [name: string]: JsonValue | DesiredValue },
  rules: Readonly<Record<string, PlanAttributeRule>>,
  opts: { skip?: (name: string) => boolean; sensitive?: readonly AttributePath[]; onlyReadable?: boolean } = {},
): AttributeChange[] {
  const names = new Set([...Object.keys(rules), ...Object.keys(after)]);
  const out: AttributeChange[] = [];
  for (const name of [...names].sort()) {
    const rule = rules[name];
    if (rule?.change === "computed") continue;
    if (opts.onlyReadable && rule?.readable === false) continue;
    if (opts.skip?.(name)) continue;
    if (!rule && !(name in after)) continue;
    if (rule?.keptWhenUnset && (after[name] === undefined || after[name] === null)) continue;
    if (sameValue(after[name], before[name], rule)) continue;
    const change: AttributeChange = {
      name,
      before: (before[name] as JsonValue | undefined) ?? undefined,
      after: after[name],
    };
    if (rule?.change === "replace") {
      change.forcesReplacement = true;
      if (rule.reason) change.reason = rule.reason;
    }
    if (opts.sensitive && sensitiveAttr(opts.sensitive, name)) change.sensitive = true;
    out.push(change);
  }
  return out;
}

function ignored(inst: ConfigInstance, name: string): boolean {
  const ic = inst.lifecycle.ignoreChanges;
  if (ic === "all") return true;
  return ic?.includes(name) ?? false;
}

/** Makes a plan. Never throws for expected failures: read errors and lifecycle violations are diagnostics. */
export async function makePlan(options: PlanOptions): Promise<PlanResult> {
  const mode = options.mode ?? "normal";
  const diagnostics: Diagnostic[] = [];
  const moves = applyMoves(options.priorState, options.moved ?? [], diagnostics);
  let state = moves.state;

  const instances = mode === "destroy" ? options.instances : options.instances;
  const built = buildGraph({ instances, state });
  diagnostics.push(...built.diagnostics);
  const graph = built.graph;

  // --target: the named instances and what they need (or, when destroying, what needs them).
  let selected: Set<string> | undefined;
  if (options.targets && options.targets.length > 0) {
    const roots: string[] = [];
    for (const t of options.targets) {
      const canon = canonicalTarget(t);
      if (!canon) {
        diagnostics.push(
          error("plan/invalid-target", `Invalid target address "${t}"`, {
            detail:
              'A target looks like document.NAME, association.NAME, association.NAME["key"], module.NAME or module.NAME["key"].association.NAME.',
          }),
        );
        continue;
      }
      const matches = graph.nodes().filter((n) => addressMatches(canon, n.address));
      if (matches.length === 0) diagnostics.push(addressNotFound("plan/target-not-found", "--target", canon, graph));
      roots.push(...matches.map((n) => n.address));
    }
    selected = mode === "destroy" ? graph.withDependents(roots) : graph.withDependencies(roots);
  }
  // --replace: an address that matches nothing would be silently ignored, and the operator would
  // believe a replacement is planned.
  for (const r of options.replace ?? []) {
    const canon = canonicalAddress(r);
    if (!canon) {
      diagnostics.push(
        error("plan/invalid-target", `Invalid --replace address "${r}"`, {
          detail: 'An address looks like document.NAME, association.NAME or association.NAME["key"].',
        }),
      );
      continue;
    }
    if (!graph.nodes().some((n) => n.address === canon))
      diagnostics.push(addressNotFound("plan/replace-not-found", "--replace", canon, graph));
  }
  const inScope = (address: string): boolean => !selected || selected.has(address);
  const configByAddress = new Map(instances.map((i) => [i.address, i]));

  // Imports: read each object and record it at its address, so planning compares it with the
  // configuration like any managed object (an import with no differences is a no-op that still
  // has to be applied, to write it to the state).
  const imported = new Map<string, string>();
  const imports = options.imports ?? [];
  if (mode !== "destroy" && imports.length > 0 && !hasErrors(diagnostics)) {
    const r = await importObjects(state, imports, configByAddress, inScope, options, diagnostics);
    state = r.state;
    for (const [a, id] of r.imported) imported.set(a, id);
  }

  // Refresh.
  const drift: Drift[] = [];
  if (options.refresh !== false && !hasErrors(diagnostics)) {
    const toRead = state.resources.filter((r) => inScope(r.address) && !imported.has(r.address));
    const results = new Map<string, { [name: string]: JsonValue } | undefined | Error>();
    const parallelism = Math.max(1, options.parallelism ?? 10);
    let perResource = toRead;
    if (options.refreshMode !== "per-resource") {
      // Group by provider and kind; a provider with readMany reads its group in bulk.
      const groups = new Map<string, ResourceInstanceState[]>();
      for (const r of toRead) {
        const key = `${r.provider}\u0000${r.kind}`;
        const g = groups.get(key);
        if (g) g.push(r);
        else groups.set(key, [r]);
      }
      perResource = [];
      // Groups (one per provider configuration — region, account — and kind) are read at the
      // same time, a few at once: a plan over several regions waits for the slowest, not the sum.
      await forEachBounded([...groups.values()], Math.min(MAX_CONCURRENT_GROUPS, parallelism), async (group) => {
        const first = defined(group[0], "a read group's first resource");
        const provider = options.provider(first.provider);
        if (!provider.readMany) {
          perResource.push(...group);
          return;
        }
        const requests = group.map((r) => {
          const cfg = configByAddress.get(r.address);
          return { id: r.id, prior: r.attributes, ...(cfg ? { desired: provider.normalize(r.kind, cfg.attrs) } : {}) };
        });
        let read: Map<string, PlanReadResult>;
        try {
          read = await provider.readMany(first.kind, requests, {
            parallelism,
            ...(options.signal ? { signal: options.signal } : {}),
          });
        } catch {
          // The list calls failed (e.g. not permitted): read these one by one instead.
          perResource.push(...group);
          return;
        }
        for (const r of group) {
          const now = read.has(r.id) ? read.get(r.id) : new Error(`the provider returned nothing for id ${r.id}`);
          results.set(r.address, now);
          options.onEvent?.({ type: "refresh-start", address: r.address, id: r.id });
          if (!(now instanceof Error))
            options.onEvent?.({ type: "refresh-done", address: r.address, id: r.id, found: now !== undefined });
        }
      });
      const order = new Map(toRead.map((r, i) => [r.address, i]));
      const positionOf = (r: { address: string }): number => defined(order.get(r.address), "a resource's read order");
      perResource.sort((a, b) => positionOf(a) - positionOf(b));
    }
    await forEachBounded(perResource, parallelism, async (r) => {
      options.onEvent?.({ type: "refresh-start", address: r.address, id: r.id });
      try {
        const now = await options.provider(r.provider).read(r.kind, r.id, r.attributes, options.signal);
        results.set(r.address, now);
        options.onEvent?.({ type: "refresh-done", address: r.address, id: r.id, found: now !== undefined });
      } catch (e) {
        results.set(r.address, e instanceof Error ? e : new Error(String(e)));
      }
    });
    for (const r of toRead) {
      const now = results.get(r.address);
      if (now instanceof Error) {
        diagnostics.push(
          error("plan/refresh-failed", `Cannot read ${r.address}`, {
            detail: `Reading ${r.address} (id ${r.id}) failed: ${now.message}`,
          }),
        );
        continue;
      }
      if (now === undefined) {
        drift.push({
          address: r.address,
          kind: r.kind,
          type: "deleted",
          changes: [],
          sensitivePaths: r.sensitiveAttributes,
        });
        state = removeInstances(state, [r.address]).state;
        continue;
      }
      const cfg = configByAddress.get(r.address);
      const rules = options.provider(r.provider).rules(r.kind);
      const changes = diffAttributes(r.attributes, now, rules, {
        onlyReadable: true,
        sensitive: r.sensitiveAttributes,
        skip: (n) => LOCAL_ONLY.has(n) || rules[n]?.change === "local" || (cfg ? ignored(cfg, n) : false),
      });
      if (changes.length > 0)
        drift.push({
          address: r.address,
          kind: r.kind,
          type: "changed",
          changes: changes.map((c) => ({
            name: c.name,
            before: c.before,
            after: c.after,
            ...(c.sensitive ? { sensitive: true } : {}),
          })),
          sensitivePaths: r.sensitiveAttributes,
        });
      state = setInstance(state, { ...r, attributes: now });
    }
  }

  const changes: ResourceChange[] = [];
  if (mode !== "refresh-only" && !hasErrors(diagnostics)) {
    const order = orderedNodes(graph.graph);
    const actionOf = new Map<string, ResourceChange>();
    const replaceSet = new Set((options.replace ?? []).map((a) => canonicalAddress(a) ?? a));
    for (const address of order) {
      if (!inScope(address)) continue;
      const node = defined(graph.node(address), "the graph node of an ordered address");
      const prior = findInstance(state, address);
      const cfg = mode === "destroy" ? undefined : node.config;
      const change = planInstance(
        address,
        node.kind,
        cfg,
        prior,
        options,
        graph,
        replaceSet,
        actionOf,
        diagnostics,
        mode,
      );
      if (change) {
        const importedId = imported.get(address);
        if (importedId !== undefined && change.action !== "delete") {
          change.importing = { id: importedId };
          // The state records what the imported object depends on, as apply does for the others.
          state = setInstance(state, {
            ...defined(findInstance(state, address), "the imported instance"),
            dependencies: change.dependencies,
          });
        }
        actionOf.set(address, change);
        changes.push(change);
      }
    }
    await planDocumentCascades(changes, state, options, diagnostics);
    // Associations that SSM runs when applied: say on how many managed instances. Every count
    // the plan needs is gathered first and resolved together, so each provider reads its fleet
    // once per distinct target set (issue 23).
    const counts = new TargetCounts(options);
    for (const c of changes) {
      if (c.kind !== "association" || !c.after) continue;
      if (c.action !== "create" && c.action !== "update" && c.action !== "replace") continue;
      if (c.after["apply_only_at_cron_interval"] === true) continue;
      if (
        c.action === "update" &&
        !c.changes.some((ch) => options.provider(c.provider).rules("association")[ch.name]?.via === "UpdateAssociation")
      )
        continue;
      if (!options.provider(c.provider).countTargets) continue;
      const targets = c.after["targets"];
      // No targets: an Automation runbook run by target_maps or once; it runs on no instance.
      if (Array.isArray(targets) && targets.length === 0) continue;
      if (targets === undefined || isUnknownDeep(targets)) {
        c.impact = { known: false, reason: "the targets are known only after apply" };
        continue;
      }
      counts.ask(c.provider, targets as JsonValue, (impact) => (c.impact = impact));
    }
    // A document that gets a new default version makes the associations running $DEFAULT run again.
    const changeOf = new Map(changes.map((c) => [c.address, c]));
    for (const d of changes) {
      if (d.kind !== "document" || d.action !== "update" || !d.after || d.after["promote"] === false) continue;
      const rules = options.provider(d.provider).rules("document");
      if (!d.changes.some((ch) => rules[ch.name]?.change === "new_version")) continue;
      const name = d.after["name"];
      const impacts: { association: string; impact: PlanTargetCount }[] = [];
      for (const inst of instances) {
        if (inst.kind !== "association" || inst.attrs["document"] !== name) continue;
        const version = inst.attrs["document_version"];
        if (version !== undefined && version !== null && version !== "$DEFAULT") continue;
        if (inst.attrs["apply_only_at_cron_interval"] === true) continue;
        const own = changeOf.get(inst.address);
        if (own && (own.action === "create" || own.action === "replace")) continue;
        const p = options.provider(inst.provider);
        if (!p.countTargets || inst.attrs["targets"] === undefined || isUnknownDeep(inst.attrs["targets"])) continue;
        const entry: { association: string; impact: PlanTargetCount } = {
          association: inst.address,
          impact: { known: false, reason: "not counted" },
        };
        impacts.push(entry);
        counts.ask(inst.provider, inst.attrs["targets"] as JsonValue, (impact) => (entry.impact = impact));
      }
      if (impacts.length > 0) d.associationImpacts = impacts;
    }
    await counts.resolve();
    for (const c of changes) {
      const windows = c.impact?.known ? (c.impact.windows ?? []) : [];
      if (
        windows.length > 0 &&
        typeof c.after?.["document"] === "string" &&
        linuxOnly(c.after["document"], instances)
      ) {
        diagnostics.push(
          warning("plan/linux-document-on-windows", `${c.address} runs a Linux-only document on Windows instances`, {
            detail: `${c.after["document"]} runs shell scripts (aws:runShellScript) only, but the targets of ${c.address} include ${windows.length} Windows instance${windows.length === 1 ? "" : "s"}: ${windows.join(", ")}. Those runs will fail (InvalidPlatform).`,
            hint: "narrow the targets to Linux instances (e.g. a tag), or use a document with a Windows step (AWS-RunPowerShellScript)",
            ...(c.location
              ? { range: c.location.range, ...(c.location.block ? { context: c.location.block } : {}) }
              : {}),
          }),
        );
      }
      if (c.impact?.known && c.impact.count === 0) {
        diagnostics.push(
          warning("plan/no-targets", `${c.address} targets no managed instance`, {
            detail: `The targets of ${c.address} match 0 managed instances now, so creating it runs nothing (and wait_for_success or run --wait would have nothing to wait for). Check the tag keys and values, or the instance ids.`,
            ...(c.location
              ? { range: c.location.range, ...(c.location.block ? { context: c.location.block } : {}) }
              : {}),
          }),
        );
      }
    }
  }
  changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));

  const plan = withConfigHash(
    { mode, prior: { lineage: options.priorState.lineage, serial: options.priorState.serial } },
    options.configHash,
  );
  Object.assign(plan, {
    refreshedState: state,
    changes,
    drift: drift.sort((a, b) => (a.address < b.address ? -1 : 1)),
    moved: moves.moved,
    ...(options.targets && options.targets.length > 0 ? { targets: [...options.targets] } : {}),
    diagnostics,
    errored: hasErrors(diagnostics),
  } satisfies Omit<Plan, "mode" | "prior" | "configHash">);
  return { plan: plan as Plan, graph };
}

/**
 * Adds the digest after `mode` and `prior` (where a saved plan has it). A function is called on
 * first read of `configHash` (hashing a configuration of 50,000 associations takes most of a
 * second, and a plan that is only shown never reads it); the property is an ordinary enumerable
 * one to JSON.stringify, spreads and assignments.
 */
function withConfigHash<T extends object>(plan: T, configHash: string | (() => string) | undefined): T {
  if (typeof configHash === "string") return configHash ? { ...plan, configHash } : plan;
  if (configHash === undefined) return plan;
  let value: string | undefined;
  Object.defineProperty(plan, "configHash", {
    enumerable: true,
    configurable: true,
    get: () => (value ??= configHash()),
    set: (given: string) => (value = given),
  });
  return plan;
}

async function importObjects(
  prior: State,
  imports: readonly ImportBlock[],
  configByAddress: ReadonlyMap<string, ConfigInstance>,
  inScope: (address: string) => boolean,
  options: PlanOptions,
  diagnostics: Diagnostic[],
): Promise<{ state: State; imported: Map<string, string> }> {
  let state = prior;
  const imported = new Map<string, string>();
  const at = (i: ImportBlock, which: "to" | "id") => {
    const range = (which === "to" ? i.toRange : i.idRange) ?? i.range;
    return { ...(range ? { range } : {}), ...(i.range ? { context: i.range } : {}) };
  };
  const seenIds = new Map<string, string>();
  for (const i of imports) {
    const address = canonicalAddress(i.address) ?? i.address;
    if (!inScope(address)) continue;
    const cfg = configByAddress.get(address);
    if (!cfg) {
      const instances = [...configByAddress.keys()].filter((a) => addressMatches(address, a));
      diagnostics.push(
        error("plan/import-not-in-config", `Cannot import to ${address}: it is not in the configuration`, {
          detail:
            instances.length > 0
              ? `${address} has several instances (${instances.slice(0, 5).join(", ")}); an import block names one of them.`
              : `The configuration declares no instance ${address}, so there is nothing to import into. An import block brings an existing object under a resource the configuration declares.`,
          ...at(i, "to"),
          ...(instances.length > 0 ? { hint: `e.g. to = ${instances[0]}` } : {}),
        }),
      );
      continue;
    }
    const kind = cfg.kind;
    const other = seenIds.get(`${kind}:${i.id}`);
    if (other !== undefined && other !== address) {
      diagnostics.push(
        error(
          "plan/import-duplicate",
          `${kind === "document" ? "Document" : "Association"} ${i.id} is imported twice`,
          {
            detail: `Import blocks bring ${i.id} under both ${other} and ${address}; one object can be managed at one address only.`,
            ...at(i, "id"),
          },
        ),
      );
      continue;
    }
    seenIds.set(`${kind}:${i.id}`, address);
    const existing = findInstance(state, address);
    if (existing) {
      // The import block stays in the configuration after apply: the same id means it is done.
      if (existing.id === i.id) continue;
      diagnostics.push(
        error(
          "plan/import-already-managed",
          `Cannot import ${i.id} to ${address}: ${address} is already in the state`,
          {
            detail: `${address} already manages ${kind === "document" ? "the document" : "the association"} ${existing.id}. Importing another object over it would lose track of that one.`,
            ...at(i, "to"),
            hint: `remove the import block, or run statectl state rm ${address} first if it should manage ${i.id}`,
          },
        ),
      );
      continue;
    }
    const managedElsewhere = state.resources.find((r) => r.kind === kind && r.id === i.id);
    if (managedElsewhere) {
      diagnostics.push(
        error(
          "plan/import-already-managed",
          `Cannot import ${i.id} to ${address}: it is already managed as ${managedElsewhere.address}`,
          {
            detail: "One object can be managed at one address only.",
            ...at(i, "id"),
            hint: `use a moved block to rename ${managedElsewhere.address} instead`,
          },
        ),
      );
      continue;
    }
    options.onEvent?.({ type: "refresh-start", address, id: i.id, importing: true });
    let now: { [name: string]: JsonValue } | undefined;
    try {
      now = await options.provider(cfg.provider).read(kind, i.id, {}, options.signal);
    } catch (e) {
      diagnostics.push(
        error("plan/import-failed", `Cannot read ${i.id} to import it to ${address}`, {
          detail: `Reading ${kind} ${i.id} failed: ${e instanceof Error ? e.message : String(e)}`,
          ...at(i, "id"),
        }),
      );
      continue;
    }
    options.onEvent?.({ type: "refresh-done", address, id: i.id, found: now !== undefined });
    if (now === undefined) {
      diagnostics.push(
        error("plan/import-not-found", `Cannot import ${address}: no ${kind} ${i.id} exists`, {
          detail:
            kind === "document"
              ? `SSM has no document named ${i.id} in this account and region. The id of a document is its name.`
              : `SSM has no association with id ${i.id} in this account and region. The id of an association is its association id (aws ssm list-associations shows them).`,
          ...at(i, "id"),
        }),
      );
      continue;
    }
    state = setInstance(state, {
      address,
      kind,
      provider: cfg.provider,
      id: i.id,
      attributes: now,
      sensitiveAttributes: [...cfg.sensitivePaths],
      dependencies: [],
    });
    imported.set(address, i.id);
  }
  return { state, imported };
}

function isUnknownDeep(v: DesiredValue): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(isUnknownDeep);
  if (v !== null && typeof v === "object") return Object.values(v).some(isUnknownDeep);
  return false;
}

/** An object's keys in code-unit order; most come sorted already (evaluation builds them so), and are not sorted again. */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) >= (keys[i] as string)) return keys.sort();
  return keys;
}

const COMPUTED_NAMES = new WeakMap<object, readonly string[]>();

/** The names of the attributes SSM computes, sorted: once per provider's rules, not once per instance. */
function computedNames(rules: Readonly<Record<string, PlanAttributeRule>>): readonly string[] {
  let names = COMPUTED_NAMES.get(rules);
  if (!names) {
    names = Object.entries(rules)
      .filter(([, rule]) => rule.change === "computed")
      .map(([n]) => n)
      .sort();
    COMPUTED_NAMES.set(rules, names);
  }
  return names;
}

function planInstance(
  address: string,
  kind: "document" | "association",
  cfg: ConfigInstance | undefined,
  prior: ResourceInstanceState | undefined,
  options: PlanOptions,
  graph: DependencyGraph,
  replaceSet: Set<string>,
  actionOf: Map<string, ResourceChange>,
  diagnostics: Diagnostic[],
  mode: PlanMode,
): ResourceChange | undefined {
  const providerKey = cfg?.provider ?? prior?.provider ?? "ssm";
  const provider = options.provider(providerKey);
  const rules = provider.rules(kind);
  const dependencies = graph.dependencies(address).filter((d) => graph.node(d)?.config || mode === "destroy");

  if (!cfg) {
    if (!prior) return undefined;
    const change: ResourceChange = {
      address,
      kind,
      provider: providerKey,
      action: "delete",
      id: prior.id,
      before: prior.attributes,
      changes: Object.keys(prior.attributes)
        .sort()
        .filter((n) => rules[n]?.change !== "computed" && prior.attributes[n] !== null)
        .map((n) => ({
          name: n,
          before: prior.attributes[n],
          after: undefined,
          ...(sensitiveAttr(prior.sensitiveAttributes, n) ? { sensitive: true } : {}),
        })),
      replaceReasons: [],
      sensitivePaths: prior.sensitiveAttributes,
      dependencies: prior.dependencies,
      deleteReason: mode === "destroy" ? "destroy" : "it is no longer in the configuration",
    };
    const lifecycleCfg = options.instances.find((i) => i.address === address);
    if (lifecycleCfg?.lifecycle.preventDestroy) diagnostics.push(preventDestroyError(address, lifecycleCfg));
    return change;
  }

  const after = provider.normalize(kind, cfg.attrs);
  const wait = typeof after["wait_for_success"] === "number" ? after["wait_for_success"] : undefined;
  const location = cfg.ranges?.name ?? cfg.ranges?.block;
  const optional = {
    ...(wait ? { waitForSuccess: wait } : {}),
    ...(location ? { location: { range: location, ...(cfg.ranges?.block ? { block: cfg.ranges.block } : {}) } } : {}),
  };

  if (!prior) {
    // Every set attribute in name order, then the computed ones: built in one list, and the
    // change in one object (a plan of 50,000 creates makes them 50,000 times, and keeps them).
    const changes: AttributeChange[] = [];
    const anySensitive = cfg.sensitivePaths.length > 0;
    for (const n of sortedKeys(after)) {
      const value = after[n];
      if (value === null || value === undefined) continue;
      changes.push(
        anySensitive && sensitiveAttr(cfg.sensitivePaths, n)
          ? { name: n, before: undefined, after: value, sensitive: true }
          : { name: n, before: undefined, after: value },
      );
    }
    for (const n of computedNames(rules))
      if (!(n in after)) changes.push({ name: n, before: undefined, after: UNKNOWN });
    return {
      address,
      kind,
      provider: providerKey,
      after,
      sensitivePaths: anySensitive ? [...cfg.sensitivePaths] : [],
      dependencies,
      references: cfg.references,
      ...optional,
      action: "create",
      changes,
      replaceReasons: [],
    };
  }

  const sensitivePaths = [...cfg.sensitivePaths, ...prior.sensitiveAttributes];

  // ignore_changes: the configuration's value for those attributes is whatever exists.
  const effectiveAfter: { [name: string]: DesiredValue } = { ...after };
  for (const [n, rule] of Object.entries(rules))
    if (ignored(cfg, n) && rule.change !== "computed") effectiveAfter[n] = prior.attributes[n] ?? null;
  // Attributes SSM cannot report back are compared with what was last applied.
  const changed = diffAttributes(prior.attributes, effectiveAfter, rules, {
    sensitive: sensitivePaths,
    skip: (n) => ignored(cfg, n),
  });

  const replaceReasons: string[] = [];
  for (const c of changed)
    if (c.forcesReplacement) replaceReasons.push(`${c.name}: ${c.reason ?? "cannot be changed in place"}`);
  if (prior.tainted)
    replaceReasons.push(
      `it is tainted: ${kind === "association" && typeof prior.attributes["wait_for_success"] === "number" ? "its creation did not finish cleanly, or its wait_for_success failed" : "its creation did not finish cleanly"}`,
    );
  if (replaceSet.has(address)) replaceReasons.push("--replace asked for it");
  for (const trig of cfg.lifecycle.replaceTriggeredBy ?? []) {
    for (const [a, ch] of actionOf) {
      if (
        (a === trig.target || addressMatches(trig.target, a)) &&
        (ch.action === "update" || ch.action === "replace" || ch.action === "create")
      ) {
        replaceReasons.push(
          `replace_triggered_by: ${a} will be ${ch.action === "update" ? "updated" : ch.action === "replace" ? "replaced" : "created"}`,
        );
      }
    }
  }
  const before = prior.attributes;
  const action = replaceReasons.length > 0 ? "replace" : changed.length > 0 ? "update" : "no-op";
  if (action === "replace" && cfg.lifecycle.preventDestroy)
    diagnostics.push(preventDestroyError(address, cfg, replaceReasons));
  if (action === "replace" && cfg.lifecycle.createBeforeDestroy) {
    // The replacement is created first: if it keeps a unique identity (a document's name), the create must fail.
    const newId = provider.idFromConfig?.(kind, effectiveAfter);
    if (newId !== undefined && newId === prior.id)
      diagnostics.push(createBeforeDestroyConflict(address, kind, newId, cfg, replaceReasons));
  }
  return {
    address,
    kind,
    provider: providerKey,
    after: effectiveAfter,
    sensitivePaths,
    dependencies,
    references: cfg.references,
    ...optional,
    action,
    id: prior.id,
    before,
    changes: changed,
    replaceReasons,
    ...(action === "replace" && cfg.lifecycle.createBeforeDestroy ? { createBeforeDestroy: true } : {}),
  };
}

/**
 * SSM deletes the associations of a document it deletes. So replacing or destroying a document
 * also replaces the associations of this configuration that run it (planned as replacements, with
 * the reason), and deletes those statectl does not manage (a loud warning naming each).
 */
async function planDocumentCascades(
  changes: ResourceChange[],
  state: State,
  options: PlanOptions,
  diagnostics: Diagnostic[],
): Promise<void> {
  const doomed = changes.filter(
    (c): c is ResourceChange & { id: string } =>
      c.kind === "document" && (c.action === "replace" || c.action === "delete") && c.id !== undefined,
  );
  if (doomed.length === 0) return;
  const tracked = new Set(state.resources.filter((r) => r.kind === "association").map((r) => r.id));
  for (const doc of doomed) {
    const verb = doc.action === "replace" ? "replaced" : "destroyed";
    for (const a of changes) {
      if (
        a.kind !== "association" ||
        (a.action !== "no-op" && a.action !== "update") ||
        a.before?.["document"] !== doc.id
      )
        continue;
      a.action = "replace";
      a.replaceReasons = [
        ...a.replaceReasons,
        `${doc.address} will be ${verb}, and SSM deletes the associations of a deleted document`,
      ];
    }
    const untargeted = state.resources.filter(
      (r) =>
        r.kind === "association" &&
        r.attributes["document"] === doc.id &&
        !changes.some((c) => c.address === r.address),
    );
    const [firstUntargeted] = untargeted;
    if (firstUntargeted !== undefined) {
      diagnostics.push(
        warning(
          "plan/cascade-unmanaged",
          `${doc.address} will be ${verb}, which deletes associations outside --target`,
          {
            detail: `SSM deletes every association of a deleted document. These run ${doc.id} and are managed here but left out of this plan, so the next plan re-creates them:\n${untargeted.map((u) => `  ${u.address} (${u.id})`).join("\n")}`,
            hint: `add --target ${firstUntargeted.address} to replace them in this run`,
          },
        ),
      );
    }
    const provider = options.provider(doc.provider);
    if (!provider.associationsOfDocument) continue;
    let running: { id: string; name?: string }[];
    try {
      running = await provider.associationsOfDocument(doc.id, options.signal);
    } catch (e) {
      diagnostics.push(
        warning("plan/cascade-unknown", `Cannot tell which associations run ${doc.id}`, {
          detail: `${doc.address} will be ${verb}, and SSM deletes every association of the document with it; listing them failed: ${e instanceof Error ? e.message : String(e)}`,
        }),
      );
      continue;
    }
    const unmanaged = running.filter((r) => !tracked.has(r.id));
    if (unmanaged.length === 0) continue;
    diagnostics.push(
      warning(
        "plan/cascade-unmanaged",
        `${verb === "replaced" ? "Replacing" : "Destroying"} ${doc.address} deletes ${unmanaged.length} association${unmanaged.length === 1 ? "" : "s"} statectl does not manage`,
        {
          detail: `SSM deletes every association of a deleted document. These run ${doc.id} and are not in this state, so they will be gone after apply and nothing here re-creates them:\n${unmanaged.map((u) => `  ${u.id}${u.name ? ` (${u.name})` : ""}`).join("\n")}`,
          hint: "import them (statectl import) to have them re-created, or re-create them yourself after apply",
          ...(doc.location
            ? { range: doc.location.range, ...(doc.location.block ? { context: doc.location.block } : {}) }
            : {}),
        },
      ),
    );
  }
}

/** Whether the document an association runs is Linux-only: an AWS-owned one statectl knows, or one of this configuration with JSON content. */
function linuxOnly(document: string, instances: readonly ConfigInstance[]): boolean {
  const managed = instances.find((i) => i.kind === "document" && i.attrs["name"] === document);
  if (managed) {
    const content = managed.attrs["content"];
    if (typeof content !== "string") return false;
    try {
      return isLinuxOnlyDocument(JSON.parse(content));
    } catch {
      return false;
    }
  }
  const aws = findAwsOwnedDocument(document);
  return aws !== undefined && isLinuxOnlyDocument(aws.content);
}

/** An address given on the command line that neither the configuration nor the state has. */
function addressNotFound(code: ErrorCode, option: string, address: string, graph: DependencyGraph): Diagnostic {
  const known = graph.nodes().map((n) => n.address);
  const near = didYouMean(address, known);
  return error(code, `${option} ${address} matches nothing`, {
    detail: `Neither the configuration nor the state has ${address}${option === "--replace" ? ", so nothing would be replaced" : ", so nothing would be planned for it"}. Nothing was planned.`,
    hint: near
      ? `did you mean ${near}?`
      : known.length > 0
        ? `the addresses are: ${known.slice(0, 8).join(", ")}${known.length > 8 ? ", …" : ""}`
        : "the configuration and the state are empty",
  });
}

function createBeforeDestroyConflict(
  address: string,
  kind: string,
  id: string,
  cfg: ConfigInstance,
  reasons: string[],
): Diagnostic {
  const range = cfg.ranges?.attributes?.["name"] ?? cfg.ranges?.name ?? cfg.ranges?.block;
  return error(
    "plan/create-before-destroy-conflict",
    `create_before_destroy cannot replace ${address} under the same name`,
    {
      detail: `${address} must be replaced (${reasons.join("; ")}), and lifecycle.create_before_destroy asks for the replacement to be created before the old ${kind} is deleted. Both would be named "${id}", and SSM allows one ${kind} of a name per account and region, so creating the replacement would fail.`,
      hint: `give the replacement a new name in the same change (for example name = "${id}-v2"), or remove create_before_destroy so that the old ${kind} is deleted first`,
      ...(range ? { range } : {}),
      ...(cfg.ranges?.block ? { context: cfg.ranges.block } : {}),
    },
  );
}

function preventDestroyError(address: string, cfg: ConfigInstance, reasons: string[] = []): Diagnostic {
  const range = cfg.ranges?.name ?? cfg.ranges?.block;
  return error("plan/prevent-destroy", "Instance cannot be destroyed", {
    detail: `${address} has lifecycle.prevent_destroy set, but the plan ${reasons.length > 0 ? `replaces it (${reasons.join("; ")})` : "destroys it"}. Remove prevent_destroy, or change the plan (for example with --target) so that it is kept.`,
    ...(range ? { range } : {}),
    ...(cfg.ranges?.block ? { context: cfg.ranges.block } : {}),
  });
}

export { effectiveValue };

/**
 * The target counts one plan needs, gathered first and then resolved per provider at once: the
 * same target list asked for twice is counted once, and a provider with `countTargetsMany` shares
 * its reads of the fleet between all of them.
 */
/** The target lists asked of one provider, by their JSON: each is counted once, for every asker. */
type AskedCounts = Map<string, { targets: JsonValue; assign: ((impact: PlanTargetCount) => void)[] }>;

class TargetCounts {
  private readonly byProvider = new Map<string, AskedCounts>();

  constructor(private readonly options: PlanOptions) {}

  ask(provider: string, targets: JsonValue, assign: (impact: PlanTargetCount) => void): void {
    let asked = this.byProvider.get(provider);
    if (!asked) {
      asked = new Map();
      this.byProvider.set(provider, asked);
    }
    const key = JSON.stringify(targets);
    const entry = asked.get(key);
    if (entry) entry.assign.push(assign);
    else asked.set(key, { targets, assign: [assign] });
  }

  async resolve(): Promise<void> {
    const signal = this.options.signal;
    const parallelism = Math.max(1, this.options.parallelism ?? 10);
    for (const [name, asked] of this.byProvider) {
      const p = this.options.provider(name);
      const entries = [...asked.values()];
      let impacts: PlanTargetCount[];
      if (p.countTargetsMany)
        impacts = await p.countTargetsMany(
          entries.map((e) => e.targets),
          { parallelism, ...(signal ? { signal } : {}) },
        );
      else {
        const counted = new Array<PlanTargetCount>(entries.length);
        await forEachBounded([...entries.entries()], parallelism, async ([i, entry]) => {
          try {
            // ask() is only called for a provider that counts targets.
            if (p.countTargets === undefined) throw new InvariantError("the provider cannot count targets");
            counted[i] = await p.countTargets(entry.targets, signal);
          } catch (e) {
            counted[i] = { known: false, reason: e instanceof Error ? e.message : String(e) };
          }
        });
        impacts = counted;
      }
      for (const [i, e] of entries.entries()) {
        const impact = impacts[i];
        if (impact !== undefined) for (const assign of e.assign) assign(impact);
      }
    }
  }
}
