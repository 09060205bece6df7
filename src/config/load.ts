/**
 * Loading: every `*.state` file of a directory (or an in-memory file set) becomes one Config,
 * order-independent. Also gathers values for variables from outside the configuration:
 * `STATECTL_VAR_name` environment variables, `*.auto.statevars` files, `--var-file` files and
 * `--var name=value` options — lowest precedence first, so later ones win (docs/language.md).
 */
import { basename, isAbsolute, relative, resolve } from "node:path";
import {
  didYouMean,
  error,
  rangeFromOffsets,
  SourceRegistry,
  warning,
  type Diagnostic,
  type Position,
  type Range,
} from "../diag/index.js";
import { parseFile, type Body } from "../syntax/index.js";
import { decodeFiles, type DecodeMemo } from "./decode.js";
import { loadModules } from "./modules.js";
import { InputBudget, readSourceFile } from "./source-file.js";
import { AUTO_VARS_SUFFIX, CONFIG_EXTENSION, readConfigurationDir } from "./read-dir.js";
import type { Config, VariableInput } from "./model.js";

export type ConfigSource =
  | { dir: string; files?: undefined; parsed?: undefined }
  | { files: Readonly<Record<string, string>>; dir?: string; parsed?: undefined }
  /** Files the caller has parsed already (e.g. `statectl validate`); var files are still read from `dir`. */
  | { dir: string; parsed: readonly ParsedSource[]; files?: undefined };

export interface ParsedSource {
  name: string;
  text: string;
  body: Body;
}

export interface LoadOptions {
  /** `--var` values, in command-line order: `"name=value"` strings or a name → value record. */
  vars?: readonly string[] | Readonly<Record<string, string>>;
  /** `--var-file` paths, in command-line order; relative paths start at the configuration directory. */
  varFiles?: readonly string[];
  /** The environment to read `STATECTL_VAR_name` from (default: none; the CLI passes process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The selected workspace, `statectl.workspace` in expressions (default "default"). */
  workspace?: string;
  /** Kept from one load of the same folder to the next (the language server): see decode.ts `DecodeMemo`. */
  decodeMemo?: DecodeMemo;
}

export interface LoadResult {
  config: Config;
  diagnostics: Diagnostic[];
}

export const VARS_EXTENSION = ".statevars";
export const ENV_VAR_PREFIX = "STATECTL_VAR_";

/** Loads and decodes a configuration. Never throws for user mistakes; they are diagnostics. */
export function loadConfig(source: ConfigSource, opts: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const sources = new SourceRegistry();
  const dir = resolve(source.dir ?? ".");
  const texts = new Map<string, string>();
  const autoVarFiles = new Map<string, string>();
  const preParsed = new Map<string, Body>();
  const budget = new InputBudget();
  if (source.parsed) {
    for (const p of source.parsed) {
      texts.set(p.name, p.text);
      preParsed.set(p.name, p.body);
    }
  }
  if (source.files) {
    for (const [name, text] of Object.entries(source.files)) {
      if (name.endsWith(AUTO_VARS_SUFFIX) && !name.includes("/")) autoVarFiles.set(name, text);
      else if (name.endsWith(CONFIG_EXTENSION) && !name.includes("/")) texts.set(name, text);
    }
  }
  if (!source.files) {
    const read = readConfigurationDir(dir, budget);
    // Pre-parsed sources bring their own .state texts; only the variable files are read then.
    if (!source.parsed) for (const f of read.files) texts.set(f.name, f.text);
    for (const f of read.varFiles) autoVarFiles.set(f.name, f.text);
    for (const p of read.problems) {
      if (source.parsed && p.file !== undefined && !p.file.endsWith(AUTO_VARS_SUFFIX)) continue;
      diagnostics.push(p.diagnostic);
      // Shown with its line, but never parsed: the bad bytes would only cause more errors.
      if (p.file !== undefined && p.shown !== undefined) sources.add(p.file, p.shown);
    }
  }
  if (texts.size === 0 && diagnostics.length === 0 && !source.parsed) {
    diagnostics.push(
      warning("config/no-files", "No configuration files", {
        detail: `There are no ${CONFIG_EXTENSION} files in ${dir}.`,
      }),
    );
  }
  const bodies = new Map<string, Body>();
  for (const [name, text] of [...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    sources.add(name, text);
    const already = preParsed.get(name);
    if (already) {
      bodies.set(name, already);
      continue;
    }
    const parsed = parseFile(text, name);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.body) bodies.set(name, parsed.body);
  }
  const decoded = decodeFiles(bodies, diagnostics, opts.decodeMemo ? { memo: opts.decodeMemo } : {});
  const config: Config = {
    ...decoded,
    dir,
    sources,
    workspace: opts.workspace ?? "default",
    variableInputs: [],
    inputBudget: budget,
    ...(source.files ? { memoryFiles: source.files } : {}),
  };
  loadModules(config, { dir, sources, budget, ...(source.files ? { memoryFiles: source.files } : {}) }, diagnostics);
  config.variableInputs = gatherInputs(config, autoVarFiles, source, opts, diagnostics);
  return { config, diagnostics };
}

