/**
 * Reading a configuration's text files (`.state`, `.statevars`, and what `file()` names) from
 * disk with two guarantees: never more than MAX_SOURCE_FILE_BYTES is read into memory (a 100 MB
 * or endless file — a link to /dev/zero — is refused quickly), and text that is not UTF-8 is
 * refused with the line and column of its first bad byte instead of being silently mangled.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readlinkSync, readSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { error, rangeFromOffsets, type Diagnostic } from "../diag/index.js";

/** Configuration files are hand-written text; SSM documents are at most 64 KB. 10 MiB is far beyond both. */
export const MAX_SOURCE_FILE_BYTES = 10 * 1024 * 1024;

/**
 * What all the files of one configuration may add up to — its `.state` and `.statevars` files,
 * `--var-file`s, its modules' files and what `file()`/`templatefile()` read (each file once) —
 * so that twenty files just under the per-file limit cannot cost gigabytes of memory either.
 */
export const MAX_TOTAL_INPUT_BYTES = 64 * 1024 * 1024;

/** The bytes one configuration has read so far, against MAX_TOTAL_INPUT_BYTES. */
export class InputBudget {
  used = 0;
  /** Paths already counted: reading one again (another evaluation of the same configuration) costs nothing more. */
  private readonly counted = new Set<string>();
  constructor(readonly limit = MAX_TOTAL_INPUT_BYTES) {}
  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }
  has(path: string): boolean {
    return this.counted.has(resolvePath(path));
  }
  charge(path: string, bytes: number): void {
    if (this.has(path)) return;
    this.counted.add(resolvePath(path));
    this.used += bytes;
  }
}

export type SourceFileRead =
  | { text: string; bytes: number }
  /** `lossyText` (bad bytes as U+FFFD) lets a renderer show the line an encoding error is on. */
  | { problem: "too-large"; diagnostic: Diagnostic; lossyText?: undefined }
  | { problem: "not-utf8"; diagnostic: Diagnostic; lossyText: string }
  | { problem: "unreadable"; code: string | undefined; message: string };

function mib(n: number): string {
  return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
}

/**
 * Reads `path` (shown as `display`) as UTF-8 text of at most `limit` bytes. Reads in chunks and
 * stops one byte past the limit, so neither the declared size nor the real one can exhaust
 * memory. Never throws.
 */
export function readSourceFile(
  path: string,
  display: string,
  limit = MAX_SOURCE_FILE_BYTES,
  budget?: InputBudget,
): SourceFileRead {
  const piped = pipeReads.get(path);
  if (piped) return piped;
  const counting = budget && !budget.has(path) ? budget : undefined;
  const read = readWithinLimits(path, display, limit, counting);
  if (counting && "text" in read) counting.charge(path, read.bytes);
  return read;
}

