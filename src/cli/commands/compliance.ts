import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, useColor, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";
import { paint, relativeTime, statusWord, table, type Paint } from "../views/visibility.js";
import type { ComplianceReport } from "../../engine/index.js";

interface ComplianceOptions {
  json?: boolean;
  severity?: string[];
  association?: string[];
  instance?: string[];
  failed?: boolean;
  var?: string[];
  varFile?: string[];
}

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"];

/** Narrows the report to the severities, associations (addresses) and instances asked for. */
export function filterCompliance(
  report: ComplianceReport,
  opts: { severity?: string[]; association?: string[]; instance?: string[] },
): ComplianceReport {
  const severities = (opts.severity ?? []).map((s) => s.toUpperCase());
  const associations = opts.association ?? [];
  const instances = opts.instance ?? [];
  const keepAssociation = (a: { address: string; association_id: string }) =>
    associations.length === 0 ||
    associations.some((x) => x === a.address || x === a.association_id || a.address.startsWith(`${x}[`));
  const kept = report.associations.filter(keepAssociation);
  const keptIds = new Set(kept.map((a) => a.association_id));
  const cells = report.cells.filter(
    (c) =>
      keptIds.has(c.association_id) &&
      (severities.length === 0 || severities.includes(c.severity)) &&
      (instances.length === 0 || instances.includes(c.instance_id)),
  );
  const withCells = new Set(cells.map((c) => c.instance_id));
  return {
    ...report,
    associations: kept,
    instances: report.instances.filter(
      (i) =>
        (instances.length === 0 || instances.includes(i.instance_id)) &&
        (withCells.has(i.instance_id) || (severities.length === 0 && associations.length === 0)),
    ),
    cells,
  };
}

export function renderCompliance(report: ComplianceReport, p: Paint = paint(false)): string {
  const now = new Date(report.now);
  const lines: string[] = [];
  const rows: string[][] = [["INSTANCE", "NAME", ...report.associations.map((a) => a.address)]];
  for (const i of report.instances) {
    rows.push([
      i.instance_id,
      i.name ?? "",
      ...report.associations.map((a) => {
        const c = report.cells.find((x) => x.instance_id === i.instance_id && x.association_id === a.association_id);
        if (!c) return p.dim("-");
        const word = c.status === "COMPLIANT" ? "compliant" : "NON-COMPLIANT";
        return `${c.status === "COMPLIANT" ? p.good(word) : p.bad(word)}${c.status !== "COMPLIANT" && c.severity !== "UNSPECIFIED" ? ` ${c.severity}` : ""}`;
      }),
    ]);
  }
  if (report.associations.length === 0) lines.push("No associations match.");
  else lines.push(...table(rows));
  const failing = report.cells.filter((c) => c.status === "NON_COMPLIANT");
  const compliant = report.cells.length - failing.length;
  lines.push(
    "",
    `Association compliance: ${compliant} compliant, ${failing.length} non-compliant (instance × association).`,
  );
  if (failing.length > 0) {
    const bySeverity = SEVERITIES.map((s) => [s, failing.filter((c) => c.severity === s).length] as const).filter(
      ([, n]) => n > 0,
    );
    lines.push(`Non-compliant by severity: ${bySeverity.map(([s, n]) => `${s} ${n}`).join(", ")}.`);
    for (const c of failing)
      lines.push(
        `  ${p.bad("✗")} ${c.address ?? c.association_id} on ${c.instance_id}  ${statusWord(c.status, p)} ${c.severity}${c.execution_time ? p.dim(`  ${relativeTime(c.execution_time, now)}`) : ""}`,
      );
  }
  const others = report.summaries.filter((s) => s.compliance_type !== "Association");
  if (others.length > 0) {
    lines.push("", "Other compliance types (resources):");
    for (const s of others)
      lines.push(`  ${s.compliance_type}: ${s.compliant} compliant, ${s.non_compliant} non-compliant`);
  }
  return lines.join("\n");
}

/**
 * `statectl compliance`: the fleet's Association compliance as instances × the associations in
 * the state (State Manager reports an item per instance after each run, with the association's
 * compliance_severity), filterable by severity, association and instance.
 */
export function registerCompliance(program: Command): void {
  program
    .command("compliance")
    .description("show which instances are compliant with which association, by severity")
    .option("--json", "print the compliance as JSON")
    .option(
      "--severity <level>",
      "only non-compliance of this severity: critical, high, medium, low, informational, unspecified (repeatable)",
      collect,
      [],
    )
    .option("--association <address>", "only this association (repeatable)", collect, [])
    .option("--instance <id>", "only this instance (repeatable)", collect, [])
    .option("--failed", "exit 1 when any instance is non-compliant (after the filters)")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (opts: ComplianceOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const bad = (opts.severity ?? []).find((s) => !SEVERITIES.includes(s.toUpperCase()));
      if (bad !== undefined)
        throw new CliExit(
          ExitCode.Usage,
          `statectl compliance --severity: "${bad}" is not one of ${SEVERITIES.map((s) => s.toLowerCase()).join(", ")}`,
        );
      const { runCompliance, hasErrors } = await import("../../index.js");
      const r = await runCompliance({
        dir: process.cwd(),
        env: process.env,
        vars: opts.var ?? [],
        varFiles: opts.varFile ?? [],
      });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
      const report = filterCompliance(r.value, opts);
      const nonCompliant = report.cells.filter((c) => c.status === "NON_COMPLIANT").length;
      if (opts.json)
        out(JSON.stringify((await import("../json-views.js")).complianceToJson(report, r.diagnostics), null, 2));
      else out(renderCompliance(report, paint(useColor(process.stdout, globals))));
      if (opts.failed && nonCompliant > 0) throw new CliExit(ExitCode.Error);
    });
}
