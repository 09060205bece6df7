import { error, type Diagnostic } from "../diag/index.js";
import type { State } from "./model.js";

/** Who holds a lock on a state, written into the lock so a waiting statectl can say. */
export interface LockInfo {
  /** A UUID; `statectl force-unlock ID` needs it. */
  id: string;
  /** `user@host` of the holder. */
  who: string;
  pid: number;
  /** What the holder is doing: `apply`, `plan`, `state mv`, … */
  operation: string;
  /** When the lock was taken, ISO 8601 UTC. */
  created: string;
  /** The statectl version of the holder. */
  version: string;
  /** What is locked (the state file's path), for messages. */
  path: string;
  /** Which process `pid` is on this host (boot + start time), so a reused pid is not taken for the holder. */
  started?: string;
}

export interface LockOptions {
  /** Recorded in the lock for others to see, e.g. `apply`. */
  operation: string;
  /** How long to keep trying while someone else holds the lock; 0 (the default) tries once. */
  timeoutMs?: number;
  /** How often to retry while waiting; default 200 ms. */
  pollMs?: number;
  /** Gives up waiting when aborted (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}

export interface ReadStateResult {
  /** Undefined when no state exists yet (or on error). */
  state?: State;
  diagnostics: Diagnostic[];
}

export interface WriteOptions {
  /**
   * Replace a stored state of another lineage (`state push --force`, like Terraform's
   * `state push -force`). The caller should hold the lock; the write is still a compare-and-swap
   * against what was read, so a state stored in between is never overwritten.
   */
  replaceLineage?: boolean;
}

export interface WriteStateResult {
  /** The state as written — its serial one more than the state passed in. Undefined on error. */
  state?: State;
  diagnostics: Diagnostic[];
}

export interface LockResult {
  /** The lock taken; undefined when it could not be (see diagnostics). */
  lock?: LockInfo;
  /** A lock left by a process on this host that no longer runs, which this lock replaced (say so). */
  tookOver?: LockInfo;
  diagnostics: Diagnostic[];
}

/**
 * Where a state lives. statectl ships a file implementation (FileStateStorage) and an in-memory
 * one (MemoryStateStorage); embedders can supply their own (a database, an object store).
 *
 * Contract:
 * - Nothing throws for expected failures (missing permissions, corrupt data, a held lock): the
 *   methods return diagnostics. Only programmer errors throw.
 * - `write` stores the state with `serial` incremented by one and returns what it stored. It
 *   refuses a state of another lineage, or one older than what it last read or wrote, and it is
 *   atomic: a reader sees the old state or the new one, never a mixture, even if the process dies.
 * - `lock` is exclusive across processes. A caller that locked must `unlock` with the lock's id.
 */
export interface StateStorage {
  /** Where the state lives, for messages (a file path, a URL). */
  readonly location: string;
  read(): Promise<ReadStateResult>;
  write(state: State, opts?: WriteOptions): Promise<WriteStateResult>;
  lock(opts: LockOptions): Promise<LockResult>;
  unlock(id: string): Promise<Diagnostic[]>;
  /** Releases a lock someone else took and left behind. The id must match the lock's. */
  forceUnlock(id: string): Promise<Diagnostic[]>;
  /** The current holder, if any. */
  lockInfo(): Promise<LockInfo | undefined>;
}

/** The lineage and serial a storage last read or wrote; writes are checked against it. */
export interface KnownState {
  lineage: string;
  serial: number;
}

/** Refuses to overwrite a state of another lineage (unless told to replace it), or a newer state with an older one. */
export function checkWrite(
  location: string,
  known: KnownState | undefined,
  state: State,
  opts: WriteOptions = {},
): Diagnostic[] {
  if (!known) return [];
  if (state.lineage !== known.lineage) {
    if (opts.replaceLineage) return [];
    return [
      error("state/lineage-mismatch", "Refusing to overwrite a different state", {
        detail: `${location} holds the state with lineage ${known.lineage}, but the state being written has lineage ${state.lineage}. They are different states; writing would lose the one stored.`,
      }),
    ];
  }
  if (state.serial < known.serial) {
    return [
      error("state/stale-serial", "Refusing to overwrite a newer state", {
        detail: `${location} is at serial ${known.serial}, but the state being written was derived from serial ${state.serial}. Another change was stored in between; read the state again and redo the change.`,
      }),
    ];
  }
  return [];
}

/**
 * A write without the lock found the file changed since it was read: another statectl wrote in
 * between. Nothing is written; the other process's write stays.
 */
export function concurrentWriteDiagnostic(
  location: string,
  known: KnownState,
  onDisk: { lineage: string | undefined; serial: number | undefined },
): Diagnostic {
  const now =
    onDisk.serial === undefined
      ? "the file is gone"
      : onDisk.lineage !== known.lineage
        ? `it now holds another state (lineage ${onDisk.lineage})`
        : `it is now at serial ${onDisk.serial}`;
  return error("state/changed-concurrently", "The state file changed while this statectl worked without the lock", {
    detail: `${location} was at serial ${known.serial} when this statectl read it, but ${now}: another process wrote it in between. This write was refused so that the other write is not lost; changes this run made in SSM after that point are not recorded in the state.`,
    hint: "run statectl plan to see what is not recorded (an association created here and not recorded shows as one to create again — import it instead), and use the state lock (drop --no-lock) when several statectl may run at once",
  });
}
