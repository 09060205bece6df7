import type { Command } from "commander";
import { defined } from "../../diag/index.js";
import { dirname, join, relative } from "node:path";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { collect } from "../validate-config.js";
import { failOnErrors, parseDuration } from "../state-options.js";
import type { StateLocation } from "../../engine/backend.js";

interface InitOptions {
  json?: boolean;
  var?: string[];
  varFile?: string[];
  input?: boolean;
  migrateState?: boolean;
  forceCopy?: boolean;
  reconfigure?: boolean;
  lockTimeout?: number;
}

/** What `init` found and did: one line per provider configuration, the state, and a migration. */
interface InitReport {
  providers: { key: string; how: string; warning?: string }[];
  /** `path` is the local file (relative) or s3://BUCKET/KEY. */
  state: {
    backend: "local" | "s3";
    path: string;
    workspace: string;
    exists: boolean;
    serial?: number;
    resources?: number;
  };
  migration?: MigrationReport;
  created: string[];
}

interface MigrationReport {
  from: string;
  to: string;
  /** States copied, one per workspace. */
  copied: { workspace: string; from: string; to: string; resources: number; serial: number }[];
  /** Workspaces whose state the new location already held. */
  already: string[];
  /** The state was there to copy, and was not: answered "no", or --reconfigure. */
  notCopied?: "declined" | "reconfigure";
}

/**
 * When the `state` block now names another place than init last recorded (a backend added,
 * removed, or pointed at another bucket or key), offers to copy every workspace's state across,
 * as `terraform init -migrate-state` does: asks on a terminal; `--force-copy` copies without
 * asking; `--reconfigure` starts the new location empty. A target holding another state is never
 * overwritten, and the old state is left where it is. Returns undefined when nothing moved.
 */
async function migrateStateBetweenBackends(
  current: StateLocation,
  opts: InitOptions,
  globals: GlobalOptions,
): Promise<MigrationReport | undefined> {
  const { describeStateLocation, migrateWorkspaces, previousStateLocation, surveyMigration } =
    await import("../../engine/backend.js");
  const { error } = await import("../../diag/index.js");
  const { previous } = await previousStateLocation(current);
  if (!previous) return undefined;
  const from = describeStateLocation(previous);
  const to = describeStateLocation(current);
  const survey = await surveyMigration(previous, current);
  const report: MigrationReport = {
    from,
    to,
    copied: [],
    already: survey.workspaces.filter((w) => w.verdict === "already-there").map((w) => w.workspace),
  };
  // --reconfigure copies nothing, so neither a target holding another state nor an old location
  // that is gone (a deleted bucket) stands in its way.
  if (opts.reconfigure)
    return survey.diagnostics.length > 0 || survey.workspaces.some((w) => w.verdict === "copy")
      ? { ...report, notCopied: "reconfigure" }
      : report;
  await failOnErrors(survey.diagnostics, globals);
  const toCopy = survey.workspaces.filter((w) => w.verdict === "copy");
  if (toCopy.length === 0) return report;
  const what = toCopy
    .map(
      (w) =>
        `${w.workspace === "default" ? "the state" : `workspace "${w.workspace}"`} (${w.resources} resource instance${w.resources === 1 ? "" : "s"}, serial ${w.serial})`,
    )
    .join(", ");
  let copy = opts.forceCopy === true;
  if (!copy) {
    if (opts.input === false || opts.json === true || !process.stdin.isTTY) {
      await failOnErrors(
        [
          error("backend/migration-needed", "The state has not been migrated to the backend", {
            detail: `The state block moved the state from ${from} to ${to}, and ${from} holds ${what}. init copies it only when asked; nothing was copied or recorded.`,
            hint: `in a script: statectl init -migrate-state -force-copy (copy it; the old state stays as it is), or statectl init -reconfigure (start ${to} empty); on a terminal statectl init asks`,
          }),
        ],
        globals,
      );
    }
    const { askApproval } = await import("../engine-options.js");
    copy = await askApproval(
      "Do you want to copy existing state to the new backend?",
      `Pre-existing state was found while moving the state from ${from} to ${to}: ${what}. ${to} holds no state yet. Enter "yes" to copy it (the old state stays as it is) and anything else to start with an empty state.`,
    );
    if (!copy) return { ...report, notCopied: "declined" };
  }
  const moved = await migrateWorkspaces(
    previous,
    current,
    toCopy.map((w) => w.workspace),
    { lockTimeoutMs: opts.lockTimeout ?? current.backend?.lockTimeoutMs ?? 0 },
  );
  await failOnErrors(moved.diagnostics, globals);
  for (const r of moved.results) {
    const w = defined(
      toCopy.find((t) => t.workspace === r.workspace),
      `the workspace ${r.workspace} asked to be copied`,
    );

    if (r.migrated)
      report.copied.push({
        workspace: r.workspace,
        from: w.from,
        to: w.to,
        resources: r.resources ?? 0,
        serial: r.serial ?? 0,
      });
    else report.already.push(r.workspace);
  }
  return report;
}

