/**
 * The endpoint's data: named sections of plain JSON, kept in memory and persisted in a data dir
 * as a snapshot (`endpoint.json`) plus an append-only journal (`endpoint.journal`).
 *
 * A write does not rewrite everything: it compares every entry (a section's values down to three
 * levels, e.g. `simulation.associations.<id>.<field>`) with what was last written, appends the
 * entries that changed (and those that went away) to the journal as ONE line, and fsyncs it. A
 * crash can only tear the last line, which was never acknowledged: loading replays whole lines
 * and drops a torn last one. Each line carries a checksum of its record (`<sha256 prefix>\t<json>`),
 * so damage anywhere else — a changed byte, a lost block — makes the store refuse to open, naming
 * the file and line, instead of silently dropping the acknowledged writes after it. Once the journal outgrows the snapshot, the next
 * write is a compaction: a new snapshot with the next generation number goes to a temporary file,
 * is fsynced and renamed over the old one (then the directory is fsynced), and a fresh journal of
 * that generation starts; a journal whose generation differs from the snapshot's is stale and
 * ignored. `close()` compacts, so a stopped endpoint leaves one complete `endpoint.json`.
 *
 * Writes are coalesced: changes made while a write is in flight go out together in the next one,
 * and `flush()` resolves once a write containing every change made before the call is on disk.
 *
 * The data dir is created 0700 and every file in it 0600; files are written under random
 * temporary names created exclusively (O_EXCL: a link planted there is never followed) and
 * renamed into place, and the journal is opened with O_NOFOLLOW.
 *
 * Each area owns its sections (documents: "documents"; tags: "tags"; associations, executions,
 * fleet and clock: their own). Without a dataDir the store lives in memory only.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs, openSync, closeSync, writeSync, readFileSync, unlinkSync, constants } from "node:fs";
import * as path from "node:path";

export const STORE_FILE = "endpoint.json";
export const JOURNAL_FILE = "endpoint.journal";
const LOCK_FILE = "endpoint.lock";
/** Levels of nesting below a section that the journal tracks one by one (deeper values go whole). */
const ENTRY_DEPTH = 3;
/** Below the second level, an object is a map tracked key by key only when it has more keys than this. */
const MAP_KEYS = 64;
/** Joins the keys of an entry's path (a character no JSON key from the API contains). */
const KEY_SEPARATOR = "\u0000";
/** The journal is compacted once it is larger than this and than the last snapshot. */
const MIN_COMPACT_BYTES = 1 << 20;
const FORMAT = "statectl-local-endpoint";
const FORMAT_VERSION = 1;

interface StoreFile {
  format: string;
  version: number;
  /** Which journal belongs to this snapshot (absent in files written before the journal existed). */
  generation?: number;
  sections: Record<string, unknown>;
}

/** One journal line: the generation it belongs to, entries set ([path, value]) and removed (path). */
interface JournalLine {
  g: number;
  set: [string[], unknown][];
  del: string[][];
}

/** A data dir that cannot be used as it is: the user's to fix (the message names the path, `hint` how). */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly hint = "move the data dir aside to start with an empty endpoint, or restore its files from a backup",
  ) {
    super(message);
  }
}

export class DataStore {
  private sections: Record<string, unknown> = {};
  private changeSerial = 0;
  private writtenSerial = 0;
  private writing: Promise<void> | null = null;
  private lockHeld = false;
  /** Bytes written to disk since open (benchmarks watch what persistence costs). */
  bytesWritten = 0;
  private generation = 0;
  /** What was last written, entry by entry: path (keys joined by KEY_SEPARATOR) → the value's JSON text. */
  private written = new Map<string, string>();
  private journalBytes = 0;
  private snapshotBytes = 0;
  private journal: fs.FileHandle | undefined;

  private constructor(readonly dataDir: string | undefined) {}

