/**
 * The configuration and evaluation checks of `statectl validate` (issue 4): decoding every
 * block, references, variables (with `--var` / `--var-file` / `*.auto.statevars` /
 * `STATECTL_VAR_*`), locals, functions, for_each/count, outputs. Runs after the parser has
 * found no errors, and never touches the network.
 */
import type { Diagnostic } from "../diag/index.js";
import type { ValidationStep } from "./commands/validate.js";

export interface VariableOptions {
  var?: string[];
  varFile?: string[];
}

/** commander collector for repeatable options (`--var a=1 --var b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function configValidationStep(dir: string, opts: VariableOptions, env: Readonly<Record<string, string | undefined>>): ValidationStep {
  return {
    name: "config",
    async run(files): Promise<Diagnostic[]> {
      const { loadConfig } = await import("../config/index.js");
      const { evaluateConfig } = await import("../eval/index.js");
      const loaded = loadConfig({ dir, parsed: files }, { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env });
      if (loaded.diagnostics.some((d) => d.severity === "error")) return loaded.diagnostics;
      return [...loaded.diagnostics, ...evaluateConfig(loaded.config).diagnostics];
    },
  };
}
