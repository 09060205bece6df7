import { escapeForTerminal } from "../../diag/index.js";
import type { Command } from "commander";
import { defined } from "../../diag/index.js";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, useColor, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";
import { countsText, excerpt, paint, relativeTime, statusWord, table, type Paint } from "../views/visibility.js";
import type { AssociationStatus, FleetStatus } from "../../engine/index.js";

interface StatusOptions {
  json?: boolean;
  failed?: boolean;
  watch?: string | boolean;
  instances?: boolean;
  instance?: string;
  var?: string[];
  varFile?: string[];
}

/** Whether an association counts as a failure for `--failed`: Failed, or gone from SSM (Missing). */
export function isFailing(s: AssociationStatus): boolean {
  return s.status === "Failed" || s.status === "Missing";
}

function complianceText(s: AssociationStatus): string | undefined {
  const c = s.compliance;
  if (!c) return undefined;
  const severity = c.severity && c.severity !== "UNSPECIFIED" ? ` (severity ${c.severity})` : "";
  return `${c.compliant} compliant, ${c.non_compliant} non-compliant${severity}`;
}

export function renderStatus(
  statuses: readonly AssociationStatus[],
  now: Date = new Date(),
  p: Paint = paint(false),
): string {
  if (statuses.length === 0) return "No associations in the state.";
  const lines: string[] = [];
  for (const s of statuses) {
    lines.push(
      `${p.bold(s.address)}  ${statusWord(s.status, p)}${s.detailed_status && s.detailed_status !== s.status ? ` (${s.detailed_status})` : ""}`,
    );
    if (s.status === "Missing") {
      lines.push(`  id:         ${s.association_id}`);
      lines.push(
        `  ${p.bad("SSM no longer has this association")} (deleted outside statectl?); statectl plan shows what apply would do`,
      );
      lines.push("");
      continue;
    }
    lines.push(
      `  id:         ${s.association_id}${s.name ? `  name: ${s.name}` : ""}${s.document ? `  document: ${s.document}` : ""}`,
    );
    lines.push(
      `  targets:    ${countsText(s.counts)}${s.skipped ? `; ${p.warn(`${s.skipped} skipped`)} by the last run (MaxErrorsExceeded)` : ""}`,
    );
    const compliance = complianceText(s);
    if (compliance) lines.push(`  compliance: ${compliance}`);
    const last = s.last_execution;
    lines.push(
      `  last run:   ${last ? `${relativeTime(last.time, now)}  ${last.status ? statusWord(last.status, p) : ""}${last.execution_id ? p.dim(`  (execution ${last.execution_id})`) : ""}` : "never"}`,
    );
    if (s.schedule) lines.push(`  next run:   ${s.next_run ? relativeTime(s.next_run, now) : "none"}  (${s.schedule})`);
    else lines.push(`  next run:   none (no schedule; runs when created, updated or started)`);
    for (const f of s.failed_instances) {
      lines.push(
        `  ${p.bad("failed on")} ${f.instance_id}: ${f.detailed_status ?? f.status}${f.error_code ? ` [${f.error_code}]` : ""}${f.time ? p.dim(`  ${relativeTime(f.time, now)}`) : ""}`,
      );
      if (f.output) for (const l of escapeForTerminal(f.output).split("\n")) lines.push(`      ${l}`);
    }
    lines.push("");
  }
  const failed = statuses.filter((s) => s.status === "Failed").length;
  const missing = statuses.filter((s) => s.status === "Missing").length;
  const problems = [failed > 0 ? `${failed} failed` : "", missing > 0 ? `${missing} missing` : ""]
    .filter((x) => x)
    .join(", ");
  lines.push(
    `${statuses.length} association${statuses.length === 1 ? "" : "s"}: ${problems === "" ? "all compliant or pending" : problems}.`,
  );
  return lines.join("\n");
}

/** `status --instances`: one row per managed instance, one column per association in the state. */
export function renderInstances(fleet: FleetStatus, p: Paint = paint(false)): string {
  const now = new Date(fleet.now);
  const targeted = new Set(fleet.associations.flatMap((a) => a.instances.map((i) => i.instance_id)));
  const rows: string[][] = [["INSTANCE", "NAME", "PLATFORM", "PING", ...fleet.associations.map((a) => a.address)]];
  for (const i of fleet.instances) {
    const cells = fleet.associations.map((a) => {
      const r = a.instances.find((x) => x.instance_id === i.instance_id);
      return r ? `${statusWord(r.status, p)} ${p.dim(relativeTime(r.execution_date, now))}` : p.dim("-");
    });
    rows.push([i.instance_id, i.name ?? "", i.platform ?? "", i.ping_status ?? "", ...cells]);
  }
  const lines = table(rows);
  lines.push("");
  const failing = fleet.instances.filter((i) =>
    fleet.associations.some((a) => a.instances.some((r) => r.instance_id === i.instance_id && r.status === "Failed")),
  );
  lines.push(
    `${fleet.instances.length} instance${fleet.instances.length === 1 ? "" : "s"}, ${targeted.size} targeted by these associations, ${failing.length} failing.`,
  );
  return lines.join("\n");
}

