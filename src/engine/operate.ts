// Operating what is in the state: `statectl status` (how each association is doing across its
// targets) and `statectl run` (StartAssociationsOnce, optionally followed to its end). Reads
// the state without locking it (neither command changes the state) and reaches SSM through the
// engine's Session, as plan/apply do; the SSM calls themselves are provider-ssm's (runs.ts).
import { error, SourceRegistry, type Diagnostic } from "../diag/index.js";
import type {
  AssociationOverview,
  AssociationTarget,
  CommandOutput,
  ComplianceItemInfo,
  InstanceAssociationResult,
  InstanceFailure,
  ManagedInstanceInfo,
  SsmProvider,
} from "../provider-ssm/index.js";
import { listInstances, type ResourceInstanceState } from "../state/index.js";
import { nextRun, parseScheduleExpression } from "../ssm/index.js";
import type { LocalEndpointOptions } from "../local/index.js";
import { Session, SessionStopped, type EngineOptions, type LoadInputs } from "./engine.js";

/** What status, run and import take besides the configuration: the embedder's state storage, client and endpoint, as plan and apply do. */
type EmbedderOptions = Pick<EngineOptions, "storage" | "ssmClient" | "runningLocalEndpoint">;

export interface OperateRequest extends LoadInputs, EmbedderOptions {
  /** The configuration directory (default: the current directory). With `files`, only the base for relative paths. */
  dir?: string;
  /** Addresses (or whole resources) to show; all associations in the state when empty. */
  addresses?: readonly string[];
  localEndpoint?: Partial<LocalEndpointOptions>;
}

/** An instance where the association failed: its latest result, and what it printed when asked for. */
export interface FailedInstance extends InstanceFailure {
  /** When that result was recorded (ISO 8601). */
  time?: string;
  /** The run's output (GetCommandInvocation), with `status --instance` or the report. */
  command_output?: CommandOutput & { command_id: string };
}

/** What `statectl status` shows for one association: SSM's overview plus what the engine adds. */
export interface AssociationStatus extends Omit<AssociationOverview, "status" | "schedule_offset" | "schedule_anchor"> {
  address: string;
  /** Overview status: Pending, Success or Failed; "Missing" when SSM no longer has it. */
  status: string;
  last_execution?: {
    execution_id?: string;
    time?: string;
    status?: string;
    detailed_status?: string;
    counts?: Record<string, number>;
  };
  /** Targets the newest execution skipped (MaxErrorsExceeded), which per-instance counts leave out. */
  skipped?: number;
  compliance?: AssociationCompliance;
  /** Each instance's latest result for this association. */
  instances: InstanceAssociationResult[];
  /** From the endpoint's clock: the local endpoint's virtual clock, the machine's for AWS. */
  next_run?: string;
  failed_instances: FailedInstance[];
}

export interface OperateResult<T> {
  value?: T;
  diagnostics: Diagnostic[];
  sources: SourceRegistry;
}

