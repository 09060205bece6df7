// Creating associations ten at a time with CreateAssociationBatch. Callers still create one
// association each (apply records every resource on its own); a queue gathers the creates that
// arrive together and sends them in batches, then hands each caller its own outcome. A batch
// refused as a whole (one malformed entry fails the request) and every failed entry are sent
// again one by one with CreateAssociation, so each failure lands on the resource it belongs to
// with the error code and message a single create gives.
import type { CreateAssociationBatchCommandOutput, CreateAssociationBatchRequestEntry } from "@aws-sdk/client-ssm";
import { associationRequest, createAssociation, toAssociationState } from "./associations.js";
import type { CallOptions, ProviderContext } from "./context.js";
import { ProviderError } from "./errors.js";
import { defined } from "../diag/index.js";
import type { AssociationSpec, AssociationState } from "./model.js";

/** CreateAssociationBatch takes at most this many entries. */
export const ASSOCIATION_BATCH_SIZE = 10;

/**
 * Whether a spec can go in a batch: batch entries have no Tags member (the SDK's
 * CreateAssociationBatchRequestEntry drops them), so associations with tags are created one by
 * one, with their tags in the same call. The dispatch role is one member for the whole batch, so
 * associations are batched with others of the same role (see batchGroup).
 */
export function batchable(spec: Pick<AssociationSpec, "tags">): boolean {
  return spec.tags === undefined || Object.keys(spec.tags).length === 0;
}

/** Associations that can share a CreateAssociationBatch call have the same group: their dispatch role. */
export function batchGroup(spec: Pick<AssociationSpec, "dispatch_assume_role">): string {
  return spec.dispatch_assume_role ?? "";
}

interface Pending {
  spec: AssociationSpec;
  call: CallOptions | undefined;
  resolve: (state: AssociationState) => void;
  reject: (error: unknown) => void;
}

export interface AssociationBatcherOptions {
  /** Batch calls in flight at once; default 4. */
  concurrency?: number;
  /**
   * How long the first queued create waits for others before its batch is sent. Default 0: until
   * the end of the current turn of the event loop, which gathers creates started together (apply
   * hands over the creates of a batch at once).
   */
  gatherMs?: number;
}

export class AssociationBatcher {
  /** Creates waiting for a batch, by batch group (dispatch role). */
  private queues = new Map<string, Pending[]>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private inFlight = 0;
  private ready: Pending[][] = [];
  /** Batch calls made (for tests and benchmarks). */
  batches = 0;

  constructor(
    private readonly ctx: ProviderContext,
    private readonly options: AssociationBatcherOptions = {},
  ) {}

  create(spec: AssociationSpec, call?: CallOptions): Promise<AssociationState> {
    return new Promise<AssociationState>((resolve, reject) => {
      const group = batchGroup(spec);
      const queue = this.queues.get(group) ?? [];
      queue.push({ spec, call, resolve, reject });
      this.queues.set(group, queue);
      if (queue.length >= ASSOCIATION_BATCH_SIZE) {
        this.ready.push(queue.splice(0, ASSOCIATION_BATCH_SIZE));
        this.pump();
      }
      if (queue.length > 0 && this.timer === undefined) {
        const gatherMs = this.options.gatherMs ?? 0;
        this.timer = gatherMs > 0 ? setTimeout(() => this.cut(), gatherMs) : setImmediate(() => this.cut());
      }
    });
  }

  private cut(): void {
    this.timer = undefined;
    for (const queue of this.queues.values())
      while (queue.length > 0) this.ready.push(queue.splice(0, ASSOCIATION_BATCH_SIZE));
    this.queues.clear();
    this.pump();
  }

  private pump(): void {
    const limit = Math.max(1, this.options.concurrency ?? 4);
    while (this.inFlight < limit && this.ready.length > 0) {
      const batch = this.ready.shift();
      if (batch === undefined) break;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    const live = batch.filter((p) => !p.call?.signal?.aborted);
    for (const p of batch)
      if (p.call?.signal?.aborted)
        p.reject(p.call.signal.reason instanceof Error ? p.call.signal.reason : new Error("aborted"));
    const [first, second] = live;
    if (first === undefined) return;
    if (second === undefined) return this.one(first);
    let entries: CreateAssociationBatchRequestEntry[];
    try {
      entries = live.map((p) => {
        const entry = associationRequest(p.spec);
        // The batch carries the role once for all its entries (below).
        delete entry.AssociationDispatchAssumeRole;
        return entry;
      });
    } catch {
      for (const p of live) void this.one(p);
      return;
    }
    const role = first.spec.dispatch_assume_role;
    const signal = live.find((p) => p.call?.signal)?.call?.signal;
    let out: CreateAssociationBatchCommandOutput;
    try {
      this.batches++;
      out = await this.ctx.send<CreateAssociationBatchCommandOutput>(
        "CreateAssociationBatch",
        undefined,
        (sdk) =>
          new sdk.CreateAssociationBatchCommand({
            Entries: entries,
            ...(role !== undefined ? { AssociationDispatchAssumeRole: role } : {}),
          }),
        signal ? { signal } : undefined,
        // Like CreateAssociation, each call makes new associations: never sent twice blindly. A
        // failure that may have made them (outcomeUnknown) reaches every entry's caller, and apply
        // looks for each one (findCreated) before creating it again.
        { idempotent: false },
      );
    } catch (error) {
      // Refused as a whole: only a client-side refusal (nothing was created) is retried entry by
      // entry; anything else — a lost response may mean the batch happened — fails every entry.
      if (error instanceof ProviderError && error.fault === "client" && !error.retryable) {
        await Promise.all(live.map((p) => this.one(p)));
      } else {
        for (const p of live) p.reject(error);
      }
      return;
    }
    await this.settle(live, entries, out);
  }

  /** Hands each caller its entry's outcome: Failed entries are matched by content, the rest take Successful in order. */
  private async settle(
    live: Pending[],
    entries: CreateAssociationBatchRequestEntry[],
    out: CreateAssociationBatchCommandOutput,
  ): Promise<void> {
    const failedAt = new Set<number>();
    const keys = entries.map((e) => stableJson(e));
    for (const f of out.Failed ?? []) {
      const key = stableJson(f.Entry ?? {});
      const index = keys.findIndex((k, i) => k === key && !failedAt.has(i));
      if (index >= 0) failedAt.add(index);
    }
    const successful = [...(out.Successful ?? [])];
    const retryOne: Promise<void>[] = [];
    for (const [i, p] of live.entries()) {
      const entry = defined(entries[i], "the batch entry of a live call");
      const failed = failedAt.has(i);
      if (failed) {
        // A failed entry says only Message and Fault; CreateAssociation on its own gives the
        // error code and wording a single create reports (or succeeds, after a server fault).
        retryOne.push(this.one(p));
        continue;
      }
      const description = successful.shift();
      if (
        description?.AssociationId === undefined ||
        description.Name !== entry.Name ||
        description.AssociationName !== entry.AssociationName
      ) {
        p.reject(
          new ProviderError({
            operation: "CreateAssociationBatch",
            code: "MalformedResponse",
            message: "the response's Successful and Failed lists do not match the entries sent",
            fault: "server",
            retryable: false,
          }),
        );
        continue;
      }
      p.resolve(await toAssociationState(this.ctx, description, {}));
    }
    await Promise.all(retryOne);
  }

  private async one(p: Pending): Promise<void> {
    try {
      p.resolve(await createAssociation(this.ctx, p.spec, p.call));
    } catch (error) {
      p.reject(error);
    }
  }
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
