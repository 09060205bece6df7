/**
 * The library's front door to the local endpoint: `startLocalEndpoint()` loads the data dir,
 * sets up every area, and serves HTTP on 127.0.0.1 until `stop()`.
 */
import { readFileSync } from "node:fs";
import { DataStore, writeFileAtomically } from "./store.js";
import { KnobControl, type Knobs, type Counters } from "./knobs.js";
import { Mutex, SsmHttpServer } from "./server.js";
import { areas, operationTable } from "./operations.js";
import { listPartitionFolders, PARTITIONS_DIR, partitionFolder, partitionOf, type PartitionKey } from "./partitions.js";
import type { IncomingHttpHeaders } from "node:http";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SandboxResult } from "../sandbox/index.js";
import {
  addInstance,
  advanceClock,
  execInInstance,
  executionStatus,
  listFleet,
  removeInstance,
  resetInstanceDisk,
  setInstanceFailing,
  tagInstance,
} from "./associations-area.js";
import { Executor, type ExecuteOptions } from "./execution.js";
import type { ManagedInstance, NewInstance } from "./fleet.js";
import {
  defaultSettings,
  newHooks,
  realClock,
  wireTime,
  type Area,
  type Clock,
  type CoreExecution,
  type EndpointCore,
  type EndpointHooks,
  type EndpointSettings,
} from "./core.js";

export interface LocalEndpointOptions {
  /** Where data lives between runs; omitted = in memory only (gone at stop). */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 or omitted = a free port chosen by the OS. */
  port?: number;
  /** Latency, throttling and fault injection from the first call; change later with setKnobs. */
  knobs?: Knobs;
  /** Behaviour switches (see EndpointSettings). */
  settings?: Partial<EndpointSettings>;
  /** Largest request body accepted (bytes); default 2 MiB. */
  maxBodyBytes?: number;
  /** Told about bugs inside handlers (they answer HTTP 500 InternalServerError). */
  onInternalError?: (error: unknown, operation: string) => void;
  /**
   * Access key id → account id, for requests signed with keys that do not name their account
   * (a twelve-digit access key id is taken as the account itself). Others are the endpoint's
   * own account (`settings.accountId`). See `mapAccessKey` to add one while running.
   */
  accounts?: Readonly<Record<string, string>>;
  /**
   * Execute documents for real: `aws:runShellScript` steps run inside sandboxed instances (each
   * with its own copy-on-write disk under `<dataDir>/sandbox/`). `true` for the defaults, or the
   * sandbox's options. Where the sandbox cannot work, runs stay simulated and say why.
   */
  execute?: boolean | ExecuteOptions;
}

class Core implements EndpointCore {
  clock: Clock = realClock;
  execution?: CoreExecution;
  readonly hooks: EndpointHooks = newHooks();
  readonly mutex = new Mutex();
  constructor(
    readonly store: DataStore,
    readonly settings: EndpointSettings,
  ) {}
  async exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = await this.mutex.run(fn);
    if (this.store.dirty) await this.store.flush();
    return result;
  }
  changed(section: string, ...keys: string[]): void {
    this.store.markChanged(section, ...keys);
  }
  wireNow(): number {
    return wireTime(this.clock.now());
  }
}

/**
 * Every account and region the endpoint has served: its own (settings.accountId and
 * settings.region, with the data dir itself) and, created on their first request, the others
 * (each with a store under `partitions/ACCOUNT-REGION` in the data dir, its own fleet and clock).
 */
class Partitions {
  private readonly others = new Map<string, Promise<Core>>();
  readonly accounts: Record<string, string>;

  constructor(
    readonly main: Core,
    private readonly dataDir: string | undefined,
    accounts: Readonly<Record<string, string>>,
  ) {
    this.accounts = { ...accounts };
  }

  async resolve(headers: IncomingHttpHeaders): Promise<Core> {
    return this.get(partitionOf(headers, this.mainKey, this.accounts));
  }

