/**
 * The endpoint's data: named sections of plain JSON, kept in memory and persisted in a data dir
 * as a snapshot (`endpoint.json`) plus an append-only journal (`endpoint.journal`).
 *
 * A write costs what changed, not the whole data set. Whoever changes a section says which entry
 * it touched (`markChanged("simulation", "associations", id)`; an entry is a section's value down
 * to three levels, e.g. `simulation.associations.<id>`; a caller that knows less marks a whole
 * map or section). The write serialises only the marked entries, compares them with what was last
 * written, appends those that changed (and those that went away) to the journal as ONE line, and
 * fsyncs it. A change nobody marked would reach the disk only at the next compaction, so it must
 * not go unnoticed: with `verifyMarks` (on in the test suite: STATECTL_STORE_VERIFY=1) every write
 * also compares every entry and throws an InvariantError naming any that changed unmarked, and
 * `close()` always compares everything once and compacts if anything unmarked changed.
 *
 * A crash can only tear the last line, which was never acknowledged: loading replays whole lines
 * and drops a torn last one. Each line carries a checksum of its record (`<sha256 prefix>\t<json>`),
 * so damage anywhere else — a changed byte, a lost block — makes the store refuse to open, naming
 * the file and line, instead of silently dropping the acknowledged writes after it. Once the
 * journal outgrows the snapshot, the next write is a compaction: a new snapshot with the next
 * generation number goes to a temporary file, is fsynced and renamed over the old one (then the
 * directory is fsynced), and a fresh journal of that generation starts; a journal whose generation
 * differs from the snapshot's is stale and ignored. `close()` compacts, so a stopped endpoint
 * leaves one complete `endpoint.json`.
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
import { defined, InvariantError } from "../diag/index.js";

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

/** How DataStore.open behaves beyond where the data lives. */
export interface StoreOptions {
  /**
   * After every write, compare every entry with what was written and throw an InvariantError
   * naming any that changed without a mark. Costs what every write cost before marks; the test
   * suite turns it on. Default: the environment variable STATECTL_STORE_VERIFY is "1".
   */
  verifyMarks?: boolean;
}

/** What the last write looked at: the entries it serialised and compared, and their JSON size. */
export interface WriteStats {
  entries: number;
  bytes: number;
}

/**
 * What was last written, as a tree of entry paths: a leaf is an entry's JSON text, a map holds
 * the entries below a key the journal tracks one by one.
 */
type WrittenNode = string | Map<string, WrittenNode>;

export class DataStore {
  private sections: Record<string, unknown> = {};
  private changeSerial = 0;
  private writtenSerial = 0;
  private writing: Promise<void> | null = null;
  private lockHeld = false;
  /** Bytes written to disk since open (benchmarks watch what persistence costs). */
  bytesWritten = 0;
  /** What the last write serialised to find what changed (tests count it; a full comparison is not counted). */
  lastWrite: WriteStats = { entries: 0, bytes: 0 };
  private generation = 0;
  /** What was last written, entry by entry (sections at the top). */
  private written = new Map<string, WrittenNode>();
  /** Paths marked changed since the last write began (keys joined by KEY_SEPARATOR → the keys). */
  private marks = new Map<string, string[]>();
  private journalBytes = 0;
  private snapshotBytes = 0;
  private journal: fs.FileHandle | undefined;
  private readonly verifyMarks: boolean;

  private constructor(
    readonly dataDir: string | undefined,
    options: StoreOptions,
  ) {
    this.verifyMarks = options.verifyMarks ?? process.env["STATECTL_STORE_VERIFY"] === "1";
  }

