/** Lock bookkeeping shared by every storage: holder details, waiting with a timeout, the messages. */
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { error, type Diagnostic } from "../diag/index.js";
import type { LockInfo, LockOptions } from "./storage.js";

export const DEFAULT_LOCK_POLL_MS = 200;

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? "unknown";
  }
}

export function newLockInfo(operation: string, path: string, version: string): LockInfo {
  return { id: randomUUID(), who: `${currentUser()}@${hostname()}`, pid: process.pid, operation, created: new Date().toISOString(), version, path };
}

/** Reads lock details written by any statectl; undefined when the text is not a lock (e.g. still being written). */
export function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v !== "object" || v === null || typeof v.id !== "string" || v.id === "") return undefined;
    return {
      id: v.id,
      who: typeof v.who === "string" ? v.who : "unknown",
      pid: typeof v.pid === "number" ? v.pid : 0,
      operation: typeof v.operation === "string" ? v.operation : "unknown",
      created: typeof v.created === "string" ? v.created : "",
      version: typeof v.version === "string" ? v.version : "",
      path: typeof v.path === "string" ? v.path : "",
    };
  } catch {
    return undefined;
  }
}

/** True when the holder ran on this host and its process is gone: the lock is almost surely stale. */
export function holderIsGone(info: LockInfo): boolean {
  if (!info.who.endsWith(`@${hostname()}`) || info.pid <= 0) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function ago(created: string, now = Date.now()): string {
  const t = Date.parse(created);
  if (Number.isNaN(t)) return "";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return ` (${s}s ago)`;
  if (s < 3600) return ` (${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""} ago)`;
  return ` (${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m ago)`;
}

export function lockedDiagnostic(location: string, holder: LockInfo | undefined, waitedMs: number): Diagnostic {
  const waited = waitedMs > 0 ? ` after waiting ${formatDuration(waitedMs)}` : "";
  if (!holder) {
    return error("state/locked", "The state is locked", {
      detail: `Could not lock ${location}${waited}: another process holds the lock, and its details could not be read.`,
      hint: "wait and try again, or raise --lock-timeout",
    });
  }
  const lines = [
    `Could not lock ${location}${waited}; another statectl holds the lock:`,
    `  ID:        ${holder.id}`,
    `  Who:       ${holder.who}`,
    `  PID:       ${holder.pid}`,
    `  Operation: ${holder.operation}`,
    `  Since:     ${holder.created}${ago(holder.created)}`,
    ...(holder.version ? [`  Version:   ${holder.version}`] : []),
  ];
  const gone = holderIsGone(holder);
  if (gone) lines.push(`Process ${holder.pid} is no longer running on this host, so the lock is probably stale.`);
  return error("state/locked", "The state is locked", {
    detail: lines.join("\n"),
    hint: gone
      ? `release the stale lock with: statectl force-unlock ${holder.id}`
      : `wait for it to finish or raise --lock-timeout; if that process is gone, release the lock with: statectl force-unlock ${holder.id}`,
  });
}

export function notLockedDiagnostic(location: string): Diagnostic {
  return error("state/not-locked", "The state is not locked", { detail: `There is no lock on ${location}, so there is nothing to unlock.` });
}

export function lockIdMismatch(location: string, given: string, holder: LockInfo | undefined): Diagnostic {
  return error("state/lock-id-mismatch", "The lock ID does not match", {
    detail: holder
      ? `${location} is locked with ID ${holder.id} by ${holder.who} (${holder.operation}, since ${holder.created}), not ${given}. Nothing was unlocked.`
      : `${location} is locked, but its lock details could not be read to compare with ${given}. Nothing was unlocked.`,
  });
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export type Attempt = { ok: true; lock: LockInfo } | { ok: false; holder: LockInfo | undefined; diagnostics?: Diagnostic[] };

/** Tries `attempt` until it succeeds, fails for a reason other than a held lock, or the timeout passes. */
export async function acquireWithTimeout(location: string, opts: LockOptions, attempt: () => Promise<Attempt>): Promise<{ lock?: LockInfo; diagnostics: Diagnostic[] }> {
  const timeout = Math.max(0, opts.timeoutMs ?? 0);
  const poll = Math.max(10, opts.pollMs ?? DEFAULT_LOCK_POLL_MS);
  const start = Date.now();
  for (;;) {
    const r = await attempt();
    if (r.ok) return { lock: r.lock, diagnostics: [] };
    if (r.diagnostics) return { diagnostics: r.diagnostics };
    const waited = Date.now() - start;
    if (waited >= timeout || opts.signal?.aborted) return { diagnostics: [lockedDiagnostic(location, r.holder, timeout > 0 ? timeout : 0)] };
    await sleep(Math.min(poll, timeout - waited), opts.signal);
  }
}
