/** Lock bookkeeping shared by every storage: holder details, waiting with a timeout, the messages. */
import { randomUUID } from "node:crypto";
import { constants as fsConstants, readFileSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
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
  const started = processStartId(process.pid);
  return {
    id: randomUUID(),
    who: `${currentUser()}@${hostname()}`,
    pid: process.pid,
    operation,
    created: new Date().toISOString(),
    version,
    path,
    ...(started ? { started } : {}),
  };
}

/**
 * Which process a pid is, not only its number: the boot (Linux's boot_id) and the process's start
 * time in clock ticks since boot (field 22 of /proc/PID/stat). A pid reused by a later process, or
 * after a reboot, gives another id. Undefined where /proc is not there (the pid alone is used).
 */
export function processStartId(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may itself hold spaces and ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = fields[19];
    if (ticks === undefined || !/^\d+$/.test(ticks)) return undefined;
    return `${bootId() ?? "boot"}:${ticks}`;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined | null = null;
function bootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
    } catch {
      cachedBootId = undefined;
    }
  }
  return cachedBootId;
}

/** Reads lock details written by any statectl; undefined when the text is not a lock (e.g. still being written). */
export function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    // Any JSON object: each field is checked before it is used.
    const v = parsed as { readonly [K in keyof LockInfo]?: unknown };
    if (typeof v.id !== "string" || v.id === "") return undefined;
    return {
      id: v.id,
      who: typeof v.who === "string" ? v.who : "unknown",
      pid: typeof v.pid === "number" ? v.pid : 0,
      operation: typeof v.operation === "string" ? v.operation : "unknown",
      created: typeof v.created === "string" ? v.created : "",
      version: typeof v.version === "string" ? v.version : "",
      path: typeof v.path === "string" ? v.path : "",
      ...(typeof v.started === "string" ? { started: v.started } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * True when the holder ran on this host and its process is gone: no process has its pid, or the
 * process with that pid started at another time (the pid was reused) or before another boot. A
 * holder on another host is never judged: its process cannot be seen from here.
 */
export function holderIsGone(info: LockInfo): boolean {
  if (!info.who.endsWith(`@${hostname()}`) || info.pid <= 0) return false;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
  if (info.started === undefined) return false;
  const now = processStartId(info.pid);
  return now !== undefined && now !== info.started;
}

/** The one line said when a stale lock was taken over. */
export function staleLockNote(stale: LockInfo): string {
  return `Took over the lock on ${stale.path} left by process ${stale.pid} (${stale.operation}, ${stale.who}, since ${stale.created}), which is no longer running.`;
}

/**
 * Removes a lock whose holder is gone (holderIsGone) and takes it with `create`, without a race:
 * whoever holds `<lock>.takeover` (O_EXCL) reads the lock again, removes it only if it is still
 * the stale one, and creates its own while still holding it. Everyone else only ever creates the
 * lock with O_EXCL, so a fresh lock is never removed. Returns undefined when another process is
 * taking over at the same moment (the caller tries again at its next poll).
 */
export async function takeOverStaleLock(
  lockPath: string,
  stale: LockInfo,
  create: () => Promise<Attempt>,
): Promise<Attempt | undefined> {
  const mutex = `${lockPath}.takeover`;
  let fh;
  try {
    fh = await open(mutex, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
    // A takeover lasts milliseconds; one whose process is gone was cut short by a crash.
    const holder = parseLockInfo(await readFile(mutex, "utf8").catch(() => ""));
    if (holder && holderIsGone(holder)) await unlink(mutex).catch(() => undefined);
    return undefined;
  }
  try {
    await fh.writeFile(JSON.stringify(newLockInfo("takeover", lockPath, "")), "utf8");
    await fh.close();
    fh = undefined;
    const current = parseLockInfo(await readFile(lockPath, "utf8").catch(() => ""));
    if (current?.id !== stale.id) return undefined;
    await unlink(lockPath).catch(() => undefined);
    const taken = await create();
    return taken.ok ? { ...taken, tookOver: stale } : taken;
  } finally {
    await fh?.close().catch(() => undefined);
    await unlink(mutex).catch(() => undefined);
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
  return error("state/not-locked", "The state is not locked", {
    detail: `There is no lock on ${location}, so there is nothing to unlock.`,
  });
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
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export type Attempt =
  | { ok: true; lock: LockInfo; tookOver?: LockInfo }
  | { ok: false; holder: LockInfo | undefined; diagnostics?: Diagnostic[] };

/** Tries `attempt` until it succeeds, fails for a reason other than a held lock, or the timeout passes. */
export async function acquireWithTimeout(
  location: string,
  opts: LockOptions,
  attempt: () => Promise<Attempt>,
): Promise<{ lock?: LockInfo; tookOver?: LockInfo; diagnostics: Diagnostic[] }> {
  const timeout = Math.max(0, opts.timeoutMs ?? 0);
  const poll = Math.max(10, opts.pollMs ?? DEFAULT_LOCK_POLL_MS);
  const start = Date.now();
  for (;;) {
    const r = await attempt();
    if (r.ok) return { lock: r.lock, ...(r.tookOver ? { tookOver: r.tookOver } : {}), diagnostics: [] };
    if (r.diagnostics) return { diagnostics: r.diagnostics };
    const waited = Date.now() - start;
    if (waited >= timeout || opts.signal?.aborted)
      return { diagnostics: [lockedDiagnostic(location, r.holder, timeout > 0 ? timeout : 0)] };
    await sleep(Math.min(poll, timeout - waited), opts.signal);
  }
}
