/**
 * The associations area: association, execution and instance-information operations, the
 * simulated fleet, and the virtual clock. Set-up swaps in the virtual clock, seeds the default
 * fleet, plugs into the documents and tags areas through their hooks, and starts the timer that
 * runs schedules as real time passes. The functions at the bottom are the controls the library
 * (LocalEndpoint) and `statectl local fleet|advance` use; the `Statectl*` operations expose the
 * same controls over HTTP to reach a running standalone server (they are not AWS operations).
 */
import type { Area, EndpointCore, Input } from "./core.js";
import type { SandboxResult } from "../sandbox/index.js";
import { AssociationService, simulationState, syncFleetTags } from "./associations.js";
import { VirtualClock, parseDuration } from "./clock.js";
import { SsmError, ErrorCode } from "./errors.js";
import {
  makeInstance,
  PLATFORM_TYPES,
  PING_STATUSES,
  type ManagedInstance,
  type NewInstance,
  type PlatformType,
  type PingStatus,
} from "./fleet.js";
import {
  changeInstanceTags,
  checkManagedInstanceId,
  forgetInstanceTags,
  storeNewInstanceTags,
} from "./instance-tags.js";
import type { ExecutionRecord } from "./simulator.js";

/** How often real time is checked for schedules that came due (they also run before every request). */
export const SCHEDULER_INTERVAL_MS = 5_000;

const timers = new WeakMap<EndpointCore, NodeJS.Timeout>();
const clocks = new WeakMap<EndpointCore, VirtualClock>();

const service = (core: EndpointCore) => new AssociationService(core);

