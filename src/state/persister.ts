import type { Diagnostic } from "../diag/index.js";
import type { State } from "./model.js";
import type { StateStorage, WriteStateResult } from "./storage.js";

/**
 * Keeps the current state of a running apply and writes it after each change.
 *
 * Changes may finish in parallel; `update` applies each one to the latest state at once, in the
 * order they finish, so none is lost, and writes happen one at a time. While a write is in
 * flight, further changes are gathered into the next write. A promise from `update` or `persist`
 * resolves once a write that includes that change has been stored (or has failed).
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

  constructor(private readonly storage: StateStorage, initial: State) {
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
        this.state = this.state === snapshot ? r.state : { ...this.state, serial: r.state.serial, statectlVersion: r.state.statectlVersion };
      } else {
        this.lastError = r.diagnostics;
      }
      for (const w of waiters) w(r);
    }
    this.inFlight = undefined;
  }
}
