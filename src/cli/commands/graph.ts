import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";

export function registerGraph(program: Command): void {
  program
    .command("graph")
    .description("print the dependency graph of the configuration's resources (Graphviz DOT, or SVG)")
    .option(
      "--format <format>",
      "dot (Graphviz source) or svg (laid out by Graphviz compiled to WebAssembly; no graphviz install needed)",
      "dot",
    )
    .option("--var <name=value>", "set a variable (repeatable)", collect)
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect)
    .addHelpText("after", "\nA picture without installing Graphviz: statectl graph --format svg > graph.svg")
    .action(async (opts: { var?: string[]; varFile?: string[]; format: string }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      if (opts.format !== "dot" && opts.format !== "svg")
        throw new CliExit(ExitCode.Usage, `statectl graph --format: "${opts.format}" is not dot or svg`);
      const { runGraph, hasErrors } = await import("../../index.js");
      const r = await runGraph({
        dir: process.cwd(),
        env: process.env,
        ...(opts.var ? { vars: opts.var } : {}),
        ...(opts.varFile ? { varFiles: opts.varFile } : {}),
      });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.dot) throw new CliExit(ExitCode.Error);
      if (opts.format === "svg") {
        const { dotToSvg } = await import("../../index.js");
        out(await dotToSvg(r.dot));
      } else out(r.dot);
    });
}
