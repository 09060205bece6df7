import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, type GlobalOptions } from "../io.js";
import { printEngineDiagnostics } from "../engine-options.js";
import { collect } from "../validate-config.js";

interface ImportOptions {
  var?: string[];
  varFile?: string[];
  generate?: string;
  all?: boolean;
  filter?: string[];
  input?: boolean;
}

/**
 * `statectl import ADDR ID`: bring an existing document (by name) or association (by id) under
 * management at ADDR. `statectl import --generate FILE.state`: write configuration and state for
 * what exists.
 */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description(
      "record an existing document (by name) or association (by id) in the state at ADDRESS; or, with --generate, write configuration for what exists",
    )
    .argument("[address]", "the configuration address, e.g. association.web")
    .argument("[id]", "a document's name; an association's id, or its name when no other association has it")
    .option(
      "--generate <file>",
      "write configuration for existing documents and associations to this new .state file, and record them in the state",
    )
    .option("--all", "with --generate: every document the account owns (Owner Self) and every association")
    .option(
      "--filter <filter>",
      "with --generate: name=GLOB, document=GLOB or tag:KEY=GLOB (repeatable; any may match)",
      collect,
      [],
    )
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .option("--no-input", "never ask for missing variables (asked only when stdin is a terminal)")
    .action(async (address: string | undefined, id: string | undefined, given: ImportOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const { promptForMissingVariables } = await import("../prompt-variables.js");
      const opts = await promptForMissingVariables(given);
      const inputs = { dir: process.cwd(), env: process.env, vars: opts.var ?? [], varFiles: opts.varFile ?? [] };
      if (opts.generate !== undefined) {
        if (address !== undefined) throw new CliExit(ExitCode.Usage, "import --generate takes no ADDRESS or ID");
        const { runGenerate, hasErrors } = await import("../../index.js");
        const r = await runGenerate({
          ...inputs,
          file: opts.generate,
          all: opts.all === true,
          filters: opts.filter ?? [],
        });
        await printEngineDiagnostics(r.diagnostics, r.sources, globals);
        if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
        const v = r.value;
        for (const m of v.alreadyManaged) out(`Already managed: ${m.address} (id ${m.id})`);
        if (v.resources.length === 0) return;
        for (const res of v.resources) out(`Generated ${res.address} (id ${res.id})`);
        out(
          `\nWrote ${v.files.join(", ")} and recorded ${v.resources.length} resource${v.resources.length === 1 ? "" : "s"} in the state. Run statectl plan: it should show no changes.`,
        );
        return;
      }
      if (opts.all || (opts.filter ?? []).length > 0)
        throw new CliExit(ExitCode.Usage, "--all and --filter go with --generate");
      if (address === undefined || id === undefined)
        throw new CliExit(
          ExitCode.Usage,
          `error: missing required argument '${address === undefined ? "address" : "id"}' (statectl import ADDRESS ID, or statectl import --generate FILE.state)`,
        );
      const { runImport, hasErrors } = await import("../../index.js");
      const r = await runImport({ ...inputs, address, id });
      await printEngineDiagnostics(r.diagnostics, r.sources, globals);
      if (hasErrors(r.diagnostics) || !r.value) throw new CliExit(ExitCode.Error);
      out(`Imported ${r.value.address} (id ${r.value.id}). Run statectl plan to compare it with the configuration.`);
    });
}
