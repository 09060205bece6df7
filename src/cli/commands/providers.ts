import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { collect } from "../validate-config.js";

interface ProvidersOptions {
  json?: boolean;
  var?: string[];
  varFile?: string[];
}

/**
 * `statectl providers`: the provider configurations (`ssm`, `ssm.ALIAS`), how each reaches SSM,
 * and which resources use it — in the configuration and in the state. Reads files only.
 */
export function registerProviders(program: Command): void {
  program
    .command("providers")
    .description(
      "list the provider configurations, how each reaches SSM, and the resources that use each (configuration and state)",
    )
    .option("--json", "machine-readable output")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .action(async (opts: ProvidersOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const { loadConfig } = await import("../../config/index.js");
      const { evaluateConfig } = await import("../../eval/index.js");
      const { renderDiagnostics } = await import("../../diag/index.js");
      const { FileStateStorage } = await import("../../state/index.js");
      const loaded = loadConfig(
        { dir: process.cwd() },
        { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env: process.env },
      );
      const evaluated = loaded.diagnostics.some((d) => d.severity === "error")
        ? undefined
        : evaluateConfig(loaded.config);
      const diags = [...loaded.diagnostics, ...(evaluated?.diagnostics ?? [])].filter((d) => d.severity === "error");
      if (!evaluated || diags.length > 0) {
        err(renderDiagnostics(diags, loaded.config.sources, { color: useColor(process.stderr, globals) }));
        throw new CliExit(ExitCode.Error);
      }
      const read = await new FileStateStorage(evaluated.state.absolutePath).read();
      const inState = new Map<string, string[]>();
      for (const inst of read.state?.resources ?? [])
        inState.set(inst.provider, [...(inState.get(inst.provider) ?? []), inst.address]);
      const configs = [...evaluated.providers.values()].map((p) => ({
        key: p.key,
        ...(p.endpoint !== undefined ? { endpoint: p.endpoint } : {}),
        ...(p.region !== undefined ? { region: p.region } : {}),
        ...(p.profile !== undefined ? { profile: p.profile } : {}),
        ...(p.maxRetries !== undefined ? { max_retries: p.maxRetries } : {}),
        declared: p.range !== undefined,
        resources: evaluated.resources.filter((r) => r.provider.key === p.key).map((r) => r.addressText),
        in_state: inState.get(p.key) ?? [],
      }));
      // The default `ssm` configuration is listed only when it is declared or used.
      const shown = configs.filter((c) => c.declared || c.resources.length > 0 || c.in_state.length > 0);
      const onlyInState = [...inState.entries()].filter(([key]) => !configs.some((c) => c.key === key));
      if (opts.json) {
        out(
          JSON.stringify(
            { format_version: "1.0", providers: shown, only_in_state: Object.fromEntries(onlyInState) },
            null,
            2,
          ),
        );
        return;
      }
      const how = (c: (typeof configs)[number]): string =>
        c.endpoint === "local"
          ? "the local SSM endpoint"
          : [
              c.endpoint ? `endpoint ${c.endpoint}` : "AWS",
              c.region ? `region ${c.region}` : "the SDK's default region",
              c.profile ? `profile ${c.profile}` : "",
            ]
              .filter(Boolean)
              .join(", ");
      const lines: string[] = ["Provider configurations:"];
      for (const c of shown) {
        lines.push("", `provider "${c.key}"${c.declared ? "" : " (default, no provider block)"}: ${how(c)}`);
        lines.push(
          c.resources.length > 0
            ? `  used by: ${c.resources.join(", ")}`
            : "  used by no resource in the configuration",
        );
        if (c.in_state.length > 0)
          lines.push(`  in the state: ${c.in_state.length} resource instance${c.in_state.length === 1 ? "" : "s"}`);
      }
      if (shown.length === 0) lines.push("", "(none: the configuration declares no provider and no resource)");
      for (const [key, addresses] of onlyInState) {
        lines.push(
          "",
          `provider "${key}": only in the state (no longer configured)`,
          `  in the state: ${addresses.join(", ")}`,
        );
      }
      out(lines.join("\n"));
    });
}
