import { randomUUID } from "node:crypto";
import { defined, error, didYouMeanHint, type Diagnostic } from "../diag/index.js";
import { addressMatches, canonicalAddress } from "../addrs/index.js";
import { formatAddress, parseAddress, resourceOf, ADDRESS_EXAMPLES, type ResourceKind } from "./address.js";

/** Any value JSON can hold; resource attributes and output values are made of these. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A path into an attribute value: `["parameters", "password", 0]`. */
export type AttributePath = (string | number)[];

/** What statectl recorded about one resource instance after it last created, updated or read it. */
export interface ResourceInstanceState {
  /** `document.app`, `association.web["prod"]`, `association.patch[0]`. */
  address: string;
  /** The resource type; always the first part of the address. */
  kind: ResourceKind;
  /** The provider configuration that manages it: `ssm`, or `ssm.ALIAS` for an aliased provider. */
  provider: string;
  /** The remote identity: a document's name, an association's id. */
  id: string;
  /** Every argument and computed attribute, as last seen. May include sensitive values. */
  attributes: { [key: string]: JsonValue };
  /** Paths inside `attributes` whose values are sensitive; renderers mask them. */
  sensitiveAttributes: AttributePath[];
  /** Addresses this instance depended on when last applied, so it can be destroyed in the right order after it leaves the configuration. */
  dependencies: string[];
  /** Set when a create or replace did not finish cleanly; the next plan replaces it. */
  tainted?: boolean;
}

/**
 * A create that was sent but whose outcome statectl never saw (the process was killed, or the
 * response was lost). It is recorded BEFORE the call for kinds whose create is not idempotent —
 * an association gets a new id on every CreateAssociation — so the next run can look for what the
 * call may have left behind and adopt it instead of creating a duplicate.
 */
export interface PendingCreate {
  address: string;
  kind: ResourceKind;
  provider: string;
  /** When the create was about to be sent (ISO 8601, UTC); what it made is no older than this. */
  started: string;
  /** The attributes the create asked for. */
  attributes: { [key: string]: JsonValue };
  sensitiveAttributes: AttributePath[];
  dependencies: string[];
}

export interface OutputState {
  value: JsonValue;
  sensitive: boolean;
}

/**
 * The state: what statectl manages and what it last knew about it. Values are immutable by
 * convention — every function here returns a new State and never modifies its argument, so a
 * plan can hold the prior state while apply builds the next one.
 */
export interface State {
  /** Incremented by storage on every write. 0 for a state that was never written. */
  serial: number;
  /** A UUID fixed when the state is first created; a state with a different lineage is a different state. */
  lineage: string;
  /** The statectl version that last wrote this state. */
  statectlVersion: string;
  /** Sorted by address. */
  resources: ResourceInstanceState[];
  outputs: { [name: string]: OutputState };
  /** Creates in flight (see PendingCreate), sorted by address; absent or empty when there are none. */
  pendingCreates?: PendingCreate[];
}

export function emptyState(opts: { lineage?: string; statectlVersion?: string } = {}): State {
  return {
    serial: 0,
    lineage: opts.lineage ?? randomUUID(),
    statectlVersion: opts.statectlVersion ?? "",
    resources: [],
    outputs: {},
  };
}

/** Result of an edit that may be refused: on error `state` is the unchanged input. */
export interface EditResult {
  state: State;
  diagnostics: Diagnostic[];
  /** Addresses that were changed (removed, or moved — as `from → to` pairs for moves). */
  changed: string[];
}

function byAddress(a: { address: string }, b: { address: string }): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/**
 * One SSM object managed at two addresses: planning would update it twice and destroy it with
 * either. A state written by statectl never has this; an edited or merged one can.
 */
export function duplicateIdDiagnostics(state: State, location: string): Diagnostic[] {
  const seen = new Map<string, string[]>();
  for (const r of state.resources) {
    const key = `${r.provider}\u0000${r.kind}\u0000${r.id}`;
    const at = seen.get(key);
    if (at) at.push(r.address);
    else seen.set(key, [r.address]);
  }
  const out: Diagnostic[] = [];
  for (const [key, addresses] of seen) {
    if (addresses.length < 2) continue;
    const [, kind, id] = key.split("\u0000");
    out.push(
      error("state/duplicate-id", `The state records ${kind} ${id} at ${addresses.length} addresses`, {
        detail: `${location} records the ${kind} ${id} as ${addresses.join(" and ")}. One object can be managed at one address only: planning would change it twice, and destroying either would delete it for both.`,
        hint: `keep the address the configuration should manage it under and remove the others from the state (this does not touch SSM): statectl state rm ${addresses.slice(1).join(" ")}`,
      }),
    );
  }
  return out;
}

export function findInstance(state: State, address: string): ResourceInstanceState | undefined {
  return state.resources.find((r) => r.address === address);
}

