// The engine: load + evaluate the configuration, choose the endpoint, open and lock the state,
// plan, ask for approval (through a callback), apply. Returns results and diagnostics; never
// prints, never exits; progress goes to callbacks.
import { mkdir } from "node:fs/promises";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { join, resolve } from "node:path";
import {
  applyPlan,
  applyErrorDiagnostics,
  resolvePendingCreates,
  type ApplyEvent,
  type ApplyResult,
} from "../apply/index.js";
import {
  error,
  hasErrors,
  type Range,
  redactDiagnosticsInPlace,
  redactionList,
  redactText,
  SourceRegistry,
  defined,
  type Diagnostic,
} from "../diag/index.js";
import { isWhollyKnown, toDot, type ConfigInstance, type DependencyGraph, type DesiredValue } from "../graph/index.js";
import {
  checkPlanApplies,
  hasChanges,
  makePlan,
  planOutputChanges,
  readPlanFile,
  stableJson,
  writePlanFile,
  type ImportBlock,
  type MovedBlock,
  type Plan,
  type PlanEvent,
  type PlanMode,
  type RefreshMode,
  type ResourceChange,
} from "../plan/index.js";
import { AssumeRoleError, LOCAL_ENDPOINT_CREDENTIALS, SsmProvider, type AssumedRole } from "../provider-ssm/index.js";
import {
  duplicateIdDiagnostics,
  emptyState,
  findInstance,
  replaceOutputs,
  staleLockNote,
  StatePersister,
  statectlVersion,
  type JsonValue,
  type LockInfo,
  type State,
  type StateStorage,
} from "../state/index.js";
import {
  findRunningEndpoint,
  startLocalEndpoint,
  StoreError,
  type LocalEndpoint,
  type LocalEndpointOptions,
} from "../local/index.js";
import { resolveTimeouts } from "../net/index.js";
import { SsmResourceProvider } from "./ssm-adapter.js";
import { closeStorage, stateStorageFor, unmigratedState } from "./backend.js";
import type { S3BackendSettings } from "../config/index.js";

/** How one provider configuration reaches SSM. */
export interface ProviderSettings {
  region?: string;
  profile?: string;
  /** "local" starts the in-process local endpoint; a URL talks to any SSM-compatible server. */
  endpoint?: string;
  maxRetries?: number;
  /** `assume_role { … }`: the role to work as (its account comes from the ARN). */
  assumeRole?: {
    roleArn: string;
    accountId: string;
    sessionName: string;
    externalId?: string;
    durationSeconds: number;
  };
  /** The provider block, for diagnostics. */
  range?: Range;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** `local { execute = true, … }`: the in-process local endpoint runs shell steps in sandboxed instances. */
  local?: { execute: boolean; rootfs?: string; memoryMb?: number; maxProcesses?: number; maxRunSeconds?: number };
}

/** The configuration as the engine needs it; see load.ts for the loader over config/ + eval/. */
export interface LoadedConfig {
  dir: string;
  /** The folders of the modules the configuration calls (absolute), with the calls' addresses (`module.a.module.b`). */
  moduleDirs?: { dir: string; call: string }[];
  instances: ConfigInstance[];
  providers: Map<string, ProviderSettings>;
  /** Absolute path of the default workspace's state file (used when there is no backend). */
  statePath: string;
  /** True when the directory has no configuration files at all (not merely no resources). */
  noConfigurationFiles?: boolean;
  /** The variables' values as evaluated (known ones), which plan files carry. */
  variables?: Record<string, { value: JsonValue; sensitive: boolean }>;
  /** Variables given a value by --var or --var-file. */
  explicitVariables?: string[];
  /** `backend "s3"` settings, when the state lives in S3. */
  backend?: S3BackendSettings;
  /** The workspace the configuration was evaluated for (`statectl.workspace`). */
  workspace?: string;
  moved: MovedBlock[];
  /** Import blocks (absent or empty when there are none). */
  imports?: ImportBlock[];
  diagnostics: Diagnostic[];
  sources: SourceRegistry;
  /** A digest of everything the plan depends on in the configuration (plan files are checked against it). */
  hash: string;
  /**
   * `hash` as a function holding only what it hashes: a plan keeps it to compute its digest on
   * first use, without keeping the whole loaded configuration alive.
   */
  digest?: () => string;
  /** The configuration's outputs, evaluated with the attributes in `state`. */
  outputs?: (state: State) => EngineOutput[];
  /** Evaluates again with the attributes of these instances known (for values that depend on computed attributes of unchanged resources). */
  reevaluate?: (known: (address: string) => Readonly<Record<string, unknown>> | undefined) => ConfigInstance[];
  /** Fills values that were unknown at plan time from the state as apply goes along. */
  resolve?: (
    change: ResourceChange,
    state: State,
  ) => { attrs?: { [name: string]: DesiredValue }; diagnostics: Diagnostic[] };
}

export interface EngineOutput {
  name: string;
  /** May be unknown when something it depends on does not exist. */
  value: DesiredValue;
  sensitive: boolean;
}

