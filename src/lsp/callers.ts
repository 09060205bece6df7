// Whether a folder opened in the editor is a module some other configuration of the workspace
// calls (`module "x" { source = "./modules/baseline" }`). Such a folder is not a root: its
// required variables come from the module block, so the server validates it without asking for
// them (engine's `asModule`). Found by a light scan of the workspace's `.state` files for local
// `source` strings, not by loading every configuration: it runs while the user types.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { defined } from "../diag/index.js";

/** Folders looked at per workspace root at most, and how deep: a workspace of configurations, not a disk. */
const MAX_FOLDERS = 400;
const MAX_DEPTH = 6;
/** Without a workspace root: how many parent folders are looked at. */
const MAX_PARENTS = 4;
const MAX_FILE_BYTES = 1 << 20;
const SKIPPED = new Set(["node_modules", "dist", "build", "target"]);
const LOCAL_SOURCE = /\bsource\s*=\s*"(\.{1,2}\/[^"\n]*)"/g;

function stateFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith(".state"))
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** Whether a `.state` file in `dir` has a local module source that resolves to `target`. */
function calls(dir: string, target: string): boolean {
  for (const file of stateFiles(dir)) {
    let text: string;
    try {
      if (statSync(file).size > MAX_FILE_BYTES) continue;
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (!text.includes("module")) continue;
    for (const m of text.matchAll(LOCAL_SOURCE)) {
      const source = defined(m[1], "the module source the pattern captures");
      if (resolve(dir, source.replace(/\/+$/, "")) === target) return true;
    }
  }
  return false;
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !SKIPPED.has(e.name))
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/**
 * The folders whose configuration calls `dir` as a module: searched across the workspace roots
 * that contain `dir` (breadth first, bounded), else among its parent folders.
 */
export function moduleCallers(dir: string, workspaceRoots: readonly string[]): string[] {
  const target = resolve(dir);
  const found: string[] = [];
  const roots = workspaceRoots.map((r) => resolve(r)).filter((r) => target === r || target.startsWith(r + sep));
  if (roots.length > 0) {
    for (const root of roots) {
      let level = [root];
      let seen = 0;
      for (let depth = 0; depth <= MAX_DEPTH && level.length > 0 && seen < MAX_FOLDERS; depth++) {
        const next: string[] = [];
        for (const d of level) {
          if (++seen > MAX_FOLDERS) break;
          if (d !== target && calls(d, target)) found.push(d);
          next.push(...subfolders(d));
        }
        level = next;
      }
    }
    return [...new Set(found)];
  }
  let d = target;
  for (let i = 0; i < MAX_PARENTS; i++) {
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
    if (calls(d, target)) found.push(d);
  }
  return found;
}
