/**
 * Test and benchmark knobs: added latency, per-operation throttling (token buckets), injected
 * server faults, lost responses (the call ran, the caller hears it failed), and per-operation
 * call counters. Throttling and latency use the real monotonic
 * clock, never the endpoint's (possibly virtual) clock, because they model the network and AWS's
 * rate limiter rather than simulated time.
 */
import { SsmError, ErrorCode } from "./errors.js";

export interface ThrottleRule {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: how many calls may burst at once (default: max(1, ratePerSecond)). */
  burst?: number;
}

export interface Knobs {
  /** Milliseconds added to every call (before it runs). */
  latencyMs?: number;
  /** Per-operation latency, replacing `latencyMs` for the operations named. */
  latencyByOperation?: Record<string, number>;
  /** Token bucket per operation; the key "*" gives every other operation its own bucket with that rule. */
  throttle?: Record<string, ThrottleRule>;
  /** Fraction (0..1) of calls refused with ThrottlingException (a throttling storm), on top of any token bucket. */
  throttleRate?: number;
  /** Fraction (0..1) of calls that fail with InternalServerError (HTTP 500) instead of running. */
  internalErrorRate?: number;
  /** Restrict injected faults to these operations (default: all). */
  internalErrorOperations?: string[];
  /**
   * The next N calls of each named operation run and commit, then answer InternalServerError
   * (HTTP 500) as if the response had been lost on the way back: the caller sees a failure for a
   * change that happened. Counts go down as they are used.
   */
  loseResponses?: Record<string, number>;
  /** Fraction (0..1) of successful calls whose response is lost that way. */
  lostResponseRate?: number;
  /** Restrict `lostResponseRate` to these operations (default: all). */
  lostResponseOperations?: string[];
  /** Seed for the fault-injection random stream, so a given rate fails the same calls every run. */
  seed?: number;
}

export interface OperationCounters {
  /** Requests that named this operation (including those refused by a knob). */
  calls: number;
  /** Calls that returned an error of any kind. */
  errors: number;
  /** Calls refused with ThrottlingException by the token bucket. */
  throttled: number;
  /** Calls failed on purpose with InternalServerError. */
  injectedFaults: number;
  /** Calls that ran and committed but answered InternalServerError (loseResponses, lostResponseRate). */
  lostResponses: number;
}

