import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";

// Placeholder until the 'local' command is built; it fails loudly rather than pretending.
export function registerLocal(program: Command): void {
  program
    .command("local")
    .description("(not yet available)")
    .action(() => {
      throw new CliExit(ExitCode.Error, "statectl local: not implemented yet");
    });
}
