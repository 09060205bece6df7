import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";

/**
 * `statectl run ADDR… [--wait]`: starts the associations once (StartAssociationsOnce). With
 * --wait, follows each run to its end and reports per-instance results; exits 1 if any failed.
 */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run associations in the state once, now (StartAssociationsOnce)")
    .argument("<address...>", "the associations to run (an instance address or a whole resource)")
    .option("--wait [seconds]", "follow the runs to their end (default: up to 600 seconds) and report per-instance results")
    .option("--json", "print the results as JSON")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (addresses: string[], opts: { wait?: string | boolean; json?: boolean; var?: string[]; varFile?: string[] }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { runAssociationsOnce, hasErrors } = await import("../../index.js");
      const waitSeconds = opts.wait === undefined ? undefined : opts.wait === true ? 600 : Number(opts.wait);
      if (waitSeconds !== undefined && (!Number.isFinite(waitSeconds) || waitSeconds <= 0)) throw new CliExit(ExitCode.Usage, "statectl run --wait: SECONDS must be a positive number");
      const r = await runAssociationsOnce({ dir: process.cwd(), env: process.env, addresses, vars: opts.var ?? [], varFiles: opts.varFile ?? [], ...(waitSeconds !== undefined ? { waitSeconds } : {}) });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
      if (opts.json) out(JSON.stringify((await import("../json-views.js")).runToJson(r.value, r.diagnostics), null, 2));
      else {
        for (const x of r.value) {
          const counts = Object.entries(x.counts).map(([k, v]) => `${k} ${v}`).join(", ");
          out(`${x.address}  ${x.outcome}${counts ? `  (${counts})` : ""}`);
          for (const f of x.failed_instances) out(`  failed on ${f.instance_id}: ${f.detailed_status ?? f.status}${f.error_code ? ` [${f.error_code}]` : ""}${f.output ? `\n      ${f.output.split("\n").join("\n      ")}` : ""}`);
        }
      }
      const none = r.value.filter((x) => x.outcome === "NoTargets");
      if (none.length > 0 && !opts.json) err(`\n${none.map((x) => x.address).join(", ")}: the targets match no managed instance, so no run started and there is nothing to wait for.`);
      if (r.value.some((x) => x.outcome === "Failed" || x.outcome === "TimedOut" || x.outcome === "NoTargets")) throw new CliExit(ExitCode.Error);
    });
}
