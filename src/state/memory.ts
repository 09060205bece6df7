import type { Diagnostic } from "../diag/index.js";
import { decodeState, encodeStateBytes } from "./format.js";
import { acquireWithTimeout, lockIdMismatch, newLockInfo, notLockedDiagnostic } from "./lock.js";
import type { State } from "./model.js";
import {
  checkWrite,
  type KnownState,
  type LockInfo,
  type LockOptions,
  type LockResult,
  type ReadStateResult,
  type StateStorage,
  type WriteOptions,
  type WriteStateResult,
} from "./storage.js";
import { statectlVersion } from "./version.js";

/**
 * State kept in memory, for tests and for embedders that keep state elsewhere themselves. It
 * stores the encoded text, so a state that would not survive the file format fails here too,
 * and it follows the same contract as the file storage (serials, lineage, locking).
 */
export class MemoryStateStorage implements StateStorage {
  readonly location: string;
  /** What a file would hold: the text given, or the bytes written (decoded only when `contents` asks). */
  private bytes: string | Buffer | undefined;
  private holder: LockInfo | undefined;
  private known: KnownState | undefined;
  /** How many writes have been stored; tests use it to see that apply persisted each change. */
  writes = 0;

  constructor(initial?: State | string, location = "memory") {
    this.location = location;
    this.bytes = typeof initial === "string" ? initial : initial ? encodeStateBytes(initial) : undefined;
  }

  /** The stored text, as a file would hold it. */
  get contents(): string | undefined {
    return typeof this.bytes === "string" ? this.bytes : this.bytes?.toString("utf8");
  }

  read(): Promise<ReadStateResult> {
    if (this.bytes === undefined) return Promise.resolve({ diagnostics: [] });
    const r = decodeState(this.bytes, this.location);
    if (r.state) this.known = { lineage: r.state.lineage, serial: r.state.serial };
    return Promise.resolve(r.state ? { state: r.state, diagnostics: r.diagnostics } : { diagnostics: r.diagnostics });
  }

  write(state: State, opts: WriteOptions = {}): Promise<WriteStateResult> {
    if (!this.known && this.bytes !== undefined) {
      const current = decodeState(this.bytes, this.location);
      if (!current.state) return Promise.resolve({ diagnostics: current.diagnostics });
      this.known = { lineage: current.state.lineage, serial: current.state.serial };
    }
    const refused = checkWrite(this.location, this.known, state, opts);
    if (refused.length > 0) return Promise.resolve({ diagnostics: refused });
    const written: State = { ...state, serial: state.serial + 1, statectlVersion: statectlVersion() };
    this.bytes = encodeStateBytes(written);
    this.known = { lineage: written.lineage, serial: written.serial };
    this.writes++;
    return Promise.resolve({ state: written, diagnostics: [] });
  }

  lock(opts: LockOptions): Promise<LockResult> {
    return acquireWithTimeout(this.location, opts, () => {
      if (this.holder) return Promise.resolve({ ok: false, holder: this.holder });
      this.holder = newLockInfo(opts.operation, this.location, statectlVersion());
      return Promise.resolve({ ok: true, lock: this.holder });
    });
  }

  unlock(id: string): Promise<Diagnostic[]> {
    if (!this.holder) return Promise.resolve([notLockedDiagnostic(this.location)]);
    if (this.holder.id !== id) return Promise.resolve([lockIdMismatch(this.location, id, this.holder)]);
    this.holder = undefined;
    return Promise.resolve([]);
  }

  forceUnlock(id: string): Promise<Diagnostic[]> {
    return this.unlock(id);
  }

  lockInfo(): Promise<LockInfo | undefined> {
    return Promise.resolve(this.holder);
  }
}
