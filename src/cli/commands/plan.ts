import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { exitCodeForSignal, onStopSignals, signalLabel, type StopSignal } from "../signals.js";
import {
  addPlanOptions,
  planRequest,
  printEngineDiagnostics,
  progressPrinter,
  type EngineCliOptions,
} from "../engine-options.js";

export function registerPlan(program: Command): void {
  addPlanOptions(
    program
      .command("plan")
      .description("show what apply would change in SSM to match the configuration")
      .option("--out <file>", "save the plan to a file for `statectl apply FILE`")
      .option(
        "--out-md <file>",
        "also write the plan as Markdown (counts, each change and its impact, warnings) for a pull-request comment",
      )
      .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on errors"),
    { destroyFlag: true },
  ).action(async (given: EngineCliOptions, cmd: Command) => {
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    const { promptForMissingVariables } = await import("../prompt-variables.js");
    const opts = await promptForMissingVariables(given);
    const { runPlan, renderPlan, planToJson, hasChanges, hasErrors } = await import("../../index.js");
    const events = opts.json ? undefined : progressPrinter(out);
    // Ctrl-C, SIGTERM, SIGHUP: stop reading, release the lock, exit 130/143/129 (the default
    // would leave the lock behind).
    const stop = new AbortController();
    let stoppedBy: StopSignal | undefined;
    const dispose = onStopSignals((signal) => {
      if (stop.signal.aborted) process.exit(exitCodeForSignal(stoppedBy));
      stoppedBy = signal;
      err(`\n${signalLabel(signal)} received: stopping the plan. Press Ctrl-C again to stop at once.`);
      stop.abort();
    });
    let run: Awaited<ReturnType<typeof runPlan>>;
    try {
      run = await runPlan({ ...planRequest(opts, events, stop.signal), ...(opts.out ? { out: opts.out } : {}) });
    } finally {
      dispose();
    }
    if (stop.signal.aborted) {
      err("Plan interrupted: nothing was changed.");
      throw new CliExit(exitCodeForSignal(stoppedBy));
    }
    const failed = hasErrors(run.diagnostics) || !run.plan || run.plan.errored;
    const outMd = (opts as { outMd?: string }).outMd;
    if (outMd && run.plan) {
      const { renderPlanMarkdown } = await import("../../index.js");
      const { planWithDiagnostics } = await import("../../plan/index.js");
      const { writeFileSync } = await import("node:fs");
      try {
        writeFileSync(outMd, renderPlanMarkdown(planWithDiagnostics(run.plan, run.diagnostics)));
      } catch (e) {
        err(`statectl plan --out-md: cannot write ${outMd}: ${(e as Error).message}`);
        throw new CliExit(ExitCode.Error);
      }
    }
    if (opts.json) {
      const { failedPlanToJson, planWithDiagnostics } = await import("../../plan/index.js");
      out(
        JSON.stringify(
          run.plan ? planToJson(planWithDiagnostics(run.plan, run.diagnostics)) : failedPlanToJson(run.diagnostics),
          null,
          2,
        ),
      );
    } else {
      if (run.plan && !run.plan.errored)
        out(
          (run.plan.changes.length > 0 || run.plan.drift.length > 0 ? "\n" : "") +
            renderPlan(run.plan, { color: useColor(process.stdout, globals) }),
        );
      await printEngineDiagnostics(run.diagnostics, run.sources, globals);
      if (run.plan && !failed && opts.out)
        out(
          `\nSaved the plan to: ${opts.out}\n\nTo perform exactly these actions, run:\n    statectl apply ${opts.out}`,
        );
    }
    if (failed || !run.plan) throw new CliExit(ExitCode.Error);
    if (opts.detailedExitcode && hasChanges(run.plan)) throw new CliExit(ExitCode.Changes);
  });
}