  /** Opens (and locks) a data dir, loading what is there; with no dir, an empty in-memory store. */
  static async open(dataDir?: string, options: StoreOptions = {}): Promise<DataStore> {
    const store = new DataStore(dataDir === undefined ? undefined : path.resolve(dataDir), options);
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

  /**
   * The live object for a section, created by `init` on first use (which marks it changed).
   * Mutate it, then `markChanged(name, …keys of what changed)`.
   */
  section<T>(name: string, init: () => T): T {
    if (!(name in this.sections)) {
      this.sections[name] = init();
      this.markChanged(name);
    }
    return this.sections[name] as T;
  }

  /** Replace a section wholesale (e.g. a reset), marking it changed. */
  replaceSection(name: string, value: unknown): void {
    this.sections[name] = value;
    this.markChanged(name);
  }

  /**
   * Records that the value at `section` → `keys` changed (set, replaced or deleted): the next
   * write serialises only what was marked. Mark the entry that changed (e.g. "simulation",
   * "associations", id), or anything above it when unsure: a mark covers everything below it.
   */
  markChanged(section: string, ...keys: string[]): void {
    const entry = [section, ...keys];
    this.marks.set(entry.join(KEY_SEPARATOR), entry);
    this.changeSerial++;
  }

  get dirty(): boolean {
    return this.changeSerial !== this.writtenSerial;
  }

  /** Resolves when every change made so far is durably on disk (at once for an in-memory store). */
  async flush(): Promise<void> {
    if (this.dataDir === undefined) {
      // Nothing to write; with verifyMarks the marks are still checked, so tests of in-memory
      // endpoints catch a change made without one.
      if (this.verifyMarks) this.acceptChanges(this.collectChanges());
      this.marks.clear();
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
    if (this.dataDir !== undefined) {
      while (this.writing) await this.writing;
      // Once per stop, everything is compared: a change made without a mark still reaches the disk.
      if (this.journalBytes > 0 || !sameEntries(this.written, entryTree(this.sections))) {
        this.writing = this.compact().finally(() => {
          this.writing = null;
        });
        await this.writing;
      }
    }
    await this.journal?.close();
    this.journal = undefined;
    this.unlock();
  }

  /**
   * The marked entries that differ from what was written (taken from the marks, synchronously:
   * marks made while the write is in flight go to the next one).
   */
  private collectChanges(): Changes {
    const regions = this.markedRegions();
    this.marks = new Map();
    const set: [string[], unknown][] = [];
    const del: string[][] = [];
    const fresh: [string[], WrittenNode | undefined][] = [];
    let entries = 0;
    let bytes = 0;
    let lineBytes = 0;
    for (const region of regions) {
      const node = entryNode(valueAt(this.sections, region), region.length - 1);
      fresh.push([region, node]);
      const before = leaves(nodeAt(this.written, region), region);
      const after = leaves(node, region);
      for (const [key, text] of after) {
        entries++;
        bytes += text.length;
        if (before.get(key) === text) continue;
        set.push([key.split(KEY_SEPARATOR), JSON.parse(text) as unknown]);
        lineBytes += key.length + text.length;
      }
      for (const key of before.keys()) if (!after.has(key)) del.push(key.split(KEY_SEPARATOR));
    }
    this.lastWrite = { entries, bytes };
    const changes: Changes = { regions, set, del, fresh, lineBytes };
    if (this.verifyMarks) this.checkNothingUnmarked(changes);
    return changes;
  }

  /** The marks, each widened to the entry that holds it and without those inside another mark. */
  private markedRegions(): string[][] {
    const widened = new Map<string, string[]>();
    for (const entry of this.marks.values()) {
      const region = this.entryHolding(entry);
      widened.set(region.join(KEY_SEPARATOR), region);
    }
    const regions = [...widened.values()].sort((a, b) => a.length - b.length);
    const kept = new Set<string>();
    const out: string[][] = [];
    for (const region of regions) {
      let inside = false;
      for (let n = 1; n < region.length && !inside; n++) inside = kept.has(region.slice(0, n).join(KEY_SEPARATOR));
      if (inside) continue;
      kept.add(region.join(KEY_SEPARATOR));
      out.push(region);
    }
    return out;
  }

  /**
   * The shortest prefix of `path` that is one entry: written whole last time, or a value the
   * journal does not track key by key now (e.g. a map that shrank below MAP_KEYS). Below it the
   * written entries and the current ones may be cut differently; from it down, both are compared.
   */
  private entryHolding(path: string[]): string[] {
    let written: WrittenNode | undefined = this.written;
    let value: unknown = this.sections;
    for (let n = 0; n < path.length; n++) {
      const key = path[n] as string;
      written = written instanceof Map ? written.get(key) : undefined;
      value = isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
      if (typeof written === "string" || !descends(value, n)) return path.slice(0, n + 1);
    }
    return path;
  }

  /** Makes what `changes` wrote the record of what was last written. */
  private acceptChanges(changes: Changes): void {
    for (const [region, node] of changes.fresh) setNode(this.written, region, node);
  }

  /** verifyMarks: every entry outside the marked regions must be as it was last written. */
  private checkNothingUnmarked(changes: Changes): void {
    const inRegion = (key: string) =>
      changes.regions.some((r) => {
        const prefix = r.join(KEY_SEPARATOR);
        return key === prefix || key.startsWith(prefix + KEY_SEPARATOR);
      });
    const now = leaves(entryTree(this.sections), []);
    const before = leaves(this.written, []);
    const unmarked: string[] = [];
    for (const [key, text] of now) if (before.get(key) !== text && !inRegion(key)) unmarked.push(key);
    for (const key of before.keys()) if (!now.has(key) && !inRegion(key)) unmarked.push(key);
    if (unmarked.length > 0)
      throw new InvariantError(
        `the store's data changed without markChanged(): ${unmarked
          .slice(0, 5)
          .map((k) => k.split(KEY_SEPARATOR).join("."))
          .join(", ")}${unmarked.length > 5 ? ` and ${unmarked.length - 5} more` : ""}`,
      );
  }

  private async writeOnce(): Promise<void> {
    const serial = this.changeSerial;
    const marks = this.marks;
    let changes: Changes;
    try {
      changes = this.collectChanges();
    } catch (e) {
      this.marks = new Map([...marks, ...this.marks]);
      throw e;
    }
    const { set, del, lineBytes } = changes;
    if (set.length === 0 && del.length === 0) {
      this.acceptChanges(changes);
      this.writtenSerial = Math.max(this.writtenSerial, serial);
      return;
    }
    try {
      if (
        this.journal === undefined ||
        this.journalBytes + lineBytes > Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)
      ) {
        await this.compact();
      } else {
        const line: JournalLine = { g: this.generation, set, del };
        const text = journalLine(line);
        await this.journal.write(text, null, "utf8");
        await this.journal.datasync();
        const bytes = Buffer.byteLength(text, "utf8");
        this.bytesWritten += bytes;
        this.journalBytes += bytes;
        this.acceptChanges(changes);
      }
    } catch (e) {
      // Not written: what was marked is still to be written by the next write.
      this.marks = new Map([...marks, ...this.marks]);
      throw e;
    }
    this.writtenSerial = Math.max(this.writtenSerial, serial);
  }

  /** Writes a complete snapshot of the next generation and starts its (empty) journal. */
  private async compact(): Promise<void> {
    const dir = defined(this.dataDir, "the data dir of a store being compacted");
    const generation = this.generation + 1;
    const body: StoreFile = { format: FORMAT, version: FORMAT_VERSION, generation, sections: this.sections };
    const text = JSON.stringify(body);
    const entries = entryTree(this.sections);
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
    const dir = defined(this.dataDir, "the data dir of a store being loaded");
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
    // As read: the file may be anything, until the checks below.
    let parsed: Omit<StoreFile, "sections"> & { sections: unknown };
    try {
      parsed = JSON.parse(text) as Omit<StoreFile, "sections"> & { sections: unknown };
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
    this.sections = parsed.sections as Record<string, unknown>;
    this.generation = parsed.generation ?? 0;
    this.snapshotBytes = text.length;
    replayJournal(
      this.sections,
      this.generation,
      await readFileOrEmpty(path.join(dir, JOURNAL_FILE)),
      path.join(dir, JOURNAL_FILE),
    );
    // Everything loaded counts as written; the first write compacts (and opens a fresh journal).
    this.written = entryTree(this.sections);
  }

  /** One server per data dir: a lock file holding our pid; a lock left by a dead process is taken over. */
  private lock(): void {
    const file = path.join(defined(this.dataDir, "the data dir of a store being locked"), LOCK_FILE);
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
      unlinkSync(path.join(defined(this.dataDir, "the data dir of a locked store"), LOCK_FILE));
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

/** What a write found: the marked regions, what to set and delete, and the regions' entries now. */
interface Changes {
  regions: string[][];
  set: [string[], unknown][];
  del: string[][];
  fresh: [string[], WrittenNode | undefined][];
  lineBytes: number;
}

/**
 * Whether the journal tracks the value at `depth` below a section (0: the section itself) key by
 * key. Objects are descended into down to ENTRY_DEPTH levels; below the second level only maps
 * with many keys are (instance → association → status), while records (an association, a
 * document) stay whole, so a write stringifies a few values rather than every field.
 */
function descends(value: unknown, depth: number): value is Record<string, unknown> {
  if (!isPlainObject(value) || depth > ENTRY_DEPTH) return false;
  if (depth === 0) return true;
  const keys = Object.keys(value).length;
  return keys > 0 && (depth < 2 || keys > MAP_KEYS);
}

/** The entries of `value` at `depth` below a section: its JSON text, or a map of its keys' entries. */
function entryNode(value: unknown, depth: number): WrittenNode | undefined {
  if (descends(value, depth)) {
    const keys = Object.keys(value);
    // An empty section still has to exist after a replay.
    if (keys.length === 0) return "{}";
    const node = new Map<string, WrittenNode>();
    for (const k of keys) {
      const child = entryNode(value[k], depth + 1);
      if (child !== undefined) node.set(k, child);
    }
    return node;
  }
  // undefined for a value JSON leaves out (undefined, a function): no entry.
  return JSON.stringify(value);
}

/** Every section's entries. */
function entryTree(sections: Record<string, unknown>): Map<string, WrittenNode> {
  const tree = new Map<string, WrittenNode>();
  for (const name of Object.keys(sections)) {
    const node = entryNode(sections[name], 0);
    if (node !== undefined) tree.set(name, node);
  }
  return tree;
}

/** The entries at and below `node` (found at `at`): path (keys joined by KEY_SEPARATOR) → JSON text. */
function leaves(node: WrittenNode | undefined, at: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (n: WrittenNode | undefined, key: string): void => {
    if (n === undefined) return;
    if (typeof n === "string") out.set(key, n);
    else for (const [k, child] of n) walk(child, key === "" ? k : key + KEY_SEPARATOR + k);
  };
  walk(node, at.join(KEY_SEPARATOR));
  return out;
}

function sameEntries(a: Map<string, WrittenNode>, b: Map<string, WrittenNode>): boolean {
  const before = leaves(a, []);
  const now = leaves(b, []);
  if (before.size !== now.size) return false;
  for (const [key, text] of now) if (before.get(key) !== text) return false;
  return true;
}

function nodeAt(tree: Map<string, WrittenNode>, path: string[]): WrittenNode | undefined {
  let node: WrittenNode | undefined = tree;
  for (const key of path) node = node instanceof Map ? node.get(key) : undefined;
  return node;
}

/** Puts `node` at `path` in `tree` (removes what is there when undefined), creating maps on the way. */
function setNode(tree: Map<string, WrittenNode>, path: string[], node: WrittenNode | undefined): void {
  let parent = tree;
  const last = path.length - 1;
  for (let n = 0; n < last; n++) {
    const key = path[n] as string;
    const next = parent.get(key);
    if (next instanceof Map) parent = next;
    else {
      const created = new Map<string, WrittenNode>();
      parent.set(key, created);
      parent = created;
    }
  }
  const key = path[last] as string;
  if (node === undefined) parent.delete(key);
  else parent.set(key, node);
}

/** The value at `path` below `root`, or undefined. */
function valueAt(root: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = root;
  for (const key of path) value = isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
  return value;
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
    const line = JSON.parse(json) as unknown;
    return isPlainObject(line) && Array.isArray(line["set"]) && Array.isArray(line["del"])
      ? (line as unknown as JournalLine)
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
  for (const [i, raw] of lines.entries()) {
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
  Object.defineProperty(node, defined(entry.at(-1), "the last key of a journal entry"), {
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
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the journal's entries are paths into maps keyed by names and ids
  if (isPlainObject(node)) delete node[defined(entry.at(-1), "the last key of a journal entry")];
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