function gatherInputs(
  config: Config,
  autoVarFiles: Map<string, string>,
  source: ConfigSource,
  opts: LoadOptions,
  diags: Diagnostic[],
): VariableInput[] {
  const inputs: VariableInput[] = [];
  for (const [key, value] of Object.entries(opts.env ?? {})) {
    if (!key.startsWith(ENV_VAR_PREFIX) || value === undefined) continue;
    const name = key.slice(ENV_VAR_PREFIX.length);
    // Like Terraform: environment values for undeclared variables are ignored (the environment is shared).
    if (config.variables.has(name)) inputs.push({ name, source: "env", text: value, origin: key });
  }
  for (const [name, text] of [...autoVarFiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    inputs.push(...readVarFile(name, text, "auto-file", config, diags));
  for (const f of opts.varFiles ?? []) {
    const full = isAbsolute(f) ? f : resolve(config.dir, f);
    const display = isAbsolute(f) ? relativeOrAbsolute(config.dir, f) : f;
    let text: string | undefined = source.files ? source.files[f] : undefined;
    if (text === undefined) {
      const read = readSourceFile(full, display, undefined, config.inputBudget);
      if (!("text" in read)) {
        if (read.problem === "unreadable")
          diags.push(
            error("config/unreadable-var-file", "Cannot read variables file", {
              detail: `--var-file ${f}: ${read.code === "ENOENT" ? "no such file" : read.message}.`,
            }),
          );
        else {
          diags.push(read.diagnostic);
          if (read.lossyText !== undefined) config.sources.add(display, read.lossyText);
        }
        continue;
      }
      text = read.text;
    }
    inputs.push(...readVarFile(display, text, "file", config, diags));
  }
  const cli = Array.isArray(opts.vars)
    ? (opts.vars as readonly string[])
    : Object.entries((opts.vars ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  for (const raw of cli) {
    const eq = raw.indexOf("=");
    if (eq <= 0) {
      diags.push(
        error("config/invalid-var-option", "Invalid --var option", {
          detail: `"${raw}" is not of the form name=value.`,
          hint: "write --var name=value (quote it for the shell: --var 'tags={env=\"prod\"}')",
        }),
      );
      continue;
    }
    const name = raw.slice(0, eq).trim();
    if (!config.variables.has(name)) {
      diags.push(
        error("config/undeclared-variable-input", "Value for undeclared variable", {
          detail: `--var sets "${name}", but no variable "${name}" is declared.`,
          hint: suggestVariable(name, config),
        }),
      );
      continue;
    }
    inputs.push({ name, source: "cli", text: raw.slice(eq + 1), origin: `--var ${name}` });
  }
  return inputs;
}

function relativeOrAbsolute(dir: string, f: string): string {
  const r = relative(dir, f);
  return r.startsWith("..") ? f : r;
}

function suggestVariable(name: string, config: Config): string {
  const names = [...config.variables.keys()];
  const near = didYouMean(name, names);
  return near
    ? `did you mean "${near}"?`
    : names.length > 0
      ? `declared variables: ${names.sort().join(", ")}`
      : `declare it: variable "${name}" { … }`;
}

/** A `.statevars` file: `name = expression` lines, the same syntax as attributes in `.state` files. */
function readVarFile(
  name: string,
  text: string,
  kind: "auto-file" | "file",
  config: Config,
  diags: Diagnostic[],
): VariableInput[] {
  config.sources.add(name, text);
  // The parser only accepts blocks at the top level, so the file is read as the body of a block.
  const wrapped = parseVarsBody(text, name);
  diags.push(...wrapped.diagnostics);
  const out: VariableInput[] = [];
  for (const item of wrapped.body?.items ?? []) {
    if (item.type === "Block") {
      diags.push(
        error("config/invalid-var-file", "Unexpected block in variables file", {
          detail: `A ${VARS_EXTENSION} file holds only assignments: name = value.`,
          range: item.typeRange,
        }),
      );
      continue;
    }
    if (!config.variables.has(item.name)) {
      // As in Terraform: a warning, because one var file often serves several configurations.
      diags.push(
        warning("config/undeclared-variable-input", "Value for undeclared variable", {
          detail: `${basename(name)} sets "${item.name}", but no variable "${item.name}" is declared; the value is ignored.`,
          range: item.nameRange,
        }),
      );
      continue;
    }
    out.push({ name: item.name, source: kind, expr: item.expr, origin: name, range: item.range });
  }
  return out;
}

/**
 * Parses attribute lines outside any block. The parser's top level accepts only blocks, so the
 * text is parsed as the body of a synthetic `locals` block placed on the same first line
 * (`locals {` + text + `}`), which keeps every line and column where the user wrote it.
 */
function parseVarsBody(text: string, name: string): { body?: Body; diagnostics: Diagnostic[] } {
  const prefix = "locals {";
  const parsed = parseFile(`${prefix}${text}\n}`, name);
  const shift = (d: Diagnostic): Diagnostic => {
    if (!d.range) return d;
    const r = d.range.start.line === 1 ? shiftRange(d.range, prefix.length) : d.range;
    // The synthetic "locals {" and "\n}" around the text can be the subject of a diagnostic (an
    // unclosed block, a file without a final newline): such a range is moved into the real text.
    if (r.start.offset >= 0 && r.end.offset <= text.length) return { ...d, range: r };
    const clamp = (n: number) => Math.max(0, Math.min(n, text.length));
    return { ...d, range: rangeFromOffsets(name, text, clamp(r.start.offset), clamp(r.end.offset)) };
  };
  const block = parsed.body?.items.find((i) => i.type === "Block");
  const diagnostics = parsed.diagnostics.map(shift);
  if (!block) return { diagnostics };
  return { body: shiftBody(block.body, prefix.length), diagnostics };
}

function shiftRange(r: Range, by: number): Range {
  const fix = (p: Position): Position => ({
    line: p.line,
    column: p.line === 1 ? p.column - by : p.column,
    offset: p.offset - by,
  });
  return { file: r.file, start: fix(r.start), end: fix(r.end) };
}

/** Moves every range in a parsed subtree back by the synthetic prefix's length. */
function shiftBody<T>(node: T, by: number): T {
  if (Array.isArray(node)) return (node as unknown[]).map((n) => shiftBody(n, by)) as T;
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if ((k === "range" || k.endsWith("Range")) && v && typeof v === "object" && "start" in v)
      out[k] = shiftRange(v as never, by);
    else out[k] = shiftBody(v, by);
  }
  return out as T;
}
