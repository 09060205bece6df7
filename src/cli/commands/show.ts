import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, useColor, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { DEFAULT_STATE_PATH, failOnErrors } from "../state-options.js";

interface ShowOptions {
  json?: boolean;
  state?: string;
}

/**
 * `statectl show [PLANFILE]`: a saved plan rendered as `plan` renders it, or (without PLANFILE)
 * every resource instance in the state (the local file or the S3 backend) and the outputs
 * recorded by the last apply. Never talks to SSM. Sensitive values are masked in both forms.
 */
export function registerShow(program: Command): void {
  program
    .command("show")
    .description("show a saved plan (as plan shows it), or the state: every resource instance and the outputs")
    .argument("[planfile]", "a plan saved with `statectl plan --out FILE` (default: show the state)")
    .option("--json", "machine-readable output (a plan as plan --json prints it)")
    .option(
      "--state <path>",
      "a state file to show (default: the configuration's state: its S3 backend, its state { path }, else statectl.state.json; the selected workspace's)",
    )
    .action(async (planFile: string | undefined, opts: ShowOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      if (planFile !== undefined) {
        const { readPlanFile, renderPlan, planToJson } = await import("../../plan/index.js");
        const { SourceRegistry } = await import("../../diag/index.js");
        const r = await readPlanFile(planFile);
        await printEngineDiagnostics(r.diagnostics, new SourceRegistry(), globals);
        if (!r.plan) throw new CliExit(ExitCode.Error);
        out(
          opts.json
            ? JSON.stringify(planToJson(r.plan), null, 2)
            : renderPlan(r.plan, { color: useColor(process.stdout, globals) }),
        );
        return;
      }
      const { instanceView, renderInstance, STATE_VIEW_FORMAT_VERSION } = await import("../../state/index.js");
      const { formatPlanValue } = await import("../../plan/index.js");
      const { commandStateLocation, readStateOnce, stateStorageFor } = await import("../../engine/backend.js");
      // The configuration's state: its S3 backend or local file, for the selected workspace.
      const { where, workspace } = await commandStateLocation(process.cwd(), {
        ...(opts.state !== undefined ? { explicitPath: opts.state } : {}),
        defaultPath: DEFAULT_STATE_PATH,
        env: process.env,
      });
      const read = await readStateOnce(stateStorageFor(where, opts.state !== undefined ? "default" : workspace));
      await failOnErrors(read.diagnostics, globals);
      const state = read.state;
      const outputs = Object.entries(state?.outputs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
      if (opts.json) {
        out(
          JSON.stringify(
            {
              format_version: STATE_VIEW_FORMAT_VERSION,
              ...(state ? { serial: state.serial, lineage: state.lineage } : {}),
              resources: (state?.resources ?? []).map(instanceView),
              outputs: Object.fromEntries(
                outputs.map(([name, o]) => [name, { sensitive: o.sensitive, value: o.sensitive ? null : o.value }]),
              ),
            },
            null,
            2,
          ),
        );
        return;
      }
      if (!state) {
        out("No state.");
        return;
      }
      if (state.resources.length === 0 && outputs.length === 0) {
        out("The state is empty.");
        return;
      }
      const parts = state.resources.map(renderInstance);
      if (outputs.length > 0) {
        const width = Math.max(...outputs.map(([n]) => n.length));
        parts.push(
          `Outputs:\n\n${outputs.map(([n, o]) => `${n.padEnd(width)} = ${formatPlanValue(o.value, "", o.sensitive)}`).join("\n")}`,
        );
      }
      out(parts.join("\n\n"));
    });
}