export interface LoadInputs {
  /** `--var` values: `"name=value"` strings, last one wins. */
  vars?: readonly string[];
  /** `.statevars` files, relative to the configuration directory (or names in `files`). */
  varFiles?: readonly string[];
  /** Where `STATECTL_VAR_name` values come from; default none (the CLI passes `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The workspace; default: STATECTL_WORKSPACE, else the one `statectl workspace select` recorded, else "default". */
  workspace?: string;
  /**
   * The configuration as in-memory files (`{ "main.state": "…" }`) instead of the `*.state` files
   * of the directory; nothing is read from disk, and file functions (`file()`) read from here too.
   * The directory then only anchors relative paths.
   */
  files?: Readonly<Record<string, string>>;
  /** The variable values a saved plan was made with (`apply PLANFILE`); explicit vars must agree. */
  planVariables?: Readonly<Record<string, JsonValue>>;
}

export type ConfigLoader = (dir: string, inputs: LoadInputs) => Promise<LoadedConfig>;

/** Progress, as it happens: refresh reads (`plan`), each change's start, end and failure (`apply`), and notes (`info`). */
export type EngineEvent =
  { kind: "plan"; event: PlanEvent } | { kind: "apply"; event: ApplyEvent } | { kind: "info"; message: string };

export interface EngineOptions extends LoadInputs {
  /** The configuration directory (default: the current directory). With `files`, only the base for relative paths. */
  dir?: string;
  /** Default: config/ + eval/ over the directory's .state files. */
  loader?: ConfigLoader;
  /** Take the state lock (default true). */
  lock?: boolean;
  /** How long to wait for someone else's lock; default 0 (fail at once). */
  lockTimeoutMs?: number;
  /** Concurrent SSM operations; default 4 for apply, 10 for refresh. */
  parallelism?: number;
  /** Stop: refresh reads are abandoned, and apply starts no new change but lets the running ones finish (first Ctrl-C). */
  signal?: AbortSignal;
  /** Abandon the SSM calls apply has in flight too (second Ctrl-C); the state stays valid. */
  cancel?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Extra options for the in-process local endpoint (tests inject knobs here). */
  localEndpoint?: Partial<LocalEndpointOptions>;
  /**
   * A local endpoint the caller already runs (benchmarks and tests read its call counters): used
   * for `endpoint = "local"` instead of starting one, and left running at the end.
   */
  runningLocalEndpoint?: LocalEndpoint;
  /**
   * Where the state lives. Default: the file the configuration names (`state { path }`, else
   * `statectl.state.json` beside it). Pass a MemoryStateStorage, or your own StateStorage.
   */
  storage?: StateStorage;
  /**
   * The SSMClient to use for every provider configuration, configured by the caller (credentials,
   * region, retry, endpoint). The configuration's `provider` settings are then ignored, and the
   * client is not destroyed when the operation ends: it stays the caller's.
   */
  ssmClient?: SSMClient;
}

/** What to plan: the configuration, state and client (EngineOptions) and how (mode, targets, refresh). */
export interface PlanRequest extends EngineOptions {
  mode?: PlanMode;
  refresh?: boolean;
  /** "bulk" (default): list calls, details only where needed; "per-resource": one read per resource. */
  refreshMode?: RefreshMode;
  targets?: readonly string[];
  replace?: readonly string[];
  /** Write the plan to this file (`--out`). */
  out?: string;
}

export interface PlanRun {
  plan?: Plan;
  graph?: DependencyGraph;
  diagnostics: Diagnostic[];
  sources: SourceRegistry;
}

/** What to apply: a fresh plan (PlanRequest), or an existing one (`plan`, `planFile`), and the approval callback. */
export interface ApplyRequest extends PlanRequest {
  /** Apply this plan file instead of planning. */
  planFile?: string;
  /**
   * Apply this plan (from `runPlan`) instead of planning again. Like a plan file, it is refused
   * when the state or the configuration changed since it was made.
   */
  plan?: Plan;
  /** Asked before applying a fresh plan with changes; resolve true to go ahead. Absent = approved. */
  confirm?: (plan: Plan) => Promise<boolean>;
}

export interface ApplyRun extends PlanRun {
  result?: ApplyResult;
  /** The outputs after a successful apply (recorded in the state too). */
  outputs?: EngineOutput[];
  /** The user declined. */
  cancelled?: boolean;
}

/**
 * A problem found part-way through a command (e.g. the local endpoint's data cannot be opened)
 * that ends it with these diagnostics; the run functions catch it and return them.
 */
export class SessionStopped extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.summary).join("; "));
  }
}

function isFileSystemError(e: unknown): boolean {
  return (
    typeof (e as NodeJS.ErrnoException | null)?.code === "string" &&
    typeof (e as NodeJS.ErrnoException).syscall === "string"
  );
}

