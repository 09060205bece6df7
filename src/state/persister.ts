import type { Diagnostic } from "../diag/index.js";
import type { State } from "./model.js";
import type { StateStorage, WriteStateResult } from "./storage.js";

/**
 * Keeps the current state of a running apply and writes it after each change.
 *
 * Changes may finish in parallel; `update` applies each one to the latest state at once, in the
 * order they finish, so none is lost, and writes happen one at a time. A write starts only once
 * the changes made in the same turn of the event loop are in (changes that finish together —
 * the entries of one batch call — share one write), and while a write is in flight further
 * changes are gathered into the next one. A promise from `update` or `persist` resolves once a
 * write that includes that change has been stored (or has failed).
 */
export class StatePersister {
  private state: State;
  private inFlight: Promise<void> | undefined;
  private waiters: ((r: WriteStateResult) => void)[] = [];
  private dirty = false;
  /** Diagnostics of the most recent failed write, if the last write failed. */
  lastError: Diagnostic[] | undefined;
  /** How many writes were stored. */
  writes = 0;

  constructor(
    private readonly storage: StateStorage,
    initial: State,
  ) {
    this.state = initial;
  }

  /** The latest state, including changes not yet written. */
  get current(): State {
    return this.state;
  }

  /** Applies `change` to the latest state and writes the result. */
  update(change: (state: State) => State): Promise<WriteStateResult> {
    return this.persist(change(this.state));
  }

  /** Makes `state` the latest state and writes it. It must derive from `current`. */
  persist(state: State): Promise<WriteStateResult> {
    this.state = state;
    this.dirty = true;
    const done = new Promise<WriteStateResult>((resolve) => this.waiters.push(resolve));
    if (!this.inFlight) this.inFlight = this.drain();
    return done;
  }

  /** Resolves when every change so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async drain(): Promise<void> {
    // Each state write rewrites the whole file (a state of thousands of resources is megabytes,
    // fsynced), so one write per change would bound an apply by the disk; changes made in this
    // turn of the event loop (also those the previous write's waiters make) join this write
    // instead of waiting for the next.
    await nextTurn();
    while (this.dirty) {
      this.dirty = false;
      const waiters = this.waiters;
      this.waiters = [];
      const snapshot = this.state;
      const r = await this.storage.write(snapshot);
      if (r.state) {
        this.writes++;
        this.lastError = undefined;
        // Changes made during the write carry on from the serial just stored.
        this.state =
          this.state === snapshot
            ? r.state
            : { ...this.state, serial: r.state.serial, statectlVersion: r.state.statectlVersion };
      } else {
        this.lastError = r.diagnostics;
      }
      for (const w of waiters) w(r);
      await nextTurn();
    }
    this.inFlight = undefined;
  }
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
