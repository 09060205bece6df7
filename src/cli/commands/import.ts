import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";

/** `statectl import ADDR ID`: bring an existing document (by name) or association (by id) under management at ADDR. */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description("record an existing document (by name) or association (by id) in the state at ADDRESS")
    .argument("<address>", "the configuration address, e.g. association.web")
    .argument("<id>", "an association's id, or a document's name")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (address: string, id: string, opts: { var?: string[]; varFile?: string[] }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { runImport, hasErrors } = await import("../../index.js");
      const r = await runImport({ dir: process.cwd(), env: process.env, address, id, vars: opts.var ?? [], varFiles: opts.varFile ?? [] });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
      out(`Imported ${r.value.address} (id ${r.value.id}). Run statectl plan to compare it with the configuration.`);
    });
}