  get mainKey(): PartitionKey {
    return { accountId: this.main.settings.accountId, region: this.main.settings.region };
  }

  /** Every partition there is: the endpoint's own first, then those opened or on disk, by account and region. */
  keys(): PartitionKey[] {
    const byId = new Map<string, PartitionKey>();
    for (const k of this.dataDir === undefined ? [] : listPartitionFolders(this.dataDir))
      byId.set(partitionFolder(k), k);
    for (const id of this.others.keys()) {
      const [, accountId, region]: (string | undefined)[] = /^([^-]+)-(.+)$/.exec(id) ?? [];
      if (accountId !== undefined && region !== undefined) byId.set(id, { accountId, region });
    }
    byId.delete(partitionFolder(this.mainKey));
    return [this.mainKey, ...[...byId.values()].sort((a, b) => partitionFolder(a).localeCompare(partitionFolder(b)))];
  }

  /** The partition of an account and region (defaults: the endpoint's own), opened on first use. */
  async get(key: Partial<PartitionKey> = {}): Promise<Core> {
    const full = {
      accountId: key.accountId ?? this.main.settings.accountId,
      region: key.region ?? this.main.settings.region,
    };
    if (full.accountId === this.main.settings.accountId && full.region === this.main.settings.region) return this.main;
    const id = partitionFolder(full);
    let p = this.others.get(id);
    if (!p) {
      p = this.create(full);
      this.others.set(id, p);
      // A partition that failed to open is tried again on the next request.
      p.catch(() => this.others.delete(id));
    }
    return p;
  }

  private async create(key: PartitionKey): Promise<Core> {
    const id = partitionFolder(key);
    const store = await DataStore.open(
      this.dataDir === undefined ? undefined : path.join(this.dataDir, PARTITIONS_DIR, partitionFolder(key)),
    );
    try {
      const core = new Core(store, { ...this.main.settings, accountId: key.accountId, region: key.region });
      if (this.main.execution) core.execution = { executor: this.main.execution.executor, diskPrefix: `${id}/` };
      for (const area of areas) await area.setup?.(core);
      if (store.dirty) await store.flush();
      return core;
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
  }

  /** The partitions other than the endpoint's own, once opened. */
  async opened(): Promise<Core[]> {
    const out: Core[] = [];
    for (const p of this.others.values()) {
      try {
        out.push(await p);
      } catch {
        // never opened: nothing to close
      }
    }
    return out;
  }
}

export class LocalEndpoint {
  private stopped = false;

  /** @internal use startLocalEndpoint */
  constructor(
    /** e.g. http://127.0.0.1:49213 — pass as `endpoint` to SSMClient. */
    readonly url: string,
    readonly port: number,
    /** Shared state of the running endpoint, for areas that add library-level controls. */
    readonly core: EndpointCore,
    private readonly knobControl: KnobControl,
    private readonly server: SsmHttpServer,
    private readonly areaList: readonly Area[],
    private readonly partitions?: Partitions,
    /** A directory made for an in-memory endpoint's instance disks, removed at stop. */
    private readonly scratchDir?: string,
  ) {}

  /** Requests signed with `accessKeyId` belong to the account `accountId` from now on. */
  mapAccessKey(accessKeyId: string, accountId: string): void {
    if (this.partitions) this.partitions.accounts[accessKeyId] = accountId;
  }

  get dataDir(): string | undefined {
    return this.core.store.dataDir;
  }

  /** Calls per operation since start (or the last resetCounters). */
  counters(): Counters {
    return this.knobControl.counters();
  }

  resetCounters(): void {
    this.knobControl.resetCounters();
  }

  /** Change knobs at runtime (merged; set a member to undefined to clear it). */
  setKnobs(patch: Knobs): void {
    this.knobControl.set(patch);
  }

  knobs(): Knobs {
    return this.knobControl.get();
  }

