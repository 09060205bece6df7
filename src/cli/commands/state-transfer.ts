// `state pull`, `state push` and `state migrate`: moving a whole state in and out of where the
// configuration keeps it (a file or the S3 backend), with lineage and serial checks.
import type { Command } from "commander";
import { defined } from "../../diag/index.js";
import { readFile } from "node:fs/promises";
import { out } from "../io.js";
import {
  addLockOptions,
  addStatePathOption,
  commandStorage,
  failOnErrors,
  failWith,
  globalOptions,
  type StateOptions,
} from "../state-options.js";

interface PushOptions extends StateOptions {
  force?: boolean;
}

interface MigrateOptions extends StateOptions {
  from: string;
  fromRegion?: string;
  fromEndpoint?: string;
}

export function registerStateTransfer(state: Command): void {
  addStatePathOption(
    state.command("pull").description("print the current state (as stored: JSON) to stdout, e.g. to keep a copy"),
  ).action(async (_opts: StateOptions, cmd: Command) => {
    const { encodeStateBytes } = await import("../../state/index.js");
    const { closeStorage } = await import("../../engine/backend.js");
    const { error } = await import("../../diag/index.js");
    const { storage } = await commandStorage(cmd);
    const r = await storage.read();
    closeStorage(storage);
    await failOnErrors(r.diagnostics, globalOptions(cmd));
    const state =
      r.state ??
      (await failWith(
        [
          error("state/no-state", `No state at ${storage.location}`, {
            detail: "Nothing has been applied with this state yet.",
          }),
        ],
        globalOptions(cmd),
      ));
    out(encodeStateBytes(state).toString("utf8"));
  });

  addLockOptions(
    addStatePathOption(
      state
        .command("push")
        .argument("<file>", "a state file (from `state pull`, or an older backup)")
        .description(
          "replace the stored state with a state file; without --force refuses another lineage or a lower serial",
        )
        .option(
          "--force",
          "replace the stored state even if it has another lineage or a higher serial, as Terraform's `state push -force` (the stored state is lost, except in the backend's history)",
        ),
    ),
  ).action(async (file: string, opts: PushOptions, cmd: Command) => {
    const { decodeState } = await import("../../state/index.js");
    const { closeStorage } = await import("../../engine/backend.js");
    const { error } = await import("../../diag/index.js");
    const g = globalOptions(cmd);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      await failOnErrors(
        [
          error("state/io-error", `Cannot read ${file}`, {
            detail: `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`,
          }),
        ],
        g,
      );
      return;
    }
    const pushed = decodeState(bytes, file);
    await failOnErrors(pushed.diagnostics, g);
    const next = defined(pushed.state, "the pushed state (decodeState reports an error otherwise)");
    const { storage, where } = await commandStorage(cmd);
    const lock =
      opts.lock !== false
        ? await storage.lock({
            operation: "state push",
            timeoutMs: opts.lockTimeout ?? where.backend?.lockTimeoutMs ?? 0,
          })
        : undefined;
    if (lock && !lock.lock) {
      closeStorage(storage);
      await failOnErrors(lock.diagnostics, g);
    }
    const diags = [];
    let stored: number | undefined;
    let replaced: { lineage: string; serial: number } | undefined;
    try {
      const current = await storage.read();
      diags.push(...current.diagnostics);
      if (!current.diagnostics.some((d) => d.severity === "error")) {
        const now = current.state;

        if (now && now.lineage !== next.lineage && !opts.force) {
          diags.push(
            error("state/lineage-mismatch", "Refusing to push a different state", {
              detail: `${storage.location} holds the state with lineage ${now.lineage} (serial ${now.serial}), but ${file} has lineage ${next.lineage}. They are different states; pushing would lose the one stored. Nothing was written.`,
              hint: "push into an empty location (another workspace or key); or, if this state is to replace the stored one, push with --force",
            }),
          );
        } else if (now && next.serial < now.serial && !opts.force) {
          diags.push(
            error("state/stale-serial", "Refusing to push an older state", {
              detail: `${storage.location} is at serial ${now.serial}, but ${file} is at serial ${next.serial}: pushing would undo newer changes. Nothing was written.`,
              hint: "pull the current state and start from it; or, if the older one is what you want, push with --force",
            }),
          );
        } else {
          // Stored with a serial above both, so every reader sees it as the newest. Even with
          // --force this is a compare-and-swap on what was just read: a state stored in between
          // (by someone who skipped the lock) is never overwritten.
          const w = await storage.write(
            { ...next, serial: Math.max(next.serial, now?.serial ?? 0) },
            { replaceLineage: opts.force === true },
          );
          diags.push(...w.diagnostics);
          stored = w.state?.serial;
          if (w.state && now && now.lineage !== next.lineage) replaced = now;
        }
      }
    } finally {
      if (lock?.lock) diags.push(...(await storage.unlock(lock.lock.id)));
      closeStorage(storage);
    }
    await failOnErrors(diags, g);
    out(`Pushed ${file} to ${storage.location} (now serial ${stored}).`);
    if (replaced)
      out(
        `Replaced the state with lineage ${replaced.lineage} (serial ${replaced.serial}); it is kept only as the previous state: ${storage.location}.backup, or the object's previous version when the S3 bucket has versioning.`,
      );
  });

  addLockOptions(
    addStatePathOption(
      state
        .command("migrate")
        .description(
          "copy the state from where it was (a file, or s3://BUCKET/KEY) to where the configuration keeps it now, e.g. after adding or removing a backend",
        )
        .requiredOption("--from <location>", "the old location: a state file path, or s3://BUCKET/KEY")
        .option("--from-region <region>", "the old bucket's region (for s3://)")
        .option("--from-endpoint <url>", "an S3-compatible endpoint for the old bucket (for s3://)"),
    ),
  ).action(async (opts: MigrateOptions, cmd: Command) => {
    const { closeStorage, migrateState, storageForLocationText } = await import("../../engine/backend.js");
    const g = globalOptions(cmd);
    const { storage: to, where } = await commandStorage(cmd);
    const from = storageForLocationText(process.cwd(), opts.from, {
      ...(opts.fromRegion ? { region: opts.fromRegion } : {}),
      ...(opts.fromEndpoint ? { endpoint: opts.fromEndpoint, forcePathStyle: true } : {}),
    });
    const r = await migrateState(from, to, { lockTimeoutMs: opts.lockTimeout ?? where.backend?.lockTimeoutMs ?? 0 });
    closeStorage(from);
    closeStorage(to);
    await failOnErrors(r.diagnostics, g);
    if (r.migrated)
      out(
        `Copied the state (${r.resources} resource instance${r.resources === 1 ? "" : "s"}) from ${from.location} to ${to.location}, now serial ${r.serial}. ${from.location} was left as it was; remove it once you no longer need it.`,
      );
    else if (r.serial !== undefined)
      out(`${to.location} already holds this state (serial ${r.serial}); nothing to copy.`);
    else out(`There is no state at ${from.location}; nothing to copy.`);
  });
}
