import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, useColor, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";
import { countsText, excerpt, paint, relativeTime, statusWord, table, type Paint } from "../views/visibility.js";
import type { AssociationHistory, FieldChange } from "../../engine/index.js";

interface HistoryOptions {
  json?: boolean;
  limit: string;
  execution?: string;
  output?: boolean;
  var?: string[];
  varFile?: string[];
}

const show = (v: unknown) =>
  v === undefined ? "(unset)" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);

function changeLine(c: FieldChange, p: Paint): string {
  if (c.before === undefined) return `      ${p.good("+")} ${c.field} = ${show(c.after)}`;
  if (c.after === undefined) return `      ${p.bad("-")} ${c.field} = ${show(c.before)}`;
  return `      ${p.warn("~")} ${c.field}: ${show(c.before)} → ${show(c.after)}`;
}

export function renderHistory(h: AssociationHistory, now: Date, p: Paint = paint(false)): string {
  const lines = [
    `${p.bold(h.address)}  ${h.association_id}${h.name ? `  name: ${h.name}` : ""}${h.document ? `  document: ${h.document}` : ""}`,
    "",
  ];
  if (h.execution) {
    const e = h.execution;
    lines.push(
      `Execution ${e.execution_id}  ${statusWord(e.status ?? "?", p)}  ${relativeTime(e.created_time, now)}${e.created_time ? p.dim(`  (${e.created_time})`) : ""}  version ${e.association_version ?? "?"}`,
    );
    lines.push(`  targets: ${countsText(e.counts)}`);
    if (e.targets.length === 0) lines.push(`  no targets (${e.detailed_status ?? e.status})`);
    for (const t of e.targets) {
      lines.push(
        `  ${t.instance_id}  ${statusWord(t.status, p)}${t.detailed_status && t.detailed_status !== t.status ? ` (${t.detailed_status})` : ""}${t.command_id ? p.dim(`  command ${t.command_id}`) : ""}`,
      );
      if (t.output) {
        if (t.output.stdout) lines.push(...excerpt(t.output.stdout, 20).map((l) => `      ${l}`));
        if (t.output.stderr) lines.push(...excerpt(t.output.stderr, 20).map((l) => `      ${p.bad(l)}`));
        if (!t.output.stdout && !t.output.stderr) lines.push(p.dim("      (no output)"));
        if (t.output.truncated)
          lines.push(
            `      … output truncated inline; full output: ${t.output.stdout_url ?? "not written to S3 (set output_location)"}`,
          );
        else if (t.output.stdout_url) lines.push(p.dim(`      full output: ${t.output.stdout_url}`));
      }
    }
    return lines.join("\n");
  }
  lines.push(`Executions (newest first, ${h.executions.length} shown):`);
  if (h.executions.length === 0) lines.push("  none yet");
  else {
    lines.push(
      ...table(
        [
          ["WHEN", "STATUS", "TARGETS", "VERSION", "EXECUTION"],
          ...h.executions.map((e) => [
            relativeTime(e.created_time, now),
            statusWord(e.status ?? "?", p),
            countsText(e.counts),
            e.association_version ?? "",
            p.dim(e.execution_id),
          ]),
        ],
        "  ",
      ),
    );
  }
  lines.push("", `Versions (${h.versions.length}):`);
  for (const v of h.versions) {
    lines.push(
      `  version ${v.version}  ${relativeTime(v.created, now)}${v.created ? p.dim(`  (${v.created})`) : ""}${v.version === "1" ? "  created" : v.changes.length === 0 ? "  no field changed" : ""}`,
    );
    for (const c of v.changes) lines.push(changeLine(c, p));
  }
  lines.push(
    "",
    p.dim(`statectl history ${h.address} --execution ID --output shows one run's targets and what each printed.`),
  );
  return lines.join("\n");
}

/**
 * `statectl history ADDRESS`: the association's executions over time, its versions with what
 * changed between them, and with `--execution ID` (or `--output` for the newest) one execution's
 * targets and what each printed.
 */
export function registerHistory(program: Command): void {
  program
    .command("history")
    .description("show an association's executions, versions and what a run printed on each instance")
    .argument("<address>", "the association (e.g. association.web)")
    .option("--json", "print the history as JSON")
    .option("--limit <n>", "how many executions to list", "20")
    .option("--execution <id>", 'one execution\'s targets ("latest" for the newest)')
    .option("--output", "with the targets, what each instance printed (the newest execution unless --execution)")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (address: string, opts: HistoryOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliExit(ExitCode.Usage, "statectl history --limit: N must be a positive whole number");
      const { runHistory, hasErrors } = await import("../../index.js");
      const r = await runHistory({
        dir: process.cwd(),
        env: process.env,
        addresses: [address],
        vars: opts.var ?? [],
        varFiles: opts.varFile ?? [],
        limit,
        ...(opts.execution !== undefined ? { executionId: opts.execution } : {}),
        ...(opts.output ? { output: true } : {}),
      });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
      const now = new Date(r.value[0]?.now ?? Date.now());
      if (opts.json)
        out(JSON.stringify((await import("../json-views.js")).historyToJson(r.value, r.diagnostics), null, 2));
      else out(r.value.map((h) => renderHistory(h, now, paint(useColor(process.stdout, globals)))).join("\n\n"));
    });
}
