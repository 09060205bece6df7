/** Where file functions read from: the disk, or an in-memory set of files (tests, embedders). */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { MAX_SOURCE_FILE_BYTES, readSourceFile } from "../config/index.js";
import type { FileSource } from "./functions/framework.js";

export function diskFileSource(): FileSource {
  return {
    read(path) {
      // Exactly the named path, read with the same size limit as configuration files.
      const r = readSourceFile(path, path);
      if ("text" in r) return { text: r.text };
      if (r.problem === "too-large") return { error: `the file is larger than ${MAX_SOURCE_FILE_BYTES / (1024 * 1024)} MiB, the most statectl reads` };
      if (r.problem === "not-utf8") return { error: "the file is not valid UTF-8 text" };
      return { error: r.code === "ENOENT" ? "no such file" : r.code === "EACCES" ? "permission denied" : r.code === "EISDIR" ? "it is a directory" : r.message };
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