/** The pieces one command holds open: config, state storage and lock, providers, endpoint (one per command: plan, apply, import, status, run). */
export class Session {
  storage!: StateStorage;
  /** The storage this session made (not an embedder's), closed with it. */
  private ownStorage: StateStorage | undefined;
  lock?: LockInfo;
  /** Unset until open() has read them: close() runs after an open() that failed early, too. */
  private openedState: State | undefined;
  private openedConfig: LoadedConfig | undefined;
  private endpoint?: LocalEndpoint;
  private readonly providers = new Map<string, SsmResourceProvider>();
  /** Credentials of provider configurations with assume_role, by key (assumed when the session opens). */
  private readonly assumed = new Map<string, AssumedRole>();
  /** Providers over the caller's own client, which is theirs to close. */
  private readonly callerClients = new Set<SsmProvider>();

  constructor(private readonly options: EngineOptions) {}

  /** The state, once open() has read it. */
  get state(): State {
    return defined(this.openedState, "the session's state (open() reads it)");
  }
  set state(state: State) {
    this.openedState = state;
  }

  /** The configuration, once open() has loaded it. */
  get config(): LoadedConfig {
    return defined(this.openedConfig, "the session's configuration (open() loads it)");
  }
  set config(config: LoadedConfig) {
    this.openedConfig = config;
  }

  get sources(): SourceRegistry {
    return this.openedConfig?.sources ?? new SourceRegistry();
  }

