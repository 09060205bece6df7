/**
 * Options and views shared by plan, apply and destroy: the option set, progress lines, the
 * confirmation prompt, and printing diagnostics with source snippets.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { Diagnostic, SourceRegistry } from "../diag/index.js";
import type { EngineEvent, PlanRequest } from "../engine/index.js";
import { err, nextLine, out, useColor, type GlobalOptions } from "./io.js";
import { addLockOptions } from "./state-options.js";
import { exitCodeForSignal, onStopSignals, signalLabel, type StopSignal } from "./signals.js";

export interface EngineCliOptions {
  var?: string[];
  varFile?: string[];
  target?: string[];
  replace?: string[];
  refreshOnly?: boolean;
  refresh?: boolean;
  refreshMode?: "bulk" | "per-resource";
  destroy?: boolean;
  out?: string;
  detailedExitcode?: boolean;
  json?: boolean;
  parallelism?: number;
  lock?: boolean;
  lockTimeout?: number;
  autoApprove?: boolean;
  input?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function refreshMode(text: string): "bulk" | "per-resource" {
  if (text !== "bulk" && text !== "per-resource")
    throw new InvalidArgumentError(`"${text}" is not a refresh mode; use bulk or per-resource.`);
  return text;
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${text}" is not a whole number of at least 1.`);
  return n;
}

export function addPlanOptions(cmd: Command, opts: { destroyFlag?: boolean; replace?: boolean } = {}): Command {
  cmd
    .option("--var <name=value>", "set a variable (repeatable)", collect)
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect)
    .option("--target <address>", "limit the operation to this resource and what it depends on (repeatable)", collect)
    .option("--no-refresh", "do not read what exists in SSM first; trust the state")
    .option(
      "--refresh-mode <mode>",
      "bulk: list calls, details only where needed (default); per-resource: read each resource on its own",
      refreshMode,
    )
    .option(
      "--parallelism <n>",
      "SSM calls at once: changes during apply (default 4; SSM throttles), reads during refresh (default 10)",
      positiveInt,
    )
    .option("--json", "machine-readable output")
    .option("--no-input", "never ask for missing variables (asked only when stdin is a terminal and not with --json)");
  if (opts.replace !== false) {
    cmd
      .option("--replace <address>", "replace this instance even if nothing changed (repeatable)", collect)
      .option("--refresh-only", "only record changes made outside statectl in the state");
  }
  if (opts.destroyFlag) cmd.option("--destroy", "plan the destruction of everything in the state");
  return addLockOptions(cmd);
}

export function planRequest(
  opts: EngineCliOptions,
  onEvent?: (e: EngineEvent) => void,
  signal?: AbortSignal,
): PlanRequest {
  return {
    dir: process.cwd(),
    ...(opts.var ? { vars: opts.var } : {}),
    ...(opts.varFile ? { varFiles: opts.varFile } : {}),
    env: process.env,
    mode: opts.destroy ? "destroy" : opts.refreshOnly ? "refresh-only" : "normal",
    refresh: opts.refresh !== false,
    ...(opts.refreshMode ? { refreshMode: opts.refreshMode } : {}),
    ...(opts.target ? { targets: opts.target } : {}),
    ...(opts.replace ? { replace: opts.replace } : {}),
    ...(opts.parallelism ? { parallelism: opts.parallelism } : {}),
    lock: opts.lock !== false,
    ...(opts.lockTimeout !== undefined ? { lockTimeoutMs: opts.lockTimeout } : {}),
    ...(onEvent ? { onEvent } : {}),
    ...(signal ? { signal } : {}),
  };
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

const VERBS = {
  create: { ing: "Creating...", done: "Creation complete", still: "Still creating..." },
  update: { ing: "Modifying...", done: "Modifications complete", still: "Still modifying..." },
  destroy: { ing: "Destroying...", done: "Destruction complete", still: "Still destroying..." },
} as const;

/** Progress lines for people, as each change starts and ends. */
export function progressPrinter(write: (line: string) => void): (e: EngineEvent) => void {
  return (e) => {
    if (e.kind === "info") {
      write(e.message);
      return;
    }
    if (e.kind === "plan") {
      if (e.event.type === "refresh-start")
        write(
          `${e.event.address}: ${e.event.importing ? "Preparing import" : "Refreshing state"}... [id=${e.event.id}]`,
        );
      return;
    }
    const ev = e.event;
    switch (ev.type) {
      case "start": {
        write(`${ev.address}: ${VERBS[ev.step].ing}${ev.id && ev.step !== "create" ? ` [id=${ev.id}]` : ""}`);
        return;
      }
      case "done": {
        write(`${ev.address}: ${VERBS[ev.step].done} after ${seconds(ev.elapsedMs)}${ev.id ? ` [id=${ev.id}]` : ""}`);
        return;
      }
      case "still-running": {
        write(`${ev.address}: ${VERBS[ev.step].still} [${seconds(ev.elapsedMs)} elapsed]`);
        return;
      }
      case "waiting": {
        write(`${ev.address}: Waiting up to ${ev.seconds}s for the association to succeed... [id=${ev.id}]`);
        return;
      }
      case "failed": {
        write(`${ev.address}: Failed after ${seconds(ev.elapsedMs)}`);
        return;
      }
      case "adopted": {
        write(`${ev.address}: Adopted [id=${ev.id}]: ${ev.reason}`);
        return;
      }
      case "retrying": {
        write(
          `${ev.address}: Creating again (attempt ${ev.attempt}): the last attempt failed and made nothing: ${ev.message}`,
        );
        return;
      }
    }
  };
}