/** Instances matching any of `patterns` (an instance address, or a whole resource for all its instances); all of them when no pattern is given. */
export function listInstances(state: State, patterns: readonly string[] = []): ResourceInstanceState[] {
  if (patterns.length === 0) return [...state.resources];
  const canonical = patterns.map((p) => canonicalAddress(p) ?? p);
  return state.resources.filter((r) => canonical.some((p) => addressMatches(p, r.address)));
}

/**
 * Adds `instance`, or replaces the instance with the same address. Addresses (its own and its
 * dependencies) are stored in canonical spelling, as the state file reader would normalise them.
 */
export function setInstance(state: State, given: ResourceInstanceState): State {
  const address = canonicalAddress(given.address) ?? given.address;
  const dependencies = given.dependencies.map((d) => canonicalAddress(d) ?? d);
  const changed = address !== given.address || dependencies.some((d, i) => d !== given.dependencies[i]);
  const instance = changed ? { ...given, address, dependencies } : given;
  // Resources are kept sorted: find the place by binary search (a plan or apply of thousands of
  // instances sets each one, so a full sort per call would cost n² log n).
  const list = state.resources;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byAddress(defined(list[mid], "the middle resource"), instance) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (!isSorted(list)) {
    const resources = list.filter((r) => r.address !== instance.address);
    resources.push(instance);
    resources.sort(byAddress);
    return { ...state, resources };
  }
  const resources = list.slice();
  if (list[lo]?.address === instance.address) resources[lo] = instance;
  else resources.splice(lo, 0, instance);
  return { ...state, resources };
}

/** Records a create about to be sent at `pending.address` (replacing an earlier record there). */
export function setPendingCreate(state: State, pending: PendingCreate): State {
  const address = canonicalAddress(pending.address) ?? pending.address;
  const list = (state.pendingCreates ?? []).filter((p) => p.address !== address);
  list.push({ ...pending, address, dependencies: pending.dependencies.map((d) => canonicalAddress(d) ?? d) });
  list.sort(byAddress);
  return { ...state, pendingCreates: list };
}

/** Forgets the create in flight at `address`, if any: it finished, failed for sure, or was resolved. */
export function removePendingCreate(state: State, address: string): State {
  const canonical = canonicalAddress(address) ?? address;
  const pending = state.pendingCreates ?? [];
  if (!pending.some((p) => p.address === canonical)) return state;
  const list = pending.filter((p) => p.address !== canonical);
  const next: State = { ...state, pendingCreates: list };
  if (list.length === 0) delete next.pendingCreates;
  return next;
}

export function findPendingCreate(state: State, address: string): PendingCreate | undefined {
  const canonical = canonicalAddress(address) ?? address;
  return state.pendingCreates?.find((p) => p.address === canonical);
}

/** Whether addresses strictly increase (then binary search finds the one place an address can be). */
function isSorted(list: readonly { address: string }[]): boolean {
  let previous: { address: string } | undefined;
  for (const item of list) {
    if (previous !== undefined && byAddress(previous, item) >= 0) return false;
    previous = item;
  }
  return true;
}

export function setOutput(state: State, name: string, output: OutputState): State {
  return { ...state, outputs: { ...state.outputs, [name]: output } };
}

export function removeOutput(state: State, name: string): State {
  const outputs = Object.fromEntries(Object.entries(state.outputs).filter(([n]) => n !== name));
  return { ...state, outputs };
}

/** Replaces all outputs at once: apply recomputes them as a set. */
export function replaceOutputs(state: State, outputs: { [name: string]: OutputState }): State {
  return { ...state, outputs: { ...outputs } };
}

function notInState(state: State, address: string): Diagnostic {
  const known = state.resources.map((r) => r.address);
  const hint = didYouMeanHint(address, known) ?? didYouMeanHint(address, new Set(known.map(resourceOf)));
  return error("state/not-in-state", `No resource instance ${address} in the state`, {
    detail:
      known.length === 0
        ? "The state has no resources."
        : `The state holds ${known.length} resource instance${known.length === 1 ? "" : "s"}; \`statectl state list\` shows them.`,
    ...(hint ? { hint } : {}),
  });
}

function badAddress(text: string): Diagnostic {
  return error("state/invalid-address", `Invalid resource address "${text}"`, {
    detail: `A resource address looks like ${ADDRESS_EXAMPLES}.`,
  });
}

/**
 * Removes the named instances (an instance address, or a whole resource for all of its
 * instances) and drops them from every other instance's dependencies. All or nothing: if any
 * address is invalid or matches nothing, the state is returned unchanged with diagnostics.
 */
export function removeInstances(state: State, addresses: readonly string[]): EditResult {
  const diagnostics: Diagnostic[] = [];
  const removed = new Set<string>();
  for (const text of addresses) {
    const a = canonicalAddress(text);
    if (!a) {
      diagnostics.push(badAddress(text));
      continue;
    }
    const matches = listInstances(state, [a]);
    if (matches.length === 0) diagnostics.push(notInState(state, a));
    for (const m of matches) removed.add(m.address);
  }
  if (diagnostics.length > 0) return { state, diagnostics, changed: [] };
  const resources = state.resources
    .filter((r) => !removed.has(r.address))
    .map((r) =>
      r.dependencies.some((d) => removed.has(d))
        ? { ...r, dependencies: r.dependencies.filter((d) => !removed.has(d)) }
        : r,
    );
  return { state: { ...state, resources }, diagnostics, changed: [...removed].sort() };
}

