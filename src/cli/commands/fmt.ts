import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";

// Placeholder until the 'fmt' command is built; it fails loudly rather than pretending.
export function registerFmt(program: Command): void {
  program
    .command("fmt")
    .description("(not yet available)")
    .action(() => {
      throw new CliExit(ExitCode.Error, "statectl fmt: not implemented yet");
    });
}
