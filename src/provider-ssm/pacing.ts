// Pacing calls to the rate SSM admits. SSM throttles each API at a rate of its own ("Rate
// exceeded"); the SDK's adaptive mode answers each throttle by cutting the whole client's rate to
// 70% of what it measured and climbing back over seconds, so a long apply spent much of its time
// below the rate SSM would have admitted (issue 23: 1.15–1.30× the throttle's bound).
//
// Instead, each operation is paced on its own once SSM has throttled it: its attempts start at
// most `rate` a second, a little above the rate SSM was seen to admit, so SSM's bucket stays
// drained (it admits all it can) while few attempts come back throttled. The admitted rate is
// measured at each throttle (SSM's bucket is empty then) over the last two seconds; between
// throttles the pace creeps up, in case it was measured while statectl had little to send. The
// SDK's standard retry mode sends a throttled attempt again after its backoff. An operation never
// throttled is not paced at all.

/** SDK error names that mean "slow down" (what the SDK's own retry logic counts as throttling). */
const THROTTLING_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "TransactionInProgressException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "LimitExceededException",
  "RequestThrottled",
  "SlowDown",
  "PriorRequestNotComplete",
  "EC2ThrottledException",
]);

export function isThrottling(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return (
    (typeof e.name === "string" && THROTTLING_NAMES.has(e.name)) ||
    e.$metadata?.httpStatusCode === 429 ||
    e.$retryable?.throttling === true
  );
}

/** How far back admitted calls count towards the measured rate. */
const WINDOW_MS = 2000;
/** Pace this much above the measured rate, so SSM's bucket never fills while we wait. */
const HEADROOM = 1.1;
/** Raise the pace by this fraction for each second without a throttle. */
const PROBE_PER_SECOND = 0.05;

export class OperationPace {
  /** The admitted rate measured at the last throttle (a second); undefined until the first. */
  private measured: number | undefined;
  private firstThrottleAt = 0;
  private lastThrottleAt = 0;
  /** When the next attempt may start (performance.now()). */
  private nextStart = 0;
  /** Completion times of admitted attempts within the window, oldest first. */
  private admitted: number[] = [];

  constructor(private readonly now: () => number) {}

  /** Attempts a second, or undefined while not paced. */
  rate(now = this.now()): number | undefined {
    if (this.measured === undefined) return undefined;
    const quiet = Math.max(0, now - this.lastThrottleAt) / 1000;
    return Math.max(1, this.measured * HEADROOM * (1 + PROBE_PER_SECOND) ** quiet);
  }

  /** Milliseconds the next attempt must wait, reserving its start. */
  reserve(): number {
    const now = this.now();
    const rate = this.rate(now);
    if (rate === undefined) return 0;
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 1000 / rate;
    return start - now;
  }

  admittedOne(): void {
    const now = this.now();
    this.admitted.push(now);
    this.trim(now);
  }

  throttled(): void {
    const now = this.now();
    this.trim(now);
    if (this.measured === undefined) {
      this.firstThrottleAt = now;
      // Until now SSM's bucket was full: this overstates the rate (the next throttles correct
      // it), which costs less than understating it (only the creeping pace would correct that).
      const span = Math.max(250, now - (this.admitted[0] ?? now));
      this.measured = Math.max(1, (this.admitted.length * 1000) / span);
    } else if (now - this.firstThrottleAt >= WINDOW_MS) {
      this.measured = Math.max(1, (this.admitted.length * 1000) / WINDOW_MS);
    } else if (now - this.firstThrottleAt >= 250) {
      const since = this.admitted.filter((t) => t > this.firstThrottleAt).length;
      this.measured = Math.max(1, (since * 1000) / (now - this.firstThrottleAt));
    }
    this.lastThrottleAt = now;
  }

  private trim(now: number): void {
    const firstKept = this.admitted.findIndex((at) => at > now - WINDOW_MS);
    const drop = firstKept === -1 ? this.admitted.length : firstKept;
    if (drop > 0) this.admitted.splice(0, drop);
  }
}

/** The pace of each operation of one client. */
export class Pacer {
  private readonly operations = new Map<string, OperationPace>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The attempts a second `operation` is paced at, or undefined while it has not been throttled. */
  rateOf(operation: string): number | undefined {
    return this.operations.get(operation)?.rate();
  }

  private pace(operation: string): OperationPace {
    let p = this.operations.get(operation);
    if (!p) this.operations.set(operation, (p = new OperationPace(this.now)));
    return p;
  }

  /** Runs one attempt of `operation` at its pace, learning from its outcome. */
  async attempt<T>(operation: string, send: () => Promise<T>): Promise<T> {
    const pace = this.pace(operation);
    const wait = pace.reserve();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    try {
      const out = await send();
      pace.admittedOne();
      return out;
    } catch (error) {
      if (isThrottling(error)) pace.throttled();
      else pace.admittedOne();
      throw error;
    }
  }
}

/** The largest delay base a retry of a paced client starts from (the SDK's own is 50 ms, or 1 s for a throttle). */
const RETRY_DELAY_BASE_MS = 50;
/** The SDK's cap on one retry's wait. */
const MAXIMUM_RETRY_DELAY_MS = 20_000;

/**
 * The retry backoff of a paced client (the SDK's standard retry strategy takes it as `backoff`).
 * The SDK waits a random time of up to 1 s × 2^n before sending a throttled attempt again, so that
 * clients which do not pace spread out. Here every throttled operation is paced, and its attempts
 * start at their pace anyway: that extra wait only left what SSM would admit unused. At the end of
 * an apply, the last throttled batch waited up to a second alone (issue 23). So a throttled retry
 * backs off as any other retry does: a random time up to 50 ms × 2^n (full jitter), and then waits
 * for its operation's pace.
 */
export class PacedRetryBackoff {
  private base = RETRY_DELAY_BASE_MS;

  constructor(private readonly random: () => number = Math.random) {}

  setDelayBase(delay: number): void {
    this.base = Math.min(delay, RETRY_DELAY_BASE_MS);
  }

  /** Milliseconds to wait before retry number `retry` + 1. */
  computeNextBackoffDelay(retry: number): number {
    return Math.floor(this.random() * Math.min(this.base * 2 ** retry, MAXIMUM_RETRY_DELAY_MS));
  }
}

type Next = (args: unknown) => Promise<unknown>;

/** The client middleware that runs every attempt (it sits inside the SDK's retry loop) at its operation's pace. */
export function pacingMiddleware(pacer: Pacer): (next: Next, context: { commandName?: string }) => Next {
  return (next, context) => (args) => pacer.attempt(context.commandName ?? "", () => next(args));
}

export const PACING_MIDDLEWARE_OPTIONS = Object.freeze({
  step: "deserialize",
  name: "statectlPacing",
  priority: "high" as const,
  override: true,
});
