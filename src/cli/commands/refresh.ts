import type { Command } from "commander";
import type { GlobalOptions } from "../io.js";
import { addPlanOptions, type EngineCliOptions } from "../engine-options.js";
import { applyCommand } from "./apply.js";

/**
 * `statectl refresh`: record in the state what changed in SSM outside statectl, changing nothing
 * in SSM — `apply --refresh-only --auto-approve`, as `terraform refresh` is.
 */
export function registerRefresh(program: Command): void {
  addPlanOptions(
    program
      .command("refresh")
      .description(
        "record in the state what changed in SSM outside statectl (apply --refresh-only --auto-approve); changes nothing in SSM",
      ),
    { replace: false },
  ).action(async (opts: EngineCliOptions, cmd: Command) => {
    await applyCommand(
      undefined,
      { ...opts, refreshOnly: true, autoApprove: true },
      cmd.optsWithGlobals<GlobalOptions>(),
      false,
    );
  });
}
