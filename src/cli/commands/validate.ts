import type { Command } from "commander";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { Body } from "../../syntax/ast.js";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, err, useColor, type GlobalOptions } from "../io.js";
import { collect, type VariableOptions } from "../validate-config.js";

/** One `.state` file of the configuration, parsed. */
export interface ParsedFile {
  /** Path relative to the working directory, as diagnostics show it. */
  name: string;
  text: string;
  body: Body;
}

/**
 * A validation step after parsing. Steps run in order, and only while no earlier step (or the
 * parser) found errors, so one mistake doesn't cascade into follow-on errors. Later stages
 * (config decoding, evaluation) add theirs to `validationSteps`.
 */
export interface ValidationStep {
  name: string;
  run(files: readonly ParsedFile[]): Diagnostic[] | Promise<Diagnostic[]>;
}

export const validationSteps: ValidationStep[] = [];

export interface ValidateResult {
  files: ParsedFile[];
  diagnostics: Diagnostic[];
}

/** Parses and checks every `*.state` file in `dir` (not recursive). */
export async function validateDirectory(dir: string): Promise<ValidateResult & { texts: Map<string, string> }> {
  const { readdir, stat } = await import("node:fs/promises");
  const { readSourceFile } = await import("../../config/source-file.js");
  const { join } = await import("node:path");
  const { parseFile } = await import("../../syntax/parse.js");
  const { error } = await import("../../diag/diagnostic.js");
  const candidates = (await readdir(dir, { withFileTypes: true })).filter((e) => e.name.endsWith(".state") && (e.isFile() || e.isSymbolicLink()));
  const names: string[] = [];
  for (const e of candidates) {
    // A symbolic link counts unless it leads to something other than a file; a dangling one is
    // reported as unreadable rather than silently ignored.
    if (e.isFile() || (await stat(join(dir, e.name)).then((s) => s.isFile(), () => true))) names.push(e.name);
  }
  names.sort();
  const files: ParsedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<string, string>();
  for (const name of names) {
    const read = readSourceFile(join(dir, name), name);
    if (!("text" in read)) {
      if (read.problem === "unreadable") {
        diagnostics.push(
          error("validate/unreadable-file", `Cannot read ${name}`, {
            detail: describeReadError(read),
            hint: "check the file's permissions",
          }),
        );
      } else {
        diagnostics.push(read.diagnostic);
        // The line with the bad byte is shown; the file is not parsed.
        if (read.lossyText !== undefined) texts.set(name, read.lossyText);
      }
      continue;
    }
    const text = read.text;
    texts.set(name, text);
    const parsed = parseFile(text, name);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.body) files.push({ name, text, body: parsed.body });
  }
  for (const step of validationSteps) {
    if (diagnostics.some((d) => d.severity === "error")) break;
    diagnostics.push(...(await step.run(files)));
  }
  return { files, diagnostics, texts };
}

function describeReadError(e: { code?: string | undefined; message: string }): string {
  const code = e.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "it is a symbolic link to a file that does not exist";
  if (code === "EISDIR") return "it is a directory";
  return e.message;
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check the syntax and consistency of every *.state file in the working directory")
    .option("--json", "print the diagnostics as JSON (file, range, severity, code, summary, detail)")
    .option("--var <name=value>", "set a variable (repeatable; wins over --var-file)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (opts: { json?: boolean } & VariableOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { SourceRegistry } = await import("../../diag/sources.js");
      const { renderDiagnostics, diagnosticsToJson } = await import("../../diag/render.js");
      const { error } = await import("../../diag/diagnostic.js");
      const dir = process.cwd();
      // Configuration and evaluation checks (config/ and eval/ rooms), after the parse.
      const { configValidationStep } = await import("../validate-config.js");
      const step = configValidationStep(dir, opts, process.env);
      const existing = validationSteps.findIndex((s) => s.name === step.name);
      if (existing >= 0) validationSteps.splice(existing, 1, step);
      else validationSteps.push(step);
      // SSM checks (issue 6): what the SSM API would reject, offline.
      const { ssmValidationStep } = await import("../validate-ssm.js");
      const ssmStep = ssmValidationStep(dir, opts, process.env);
      const existingSsm = validationSteps.findIndex((s) => s.name === ssmStep.name);
      if (existingSsm >= 0) validationSteps.splice(existingSsm, 1, ssmStep);
      else validationSteps.push(ssmStep);
      const result = await validateDirectory(dir);
      const diagnostics = [...result.diagnostics];
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
        if (diagnostics.length > 0) err(renderDiagnostics(diagnostics, sources, { color: useColor(process.stderr, globals) }) + "\n\n");
        if (errors === 0) {
          out(warnings === 0 ? "Success! The configuration is valid." : `Success! The configuration is valid, but there ${warnings === 1 ? "was 1 warning" : `were ${warnings} warnings`}.`);
        } else {
          const filesWithErrors = new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.range?.file ?? "")).size;
          err(`${errors === 1 ? "1 error" : `${errors} errors`}${warnings ? `, ${warnings === 1 ? "1 warning" : `${warnings} warnings`}` : ""} in ${filesWithErrors === 1 ? "1 file" : `${filesWithErrors} files`}.`);
        }
      }
      if (errors > 0) throw new CliExit(ExitCode.Error);
    });
}