  async open(operation: string, diagnostics: Diagnostic[]): Promise<boolean> {
    const loader = this.options.loader ?? (await import("./load.js")).loadConfiguration;
    this.config = await loader(resolve(this.options.dir ?? "."), this.options);
    diagnostics.push(...this.config.diagnostics);
    if (hasErrors(diagnostics)) return false;
    if (!(await this.assumeRoles(diagnostics))) return false;
    if (this.options.storage) this.storage = this.options.storage;
    else {
      this.ownStorage = stateStorageFor(
        {
          dir: this.config.dir,
          statePath: this.config.statePath,
          ...(this.config.backend ? { backend: this.config.backend } : {}),
        },
        this.config.workspace ?? "default",
      );
      this.storage = this.ownStorage;
    }

    if (this.options.lock !== false) {
      const l = await this.storage.lock({
        operation,
        timeoutMs: this.options.lockTimeoutMs ?? this.config.backend?.lockTimeoutMs ?? 0,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
      diagnostics.push(...l.diagnostics);
      if (!l.lock) return false;
      this.lock = l.lock;
      if (l.tookOver) this.options.onEvent?.({ kind: "info", message: staleLockNote(l.tookOver) });
    }
    const r = await this.storage.read();
    diagnostics.push(...r.diagnostics);
    if (hasErrors(r.diagnostics)) return false;
    if (!r.state && this.ownStorage) {
      // The state block was just changed (a backend added, removed or pointed elsewhere) and the
      // new location holds nothing, while the old one still does: planning against the empty
      // location would create everything a second time.
      const left = await unmigratedState(
        {
          dir: this.config.dir,
          statePath: this.config.statePath,
          ...(this.config.backend ? { backend: this.config.backend } : {}),
        },
        this.config.workspace ?? "default",
        this.storage.location,
      );
      if (left) {
        diagnostics.push(left);
        return false;
      }
    }
    this.state = r.state ?? emptyState({ statectlVersion: statectlVersion() });
    const duplicates = duplicateIdDiagnostics(this.state, this.storage.location);
    diagnostics.push(...duplicates);
    return duplicates.length === 0;
  }

  /**
   * Assumes the role of every provider configuration with assume_role, at once and before the
   * state is locked: a wrong role is one clear error naming the provider and the role.
   */
  private async assumeRoles(diagnostics: Diagnostic[]): Promise<boolean> {
    if (this.options.ssmClient) return true;
    const { assumeRole } = await import("../provider-ssm/assume-role.js");
    let ok = true;
    await Promise.all(
      [...this.config.providers].map(async ([key, settings]) => {
        const ar = settings.assumeRole;
        if (!ar || this.assumed.has(key)) return;
        try {
          this.assumed.set(
            key,
            await assumeRole({
              ...ar,
              ...(settings.region ? { region: settings.region } : {}),
              ...(settings.profile ? { profile: settings.profile } : {}),
            }),
          );
        } catch (e) {
          ok = false;
          const code = e instanceof AssumeRoleError ? e.code : "Error";
          diagnostics.push(
            error("engine/assume-role-failed", `Provider ${key} cannot assume its role`, {
              detail: `provider ${key} could not assume the role ${ar.roleArn} (account ${ar.accountId}) with AWS STS: ${code}: ${(e as Error).message}`,
              ...(settings.range ? { range: settings.range } : {}),
              hint: "check role_arn, that the role's trust policy allows the credentials statectl starts with (AWS_PROFILE, AWS_ACCESS_KEY_ID, …), and external_id if the trust policy asks for one",
            }),
          );
        }
      }),
    );
    return ok;
  }

  /** The provider for a provider key, created (and the local endpoint started) on first use. */
  provider(key: string): SsmResourceProvider {
    const p = this.providers.get(key);
    if (!p) throw new Error(`internal: provider ${key} was not prepared`);
    return p;
  }

  async prepareProviders(keys: Iterable<string>): Promise<void> {
    for (const key of new Set(keys)) {
      if (this.providers.has(key)) continue;
      const settings = this.config.providers.get(key) ?? this.config.providers.get("ssm") ?? {};
      const { timeouts, problems } = resolveTimeouts(
        {
          ...(settings.connectTimeoutMs !== undefined ? { connectTimeoutMs: settings.connectTimeoutMs } : {}),
          ...(settings.requestTimeoutMs !== undefined ? { requestTimeoutMs: settings.requestTimeoutMs } : {}),
        },
        this.options.env ?? process.env,
      );
      if (problems.length > 0)
        throw new SessionStopped([
          error("engine/invalid-timeout", "Invalid timeout in the environment", {
            detail: `${problems.join("; ")}.`,
            hint: `unset it, or set a duration such as 30 or 30s; or set connect_timeout / request_timeout in the provider block`,
          }),
        ]);
      const common = { ...(settings.maxRetries !== undefined ? { maxRetries: settings.maxRetries } : {}), timeouts };
      let ssm: SsmProvider;
      if (this.options.ssmClient) {
        ssm = new SsmProvider(
          this.options.ssmClient,
          settings.endpoint === "local" ? { pollIntervalMs: 50, pollMaxIntervalMs: 500 } : {},
        );
        this.callerClients.add(ssm);
      } else if (settings.endpoint === "local") {
        const assumed = this.assumed.get(key);
        const running = this.options.runningLocalEndpoint;
        const url = running?.url ?? (await this.localEndpointUrl());
        // Signed with the role's credentials: an endpoint in this process keeps the role's account apart.
        const inProcess = running ?? this.endpoint;
        if (assumed && settings.assumeRole) inProcess?.mapAccessKey(assumed.accessKeyId, settings.assumeRole.accountId);
        ssm = await SsmProvider.create({
          endpoint: url,
          credentials: assumed?.credentials ?? LOCAL_ENDPOINT_CREDENTIALS,
          region: settings.region ?? "us-east-1",
          ...common,
          pollIntervalMs: 50,
          pollMaxIntervalMs: 500,
        });
      } else {
        const assumed = this.assumed.get(key);
        ssm = await SsmProvider.create({
          ...(settings.region ? { region: settings.region } : {}),
          ...(settings.profile ? { profile: settings.profile } : {}),
          ...(assumed ? { credentials: assumed.credentials } : {}),
          ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
          ...common,
        });
      }
      this.providers.set(key, new SsmResourceProvider(ssm));
    }
  }

  /** Region (and account, for an assumed role) of each provider configuration the plan may use, for plan summaries. */
  providerLabels(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of new Set(this.providerKeys())) {
      const settings = this.config.providers.get(key) ?? {};
      const region = settings.region ?? (settings.endpoint === "local" ? "us-east-1" : undefined);
      const account = settings.assumeRole ? `account ${settings.assumeRole.accountId}` : undefined;
      const label = [region, account].filter((x) => x !== undefined).join(", ");
      if (label) out[key] = label;
    }
    return out;
  }

  /**
   * One clear error when a provider that talks to AWS through the SDK's standard chain has no
   * region or no credentials (not one "Region is missing" per resource, nor a plan that only
   * fails at apply). Providers the caller configured (`ssmClient`) or local ones are not checked.
   */
  async providerProblems(keys: Iterable<string>): Promise<Diagnostic[]> {
    if (this.options.ssmClient || (this.config.instances.length === 0 && this.state.resources.length === 0)) return [];
    const out: Diagnostic[] = [];
    for (const key of new Set(keys)) {
      const settings = this.config.providers.get(key) ?? this.config.providers.get("ssm") ?? {};
      if (settings.endpoint === "local") continue;
      const missing = await this.provider(key).ssm.missingConfiguration();
      if (!missing) continue;
      const block = key === "ssm" ? 'provider "ssm"' : `provider "ssm" (alias ${key.slice(4)})`;
      out.push(
        missing.what === "region"
          ? error("engine/no-region", `No AWS region for ${block}`, {
              detail: `statectl talks to AWS through the SDK's standard chain, and it found no region (${missing.message}). Nothing was read or planned.`,
              hint: `set region = "…" in the ${block} block, or AWS_REGION, or a region in the AWS profile; to use the local endpoint instead, set endpoint = "local"`,
            })
          : error("engine/no-credentials", `No AWS credentials for ${block}`, {
              detail: `statectl talks to AWS through the SDK's standard chain, and it found no credentials (${missing.message}). Nothing was read or planned.`,
              hint: `set AWS_PROFILE or profile = "…" in the ${block} block, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login; to use the local endpoint instead, set endpoint = "local"`,
            }),
      );
    }
    return out;
  }

  /** What a `local { execute = true }` block of a provider on the local endpoint asks for (the first one that does). */
  private localExecution(): LocalEndpointOptions["execute"] | undefined {
    for (const settings of this.config.providers.values()) {
      const local = settings.endpoint === "local" ? settings.local : undefined;
      if (!local?.execute) continue;
      return {
        ...(local.rootfs !== undefined ? { rootfs: local.rootfs } : {}),
        ...(local.memoryMb !== undefined ? { memoryMb: local.memoryMb } : {}),
        ...(local.maxProcesses !== undefined ? { maxProcesses: local.maxProcesses } : {}),
        ...(local.maxRunSeconds !== undefined ? { maxRunSeconds: local.maxRunSeconds } : {}),
      };
    }
    return undefined;
  }

  /**
   * The URL of the local endpoint on this configuration's data dir: a server already running on it
   * (`statectl local serve`, or another command's in-process endpoint — it records its URL there),
   * else one started in-process now. A data dir that cannot be opened is the user's to fix.
   */
  private async localEndpointUrl(): Promise<string> {
    if (this.endpoint) return this.endpoint.url;
    const dataDir = join(this.config.dir, ".statectl", "local");
    const running = findRunningEndpoint(dataDir);
    if (running) {
      this.options.onEvent?.({
        kind: "info",
        message: `Using the local SSM endpoint already running at ${running.url} (pid ${running.pid}, data in ${dataDir})`,
      });
      return running.url;
    }
    try {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      const execute = this.localExecution();
      this.endpoint = await startLocalEndpoint({
        ...this.options.localEndpoint,
        dataDir,
        ...(execute ? { execute } : {}),
      });
      if (execute) {
        const execution = this.endpoint.execution();
        this.options.onEvent?.({ kind: "info", message: `Local endpoint: ${execution.description}` });
      }
    } catch (e) {
      // Started at the same moment as a server on the same dir: use that one.
      const raced = findRunningEndpoint(dataDir);
      if (raced) return raced.url;
      if (e instanceof StoreError || isFileSystemError(e)) {
        throw new SessionStopped([
          error("engine/local-endpoint-data", "Cannot open the local endpoint's data", {
            detail: e instanceof StoreError ? e.message : `${dataDir}: ${(e as Error).message}`,
            hint: e instanceof StoreError ? e.hint : `check that ${dataDir} is a directory you can write`,
          }),
        ]);
      }
      throw e;
    }
    this.options.onEvent?.({ kind: "info", message: `Using the local SSM endpoint (data in ${dataDir})` });
    return this.endpoint.url;
  }

  providerKeys(): string[] {
    return [...this.config.instances.map((i) => i.provider), ...this.state.resources.map((r) => r.provider), "ssm"];
  }

  async close(diagnostics: Diagnostic[]): Promise<void> {
    for (const p of this.providers.values()) if (!this.callerClients.has(p.ssm)) p.ssm.destroy();
    if (this.endpoint) await this.endpoint.stop();
    if (this.lock) diagnostics.push(...(await this.storage.unlock(this.lock.id)));
    if (this.ownStorage) closeStorage(this.ownStorage);
    redactDiagnosticsInPlace(diagnostics, this.secrets());
  }

  /**
   * The sensitive strings of this run — the configuration's sensitive values and the state's
   * sensitive attributes and outputs — so that messages statectl did not write (SSM's errors echo
   * the values they reject) never show them.
   */
  secrets(): string[] {
    const found = new Set<string>();
    for (const i of this.openedConfig?.instances ?? [])
      for (const path of i.sensitivePaths) collectLeaves(valueAt(i.attrs, path), found);
    for (const r of this.openedState?.resources ?? [])
      for (const path of r.sensitiveAttributes) collectLeaves(valueAt(r.attributes, path), found);
    for (const o of Object.values(this.openedState?.outputs ?? {})) if (o.sensitive) collectLeaves(o.value, found);
    return redactionList(found);
  }
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const step of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}

function collectLeaves(v: unknown, out: Set<string>): void {
  if (typeof v === "string" || typeof v === "number") out.add(String(v));
  else if (Array.isArray(v)) for (const e of v) collectLeaves(e, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, e] of Object.entries(v)) {
      out.add(k);
      collectLeaves(e, out);
    }
  }
}

