/** The body of `statectl fmt`, loaded only when the command runs (see commands/fmt.ts). */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { SourceRegistry, renderDiagnostics, sortDiagnostics, type Diagnostic } from "../diag/index.js";
import { formatSource } from "../syntax/format.js";
import { decodeUtf8, readSourceFile } from "../config/source-file.js";
import { ExitCode } from "./exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "./io.js";

export interface FmtRunOptions {
  check?: boolean;
  diff?: boolean;
  recursive?: boolean;
}

const EXTENSIONS = [".state", ".statevars"];
/** Directories never worth descending into with --recursive. */
const SKIP_DIRS = new Set(["node_modules"]);

function isConfigFile(name: string): boolean {
  return EXTENSIONS.some((ext) => name.endsWith(ext));
}

function filesIn(dir: string, recursive: boolean): string[] {
  const found: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    const p = dir === "." ? e.name : path.join(dir, e.name);
    if (e.isFile() && isConfigFile(e.name)) found.push(p);
    else if (recursive && e.isDirectory() && !e.name.startsWith(".") && !SKIP_DIRS.has(e.name))
      found.push(...filesIn(p, true));
  }
  return found;
}

function readStdin(): Buffer {
  return readFileSync(0);
}

function colorDiff(patch: string, color: boolean): string {
  if (!color) return patch;
  return patch
    .split("\n")
    .map((l) => {
      if (l.startsWith("+++") || l.startsWith("---")) return `\x1b[1m${l}\x1b[0m`;
      if (l.startsWith("+")) return `\x1b[32m${l}\x1b[0m`;
      if (l.startsWith("-")) return `\x1b[31m${l}\x1b[0m`;
      if (l.startsWith("@@")) return `\x1b[36m${l}\x1b[0m`;
      return l;
    })
    .join("\n");
}

/** Runs `fmt` and returns the exit code; prints file names, diffs and diagnostics. */
export function runFmt(paths: string[], opts: FmtRunOptions, globals: GlobalOptions): number {
  const sources = new SourceRegistry();
  const stdoutColor = useColor(process.stdout, globals);
  const stderrColor = useColor(process.stderr, globals);
  let failed = false;
  let wouldChange = false;

  const report = (displayName: string, text: string, diagnostics: readonly Diagnostic[]) => {
    sources.add(displayName, text);
    err(renderDiagnostics(sortDiagnostics(diagnostics), sources, { color: stderrColor }) + "\n");
    err(`${displayName}: not formatted because of syntax errors`);
  };
  const printDiff = (displayName: string, before: string, after: string) => {
    const patch = createTwoFilesPatch(displayName, displayName, before, after, undefined, undefined, { context: 3 });
    // The diff package starts with an "Index:" line and a rule; a unified diff starts at "---".
    out(colorDiff(patch.slice(patch.indexOf("---")), stdoutColor));
  };

  if (paths.includes("-")) {
    if (paths.length > 1) {
      err('statectl fmt: "-" (stdin) cannot be combined with other paths');
      return ExitCode.Usage;
    }
    const decoded = decodeUtf8(readStdin(), "<stdin>");
    if (!("text" in decoded)) {
      sources.add("<stdin>", decoded.lossyText);
      err(renderDiagnostics([decoded.diagnostic], sources, { color: stderrColor }));
      return ExitCode.Error;
    }
    const text = decoded.text;
    const result = formatSource(text, "<stdin>");
    if (result.formatted === undefined) {
      report("<stdin>", text, result.diagnostics);
      return ExitCode.Error;
    }
    const changed = result.formatted !== text;
    if (opts.diff) {
      if (changed) printDiff("<stdin>", text, result.formatted);
    } else if (!opts.check) {
      process.stdout.write(result.formatted);
    }
    return opts.check && changed ? ExitCode.NeedsFormatting : ExitCode.Ok;
  }

  const files: string[] = [];
  const targets = paths.length > 0 ? paths : ["."];
  for (const target of targets) {
    if (!existsSync(target)) {
      err(`statectl fmt: ${target}: no such file or directory`);
      failed = true;
      continue;
    }
    if (statSync(target).isDirectory()) files.push(...filesIn(target, opts.recursive ?? false));
    else files.push(target);
  }

  for (const file of files) {
    // Bounded and strict: a huge file is refused, and one that is not UTF-8 is never rewritten
    // (a lossy read would replace its bad bytes on disk).
    const read = readSourceFile(file, file);
    if (!("text" in read)) {
      if (read.problem === "unreadable") err(`statectl fmt: cannot read ${file}: ${read.message}`);
      else {
        if (read.lossyText !== undefined) sources.add(file, read.lossyText);
        err(renderDiagnostics([read.diagnostic], sources, { color: stderrColor }) + "\n");
        err(`${file}: not formatted`);
      }
      failed = true;
      continue;
    }
    const text = read.text;
    const result = formatSource(text, file);
    if (result.formatted === undefined) {
      report(file, text, result.diagnostics);
      failed = true;
      continue;
    }
    if (result.formatted === text) continue;
    wouldChange = true;
    if (opts.diff) printDiff(file, text, result.formatted);
    else out(file);
    if (opts.check) continue;
    try {
      writeFileSync(file, result.formatted);
    } catch (e) {
      err(`statectl fmt: cannot write ${file}: ${(e as Error).message}`);
      failed = true;
    }
  }

  if (failed) return ExitCode.Error;
  if (opts.check && wouldChange) return ExitCode.NeedsFormatting;
  return ExitCode.Ok;
}
