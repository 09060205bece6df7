import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";
import type { AssociationStatus } from "../../engine/index.js";

interface StatusOptions {
  json?: boolean;
  failed?: boolean;
  watch?: string | boolean;
  var?: string[];
  varFile?: string[];
}

function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(", ") : "no targets reported yet";
}

export function renderStatus(statuses: readonly AssociationStatus[]): string {
  if (statuses.length === 0) return "No associations in the state.";
  const lines: string[] = [];
  for (const s of statuses) {
    lines.push(`${s.address}  ${s.status}${s.detailed_status && s.detailed_status !== s.status ? ` (${s.detailed_status})` : ""}`);
    lines.push(`  id:         ${s.association_id}${s.name ? `  name: ${s.name}` : ""}${s.document ? `  document: ${s.document}` : ""}`);
    lines.push(`  targets:    ${countsText(s.counts)}`);
    const last = s.last_execution;
    lines.push(`  last run:   ${last ? `${last.time ?? "?"}  ${last.status ?? ""}${last.execution_id ? `  (execution ${last.execution_id})` : ""}` : "never"}`);
    if (s.schedule) lines.push(`  next run:   ${s.next_run ?? "none"}  (${s.schedule})`);
    else lines.push(`  next run:   none (no schedule; runs when created, updated or started)`);
    for (const f of s.failed_instances) {
      lines.push(`  failed on ${f.instance_id}: ${f.detailed_status ?? f.status}${f.error_code ? ` [${f.error_code}]` : ""}`);
      if (f.output) for (const l of f.output.split("\n")) lines.push(`      ${l}`);
    }
    lines.push("");
  }
  const failed = statuses.filter((s) => s.status === "Failed").length;
  lines.push(`${statuses.length} association${statuses.length === 1 ? "" : "s"}: ${failed === 0 ? "all compliant or pending" : `${failed} failed`}.`);
  return lines.join("\n");
}

/**
 * `statectl status [ADDR…]`: for each association in the state, SSM's overview (status and
 * counts per status across its targets), the last execution, the next scheduled run, and the
 * instances it failed on with their output. `--failed` makes a non-compliant fleet exit 1.
 */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show how each association in the state is doing across its targets")
    .argument("[address...]", "only these associations (an instance address or a whole resource)")
    .option("--json", "print the status as JSON")
    .option("--failed", "exit 1 when any association is Failed (not compliant), for CI and cron")
    .option("--watch [seconds]", "refresh every SECONDS (default 10) until interrupted")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (addresses: string[], opts: StatusOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { runStatus, hasErrors } = await import("../../index.js");
      const once = async (): Promise<AssociationStatus[]> => {
        const r = await runStatus({ dir: process.cwd(), env: process.env, addresses, vars: opts.var ?? [], varFiles: opts.varFile ?? [] });
        await printEngineDiagnostics(r.diagnostics, r.sources, globals);
        if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
        out(opts.json ? JSON.stringify({ format_version: "1.0", associations: r.value, compliant: r.value.every((s) => s.status !== "Failed") }, null, 2) : renderStatus(r.value));
        return r.value;
      };
      if (opts.watch !== undefined) {
        const seconds = opts.watch === true ? 10 : Number(opts.watch);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new CliExit(ExitCode.Usage, "statectl status --watch: SECONDS must be a positive number");
        for (;;) {
          if (process.stdout.isTTY) process.stdout.write("\x1b[2J\x1b[H");
          await once();
          await new Promise((res) => setTimeout(res, seconds * 1000));
        }
      }
      const statuses = await once();
      if (opts.failed && statuses.some((s) => s.status === "Failed")) throw new CliExit(ExitCode.Error);
    });
}