function readWithinLimits(
  path: string,
  display: string,
  fileLimit: number,
  budget: InputBudget | undefined,
): SourceFileRead {
  // Whichever is smaller: the per-file limit, or what is left of the configuration's budget.
  const limit = budget ? Math.min(fileLimit, budget.remaining) : fileLimit;
  const tooLarge = (size: number | undefined): Diagnostic =>
    budget && limit < fileLimit && (size === undefined || size <= fileLimit)
      ? overBudget(display, budget)
      : tooLargeFile(display, size, fileLimit);
  let fd: number;
  try {
    // Non-blocking: opening a FIFO for reading otherwise waits for a writer, with the event loop
    // (and so Ctrl-C and SIGTERM handling) stopped. Regular files read the same either way.
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    const inherited = inheritedDescriptor(path);
    // Linux cannot open a socket through /proc: when Node.js or a CI runner gives stdin as a
    // socket pair, `/dev/stdin` is read from the descriptor itself.
    if ((e as NodeJS.ErrnoException).code === "ENXIO" && inherited !== undefined) {
      const read = readInherited(inherited, display, tooLarge, limit);
      pipeReads.set(path, read);
      return read;
    }
    return { problem: "unreadable", code: (e as NodeJS.ErrnoException).code, message: (e as Error).message };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { problem: "unreadable", code: "EISDIR", message: "it is a directory" };
    if (stat.isFIFO() && isAnonymousPipe(fd, path)) {
      const read = readOpenFile(fd, display, tooLarge, limit, true);
      pipeReads.set(path, read);
      return read;
    }
    if (stat.isFIFO() || stat.isSocket())
      return {
        problem: "unreadable",
        code: "ENOTREG",
        message: `it is a ${stat.isFIFO() ? "named pipe (FIFO)" : "socket"}, not a regular file`,
      };
    if (stat.size > limit) return { problem: "too-large", diagnostic: tooLarge(stat.size) };
    return readOpenFile(fd, display, tooLarge, limit, false);
  } catch (e) {
    return { problem: "unreadable", code: (e as NodeJS.ErrnoException).code, message: (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

/**
 * What was read from anonymous pipes, by path: a pipe can be read once, and a command may load its
 * configuration twice (to ask for missing variables, then to run).
 */
const pipeReads = new Map<string, SourceFileRead>();

/**
 * An anonymous pipe — `--var-file /dev/stdin` after `|`, or bash's `<(…)` (`/dev/fd/63`) — has a
 * writer that the user started, so reading it ends; a named FIFO lying in a folder may never get
 * one. Linux names what an open descriptor is in /proc (`pipe:[123]` for an anonymous pipe, the
 * path for a named FIFO); elsewhere the paths that stand for inherited descriptors are trusted.
 */
function isAnonymousPipe(fd: number, path: string): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith("pipe:[");
  } catch {
    return inheritedDescriptor(path) !== undefined;
  }
}

/** The descriptor a path such as `/dev/stdin`, `/dev/fd/63` or `/proc/self/fd/63` stands for. */
function inheritedDescriptor(path: string): number | undefined {
  if (path === "/dev/stdin") return 0;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

function readInherited(
  fd: number,
  display: string,
  tooLarge: (size: number | undefined) => Diagnostic,
  limit: number,
): SourceFileRead {
  try {
    if (!fstatSync(fd).isSocket())
      return { problem: "unreadable", code: "ENXIO", message: "no such device or address" };
    return readOpenFile(fd, display, tooLarge, limit, true);
  } catch (e) {
    return { problem: "unreadable", code: (e as NodeJS.ErrnoException).code, message: (e as Error).message };
  }
}

/** The descriptor was opened non-blocking; a pipe whose writer is still busy answers EAGAIN. */
function readOpenFile(
  fd: number,
  display: string,
  tooLarge: (size: number | undefined) => Diagnostic,
  limit: number,
  waitForWriter: boolean,
): SourceFileRead {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if (waitForWriter && (e as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(pipeWait, 0, 0, 5);
        continue;
      }
      throw e;
    }
    if (n === 0) break;
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    total += n;
    if (total > limit) return { problem: "too-large", diagnostic: tooLarge(undefined) };
  }
  const bytes = Buffer.concat(chunks, total);
  const decoded = decodeUtf8(bytes, display);
  return "text" in decoded
    ? { text: decoded.text, bytes: total }
    : { problem: "not-utf8", diagnostic: decoded.diagnostic, lossyText: decoded.lossyText };
}

/** Something to sleep on (Atomics.wait) between polls of a pipe whose writer has not finished. */
const pipeWait = new Int32Array(new SharedArrayBuffer(4));

function overBudget(display: string, budget: InputBudget): Diagnostic {
  return error("config/input-budget-exceeded", "The configuration's files are too large together", {
    detail: `Reading ${display} would take the files of this configuration past ${mib(budget.limit)} together (${mib(budget.used)} read so far); statectl reads at most that much for one configuration.`,
    hint: "configuration files are hand-written text and SSM documents at most 64 KB; is a generated or data file being read?",
  });
}

function tooLargeFile(display: string, size: number | undefined, limit: number): Diagnostic {
  return error("config/file-too-large", "File is too large", {
    detail:
      size === undefined
        ? `${display} is larger than ${mib(limit)}, the most statectl reads from a configuration file.`
        : `${display} is ${mib(size)}; statectl reads configuration files of at most ${mib(limit)}.`,
    hint: "configuration files are hand-written text; is this the file you meant?",
  });
}

/** Decodes UTF-8, or says where the first invalid byte is (line and column, as an editor shows them). */
export function decodeUtf8(
  bytes: Uint8Array,
  display: string,
): { text: string } | { diagnostic: Diagnostic; lossyText: string } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const lossy = new TextDecoder("utf-8").decode(bytes);
    const at = firstInvalid(bytes, lossy);
    return {
      lossyText: lossy,
      diagnostic: error("config/invalid-encoding", "File is not UTF-8 text", {
        detail: `${display} is not valid UTF-8 text (the first bad byte, 0x${(bytes[at.byte] ?? 0).toString(16).padStart(2, "0")}, is at byte ${at.byte}); statectl reads .state and .statevars files as UTF-8.`,
        range: rangeFromOffsets(display, lossy, at.char, Math.min(at.char + 1, lossy.length)),
        hint: "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), or check that it is a text file",
      }),
    };
  }
}

/** The first U+FFFD in the lossy text that does not stand for a real U+FFFD (bytes EF BF BD). */
function firstInvalid(bytes: Uint8Array, lossy: string): { char: number; byte: number } {
  let byte = 0;
  let from = 0;
  for (;;) {
    const i = lossy.indexOf("\uFFFD", from);
    if (i < 0) return { char: lossy.length, byte: bytes.length };
    byte += Buffer.byteLength(lossy.slice(from, i));
    if (!(bytes[byte] === 0xef && bytes[byte + 1] === 0xbf && bytes[byte + 2] === 0xbd)) return { char: i, byte };
    byte += 3;
    from = i + 1;
  }
}