export const associationsArea: Area = {
  name: "associations",

  setup(core) {
    const state = simulationState(core);
    const clock = new VirtualClock(state.clockOffsetMs);
    core.clock = { now: () => clock.nowMs() };
    clocks.set(core, clock);

    core.hooks.documentUsage.push((c, name) => service(c).usageOf(name));
    core.hooks.documentDeleted.push((c, name) => {
      const s = service(c);
      for (const id of s.usageOf(name).associationIds) s.remove(id);
    });
    core.hooks.documentDefaultVersionChanged.push((c, name) => service(c).defaultVersionChanged(name));
    core.hooks.tagResourceTypes.set("Association", {
      resolve: (c, id) => (simulationState(c).associations[id] ? id : undefined),
    });
    core.hooks.tagResourceTypes.set("ManagedInstance", {
      checkId: checkManagedInstanceId,
      resolve: (c, id) => (simulationState(c).fleet.some((i) => i.instanceId === id) ? id : undefined),
    });

    const timer = setInterval(() => {
      core.exclusive(() => service(core).tick()).catch(() => undefined);
    }, SCHEDULER_INTERVAL_MS);
    timer.unref();
    timers.set(core, timer);
  },

  teardown(core) {
    clearInterval(timers.get(core));
    timers.delete(core);
  },

  operations: {
    CreateAssociation: (input, ctx) => service(ctx).createAssociation(input),
    CreateAssociationBatch: (input, ctx) => service(ctx).createAssociationBatch(input),
    DescribeAssociation: (input, ctx) => service(ctx).describeAssociation(input),
    UpdateAssociation: (input, ctx) => service(ctx).updateAssociation(input),
    DeleteAssociation: (input, ctx) => service(ctx).deleteAssociation(input),
    ListAssociations: (input, ctx) => service(ctx).listAssociations(input),
    ListAssociationVersions: (input, ctx) => service(ctx).listAssociationVersions(input),
    DescribeAssociationExecutions: (input, ctx) => service(ctx).describeAssociationExecutions(input),
    DescribeAssociationExecutionTargets: (input, ctx) => service(ctx).describeAssociationExecutionTargets(input),
    StartAssociationsOnce: (input, ctx) => service(ctx).startAssociationsOnce(input),
    DescribeInstanceAssociationsStatus: (input, ctx) => service(ctx).describeInstanceAssociationsStatus(input),
    DescribeInstanceInformation: (input, ctx) => service(ctx).describeInstanceInformation(input),

    // statectl's own controls (not AWS operations), for `statectl local fleet|advance` against a running server.
    StatectlListFleet: (_input, ctx) => ({
      Instances: listFleet(ctx),
      Now: ctx.clock.now(),
      AccountId: ctx.settings.accountId,
      Region: ctx.settings.region,
    }),
    StatectlAddInstance: (input, ctx) => ({ Instance: addInstance(ctx, instanceSpecFrom(input)) }),
    StatectlRemoveInstance: (input, ctx) => {
      removeInstance(ctx, requireString(input, "InstanceId"));
      return {};
    },
    StatectlSetInstanceFailing: (input, ctx) => {
      setInstanceFailing(
        ctx,
        requireString(input, "InstanceId"),
        requireString(input, "DocumentName"),
        input["Failing"] !== false,
      );
      return {};
    },
    StatectlTagInstance: (input, ctx) => {
      const set =
        input["Tags"] && typeof input["Tags"] === "object" && !Array.isArray(input["Tags"])
          ? (input["Tags"] as Record<string, string>)
          : {};
      const remove = Array.isArray(input["RemoveKeys"])
        ? (input["RemoveKeys"] as unknown[]).filter((k): k is string => typeof k === "string")
        : [];
      return { Instance: tagInstance(ctx, requireString(input, "InstanceId"), set, remove) };
    },
    StatectlExecInInstance: async (input, ctx) => {
      const argv = Array.isArray(input["Command"])
        ? (input["Command"] as unknown[]).filter((a): a is string => typeof a === "string")
        : [];
      const timeout =
        typeof input["TimeoutSeconds"] === "number" ? input["TimeoutSeconds"] : DEFAULT_EXEC_TIMEOUT_SECONDS;
      const result = await execInInstance(ctx, requireString(input, "InstanceId"), argv, timeout);
      return {
        ExitCode: result.exitCode,
        Signal: result.signal,
        TimedOut: result.timedOut,
        Stdout: result.stdout,
        Stderr: result.stderr,
      };
    },
    StatectlResetInstance: async (input, ctx) => {
      await resetInstanceDisk(ctx, requireString(input, "InstanceId"));
      return {};
    },
    StatectlDescribeExecution: (_input, ctx) => executionStatus(ctx),
    StatectlAdvanceClock: (input, ctx) => {
      const ran = advanceClock(ctx, requireString(input, "Duration"));
      return { Now: ctx.clock.now(), ExecutionCount: ran.length };
    },
  },
};

/** The virtual clock set up for `core`; a handler's context inherits from the core it serves. */
function clockOf(core: EndpointCore): VirtualClock {
  for (let at: object | null = core; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    const clock = clocks.get(at as EndpointCore);
    if (clock) return clock;
  }
  throw new Error("the associations area is not set up on this endpoint");
}

