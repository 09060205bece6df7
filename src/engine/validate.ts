// Validation as `statectl validate` does it, without printing: parse every `.state` file, decode
// and evaluate the configuration (config/ + eval/), then check every document and association
// against what the SSM API would accept (ssm-validation.ts). A stage runs only while
// the earlier ones found no errors, so one mistake does not cascade into follow-on errors.
// Offline. Takes the files' texts rather than a directory listing, so an editor can pass unsaved
// buffers (src/lsp/); config's readConfigurationDir gives the texts on disk.
import { hasErrors, redactDiagnostic, redactionList, type Diagnostic, type SourceRegistry } from "../diag/index.js";
import {
  loadConfig,
  newDecodeMemo,
  type Config,
  type ConfigurationText,
  type DecodeMemo,
  type ParsedSource,
} from "../config/index.js";
import {
  evaluateConfig,
  sensitiveStrings,
  Value,
  type EvaluatedConfig,
  type EvaluatedResource,
  type EvaluationMemo,
} from "../eval/index.js";
import { parseFile, type ParseResult } from "../syntax/index.js";
import { checkResources, type SsmCheckMemo } from "./ssm-validation.js";

/** A first run's memo: nothing to reuse yet. */
const EMPTY_MEMO: EvaluationMemo = { scope: "", variables: Value.UNKNOWN, resources: new Map() };

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
  /**
   * The folder is a module that another configuration calls (an editor found the call): its
   * required variables get their values from the module block, so one without a value is no
   * error here; what depends on it is checked as unknown ("known after apply").
   */
  asModule?: boolean;
  /**
   * Parses one file; default `parseFile`. The language server passes a cache, so a file whose
   * text did not change since the last run is not parsed again (an AST is never changed by the
   * later stages).
   */
  parse?: (text: string, name: string) => ParseResult;
  /**
   * Called between stages (after each file's parse, after decoding, after evaluation): the run
   * waits for it, and stops when it resolves false (its result is then `stale`). The language
   * server uses it to answer requests between stages and to drop a run a newer edit made stale.
   */
  checkpoint?: () => Promise<boolean>;
  /**
   * Kept by the caller from one run to the next over the same folder (the language server):
   * evaluation and the SSM checks reuse what an earlier run found for the resources an edit
   * cannot have changed (eval's `EvaluateOptions.reuse`, `SsmCheckMemo`), and each run leaves
   * its own findings here for the next.
   */
  memo?: ValidationMemo;
}

/** What one validation run leaves for the next over the same folder (`ValidateRequest.memo`). */
export interface ValidationMemo {
  decode?: DecodeMemo;
  evaluation?: EvaluationMemo;
  ssm?: SsmCheckMemo;
  /** The sensitive strings of each evaluated resource (to redact SSM diagnostics). */
  secrets?: WeakMap<EvaluatedResource, Set<string>>;
  /** What the last run did again rather than reuse: resources evaluated, associations checked. */
  last?: { evaluatedResources: number; checkedAssociations: number };
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
  /** The run stopped at a checkpoint: its diagnostics are incomplete. */
  stale?: true;
}

/** Parses and checks a configuration given as texts. Never throws for mistakes in the input. */
export async function validateConfiguration(req: ValidateRequest): Promise<ValidateResult> {
  const files: ParsedSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const parse = req.parse ?? parseFile;
  const go = req.checkpoint ?? (() => Promise.resolve(true));
  for (const { name, text } of req.files) {
    const parsed = parse(text, name);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.body) files.push({ name, text, body: parsed.body });
    if (!(await go())) return { files, diagnostics, stale: true };
  }
  if (req.syntaxOnly || hasErrors(diagnostics)) return { files, diagnostics };
  const loaded = loadConfig(
    { dir: req.dir, parsed: files },
    {
      vars: req.vars ?? [],
      varFiles: req.varFiles ?? [],
      env: req.env ?? {},
      ...(req.memo ? { decodeMemo: (req.memo.decode ??= newDecodeMemo()) } : {}),
    },
  );
  diagnostics.push(...loaded.diagnostics);
  const { config } = loaded;
  if (hasErrors(diagnostics)) return { files, diagnostics, config, sources: config.sources };
  if (!(await go())) return { files, diagnostics, config, sources: config.sources, stale: true };
  const memo = req.memo;
  const evaluated = evaluateConfig(config, memo ? { reuse: memo.evaluation ?? EMPTY_MEMO } : {});
  if (memo) {
    if (evaluated.memo) memo.evaluation = evaluated.memo;
    memo.last = {
      evaluatedResources: evaluated.evaluatedResources?.length ?? evaluated.resources.length,
      checkedAssociations: 0,
    };
  }
  diagnostics.push(
    ...(req.asModule ? evaluated.diagnostics.filter((d) => d.code !== "eval/missing-variable") : evaluated.diagnostics),
  );
  if (hasErrors(diagnostics)) return { files, diagnostics, config, evaluated, sources: config.sources };
  if (!(await go())) return { files, diagnostics, config, evaluated, sources: config.sources, stale: true };
  if (memo) memo.ssm ??= { associations: new WeakMap(), checkedAssociations: 0 };
  const ssm = checkResources(
    evaluated.resources,
    config.resources,
    { sources: config.sources, dir: config.dir, evaluated },
    memo?.ssm,
  );
  if (memo?.last && memo.ssm) memo.last.checkedAssociations = memo.ssm.checkedAssociations;
  // SSM rules quote the value they reject; a sensitive one is replaced.
  const secrets = new Set<string>();
  const secretsOf = memo ? (memo.secrets ??= new WeakMap()) : undefined;
  for (const r of evaluated.resources) {
    if (!secretsOf) {
      sensitiveStrings(r.attrs, secrets);
      continue;
    }
    let own = secretsOf.get(r);
    if (!own) secretsOf.set(r, (own = sensitiveStrings(r.attrs)));
    for (const s of own) secrets.add(s);
  }
  const list = redactionList(secrets);
  diagnostics.push(...ssm.map((d) => redactDiagnostic(d, list)));
  return { files, diagnostics, config, evaluated, sources: config.sources };
}
