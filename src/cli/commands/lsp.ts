import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";

/**
 * `statectl lsp`: the language server over stdio (src/lsp/). stdout carries only the protocol,
 * so nothing else may print there. The server is loaded only when this command runs, so it costs
 * the other commands nothing at start-up.
 */
export function registerLsp(program: Command): void {
  program
    .command("lsp")
    .description(
      "run the language server (LSP over stdio) for editors: diagnostics, completion, hover, go to definition, formatting",
    )
    .option("--stdio", "talk LSP over stdin/stdout (the default and only transport; accepted because editors pass it)")
    .addHelpText(
      "after",
      `
Editors start this command and talk to it; see docs/editors.md for VS Code, Neovim and Helix.
initializationOptions may set { "vars": ["name=value"], "varFiles": ["dev.statevars"] }; like
validate, the server also reads STATECTL_VAR_name from its environment.
Exit codes: 0 after shutdown and exit, 1 when the client exits or disconnects without shutdown.`,
    )
    .action(async () => {
      const { runLanguageServer } = await import("../../lsp/index.js");
      const code = await runLanguageServer({ input: process.stdin, output: process.stdout, env: process.env });
      // Stop reading so nothing keeps the process alive once the client is done with us.
      process.stdin.pause();
      process.stdin.destroy();
      if (code !== ExitCode.Ok) throw new CliExit(ExitCode.Error);
    });
}
