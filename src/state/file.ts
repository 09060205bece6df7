import { constants as fsConstants, lstatSync, readFileSync, readlinkSync, realpathSync, unlinkSync } from "node:fs";
import { chmod, copyFile, link, mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { error, type Diagnostic } from "../diag/index.js";
import { decodeState, encodeStateBytes } from "./format.js";
import {
  acquireWithTimeout,
  holderIsGone,
  lockIdMismatch,
  newLockInfo,
  notLockedDiagnostic,
  parseLockInfo,
  takeOverStaleLock,
  type Attempt,
} from "./lock.js";
import type { State } from "./model.js";
import {
  checkWrite,
  concurrentWriteDiagnostic,
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

/** The state file's name when the configuration does not choose one; it sits beside the configuration. */
export const DEFAULT_STATE_FILE = "statectl.state.json";

/** State files, backups, locks and temporary files are private to their owner: they may hold secrets. */
export const STATE_FILE_MODE = 0o600;

export interface FileStateStorageOptions {
  /** Extra fsyncs make writes durable across power loss; on by default, off only for benchmarks. */
  fsync?: boolean;
}

function ioError(e: unknown, what: string, path: string): Diagnostic {
  const err = e instanceof Error ? (e as NodeJS.ErrnoException) : undefined;
  const code = err?.code;
  const reason =
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "ENOSPC"
        ? "the disk is full"
        : code === "EROFS"
          ? "the file system is read-only"
          : code === "EISDIR"
            ? "it is a directory"
            : code === "ENOENT"
              ? "it does not exist"
              : (code ?? err?.message ?? String(e));
  return error("state/io-error", `Cannot ${what} ${path}`, { detail: `Cannot ${what} ${path}: ${reason}.` });
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return codes.includes((e as NodeJS.ErrnoException).code ?? "");
}

/** Locks this process holds, released by the exit hook if the program ends without unlocking. */
const heldLocks = new Map<string, string>();
let exitHookInstalled = false;

function releaseHeldLocksAtExit(): void {
  for (const [lockPath, id] of heldLocks) {
    try {
      if (parseLockInfo(readFileSync(lockPath, "utf8"))?.id === id) unlinkSync(lockPath);
    } catch {
      // already gone, or unreadable: nothing more can be done while exiting
    }
  }
  heldLocks.clear();
}

let tempCounter = 0;

/**
 * Where a state path really leads: a symbolic link (also one whose target does not exist yet, and
 * chains of links) is followed, so writes go through to the target, and the lock, backup and
 * temporary files sit beside the target — two paths to one state take one lock.
 */
export function resolveStatePath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    // Missing (nothing to follow), or a link to a file not made yet: follow the links by hand.
  }
  let current = absolute;
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!lstatSync(current).isSymbolicLink()) return current;
      const target = readlinkSync(current);
      current = isAbsolute(target) ? target : resolve(dirname(current), target);
    } catch {
      return current;
    }
  }
  return current;
}

/**
 * The state in a local file, written atomically:
 *
 * 1. the new state goes to a temporary file in the same directory (mode 0600), which is fsynced;
 * 2. the current file is hard-linked (or, where links are unsupported, copied) to `<file>.backup`
 *    through a temporary name and a rename, so the backup is always whole;
 * 3. the temporary file is renamed over the state file, and the directory is fsynced.
 *
 * A process killed at any point leaves the state file either as it was or as it was meant to be,
 * never partial. The lock is the file `<file>.lock`, created with O_EXCL.
 */
export class FileStateStorage implements StateStorage {
  readonly path: string;
  readonly location: string;
  private known: KnownState | undefined;
  private readonly fsyncEnabled: boolean;
  /** Whether this storage holds the lock: without it, every write first checks the file is still the one last read (compare-and-swap). */
  private locked = false;

  constructor(path: string, opts: FileStateStorageOptions = {}) {
    this.path = resolveStatePath(path);
    this.location = path;
    this.fsyncEnabled = opts.fsync ?? true;
  }

  get backupPath(): string {
    return `${this.path}.backup`;
  }

  get lockPath(): string {
    return `${this.path}.lock`;
  }