  /** Opens (and locks) a data dir, loading what is there; with no dir, an empty in-memory store. */
  static async open(dataDir?: string): Promise<DataStore> {
    const store = new DataStore(dataDir === undefined ? undefined : path.resolve(dataDir));
    if (store.dataDir !== undefined) {
      // Owner only: the data may hold sensitive association parameters, as SSM itself would.
      await fs.mkdir(store.dataDir, { recursive: true, mode: 0o700 });
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

  /** Flushes, folds the journal into one complete snapshot, and releases the data dir. */
  async close(): Promise<void> {
    await this.flush();
    if (this.dataDir !== undefined && this.journalBytes > 0) {
      while (this.writing) await this.writing;
      this.writing = this.compact().finally(() => {
        this.writing = null;
      });
      await this.writing;
    }
    await this.journal?.close();
    this.journal = undefined;
    this.unlock();
  }

  private async writeOnce(): Promise<void> {
    const serial = this.changeSerial;
    const entries = flatten(this.sections);
    const set: [string[], unknown][] = [];
    let lineBytes = 0;
    for (const [key, text] of entries) {
      if (this.written.get(key) === text) continue;
      set.push([key.split(KEY_SEPARATOR), JSON.parse(text) as unknown]);
      lineBytes += key.length + text.length;
    }
    const del: string[][] = [];
    for (const key of this.written.keys()) if (!entries.has(key)) del.push(key.split(KEY_SEPARATOR));
    if (set.length === 0 && del.length === 0) {
      this.writtenSerial = Math.max(this.writtenSerial, serial);
      return;
    }
    if (this.journal === undefined || this.journalBytes + lineBytes > Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) {
      await this.compact(entries);
    } else {
      const line: JournalLine = { g: this.generation, set, del };
      const text = journalLine(line);
      await this.journal.write(text, null, "utf8");
      await this.journal.datasync();
      const bytes = Buffer.byteLength(text, "utf8");
      this.bytesWritten += bytes;
      this.journalBytes += bytes;
      this.written = entries;
    }
    this.writtenSerial = Math.max(this.writtenSerial, serial);
  }

  /** Writes a complete snapshot of the next generation and starts its (empty) journal. */
  private async compact(entries: Map<string, string> = flatten(this.sections)): Promise<void> {
    const dir = this.dataDir!;
    const generation = this.generation + 1;
    const body: StoreFile = { format: FORMAT, version: FORMAT_VERSION, generation, sections: this.sections };
    const text = JSON.stringify(body);
    await writeFileAtomically(dir, STORE_FILE, text);
    // The new snapshot is in place: the old journal is stale (its generation no longer matches).
    await this.journal?.close();
    this.journal = undefined;
    await writeFileAtomically(dir, JOURNAL_FILE, "");
    await syncDir(dir);
    this.journal = await fs.open(
      path.join(dir, JOURNAL_FILE),
      constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW,
      0o600,
    );
    this.generation = generation;
    this.bytesWritten += Buffer.byteLength(text, "utf8");
    this.snapshotBytes = text.length;
    this.journalBytes = 0;
    this.written = entries;
  }

  private async load(): Promise<void> {
    const dir = this.dataDir!;
    for (const name of await fs.readdir(dir)) {
      // Leftovers of a write that a crash interrupted: the rename never happened, so they are stale.
      if (name.startsWith(".") && name.endsWith(".tmp")) await fs.rm(path.join(dir, name), { force: true });
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
      throw new StoreError(
        `${path.join(dir, STORE_FILE)} was written by a newer statectl (format ${parsed.version})`,
        "use that statectl, or move the data dir aside to start with an empty endpoint",
      );
    this.sections = parsed.sections;
    this.generation = parsed.generation ?? 0;
    this.snapshotBytes = text.length;
    replayJournal(
      this.sections,
      this.generation,
      await readFileOrEmpty(path.join(dir, JOURNAL_FILE)),
      path.join(dir, JOURNAL_FILE),
    );
    // Everything loaded counts as written; the first write compacts (and opens a fresh journal).
    this.written = flatten(this.sections);
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
          throw new StoreError(
            `data dir ${this.dataDir} is in use by another local endpoint (pid ${owner})`,
            "stop that endpoint, or use another --data-dir",
          );
        if (owner === process.pid)
          throw new StoreError(
            `data dir ${this.dataDir} is already open in this process`,
            "stop the endpoint already open on it first",
          );
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

/**
 * What a data dir holds (snapshot plus journal), read without opening or locking it: for tests and
 * tools that look at the data of an endpoint that may be running.
 */
export async function readDataDir(dataDir: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dataDir, STORE_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw e;
  }
  const parsed = JSON.parse(text) as StoreFile;
  replayJournal(
    parsed.sections,
    parsed.generation ?? 0,
    await readFileOrEmpty(path.join(dataDir, JOURNAL_FILE)),
    path.join(dataDir, JOURNAL_FILE),
  );
  return parsed.sections;
}

/**
 * Every entry of `sections`: path (keys joined by KEY_SEPARATOR) → value (JSON text). Objects are
 * descended into down to ENTRY_DEPTH levels below a section; below the second level only maps
 * with many keys are (instance → association → status), while records (an association, a
 * document) stay whole, so a write stringifies a few thousand values rather than every field.
 */
function flatten(sections: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, key: string, depth: number): void => {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && depth <= ENTRY_DEPTH) {
      const keys = Object.keys(value);
      if (depth === 0 || (keys.length > 0 && (depth < 2 || keys.length > MAP_KEYS))) {
        for (const k of keys) walk((value as Record<string, unknown>)[k], key + KEY_SEPARATOR + k, depth + 1);
        // An empty section still has to exist after a replay.
        if (keys.length === 0) out.set(key, "{}");
        return;
      }
    }
    const text = JSON.stringify(value);
    if (text !== undefined) out.set(key, text);
  };
  for (const name of Object.keys(sections)) walk(sections[name], name, 0);
  return out;
}

/** A journal line: a checksum of the record, a tab, the record as JSON, a line break. */
function journalLine(line: JournalLine): string {
  const json = JSON.stringify(line);
  return `${checksum(json)}\t${json}\n`;
}

function checksum(json: string): string {
  return createHash("sha256").update(json, "utf8").digest("hex").slice(0, 16);
}

/** A journal line's record, or why it is not one. Lines from before checksums (`{…}`) have none to check. */
function readJournalLine(raw: string): JournalLine | "unreadable" | "checksum" {
  const tab = raw.indexOf("\t");
  const json = raw.startsWith("{") ? raw : raw.slice(tab + 1);
  if (!raw.startsWith("{") && (tab !== 16 || checksum(json) !== raw.slice(0, tab)))
    return tab === 16 && isJson(json) ? "checksum" : "unreadable";
  try {
    const line = JSON.parse(json) as JournalLine;
    return typeof line === "object" && line !== null && Array.isArray(line.set) && Array.isArray(line.del)
      ? line
      : "unreadable";
  } catch {
    return "unreadable";
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies the journal lines of `generation` to `sections`; a journal of another generation is
 * stale (a crash came between a new snapshot and its fresh journal) and stops the replay. A last
 * line without its line break was torn by a crash mid-append and never acknowledged: dropped.
 * Any other damaged line is refused, naming `file` and the line: the lines after it hold writes
 * that were acknowledged, and starting without them would lose them silently.
 */
function replayJournal(sections: Record<string, unknown>, generation: number, text: string, file: string): void {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw === "") continue;
    const line = readJournalLine(raw);
    if (typeof line === "string") {
      if (i === lines.length - 1) return; // torn by a crash mid-append: never acknowledged
      throw new StoreError(
        `${file} line ${i + 1} is damaged (${line === "checksum" ? "its checksum does not match its record" : "it is not a journal record"}); ${lines.slice(i + 1).filter((l) => l !== "").length} acknowledged record(s) follow it, and the endpoint will not start without them`,
        "restore the data dir from a backup; or, to keep only what came before the damage, cut the journal at that line (the later writes are lost); or move the data dir aside to start with an empty endpoint",
      );
    }
    if (line.g !== generation) return;
    for (const entry of line.del) removePath(sections, entry);
    for (const [entry, value] of line.set) setPath(sections, entry, value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function setPath(root: Record<string, unknown>, entry: string[], value: unknown): void {
  let node = root;
  for (const key of entry.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (!isPlainObject(next)) {
      const created: Record<string, unknown> = {};
      Object.defineProperty(node, key, { value: created, enumerable: true, writable: true, configurable: true });
      node = created;
    } else node = next;
  }
  Object.defineProperty(node, entry[entry.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function removePath(root: Record<string, unknown>, entry: string[]): void {
  let node: unknown = root;
  for (const key of entry.slice(0, -1)) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return;
    node = node[key];
  }
  if (isPlainObject(node)) delete node[entry[entry.length - 1]!];
}

async function readFileOrEmpty(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
}

/**
 * Temp file, fsync, rename: a crash leaves the old file or the new one, never a torn one. The
 * temporary name is random and created exclusively, so nobody can plant a link there in advance
 * to have the data written elsewhere.
 */
export async function writeFileAtomically(dir: string, name: string, text: string): Promise<void> {
  const tmp = path.join(dir, `.${name}.${randomBytes(8).toString("hex")}.tmp`);
  const handle = await fs.open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, path.join(dir, name));
}

/** The renames must reach the disk too, or a crash could bring the old files back. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse to fsync a directory; the files themselves are already durable.
  }
}
