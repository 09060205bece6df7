/**
 * The one reader of a configuration directory, used by loadConfig, `statectl validate` and the
 * language server: the `*.state` files and `*.auto.statevars` files of `dir` (not recursive),
 * sorted by name, read with readSourceFile's limits. What cannot be read is a problem, as data
 * (the file it concerns and its diagnostic), never an exception.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { defined, error, type Diagnostic } from "../diag/index.js";
import { InputBudget, readSourceFile } from "./source-file.js";

export const CONFIG_EXTENSION = ".state";
export const AUTO_VARS_SUFFIX = ".auto.statevars";

export interface ConfigurationText {
  name: string;
  text: string;
}

export interface ReadProblem {
  /** The file's name in `dir`; undefined when the directory itself cannot be read. */
  file: string | undefined;
  diagnostic: Diagnostic;
  /** What can be shown of the file (the line with a bad byte); it is never parsed. */
  shown?: string;
}

export interface ConfigurationDir {
  /** The `*.state` files. */
  files: ConfigurationText[];
  /** The `*.auto.statevars` files, read automatically. */
  varFiles: ConfigurationText[];
  problems: ReadProblem[];
}

export function readConfigurationDir(dir: string, budget = new InputBudget()): ConfigurationDir {
  const out: ConfigurationDir = { files: [], varFiles: [], problems: [] };
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter(
        (e) =>
          (e.name.endsWith(CONFIG_EXTENSION) || e.name.endsWith(AUTO_VARS_SUFFIX)) &&
          (e.isFile() || e.isFIFO() || e.isSocket() || (e.isSymbolicLink() && !leadsToDirectory(join(dir, e.name)))),
      )
      .map((e) => e.name)
      .sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    out.problems.push({
      file: undefined,
      diagnostic: error("config/unreadable-directory", "Cannot read the configuration directory", {
        detail: `${dir}: ${code === "ENOENT" ? "no such directory" : (e as Error).message}`,
      }),
    });
    return out;
  }
  const overBudget: string[] = [];
  for (const name of names) {
    // Once the budget is spent, the files left are listed in one diagnostic rather than one each.
    if (overBudget.length > 0) {
      overBudget.push(name);
      continue;
    }
    const read = readSourceFile(join(dir, name), name, undefined, budget);
    if ("text" in read) (name.endsWith(AUTO_VARS_SUFFIX) ? out.varFiles : out.files).push({ name, text: read.text });
    else if (read.problem === "too-large" && read.diagnostic.code === "config/input-budget-exceeded") {
      overBudget.push(name);
      out.problems.push({ file: undefined, diagnostic: read.diagnostic });
    } else if (read.problem === "unreadable")
      out.problems.push({
        file: name,
        diagnostic: error("config/unreadable-file", `Cannot read ${name}`, {
          detail: describeReadError(read),
          hint:
            read.code === "ENOTREG"
              ? "statectl reads .state files that are regular files; remove it or give it another name"
              : "check the file's permissions",
        }),
      });
    else
      out.problems.push({
        file: name,
        diagnostic: read.diagnostic,
        ...(read.lossyText !== undefined ? { shown: read.lossyText } : {}),
      });
  }
  if (overBudget.length > 1) {
    const first = defined(out.problems.at(-1), "the problem of the first file over the budget");
    first.diagnostic = {
      ...first.diagnostic,
      detail: `${first.diagnostic.detail}\nNot read: ${overBudget.length} files (${overBudget.length > 6 ? [...overBudget.slice(0, 5), "…", overBudget[overBudget.length - 1]].join(", ") : overBudget.join(", ")}).`,
    };
  }
  return out;
}

/**
 * A symbolic link counts unless it leads to a directory: a dangling one is reported as unreadable
 * and one to a device (/dev/zero) as too large, rather than silently ignored.
 */
function leadsToDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function describeReadError(e: { code?: string | undefined; message: string }): string {
  const code = e.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "it is a symbolic link to a file that does not exist";
  if (code === "EISDIR") return "it is a directory";
  return e.message;
}
