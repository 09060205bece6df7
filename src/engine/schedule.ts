/**
 * `statectl schedule` as a library: loads and evaluates the configuration (offline) and forecasts
 * each association's next runs and the minutes where associations sharing instances run together
 * (src/ssm/schedule-forecast.ts).
 */
import { hasErrors, type Diagnostic, type SourceRegistry } from "../diag/index.js";
import { loadConfig, type LoadOptions } from "../config/index.js";
import { evaluateConfig, toNative } from "../eval/index.js";
import {
  findOverlaps,
  forecastRuns,
  type AssociationForecast,
  type ScheduledAssociation,
  type ScheduleOverlap,
  type ScheduleTarget,
} from "../ssm/schedule-forecast.js";

export interface ScheduleRequest extends LoadOptions {
  dir: string;
  /** The time to count from (default: now). */
  now?: Date;
  /** Runs per association (default 5). */
  count?: number;
}

export interface ScheduleResult {
  forecasts: AssociationForecast[];
  overlaps: ScheduleOverlap[];
  /** Associations without a schedule (they run once, when created or changed). */
  unscheduled: string[];
  /** Associations whose schedule is known only after apply. */
  unknown: string[];
  diagnostics: Diagnostic[];
  sources: SourceRegistry;
}

const UNKNOWN = Symbol("unknown");

export function runSchedule(req: ScheduleRequest): ScheduleResult {
  const { dir, now, count, ...opts } = req;
  const loaded = loadConfig({ dir }, opts);
  const sources = loaded.config.sources;
  const empty = { forecasts: [], overlaps: [], unscheduled: [], unknown: [], sources };
  if (hasErrors(loaded.diagnostics)) return { ...empty, diagnostics: loaded.diagnostics };
  const evaluated = evaluateConfig(loaded.config);
  const diagnostics = [...loaded.diagnostics, ...evaluated.diagnostics];
  if (hasErrors(diagnostics)) return { ...empty, diagnostics };
  const scheduled: ScheduledAssociation[] = [];
  const unscheduled: string[] = [];
  const unknown: string[] = [];
  for (const r of evaluated.resources) {
    if (r.kind !== "association") continue;
    const attrs = toNative(r.attrs, { unknown: UNKNOWN }) as Record<string, unknown>;
    const expression = attrs["schedule"];
    const offset = attrs["schedule_offset"];
    if (expression === null || expression === undefined) unscheduled.push(r.addressText);
    else if (typeof expression !== "string" || offset === UNKNOWN) unknown.push(r.addressText);
    else
      scheduled.push({
        address: r.addressText,
        expression,
        ...(typeof offset === "number" ? { offsetDays: offset } : {}),
        targets: targetsOf(attrs["targets"]),
      });
  }
  const forecasts = forecastRuns(scheduled, now ?? new Date(), count ?? 5);
  return { forecasts, overlaps: findOverlaps(scheduled, forecasts), unscheduled, unknown, diagnostics, sources };
}

/** Known targets only: a target whose key or values are unknown until apply cannot be compared. */
function targetsOf(raw: unknown): ScheduleTarget[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((t) => {
    if (typeof t !== "object" || t === null) return [];
    const { key, values } = t as Record<string, unknown>;
    if (typeof key !== "string" || !Array.isArray(values)) return [];
    return [{ key, values: values.filter((v): v is string => typeof v === "string") }];
  });
}