/**
 * Renames an instance, or every instance of a resource, and rewrites the dependencies that
 * pointed at the old addresses. Used by `statectl state mv` and by `moved { from, to }` blocks.
 *
 * - instance → instance (`association.a` → `association.b["x"]`): keys may be added or removed.
 * - resource → resource (`association.a` → `association.b`, when `association.a` has keyed
 *   instances): every instance keeps its key.
 * The kind cannot change (a document is not an association), and the destination must be free.
 */
export function moveInstances(state: State, fromText: string, toText: string): EditResult {
  const fromAddr = parseAddress(fromText);
  const toAddr = parseAddress(toText);
  const refused = (d: Diagnostic): EditResult => ({ state, diagnostics: [d], changed: [] });
  if (!fromAddr) return refused(badAddress(fromText));
  if (!toAddr) return refused(badAddress(toText));
  const from = formatAddress(fromAddr);
  const to = formatAddress(toAddr);
  if (fromAddr.kind !== toAddr.kind) {
    return refused(
      error("state/move-kind-mismatch", `Cannot move a ${fromAddr.kind} to a ${toAddr.kind}`, {
        detail: `"${from}" is a ${fromAddr.kind} and "${to}" is a ${toAddr.kind}; a move can rename a resource but not change its type.`,
      }),
    );
  }
  if (from === to) return { state, diagnostics: [], changed: [] };

  const renames = new Map<string, string>();
  const exact = findInstance(state, from);
  if (exact) {
    renames.set(from, to);
  } else if (fromAddr.key === undefined) {
    const instances = listInstances(state, [from]);
    if (instances.length > 0 && toAddr.key !== undefined) {
      return refused(
        error("state/move-shape-mismatch", `Cannot move all instances of "${from}" into the single instance "${to}"`, {
          detail: `"${from}" has ${instances.length} keyed instance${instances.length === 1 ? "" : "s"}; move them to a resource address without a key, or move one instance at a time.`,
        }),
      );
    }
    for (const inst of instances) {
      const key = parseAddress(inst.address)?.key;
      renames.set(inst.address, formatAddress({ ...toAddr, ...(key === undefined ? {} : { key }) }));
    }
  }
  if (renames.size === 0) return refused(notInState(state, from));

  const moving = new Set(renames.keys());
  for (const dest of renames.values()) {
    if (!moving.has(dest) && findInstance(state, dest)) {
      return refused(
        error("state/move-destination-exists", `Cannot move to "${dest}": it is already in the state`, {
          detail: `"${dest}" is already tracked; remove it first with \`statectl state rm ${dest}\` if it is no longer needed.`,
        }),
      );
    }
    if (!moving.has(dest)) {
      // A keyless destination clashes with keyed instances of the same resource and vice versa.
      const destResource = resourceOf(dest);
      const clash = state.resources.find(
        (r) =>
          !moving.has(r.address) &&
          resourceOf(r.address) === destResource &&
          (parseAddress(r.address)?.key === undefined) !== (parseAddress(dest)?.key === undefined),
      );
      if (clash) {
        return refused(
          error(
            "state/move-destination-exists",
            `Cannot move to "${dest}": "${clash.address}" is already in the state`,
            {
              detail: `A resource cannot have both a keyless instance and keyed instances; "${clash.address}" is already tracked.`,
            },
          ),
        );
      }
    }
  }

  const resources = state.resources
    .map((r) => {
      const newAddress = renames.get(r.address);
      const deps = r.dependencies.map((d) => renames.get(d) ?? d);
      const depsChanged = deps.some((d, i) => d !== r.dependencies[i]);
      if (newAddress === undefined && !depsChanged) return r;
      return {
        ...r,
        ...(newAddress ? { address: newAddress } : {}),
        dependencies: depsChanged ? [...new Set(deps)].sort() : r.dependencies,
      };
    })
    .sort(byAddress);
  return { state: { ...state, resources }, diagnostics: [], changed: [...renames].map(([a, b]) => `${a} → ${b}`) };
}

/** Reads the value at `path` inside `value`; undefined when the path leads nowhere. */
export function valueAtPath(value: JsonValue, path: AttributePath): JsonValue | undefined {
  let cur: JsonValue | undefined = value;
  for (const step of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    if (Array.isArray(cur)) cur = typeof step === "number" ? cur[step] : undefined;
    else cur = typeof step === "string" && Object.prototype.hasOwnProperty.call(cur, step) ? cur[step] : undefined;
  }
  return cur;
}

/** True when `path` is, or lies inside, one of the sensitive paths. */
export function isSensitivePath(sensitive: readonly AttributePath[], path: AttributePath): boolean {
  return sensitive.some((s) => s.length <= path.length && s.every((step, i) => step === path[i]));
}
