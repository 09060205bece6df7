// The library's stage-by-stage front doors that the engine's run* functions do not already
// cover: parsing, evaluating without planning, rendering a plan in either form, reading and
// writing a state by path or storage, and an SSMClient for a local endpoint. Each returns
// diagnostics as data; none prints or exits. docs/library.md documents them with examples.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { error, SourceRegistry, type Diagnostic } from "../diag/index.js";
import type { ConfigInstance } from "../graph/index.js";
import { planToJson, renderPlan, type Plan } from "../plan/index.js";
import { createSsmClient, LOCAL_ENDPOINT_CREDENTIALS } from "../provider-ssm/index.js";
import {
  emptyState,
  FileStateStorage,
  type ReadStateResult,
  type State,
  type StateStorage,
  type WriteStateResult,
} from "../state/index.js";
import { parseFile, type Body } from "../syntax/index.js";
import type { LocalEndpoint } from "../local/index.js";
import type { EngineOutput, LoadInputs, ProviderSettings } from "./engine.js";

/** What parsing one `.state` text gives. */
export interface ParsedSourceResult {
  /** The syntax tree; present even with errors (items that failed to parse are left out). */
  body?: Body;
  /** `syntax/*` diagnostics, sorted by position. */
  diagnostics: Diagnostic[];
  /** Holds the text, so `renderDiagnostics(diagnostics, sources)` can show source snippets. */
  sources: SourceRegistry;
}

/**
 * Parses `.state` source text. Never throws for any input and reads nothing from disk;
 * `fileName` only names the text in diagnostics' ranges.
 *
 * @param text - the source text
 * @param fileName - the name ranges carry (default `main.state`)
 */
export function parseSource(text: string, fileName = "main.state"): ParsedSourceResult {
  const sources = new SourceRegistry();
  sources.add(fileName, text);
  const parsed = parseFile(text, fileName);
  return { ...(parsed.body ? { body: parsed.body } : {}), diagnostics: parsed.diagnostics, sources };
}

/**
 * Reads and parses one `.state` file. An unreadable file or invalid UTF-8 is a
 * `config/unreadable-file` or `config/invalid-encoding` diagnostic, not an exception.
 */
export async function parseStateFile(path: string): Promise<ParsedSourceResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return {
      diagnostics: [
        error("config/unreadable-file", "Cannot read file", { detail: `${path}: ${(e as Error).message}` }),
      ],
      sources: new SourceRegistry(),
    };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return {
      diagnostics: [
        error("config/invalid-encoding", "File is not UTF-8 text", {
          detail: `${path} is not valid UTF-8 text; .state files must be UTF-8.`,
        }),
      ],
      sources: new SourceRegistry(),
    };
  }
  return parseSource(text, path);
}

/** Which configuration to evaluate: a directory's `*.state` files, or in-memory files. */
export interface EvaluateRequest extends LoadInputs {
  /** The configuration directory (default: the current directory). With `files`, only the base for relative paths. */
  dir?: string;
}

/** A configuration loaded and evaluated, without any SSM call. */
export interface Evaluation {
  /** One per resource instance (after `count` / `for_each`), attributes as JSON; unknown values are marked. */
  instances: ConfigInstance[];
  /** Outputs as far as they are known without a state (computed attributes are unknown). */
  outputs: EngineOutput[];
  /** Provider settings by provider key (`ssm`, `ssm.eu`). */
  providers: Map<string, ProviderSettings>;
  /** The absolute path of the state file the configuration names. */
  statePath: string;
  diagnostics: Diagnostic[];
  /** For rendering the diagnostics with source snippets. */
  sources: SourceRegistry;
}

/**
 * Loads and evaluates a configuration: a directory, or in-memory `files` (then nothing is read
 * from disk). Variables come from `vars`, `varFiles` and `env` as for `statectl validate`.
 */
export async function evaluateConfiguration(request: EvaluateRequest = {}): Promise<Evaluation> {
  const { loadConfiguration } = await import("./load.js");
  const loaded = await loadConfiguration(resolve(request.dir ?? "."), request);
  const outputs =
    loaded.outputs && !loaded.diagnostics.some((d) => d.severity === "error") ? loaded.outputs(emptyState()) : [];
  return {
    instances: loaded.instances,
    outputs,
    providers: loaded.providers,
    statePath: loaded.statePath,
    diagnostics: loaded.diagnostics,
    sources: loaded.sources,
  };
}

/** The two forms of a plan: text for people (as `statectl plan` prints it), or versioned JSON (`plan --json`). */
export type PlanFormat = "human" | "json";

/**
 * Renders a plan. `"human"` is the text `statectl plan` prints, ending with the summary line
 * (ANSI colour only with `color: true`); `"json"` is the document `statectl plan --json` prints,
 * described by docs/plan.schema.json. Sensitive values never appear in either.
 */
export function formatPlan(plan: Plan, format: PlanFormat = "human", options: { color?: boolean } = {}): string {
  return format === "json"
    ? JSON.stringify(planToJson(plan), null, 2)
    : renderPlan(plan, { color: options.color ?? false });
}

function storageOf(where: string | StateStorage): StateStorage {
  return typeof where === "string" ? new FileStateStorage(where) : where;
}

/**
 * Reads a state from a file path or any StateStorage. `state` is undefined when none exists yet.
 * A corrupt or unreadable state is a `state/*` diagnostic (docs/state-file.md).
 */
export function readState(from: string | StateStorage): Promise<ReadStateResult> {
  return storageOf(from).read();
}

/**
 * Writes a state to a file path (atomically, keeping a backup) or any StateStorage. The stored
 * state has `serial` one higher; a state of another lineage, or older than what is stored, is
 * refused with a diagnostic. To write a file's state, read it first from the same storage.
 */
export function writeState(to: StateStorage, state: State): Promise<WriteStateResult> {
  return to.write(state);
}

/**
 * An SSMClient for a local endpoint (a running `LocalEndpoint`, or the URL of `statectl local
 * serve`), with the credentials it accepts. Pass it as `ssmClient` to runPlan/runApply, or use
 * it with the SDK directly; destroy it when done.
 */
export function createLocalSsmClient(
  endpoint: LocalEndpoint | string,
  options: { region?: string; maxRetries?: number } = {},
): Promise<SSMClient> {
  return createSsmClient({
    endpoint: typeof endpoint === "string" ? endpoint : endpoint.url,
    credentials: LOCAL_ENDPOINT_CREDENTIALS,
    region: options.region ?? "us-east-1",
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
  });
}
