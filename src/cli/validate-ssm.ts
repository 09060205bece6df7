/**
 * The SSM step of `statectl validate` (issue 6): runs src/engine/ssm-validation.ts (the library
 * an editor can call too) after the configuration step found no errors. Offline.
 */
import type { Diagnostic } from "../diag/index.js";
import type { ValidationStep } from "./commands/validate.js";
import type { VariableOptions } from "./validate-config.js";

export function ssmValidationStep(dir: string, opts: VariableOptions, env: Readonly<Record<string, string | undefined>>): ValidationStep {
  return {
    name: "ssm",
    async run(files): Promise<Diagnostic[]> {
      const { loadConfig } = await import("../config/index.js");
      const { evaluateConfig } = await import("../eval/index.js");
      const loaded = loadConfig({ dir, parsed: files }, { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env });
      if (loaded.diagnostics.some((d) => d.severity === "error")) return [];
      const evaluated = evaluateConfig(loaded.config);
      if (evaluated.diagnostics.some((d) => d.severity === "error")) return [];
      const { checkResources } = await import("../engine/ssm-validation.js");
      const diagnostics = checkResources(evaluated.resources, loaded.config.resources, { sources: loaded.config.sources, dir: loaded.config.dir, evaluated });
      // SSM rules quote the value they reject; a sensitive one is replaced.
      const { sensitiveStrings } = await import("../eval/index.js");
      const { redactDiagnostic, redactionList } = await import("../diag/index.js");
      const secrets = new Set<string>();
      for (const r of evaluated.resources) sensitiveStrings(r.attrs, secrets);
      const list = redactionList(secrets);
      return (await diagnostics).map((d) => redactDiagnostic(d, list));
    },
  };
}

export { checkResources } from "../engine/ssm-validation.js";
