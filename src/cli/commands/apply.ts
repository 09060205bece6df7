import type { Command } from "commander";
import type { ApplyRun, EngineOutput } from "../../engine/index.js";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { exitCodeForSignal } from "../signals.js";
import {
  addPlanOptions,
  askApproval,
  interruptController,
  planRequest,
  printEngineDiagnostics,
  progressPrinter,
  type EngineCliOptions,
} from "../engine-options.js";

/** Shared by apply and destroy: plan (or read a plan file), confirm, apply, report. */
export async function applyCommand(
  planFile: string | undefined,
  opts: EngineCliOptions,
  globals: GlobalOptions,
  destroying: boolean,
): Promise<void> {
  const { runApply, renderPlan, hasErrors } = await import("../../index.js");
  if (opts.json && !opts.autoApprove && !planFile) {
    // --json leaves no one to answer the prompt: say so instead of cancelling without a word.
    const { error, SourceRegistry } = await import("../../diag/index.js");
    const refusal = error(
      "cli/json-needs-auto-approve",
      `${destroying ? "destroy" : "apply"} --json needs --auto-approve or a plan file`,
      {
        detail:
          "With --json there is no prompt to approve the plan, so nothing would be applied. Nothing was planned or changed.",
        hint: `review with statectl plan --out FILE, then run statectl apply --json FILE; or add --auto-approve`,
      },
    );
    await printEngineDiagnostics([refusal], new SourceRegistry(), globals);
    const { applyToJson } = await import("../json-views.js");
    out(JSON.stringify(applyToJson({ cancelled: false, diagnostics: [refusal] }), null, 2));
    throw new CliExit(ExitCode.Usage);
  }
  // A saved plan carries its inputs: nothing to ask.
  if (planFile === undefined) opts = await (await import("../prompt-variables.js")).promptForMissingVariables(opts);
  const color = useColor(process.stdout, globals);
  const write = opts.json ? (line: string) => err(line) : out;
  const interrupt = interruptController(write);
  let run: ApplyRun;
  let interrupted: boolean;
  let stoppedBy: number;

  try {
    run = await runApply({
      ...planRequest({ ...opts, ...(destroying ? { destroy: true } : {}) }, progressPrinter(write), interrupt.signal),
      cancel: interrupt.cancel,
      ...(planFile ? { planFile } : {}),
      confirm: async (plan) => {
        write("\n" + renderPlan(plan, { color }));
        if (opts.autoApprove) {
          write("");
          return true;
        }
        if (opts.json) return false;
        return askApproval(
          destroying ? "Do you really want to destroy all resources?" : "Do you want to perform these actions?",
          destroying
            ? "statectl will destroy everything in the state. There is no undo."
            : "statectl will perform the actions described above.",
          interrupt.signal,
        );
      },
    });
  } finally {
    interrupted = interrupt.interrupted() > 0;
    stoppedBy = exitCodeForSignal(interrupt.firstSignal());
    interrupt.dispose();
  }
  const verb = destroying ? "Destroy" : "Apply";
  if (interrupted && !run.result) {
    // Stopped while planning or at the prompt: the refresh errors an abort causes are noise.
    if (!opts.json) err(`\n${verb} interrupted before any change was made. Nothing was changed.`);
    throw new CliExit(stoppedBy);
  }
  if (run.plan && !run.result && !run.cancelled && !run.plan.errored && !hasErrors(run.diagnostics))
    write("\n" + renderPlan(run.plan, { color }));
  await printEngineDiagnostics(run.diagnostics, run.sources, globals);
  if (opts.json) {
    const { applyToJson } = await import("../json-views.js");
    out(JSON.stringify(applyToJson(run), null, 2));
  }
  if (run.cancelled) {
    if (!opts.json) out(destroying ? "Destroy cancelled." : "Apply cancelled.");
    throw new CliExit(ExitCode.Error);
  }
  const r = run.result;
  if (r && interrupted) {
    if (!opts.json) {
      const counts = destroying
        ? `Resources: ${r.destroyed} destroyed.`
        : `Resources: ${r.added} added, ${r.changed} changed, ${r.destroyed} destroyed.`;
      err(
        `\n${verb} interrupted. ${counts}${r.errors.length > 0 ? ` ${r.errors.length} change${r.errors.length === 1 ? "" : "s"} failed or were abandoned (listed above).` : ""}`,
      );
      if (r.skipped.length > 0) err(`Not started: ${r.skipped.join(", ")}.`);
      err(
        `Every change that finished is recorded in the state (serial ${r.state.serial}); run the command again to continue.`,
      );
    }
    throw new CliExit(stoppedBy);
  }
  if (r) {
    const counts = destroying
      ? `Resources: ${r.destroyed} destroyed.`
      : `Resources: ${r.imported > 0 ? `${r.imported} imported, ` : ""}${r.added} added, ${r.changed} changed, ${r.destroyed} destroyed.`;
    if (r.errors.length === 0 && !hasErrors(run.diagnostics)) {
      if (!opts.json) {
        out(`\n${destroying ? "Destroy" : "Apply"} complete! ${counts}`);
        if (!destroying && run.outputs && run.outputs.length > 0) await printOutputs(run.outputs);
      }
    } else {
      if (!opts.json) {
        err(
          `\n${destroying ? "Destroy" : "Apply"} failed: ${r.errors.length} error${r.errors.length === 1 ? "" : "s"}. ${counts}`,
        );
        if (r.skipped.length > 0)
          err(`Not attempted because something they depend on failed: ${r.skipped.join(", ")}.`);
        err("Every change that happened is recorded in the state; run the command again to continue.");
      }
      throw new CliExit(ExitCode.Error);
    }
    if (interruptedBefore(run)) throw new CliExit(stoppedBy);
    return;
  }
  if (hasErrors(run.diagnostics) || run.plan?.errored) throw new CliExit(ExitCode.Error);
  if (!opts.json && run.outputs && run.outputs.length > 0) await printOutputs(run.outputs);
}

async function printOutputs(outputs: readonly EngineOutput[]): Promise<void> {
  const { formatPlanValue } = await import("../../plan/index.js");
  const width = Math.max(...outputs.map((o) => o.name.length));
  out(
    `\nOutputs:\n\n${outputs.map((o) => `${o.name.padEnd(width)} = ${formatPlanValue(o.value, "", o.sensitive)}`).join("\n")}`,
  );
}

function interruptedBefore(run: ApplyRun): boolean {
  return run.result !== undefined && run.result.skipped.length > 0 && run.result.errors.length === 0;
}

export function registerApply(program: Command): void {
  addPlanOptions(
    program
      .command("apply")
      .argument("[planfile]", "a plan saved with `statectl plan --out FILE`: apply exactly that")
      .description("make SSM match the configuration (plans first and asks for confirmation)")
      .option("--auto-approve", "do not ask for confirmation"),
    { destroyFlag: true },
  ).action(async (planFile: string | undefined, opts: EngineCliOptions, cmd: Command) => {
    await applyCommand(planFile, opts, cmd.optsWithGlobals<GlobalOptions>(), opts.destroy === true);
  });
}
