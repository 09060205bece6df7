/**
 * The endpoint's data: named sections of plain JSON, kept in memory and persisted to one file
 * (`<dataDir>/endpoint.json`) after every change. A write goes to a temporary file, is fsynced and
 * renamed over the old one (then the directory is fsynced), so a crash leaves either the old or the
 * new file, never a torn one. Writes are coalesced: changes made while a write is in flight go out
 * together in the next one, and `flush()` resolves once a write containing every change made before
 * the call is on disk.
 *
 * Each area owns its sections (documents: "documents"; tags: "tags"; associations, executions,
 * fleet and clock: their own). Without a dataDir the store lives in memory only.
 */
import { promises as fs, openSync, closeSync, writeSync, readFileSync, unlinkSync, constants } from "node:fs";
import * as path from "node:path";

export const STORE_FILE = "endpoint.json";
const LOCK_FILE = "endpoint.lock";
const FORMAT = "statectl-local-endpoint";
const FORMAT_VERSION = 1;

interface StoreFile {
  format: string;
  version: number;
  sections: Record<string, unknown>;
}

export class StoreError extends Error {}

export class DataStore {
  private sections: Record<string, unknown> = {};
  private changeSerial = 0;
  private writtenSerial = 0;
  private writing: Promise<void> | null = null;
  private lockHeld = false;
  private tmpCounter = 0;
  /** Bytes written to disk since open (benchmarks watch what persistence costs). */
  bytesWritten = 0;

  private constructor(readonly dataDir: string | undefined) {}

  /** Opens (and locks) a data dir, loading what is there; with no dir, an empty in-memory store. */
  static async open(dataDir?: string): Promise<DataStore> {
    const store = new DataStore(dataDir === undefined ? undefined : path.resolve(dataDir));
    if (store.dataDir !== undefined) {
      await fs.mkdir(store.dataDir, { recursive: true });
      store.lock();
      try {
        await store.load();
      } catch (e) {
        store.unlock();
        throw e;
      }
    }
    return store;
  }

  get persistent(): boolean {
    return this.dataDir !== undefined;
  }

  /** The live object for a section, created by `init` on first use. Mutate it, then `markChanged()`. */
  section<T>(name: string, init: () => T): T {
    if (!(name in this.sections)) this.sections[name] = init();
    return this.sections[name] as T;
  }

  /** Replace a section wholesale (e.g. a reset), marking the store changed. */
  replaceSection<T>(name: string, value: T): void {
    this.sections[name] = value;
    this.markChanged();
  }

  markChanged(): void {
    this.changeSerial++;
  }

  get dirty(): boolean {
    return this.changeSerial !== this.writtenSerial;
  }

  /** Resolves when every change made so far is durably on disk (at once for an in-memory store). */
  async flush(): Promise<void> {
    if (this.dataDir === undefined) {
      this.writtenSerial = this.changeSerial;
      return;
    }
    const target = this.changeSerial;
    while (this.writtenSerial < target) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      this.writing = this.writeOnce().finally(() => {
        this.writing = null;
      });
      await this.writing;
    }
  }

  /** Flushes and releases the data dir. */
  async close(): Promise<void> {
    await this.flush();
    this.unlock();
  }

  private async writeOnce(): Promise<void> {
    const dir = this.dataDir!;
    const serial = this.changeSerial;
    const body: StoreFile = { format: FORMAT, version: FORMAT_VERSION, sections: this.sections };
    const text = JSON.stringify(body);
    const final = path.join(dir, STORE_FILE);
    const tmp = path.join(dir, `.${STORE_FILE}.${process.pid}.${this.tmpCounter++}.tmp`);
    const handle = await fs.open(tmp, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      this.bytesWritten += Buffer.byteLength(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, final);
    // The rename itself must reach the disk, or a crash could bring the old file back.
    try {
      const dirHandle = await fs.open(dir, "r");
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch {
      // Some filesystems refuse to fsync a directory; the file itself is already durable.
    }
    this.writtenSerial = Math.max(this.writtenSerial, serial);
  }

  private async load(): Promise<void> {
    const dir = this.dataDir!;
    for (const name of await fs.readdir(dir)) {
      // Leftovers of a write that a crash interrupted: the rename never happened, so they are stale.
      if (name.startsWith(`.${STORE_FILE}.`) && name.endsWith(".tmp")) await fs.rm(path.join(dir, name), { force: true });
    }
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, STORE_FILE), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    let parsed: StoreFile;
    try {
      parsed = JSON.parse(text) as StoreFile;
    } catch (e) {
      throw new StoreError(`${path.join(dir, STORE_FILE)} is not valid JSON: ${(e as Error).message}`);
    }
    if (parsed.format !== FORMAT || typeof parsed.sections !== "object" || parsed.sections === null)
      throw new StoreError(`${path.join(dir, STORE_FILE)} is not a statectl local endpoint data file`);
    if (parsed.version > FORMAT_VERSION)
      throw new StoreError(`${path.join(dir, STORE_FILE)} was written by a newer statectl (format ${parsed.version})`);
    this.sections = parsed.sections;
  }

  /** One server per data dir: a lock file holding our pid; a lock left by a dead process is taken over. */
  private lock(): void {
    const file = path.join(this.dataDir!, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.lockHeld = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const owner = Number(readFileSafe(file));
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner))
          throw new StoreError(`data dir ${this.dataDir} is in use by another local endpoint (pid ${owner})`);
        if (owner === process.pid)
          throw new StoreError(`data dir ${this.dataDir} is already open in this process`);
        try {
          unlinkSync(file);
        } catch {
          // Someone else removed it first; try again.
        }
      }
    }
    throw new StoreError(`could not lock data dir ${this.dataDir}`);
  }

  private unlock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    try {
      unlinkSync(path.join(this.dataDir!, LOCK_FILE));
    } catch {
      // Already gone.
    }
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
