// Validation as `statectl validate` does it, without printing: parse every `.state` file, decode
// and evaluate the configuration (config/ + eval/), then check every document and association
// against what the SSM API would accept (ssm-validation.ts). A stage runs only while
// the earlier ones found no errors, so one mistake does not cascade into follow-on errors.
// Offline. Takes the files' texts rather than a directory listing, so an editor can pass unsaved
// buffers (src/lsp/); readConfigurationFiles gives the texts on disk.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { error, hasErrors, redactDiagnostic, redactionList, type Diagnostic, type SourceRegistry } from "../diag/index.js";
import { loadConfig, readSourceFile, type Config, type ParsedSource } from "../config/index.js";
import { evaluateConfig, sensitiveStrings, type EvaluatedConfig } from "../eval/index.js";
import { parseFile } from "../syntax/index.js";
import { checkResources } from "./ssm-validation.js";

/** One `.state` file's name (relative to the working directory, as diagnostics show it) and text. */
export interface ConfigurationText {
  name: string;
  text: string;
}

export interface ValidateRequest {
  /** The configuration directory: var files and file functions resolve against it. */
  dir: string;
  /** Every `.state` file of the configuration. */
  files: readonly ConfigurationText[];
  /** `--var` values (`"name=value"`), in command-line order. */
  vars?: readonly string[];
  /** `--var-file` paths, in command-line order. */
  varFiles?: readonly string[];
  /** The environment to read `STATECTL_VAR_name` from (default: none). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Only parse (e.g. when some files could not be read, so the configuration is incomplete). */
  syntaxOnly?: boolean;
}

export interface ValidateResult {
  /** The files that parsed (a file with a syntax error that stops the parser is missing). */
  files: ParsedSource[];
  diagnostics: Diagnostic[];
  /** The decoded configuration, when every file parsed without errors. */
  config?: Config;
  /** The evaluated configuration, when decoding found no errors. */
  evaluated?: EvaluatedConfig;
  /** Every text a diagnostic may point into (the `.state` files, and document files read by `file()`), once the files parsed. */
  sources?: SourceRegistry;
}

/** Parses and checks a configuration given as texts. Never throws for mistakes in the input. */
export async function validateConfiguration(req: ValidateRequest): Promise<ValidateResult> {
  const files: ParsedSource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { name, text } of req.files) {
    const parsed = parseFile(text, name);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.body) files.push({ name, text, body: parsed.body });
  }
  if (req.syntaxOnly || hasErrors(diagnostics)) return { files, diagnostics };
  const loaded = loadConfig({ dir: req.dir, parsed: files }, { vars: req.vars ?? [], varFiles: req.varFiles ?? [], env: req.env ?? {} });
  diagnostics.push(...loaded.diagnostics);
  const { config } = loaded;
  if (hasErrors(diagnostics)) return { files, diagnostics, config, sources: config.sources };
  const evaluated = evaluateConfig(config);
  diagnostics.push(...evaluated.diagnostics);
  if (hasErrors(diagnostics)) return { files, diagnostics, config, evaluated, sources: config.sources };
  const ssm = await checkResources(evaluated.resources, config.resources, { sources: config.sources, dir: config.dir, evaluated });
  // SSM rules quote the value they reject; a sensitive one is replaced.
  const secrets = new Set<string>();
  for (const r of evaluated.resources) sensitiveStrings(r.attrs, secrets);
  const list = redactionList(secrets);
  diagnostics.push(...ssm.map((d) => redactDiagnostic(d, list)));
  return { files, diagnostics, config, evaluated, sources: config.sources };
}

/**
 * The texts of every `*.state` file in `dir` (not recursive), sorted by name. A file that cannot
 * be read, is too large or is not UTF-8 is a diagnostic instead; `texts` also holds what can be
 * shown of such a file (the line with a bad byte), for rendering.
 */
export async function readConfigurationFiles(dir: string): Promise<{ files: ConfigurationText[]; diagnostics: Diagnostic[]; texts: Map<string, string> }> {
  const candidates = (await readdir(dir, { withFileTypes: true })).filter((e) => e.name.endsWith(".state") && (e.isFile() || e.isSymbolicLink() || e.isFIFO() || e.isSocket()));
  const names: string[] = [];
  for (const e of candidates) {
    // A symbolic link counts unless it leads to a directory or a device; a dangling one is
    // reported as unreadable rather than silently ignored, and so is a named pipe or socket.
    if (e.isFile() || e.isFIFO() || e.isSocket() || (await stat(join(dir, e.name)).then((s) => s.isFile() || s.isFIFO() || s.isSocket(), () => true))) names.push(e.name);
  }
  names.sort();
  const files: ConfigurationText[] = [];
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<string, string>();
  for (const name of names) {
    const read = readSourceFile(join(dir, name), name);
    if (!("text" in read)) {
      if (read.problem === "unreadable") {
        diagnostics.push(error("validate/unreadable-file", `Cannot read ${name}`, { detail: describeReadError(read), hint: read.code === "ENOTREG" ? "statectl reads .state files that are regular files; remove it or give it another name" : "check the file's permissions" }));
      } else {
        diagnostics.push(read.diagnostic);
        // The line with the bad byte is shown; the file is not parsed.
        if (read.lossyText !== undefined) texts.set(name, read.lossyText);
      }
      continue;
    }
    texts.set(name, read.text);
    files.push({ name, text: read.text });
  }
  return { files, diagnostics, texts };
}

function describeReadError(e: { code?: string | undefined; message: string }): string {
  const code = e.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "it is a symbolic link to a file that does not exist";
  if (code === "EISDIR") return "it is a directory";
  return e.message;
}
