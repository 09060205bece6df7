/** Where file functions read from: the disk, or an in-memory set of files (tests, embedders). */
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { FileSource } from "./functions/framework.js";

function decodeUtf8(bytes: Uint8Array): { text: string } | { error: string } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { error: "the file is not valid UTF-8 text" };
  }
}

export function diskFileSource(): FileSource {
  return {
    read(path) {
      try {
        if (statSync(path).isDirectory()) return { error: "it is a directory" };
        return decodeUtf8(readFileSync(path));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return { error: code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message };
      }
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
