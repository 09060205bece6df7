/**
 * state/ — what statectl manages and what it last knew about it: the state model (resource
 * instances with their ids, attributes, sensitive paths and dependencies; outputs), pure edits
 * (set, remove, move), the versioned JSON file format with its reader and diagnostics, and
 * persistence behind the StateStorage interface (an atomic, locked file; or memory).
 *
 * It sits early in the data flow: planning reads the prior state, apply writes the next one after
 * each change through StatePersister. Imports diag/ and addrs/. docs/state-file.md documents the file.
 */
// Addresses themselves are src/addrs/'s; only the state-specific helper is exported.
export { ADDRESS_EXAMPLES } from "./address.js";
export * from "./model.js";
export * from "./format.js";
export * from "./storage.js";
export {
  DEFAULT_LOCK_POLL_MS,
  acquireWithTimeout,
  newLockInfo,
  parseLockInfo,
  lockIdMismatch,
  notLockedDiagnostic,
  holderIsGone,
  staleLockNote,
  type Attempt,
} from "./lock.js";
export * from "./memory.js";
export * from "./file.js";
export * from "./persister.js";
export * from "./session.js";
export * from "./render.js";
export * from "./version.js";
