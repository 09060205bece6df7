import type { Command } from "commander";
import { defined } from "../../diag/index.js";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out } from "../io.js";
import { exitCodeForSignal, onStopSignals, signalLabel, type StopSignal } from "../signals.js";
import {
  addLockOptions,
  addStatePathOption,
  commandStorage,
  failOnErrors,
  failWith,
  globalOptions,
  printDiagnostics,
  type StateOptions,
} from "../state-options.js";
import type { LockInfo, OpenState, State, StateStorage } from "../../state/index.js";
import { registerStateTransfer } from "./state-transfer.js";

interface ListOptions extends StateOptions {
  json?: boolean;
  id?: string;
}

/** Reads the state for a command; a missing state file is an error, since there is nothing to show or change. */
async function readState(storage: StateStorage, cmd: Command, close = true): Promise<State> {
  const r = await storage.read();
  if (close) (await import("../../engine/backend.js")).closeStorage(storage);
  await failOnErrors(r.diagnostics, globalOptions(cmd));
  if (r.state) return r.state;
  const { error } = await import("../../diag/index.js");
  return failWith(
    [
      error("state/no-state", `No state file at ${storage.location}`, {
        detail: "Nothing has been applied with this state yet, or the state is elsewhere.",
        hint: "run the command in the configuration's directory, or give the state file with --state PATH",
      }),
    ],
    globalOptions(cmd),
  );
}

/**
 * Runs `edit` on the state under its lock and writes the result when something changed. The lock
 * is released however the command ends — also on Ctrl-C, SIGTERM or SIGHUP: the first stop
 * signal lets a state write in flight finish, releases the lock (for the S3 backend that is a
 * request, which no exit hook could make) and exits with the signal's code; nothing is written
 * after it. A second signal exits at once.
 */
async function editState(
  cmd: Command,
  operation: string,
  dryRun: boolean,
  edit: (state: State) => Promise<{ state: State; changed: string[] }>,
): Promise<{ changed: string[] }> {
  const opts = cmd.opts<StateOptions>();
  const { openState, staleLockNote } = await import("../../state/index.js");
  const { closeStorage } = await import("../../engine/backend.js");
  const { storage, where } = await commandStorage(cmd);
  const abort = new AbortController();
  let held: LockInfo | undefined;
  let openedState: OpenState | undefined;
  const opening = openState(storage, {
    operation,
    lock: opts.lock !== false && !dryRun,
    timeoutMs: opts.lockTimeout ?? where.backend?.lockTimeoutMs ?? 0,
    signal: abort.signal,
    onLocked: (l) => (held = l),
  }).then((r) => ((openedState = r.opened), r));
  let stopped: StopSignal | undefined;
  let exiting: Promise<never> | undefined;
  const releaseAndExit = (signal: StopSignal): Promise<never> =>
    (exiting ??= (async () => {
      // Still reading the state (a slow S3): release the lock now rather than wait for the read;
      // nothing has been written yet. Otherwise let a write in flight finish, then release.
      const diags = openedState ? await openedState.release() : held ? await storage.unlock(held.id) : [];
      await printDiagnostics(diags, globalOptions(cmd));
      if (held && diags.length === 0)
        err(`${signalLabel(signal)}: stopped; the state lock on ${storage.location} was released.`);
      closeStorage(storage);
      process.exit(exitCodeForSignal(signal));
    })());
  const dispose = onStopSignals((signal) => {
    if (stopped) process.exit(exitCodeForSignal(stopped));
    stopped = signal;
    abort.abort();
    void releaseAndExit(signal);
  });
  const { opened, diagnostics } = await opening;
  if (opened?.tookOver) err(staleLockNote(opened.tookOver));
  try {
    if (stopped) await releaseAndExit(stopped);
    await failOnErrors(diagnostics, globalOptions(cmd));
    const ready = defined(opened, "the opened state (openState reports an error otherwise)");
    if (!ready.existed) await readState(storage, cmd, false); // reports the missing state file
    const result = await edit(ready.prior);
    if (stopped) await releaseAndExit(stopped);
    if (!dryRun && result.changed.length > 0)
      await failOnErrors((await ready.persister.persist(result.state)).diagnostics, globalOptions(cmd));
    if (stopped) await releaseAndExit(stopped);
    return result;
  } finally {
    if (stopped) await releaseAndExit(stopped);
    dispose();
    if (opened) await printDiagnostics(await opened.release(), globalOptions(cmd));
    closeStorage(storage);
  }
}

