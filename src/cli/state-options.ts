/**
 * Options and glue shared by the commands that touch the state (`state …`, `force-unlock`, and
 * later plan/apply): where the state file is, how long to wait for its lock, and how to print
 * the state room's diagnostics.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { defined, type Diagnostic } from "../diag/index.js";
import type { StateLocation } from "../engine/backend.js";
import type { StateStorage } from "../state/index.js";
import { CliExit, ExitCode } from "./exit-codes.js";
import { err, useColor, type GlobalOptions } from "./io.js";

/** The state file when neither `--state` nor the configuration names one: beside the configuration. */
export const DEFAULT_STATE_PATH = "statectl.state.json";

export interface StateOptions {
  state: string;
  lock?: boolean;
  lockTimeout?: number;
}

/** Parses `0`, `500ms`, `30s`, `2m`, `1h` into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`"${text}" is not a duration; write e.g. 0s, 500ms, 30s, 5m.`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return Math.round(n * defined(MILLISECONDS_PER[unit], `the length of a ${unit}`));
}

const MILLISECONDS_PER: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Prints the diagnostics and stops the command with the error exit code (the diagnostics hold an error). */
export async function failWith(diags: readonly Diagnostic[], opts: GlobalOptions): Promise<never> {
  await printDiagnostics(diags, opts);
  throw new CliExit(ExitCode.Error);
}

export function addStatePathOption(cmd: Command): Command {
  return cmd.option(
    "--state <path>",
    `the state file (default: the configuration's state { path }, else ${DEFAULT_STATE_PATH} in the current directory)`,
    DEFAULT_STATE_PATH,
  );
}

export function addLockOptions(cmd: Command): Command {
  return cmd
    .option(
      "--lock-timeout <duration>",
      "how long to wait for the state lock, e.g. 30s (default: the backend's lock_timeout, else 0s: fail at once)",
      parseDuration,
    )
    .option("--no-lock", "do not lock the state (dangerous if another statectl may be running)");
}

/**
 * The state a state command works on: `--state PATH` when given; otherwise the configuration's
 * (its S3 backend, or the file in the current directory), for the selected workspace. The
 * caller closes it with `closeStorage` when done.
 */
export async function commandStorage(
  cmd: Command,
): Promise<{ storage: StateStorage; workspace: string; where: StateLocation }> {
  const opts = cmd.opts<Partial<StateOptions>>();
  const { commandStateLocation, stateStorageFor } = await import("../engine/backend.js");
  const hasStateOption = cmd.options.some((o) => o.long === "--state");
  const explicit = hasStateOption && cmd.getOptionValueSource("state") !== "default" ? opts.state : undefined;
  const { where, workspace } = await commandStateLocation(process.cwd(), {
    ...(explicit !== undefined ? { explicitPath: explicit } : {}),
    defaultPath: opts.state ?? DEFAULT_STATE_PATH,
    env: process.env,
  });
  return { storage: stateStorageFor(where, explicit !== undefined ? "default" : workspace), workspace, where };
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Prints diagnostics to stderr; never the state file's content, which may hold secrets. */
export async function printDiagnostics(diags: readonly Diagnostic[], opts: GlobalOptions): Promise<void> {
  if (diags.length === 0) return;
  const { renderDiagnostics, SourceRegistry } = await import("../diag/index.js");
  err(renderDiagnostics(diags, new SourceRegistry(), { color: useColor(process.stderr, opts) }));
}

/** Prints the diagnostics and, if any is an error, ends the command with exit code 1. */
export async function failOnErrors(diags: readonly Diagnostic[], opts: GlobalOptions): Promise<void> {
  await printDiagnostics(diags, opts);
  if (diags.some((d) => d.severity === "error")) throw new CliExit(ExitCode.Error);
}