/** `status ADDRESS --instance ID`: the association's latest result on that instance, with its output. */
export function renderInstanceDetail(
  s: AssociationStatus,
  instanceId: string,
  now: Date,
  p: Paint = paint(false),
): string {
  const r = s.instances.find((i) => i.instance_id === instanceId);
  const lines = [`${p.bold(s.address)} on ${instanceId}`];
  if (!r) {
    lines.push(`  no result: the association has not run on ${instanceId} (not targeted, or not yet)`);
    return lines.join("\n");
  }
  lines.push(
    `  status:     ${statusWord(r.status, p)}${r.detailed_status && r.detailed_status !== r.status ? ` (${r.detailed_status})` : ""}`,
  );
  lines.push(
    `  ran:        ${relativeTime(r.execution_date, now)}${r.execution_date ? p.dim(`  (${r.execution_date})`) : ""}`,
  );
  lines.push(
    `  document:   ${r.document ?? "?"} version ${r.document_version ?? "?"}  (association version ${r.association_version ?? "?"})`,
  );
  if (r.execution_summary) lines.push(`  summary:    ${r.execution_summary}`);
  if (r.error_code) lines.push(`  error:      ${p.bad(r.error_code)}`);
  const failure = s.failed_instances.find((f) => f.instance_id === instanceId);
  const output = failure?.command_output;
  if (output) {
    lines.push(
      `  command:    ${output.command_id}${output.response_code !== undefined && output.response_code >= 0 ? `  exit code ${output.response_code}` : ""}`,
    );
    if (output.stdout) lines.push("  stdout:", ...excerpt(output.stdout, 40).map((l) => `    ${l}`));
    if (output.stderr) lines.push("  stderr:", ...excerpt(output.stderr, 40).map((l) => `    ${p.bad(l)}`));
    if (output.truncated || output.stdout_url)
      lines.push(`  full output: ${output.stdout_url ?? "(not written to S3)"}`);
  } else if (r.output_url) lines.push(`  output:     ${r.output_url}`);
  return lines.join("\n");
}

/**
 * `statectl status [ADDR…]`: for each association in the state, SSM's overview (status and
 * counts per status across its targets, targets the last run skipped), its compliance, the last
 * execution, the next scheduled run, and the instances whose latest result failed. `--instances`
 * pivots to one row per managed instance; `ADDR --instance ID` shows one result with its output.
 * `--failed` makes a non-compliant fleet (Failed or Missing associations) exit 1.
 */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show how each association in the state is doing across its targets")
    .argument("[address...]", "only these associations (an instance address or a whole resource)")
    .option("--json", "print the status as JSON")
    .option("--failed", "exit 1 when any association is Failed or Missing (not compliant), for CI and cron")
    .option("--instances", "one row per managed instance: each association's latest result there")
    .option("--instance <id>", "the association's latest result on one instance, with the command's output")
    .option("--watch [seconds]", "refresh every SECONDS (default 10) until interrupted")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (addresses: string[], opts: StatusOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      if (opts.instance !== undefined && addresses.length !== 1)
        throw new CliExit(
          ExitCode.Usage,
          "statectl status --instance ID: name exactly one association, e.g. statectl status association.web --instance i-0123456789abcdef0",
        );
      const p = paint(useColor(process.stdout, globals));
      const { runFleetStatus, hasErrors } = await import("../../index.js");
      const once = async (): Promise<AssociationStatus[]> => {
        const r = await runFleetStatus({
          dir: process.cwd(),
          env: process.env,
          addresses,
          vars: opts.var ?? [],
          varFiles: opts.varFile ?? [],
          ...(opts.instance !== undefined ? { outputs: true } : {}),
        });
        await printEngineDiagnostics(r.diagnostics, r.sources, globals);
        if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
        const fleet = r.value;
        const now = new Date(fleet.now);
        if (opts.json) {
          const associations =
            opts.instance !== undefined
              ? fleet.associations.map((a) => ({
                  ...a,
                  instances: a.instances.filter((i) => i.instance_id === opts.instance),
                  failed_instances: a.failed_instances.filter((f) => f.instance_id === opts.instance),
                }))
              : fleet.associations;
          out(
            JSON.stringify(
              (await import("../json-views.js")).statusToJson(
                { now: fleet.now, associations, ...(opts.instances ? { instances: fleet.instances } : {}) },
                r.diagnostics,
              ),
              null,
              2,
            ),
          );
        } else if (opts.instance !== undefined)
          out(
            renderInstanceDetail(
              defined(fleet.associations[0], "the one association --instance asks about"),
              opts.instance,
              now,
              p,
            ),
          );
        else if (opts.instances) out(renderInstances(fleet, p));
        else out(renderStatus(fleet.associations, now, p));
        return opts.instance !== undefined
          ? fleet.associations.map((a) => ({
              ...a,
              status: a.instances.find((i) => i.instance_id === opts.instance)?.status ?? a.status,
            }))
          : fleet.associations;
      };
      if (opts.watch !== undefined) {
        const seconds = opts.watch === true ? 10 : Number(opts.watch);
        if (!Number.isFinite(seconds) || seconds <= 0)
          throw new CliExit(ExitCode.Usage, "statectl status --watch: SECONDS must be a positive number");
        for (;;) {
          if (process.stdout.isTTY) process.stdout.write("\x1b[2J\x1b[H");
          await once();
          await new Promise((res) => setTimeout(res, seconds * 1000));
        }
      }
      const statuses = await once();
      if (opts.failed && statuses.some(isFailing)) throw new CliExit(ExitCode.Error);
    });
}