/** Opens the engine's Session without the lock and picks the associations asked for (status, run, history, compliance, report). */
export async function withSession<T>(
  req: OperateRequest,
  fn: (s: Session, associations: ResourceInstanceState[]) => Promise<T>,
): Promise<OperateResult<T>> {
  const diagnostics: Diagnostic[] = [];
  const session = new Session({ ...req, lock: false });
  try {
    if (!(await session.open("status", diagnostics))) return { diagnostics, sources: session.sources };
    if (session.state.serial === 0 && session.state.resources.length === 0) {
      diagnostics.push(
        error("operate/no-state", `No state file at ${session.config.statePath}`, {
          detail: "Nothing has been applied with this configuration yet.",
          hint: "run statectl apply first",
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    const addresses = req.addresses ?? [];
    const associations = listInstances(session.state, addresses).filter((r) => r.kind === "association");
    if (addresses.length > 0 && associations.length === 0) {
      diagnostics.push(
        error("operate/no-match", `No association in the state matches ${addresses.join(", ")}`, {
          detail: "Only associations have a status and can be run.",
          hint: "statectl state list shows what the state holds",
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    await session.prepareProviders(associations.map((a) => a.provider));
    const value = await fn(session, associations);
    return { value, diagnostics, sources: session.sources };
  } catch (e) {
    if (e instanceof SessionStopped) {
      diagnostics.push(...e.diagnostics);
      return { diagnostics, sources: session.sources };
    }
    diagnostics.push(error("operate/ssm", (e as Error).message, { detail: "An SSM call failed." }));
    return { diagnostics, sources: session.sources };
  } finally {
    await session.close(diagnostics);
  }
}

/** The association's compliance across instances, from its `Association` compliance items. */
export interface AssociationCompliance {
  compliant: number;
  non_compliant: number;
  /** The association's ComplianceSeverity as the items carry it (UNSPECIFIED when unset). */
  severity?: string;
}

/** What the engine reads once per status call and shares between associations. */
export interface FleetReadings {
  /** Per association id: each instance's latest result. */
  results: Map<string, InstanceAssociationResult[]>;
  /** Per association id: its Association compliance items. */
  compliance: Map<string, ComplianceItemInfo[]>;
  instances: ManagedInstanceInfo[];
}

/** Reads the fleet, every instance's association results and the Association compliance items. */
export async function readFleet(ssm: SsmProvider): Promise<FleetReadings> {
  const instances = await ssm.listManagedInstances();
  const results = new Map<string, InstanceAssociationResult[]>();
  for (const instance of instances) {
    for (const r of await ssm.instanceAssociationResults(instance.instance_id))
      results.set(r.association_id, [...(results.get(r.association_id) ?? []), r]);
  }
  const compliance = new Map<string, ComplianceItemInfo[]>();
  for (const item of await ssm.complianceItems("Association"))
    if (item.id) compliance.set(item.id, [...(compliance.get(item.id) ?? []), item]);
  return { results, compliance, instances };
}

/** The command that produced each instance's latest (non-skipped) result, from the newest executions. */
async function commandIds(
  ssm: SsmProvider,
  id: string,
  executions: readonly { execution_id: string }[],
  wanted: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const e of executions.slice(0, 10)) {
    if (found.size === wanted.size) break;
    for (const t of await ssm.executionTargets(id, e.execution_id)) {
      if (wanted.has(t.instance_id) && !found.has(t.instance_id) && t.command_id && t.status !== "Skipped")
        found.set(t.instance_id, t.command_id);
    }
  }
  return found;
}

export async function statusOf(
  s: Session,
  r: ResourceInstanceState,
  now: Date,
  fleet: FleetReadings,
  options: { outputs?: boolean } = {},
): Promise<AssociationStatus> {
  const ssm = s.provider(r.provider).ssm;
  const o = await ssm.readAssociationOverview(r.id);
  if (!o)
    return {
      address: r.address,
      association_id: r.id,
      status: "Missing",
      counts: {},
      failed_instances: [],
      instances: [],
    };
  const perInstance = fleet.results.get(r.id) ?? [];
  const result: AssociationStatus = {
    address: r.address,
    association_id: r.id,
    ...(o.name ? { name: o.name } : {}),
    ...(o.document ? { document: o.document } : {}),
    status: o.status,
    ...(o.detailed_status ? { detailed_status: o.detailed_status } : {}),
    counts: o.counts,
    failed_instances: [],
    instances: perInstance,
  };
  const items = fleet.compliance.get(r.id) ?? [];
  const [first] = items;
  if (first) {
    result.compliance = {
      compliant: items.filter((i) => i.status === "COMPLIANT").length,
      non_compliant: items.filter((i) => i.status === "NON_COMPLIANT").length,
      severity: first.severity,
    };
  }
  if (o.schedule) {
    result.schedule = o.schedule;
    const parsed = parseScheduleExpression(o.schedule);
    if (parsed.ok) {
      const anchor = o.schedule_anchor ? new Date(o.schedule_anchor) : undefined;
      const next = nextRun(parsed.schedule, now, {
        ...(anchor ? { anchor } : {}),
        ...(o.schedule_offset ? { offsetDays: o.schedule_offset } : {}),
      });
      if (next) result.next_run = next.toISOString();
    }
  }
  const executions = await ssm.listAssociationExecutions(r.id);
  const newest = executions[0];
  if (newest) {
    result.last_execution = {
      ...(newest.execution_id ? { execution_id: newest.execution_id } : {}),
      ...(newest.created_time ? { time: newest.created_time } : {}),
      ...(newest.status ? { status: newest.status } : {}),
      ...(newest.detailed_status ? { detailed_status: newest.detailed_status } : {}),
      counts: newest.counts,
    };
    const skipped = newest.counts["Skipped"] ?? 0;
    if (skipped > 0) result.skipped = skipped;
  }
  // Failing instances come from each instance's latest result, so a failure stays listed after a
  // later run that did not reach that instance; a target that left the fleet is still named from
  // the newest execution.
  const failing = perInstance.filter((i) => i.status === "Failed");
  const failures: FailedInstance[] = failing.map((i) => ({
    instance_id: i.instance_id,
    status: i.status,
    ...(i.detailed_status ? { detailed_status: i.detailed_status } : {}),
    ...(i.error_code ? { error_code: i.error_code } : {}),
    ...(i.execution_summary ? { output: i.execution_summary } : {}),
    ...(i.execution_date ? { time: i.execution_date } : {}),
  }));
  if (newest && perInstance.length === 0)
    for (const f of await ssm.failedExecutionTargets(r.id, newest.execution_id)) failures.push(f);
  if (options.outputs && failures.length > 0) {
    const ids = await commandIds(ssm, r.id, executions, new Set(failures.map((f) => f.instance_id)));
    for (const f of failures) {
      const commandId = ids.get(f.instance_id);
      if (!commandId) continue;
      const out = await ssm.commandOutput(commandId, f.instance_id);
      if (out) f.command_output = { command_id: commandId, ...out };
    }
  }
  result.failed_instances = failures;
  return result;
}

/** `statectl status`: each association in the state as SSM reports it now. `now` overrides the endpoint's clock. */
export async function runStatus(
  req: OperateRequest & { now?: Date; outputs?: boolean },
): Promise<OperateResult<AssociationStatus[]>> {
  const r = await runFleetStatus(req);
  return { ...r, ...(r.value ? { value: r.value.associations } : {}) } as OperateResult<AssociationStatus[]>;
}

export interface FleetStatus {
  /** The endpoint's clock (ISO 8601): the local endpoint's virtual time, else this machine's. */
  now: string;
  instances: ManagedInstanceInfo[];
  associations: AssociationStatus[];
}

/** `statectl status` with the fleet: every association's status plus the managed instances. */
export async function runFleetStatus(
  req: OperateRequest & { now?: Date; outputs?: boolean },
): Promise<OperateResult<FleetStatus>> {
  return withSession(req, async (s, associations) => {
    const clocks = new Map<string, Date>();
    const fleets = new Map<string, FleetReadings>();
    const out: AssociationStatus[] = [];
    let clock: Date | undefined;
    for (const r of associations) {
      let now = req.now ?? clocks.get(r.provider);
      if (!now) {
        now = await s.provider(r.provider).ssm.now();
        clocks.set(r.provider, now);
      }
      clock ??= now;
      let fleet = fleets.get(r.provider);
      if (!fleet) {
        fleet = await readFleet(s.provider(r.provider).ssm);
        fleets.set(r.provider, fleet);
      }
      out.push(await statusOf(s, r, now, fleet, { ...(req.outputs ? { outputs: true } : {}) }));
    }
    const instances = [
      ...new Map([...fleets.values()].flatMap((f) => f.instances.map((i) => [i.instance_id, i] as const))).values(),
    ];
    return { now: (clock ?? req.now ?? new Date()).toISOString(), instances, associations: out };
  });
}

export interface RunRequest extends OperateRequest {
  /** Follow the runs to their end (seconds; undefined = don't wait). */
  waitSeconds?: number;
  /** Stop waiting (Ctrl-C): the runs go on in SSM; each unsettled one is reported "Interrupted" with what is still running. */
  signal?: AbortSignal;
}

/** An instance an interrupted wait left a run in progress on. */
export interface InstanceInProgress {
  instance_id: string;
  status: string;
  /** The Run Command command carrying the run out there, when SSM reports one. */
  command_id?: string;
}

export interface RunResult {
  address: string;
  association_id: string;
  /** Without wait: "Started". With wait: the association's status once settled, or "TimedOut". */
  outcome: string;
  counts: Record<string, number>;
  failed_instances: FailedInstance[];
  /** The execution the run started, when known (with wait). */
  execution_id?: string;
  /** Outcome "Interrupted": the instances where that execution was still pending or in progress. */
  in_progress?: InstanceInProgress[];
}

/** `statectl run`: StartAssociationsOnce for the given associations, optionally waiting for the results. */
export async function runAssociationsOnce(req: RunRequest): Promise<OperateResult<RunResult[]>> {
  return withSession(req, async (s, associations) => {
    const byProvider = new Map<string, ResourceInstanceState[]>();
    for (const r of associations) byProvider.set(r.provider, [...(byProvider.get(r.provider) ?? []), r]);
    const before = new Map<string, Set<string>>();
    for (const [key, rs] of byProvider) {
      const ssm = s.provider(key).ssm;
      for (const r of rs)
        before.set(r.id, new Set((await ssm.listAssociationExecutions(r.id)).map((e) => e.execution_id)));
      await ssm.startAssociationsOnce(rs.map((r) => r.id));
    }
    const results: RunResult[] = [];
    for (const r of associations) {
      if (req.waitSeconds === undefined) {
        results.push({
          address: r.address,
          association_id: r.id,
          outcome: "Started",
          counts: {},
          failed_instances: [],
        });
        continue;
      }
      results.push(
        req.signal?.aborted
          ? await leftRunning(s, r, before.get(r.id) ?? new Set())
          : await follow(s, r, before.get(r.id) ?? new Set(), req.waitSeconds, req.signal),
      );
    }
    return results;
  });
}

/** Polls for the execution the run started (one not seen before) until it leaves Pending/InProgress. */
async function follow(
  s: Session,
  r: ResourceInstanceState,
  seen: Set<string>,
  seconds: number,
  signal?: AbortSignal,
): Promise<RunResult> {
  const ssm = s.provider(r.provider).ssm;
  // An association whose targets match no managed instance starts no execution: say so now
  // instead of waiting out the timeout.
  const targets = r.attributes["targets"];
  if (Array.isArray(targets) && targets.length > 0) {
    const n = await ssm.countTargets(targets as unknown as AssociationTarget[]);
    if (n.known && n.count === 0)
      return { address: r.address, association_id: r.id, outcome: "NoTargets", counts: {}, failed_instances: [] };
  }
  const deadline = Date.now() + seconds * 1000;
  let delay = 50;
  for (;;) {
    const fresh = (await ssm.listAssociationExecutions(r.id)).find((e) => !seen.has(e.execution_id));
    if (fresh && fresh.status !== "Pending" && fresh.status !== "InProgress") {
      const failed = await ssm.failedExecutionTargets(r.id, fresh.execution_id);
      return {
        address: r.address,
        association_id: r.id,
        outcome: failed.length > 0 ? "Failed" : (fresh.status ?? "Success"),
        counts: fresh.counts,
        failed_instances: failed,
        execution_id: fresh.execution_id,
      };
    }
    if (Date.now() >= deadline)
      return {
        address: r.address,
        association_id: r.id,
        outcome: "TimedOut",
        counts: {},
        failed_instances: [],
        ...(fresh ? { execution_id: fresh.execution_id } : {}),
      };
    if (signal?.aborted) return leftRunning(s, r, seen);
    await new Promise<void>((res) => {
      const timer = setTimeout(res, delay);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          res();
        },
        { once: true },
      );
    });
    if (signal?.aborted) return leftRunning(s, r, seen);
    delay = Math.min(delay * 2, 500);
  }
}

/**
 * What a run the user stopped waiting for left behind: its execution, settled or not, and the
 * instances where it is still pending or in progress (with their Run Command command ids). The
 * runs themselves go on in SSM: StartAssociationsOnce cannot be taken back.
 */
async function leftRunning(s: Session, r: ResourceInstanceState, seen: Set<string>): Promise<RunResult> {
  const ssm = s.provider(r.provider).ssm;
  const base = { address: r.address, association_id: r.id, outcome: "Interrupted", counts: {}, failed_instances: [] };
  try {
    const fresh = (await ssm.listAssociationExecutions(r.id)).find((e) => !seen.has(e.execution_id));
    if (!fresh) return { ...base, in_progress: [] };
    const settled = fresh.status !== "Pending" && fresh.status !== "InProgress";
    const targets = await ssm.executionTargets(r.id, fresh.execution_id);
    const running = targets
      .filter((t) => t.status === "Pending" || t.status === "InProgress")
      .map((t) => ({
        instance_id: t.instance_id,
        status: t.status,
        ...(t.command_id ? { command_id: t.command_id } : {}),
      }));
    return {
      ...base,
      ...(settled ? { outcome: fresh.status ?? "Success" } : {}),
      counts: fresh.counts,
      execution_id: fresh.execution_id,
      in_progress: running,
    };
  } catch {
    // Asking failed too (the endpoint is what the user gave up on): say what is known.
    return { ...base, in_progress: [] };
  }
}

export interface ImportRequest extends LoadInputs, EmbedderOptions {
  /** The configuration directory (default: the current directory). With `files`, only the base for relative paths. */
  dir?: string;
  /** The configuration address to import into, e.g. `association.web` or `document.app`. */
  address: string;
  /** An association's id, or a document's name. */
  id: string;
  localEndpoint?: Partial<LocalEndpointOptions>;
}

/** An association id as SSM makes them (a UUID); anything else given to import is a name. */
const ASSOCIATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `statectl import ADDR ID`: reads the existing resource through the provider and records it in
 * the state at ADDR, which must be declared in the configuration and not yet in the state.
 */
export async function runImport(req: ImportRequest): Promise<OperateResult<ResourceInstanceState>> {
  const diagnostics: Diagnostic[] = [];
  const { findInstance, removePendingCreate, setInstance, StatePersister } = await import("../state/index.js");
  const { canonicalAddress } = await import("../addrs/index.js");
  const session = new Session({ ...req, lock: true });
  try {
    if (!(await session.open("import", diagnostics))) return { diagnostics, sources: session.sources };
    const address = canonicalAddress(req.address) ?? req.address;
    const target = session.config.instances.find((i) => i.address === address);
    if (!target) {
      diagnostics.push(
        error("import/not-in-config", `${req.address} is not declared in the configuration`, {
          detail:
            "Import records an existing resource at an address the configuration declares, so the next plan manages it.",
          hint: `declare the resource first, e.g. association "name" { … }`,
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    const state = session.state;
    if (findInstance(state, address)) {
      diagnostics.push(
        error("import/already-managed", `${address} is already in the state`, {
          detail: "Importing over a managed resource would lose track of it.",
          hint: `statectl state rm ${address} first if it should point at another resource`,
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    const elsewhere = state.resources.find(
      (r) => r.kind === target.kind && r.provider === target.provider && r.id === req.id,
    );
    if (elsewhere) {
      diagnostics.push(
        error(
          "import/already-managed",
          `${target.kind === "document" ? "Document" : "Association"} ${req.id} is already managed as ${elsewhere.address}`,
          {
            detail: `The state records ${req.id} at ${elsewhere.address}. One object can be managed at one address only: importing it at ${address} too would change it twice and let either address delete it.`,
            hint: `to manage it as ${address} instead, rename it in the state: statectl state mv ${elsewhere.address} ${address}`,
          },
        ),
      );
      return { diagnostics, sources: session.sources };
    }
    await session.prepareProviders([target.provider]);
    let id = req.id;
    if (target.kind === "association" && !ASSOCIATION_ID.test(id)) {
      // Not an association id: take it as the association's name, when exactly one has it.
      const named = (await session.provider(target.provider).ssm.listAssociations({ association_name: id })).filter(
        (a) => a.name === id,
      );
      const [first] = named;
      if (first === undefined) {
        diagnostics.push(
          error("import/not-found", `No association ${id} exists in SSM`, {
            detail:
              "An association is imported by its association id, or by its name when no other association has that name; no association has this name.",
          }),
        );
        return { diagnostics, sources: session.sources };
      }
      if (named.length > 1) {
        diagnostics.push(
          error("import/ambiguous-name", `${named.length} associations are named "${id}"`, {
            detail: `Their ids: ${named.map((a) => a.association_id).join(", ")}. An association name is not unique in SSM, so statectl cannot tell which one to import.`,
            hint: `import one by its id: statectl import ${address} ${first.association_id}`,
          }),
        );
        return { diagnostics, sources: session.sources };
      }
      id = first.association_id;
    }
    const attributes = await session.provider(target.provider).read(target.kind, id, {});
    if (!attributes) {
      diagnostics.push(
        error("import/not-found", `No ${target.kind} ${req.id} exists in SSM`, {
          detail:
            target.kind === "document"
              ? "The id of a document is its name."
              : "An association is imported by its association id, or by its name when no other association has that name; no association has this id or name.",
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    const instance: ResourceInstanceState = {
      address,
      kind: target.kind,
      provider: target.provider,
      id,
      attributes,
      sensitiveAttributes: [...target.sensitivePaths],
      dependencies: [],
    };
    // Importing at an address with a create in flight resolves it (apply/lost-create-ambiguous says to).
    const persisted = await new StatePersister(session.storage, state).persist(
      setInstance(removePendingCreate(state, address), instance),
    );
    diagnostics.push(...persisted.diagnostics);
    return { value: instance, diagnostics, sources: session.sources };
  } catch (e) {
    if (e instanceof SessionStopped) {
      diagnostics.push(...e.diagnostics);
      return { diagnostics, sources: session.sources };
    }
    diagnostics.push(error("import/ssm", (e as Error).message, { detail: "An SSM call failed." }));
    return { diagnostics, sources: session.sources };
  } finally {
    await session.close(diagnostics);
  }
}
