import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";

// Placeholder until the 'validate' command is built; it fails loudly rather than pretending.
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("(not yet available)")
    .action(() => {
      throw new CliExit(ExitCode.Error, "statectl validate: not implemented yet");
    });
}
