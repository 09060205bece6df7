/**
 * The endpoint's clock: real time plus an offset that tests and demos move forward
 * (`statectl local advance 1d`). Everything time-dependent in the endpoint (dates it reports,
 * schedules coming due) reads this clock, never Date.now() directly.
 */
import { defined } from "../diag/index.js";

export class VirtualClock {
  #offsetMs: number;
  readonly #realNow: () => number;

  constructor(offsetMs = 0, realNow: () => number = Date.now) {
    this.#offsetMs = offsetMs;
    this.#realNow = realNow;
  }

  /** Milliseconds since the epoch, as the endpoint sees it. */
  nowMs(): number {
    return this.#realNow() + this.#offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** How far ahead of real time this clock runs (what the store persists). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Moves the clock forward; the clock never goes back. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms: only forward`);
    this.#offsetMs += ms;
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * Parses a duration such as `1d`, `90m`, `2h30m`, `45s` or `1w` into milliseconds.
 * Throws a RangeError naming the input when it is not one.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(trimmed)) !== null) {
    total += Number(m[1]) * defined(UNIT_MS[defined(m[2], "the duration's unit group")], "a unit the pattern admits");
    consumed = re.lastIndex;
  }
  if (trimmed === "" || consumed !== trimmed.length) {
    throw new RangeError(
      `"${text}" is not a duration; write a number and a unit (ms, s, m, h, d, w), e.g. 90m, 1d, 2h30m`,
    );
  }
  return total;
}
