// Apply = f(plan) → new state. Changes run in dependency order (destroys against it), with
// bounded parallelism; the state is written after each change through StatePersister (changes
// that finish together share a write), and apply always returns the state that really resulted —
// also when some changes failed, in which case everything independent of the failures still ran,
// and a rerun continues from there. Creates a provider sends several to a call go in groups whose
// in-flight records are written together before they are sent (IntentBatches).
import { Graph } from "@dagrejs/graphlib";
import { defined, error, type Diagnostic, type Range } from "../diag/index.js";
import { isWhollyKnown, walkGraph, type DesiredValue } from "../graph/index.js";
import {
  findInstance,
  removeInstances,
  removePendingCreate,
  setInstance,
  setPendingCreate,
  type PendingCreate,
  type State,
  type StatePersister,
  type WriteStateResult,
} from "../state/index.js";
import type { Plan, ResourceChange } from "../plan/index.js";
import { ChangeFailure, type ApplyProvider, type Attributes, type Created, type CreateOptions } from "./provider.js";

export type ApplyStep = "create" | "update" | "destroy";

export type ApplyEvent =
  | { type: "start"; address: string; step: ApplyStep; id?: string }
  | { type: "done"; address: string; step: ApplyStep; id?: string; elapsedMs: number }
  | { type: "failed"; address: string; step: ApplyStep; message: string; elapsedMs: number }
  | { type: "waiting"; address: string; id: string; seconds: number }
  /** A create found what it was about to make already there (a lost response's work) and took it over. */
  | { type: "adopted"; address: string; id: string; reason: string }
  /** A create failed without saying whether it happened, and nothing was made: it is sent again. */
  | { type: "retrying"; address: string; attempt: number; message: string }
  /** Still running: emitted every `heartbeatMs` for slow changes. */
  | { type: "still-running"; address: string; step: ApplyStep; elapsedMs: number };

export interface ApplyError {
  address: string;
  step: ApplyStep;
  message: string;
  code?: string;
  hint?: string;
  /** The resource block in the configuration, when the plan knows it. */
  location?: { range: Range; block?: Range };
}

export interface ApplyOptions {
  plan: Plan;
  /** Holds the current state; apply writes through it after every change. */
  persister: StatePersister;
  provider: (key: string) => ApplyProvider;
  /** Changes at once; default 4 (SSM throttles). */
  parallelism?: number;
  /** When aborted, no new change starts; the ones running finish (the first Ctrl-C). */
  signal?: AbortSignal;
  /** When aborted, the calls in flight are abandoned (the second Ctrl-C); creates whose outcome is unknown stay in the state's pending creates. */
  cancel?: AbortSignal;
  /**
   * Called when a change's desired values are still partly unknown once its dependencies are
   * applied: returns them with the unknowns filled in from `state` (the engine re-evaluates).
   */
  resolve?: (
    change: ResourceChange,
    state: State,
  ) => Promise<{ attrs?: { [name: string]: DesiredValue }; diagnostics: Diagnostic[] }>;
  onEvent?: (event: ApplyEvent) => void;
  /** How often to report a change that is still running; default 10 s. 0 turns it off. */
  heartbeatMs?: number;
  /** How many times a non-idempotent create is sent when each attempt fails without making anything; default 5. */
  createAttempts?: number;
  /** First pause before sending such a create again (doubling, at most 5 s); default 200 ms. */
  createRetryDelayMs?: number;
}

export interface ApplyResult {
  /** The state that really resulted (also written to storage, unless diagnostics say otherwise). */
  state: State;
  /** Existing objects brought under management by import blocks (written with the starting state). */
  imported: number;
  added: number;
  changed: number;
  destroyed: number;
  errors: ApplyError[];
  /** Changes not attempted because something they depend on failed (or the apply was interrupted). */
  skipped: string[];
  diagnostics: Diagnostic[];
}

interface Step {
  key: string;
  change: ResourceChange;
  step: ApplyStep;
}

