// Walking a graph in dependency order with bounded parallelism. A node starts once every node it
// depends on has finished successfully; when one fails (or is skipped), everything that depends
// on it is skipped while independent nodes carry on — so a failed apply still completes the
// changes it can.
import { Graph, alg } from "@dagrejs/graphlib";
import { defined } from "../diag/index.js";

export type WalkOutcome = "ok" | "failed" | "skipped";

export interface WalkOptions {
  /** How many visits may run at once; default 1. */
  parallelism?: number;
  /** Walk against the edges (dependents first): the order for destroying. */
  reverse?: boolean;
  /** When aborted, no new visits start; running ones finish. Unstarted nodes end as skipped. */
  signal?: AbortSignal;
  /**
   * Separate limits for kinds of nodes: a node of lane `lane(node)` starts only while fewer than
   * `limit(lane)` of its lane run (and `parallelism` caps them all). A node that must wait for its
   * lane does not hold up ready nodes of other lanes.
   */
  lanes?: { lane: (node: string) => string; limit: (lane: string) => number };
}

export interface WalkResult {
  outcomes: Map<string, WalkOutcome>;
  /** The order visits started in. */
  started: string[];
}

/**
 * Visits every node of `graph` (an edge `a → b` means b waits for a). `visit` resolves true on
 * success, false on failure; a throw counts as failure. Ready nodes start in address order, so
 * a walk with parallelism 1 is deterministic.
 */
export async function walkGraph(
  graph: Graph,
  visit: (node: string) => Promise<boolean>,
  options: WalkOptions = {},
): Promise<WalkResult> {
  const parallelism = Math.max(1, Math.floor(options.parallelism ?? 1));
  const waitsFor = (n: string): string[] => (options.reverse ? graph.successors(n) : graph.predecessors(n)) ?? [];
  const unblocks = (n: string): string[] => (options.reverse ? graph.predecessors(n) : graph.successors(n)) ?? [];
  if (!alg.isAcyclic(graph)) throw new Error("walkGraph: the graph has a cycle");

  const outcomes = new Map<string, WalkOutcome>();
  const started: string[] = [];
  const remaining = new Map<string, number>();
  const ready: string[] = [];
  for (const n of graph.nodes()) {
    const count = waitsFor(n).length;
    remaining.set(n, count);
    if (count === 0) ready.push(n);
  }
  ready.sort();
  let running = 0;
  const lanes = options.lanes;
  const laneRunning = new Map<string, number>();

  return new Promise<WalkResult>((resolvePromise) => {
    const finish = (n: string, outcome: WalkOutcome): void => {
      outcomes.set(n, outcome);
      for (const next of unblocks(n)) {
        if (outcome !== "ok") {
          skipFrom(next);
          continue;
        }
        const left = defined(remaining.get(next), "a node's count of dependencies left") - 1;
        remaining.set(next, left);
        if (left === 0 && !outcomes.has(next)) insertSorted(ready, next);
      }
    };
    const skipFrom = (n: string): void => {
      if (outcomes.has(n)) return;
      const i = ready.indexOf(n);
      if (i >= 0) ready.splice(i, 1);
      finish(n, "skipped");
    };
    const pump = (): void => {
      if (options.signal?.aborted) {
        for (const n of [...ready]) skipFrom(n);
        for (const n of graph.nodes().sort())
          if (!outcomes.has(n) && (remaining.get(n) ?? 0) > 0 && running === 0) skipFrom(n);
      }
      while (running < parallelism && ready.length > 0 && !options.signal?.aborted) {
        const at = lanes
          ? ready.findIndex((r) => (laneRunning.get(lanes.lane(r)) ?? 0) < lanes.limit(lanes.lane(r)))
          : 0;
        if (at < 0) break;
        const n = defined(ready.splice(at, 1)[0], "the ready node chosen to start");
        if (outcomes.has(n)) continue;
        const lane = lanes?.lane(n);
        running++;
        if (lane !== undefined) laneRunning.set(lane, (laneRunning.get(lane) ?? 0) + 1);
        started.push(n);
        void visit(n)
          .then(
            (ok): WalkOutcome => (ok ? "ok" : "failed"),
            (): WalkOutcome => "failed",
          )
          .then((outcome) => {
            running--;
            if (lane !== undefined) laneRunning.set(lane, (laneRunning.get(lane) ?? 1) - 1);
            finish(n, outcome);
            pump();
          });
      }
      if (running === 0 && (ready.length === 0 || options.signal?.aborted)) {
        for (const n of graph.nodes().sort()) if (!outcomes.has(n)) outcomes.set(n, "skipped");
        resolvePromise({ outcomes, started });
      }
    };
    pump();
  });
}

function insertSorted(list: string[], item: string): void {
  const after = list.findIndex((other) => other >= item);
  list.splice(after === -1 ? list.length : after, 0, item);
}

/** A topological order (dependencies first; reversed with `reverse`), ties broken by address. */
export function orderedNodes(graph: Graph, reverse = false): string[] {
  const order: string[] = [];
  const waitsFor = (n: string): string[] => (reverse ? graph.successors(n) : graph.predecessors(n)) ?? [];
  const unblocks = (n: string): string[] => (reverse ? graph.predecessors(n) : graph.successors(n)) ?? [];
  const remaining = new Map(graph.nodes().map((n) => [n, waitsFor(n).length] as const));
  // The smallest ready address first, from a heap: shifting a sorted list of 50,000 ready nodes
  // moved the whole list each time (a fifth of a second at 50,000 associations, quadratic).
  const ready = new AddressHeap();
  for (const n of graph.nodes()) if (remaining.get(n) === 0) ready.push(n);
  for (let n = ready.pop(); n !== undefined; n = ready.pop()) {
    order.push(n);
    for (const next of unblocks(n)) {
      const left = defined(remaining.get(next), "a node's count of dependencies left") - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return order;
}

/** A binary min-heap of addresses, in the order `<` gives strings (as `sort()` does). */
class AddressHeap {
  private readonly items: string[] = [];

  push(item: string): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as string;
      if (above <= item) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const leftItem = items[left] as string;
      const child = right < items.length && (items[right] as string) < leftItem ? right : left;
      const childItem = items[child] as string;
      if (last <= childItem) break;
      items[i] = childItem;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/** Runs `fn` over `items` with at most `limit` at once (at least one), in order of start. */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  // The workers share one iterator: each takes the next item as soon as it is free.
  const queue = items.values();
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    for (const item of queue) await fn(item);
  });
  await Promise.all(workers);
}
