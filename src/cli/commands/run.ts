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
    .option(
      "--wait [seconds]",
      "follow the runs to their end (default: up to 600 seconds) and report per-instance results",
    )
    .option("--json", "print the results as JSON")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(
      async (
        addresses: string[],
        opts: { wait?: string | boolean; json?: boolean; var?: string[]; varFile?: string[] },
        cmd: Command,
      ) => {
        const globals = cmd.optsWithGlobals<GlobalOptions>();
        const { runAssociationsOnce, hasErrors } = await import("../../index.js");
        const waitSeconds = opts.wait === undefined ? undefined : opts.wait === true ? 600 : Number(opts.wait);
        if (waitSeconds !== undefined && (!Number.isFinite(waitSeconds) || waitSeconds <= 0))
          throw new CliExit(ExitCode.Usage, "statectl run --wait: SECONDS must be a positive number");
        // Ctrl-C (or SIGTERM, SIGHUP) while waiting: stop waiting, say what was left running, exit
        // with the signal's code. The runs go on in SSM either way. A second signal exits at once.
        const { exitCodeForSignal, onStopSignals, signalLabel } = await import("../signals.js");
        const stop = new AbortController();
        let stopped: import("../signals.js").StopSignal | undefined;
        const dispose =
          waitSeconds === undefined
            ? () => undefined
            : onStopSignals((signal) => {
                if (stopped) process.exit(exitCodeForSignal(stopped));
                stopped = signal;
                stop.abort();
              });
        let r: Awaited<ReturnType<typeof runAssociationsOnce>>;
        try {
          r = await runAssociationsOnce({
            dir: process.cwd(),
            env: process.env,
            addresses,
            vars: opts.var ?? [],
            varFiles: opts.varFile ?? [],
            ...(waitSeconds !== undefined ? { waitSeconds, signal: stop.signal } : {}),
          });
        } finally {
          dispose();
        }
        await printEngineDiagnostics(r.diagnostics, r.sources, globals);
        if (stopped && r.value) {
          if (opts.json)
            out(JSON.stringify((await import("../json-views.js")).runToJson(r.value, r.diagnostics), null, 2));
          const lines = [
            `${signalLabel(stopped)}: stopped waiting. The runs were started with StartAssociationsOnce and go on in SSM; what was left running:`,
          ];
          for (const x of r.value) {
            const run = x.execution_id ? `execution ${x.execution_id}` : "no execution seen yet";
            if (x.outcome !== "Interrupted")
              lines.push(`  ${x.address} (association ${x.association_id}): ${run}, finished: ${x.outcome}`);
            else if (!x.in_progress || x.in_progress.length === 0)
              lines.push(
                `  ${x.address} (association ${x.association_id}): ${run}, still running${x.execution_id ? "" : " or about to start"}`,
              );
            else {
              lines.push(
                `  ${x.address} (association ${x.association_id}): ${run}, in progress on ${x.in_progress.length} instance${x.in_progress.length === 1 ? "" : "s"}:`,
              );
              for (const i of x.in_progress)
                lines.push(`    ${i.instance_id}  ${i.status}${i.command_id ? `  command ${i.command_id}` : ""}`);
            }
          }
          lines.push("Follow them with: statectl status " + r.value.map((x) => x.address).join(" "));
          err(lines.join("\n"));
          throw new CliExit(exitCodeForSignal(stopped));
        }
        if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
        if (opts.json)
          out(JSON.stringify((await import("../json-views.js")).runToJson(r.value, r.diagnostics), null, 2));
        else {
          for (const x of r.value) {
            const counts = Object.entries(x.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ");
            out(`${x.address}  ${x.outcome}${counts ? `  (${counts})` : ""}`);
            for (const f of x.failed_instances)
              out(
                `  failed on ${f.instance_id}: ${f.detailed_status ?? f.status}${f.error_code ? ` [${f.error_code}]` : ""}${f.output ? `\n      ${f.output.split("\n").join("\n      ")}` : ""}`,
              );
          }
        }
        const none = r.value.filter((x) => x.outcome === "NoTargets");
        if (none.length > 0 && !opts.json)
          err(
            `\n${none.map((x) => x.address).join(", ")}: the targets match no managed instance, so no run started and there is nothing to wait for.`,
          );
        if (r.value.some((x) => x.outcome === "Failed" || x.outcome === "TimedOut" || x.outcome === "NoTargets"))
          throw new CliExit(ExitCode.Error);
      },
    );
}