export async function printEngineDiagnostics(
  diags: readonly Diagnostic[],
  sources: SourceRegistry,
  globals: GlobalOptions,
): Promise<void> {
  if (diags.length === 0) return;
  const { renderDiagnostics } = await import("../diag/index.js");
  err(renderDiagnostics(diags, sources, { color: useColor(process.stderr, globals) }));
}

/** Asks for `yes` on stdin. End of input counts as no. */
export async function askApproval(question: string, detail: string, signal?: AbortSignal): Promise<boolean> {
  const { createInterface } = await import("node:readline");
  out(`\n${question}\n  ${detail}\n  Only 'yes' will be accepted to approve.\n`);
  process.stdout.write("  Enter a value: ");
  const rl = createInterface({ input: process.stdin, terminal: false });
  // Ctrl-C at the prompt is a no.
  const answer = await nextLine(rl, (close) => signal?.addEventListener("abort", close, { once: true }));
  process.stdout.write("\n");
  return answer?.trim() === "yes";
}

/**
 * First Ctrl-C (or SIGTERM, or SIGHUP): start nothing new, let the changes in flight finish, save
 * the state, release the lock, exit 130 (143, 129). Second: abandon the calls in flight too (a
 * create whose outcome is then unknown stays recorded in the state for the next run), save the
 * state, release the lock, exit — within moments. Third: exit at once (the state file is still
 * valid: it is only ever replaced atomically). The exit code is that of the first signal.
 */
export function interruptController(write: (line: string) => void): {
  signal: AbortSignal;
  cancel: AbortSignal;
  interrupted: () => number;
  firstSignal: () => StopSignal | undefined;
  dispose: () => void;
} {
  const stop = new AbortController();
  const cancel = new AbortController();
  let count = 0;
  let first: StopSignal | undefined;
  const dispose = onStopSignals((signal) => {
    count++;
    first ??= signal;
    if (count === 1) {
      write(
        `\n${signalLabel(signal)} received: finishing the changes in flight and saving the state. Press Ctrl-C again to stop at once.`,
      );
      stop.abort();
    } else if (count === 2) {
      write(`\nSecond interrupt: abandoning the calls in flight and saving the state.`);
      cancel.abort();
    } else {
      process.exit(exitCodeForSignal(first));
    }
  });
  return { signal: stop.signal, cancel: cancel.signal, interrupted: () => count, firstSignal: () => first, dispose };
}
