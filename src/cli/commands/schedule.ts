import type { Command } from "commander";
import type { ScheduleResult } from "../../engine/schedule.js";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { collect, type VariableOptions } from "../validate-config.js";

interface ScheduleOptions extends VariableOptions {
  count: string;
  utc?: boolean;
  json?: boolean;
  from?: string;
}

/**
 * `statectl schedule`: each association's next runs, worked out offline from its schedule
 * (State Manager's cron/rate/at, schedule_offset added), and a warning for every minute at which
 * associations that share instances start together.
 */
export function registerSchedule(program: Command): void {
  program
    .command("schedule")
    .description(
      "list each association's next runs and warn where associations on the same instances run at the same minute",
    )
    .option("--count <n>", "runs to list per association", "5")
    .option("--utc", "show times in UTC (default: the local time zone)")
    .option("--json", "print the forecast as JSON (times in UTC, ISO 8601)")
    .option("--from <time>", "count from this time (ISO 8601, e.g. 2026-01-01T00:00:00Z) instead of now")
    .option("--var <name=value>", "set a variable (repeatable; wins over --var-file)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (opts: ScheduleOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 1000)
        throw new CliExit(ExitCode.Usage, `--count must be a whole number from 1 to 1000, not "${opts.count}"`);
      const from = opts.from === undefined ? new Date() : new Date(opts.from);
      if (Number.isNaN(from.getTime()))
        throw new CliExit(ExitCode.Usage, `--from must be a time such as 2026-01-01T00:00:00Z, not "${opts.from}"`);
      const { runSchedule } = await import("../../engine/schedule.js");
      const { renderDiagnostics, hasErrors } = await import("../../diag/index.js");
      const result = runSchedule({
        dir: process.cwd(),
        vars: opts.var ?? [],
        varFiles: opts.varFile ?? [],
        env: process.env,
        now: from,
        count,
      });
      if (result.diagnostics.length > 0)
        err(renderDiagnostics(result.diagnostics, result.sources, { color: useColor(process.stderr, globals) }) + "\n");
      if (hasErrors(result.diagnostics)) throw new CliExit(ExitCode.Error);
      if (opts.json) {
        const { scheduleToJson } = await import("../json-views.js");
        out(JSON.stringify(scheduleToJson(result, from), null, 2));
        return;
      }
      out(renderSchedule(result, { utc: opts.utc === true }));
      const warnings = renderOverlaps(result, { utc: opts.utc === true });
      if (warnings) err(warnings);
    });
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const two = (n: number) => String(n).padStart(2, "0");

/** `Sun 2026-11-29 02:00 UTC`, or the same in the local time zone with its offset. */
export function formatRunTime(d: Date, utc: boolean): string {
  if (utc)
    return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
  const offset = -d.getTimezoneOffset();
  const zone = `${offset >= 0 ? "+" : "-"}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return `${DAYS[d.getDay()]} ${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())} ${zone}`;
}

export function renderSchedule(result: ScheduleResult, opts: { utc: boolean }): string {
  const lines: string[] = [];
  for (const f of result.forecasts) {
    const extra = [
      f.offsetDays ? `offset ${f.offsetDays} day${f.offsetDays === 1 ? "" : "s"}` : "",
      f.approximate ? "counted from now: rate() runs from when the association was created or changed" : "",
    ]
      .filter(Boolean)
      .join("; ");
    lines.push(`${f.address}  ${f.expression}${extra ? `  (${extra})` : ""}`);
    if (f.invalid) lines.push("  invalid schedule (statectl validate explains)");
    else if (f.runs.length === 0) lines.push("  no further runs");
    for (const r of f.runs) lines.push(`  ${formatRunTime(r, opts.utc)}`);
  }
  for (const a of result.unscheduled) lines.push(`${a}  no schedule: runs when created or changed`);
  for (const a of result.unknown) lines.push(`${a}  schedule known after apply`);
  if (lines.length === 0) lines.push("No associations.");
  return lines.join("\n");
}

export function renderOverlaps(result: ScheduleResult, opts: { utc: boolean }): string {
  return result.overlaps
    .map(
      (o) =>
        `warning: ${o.addresses.join(", ")} start at the same minute, ${formatRunTime(o.minute, opts.utc)}, on the same instances (${o.shared})`,
    )
    .join("\n");
}
