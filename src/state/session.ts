import type { Diagnostic } from "../diag/index.js";
import { emptyState, type State } from "./model.js";
import { StatePersister } from "./persister.js";
import type { LockInfo, LockOptions, StateStorage } from "./storage.js";
import { statectlVersion } from "./version.js";

export interface OpenStateOptions extends LockOptions {
  /** Take the lock (the default). `false` for read-only work or the CLI's `--no-lock`. */
  lock?: boolean;
  /** Called as soon as the lock is held, before the state is read: an interrupt can release it without waiting for the read. */
  onLocked?: (lock: LockInfo) => void;
}

/** A state opened for an operation: the prior state, the lock, and the persister to write through. */
export interface OpenState {
  /** The prior state, or a new empty one (serial 0, fresh lineage) when none exists yet. */
  readonly prior: State;
  /** False when there was no state yet. */
  readonly existed: boolean;
  readonly lock: LockInfo | undefined;
  /** The stale lock of a crashed process on this host that this lock replaced (say so in one line). */
  readonly tookOver?: LockInfo;
  /** Writes the state after each change; `persister.current` is the latest state. */
  readonly persister: StatePersister;
  /** Waits for pending writes, then releases the lock. Call it however the operation ends. */
  release(): Promise<Diagnostic[]>;
}

/**
 * The front door for an operation on a state (plan, apply, destroy, state mv): lock it (waiting
 * up to `timeoutMs`), read it, and hand back a persister. On any error nothing stays locked.
 */
export async function openState(
  storage: StateStorage,
  opts: OpenStateOptions,
): Promise<{ opened?: OpenState; diagnostics: Diagnostic[] }> {
  let lock: LockInfo | undefined;
  let tookOver: LockInfo | undefined;
  if (opts.lock !== false) {
    const l = await storage.lock(opts);
    if (!l.lock) return { diagnostics: l.diagnostics };
    lock = l.lock;
    tookOver = l.tookOver;
    opts.onLocked?.(lock);
  }
  const read = await storage.read();
  if (read.diagnostics.some((d) => d.severity === "error")) {
    const unlock = lock ? await storage.unlock(lock.id) : [];
    return { diagnostics: [...read.diagnostics, ...unlock] };
  }
  const prior = read.state ?? emptyState({ statectlVersion: statectlVersion() });
  const persister = new StatePersister(storage, prior);
  let released = false;
  return {
    diagnostics: read.diagnostics,
    opened: {
      prior,
      existed: read.state !== undefined,
      lock,
      ...(tookOver ? { tookOver } : {}),
      persister,
      async release() {
        if (released) return [];
        released = true;
        await persister.flush();
        return lock ? storage.unlock(lock.id) : [];
      },
    },
  };
}