export type Counters = Record<string, OperationCounters>;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A small seeded PRNG (mulberry32): fault injection must be reproducible in tests. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class KnobControl {
  private knobs: Knobs = {};
  private buckets = new Map<string, Bucket>();
  private random: () => number = Math.random;
  // Keyed by whatever operation name a request claims ("__proto__" included): no prototype.
  private counts: Counters = Object.create(null) as Counters;

  constructor(initial: Knobs = {}) {
    this.set(initial);
  }

  /** Merges `patch` into the current knobs; a member set to undefined is cleared. Buckets restart full; the fault stream restarts when `patch` has a seed. */
  set(patch: Knobs): void {
    const next: Knobs = { ...this.knobs, ...patch };
    for (const [k, v] of Object.entries(patch))
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- clearing a knob the patch sets to undefined
      if (v === undefined) delete (next as Record<string, unknown>)[k];
    validateKnobs(next);
    // Our own copy: the counts go down as responses are lost, and the caller's object must not.
    if (next.loseResponses)
      next.loseResponses = Object.assign(Object.create(null) as Record<string, number>, next.loseResponses);
    this.knobs = next;
    this.buckets.clear();
    // Restart the fault stream only when the patch names a seed: changing another knob mid-test
    // must not replay the same faults from the start.
    if (Object.hasOwn(patch, "seed")) this.random = next.seed !== undefined ? seededRandom(next.seed) : Math.random;
  }

  /** A copy of the knobs in force. */
  get(): Knobs {
    return structuredClone(this.knobs);
  }

  latencyFor(operation: string): number {
    const by = this.knobs.latencyByOperation;
    return (by && Object.hasOwn(by, operation) ? by[operation] : undefined) ?? this.knobs.latencyMs ?? 0;
  }

  counters(): Counters {
    const copy: Counters = {};
    for (const [op, c] of Object.entries(this.counts))
      Object.defineProperty(copy, op, { value: { ...c }, enumerable: true, writable: true, configurable: true });
    return copy;
  }

  resetCounters(): void {
    this.counts = Object.create(null) as Counters;
  }

  private counter(operation: string): OperationCounters {
    let c = Object.hasOwn(this.counts, operation) ? this.counts[operation] : undefined;
    if (!c) {
      c = { calls: 0, errors: 0, throttled: 0, injectedFaults: 0, lostResponses: 0 };
      this.counts[operation] = c;
    }
    return c;
  }

  countCall(operation: string): void {
    this.counter(operation).calls++;
  }

  countError(operation: string): void {
    this.counter(operation).errors++;
  }

  /** Throws ThrottlingException or an injected InternalServerError if a knob says this call fails. */
  admit(operation: string): void {
    const throttle = this.knobs.throttle;
    const rule = throttle
      ? ((Object.hasOwn(throttle, operation) ? throttle[operation] : undefined) ?? throttle["*"])
      : undefined;
    if (rule && !this.take(operation, rule)) {
      this.counter(operation).throttled++;
      throw new SsmError(ErrorCode.Throttling, "Rate exceeded", 400);
    }
    const stormRate = this.knobs.throttleRate ?? 0;
    if (stormRate > 0 && this.random() < stormRate) {
      this.counter(operation).throttled++;
      throw new SsmError(ErrorCode.Throttling, "Rate exceeded", 400);
    }
    const rate = this.knobs.internalErrorRate ?? 0;
    const only = this.knobs.internalErrorOperations;
    if (rate > 0 && (!only || only.includes(operation)) && this.random() < rate) {
      this.counter(operation).injectedFaults++;
      throw new SsmError(
        ErrorCode.InternalServerError,
        "An internal error occurred (injected by the local endpoint's internalErrorRate knob).",
        500,
      );
    }
  }

  /**
   * Asked after a call ran and its changes are stored: throws the InternalServerError that
   * replaces its response when a knob says this response is lost.
   */
  loseResponse(operation: string): void {
    const counts = this.knobs.loseResponses;
    const left = counts && Object.hasOwn(counts, operation) ? (counts[operation] ?? 0) : 0;
    let lose: boolean;
    if (counts && left > 0) {
      counts[operation] = left - 1;
      lose = true;
    } else {
      const rate = this.knobs.lostResponseRate ?? 0;
      const only = this.knobs.lostResponseOperations;
      lose = rate > 0 && (!only || only.includes(operation)) && this.random() < rate;
    }
    if (!lose) return;
    this.counter(operation).lostResponses++;
    throw new SsmError(
      ErrorCode.InternalServerError,
      "An internal error occurred (the change was made; its response was lost on purpose by the local endpoint's loseResponses knob).",
      500,
    );
  }

  private take(operation: string, rule: ThrottleRule): boolean {
    const now = performance.now();
    const burst = rule.burst ?? Math.max(1, rule.ratePerSecond);
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      bucket = { tokens: burst, updatedAt: now };
      this.buckets.set(operation, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rule.ratePerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    return false;
  }
}

function validateKnobs(k: Knobs): void {
  const bad = (what: string) => {
    throw new RangeError(`local endpoint knobs: ${what}`);
  };
  if (k.latencyMs !== undefined && !(k.latencyMs >= 0)) bad("latencyMs must be >= 0");
  for (const [op, ms] of Object.entries(k.latencyByOperation ?? {}))
    if (!(ms >= 0)) bad(`latencyByOperation.${op} must be >= 0`);
  for (const [op, r] of Object.entries(k.throttle ?? {})) {
    if (!(r.ratePerSecond >= 0)) bad(`throttle.${op}.ratePerSecond must be >= 0`);
    if (r.burst !== undefined && !(r.burst >= 0)) bad(`throttle.${op}.burst must be >= 0`);
  }
  if (k.internalErrorRate !== undefined && !(k.internalErrorRate >= 0 && k.internalErrorRate <= 1))
    bad("internalErrorRate must be between 0 and 1");
  if (k.throttleRate !== undefined && !(k.throttleRate >= 0 && k.throttleRate <= 1))
    bad("throttleRate must be between 0 and 1");
  for (const [op, n] of Object.entries(k.loseResponses ?? {}))
    if (!(Number.isInteger(n) && n >= 0)) bad(`loseResponses.${op} must be a whole number >= 0`);
  if (k.lostResponseRate !== undefined && !(k.lostResponseRate >= 0 && k.lostResponseRate <= 1))
    bad("lostResponseRate must be between 0 and 1");
}