function migrationLines(m: MigrationReport): string[] {
  const lines = [`- the state block moved the state from ${m.from} to ${m.to}`];
  for (const c of m.copied)
    lines.push(
      `  copied ${c.workspace === "default" ? "the state" : `workspace "${c.workspace}"`} (${c.resources} resource instance${c.resources === 1 ? "" : "s"}) to ${c.to}, now serial ${c.serial}`,
    );
  for (const w of m.already)
    lines.push(`  ${w === "default" ? "the state" : `workspace "${w}"`}: already there, nothing to copy`);
  if (m.notCopied === "declined") lines.push(`  not copied (answered no): ${m.to} starts with an empty state`);
  if (m.notCopied === "reconfigure") lines.push(`  not copied (--reconfigure): ${m.to} starts with an empty state`);
  if (m.copied.length === 0 && m.already.length === 0 && !m.notCopied)
    lines.push(`  ${m.from} holds no state: nothing to copy`);
  if (m.copied.length > 0 || m.notCopied)
    lines.push(`  ${m.from} was left as it was; remove it once you no longer need it`);
  return lines;
}

/**
 * `statectl init`: prepares a working directory, as `terraform init` does — checks the provider
 * and state configuration, creates the data directories statectl uses (.statectl/, the local
 * endpoint's data, the state file's directory), checks the state can be read (the S3 bucket is
 * reachable), and copies the state across when the state block changed since the last init
 * (recorded in .statectl/backend.json). Talks to no SSM endpoint; safe to run again.
 */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description(
      "prepare the working directory: check the provider and state configuration, create the data directories, copy the state when the state block changed",
    )
    .option("--json", "machine-readable output")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .option("--no-input", "never prompt: a state to copy then needs --force-copy or --reconfigure")
    .option(
      "--migrate-state",
      "copy the state when the state block changed (asked on a terminal; what init does anyway, for Terraform's -migrate-state)",
    )
    .option("--force-copy", "copy the state to the new location without asking (for scripts)")
    .option(
      "--reconfigure",
      "use the new state location as it is, without copying the old state (which stays where it was)",
    )
    .option(
      "--lock-timeout <duration>",
      "how long to wait for the state locks while copying, e.g. 30s (default: the backend's lock_timeout, else 0s)",
      parseDuration,
    )
    .action(async (opts: InitOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      if (opts.reconfigure && opts.forceCopy)
        throw new CliExit(
          ExitCode.Usage,
          "statectl init: --reconfigure (do not copy) and --force-copy (copy) exclude each other",
        );
      const { loadConfig } = await import("../../config/index.js");
      const { evaluateConfig } = await import("../../eval/index.js");
      const { renderDiagnostics } = await import("../../diag/index.js");
      const { readStateOnce, recordBackend, selectedWorkspace, stateStorageFor } =
        await import("../../engine/backend.js");
      const { mkdir, stat } = await import("node:fs/promises");
      const loaded = loadConfig(
        { dir: process.cwd() },
        { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env: process.env },
      );
      const evaluated = loaded.diagnostics.some((d) => d.severity === "error")
        ? undefined
        : evaluateConfig(loaded.config);
      const diags = [...loaded.diagnostics, ...(evaluated?.diagnostics ?? [])];
      if (diags.length > 0)
        err(renderDiagnostics(diags, loaded.config.sources, { color: useColor(process.stderr, globals) }));
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
        try {
          await mkdir(path, { recursive: true });
        } catch (e) {
          throw new CliExit(
            ExitCode.Error,
            `statectl init: cannot create ${relative(dir, path) || "."}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        }
        created.push(relative(dir, path) || ".");
      };
      await ensureDir(join(dir, ".statectl"));
      const used = new Set(["ssm", ...evaluated.resources.map((r) => r.provider.key)]);
      const backend = evaluated.state.backend?.s3;
      const current: StateLocation = { dir, statePath: evaluated.state.absolutePath, ...(backend ? { backend } : {}) };
      const workspace = await selectedWorkspace(dir);
      const report: InitReport = {
        providers: [],
        state: {
          backend: backend ? "s3" : "local",
          path: backend ? "" : relative(dir, evaluated.state.absolutePath),
          workspace,
          exists: false,
        },
        created,
      };
      for (const p of evaluated.providers.values()) {
        if (!used.has(p.key) && p.range === undefined) continue;
        if (p.endpoint === "local") {
          await ensureDir(join(dir, ".statectl", "local"));
          report.providers.push({ key: p.key, how: "the local SSM endpoint (data in .statectl/local)" });
          continue;
        }
        const region = p.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        const how = `${p.endpoint ?? "AWS"}${region ? `, region ${region}` : ""}${p.profile ? `, profile ${p.profile}` : ""}`;
        const warning =
          region || p.profile || process.env.AWS_PROFILE
            ? undefined
            : "no region: set region in the provider block, or AWS_REGION, or a profile with a region";
        report.providers.push({ key: p.key, how, ...(warning ? { warning } : {}) });
      }
      if (!backend) await ensureDir(dirname(evaluated.state.absolutePath));
      const migration = await migrateStateBetweenBackends(current, opts, globals);
      if (migration) report.migration = migration;
      // Reading the selected workspace's state checks that it is reachable: the bucket exists, the
      // credentials may read it, the object is a state.
      const storage = stateStorageFor(current, workspace);
      if (backend) report.state.path = storage.location;
      const read = await readStateOnce(storage);
      await failOnErrors(read.diagnostics, globals);
      if (read.state)
        report.state = {
          ...report.state,
          exists: true,
          serial: read.state.serial,
          resources: read.state.resources.length,
        };
      await recordBackend(current);
      if (opts.json) {
        out(JSON.stringify({ format_version: "1.0", ...report }, null, 2));
        return;
      }
      const lines = ["Initializing provider configurations..."];
      for (const p of report.providers)
        lines.push(`- ${p.key}: ${p.how}${p.warning ? `\n  Warning: ${p.warning}` : ""}`);
      lines.push("", backend ? 'Initializing the backend "s3"...' : "Initializing the state...");
      if (report.migration) lines.push(...migrationLines(report.migration));
      const where = backend ? report.state.path : `local file ${report.state.path}`;
      const ws = workspace === "default" ? "" : ` (workspace ${workspace})`;
      lines.push(
        report.state.exists
          ? `- ${where}${ws}: serial ${report.state.serial}, ${report.state.resources} resource instance${report.state.resources === 1 ? "" : "s"}`
          : `- ${where}${ws}: not created yet (the first apply creates it)`,
      );
      if (created.length > 0) lines.push("", `Created: ${created.join(", ")}`);
      lines.push(
        "",
        "statectl has been successfully initialized!",
        "Run statectl plan to see what would change in SSM.",
      );
      out(lines.join("\n"));
    });
}