/** Redacts what a run returns besides its diagnostics (which Session.close redacts). */
function redactRun<R extends { plan?: Plan; result?: ApplyResult }>(run: R, secrets: readonly string[]): R {
  if (secrets.length === 0) return run;
  for (const e of run.result?.errors ?? []) {
    e.message = redactText(e.message, secrets);
    if (e.hint !== undefined) e.hint = redactText(e.hint, secrets);
  }
  for (const c of run.plan?.changes ?? [])
    if (c.impact && !c.impact.known) c.impact = { ...c.impact, reason: redactText(c.impact.reason, secrets) };
  return run;
}

function unknownCount(plan: Plan): number {
  return plan.changes.filter((c) => c.after && !isWhollyKnown(c.after)).length;
}

/**
 * Resolves the creates in flight an interrupted apply left in the state (adopt what they made,
 * or drop them) before anything is planned; with `persist`, writes the result at once. False
 * when one cannot be resolved: planning would risk a duplicate.
 */
async function resolveInterruptedCreates(
  session: Session,
  req: PlanRequest,
  diagnostics: Diagnostic[],
  persist: boolean,
): Promise<boolean> {
  const pending = session.state.pendingCreates ?? [];
  if (pending.length === 0) return true;
  await session.prepareProviders([...pending.map((p) => p.provider), "ssm"]);

  const r = await resolvePendingCreates(
    session.state,
    (key) => session.provider(key),
    req.signal ? { signal: req.signal } : {},
  );
  diagnostics.push(...r.diagnostics);
  for (const a of r.adopted)
    req.onEvent?.({
      kind: "info",
      message: `${a.address}: Adopted ${a.id}, made by an earlier create whose outcome was never seen`,
    });
  if (persist && (r.adopted.length > 0 || r.dropped.length > 0)) {
    const w = await new StatePersister(session.storage, session.state).persist(r.state);
    diagnostics.push(...w.diagnostics);
    if (!w.state) return false;
    session.state = w.state;
  } else session.state = r.state;
  return !hasErrors(r.diagnostics);
}