/** Two nodes per change at most: create/update, and destroy; edges keep creation in graph order and destruction reversed. */
export function buildApplyGraph(changes: readonly ResourceChange[]): { graph: Graph; steps: Map<string, Step> } {
  const graph = new Graph({ directed: true });
  const steps = new Map<string, Step>();
  const createKey = (a: string) => `${a} (apply)`;
  const destroyKey = (a: string) => `${a} (destroy)`;
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  for (const c of changes) {
    if (c.action === "no-op") continue;
    if (c.action === "create" || c.action === "replace" || c.action === "update") {
      const key = createKey(c.address);
      steps.set(key, { key, change: c, step: c.action === "update" ? "update" : "create" });
      graph.setNode(key);
    }
    if (c.action === "delete" || c.action === "replace") {
      const key = destroyKey(c.address);
      steps.set(key, { key, change: c, step: "destroy" });
      graph.setNode(key);
    }
    if (c.action === "replace") {
      if (c.createBeforeDestroy) graph.setEdge(createKey(c.address), destroyKey(c.address));
      else graph.setEdge(destroyKey(c.address), createKey(c.address));
    }
  }
  for (const c of changes) {
    for (const d of c.dependencies) {
      const dep = byAddress.get(d);
      if (!dep) continue;
      if (graph.hasNode(createKey(d)) && graph.hasNode(createKey(c.address)))
        graph.setEdge(createKey(d), createKey(c.address));
      if (graph.hasNode(destroyKey(d)) && graph.hasNode(destroyKey(c.address)))
        graph.setEdge(destroyKey(c.address), destroyKey(d));
    }
  }
  return { graph, steps };
}

function knownAttributes(attrs: { [name: string]: DesiredValue }): Attributes {
  return attrs as Attributes;
}