function requireString(input: Input, member: string): string {
  const value = input[member];
  if (typeof value !== "string" || value === "")
    throw new SsmError(
      ErrorCode.Validation,
      `1 validation error detected: Value null at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

function instanceSpecFrom(input: Input): NewInstance {
  const spec: NewInstance = { name: requireString(input, "Name") };
  if (typeof input["InstanceId"] === "string") spec.instanceId = input["InstanceId"];
  if (typeof input["PlatformType"] === "string") spec.platformType = input["PlatformType"] as PlatformType;
  if (typeof input["PlatformName"] === "string") spec.platformName = input["PlatformName"];
  if (typeof input["PlatformVersion"] === "string") spec.platformVersion = input["PlatformVersion"];
  if (typeof input["PingStatus"] === "string") spec.pingStatus = input["PingStatus"] as PingStatus;
  if (input["Tags"] && typeof input["Tags"] === "object") spec.tags = input["Tags"] as Record<string, string>;
  if (Array.isArray(input["FailDocuments"])) spec.failDocuments = input["FailDocuments"] as string[];
  if (Array.isArray(input["ResourceGroups"])) spec.resourceGroups = input["ResourceGroups"] as string[];
  return spec;
}

// ------------------------------------------------------------------ controls (library, CLI)

/** The fleet as it stands (copies). */
export function listFleet(core: EndpointCore): ManagedInstance[] {
  const state = simulationState(core);
  syncFleetTags(core, state);
  return structuredClone(state.fleet);
}

/**
 * Adds an instance to the fleet; associations whose targets match it are applied to it at once
 * (as State Manager bootstraps new nodes). Throws SsmError(ValidationException) on a bad spec.
 */
export function addInstance(core: EndpointCore, spec: NewInstance): ManagedInstance {
  const state = simulationState(core);
  if (spec.platformType !== undefined && !PLATFORM_TYPES.includes(spec.platformType)) {
    throw new SsmError(
      ErrorCode.Validation,
      `Unknown platform type ${spec.platformType}; use one of ${PLATFORM_TYPES.join(", ")}.`,
    );
  }
  if (spec.pingStatus !== undefined && !PING_STATUSES.includes(spec.pingStatus)) {
    throw new SsmError(
      ErrorCode.Validation,
      `Unknown ping status ${spec.pingStatus}; use one of ${PING_STATUSES.join(", ")}.`,
    );
  }
  let instance: ManagedInstance;
  try {
    instance = makeInstance(spec, core.clock.now(), new Set(state.fleet.map((i) => i.ipAddress)));
  } catch (e) {
    throw new SsmError(ErrorCode.Validation, (e as Error).message);
  }
  if (state.fleet.some((i) => i.instanceId === instance.instanceId))
    throw new SsmError(ErrorCode.Validation, `Instance ${instance.instanceId} is already in the fleet.`);
  if (state.fleet.some((i) => i.name === instance.name))
    throw new SsmError(ErrorCode.Validation, `An instance named ${instance.name} is already in the fleet.`);
  const s = service(core);
  s.tick();
  state.fleet.push(instance);
  storeNewInstanceTags(core, instance);
  core.changed("simulation", "fleet");
  s.tick();
  return structuredClone(instance);
}

function findInstance(core: EndpointCore, idOrName: string): ManagedInstance {
  const instance = simulationState(core).fleet.find((i) => i.instanceId === idOrName || i.name === idOrName);
  if (!instance) throw new SsmError("InvalidInstanceId", `No instance ${idOrName} in the fleet.`);
  return instance;
}

/** Removes an instance (by id or name) with its tags and association results. */
export function removeInstance(core: EndpointCore, idOrName: string): ManagedInstance {
  const state = simulationState(core);
  const instance = findInstance(core, idOrName);
  const s = service(core);
  s.tick();
  state.fleet = state.fleet.filter((i) => i.instanceId !== instance.instanceId);
  forgetInstanceTags(core, instance);
  // A removed instance's disk goes with it; one added later under the same id starts fresh.
  // (after the runs queued for it: their results are dropped with the instance)
  if (core.execution) void core.execution.executor.reset(`${core.execution.diskPrefix}${instance.instanceId}`);
  core.changed("simulation", "fleet");
  s.tick();
  return instance;
}

/**
 * Sets (or with `remove`, deletes) tags on an instance — SSM tags of an `mi-` node, simulated EC2
 * tags of an `i-` instance (instance-tags.ts); newly matching associations apply at once.
 */
export function tagInstance(
  core: EndpointCore,
  idOrName: string,
  tags: Record<string, string>,
  remove: readonly string[] = [],
): ManagedInstance {
  const instance = findInstance(core, idOrName);
  const s = service(core);
  s.tick();
  changeInstanceTags(core, instance, tags, remove);
  s.tick();
  return structuredClone(instance);
}

/** Marks an instance (by id or name) to fail, or no longer fail, a document whenever it runs there. */
export function setInstanceFailing(core: EndpointCore, idOrName: string, documentName: string, failing = true): void {
  const instance = findInstance(core, idOrName);
  instance.failDocuments = instance.failDocuments.filter((d) => d !== documentName);
  if (failing) instance.failDocuments.push(documentName);
  core.changed("simulation", "fleet");
}

/**
 * Moves the endpoint's clock forward (a duration such as "1d", "90m" or milliseconds) and runs
 * every scheduled occurrence that came due, each at its own time. Returns the executions recorded.
 */
export function advanceClock(core: EndpointCore, by: string | number): ExecutionRecord[] {
  let ms: number;
  try {
    ms = typeof by === "number" ? by : parseDuration(by);
  } catch (e) {
    throw new SsmError(ErrorCode.Validation, (e as Error).message);
  }
  const clock = clockOf(core);
  const s = service(core);
  s.tick();
  clock.advance(ms);
  s.state.clockOffsetMs = clock.offsetMs;
  core.changed("simulation", "clockOffsetMs");
  return s.tick();
}

// ------------------------------------------------------------------ execution (opt-in)

/** `statectl local fleet exec` waits this long by default. */
export const DEFAULT_EXEC_TIMEOUT_SECONDS = 30;

/** Whether this endpoint executes documents, and how (or why it cannot). */
export function executionStatus(core: EndpointCore): {
  Enabled: boolean;
  Available: boolean;
  Description: string;
  Missing?: string;
  Hint?: string;
} {
  const execution = core.execution;
  if (!execution)
    return {
      Enabled: false,
      Available: false,
      Description:
        "documents are simulated (start the endpoint with --execute to run shell steps in sandboxed instances)",
    };
  const support = execution.executor.support;
  return {
    Enabled: true,
    Available: support.available,
    Description: execution.executor.describe(),
    ...(support.available ? {} : { Missing: support.missing, Hint: support.hint }),
  };
}

function sandboxedInstance(
  core: EndpointCore,
  idOrName: string,
): { instance: ManagedInstance; execution: NonNullable<EndpointCore["execution"]> } {
  const instance = findInstance(core, idOrName);
  const execution = core.execution;
  if (!execution)
    throw new SsmError(
      "StatectlExecutionOff",
      "This endpoint does not execute documents: its instances have no disks. Start it with execution on (statectl local serve --execute, or local { execute = true } in the provider block).",
    );
  if (!execution.executor.support.available)
    throw new SsmError(
      "StatectlSandboxUnavailable",
      `The sandbox is unavailable here: missing ${execution.executor.support.missing}. ${execution.executor.support.hint}.`,
    );
  if (instance.platformType !== "Linux")
    throw new SsmError(
      "StatectlSandboxUnavailable",
      `${instance.instanceId} (${instance.name}) is a ${instance.platformType} instance; only Linux instances run in the sandbox.`,
    );
  return { instance, execution };
}

/**
 * Runs a command inside an instance's sandbox (to inspect it, or to break something on purpose),
 * after the runs already queued: it sees what they did.
 */
export async function execInInstance(
  core: EndpointCore,
  idOrName: string,
  argv: readonly string[],
  timeoutSeconds = DEFAULT_EXEC_TIMEOUT_SECONDS,
): Promise<SandboxResult> {
  if (argv.length === 0) throw new SsmError(ErrorCode.Validation, "Name a command to run in the instance.");
  const { instance, execution } = sandboxedInstance(core, idOrName);
  return execution.executor.exec(`${execution.diskPrefix}${instance.instanceId}`, instance, argv, timeoutSeconds);
}

/** Throws an instance's disk away (after the runs already queued): its next run starts from the base again. */
export async function resetInstanceDisk(core: EndpointCore, idOrName: string): Promise<void> {
  const { instance, execution } = sandboxedInstance(core, idOrName);
  await execution.executor.reset(`${execution.diskPrefix}${instance.instanceId}`);
}
