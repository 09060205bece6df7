// Operating what is in the state: `statectl status` (how each association is doing across its
// targets) and `statectl run` (StartAssociationsOnce, optionally followed to its end). Reads
// the state without locking it (neither command changes the state) and reaches SSM the way
// plan/apply do: `endpoint = "local"` starts the in-process local endpoint on the same data.
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { error, hasErrors, SourceRegistry, type Diagnostic } from "../diag/index.js";
import { LOCAL_ENDPOINT_CREDENTIALS, SsmProvider } from "../provider-ssm/index.js";
import { FileStateStorage, listInstances, type ResourceInstanceState } from "../state/index.js";
import { nextRun, parseScheduleExpression } from "../ssm/index.js";
import { startLocalEndpoint, type LocalEndpoint, type LocalEndpointOptions } from "../local/index.js";
import type { LoadInputs, LoadedConfig } from "./engine.js";

export interface OperateRequest extends LoadInputs {
  dir: string;
  /** Addresses (or whole resources) to show; all associations in the state when empty. */
  addresses?: readonly string[];
  localEndpoint?: Partial<LocalEndpointOptions>;
}

export interface FailedInstance {
  instance_id: string;
  status: string;
  detailed_status?: string;
  error_code?: string;
  /** What the run printed (ExecutionSummary / output), as SSM reports it. */
  output?: string;
}

export interface AssociationStatus {
  address: string;
  association_id: string;
  name?: string;
  document?: string;
  /** Overview status: Pending, Success or Failed; "Missing" when SSM no longer has it. */
  status: string;
  detailed_status?: string;
  counts: Record<string, number>;
  last_execution?: { execution_id?: string; time?: string; status?: string; detailed_status?: string };
  schedule?: string;
  next_run?: string;
  failed_instances: FailedInstance[];
}

export interface OperateResult<T> {
  value?: T;
  diagnostics: Diagnostic[];
  sources: SourceRegistry;
}

type Sdk = typeof import("@aws-sdk/client-ssm");

/** Config, state, and a provider per provider key; `close` stops what was started. */
class OperateSession {
  config!: LoadedConfig;
  associations: ResourceInstanceState[] = [];
  sdk!: Sdk;
  private endpoint?: LocalEndpoint;
  private readonly providers = new Map<string, SsmProvider>();
  constructor(private readonly req: OperateRequest) {}

  async open(diagnostics: Diagnostic[]): Promise<boolean> {
    const { loadConfiguration } = await import("./load.js");
    this.config = await loadConfiguration(resolve(this.req.dir), this.req);
    diagnostics.push(...this.config.diagnostics);
    if (hasErrors(diagnostics)) return false;
    const read = await new FileStateStorage(this.config.statePath).read();
    diagnostics.push(...read.diagnostics);
    if (hasErrors(read.diagnostics)) return false;
    if (!read.state) {
      diagnostics.push(error("operate/no-state", `No state file at ${this.config.statePath}`, { detail: "Nothing has been applied with this configuration yet.", hint: "run statectl apply first" }));
      return false;
    }
    this.associations = listInstances(read.state, this.req.addresses ?? []).filter((r) => r.kind === "association");
    if ((this.req.addresses ?? []).length > 0 && this.associations.length === 0) {
      diagnostics.push(error("operate/no-match", `No association in the state matches ${this.req.addresses!.join(", ")}`, { detail: "Only associations have a status and can be run.", hint: "statectl state list shows what the state holds" }));
      return false;
    }
    this.sdk = await import("@aws-sdk/client-ssm");
    return true;
  }

  async provider(key: string): Promise<SsmProvider> {
    const known = this.providers.get(key);
    if (known) return known;
    const settings = this.config.providers.get(key) ?? this.config.providers.get("ssm") ?? {};
    let p: SsmProvider;
    if (settings.endpoint === "local") {
      if (!this.endpoint) {
        const dataDir = join(this.config.dir, ".statectl", "local");
        await mkdir(dataDir, { recursive: true });
        this.endpoint = await startLocalEndpoint({ ...this.req.localEndpoint, dataDir });
      }
      p = await SsmProvider.create({ endpoint: this.endpoint.url, credentials: LOCAL_ENDPOINT_CREDENTIALS, region: settings.region ?? "us-east-1", pollIntervalMs: 50, pollMaxIntervalMs: 500 });
    } else {
      p = await SsmProvider.create({
        ...(settings.region ? { region: settings.region } : {}),
        ...(settings.profile ? { profile: settings.profile } : {}),
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      });
    }
    this.providers.set(key, p);
    return p;
  }

