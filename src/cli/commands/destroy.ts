import type { Command } from "commander";
import type { GlobalOptions } from "../io.js";
import { addPlanOptions, type EngineCliOptions } from "../engine-options.js";
import { applyCommand } from "./apply.js";

export function registerDestroy(program: Command): void {
  addPlanOptions(
    program
      .command("destroy")
      .description("delete everything the state records, dependents first")
      .option("--auto-approve", "do not ask for confirmation"),
    { replace: false },
  ).action(async (opts: EngineCliOptions, cmd: Command) => {
    await applyCommand(undefined, opts, cmd.optsWithGlobals<GlobalOptions>(), true);
  });
}