  // ---- the simulated fleet and the clock (associations area)

  /** The endpoint's time (epoch ms): real time plus however far `advance` moved it. */
  now(): number {
    return this.core.clock.now();
  }

  /**
   * The accounts and regions the endpoint keeps apart: its own first, then every other one it
   * has served (kept under partitions/ACCOUNT-REGION in the data dir).
   */
  partitionKeys(): PartitionKey[] {
    return this.partitions
      ? this.partitions.keys()
      : [{ accountId: this.core.settings.accountId, region: this.core.settings.region }];
  }

  /** The store, fleet and clock of one account and region (default: the endpoint's own). */
  private async at(where: Partial<PartitionKey> = {}): Promise<EndpointCore> {
    return this.partitions ? this.partitions.get(where) : this.core;
  }

  /**
   * Moves the endpoint's clock forward ("1d", "90m", "2h30m" or milliseconds) and runs every
   * scheduled association occurrence that came due — in every account and region, or only in
   * `where`. Resolves to the number of executions recorded.
   */
  async advance(by: string | number, where?: Partial<PartitionKey>): Promise<number> {
    const cores = where ? [await this.at(where)] : await Promise.all(this.partitionKeys().map((k) => this.at(k)));
    let ran = 0;
    for (const core of cores) ran += (await core.exclusive(() => advanceClock(core, by))).length;
    return ran;
  }

  /** The simulated managed instances (copies) of one account and region (default: the endpoint's own). */
  async fleet(where?: Partial<PartitionKey>): Promise<ManagedInstance[]> {
    const core = await this.at(where);
    return core.exclusive(() => listFleet(core));
  }

  /** Adds a managed instance; associations whose targets match it are applied to it at once. */
  async addInstance(spec: NewInstance, where?: Partial<PartitionKey>): Promise<ManagedInstance> {
    const core = await this.at(where);
    return core.exclusive(() => addInstance(core, spec));
  }

  /** Removes a managed instance (by id or name). */
  async removeInstance(idOrName: string, where?: Partial<PartitionKey>): Promise<void> {
    const core = await this.at(where);
    await core.exclusive(() => removeInstance(core, idOrName));
  }

  /** Sets (and removes) tags on a managed instance; newly matching associations apply at once. */
  async tagInstance(
    idOrName: string,
    tags: Record<string, string>,
    removeKeys: string[] = [],
    where?: Partial<PartitionKey>,
  ): Promise<void> {
    const core = await this.at(where);
    await core.exclusive(() => tagInstance(core, idOrName, tags, removeKeys));
  }

  /** Makes a document fail (or, with failing=false, succeed again) whenever it runs on an instance. */
  async failDocument(
    idOrName: string,
    documentName: string,
    failing = true,
    where?: Partial<PartitionKey>,
  ): Promise<void> {
    const core = await this.at(where);
    await core.exclusive(() => setInstanceFailing(core, idOrName, documentName, failing));
  }

  // ---- execution (opt-in)

  /** Whether documents run for real here, and how (or why they cannot). */
  execution(): { enabled: boolean; available: boolean; description: string; missing?: string; hint?: string } {
    const s = executionStatus(this.core);
    return {
      enabled: s.Enabled,
      available: s.Available,
      description: s.Description,
      ...(s.Missing !== undefined ? { missing: s.Missing } : {}),
      ...(s.Hint !== undefined ? { hint: s.Hint } : {}),
    };
  }

  /** Runs a command inside an instance (by id or name); throws SsmError when execution is off or unavailable. */
  async execInInstance(idOrName: string, argv: readonly string[], timeoutSeconds?: number): Promise<SandboxResult> {
    return this.core.exclusive(() => execInInstance(this.core, idOrName, argv, timeoutSeconds));
  }

  /** Restores an instance's disk to the base (throws away everything runs and exec wrote there). */
  async resetInstance(idOrName: string): Promise<void> {
    await this.core.exclusive(() => resetInstanceDisk(this.core, idOrName));
  }