  async read(): Promise<ReadStateResult> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (e) {
      if (isCode(e, "ENOENT")) return { diagnostics: [] };
      return { diagnostics: [ioError(e, "read the state file", this.location)] };
    }
    const r = decodeState(bytes, this.location);
    if (!r.state) return { diagnostics: await this.withBackupHint(r.diagnostics) };
    this.known = { lineage: r.state.lineage, serial: r.state.serial };
    return { state: r.state, diagnostics: r.diagnostics };
  }

  /** When the state file is damaged but the backup is sound, says exactly how to restore it. */
  private async withBackupHint(diags: Diagnostic[]): Promise<Diagnostic[]> {
    let backup: State | undefined;
    try {
      backup = decodeState(await readFile(this.backupPath), `${this.location}.backup`).state;
    } catch {
      backup = undefined;
    }
    return diags.map((d) =>
      d.severity === "error" && d.code !== "state/unsupported-version"
        ? {
            ...d,
            hint: backup
              ? `the previous version (serial ${backup.serial}) is intact in ${this.location}.backup; to restore it: cp ${this.location}.backup ${this.location}`
              : `no usable backup (${this.location}.backup) was found; restore the file from your own copies`,
          }
        : d,
    );
  }

  async write(state: State, opts: WriteOptions = {}): Promise<WriteStateResult> {
    if (!this.known) {
      // First write through this storage: make sure we are not about to replace a different,
      // newer or damaged state (a damaged one would also push the good backup out).
      const current = await this.read();
      if (current.diagnostics.some((d) => d.severity === "error")) return { diagnostics: current.diagnostics };
    }
    const refused = checkWrite(this.location, this.known, state, opts);
    if (refused.length > 0) return { diagnostics: refused };
    const written: State = { ...state, serial: state.serial + 1, statectlVersion: statectlVersion() };
    let diags: Diagnostic[];
    if (!this.locked && this.known) {
      // Without the lock another statectl may have written since we read: compare, then swap,
      // under a short-lived write guard (so two writers cannot both pass the comparison), so its
      // write is never lost and the serial never goes backwards.
      const known = this.known;
      const guarded = await this.withWriteGuard(async () => {
        const onDisk = await this.currentSerial();
        if ("diagnostics" in onDisk) return onDisk.diagnostics;
        if (onDisk.lineage !== known.lineage || onDisk.serial !== known.serial)
          return [concurrentWriteDiagnostic(this.location, known, onDisk)];
        return this.replaceAtomically(encodeStateBytes(written));
      });
      diags = guarded;
    } else diags = await this.replaceAtomically(encodeStateBytes(written));
    if (diags.length > 0) return { diagnostics: diags };
    this.known = { lineage: written.lineage, serial: written.serial };
    return { state: written, diagnostics: [] };
  }

  /**
   * Runs `fn` holding `<file>.write-guard` (O_EXCL), which unlocked writers take only around one
   * compare-and-swap (milliseconds). A guard older than 30 s was left by a killed writer.
   */
  private async withWriteGuard(fn: () => Promise<Diagnostic[]>): Promise<Diagnostic[]> {
    const guard = `${this.path}.write-guard`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const fh = await open(guard, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, STATE_FILE_MODE);
        try {
          await fh.writeFile(`${process.pid}@${hostname()}\n`, "utf8");
        } finally {
          await fh.close();
        }
        break;
      } catch (e) {
        if (!isCode(e, "EEXIST")) return [ioError(e, "create the write guard", `${this.location}.write-guard`)];
        if (await this.guardIsStale(guard)) await unlink(guard).catch(() => undefined);
        else if (Date.now() > deadline)
          return [
            ioError(
              Object.assign(new Error(""), { code: "another statectl kept it for 10 s" }),
              "take the write guard",
              `${this.location}.write-guard`,
            ),
          ];
        else await new Promise((r) => setTimeout(r, 10));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  }

  /** A guard whose writer died (killed mid-write on this host), or older than 30 s, protects nothing. */
  private async guardIsStale(guard: string): Promise<boolean> {
    try {
      const [text, info] = await Promise.all([readFile(guard, "utf8"), stat(guard)]);
      if (Date.now() - info.mtimeMs > 30_000) return true;
      const m = /^(\d+)@(.*)$/.exec(text.trim());
      if (!m) return Date.now() - info.mtimeMs > 1_000; // being written, or cut short by a kill
      return holderIsGone({
        id: "-",
        who: `-@${m[2]}`,
        pid: Number(m[1]),
        operation: "",
        created: "",
        version: "",
        path: "",
      });
    } catch {
      return false; // gone already: the next attempt takes it
    }
  }

  /** The lineage and serial of the file as it is now (undefined fields when it is gone). */
  private async currentSerial(): Promise<
    { lineage: string | undefined; serial: number | undefined } | { diagnostics: Diagnostic[] }
  > {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (e) {
      if (isCode(e, "ENOENT")) return { lineage: undefined, serial: undefined };
      return { diagnostics: [ioError(e, "read the state file", this.location)] };
    }
    const r = decodeState(bytes, this.location);
    if (!r.state) return { diagnostics: r.diagnostics };
    return { lineage: r.state.lineage, serial: r.state.serial };
  }

  private tempName(of: string): string {
    return `${of}.tmp-${process.pid}-${++tempCounter}`;
  }

  private async replaceAtomically(bytes: Buffer): Promise<Diagnostic[]> {
    const dir = dirname(this.path);
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      return [ioError(e, "create the directory", dir)];
    }
    const temp = this.tempName(this.path);
    try {
      const fh = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, STATE_FILE_MODE);
      try {
        await fh.chmod(STATE_FILE_MODE); // in case a umask stripped owner bits
        await fh.writeFile(bytes);
        if (this.fsyncEnabled) await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      return [ioError(e, "write a temporary state file in", dir)];
    }
    try {
      await this.keepBackup();
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      return [ioError(e, "write the backup", `${this.location}.backup`)];
    }
    try {
      await rename(temp, this.path);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      return [ioError(e, "replace the state file", this.location)];
    }
    if (this.fsyncEnabled) await syncDirectory(dir);
    return [];
  }

  /** Makes `<file>.backup` the current state file (before it is replaced), atomically. */
  private async keepBackup(): Promise<void> {
    const temp = this.tempName(this.backupPath);
    try {
      await link(this.path, temp);
    } catch (e) {
      if (isCode(e, "ENOENT")) return; // no state yet, so nothing to back up
      if (!isCode(e, "EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK")) throw e;
      // File systems without hard links: copy, then flush, then publish.
      await copyFile(this.path, temp, fsConstants.COPYFILE_EXCL);
      const fh = await open(temp, "r+");
      try {
        if (this.fsyncEnabled) await fh.sync();
      } finally {
        await fh.close();
      }
    }
    try {
      await chmod(temp, STATE_FILE_MODE);
      await rename(temp, this.backupPath);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
  }

  async lock(opts: LockOptions): Promise<LockResult> {
    const r = await acquireWithTimeout(this.location, opts, () => this.tryLock(opts.operation));
    // A holder killed between creating the lock file and writing it leaves an empty lock with no ID to force-unlock.
    if (r.diagnostics.some((d) => d.code === "state/locked") && !(await this.lockInfo())) {
      r.diagnostics = r.diagnostics.map((d) =>
        d.code === "state/locked"
          ? { ...d, hint: `if no statectl is running on this state, delete ${this.location}.lock` }
          : d,
      );
    }
    return r;
  }

  private async tryLock(operation: string): Promise<Attempt> {
    const first = await this.createLock(operation);
    // A lock whose holder crashed on this host needs no force-unlock (Terraform's local backend neither).
    if (!first.ok && first.holder && !first.diagnostics && holderIsGone(first.holder)) {
      return (await takeOverStaleLock(this.lockPath, first.holder, () => this.createLock(operation))) ?? first;
    }
    return first;
  }

  private async createLock(operation: string): Promise<Attempt> {
    const info = newLockInfo(operation, this.location, statectlVersion());
    try {
      await mkdir(dirname(this.lockPath), { recursive: true });
      const fh = await open(
        this.lockPath,
        fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
        STATE_FILE_MODE,
      );
      try {
        await fh.chmod(STATE_FILE_MODE);
        await fh.writeFile(JSON.stringify(info, null, 2) + "\n", "utf8");
        if (this.fsyncEnabled) await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (isCode(e, "EEXIST")) return { ok: false, holder: await this.lockInfo() };
      return {
        ok: false,
        holder: undefined,
        diagnostics: [ioError(e, "create the lock file", `${this.location}.lock`)],
      };
    }
    heldLocks.set(this.lockPath, info.id);
    this.locked = true;
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once("exit", releaseHeldLocksAtExit);
    }
    await this.removeAbandonedTempFiles();
    return { ok: true, lock: info };
  }

  /**
   * A writer killed mid-write leaves its temporary file behind. While we hold the lock no other
   * statectl writes here, so temporary files of processes that no longer exist are safe to delete.
   */
  private async removeAbandonedTempFiles(): Promise<void> {
    const base = basename(this.path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`^${base}(?:\\.backup)?\\.tmp-(\\d+)-\\d+$`);
    let names: string[];
    try {
      names = await readdir(dirname(this.path));
    } catch {
      return;
    }
    for (const name of names) {
      const m = pattern.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid) continue;
      const gone = holderIsGone({
        id: "-",
        who: `-@${hostname()}`,
        pid,
        operation: "",
        created: "",
        version: "",
        path: "",
      });
      if (gone) await unlink(join(dirname(this.path), name)).catch(() => undefined);
    }
  }

  async lockInfo(): Promise<LockInfo | undefined> {
    try {
      return parseLockInfo(await readFile(this.lockPath, "utf8"));
    } catch {
      return undefined;
    }
  }

  async unlock(id: string): Promise<Diagnostic[]> {
    const diags = await this.removeLock(id);
    if (diags.length === 0 || diags.some((d) => d.code === "state/not-locked")) {
      if (heldLocks.get(this.lockPath) === id) this.locked = false;
      heldLocks.delete(this.lockPath);
    }
    return diags;
  }

  forceUnlock(id: string): Promise<Diagnostic[]> {
    return this.unlock(id);
  }

  private async removeLock(id: string): Promise<Diagnostic[]> {
    let text: string;
    try {
      text = await readFile(this.lockPath, "utf8");
    } catch (e) {
      if (isCode(e, "ENOENT")) return [notLockedDiagnostic(this.location)];
      return [ioError(e, "read the lock file", `${this.location}.lock`)];
    }
    const holder = parseLockInfo(text);
    if (holder?.id !== id) return [lockIdMismatch(this.location, id, holder)];
    try {
      await unlink(this.lockPath);
    } catch (e) {
      if (!isCode(e, "ENOENT")) return [ioError(e, "remove the lock file", `${this.location}.lock`)];
    }
    return [];
  }
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}
