/**
 * When associations will run, and where they collide: the next runs of each association's
 * schedule (State Manager's cron/rate/at read by schedule.ts, with `schedule_offset` days added
 * to each cron time), and the minutes at which associations whose targets certainly share
 * instances run together. Pure: the caller passes the time to count from.
 */
import { nextRun, parseScheduleExpression } from "./schedule.js";
import { defined } from "../diag/invariant.js";

export interface ScheduleTarget {
  key: string;
  values: readonly string[];
}

export interface ScheduledAssociation {
  /** How the user names it, e.g. `association.patch["prod"]`. */
  address: string;
  expression: string;
  /** schedule_offset: days after each cron time. */
  offsetDays?: number;
  targets: readonly ScheduleTarget[];
}

export interface AssociationForecast {
  address: string;
  expression: string;
  offsetDays?: number;
  runs: Date[];
  /**
   * rate() counts from when the association was created or last updated, which is not known
   * offline: its runs are counted from `from` and are only the spacing, not the real times.
   */
  approximate: boolean;
  /** The expression does not parse (validate explains why). */
  invalid?: boolean;
}

export interface ScheduleOverlap {
  /** The minute several associations start at (UTC, seconds zero). */
  minute: Date;
  addresses: string[];
  /** Why their targets share instances, e.g. `InstanceIds = i-0abc` or `tag:Role = web`. */
  shared: string;
}

/** The next `count` runs of each association after `from`. */
export function forecastRuns(
  associations: readonly ScheduledAssociation[],
  from: Date,
  count: number,
): AssociationForecast[] {
  return associations.map((a) => {
    const base = {
      address: a.address,
      expression: a.expression,
      ...(a.offsetDays ? { offsetDays: a.offsetDays } : {}),
    };
    const parsed = parseScheduleExpression(a.expression);
    if (!parsed.ok) return { ...base, runs: [], approximate: false, invalid: true };
    const runs: Date[] = [];
    let after = from;
    while (runs.length < count) {
      const next = nextRun(parsed.schedule, after, {
        anchor: from,
        ...(a.offsetDays ? { offsetDays: a.offsetDays } : {}),
      });
      if (!next) break;
      runs.push(next);
      after = next;
    }
    return { ...base, runs, approximate: parsed.schedule.kind === "rate" };
  });
}

/** What two target lists certainly have in common, or undefined when they may be disjoint. */
export function sharedTargets(a: readonly ScheduleTarget[], b: readonly ScheduleTarget[]): string | undefined {
  const isAll = (t: ScheduleTarget) => /^instanceids$/i.test(t.key) && t.values.includes("*");
  const all = a.find(isAll) ?? b.find(isAll);
  if (all) return "InstanceIds = * (every managed node)";
  for (const x of a)
    for (const y of b) {
      if (
        x.key.toLowerCase() !== y.key.toLowerCase() &&
        !(/^instanceids$/i.test(x.key) && /^instanceids$/i.test(y.key))
      )
        continue;
      const common = x.values.filter((v) => y.values.includes(v));
      if (common.length > 0) return `${x.key} = ${common.join(", ")}`;
    }
  return undefined;
}

const minuteKey = (d: Date) => Math.floor(d.getTime() / 60_000);

/**
 * Minutes at which two or more associations that share instances start together. Only exact
 * runs count (cron and at); rate() times are not known offline.
 */
export function findOverlaps(
  associations: readonly ScheduledAssociation[],
  forecasts: readonly AssociationForecast[],
): ScheduleOverlap[] {
  const byAddress = new Map(associations.map((a) => [a.address, a]));
  const overlaps: ScheduleOverlap[] = [];
  const exact = forecasts.filter((f) => !f.approximate && f.runs.length > 0);
  const targetsOf = (f: AssociationForecast) =>
    defined(byAddress.get(f.address), "the association of a forecast").targets;
  for (const [i, fa] of exact.entries())
    for (const fb of exact.slice(i + 1)) {
      const shared = sharedTargets(targetsOf(fa), targetsOf(fb));

      if (!shared) continue;
      const minutes = new Set(fb.runs.map(minuteKey));
      for (const run of fa.runs) {
        if (!minutes.has(minuteKey(run))) continue;
        const minute = new Date(minuteKey(run) * 60_000);
        const existing = overlaps.find((o) => o.minute.getTime() === minute.getTime() && o.shared === shared);
        if (existing)
          for (const addr of [fa.address, fb.address]) {
            if (!existing.addresses.includes(addr)) existing.addresses.push(addr);
          }
        else overlaps.push({ minute, addresses: [fa.address, fb.address], shared });
      }
    }
  return overlaps.sort(
    (x, y) => x.minute.getTime() - y.minute.getTime() || x.addresses.join().localeCompare(y.addresses.join()),
  );
}
