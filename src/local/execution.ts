/**
 * Real runs (opt-in, `execute`): the part of the simulated agent that hands `aws:runShellScript`
 * steps to a sandboxed instance (src/sandbox) and turns what happened into what the SSM Agent
 * reports — parameters substituted as SSM does, the script written and run with `sh -c`, exit
 * codes 0 / 3010 / 194 / other, timeouts, output capped as Run Command keeps it inline.
 */
import path from "node:path";
import {
  probeSandbox,
  resetSandboxDisk,
  runInSandboxAsync,
  type SandboxOptions,
  type SandboxResult,
  type SandboxSupport,
} from "../sandbox/index.js";
import type { ManagedInstance } from "./fleet.js";

/** How the local endpoint executes documents (`startLocalEndpoint({ execute })`). */
export interface ExecuteOptions {
  /** The read-only base under every instance's disk: "/" (the host's root) by default, or a root filesystem such as one made with debootstrap. */
  rootfs?: string;
  /** Memory per run in MiB (default 512). */
  memoryMb?: number;
  /** Processes per run (default 256). */
  maxProcesses?: number;
  /** Longest a step may run, whatever its timeoutSeconds says (default 3600, SSM's own default executionTimeout). */
  maxRunSeconds?: number;
}

/**
 * Runs happen in the background (the call that started one answers at once, and the invocation
 * reads InProgress until it ends), so a step may take as long as SSM would let it: the agent's
 * default timeout, 3600 s. A lower cap is a choice (maxRunSeconds), no longer a need.
 */
export const DEFAULT_MAX_RUN_SECONDS = 3600;
/** What Run Command keeps inline of a step's output (GetCommandInvocation's StandardOutputContent). */
export const MAX_INLINE_OUTPUT_CHARS = 24000;

/** What a step gets to run in an instance, after parameters were substituted. */
export interface ShellRequest {
  readonly lines: readonly string[];
  readonly workingDirectory: string;
  readonly timeoutSeconds: number;
  readonly commandId: string;
  readonly stepName: string;
}