/**
 * Planning with no configuration files against a state that manages something would destroy it
 * all — nearly always a wrong directory or state path, so it is refused (as Terraform does);
 * `statectl destroy` is the way to delete everything.
 */
function emptyConfigurationRefusal(session: Session, req: PlanRequest): Diagnostic | undefined {
  if (
    !session.config.noConfigurationFiles ||
    (req.mode ?? "normal") !== "normal" ||
    session.state.resources.length === 0
  )
    return undefined;
  const n = session.state.resources.length;
  return error("plan/no-configuration", "No configuration files, but the state manages resources", {
    detail: `There are no .state files in ${session.config.dir}, but ${session.storage.location} records ${n} resource instance${n === 1 ? "" : "s"}. Planning against an empty configuration would destroy ${n === 1 ? "it" : "all of them"}, so nothing was planned.`,
    hint: "run statectl in the directory of the configuration (or -C DIR); to delete everything the state manages, use statectl destroy",
  });
}

/**
 * The configuration's digest as a function, for the plan to compute on first use: a plan shown
 * and never saved or applied (`statectl plan` without --out) never hashes the configuration.
 */
function digestOf(config: LoadedConfig): () => string {
  if (config.digest) return config.digest;
  const hash = config.hash;
  return () => hash;
}

async function planIn(
  session: Session,
  req: PlanRequest,
  diagnostics: Diagnostic[],
  persistResolution = false,
  /**
   * Record the configuration's digest in the plan (a plan someone may apply later is checked
   * against it), computed when first read. An apply that plans and applies at once has no use for
   * it.
   */
  recordDigest = true,
): Promise<{ plan: Plan; graph: DependencyGraph }> {
  const resolved = await resolveInterruptedCreates(session, req, diagnostics, persistResolution);
  await session.prepareProviders(session.providerKeys());
  const common = {
    provider: (key: string) => session.provider(key),
    mode: req.mode ?? "normal",
    ...(req.targets ? { targets: req.targets } : {}),
    ...(req.replace ? { replace: req.replace } : {}),
    parallelism: Math.max(req.parallelism ?? 10, 1),
    ...(req.signal ? { signal: req.signal } : {}),
    ...(recordDigest ? { configHash: digestOf(session.config) } : {}),
  } as const;
  let { plan, graph } = await makePlan({
    ...common,
    instances: session.config.instances,
    priorState: session.state,
    refresh: req.refresh ?? true,
    ...(req.refreshMode ? { refreshMode: req.refreshMode } : {}),
    moved: session.config.moved,
    ...(session.config.imports && session.config.imports.length > 0 ? { imports: session.config.imports } : {}),
    onEvent: (event) => req.onEvent?.({ kind: "plan", event }),
  });
  // Values that depend on computed attributes of resources this plan leaves alone are known:
  // evaluate again with those resources' attributes and plan again (no second refresh).
  for (let round = 0; round < 5 && session.config.reevaluate && !plan.errored && unknownCount(plan) > 0; round++) {
    const unchanged = new Set(plan.changes.filter((c) => c.action === "no-op").map((c) => c.address));
    const refreshed = plan.refreshedState;
    const instances = session.config.reevaluate((address) =>
      unchanged.has(address) ? findInstance(refreshed, address)?.attributes : undefined,
    );
    const again = await makePlan({ ...common, instances, priorState: refreshed, refresh: false });
    const before = unknownCount(plan);
    again.plan.drift = plan.drift;
    again.plan.moved = plan.moved;
    again.plan.prior = plan.prior;
    again.plan.diagnostics = [
      ...plan.diagnostics.filter((d) => !d.code.startsWith("graph/")),
      ...again.plan.diagnostics,
    ];
    again.plan.errored = hasErrors(again.plan.diagnostics);
    plan = again.plan;
    graph = again.graph;
    if (unknownCount(plan) >= before) break;
  }
  if (!plan.errored && plan.mode !== "destroy") {
    const { checkDocumentVersions } = await import("./document-versions.js");
    const versions = await checkDocumentVersions(
      plan,
      session.config.instances,
      (key) => session.provider(key),
      req.signal,
    );
    if (versions.length > 0) {
      plan.diagnostics = [...plan.diagnostics, ...versions];
      plan.errored = hasErrors(plan.diagnostics);
    }
  }
  if (!plan.errored && plan.mode !== "refresh-only" && session.config.outputs) {
    const outputsOf = session.config.outputs;
    const changing = new Set(plan.changes.filter((c) => c.action !== "no-op").map((c) => c.address));
    const after =
      plan.mode === "destroy"
        ? []
        : outputsOf({
            ...plan.refreshedState,
            resources: plan.refreshedState.resources.filter((r) => !changing.has(r.address)),
          });
    const outputChanges = planOutputChanges(plan, after);
    if (outputChanges.length > 0) plan.outputChanges = outputChanges;
  }
  diagnostics.push(...plan.diagnostics);
  if (!resolved) plan.errored = true;
  plan.providerLabels = session.providerLabels();
  return { plan: redactRun({ plan }, session.secrets()).plan, graph };
}

