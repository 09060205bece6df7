import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";

interface ReportOptions {
  out: string;
  executions: string;
  var?: string[];
  varFile?: string[];
}

/**
 * `statectl report --out report.html`: the fleet as one self-contained HTML page — compliance
 * heat map, execution timeline per association, failures with their error and output, and the
 * dependency graph — that opens without a network.
 */
export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "write a self-contained HTML report: compliance heat map, execution timeline, failures with output, dependency graph",
    )
    .option("--out <file>", "where to write the HTML", "statectl-report.html")
    .option("--executions <n>", "executions per association on the timeline", "50")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (opts: ReportOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const executions = Number(opts.executions);
      if (!Number.isInteger(executions) || executions < 1)
        throw new CliExit(ExitCode.Usage, "statectl report --executions: N must be a positive whole number");
      const { runReport, hasErrors } = await import("../../index.js");
      const r = await runReport({
        dir: process.cwd(),
        env: process.env,
        vars: opts.var ?? [],
        varFiles: opts.varFile ?? [],
        executions,
      });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
      const { renderReport } = await import("../views/report.js");
      const { writeFileSync } = await import("node:fs");
      try {
        writeFileSync(opts.out, renderReport(r.value));
      } catch (e) {
        err(`statectl report: cannot write ${opts.out}: ${(e as Error).message}`);
        throw new CliExit(ExitCode.Error);
      }
      const failed = r.value.status.associations.reduce((n, a) => n + a.failed_instances.length, 0);
      out(
        `Wrote ${opts.out}: ${r.value.status.associations.length} associations, ${r.value.compliance.instances.length} instances, ${failed} failing instance result${failed === 1 ? "" : "s"}.`,
      );
    });
}