  async close(): Promise<void> {
    for (const p of this.providers.values()) p.destroy();
    if (this.endpoint) await this.endpoint.stop();
  }
}

async function withSession<T>(req: OperateRequest, fn: (s: OperateSession, diagnostics: Diagnostic[]) => Promise<T>): Promise<OperateResult<T>> {
  const diagnostics: Diagnostic[] = [];
  const session = new OperateSession(req);
  try {
    if (!(await session.open(diagnostics))) return { diagnostics, sources: session.config?.sources ?? new SourceRegistry() };
    const value = await fn(session, diagnostics);
    return { value, diagnostics, sources: session.config.sources };
  } catch (e) {
    diagnostics.push(error("operate/ssm", (e as Error).message, { detail: "An SSM call failed." }));
    return { diagnostics, sources: session.config?.sources ?? new SourceRegistry() };
  } finally {
    await session.close();
  }
}

function iso(d: Date | undefined): string | undefined {
  return d === undefined ? undefined : d.toISOString();
}

async function statusOf(s: OperateSession, r: ResourceInstanceState, now: Date): Promise<AssociationStatus> {
  const sdk = s.sdk;
  const client = (await s.provider(r.provider)).client;
  const id = r.id;
  let d: import("@aws-sdk/client-ssm").AssociationDescription | undefined;
  try {
    d = (await client.send(new sdk.DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription;
  } catch (e) {
    if ((e as { name?: string }).name === "AssociationDoesNotExist") return { address: r.address, association_id: id, status: "Missing", counts: {}, failed_instances: [] };
    throw e;
  }
  const result: AssociationStatus = {
    address: r.address,
    association_id: id,
    ...(d?.AssociationName ? { name: d.AssociationName } : {}),
    ...(d?.Name ? { document: d.Name } : {}),
    status: d?.Overview?.Status ?? "Pending",
    ...(d?.Overview?.DetailedStatus ? { detailed_status: d.Overview.DetailedStatus } : {}),
    counts: { ...(d?.Overview?.AssociationStatusAggregatedCount ?? {}) },
    failed_instances: [],
  };
  if (d?.ScheduleExpression) {
    result.schedule = d.ScheduleExpression;
    const parsed = parseScheduleExpression(d.ScheduleExpression);
    if (parsed.ok) {
      const anchor = d.LastUpdateAssociationDate ?? d.Date;
      const next = nextRun(parsed.schedule, now, { ...(anchor ? { anchor } : {}), ...(d.ScheduleOffset ? { offsetDays: d.ScheduleOffset } : {}) });
      if (next) result.next_run = next.toISOString();
    }
  }
  const executions = (await client.send(new sdk.DescribeAssociationExecutionsCommand({ AssociationId: id, MaxResults: 50 }))).AssociationExecutions ?? [];
  const newest = executions.reduce<(typeof executions)[number] | undefined>((a, e) => (a === undefined || (e.CreatedTime?.getTime() ?? 0) >= (a.CreatedTime?.getTime() ?? 0) ? e : a), undefined);
  if (newest) {
    result.last_execution = {
      ...(newest.ExecutionId ? { execution_id: newest.ExecutionId } : {}),
      ...(newest.CreatedTime ? { time: iso(newest.CreatedTime)! } : {}),
      ...(newest.Status ? { status: newest.Status } : {}),
      ...(newest.DetailedStatus ? { detailed_status: newest.DetailedStatus } : {}),
    };
    result.failed_instances = await failedTargets(s, client, id, newest.ExecutionId!);
  }
  return result;
}

async function failedTargets(s: OperateSession, client: import("@aws-sdk/client-ssm").SSMClient, id: string, executionId: string): Promise<FailedInstance[]> {
  const sdk = s.sdk;
  const failed: FailedInstance[] = [];
  for await (const page of sdk.paginateDescribeAssociationExecutionTargets({ client, pageSize: 50 }, { AssociationId: id, ExecutionId: executionId, Filters: [{ Key: "Status", Value: "Failed" }] })) {
    for (const t of page.AssociationExecutionTargets ?? []) {
      const instanceId = t.ResourceId ?? "";
      const f: FailedInstance = { instance_id: instanceId, status: t.Status ?? "Failed", ...(t.DetailedStatus ? { detailed_status: t.DetailedStatus } : {}) };
      try {
        const infos = (await client.send(new sdk.DescribeInstanceAssociationsStatusCommand({ InstanceId: instanceId }))).InstanceAssociationStatusInfos ?? [];
        const info = infos.find((i) => i.AssociationId === id);
        if (info?.ErrorCode) f.error_code = info.ErrorCode;
        if (info?.ExecutionSummary) f.output = info.ExecutionSummary;
      } catch {
        // The instance may have left the fleet since; its target record still says why it failed.
      }
      failed.push(f);
    }
  }
  return failed;
}

/** `statectl status`: each association in the state as SSM reports it now. */
export async function runStatus(req: OperateRequest & { now?: Date }): Promise<OperateResult<AssociationStatus[]>> {
  return withSession(req, async (s) => {
    const now = req.now ?? new Date();
    const out: AssociationStatus[] = [];
    for (const r of s.associations) out.push(await statusOf(s, r, now));
    return out;
  });
}

export interface RunRequest extends OperateRequest {
  /** Follow the runs to their end (seconds; undefined = don't wait). */
  waitSeconds?: number;
}

export interface RunResult {
  address: string;
  association_id: string;
  /** Without wait: "Started". With wait: the association's status once settled, or "TimedOut". */
  outcome: string;
  counts: Record<string, number>;
  failed_instances: FailedInstance[];
}

/** `statectl run`: StartAssociationsOnce for the given associations, optionally waiting for the results. */
export async function runAssociationsOnce(req: RunRequest): Promise<OperateResult<RunResult[]>> {
  return withSession(req, async (s) => {
    const byProvider = new Map<string, ResourceInstanceState[]>();
    for (const r of s.associations) byProvider.set(r.provider, [...(byProvider.get(r.provider) ?? []), r]);
    const before = new Map<string, Set<string>>();
    for (const [key, rs] of byProvider) {
      const client = (await s.provider(key)).client;
      for (const r of rs) {
        const ex = (await client.send(new s.sdk.DescribeAssociationExecutionsCommand({ AssociationId: r.id, MaxResults: 50 }))).AssociationExecutions ?? [];
        before.set(r.id, new Set(ex.map((e) => e.ExecutionId ?? "")));
      }
      await client.send(new s.sdk.StartAssociationsOnceCommand({ AssociationIds: rs.map((r) => r.id) }));
    }
    const results: RunResult[] = [];
    for (const r of s.associations) {
      if (req.waitSeconds === undefined) {
        results.push({ address: r.address, association_id: r.id, outcome: "Started", counts: {}, failed_instances: [] });
        continue;
      }
      results.push(await follow(s, r, before.get(r.id) ?? new Set(), req.waitSeconds));
    }
    return results;
  });
}

/** Polls for the execution the run started (one not seen before) until it leaves Pending/InProgress. */
async function follow(s: OperateSession, r: ResourceInstanceState, seen: Set<string>, seconds: number): Promise<RunResult> {
  const client = (await s.provider(r.provider)).client;
  const deadline = Date.now() + seconds * 1000;
  let delay = 50;
  for (;;) {
    const ex = (await client.send(new s.sdk.DescribeAssociationExecutionsCommand({ AssociationId: r.id, MaxResults: 50 }))).AssociationExecutions ?? [];
    const fresh = ex.filter((e) => !seen.has(e.ExecutionId ?? "")).sort((a, b) => (b.CreatedTime?.getTime() ?? 0) - (a.CreatedTime?.getTime() ?? 0))[0];
    if (fresh && fresh.Status !== "Pending" && fresh.Status !== "InProgress") {
      const counts: Record<string, number> = {};
      for (const part of (fresh.ResourceCountByStatus ?? "").replace(/[{}]/g, "").split(",")) {
        const [k, v] = part.split("=");
        if (k && v && !Number.isNaN(Number(v))) counts[k.trim()] = Number(v);
      }
      const failed = await failedTargets(s, client, r.id, fresh.ExecutionId!);
      return { address: r.address, association_id: r.id, outcome: failed.length > 0 ? "Failed" : (fresh.Status ?? "Success"), counts, failed_instances: failed };
    }
    if (Date.now() >= deadline) return { address: r.address, association_id: r.id, outcome: "TimedOut", counts: {}, failed_instances: [] };
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 500);
  }
}

export interface ImportRequest extends LoadInputs {
  dir: string;
  /** The configuration address to import into, e.g. `association.web` or `document.app`. */
  address: string;
  /** An association's id, or a document's name. */
  id: string;
  localEndpoint?: Partial<LocalEndpointOptions>;
}

/**
 * `statectl import ADDR ID`: reads the existing resource through the provider and records it in
 * the state at ADDR, which must be declared in the configuration and not yet in the state.
 */
export async function runImport(req: ImportRequest): Promise<OperateResult<ResourceInstanceState>> {
  const diagnostics: Diagnostic[] = [];
  const session = new OperateSession(req);
  const { loadConfiguration } = await import("./load.js");
  const { canonicalAddress, emptyState, findInstance, removePendingCreate, setInstance, statectlVersion, StatePersister } = await import("../state/index.js");
  const { SsmResourceProvider } = await import("./ssm-adapter.js");
  const config = await loadConfiguration(resolve(req.dir), req);
  session.config = config;
  diagnostics.push(...config.diagnostics);
  const sources = config.sources;
  if (hasErrors(diagnostics)) return { diagnostics, sources };
  const address = canonicalAddress(req.address) ?? req.address;
  const target = config.instances.find((i) => i.address === address);
  if (!target) {
    diagnostics.push(error("import/not-in-config", `${req.address} is not declared in the configuration`, { detail: "Import records an existing resource at an address the configuration declares, so the next plan manages it.", hint: `declare the resource first, e.g. association "name" { … }` }));
    return { diagnostics, sources };
  }
  const storage = new FileStateStorage(config.statePath);
  const l = await storage.lock({ operation: "import", timeoutMs: 0 });
  diagnostics.push(...l.diagnostics);
  if (!l.lock) return { diagnostics, sources };
  try {
    const r = await storage.read();
    diagnostics.push(...r.diagnostics);
    if (hasErrors(r.diagnostics)) return { diagnostics, sources };
    const state = r.state ?? emptyState({ statectlVersion: statectlVersion() });
    if (findInstance(state, address)) {
      diagnostics.push(error("import/already-managed", `${address} is already in the state`, { detail: "Importing over a managed resource would lose track of it.", hint: `statectl state rm ${address} first if it should point at another resource` }));
      return { diagnostics, sources };
    }
    const kind = address.startsWith("document.") ? "document" : "association";
    const provider = new SsmResourceProvider(await session.provider(target.provider));
    const attributes = await provider.read(kind, req.id, {});
    if (!attributes) {
      diagnostics.push(error("import/not-found", `No ${kind} ${req.id} exists in SSM`, { detail: kind === "document" ? "The id of a document is its name." : "The id of an association is its association id (ListAssociations shows them)." }));
      return { diagnostics, sources };
    }
    const instance: ResourceInstanceState = { address, kind, provider: target.provider, id: req.id, attributes, sensitiveAttributes: [], dependencies: [] };
    // Importing at an address with a create in flight resolves it (apply/lost-create-ambiguous says to).
    const persisted = await new StatePersister(storage, state).persist(setInstance(removePendingCreate(state, address), instance));
    diagnostics.push(...persisted.diagnostics);
    return { value: instance, diagnostics, sources };
  } catch (e) {
    diagnostics.push(error("import/ssm", (e as Error).message, { detail: "An SSM call failed." }));
    return { diagnostics, sources };
  } finally {
    diagnostics.push(...(await storage.unlock(l.lock.id)));
    await session.close();
  }
}