export function registerState(program: Command): void {
  const state = program
    .command("state")
    .description("inspect and edit the state: list, show, rm, mv, pull, push, migrate")
    .addHelpText(
      "after",
      "\nThe state is the one the configuration in the current directory names (state { path }, or its S3 backend and the selected workspace), else statectl.state.json there (docs/state-file.md, docs/backends.md).",
    );

  addStatePathOption(
    state
      .command("list")
      .argument("[address...]", "only these instances, or all instances of these resources")
      .description("list the resource instances in the state")
      .option("--id <id>", "only the instance with this remote id (document name or association id)")
      .option("--json", "machine-readable output"),
  ).action(async (addresses: string[], opts: ListOptions, cmd: Command) => {
    const { listInstances, pendingCreateLines, stateListJson } = await import("../../state/index.js");
    const s = await readState((await commandStorage(cmd)).storage, cmd);
    let instances = listInstances(s, addresses);
    if (opts.id !== undefined) instances = instances.filter((r) => r.id === opts.id);
    if (opts.json) out(JSON.stringify(stateListJson(s, instances), null, 2));
    else {
      const filtered = addresses.length > 0 || opts.id !== undefined;
      const lines = [
        ...instances.map((r) => r.address + (r.tainted ? " (tainted)" : "")),
        ...(filtered ? [] : pendingCreateLines(s)),
      ];
      if (lines.length > 0) out(lines.join("\n"));
    }
    if (instances.length === 0 && addresses.length + (opts.id === undefined ? 0 : 1) > 0)
      throw new CliExit(ExitCode.Error, "statectl: no instance in the state matches");
  });

  addStatePathOption(
    state
      .command("show")
      .argument("<address>", 'the instance, e.g. association.web["prod"]')
      .description("show one resource instance's attributes (sensitive values masked)")
      .option("--json", "machine-readable output"),
  ).action(async (address: string, opts: ListOptions, cmd: Command) => {
    const { findInstance, listInstances, instanceJson, renderInstance, ADDRESS_EXAMPLES } =
      await import("../../state/index.js");
    const { canonicalAddress } = await import("../../addrs/index.js");
    const { error, didYouMeanHint } = await import("../../diag/index.js");
    const storage = (await commandStorage(cmd)).storage;
    const s = await readState(storage, cmd);
    const canonical =
      canonicalAddress(address) ??
      (await failWith(
        [
          error("state/invalid-address", `Invalid resource address "${address}"`, {
            detail: `A resource address looks like ${ADDRESS_EXAMPLES}.`,
          }),
        ],
        globalOptions(cmd),
      ));
    const inst = findInstance(s, canonical);
    if (!inst) {
      const several = listInstances(s, [canonical]);
      const known = s.resources.map((r) => r.address);
      const hint =
        several.length > 0
          ? `"${address}" has several instances; show one of: ${several.map((r) => r.address).join(", ")}`
          : didYouMeanHint(canonical, known);
      return failWith(
        [
          error("state/not-in-state", `No resource instance ${canonical} in the state`, {
            detail: `${storage.location} holds ${known.length} resource instance${known.length === 1 ? "" : "s"}; \`statectl state list\` shows them.`,
            ...(hint ? { hint } : {}),
          }),
        ],
        globalOptions(cmd),
      );
    }
    out(opts.json ? JSON.stringify(instanceJson(inst), null, 2) : renderInstance(inst));
  });

  addLockOptions(
    addStatePathOption(
      state
        .command("rm")
        .argument("<address...>", "instances, or whole resources, to forget")
        .description("forget resource instances: statectl stops managing them, and they stay in SSM")
        .option("--dry-run", "say what would be removed, change nothing"),
    ),
  ).action(async (addresses: string[], opts: StateOptions & { dryRun?: boolean }, cmd: Command) => {
    const { removeInstances } = await import("../../state/index.js");
    const r = await editState(cmd, "state rm", opts.dryRun === true, async (s) => {
      const res = removeInstances(s, addresses);
      await failOnErrors(res.diagnostics, globalOptions(cmd));
      return res;
    });
    const verb = opts.dryRun ? "Would remove" : "Removed";
    out(r.changed.map((a) => `${verb} ${a}`).join("\n"));
    if (!opts.dryRun)
      out(`Successfully removed ${r.changed.length} resource instance${r.changed.length === 1 ? "" : "s"}.`);
  });

  addLockOptions(
    addStatePathOption(
      state
        .command("mv")
        .argument("<from>", "the current address: an instance, or a whole resource with all its instances")
        .argument("<to>", "the new address")
        .description("rename a resource instance in the state, without touching it in SSM")
        .option("--dry-run", "say what would be moved, change nothing"),
    ),
  ).action(async (from: string, to: string, opts: StateOptions & { dryRun?: boolean }, cmd: Command) => {
    const { moveInstances } = await import("../../state/index.js");
    const r = await editState(cmd, "state mv", opts.dryRun === true, async (s) => {
      const res = moveInstances(s, from, to);
      await failOnErrors(res.diagnostics, globalOptions(cmd));
      return res;
    });
    const verb = opts.dryRun ? "Would move" : "Moved";
    if (r.changed.length === 0) out("Nothing to move: the addresses are the same.");
    else out(r.changed.map((c) => `${verb} ${c.replace(" → ", " to ")}`).join("\n"));
  });

  registerStateTransfer(state);
}
