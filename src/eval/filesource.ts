/** Where file functions read from: the disk, or an in-memory set of files (tests, embedders). */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { MAX_SOURCE_FILE_BYTES, MAX_TOTAL_INPUT_BYTES, readSourceFile, type InputBudget } from "../config/index.js";
import type { FileSource } from "./functions/framework.js";

/**
 * Files from disk, each read once per evaluation (a `file()` in a resource with `count = 500`
 * reads it once), counted against the configuration's input budget when it has one.
 */
export function diskFileSource(budget?: InputBudget): FileSource {
  const reads = new Map<string, { text: string } | { error: string }>();
  return {
    read(path) {
      const key = resolve(path);
      let r = reads.get(key);
      if (!r) reads.set(key, (r = readFromDisk(path, budget)));
      return r;
    },
    exists(path) {
      try {
        return existsSync(path) && statSync(path).isFile();
      } catch {
        return false;
      }
    },
  };
}

function readFromDisk(path: string, budget: InputBudget | undefined): { text: string } | { error: string } {
  // Exactly the named path, read with the same size limit as configuration files.
  const r = readSourceFile(path, path, undefined, budget);
  if ("text" in r) return { text: r.text };
  if (r.problem === "too-large" && r.diagnostic.code === "config/input-budget-exceeded")
    return {
      error: `the configuration's files would be larger than ${MAX_TOTAL_INPUT_BYTES / (1024 * 1024)} MiB together, the most statectl reads for one configuration`,
    };
  if (r.problem === "too-large")
    return { error: `the file is larger than ${MAX_SOURCE_FILE_BYTES / (1024 * 1024)} MiB, the most statectl reads` };
  if (r.problem === "not-utf8") return { error: "the file is not valid UTF-8 text" };
  return {
    error:
      r.code === "ENOENT"
        ? "no such file"
        : r.code === "EACCES"
          ? "permission denied"
          : r.code === "EISDIR"
            ? "it is a directory"
            : r.message,
  };
}

/** Files given as `{ name: text }`; names are resolved against `baseDir`. */
export function memoryFileSource(files: Readonly<Record<string, string>>, baseDir: string): FileSource {
  const byPath = new Map(Object.entries(files).map(([name, text]) => [resolve(baseDir, name), text]));
  return {
    read(path) {
      const t = byPath.get(resolve(path));
      return t === undefined ? { error: "no such file" } : { text: t };
    },
    exists(path) {
      return byPath.has(resolve(path));
    },
  };
}