/** Evaluates the outputs with the state apply produced and records the known ones in it. */
async function recordOutputs(
  session: Session,
  persister: StatePersister,
  destroying: boolean,
  diagnostics: Diagnostic[],
): Promise<EngineOutput[] | undefined> {
  if (!session.config.outputs) return undefined;
  const outputs = destroying ? [] : session.config.outputs(persister.current);
  const recorded: State["outputs"] = {};
  for (const o of outputs) if (isWhollyKnown(o.value)) recorded[o.name] = { value: o.value, sensitive: o.sensitive };
  if (JSON.stringify(recorded) !== JSON.stringify(persister.current.outputs)) {
    const w = await persister.persist(replaceOutputs(persister.current, recorded));
    diagnostics.push(...w.diagnostics);
  }
  return outputs;
}

/**
 * Plans: loads and evaluates the configuration (`dir` or in-memory `files`), locks and reads the
 * state (`storage`, default the configuration's state file), refreshes what the state records
 * through SSM (`ssmClient`, or the configuration's provider settings), and compares. Changes
 * nothing — not even the state; the lock is released before it returns. With `out`, also
 * writes a plan file. `statectl plan` is this plus rendering.
 *
 * @returns the plan (absent when loading or locking failed) and every diagnostic; render the
 *   plan with `formatPlan`, the diagnostics with `renderDiagnostics(diagnostics, sources)`.
 */
export async function runPlan(req: PlanRequest): Promise<PlanRun> {
  const diagnostics: Diagnostic[] = [];
  const session = new Session(req);
  try {
    if (!(await session.open("plan", diagnostics))) return { diagnostics, sources: session.sources };
    const refused = emptyConfigurationRefusal(session, req);
    if (refused) {
      diagnostics.push(refused);
      return { diagnostics, sources: session.sources };
    }
    await session.prepareProviders(session.providerKeys());
    const unusable = await session.providerProblems(session.providerKeys());
    if (unusable.length > 0) {
      diagnostics.push(...unusable);
      return { diagnostics, sources: session.sources };
    }
    const { plan, graph } = await planIn(session, req, diagnostics);
    if (req.out && !plan.errored)
      diagnostics.push(...(await writePlanFile(req.out, plan, statectlVersion(), planFileVariables(session.config))));
    return { plan, graph, diagnostics, sources: session.sources };
  } catch (e) {
    if (!(e instanceof SessionStopped)) throw e;
    diagnostics.push(...e.diagnostics);
    return { diagnostics, sources: session.sources };
  } finally {
    await session.close(diagnostics);
  }
}

/**
 * Applies: plans as {@link runPlan} does (or takes `plan` / `planFile`, refused when the state or
 * configuration moved on since), asks `confirm` when there are changes, then carries out the
 * changes in dependency order, writing the state after each one, and records the outputs.
 * Progress goes to `onEvent`; aborting `signal` lets the changes in flight finish and stops.
 * `mode: "destroy"` is `statectl destroy`.
 *
 * @returns `result.state` is always the state that really resulted, also when changes failed
 *   (then `result.errors` and the diagnostics say which); `cancelled` when `confirm` said no.
 */