  /**
   * Resolves once no real run is in progress (execution on): every run started so far — and any
   * run those started — has finished and its results are stored. Without execution, at once.
   */
  async runsSettled(): Promise<void> {
    await this.core.execution?.executor.idle();
  }

  /** Stops serving, lets real runs in progress finish, waits for data to be written and releases the data dir. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.dataDir) await fs.rm(path.join(this.dataDir, SERVER_FILE), { force: true });
    await this.server.close();
    await this.runsSettled();
    for (const core of [this.core, ...((await this.partitions?.opened()) ?? [])]) {
      for (const area of [...this.areaList].reverse()) await area.teardown?.(core);
      await core.store.close();
    }
    if (this.scratchDir) await fs.rm(this.scratchDir, { recursive: true, force: true });
  }
}

/**
 * Written into the data dir while a server runs ({pid, url}), so `statectl local fleet|advance`
 * can send their changes to the running server instead of to the files it holds locked.
 */
export const SERVER_FILE = "server.json";

export interface RunningEndpoint {
  url: string;
  pid: number;
}

/**
 * The endpoint serving `dataDir` from another process, if one is: its SERVER_FILE names a process
 * that is still running (and that is not this one, whose endpoints callers hold themselves).
 */
export function findRunningEndpoint(dataDir: string): RunningEndpoint | undefined {
  let info: { pid?: unknown; url?: unknown };
  try {
    info = JSON.parse(readFileSync(path.join(dataDir, SERVER_FILE), "utf8")) as typeof info;
  } catch {
    return undefined;
  }
  if (typeof info.pid !== "number" || typeof info.url !== "string" || info.pid === process.pid) return undefined;
  // Only ever a loopback URL: the file must not send statectl's calls anywhere else.
  if (!/^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(info.url)) return undefined;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  return { url: info.url, pid: info.pid };
}

/**
 * Starts the local SSM endpoint: serves SSM's AWS JSON 1.1 protocol on 127.0.0.1 (a free port
 * unless `port` is given), with its data in `dataDir` or, without one, in memory. Resolves once
 * it listens; `stop()` it when done. docs/local-endpoint.md documents what it simulates.
 */
export async function startLocalEndpoint(options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const store = await DataStore.open(options.dataDir);
  let scratchDir: string | undefined;
  try {
    const core = new Core(store, { ...defaultSettings, ...options.settings });
    if (options.execute) {
      // Instance disks need a directory even when the endpoint keeps nothing else on disk.
      const disksDir = store.dataDir ?? (scratchDir = await fs.mkdtemp(path.join(os.tmpdir(), "statectl-local-")));
      core.execution = {
        executor: new Executor(disksDir, options.execute === true ? {} : options.execute),
        diskPrefix: "",
      };
    }
    const operations = operationTable(areas);
    for (const area of areas) await area.setup?.(core);
    if (store.dirty) await store.flush();
    const knobs = new KnobControl(options.knobs);
    const partitions = new Partitions(core, store.dataDir, options.accounts ?? {});
    const server = new SsmHttpServer(
      async (headers) => {
        const c = await partitions.resolve(headers);
        return { core: c, mutex: c.mutex };
      },
      operations,
      knobs,
      {
        port: options.port ?? 0,
        maxBodyBytes: options.maxBodyBytes ?? 2 * 1024 * 1024,
        ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
      },
    );
    const port = await server.listen();
    if (store.dataDir) {
      await writeFileAtomically(
        store.dataDir,
        SERVER_FILE,
        JSON.stringify({ pid: process.pid, url: `http://127.0.0.1:${port}` }) + "\n",
      );
    }
    return new LocalEndpoint(`http://127.0.0.1:${port}`, port, core, knobs, server, areas, partitions, scratchDir);
  } catch (e) {
    await store.close().catch(() => undefined);
    if (scratchDir) await fs.rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}
