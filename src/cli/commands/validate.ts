import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, err, useColor, type GlobalOptions } from "../io.js";
import { collect, type VariableOptions } from "../validate-config.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check the syntax and consistency of every *.state file in the working directory")
    .option("--json", "print the diagnostics as JSON (file, range, severity, code, summary, detail)")
    .option("--var <name=value>", "set a variable (repeatable; wins over --var-file)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (opts: { json?: boolean } & VariableOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      // Loaded together, not one after another: each import is a round of file reads at start-up.
      const [
        { SourceRegistry, renderDiagnostics, diagnosticsToJson, error },
        { validateConfiguration },
        { readConfigurationDir },
      ] = await Promise.all([
        import("../../diag/index.js"),
        // Parse, then config and eval, then the SSM checks (engine/validate.ts), each only while the earlier found no errors.
        import("../../engine/validate.js"),
        import("../../config/index.js"),
      ]);
      const dir = process.cwd();
      const read = readConfigurationDir(dir);
      const validated = await validateConfiguration({
        dir,
        files: read.files,
        vars: opts.var ?? [],
        varFiles: opts.varFile ?? [],
        env: process.env,
        syntaxOnly: read.problems.length > 0,
      });
      // What is shown: every file read, and what can be shown of those that could not be.
      const result = {
        texts: new Map([
          ...read.files.map((f): [string, string] => [f.name, f.text]),
          ...read.problems.flatMap((p): [string, string][] =>
            p.file !== undefined && p.shown !== undefined ? [[p.file, p.shown]] : [],
          ),
        ]),
      };
      const diagnostics = [...read.problems.map((p) => p.diagnostic), ...validated.diagnostics];
      if (result.texts.size === 0 && !diagnostics.some((d) => d.severity === "error")) {
        diagnostics.push(
          error("validate/no-files", "No configuration files", {
            detail: `there are no *.state files in ${dir}`,
            hint: "run statectl in the directory holding your .state files, or pass -C DIR",
          }),
        );
      }
      const errors = diagnostics.filter((d) => d.severity === "error").length;
      const warnings = diagnostics.length - errors;
      if (opts.json) {
        out(JSON.stringify(diagnosticsToJson(diagnostics), null, 2));
      } else {
        const sources = new SourceRegistry();
        for (const [name, text] of result.texts) sources.add(name, text);
        // Evaluation diagnostics can point into .statevars files too; show their lines as well.
        const { readFileSync } = await import("node:fs");
        for (const f of new Set(diagnostics.map((d) => d.range?.file))) {
          if (f === undefined || result.texts.has(f)) continue;
          try {
            sources.add(f, readFileSync(f, "utf8"));
          } catch {
            // no snippet for a file that cannot be read
          }
        }
        if (diagnostics.length > 0)
          err(renderDiagnostics(diagnostics, sources, { color: useColor(process.stderr, globals) }) + "\n\n");
        if (errors === 0) {
          out(
            warnings === 0
              ? "Success! The configuration is valid."
              : `Success! The configuration is valid, but there ${warnings === 1 ? "was 1 warning" : `were ${warnings} warnings`}.`,
          );
        } else {
          const filesWithErrors = new Set(
            diagnostics.filter((d) => d.severity === "error").map((d) => d.range?.file ?? ""),
          ).size;
          err(
            `${errors === 1 ? "1 error" : `${errors} errors`}${warnings ? `, ${warnings === 1 ? "1 warning" : `${warnings} warnings`}` : ""} in ${filesWithErrors === 1 ? "1 file" : `${filesWithErrors} files`}.`,
          );
        }
      }
      if (errors > 0) throw new CliExit(ExitCode.Error);
    });
}
