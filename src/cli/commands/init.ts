import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { collect } from "../validate-config.js";

interface InitOptions {
  json?: boolean;
  var?: string[];
  varFile?: string[];
  input?: boolean;
}

/** What `init` found and did, one line per provider configuration and one for the state. */
interface InitReport {
  providers: { key: string; how: string; warning?: string }[];
  state: { path: string; exists: boolean; serial?: number; resources?: number };
  created: string[];
}

/**
 * Moving the state between backends (local file ↔ S3) belongs to the shared-state work (issue
 * 18): when its migration lands, `init` calls it here, after the configuration has been checked
 * and before reporting the state. Until then a configuration names exactly one state, and there
 * is nothing to move.
 */
async function migrateStateBetweenBackends(): Promise<string[]> {
  return [];
}

/**
 * `statectl init`: prepares a working directory, as `terraform init` does — checks the provider
 * and state configuration, creates the data directories statectl uses (.statectl/, the local
 * endpoint's data, the state file's directory). Talks to no SSM endpoint; safe to run again.
 */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("prepare the working directory: check the provider and state configuration, create the data directories")
    .option("--json", "machine-readable output")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .option("--no-input", "never prompt (init does not prompt; accepted for Terraform's -input=false)")
    .action(async (opts: InitOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { loadConfig } = await import("../../config/index.js");
      const { evaluateConfig } = await import("../../eval/index.js");
      const { renderDiagnostics } = await import("../../diag/index.js");
      const { FileStateStorage } = await import("../../state/index.js");
      const { mkdir, stat } = await import("node:fs/promises");
      const { dirname, join, relative } = await import("node:path");
      const loaded = loadConfig({ dir: process.cwd() }, { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env: process.env });
      const evaluated = loaded.diagnostics.some((d) => d.severity === "error") ? undefined : evaluateConfig(loaded.config);
      const diags = [...loaded.diagnostics, ...(evaluated?.diagnostics ?? [])];
      if (diags.length > 0) err(renderDiagnostics(diags, loaded.config.sources, { color: useColor(process.stderr, globals) }));
      if (!evaluated || diags.some((d) => d.severity === "error")) {
        if (!opts.json) err("statectl init: the configuration has errors (above); nothing was created.");
        throw new CliExit(ExitCode.Error);
      }
      const dir = process.cwd();
      const created: string[] = [];
      const ensureDir = async (path: string): Promise<void> => {
        const exists = await stat(path).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (exists) return;
        await mkdir(path, { recursive: true });
        created.push(relative(dir, path) || ".");
      };
      try {
        await ensureDir(join(dir, ".statectl"));
        const used = new Set(["ssm", ...evaluated.resources.map((r) => r.provider.key)]);
        const report: InitReport = { providers: [], state: { path: relative(dir, evaluated.state.absolutePath), exists: false }, created };
        for (const p of evaluated.providers.values()) {
          if (!used.has(p.key) && p.range === undefined) continue;
          if (p.endpoint === "local") {
            await ensureDir(join(dir, ".statectl", "local"));
            report.providers.push({ key: p.key, how: "the local SSM endpoint (data in .statectl/local)" });
            continue;
          }
          const region = p.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
          const how = `${p.endpoint ?? "AWS"}${region ? `, region ${region}` : ""}${p.profile ? `, profile ${p.profile}` : ""}`;
          const warning = region || p.profile || process.env.AWS_PROFILE ? undefined : 'no region: set region in the provider block, or AWS_REGION, or a profile with a region';
          report.providers.push({ key: p.key, how, ...(warning ? { warning } : {}) });
        }
        await ensureDir(dirname(evaluated.state.absolutePath));
        created.push(...(await migrateStateBetweenBackends()));
        const read = await new FileStateStorage(evaluated.state.absolutePath).read();
        if (read.diagnostics.some((d) => d.severity === "error")) {
          err(renderDiagnostics(read.diagnostics, loaded.config.sources, { color: useColor(process.stderr, globals) }));
          throw new CliExit(ExitCode.Error);
        }
        if (read.state) report.state = { ...report.state, exists: true, serial: read.state.serial, resources: read.state.resources.length };
        if (opts.json) {
          out(JSON.stringify({ format_version: "1.0", ...report }, null, 2));
          return;
        }
        const lines = ["Initializing provider configurations..."];
        for (const p of report.providers) lines.push(`- ${p.key}: ${p.how}${p.warning ? `\n  Warning: ${p.warning}` : ""}`);
        lines.push("", "Initializing the state...");
        lines.push(report.state.exists ? `- local file ${report.state.path}: serial ${report.state.serial}, ${report.state.resources} resource instance${report.state.resources === 1 ? "" : "s"}` : `- local file ${report.state.path}: not created yet (the first apply creates it)`);
        if (created.length > 0) lines.push("", `Created: ${created.join(", ")}`);
        lines.push("", "statectl has been successfully initialized!", "Run statectl plan to see what would change in SSM.");
        out(lines.join("\n"));
      } catch (e) {
        if (e instanceof CliExit) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        throw new CliExit(ExitCode.Error, `statectl init: cannot create the data directories: ${code ?? (e as Error).message}`);
      }
    });
}