export async function runApply(req: ApplyRequest): Promise<ApplyRun> {
  const diagnostics: Diagnostic[] = [];
  // A plan file is read first: the variable values it was made with are part of the configuration.
  let saved: Awaited<ReturnType<typeof readPlanFile>> | undefined;
  if (req.planFile && !req.plan) {
    saved = await readPlanFile(req.planFile);
    if (!saved.plan) return { diagnostics: saved.diagnostics, sources: new SourceRegistry() };
  }
  const session = new Session(saved?.variables ? { ...req, planVariables: saved.variables } : req);
  try {
    if (!(await session.open(req.mode === "destroy" ? "destroy" : "apply", diagnostics)))
      return { diagnostics, sources: session.sources };
    let plan: Plan;
    let graph: DependencyGraph | undefined;
    const given = req.plan ?? saved?.plan;
    if (given) {
      plan = given;
      const refused = [
        ...(saved?.variables && req.planFile ? differingVariables(session.config, saved.variables, req.planFile) : []),
        ...checkPlanApplies(plan, session.state, session.config.hash),
      ];
      diagnostics.push(...refused);
      if (refused.length > 0) return { plan, diagnostics, sources: session.sources };
      await session.prepareProviders([...plan.changes.map((c) => c.provider), "ssm"]);
    } else {
      const refused = emptyConfigurationRefusal(session, req);
      if (refused) {
        diagnostics.push(refused);
        return { diagnostics, sources: session.sources };
      }
      await session.prepareProviders(session.providerKeys());
      const unusable = await session.providerProblems(session.providerKeys());
      if (unusable.length > 0) {
        diagnostics.push(...unusable);
        return { diagnostics, sources: session.sources };
      }
      ({ plan, graph } = await planIn(session, req, diagnostics, true, false));
      if (plan.errored) return { plan, graph, diagnostics, sources: session.sources };
      if (!hasChanges(plan)) {
        const outputs =
          plan.mode === "normal"
            ? await recordOutputs(session, new StatePersister(session.storage, session.state), false, diagnostics)
            : undefined;
        return { plan, graph, ...(outputs ? { outputs } : {}), diagnostics, sources: session.sources };
      }
      if (req.confirm && !(await req.confirm(plan)))
        return { plan, graph, diagnostics, sources: session.sources, cancelled: true };
    }
    const persister = new StatePersister(session.storage, session.state);
    const resolveHook = session.config.resolve;
    const result = await applyPlan({
      plan,
      persister,
      provider: (key) => session.provider(key),
      parallelism: Math.max(req.parallelism ?? 4, 1),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.cancel ? { cancel: req.cancel } : {}),
      ...(resolveHook
        ? {
            resolve: (change: ResourceChange, state: State) => {
              const r = resolveHook(change, state);
              return Promise.resolve(
                r.attrs
                  ? {
                      attrs: session.provider(change.provider).normalize(change.kind, r.attrs),
                      diagnostics: r.diagnostics,
                    }
                  : r,
              );
            },
          }
        : {}),
      onEvent: (event) => req.onEvent?.({ kind: "apply", event }),
    });
    diagnostics.push(...result.diagnostics, ...applyErrorDiagnostics(result.errors));
    const outputs =
      result.errors.length === 0 && plan.mode !== "refresh-only"
        ? await recordOutputs(session, persister, plan.mode === "destroy", diagnostics)
        : undefined;
    result.state = persister.current;
    return redactRun(
      {
        plan,
        ...(graph ? { graph } : {}),
        result,
        ...(outputs ? { outputs } : {}),
        diagnostics,
        sources: session.sources,
      },
      session.secrets(),
    );
  } catch (e) {
    if (!(e instanceof SessionStopped)) throw e;
    diagnostics.push(...e.diagnostics);
    return { diagnostics, sources: session.sources };
  } finally {
    await session.close(diagnostics);
  }
}

/** What a plan file carries of the variables: their values as planned (sensitive ones too: the file is private). */
function planFileVariables(config: LoadedConfig): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(config.variables ?? {}).map(([name, v]) => [name, v.value]));
}

/** Explicit --var/--var-file values must be those the plan was made with; each one that is not is named (never its value). */
function differingVariables(
  config: LoadedConfig,
  planned: Readonly<Record<string, JsonValue>>,
  planFile: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const name of config.explicitVariables ?? []) {
    const was = Object.hasOwn(planned, name) ? planned[name] : undefined;
    if (was === undefined) continue;
    const now = config.variables?.[name];
    if (now && stableJson(now.value) === stableJson(was)) continue;

    out.push(
      error("plan/variable-differs", `Variable "${name}" differs from the value the plan was made with`, {
        detail: `${planFile} was made with another value for variable "${name}" than the one given now. A saved plan is applied with the values it was made with; it needs no --var again.`,
        hint: `drop --var ${name} (and ${name} from --var-file), or make a new plan with the new value`,
      }),
    );
  }
  return out;
}

/** `statectl graph`: the dependency graph in DOT (no SSM calls, no lock). */
export async function runGraph(
  req: EngineOptions,
): Promise<{ dot?: string; diagnostics: Diagnostic[]; sources: SourceRegistry }> {
  const loader = req.loader ?? (await import("./load.js")).loadConfiguration;
  const config = await loader(resolve(req.dir ?? "."), req);
  const diagnostics = [...config.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics, sources: config.sources };
  const storage =
    req.storage ??
    stateStorageFor(
      { dir: config.dir, statePath: config.statePath, ...(config.backend ? { backend: config.backend } : {}) },
      config.workspace ?? "default",
    );
  const r = await storage.read();
  if (!req.storage) closeStorage(storage);
  diagnostics.push(...r.diagnostics);
  const { buildGraph } = await import("../graph/index.js");
  const built = buildGraph({ instances: config.instances, ...(r.state ? { state: r.state } : {}) });
  diagnostics.push(...built.diagnostics);
  return { dot: toDot(built.graph), diagnostics, sources: config.sources };
}