/** Carries out `plan`. Never throws for failed changes: they are in `errors`, and the state shows what happened. */
export async function applyPlan(options: ApplyOptions): Promise<ApplyResult> {
  const { plan, persister } = options;
  const errors: ApplyError[] = [];
  const diagnostics: Diagnostic[] = [];
  let added = 0;
  let changed = 0;
  let destroyed = 0;

  // Moves and refreshed values become the starting point (written once, only if they differ).
  const start = {
    ...plan.refreshedState,
    serial: persister.current.serial,
    lineage: persister.current.lineage,
    statectlVersion: persister.current.statectlVersion,
  };
  const startsDifferent =
    JSON.stringify([start.resources, start.pendingCreates ?? []]) !==
    JSON.stringify([persister.current.resources, persister.current.pendingCreates ?? []]);
  if (startsDifferent) {
    const r = await persister.persist(start);
    if (!r.state) diagnostics.push(...r.diagnostics);
  }
  const imported = plan.changes.filter(
    (c) => c.importing && findInstance(persister.current, c.address)?.id === c.importing.id,
  ).length;
  if (plan.mode === "refresh-only")
    return { state: persister.current, imported: 0, added, changed, destroyed, errors, skipped: [], diagnostics };

  const { graph, steps } = buildApplyGraph(plan.changes);
  const heartbeat = options.heartbeatMs ?? 10_000;

  const record = async (update: (s: State) => State): Promise<void> => {
    const r = await persister.update(update);
    if (!r.state) diagnostics.push(...r.diagnostics);
  };

  const cancel = options.cancel;
  // Which creates the provider sends several to a call, and with which others (same group).
  const batchOf = new Map<string, { group: string; size: number }>();
  for (const [key, { change, step }] of steps) {
    if (step !== "create" || !change.after) continue;
    const provider = options.provider(change.provider);
    const size = provider.createBatchSize?.(change.kind, change.after as Attributes) ?? 1;
    if (size > 1)
      batchOf.set(key, {
        group: `${change.provider}\u0000${change.kind}\u0000${provider.createBatchGroup?.(change.kind, change.after as Attributes) ?? ""}`,
        size,
      });
  }
  const batches = new IntentBatches(
    batchOf,
    (pendings) => persister.update((s) => pendings.reduce(setPendingCreate, s)),
    cancel,
  );
  const trackedIds = (kind: string): Set<string> =>
    new Set(persister.current.resources.filter((r) => r.kind === kind).map((r) => r.id));

  /**
   * Creates, and for kinds whose create is not idempotent: records the create in the state first
   * (so a killed apply leaves a trace the next run resolves), and after a failure that may have
   * made it asks the provider what exists before sending it again — adopting exactly one match,
   * stopping on several. The caller's write of the result removes the record.
   */
  const createResource = async (
    key: string,
    change: ResourceChange,
    provider: ApplyProvider,
    desired: Attributes,
  ): Promise<Created> => {
    // Building the set scans the whole state, so only a provider that looks at it pays for it.
    const createOptions: CreateOptions = {
      address: change.address,
      get exclude() {
        return trackedIds(change.kind);
      },
    };
    if ((provider.createIsIdempotent?.(change.kind) ?? true) || !provider.findCreated)
      return provider.create(change.kind, desired, cancel, createOptions);
    const since = new Date();
    const pending: PendingCreate = {
      address: change.address,
      kind: change.kind,
      provider: change.provider,
      started: since.toISOString(),
      attributes: desired,
      sensitiveAttributes: change.sensitivePaths,
      dependencies: change.dependencies,
    };
    const intent = batches.has(key)
      ? await batches.join(key, pending)
      : await persister.update((s) => setPendingCreate(s, pending));
    if (intent === "interrupted") throw new ChangeFailure("not created: the apply was interrupted before it was sent");
    if (!intent.state)
      throw new ChangeFailure(
        `not created: the create could not be recorded in the state before it was sent (${intent.diagnostics.map((d) => d.summary).join("; ")})`,
      );
    const attempts = Math.max(1, options.createAttempts ?? 5);
    let delay = options.createRetryDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        return await provider.create(change.kind, desired, cancel, createOptions);
      } catch (e) {
        const stays =
          "the create stays recorded in the state, and the next plan or apply looks for it again before creating anything";
        // Abandoned mid-call (a second Ctrl-C): whether SSM got it is unknown, whatever the error says.
        if (cancel?.aborted)
          throw new ChangeFailure(
            `${e instanceof Error ? e.message : String(e)} (interrupted; ${stays})`,
            undefined,
            e instanceof ChangeFailure ? e.code : undefined,
          );
        if (!(e instanceof ChangeFailure && e.more.outcomeUnknown)) {
          // It surely did not happen (or partly happened and the caller records that).
          if (!(e instanceof ChangeFailure && e.partial)) await record((s) => removePendingCreate(s, change.address));
          throw e;
        }
        let found: { id: string; attributes: Attributes }[];
        try {
          found = await provider.findCreated(change.kind, desired, {
            since,
            exclude: trackedIds(change.kind),
            ...(cancel ? { signal: cancel } : {}),
          });
        } catch (lookup) {
          throw new ChangeFailure(
            `${e.message}; whether it was made anyway could not be checked (${lookup instanceof Error ? lookup.message : String(lookup)}), so ${stays}`,
            undefined,
            e.code,
          );
        }
        const [made] = found;
        if (made !== undefined && found.length === 1)
          return {
            ...made,
            adopted: `${e.message.replace(/\.$/, "")} — but the ${change.kind} had been made: adopted`,
          };
        if (found.length > 1) {
          throw new ChangeFailure(
            `${e.message}; ${found.length} ${change.kind}s that match it were made since the create started and none is in the state: ${found.map((f) => f.id).join(", ")}`,
            undefined,
            "LostCreateAmbiguous",
            { hint: `keep one with \`statectl import ${change.address} ID\` and delete the others; ${stays}` },
          );
        }
        if (attempt >= attempts)
          throw new ChangeFailure(
            `${e.message} (sent ${attempt} times; each failed and made nothing that can be found; ${stays})`,
            undefined,
            e.code,
          );
        options.onEvent?.({ type: "retrying", address: change.address, attempt: attempt + 1, message: e.message });
        await pause(delay, cancel);
        delay = Math.min(delay * 2, 5000);
      }
    }
  };

  const visit = async (key: string): Promise<boolean> => {
    const { change, step } = defined(steps.get(key), "the step of a graph node");
    const provider = options.provider(change.provider);
    const started = Date.now();
    const timer =
      heartbeat > 0
        ? setInterval(
            () =>
              options.onEvent?.({
                type: "still-running",
                address: change.address,
                step,
                elapsedMs: Date.now() - started,
              }),
            heartbeat,
          )
        : undefined;
    const fail = (message: string, code?: string, hint?: string): boolean => {
      errors.push({
        address: change.address,
        step,
        message,
        ...(code ? { code } : {}),
        ...(hint ? { hint } : {}),
        ...(change.location ? { location: change.location } : {}),
      });
      options.onEvent?.({ type: "failed", address: change.address, step, message, elapsedMs: Date.now() - started });
      return false;
    };
    try {
      if (step === "destroy") {
        const existing = findInstance(persister.current, change.address);
        const id = change.id ?? existing?.id;
        options.onEvent?.({ type: "start", address: change.address, step, ...(id ? { id } : {}) });
        if (id !== undefined)
          await provider.delete(change.kind, id, change.before ?? existing?.attributes ?? {}, cancel);
        // With create_before_destroy the address already holds the replacement: keep it.
        const holdsReplacement =
          change.action === "replace" &&
          change.createBeforeDestroy &&
          findInstance(persister.current, change.address)?.id !== change.id;
        if (!holdsReplacement) await record((s) => removeInstances(s, [change.address]).state);
        // A replacement is one destroyed and one added, as the plan's summary counts it.
        if (change.action === "delete" || change.action === "replace") destroyed++;
        options.onEvent?.({
          type: "done",
          address: change.address,
          step,
          ...(id ? { id } : {}),
          elapsedMs: Date.now() - started,
        });
        return true;
      }

      let desired = change.after ?? {};
      if (!isWhollyKnown(desired)) {
        const r = options.resolve ? await options.resolve(change, persister.current) : { diagnostics: [] };
        if (!r.attrs || !isWhollyKnown(r.attrs)) {
          return fail(
            r.diagnostics.map((d) => d.detail ?? d.summary).join("; ") ||
              "some of its values are still unknown after its dependencies were applied",
          );
        }
        desired = r.attrs;
      }
      options.onEvent?.({ type: "start", address: change.address, step, ...(change.id ? { id: change.id } : {}) });
      let id: string;
      if (step === "create") {
        try {
          const created = await createResource(key, change, provider, knownAttributes(desired));
          id = created.id;
          if (created.adopted)
            options.onEvent?.({ type: "adopted", address: change.address, id: created.id, reason: created.adopted });
          await record((s) =>
            setInstance(removePendingCreate(s, change.address), {
              address: change.address,
              kind: change.kind,
              provider: change.provider,
              id: created.id,
              attributes: created.attributes,
              sensitiveAttributes: change.sensitivePaths,
              dependencies: change.dependencies,
            }),
          );
        } catch (e) {
          if (e instanceof ChangeFailure && e.partial) {
            const partial = e.partial;
            // It exists but is not as configured: record it, tainted, so the next plan replaces it.
            await record((s) =>
              setInstance(removePendingCreate(s, change.address), {
                address: change.address,
                kind: change.kind,
                provider: change.provider,
                id: partial.id,
                attributes: partial.attributes,
                sensitiveAttributes: change.sensitivePaths,
                dependencies: change.dependencies,
                tainted: true,
              }),
            );
          }
          throw e;
        } finally {
          batches.leave(key);
        }
        added++;
      } else {
        const prior = findInstance(persister.current, change.address);
        id = defined(prior?.id ?? change.id, "the id of the resource to update");
        try {
          const updated = await provider.update(
            change.kind,
            id,
            prior?.attributes ?? change.before ?? {},
            knownAttributes(desired),
            cancel,
          );
          await record((s) =>
            setInstance(s, {
              address: change.address,
              kind: change.kind,
              provider: change.provider,
              id,
              attributes: updated.attributes,
              sensitiveAttributes: change.sensitivePaths,
              dependencies: change.dependencies,
            }),
          );
        } catch (e) {
          if (e instanceof ChangeFailure && e.partial) {
            const partial = e.partial;
            await record((s) =>
              setInstance(s, {
                address: change.address,
                kind: change.kind,
                provider: change.provider,
                id: partial.id,
                attributes: partial.attributes,
                sensitiveAttributes: change.sensitivePaths,
                dependencies: change.dependencies,
              }),
            );
          }
          throw e;
        }
        changed++;
      }
      if (change.waitForSuccess && change.waitForSuccess > 0 && provider.waitForSuccess) {
        options.onEvent?.({ type: "waiting", address: change.address, id, seconds: change.waitForSuccess });
        const w = await provider.waitForSuccess(change.kind, id, change.waitForSuccess, cancel);
        if (!w.ok) {
          // Tainted: the next plan replaces it (and says why), so a retry cannot pass the gate
          // just because the association now exists unchanged.
          await record((s) => {
            const now = findInstance(s, change.address);
            return now ? setInstance(s, { ...now, tainted: true }) : s;
          });
          return fail(`wait_for_success: ${w.detail}; it is marked tainted, so the next apply replaces it`);
        }
      }
      options.onEvent?.({ type: "done", address: change.address, step, id, elapsedMs: Date.now() - started });
      return true;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const code = e instanceof ChangeFailure ? e.code : undefined;
      return fail(message, code, e instanceof ChangeFailure ? e.more.hint : undefined);
    } finally {
      batches.leave(key);
      if (timer) clearInterval(timer);
    }
  };

  // Creates a provider batches run twice `batch` times wider than other changes: so that a batch
  // can fill, and one set of batches is sent while the previous set's results are written.
  // Everything else still runs at most `parallelism` at once, in a lane of its own, so creates
  // waiting for a batch never hold up other changes, nor the reverse.
  const parallelism = Math.max(1, options.parallelism ?? 4);
  const widest = Math.max(1, ...[...batchOf.values()].map((b) => b.size));
  const batchedLimit = parallelism * widest * 2;
  const lanes = {
    lane: (key: string) => (batchOf.has(key) ? "batched" : "other"),
    limit: (lane: string) => (lane === "batched" ? batchedLimit : parallelism),
  };
  // Tells the batches which creates are ready to start but not started (the walk's own queue).
  const dependenciesLeft = new Map(graph.nodes().map((n) => [n, graph.predecessors(n)?.length ?? 0]));
  for (const [n, left] of dependenciesLeft) if (left === 0) batches.ready(n);
  const visitLimited = async (key: string): Promise<boolean> => {
    batches.started(key);
    const ok = await visit(key);
    if (ok) {
      for (const next of graph.successors(key) ?? []) {
        const left = defined(dependenciesLeft.get(next), "a node's count of dependencies left") - 1;
        dependenciesLeft.set(next, left);
        if (left === 0) batches.ready(next);
      }
    }
    return ok;
  };
  const walk = await walkGraph(graph, visitLimited, {
    parallelism: parallelism + (batchOf.size > 0 ? batchedLimit : 0),
    lanes,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await persister.flush();
  if (persister.lastError) diagnostics.push(...persister.lastError.filter((d) => !diagnostics.includes(d)));
  const skipped = [...walk.outcomes]
    .filter(([, o]) => o === "skipped")
    .map(([k]) => defined(steps.get(k), "the step of a graph node").change.address);
  return {
    state: persister.current,
    imported,
    added,
    changed,
    destroyed,
    errors,
    skipped: [...new Set(skipped)].sort(),
    diagnostics,
  };
}

/**
 * Gathers the creates a provider sends several to a call (createBatchSize) into groups of that
 * size, writes the intents of a whole group in one state write, and lets the group go on together,
 * so the provider receives them at once and fills its calls. Every intent is still stored before
 * its create is sent. A group that is not full yet waits only while creates of its kind are ready
 * to start (their dependencies done) but held back by the parallelism limit, and other batched
 * creates are under way — whose ends make room for them. Otherwise it goes at once, so a lone
 * create, or one whose peers depend on it, is not held up.
 */
class IntentBatches {
  private readonly open = new Map<
    string,
    { pending: PendingCreate; resolve: (r: WriteStateResult | "interrupted") => void }[]
  >();
  /** Batched creates whose dependencies are done but that have not started, by group. */
  private readonly waiting = new Map<string, number>();
  /** Steps that joined a group and have not ended. */
  private readonly joined = new Set<string>();
  /** Joined creates whose group was let go and that have not ended yet. */
  private underWay = 0;
  private checkScheduled = false;

  constructor(
    private readonly batchOf: ReadonlyMap<string, { group: string; size: number }>,
    private readonly writeIntents: (pending: PendingCreate[]) => Promise<WriteStateResult>,
    private readonly cancel: AbortSignal | undefined,
  ) {
    cancel?.addEventListener("abort", () => this.scheduleCheck(), { once: true });
  }

  has(step: string): boolean {
    return this.batchOf.has(step);
  }

  /** Everything `step` depends on is done: it starts once the parallelism limit lets it. */
  ready(step: string): void {
    const entry = this.batchOf.get(step);
    if (entry) this.waiting.set(entry.group, (this.waiting.get(entry.group) ?? 0) + 1);
  }

  started(step: string): void {
    const entry = this.batchOf.get(step);
    if (entry) this.waiting.set(entry.group, (this.waiting.get(entry.group) ?? 0) - 1);
  }

  /** Resolves once `pending` (and the rest of its group) is stored in the state, or "interrupted" when it was not sent. */
  join(step: string, pending: PendingCreate): Promise<WriteStateResult | "interrupted"> {
    const { group, size } = defined(this.batchOf.get(step), "the batch of a joining step");
    this.joined.add(step);
    return new Promise((resolve) => {
      const members = this.open.get(group) ?? [];
      members.push({ pending, resolve });
      this.open.set(group, members);
      if (members.length >= size) this.let(group);
      else this.scheduleCheck();
    });
  }

  /** The step's create ended (succeeded, failed, or never got to the gate). Repeating it does nothing. */
  leave(step: string): void {
    if (!this.joined.delete(step)) return;
    this.underWay--;
    this.scheduleCheck();
  }

  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    // After this turn of the event loop, so creates started together have all joined.
    setImmediate(() => {
      this.checkScheduled = false;
      for (const group of [...this.open.keys()]) {
        if (this.underWay === 0 || (this.waiting.get(group) ?? 0) <= 0 || this.cancel?.aborted) this.let(group);
      }
    });
  }

  private let(group: string): void {
    const members = this.open.get(group);
    if (!members || members.length === 0) return;
    this.open.delete(group);
    this.underWay += members.length;
    if (this.cancel?.aborted) {
      for (const m of members) m.resolve("interrupted");
      return;
    }
    void this.writeIntents(members.map((m) => m.pending)).then((r) => {
      for (const m of members) m.resolve(r);
    });
  }
}

/** A diagnostic per failed change, naming the resource and the error. */
export function applyErrorDiagnostics(errors: readonly ApplyError[]): Diagnostic[] {
  return errors.map((e) =>
    error(
      e.code === "LostCreateAmbiguous"
        ? "apply/lost-create-ambiguous"
        : e.code === "DocumentAlreadyExists"
          ? "apply/document-exists"
          : "apply/change-failed",
      `${e.address}: ${e.step === "destroy" ? "destroying" : e.step === "create" ? "creating" : "updating"} failed`,
      {
        detail: e.message,
        ...(e.hint ? { hint: e.hint } : {}),
        // "on main.state line 12": the block of the resource whose change failed.
        ...(e.location ? { range: e.location.range, ...(e.location.block ? { context: e.location.block } : {}) } : {}),
      },
    ),
  );
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