/** The outcome of one shell step, in the agent's terms. */
export interface ShellOutcome {
  readonly status: "Success" | "Failed";
  readonly timedOut: boolean;
  readonly responseCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The endpoint's executor: one per endpoint (its partitions share it, each with its own disks).
 * Everything that touches a disk — a run's steps, `exec`, `reset` — goes through one queue, in
 * the order it was asked for: an instance's disk is never mounted twice, and `exec` after
 * `advance` sees what the runs `advance` started did. Runs are started in the background
 * (`background`); `idle()` waits for all of them, results recorded (the endpoint's stop does).
 */
export class Executor {
  readonly support: SandboxSupport;
  private readonly sandbox: SandboxOptions;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();

  constructor(
    dataDir: string,
    readonly options: ExecuteOptions,
  ) {
    this.sandbox = {
      root: path.join(dataDir, "sandbox"),
      hide: dataDir,
      ...(options.rootfs !== undefined ? { base: path.resolve(options.rootfs) } : {}),
      ...(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {}),
      ...(options.maxProcesses !== undefined ? { maxProcesses: options.maxProcesses } : {}),
    };
    this.support = probeSandbox(this.sandbox);
  }

  get available(): boolean {
    return this.support.available;
  }

  /** One line for people: what runs are, here. */
  describe(): string {
    const s = this.support;
    return s.available
      ? `documents run for real in sandboxed instances (${s.mode === "rootless" ? "rootless: this user is the instances' root in a user namespace; " : ""}base ${this.sandbox.base ?? "/ (the host's root, read-only)"}; limits: ${s.limits}; at most ${this.maxRunSeconds} s per step)`
      : `execution is on, but the sandbox is unavailable here: missing ${s.missing}. Runs stay simulated (${s.hint}).`;
  }

  get maxRunSeconds(): number {
    return this.options.maxRunSeconds ?? DEFAULT_MAX_RUN_SECONDS;
  }

  /** Runs `work` after everything queued before it has finished (work on instance disks goes one at a time). */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Starts a job that outlives the call that started it; idle() waits for it. A job's failure is its own to record. */
  background(job: () => Promise<void>): void {
    const running: Promise<void> = job().catch(() => undefined);
    this.running.add(running);
    void running.finally(() => this.running.delete(running));
  }

  /** Resolves once no run is in progress or queued (including runs those runs started). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Runs in progress or waiting for the queue. */
  get inProgress(): number {
    return this.running.size;
  }

  /** Runs one shell step in the instance's sandbox (the caller holds the queue: see runDocumentOnAsync). */
  async runShell(
    disk: string,
    instance: ManagedInstance,
    region: string,
    request: ShellRequest,
  ): Promise<ShellOutcome> {
    const timeoutSeconds = Math.min(request.timeoutSeconds, this.maxRunSeconds);
    const orchestration = `/var/lib/amazon/ssm/${instance.instanceId}/document/orchestration/${request.commandId}/${request.stepName.replace(/[^A-Za-z0-9._-]/g, "_")}`;
    const result = await runInSandboxAsync(this.sandbox, {
      disk,
      hostname: instance.name,
      script: request.lines.join("\n"),
      scriptPath: `${orchestration}/_script.sh`,
      // The agent runs a script from its orchestration folder unless told otherwise.
      workingDirectory: request.workingDirectory || orchestration,
      timeoutSeconds,
      env: { AWS_SSM_INSTANCE_ID: instance.instanceId, AWS_SSM_REGION_NAME: region },
    });
    return agentOutcome(
      result,
      timeoutSeconds,
      request.timeoutSeconds > timeoutSeconds ? this.maxRunSeconds : undefined,
      this.sandbox.memoryMb ?? 512,
    );
  }

  /** `statectl local fleet exec`: a command in the instance, output as it is (not capped to Run Command's inline size). */
  exec(
    disk: string,
    instance: ManagedInstance,
    argv: readonly string[],
    timeoutSeconds: number,
  ): Promise<SandboxResult> {
    return this.serial(() =>
      runInSandboxAsync(this.sandbox, {
        disk,
        hostname: instance.name,
        argv,
        workingDirectory: "/root",
        timeoutSeconds: Math.min(timeoutSeconds, this.maxRunSeconds),
      }),
    );
  }

  /** Throws the instance's disk away: the next run starts from the base again. */
  reset(disk: string): Promise<void> {
    return this.serial(() => {
      resetSandboxDisk(this.sandbox, disk);
      return Promise.resolve();
    });
  }
}

function cap(text: string): string {
  return text.length > MAX_INLINE_OUTPUT_CHARS ? text.slice(0, MAX_INLINE_OUTPUT_CHARS) : text;
}

/**
 * The SSM Agent's reading of a shell run: 0 is success; 3010 and 194 ask for a reboot (success —
 * a sandboxed instance keeps nothing running between runs, so the reboot is immediate; on Linux
 * `exit 3010` reaches the agent as 194, the low 8 bits); anything
 * else fails with "failed to run commands: exit status N" after the script's own stderr.
 */
function agentOutcome(
  result: SandboxResult,
  timeoutSeconds: number,
  cappedAt: number | undefined,
  memoryMb: number,
): ShellOutcome {
  if (result.timedOut) {
    const why =
      cappedAt !== undefined ? ` (the local endpoint runs a step for at most ${cappedAt} s; see maxRunSeconds)` : "";
    return {
      status: "Failed",
      timedOut: true,
      responseCode: -1,
      stdout: cap(result.stdout),
      stderr: cap(
        `${result.stderr}Execution timed out after ${timeoutSeconds} seconds${why}; the sandbox stopped every process of the run.\n`,
      ),
    };
  }
  if (result.outputOverflow) {
    return {
      status: "Failed",
      timedOut: false,
      responseCode: -1,
      stdout: cap(result.stdout),
      stderr: cap(`${result.stderr}The run printed more than 4 MiB; the sandbox stopped it.\n`),
    };
  }
  if (result.exitCode === undefined) {
    const signal = result.signal ?? "a signal";
    return {
      status: "Failed",
      timedOut: false,
      responseCode: -1,
      stdout: cap(result.stdout),
      stderr: cap(
        `${result.stderr}The run was killed by ${signal}${signal === "SIGKILL" ? ` (the memory limit of ${memoryMb} MiB may have been reached)` : ""}.\nfailed to run commands: ${signal}\n`,
      ),
    };
  }
  const code = result.exitCode;
  if (code === 0)
    return {
      status: "Success",
      timedOut: false,
      responseCode: 0,
      stdout: cap(result.stdout),
      stderr: cap(result.stderr),
    };
  if (code === 3010 || code === 194) {
    return {
      status: "Success",
      timedOut: false,
      responseCode: code,
      stdout: cap(
        `${result.stdout}[statectl] exit ${code}: the script asked for a reboot; the sandboxed instance keeps nothing running between runs, so it counts as rebooted.\n`,
      ),
      stderr: cap(result.stderr),
    };
  }
  return {
    status: "Failed",
    timedOut: false,
    responseCode: code,
    stdout: cap(result.stdout),
    stderr: cap(`${result.stderr}${networkNote(result)}failed to run commands: exit status ${code}\n`),
  };
}

/** What tools print when they cannot reach the network (apt, dnf, curl, wget, pip, DNS lookups). */
const NETWORK_TROUBLE =
  /Temporary failure (in name )?resolv|Could not resolve|Network is unreachable|Failed to connect|Cannot find a valid baseurl|Failed to download metadata|unable to resolve host|Name or service not known|No route to host/i;

/** Says why, when a failed run tried the network: a sandboxed instance has none. */
function networkNote(result: SandboxResult): string {
  return NETWORK_TROUBLE.test(result.stdout) || NETWORK_TROUBLE.test(result.stderr)
    ? "[statectl] the sandboxed instance has no network (loopback only): downloads and package installs cannot work here; rehearse them on a real instance.\n"
    : "";
}
