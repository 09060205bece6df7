import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";

export function registerGraph(program: Command): void {
  program
    .command("graph")
    .description("print the dependency graph of the configuration's resources in Graphviz DOT")
    .option("--var <name=value>", "set a variable (repeatable)", (v: string, p: string[] = []) => [...p, v])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", (v: string, p: string[] = []) => [...p, v])
    .addHelpText("after", "\nRender it with Graphviz, e.g.: statectl graph | dot -Tsvg > graph.svg")
    .action(async (opts: { var?: string[]; varFile?: string[] }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { runGraph, hasErrors } = await import("../../index.js");
      const r = await runGraph({ dir: process.cwd(), env: process.env, ...(opts.var ? { vars: opts.var } : {}), ...(opts.varFile ? { varFiles: opts.varFile } : {}) });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.dot) throw new CliExit(ExitCode.Error);
      out(r.dot);
    });
}
