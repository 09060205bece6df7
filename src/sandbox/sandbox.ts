/**
 * Sandboxed instances: one persistent copy-on-write disk per instance (an overlay whose upper and
 * work dirs live under the sandbox root, over a read-only base), and runs inside fresh mount, pid,
 * UTS, IPC and network namespaces made by util-linux's `unshare`, chrooted into the disk by
 * `capsh` after it dropped the capabilities that could leave it (setup-script.ts), with limits on
 * time, memory and processes. runInSandboxAsync leaves the process free while an instance runs
 * (the local endpoint's runs); runInSandbox blocks (its trial run).
 *
 * Two ways in, chosen by who runs statectl:
 * - root: the kernel's overlayfs over the base, cgroups for memory and processes.
 * - rootless (any other user): an unprivileged user namespace maps the caller to the instance's
 *   root (`unshare --user --map-root-user`) and the disk is `fuse-overlayfs -o squash_to_root`
 *   mounted inside it. The kernel's overlayfs is not used there, for two reasons measured on
 *   6.x kernels: inside a user namespace the host's `/` cannot be a lower layer (its submounts
 *   /proc, /sys, /dev … are locked to it: "overlayfs: failed to clone lowerpath"), and the host's
 *   files belong to a uid that is not mapped, so the instance's root could not write /etc even
 *   through the overlay. Limits come from rlimits (prlimit) instead of cgroups, which an ordinary
 *   user may not write.
 * bubblewrap is not the launcher: Debian 12's bwrap (0.8) cannot mount an overlay (no --overlay)
 * and gives nothing the direct path lacks; see docs/security.md.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { INSTANCE_SCRIPT, SANDBOX_KEPT_CAPS, SETUP_SCRIPT } from "./setup-script.js";

export interface SandboxOptions {
  /** Where the instances' disks live (`<root>/<key>/upper|work|merged`). */
  readonly root: string;
  /** The read-only base under every disk: "/" (the host's root) by default, or a root filesystem. */
  readonly base?: string;
  /** A host directory the instances must not see (the endpoint's data dir); hidden by a tmpfs. */
  readonly hide?: string;
  /** Memory per run in MiB (default 512). */
  readonly memoryMb?: number;
  /** Processes (tasks) per run (default 256). */
  readonly maxProcesses?: number;
}

/** What one run inside an instance is asked to do. */
export interface SandboxRun {
  /** The instance's disk: a file-name-safe key (instance id, with a partition prefix if any). */
  readonly disk: string;
  readonly hostname: string;
  /** A shell script (written inside the instance and run with `sh -c PATH`, as the SSM Agent does) … */
  readonly script?: string;
  /** … where it is written inside the instance … */
  readonly scriptPath?: string;
  /** … or a command to run directly. */
  readonly argv?: readonly string[];
  /** Inside the instance; default "/". */
  readonly workingDirectory?: string;
  readonly timeoutSeconds: number;
  /** Extra environment for the payload (PATH, HOME and LANG are set already). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface SandboxResult {
  /** The payload's exit status; undefined when it was killed (timeout, memory). */
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the output went past what is kept and the run was stopped for it. */
  readonly outputOverflow: boolean;
}

/** Whether runs can be sandboxed here, and if not, what is missing and how to get it. */
export type SandboxSupport =
  | { readonly available: true; readonly limits: string; readonly mode: SandboxMode }
  | { readonly available: false; readonly missing: string; readonly hint: string };

const TOOLS = ["unshare", "setpriv", "capsh", "mount", "hostname", "realpath", "env"] as const;
/** What the rootless way in needs on top (prlimit sets the rlimits that replace cgroups there). */
const ROOTLESS_TOOLS = ["fuse-overlayfs", "prlimit"] as const;

/** Root uses the kernel's overlay and cgroups; anyone else an unprivileged user namespace. */
export type SandboxMode = "root" | "rootless";

export function sandboxMode(): SandboxMode {
  return typeof process.getuid !== "function" || process.getuid() === 0 ? "root" : "rootless";
}

/** Every capability the running kernel knows, by number, except those the instance keeps. */
function droppedCaps(): string {
  let last = 40;
  try {
    last = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8").trim());
  } catch {
    // an older kernel without the file knows fewer; 40 (CAP_CHECKPOINT_RESTORE) covers them
  }
  const kept = new Set(Object.values(SANDBOX_KEPT_CAPS));
  const drop: number[] = [];
  for (let cap = 0; cap <= last; cap++) if (!kept.has(cap)) drop.push(cap);
  return drop.join(",");
}

/** The bounding set a payload must see (a hex mask as /proc/PID/status prints it). */
function keptMask(): string {
  let mask = 0n;
  for (const cap of Object.values(SANDBOX_KEPT_CAPS)) mask |= 1n << BigInt(cap);
  return mask.toString(16).padStart(16, "0");
}

function onPath(tool: string): boolean {
  for (const dir of (process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    if (dir && existsSync(path.join(dir, tool))) return true;
  }
  return false;
}

/** How many bytes of output a run may produce before it is stopped (far more than is kept). */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

const DEFAULT_MEMORY_MB = 512;
const DEFAULT_MAX_PROCESSES = 256;

/** cgroup v1 controllers mounted where Debian and container hosts mount them. */
const CGROUP_V1 = { memory: "/sys/fs/cgroup/memory", pids: "/sys/fs/cgroup/pids" };
/** cgroup v2 (the unified hierarchy) when it is mounted at /sys/fs/cgroup itself. */
const CGROUP_V2 = "/sys/fs/cgroup";

interface Limits {
  /** cgroup.procs files the run joins. */
  procs: string[];
  /** Directories to remove after the run. */
  dirs: string[];
  /** prlimit arguments for what no cgroup limits. */
  prlimit: string[];
  description: string;
}

function writable(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Tasks (processes and threads) the real user runs now, everywhere: RLIMIT_NPROC counts all of
 * them, so a rootless run's limit is this plus what the run may add.
 */
function tasksOfThisUser(): number {
  const uid = process.getuid?.() ?? 0;
  let tasks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const owner = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      const threads = /^Threads:\s+(\d+)/m.exec(status)?.[1];
      if (owner === String(uid)) tasks += Number(threads ?? 1);
    } catch {
      // the process ended while we looked
    }
  }
  return tasks;
}

/**
 * Rootless: no cgroup is written (an ordinary user may not, and delegated cgroups are not looked
 * for yet). RLIMIT_AS bounds each process's address space; RLIMIT_NPROC bounds the tasks the run
 * may add to those the user already has (the kernel counts the user's tasks on the whole host).
 */
function rootlessLimits(memoryMb: number, maxProcesses: number): Limits {
  return {
    procs: [],
    dirs: [],
    prlimit: [`--as=${memoryMb * 1024 * 1024}`, `--nproc=${tasksOfThisUser() + maxProcesses}`],
    description:
      `memory ${memoryMb} MiB of address space per process (RLIMIT_AS; rootless: no cgroup, so not the run's total), ` +
      `${maxProcesses} more processes than this user already runs (RLIMIT_NPROC)`,
  };
}

/**
 * One cgroup per run for memory and processes when this process may create them (cgroup v1 or
 * v2); otherwise `prlimit --as` bounds each process's address space and the process count is not
 * limited (RLIMIT_NPROC does not apply to root). The description says which.
 */
function prepareLimits(name: string, memoryMb: number, maxProcesses: number): Limits {
  if (sandboxMode() === "rootless") return rootlessLimits(memoryMb, maxProcesses);
  const limits: Limits = { procs: [], dirs: [], prlimit: [], description: "" };
  const bytes = String(memoryMb * 1024 * 1024);
  const parts: string[] = [];
  const tryGroup = (parent: string, files: Array<[string, string]>): boolean => {
    if (!writable(parent)) return false;
    const dir = path.join(parent, "statectl-sandbox", name);
    try {
      mkdirSync(dir, { recursive: true });
      for (const [file, value] of files) writeFileSync(path.join(dir, file), value);
      limits.procs.push(path.join(dir, "cgroup.procs"));
      limits.dirs.push(dir);
      return true;
    } catch {
      try {
        rmdirSync(dir);
      } catch {
        // not made, or not empty: nothing more to undo
      }
      return false;
    }
  };
  const v2 = existsSync(path.join(CGROUP_V2, "cgroup.controllers"));
  const memory = v2
    ? tryGroup(CGROUP_V2, [
        ["memory.max", bytes],
        ["memory.swap.max", "0"],
      ])
    : tryGroup(CGROUP_V1.memory, [["memory.limit_in_bytes", bytes]]);
  const pids = v2
    ? memory && writeMaybe(path.join(CGROUP_V2, "statectl-sandbox", name, "pids.max"), String(maxProcesses))
    : tryGroup(CGROUP_V1.pids, [["pids.max", String(maxProcesses)]]);
  if (memory) parts.push(`memory ${memoryMb} MiB (cgroup)`);
  else {
    limits.prlimit.push(`--as=${bytes}`);
    parts.push(`memory ${memoryMb} MiB of address space per process (prlimit; no cgroup available)`);
  }
  parts.push(pids ? `${maxProcesses} processes (cgroup)` : "processes not limited (no pids cgroup available)");
  limits.description = parts.join(", ");
  return limits;
}

function writeMaybe(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function removeLimits(limits: Limits): void {
  for (const dir of limits.dirs) {
    // The run's processes are gone (the pid namespace died with its init); the kernel may take a
    // moment to let go of the group.
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch {
        spawnSync("sleep", ["0.02"]);
      }
    }
  }
}

function diskDirs(options: SandboxOptions, disk: string): { upper: string; work: string; merged: string } {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,127})?$/.test(disk))
    throw new Error(`not a valid instance disk name: ${disk}`);
  const dir = path.join(options.root, disk);
  return { upper: path.join(dir, "upper"), work: path.join(dir, "work"), merged: path.join(dir, "merged") };
}

const PAYLOAD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * The host's mount points strictly below the base, as paths inside the instance. fuse-overlayfs
 * reads its lower layer through the host's paths and so would show what is mounted there (/sys,
 * /run/…, a /home on its own disk); the kernel's overlay shows only the base's own filesystem.
 * Rootless runs cover each of these with an empty read-only tmpfs so both ways show the same.
 */
function mountsBelow(base: string): string[] {
  let info: string;
  try {
    info = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const root = base === "/" ? "" : base.replace(/\/+$/, "");
  const found = new Set<string>();
  for (const line of info.split("\n")) {
    const field = line.split(" ")[4];
    if (field === undefined) continue;
    const point = unescapeMountPath(field);
    if (/[\n]/.test(point)) continue;
    const inside = root === "" ? point : point.startsWith(`${root}/`) ? point.slice(root.length) : undefined;
    if (inside && inside !== "/") found.add(inside);
  }
  // Parents first: once /sys is covered, /sys/fs/cgroup is gone from the instance's view.
  return [...found].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}

interface PreparedRun {
  readonly launcher: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly limits: Limits;
}

/** The disk's directories, the run's limits and the command line that makes the instance. */
function prepareRun(options: SandboxOptions, run: SandboxRun): PreparedRun {
  const dirs = diskDirs(options, run.disk);
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  const limits = prepareLimits(
    `${run.disk.replace(/\//g, "_")}-${process.pid}-${Date.now()}`,
    memoryMb,
    options.maxProcesses ?? DEFAULT_MAX_PROCESSES,
  );
  const env: Record<string, string> = { PATH: PAYLOAD_PATH, HOME: "/root", LANG: "C.UTF-8", ...run.env };
  const envLines = Object.entries(env)
    .filter(([k, v]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !/[\n\0]/.test(v))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  const rootless = sandboxMode() === "rootless";
  const base = options.base ?? "/";
  const launcher = limits.prlimit.length > 0 ? "prlimit" : "unshare";
  const args = [
    ...(limits.prlimit.length > 0 ? [...limits.prlimit, "--", "unshare"] : []),
    // Rootless: the caller becomes root of a new user namespace that owns all the others, and
    // has powers over nothing outside it.
    ...(rootless ? ["--user", "--map-root-user"] : []),
    "--mount",
    "--uts",
    "--ipc",
    "--net",
    "--pid",
    "--fork",
    "--kill-child=SIGKILL",
    "--propagation",
    "private",
    "--",
    "/bin/sh",
    "-c",
    SETUP_SCRIPT,
    "statectl-sandbox",
    ...(run.argv ?? []),
  ];
  return {
    launcher,
    args,
    limits,
    env: {
      PATH: process.env["PATH"] ?? PAYLOAD_PATH,
      SBX_MERGED: dirs.merged,
      SBX_UPPER: dirs.upper,
      SBX_WORK: dirs.work,
      SBX_LOWER: base,
      SBX_OVERLAY: rootless ? "fuse" : "kernel",
      SBX_MASK: rootless ? mountsBelow(base).join("\n") : "",
      SBX_HIDE: options.hide ?? "",
      SBX_HOSTNAME: run.hostname,
      SBX_DROP: droppedCaps(),
      SBX_INSTANCE_SCRIPT: INSTANCE_SCRIPT,
      SBX_CGROUPS: limits.procs.join(" "),
      SBX_SCRIPT: run.script ?? "",
      SBX_SCRIPT_PATH: run.scriptPath ?? "/var/lib/statectl/_script.sh",
      SBX_WORKDIR: run.workingDirectory || "/",
      SBX_ENV: envLines,
    },
  };
}

function notStarted(error: Error): SandboxResult {
  return {
    exitCode: undefined,
    signal: undefined,
    timedOut: false,
    stdout: "",
    stderr: `statectl: could not start the sandbox: ${error.message}\n`,
    outputOverflow: false,
  };
}

/**
 * Runs a script or a command inside an instance and waits for it, blocking the process (the
 * endpoint's trial run and `local fleet exec` through the library). Throws only for a bad
 * request (disk name); everything that goes wrong inside, the setup included, is in the result.
 */
export function runInSandbox(options: SandboxOptions, run: SandboxRun): SandboxResult {
  const prepared = prepareRun(options, run);
  try {
    const child = spawnSync(prepared.launcher, prepared.args, {
      env: prepared.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: run.timeoutSeconds * 1000,
      killSignal: "SIGKILL",
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    const error: NodeJS.ErrnoException | undefined = child.error;
    const timedOut = error?.code === "ETIMEDOUT";
    const outputOverflow = error?.code === "ENOBUFS";
    if (error && !timedOut && !outputOverflow) return notStarted(error);
    return {
      exitCode: child.status ?? undefined,
      signal: child.signal ?? undefined,
      timedOut,
      stdout: child.stdout.toString("utf8"),
      stderr: child.stderr.toString("utf8"),
      outputOverflow,
    };
  } finally {
    removeLimits(prepared.limits);
  }
}

/**
 * As runInSandbox, without blocking: the process goes on serving while the instance runs. The
 * same limits: SIGKILL to the launcher at the timeout or past MAX_OUTPUT_BYTES of output (the
 * instance's pid namespace dies with it).
 */
export function runInSandboxAsync(options: SandboxOptions, run: SandboxRun): Promise<SandboxResult> {
  const prepared = prepareRun(options, run);
  return new Promise<SandboxResult>((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let outputOverflow = false;
    let settled = false;
    const child = spawn(prepared.launcher, prepared.args, { env: prepared.env, stdio: ["ignore", "pipe", "pipe"] });
    const finish = (result: SandboxResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      removeLimits(prepared.limits);
      resolve(result);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, run.timeoutSeconds * 1000);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_OUTPUT_BYTES) {
        if (!outputOverflow) child.kill("SIGKILL");
        outputOverflow = true;
        return;
      }
      into.push(chunk);
    };
    child.stdout.on("data", collect(stdout));
    child.stderr.on("data", collect(stderr));
    child.once("error", (error) => finish(notStarted(error)));
    child.once("close", (code, signal) =>
      finish({
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        timedOut: timedOut && !outputOverflow,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        outputOverflow,
      }),
    );
  });
}

/** Throws away an instance's disk: the next run starts again from the base. */
export function resetSandboxDisk(options: SandboxOptions, disk: string): void {
  const dirs = diskDirs(options, disk);
  rmSync(path.dirname(dirs.upper), { recursive: true, force: true });
}

/** What the limits of a run are here (for `local serve --execute` and the docs). */
export function describeLimits(options: Pick<SandboxOptions, "memoryMb" | "maxProcesses">): string {
  const limits = prepareLimits(
    `probe-${process.pid}-${Date.now()}`,
    options.memoryMb ?? DEFAULT_MEMORY_MB,
    options.maxProcesses ?? DEFAULT_MAX_PROCESSES,
  );
  removeLimits(limits);
  return limits.description;
}

const probeCache = new Map<string, SandboxSupport>();

/**
 * Whether sandboxed runs work here: Linux, root, the tools, and a real trial run (an overlay over
 * the base, the namespaces, the chroot) that must print the instance's host name and exactly the
 * bounding set the instance keeps. Cached per base.
 */
export function probeSandbox(options: Pick<SandboxOptions, "base" | "memoryMb" | "maxProcesses"> = {}): SandboxSupport {
  const base = options.base ?? "/";
  const cached = probeCache.get(base);
  if (cached) return cached;
  const result = probe(options, base);
  probeCache.set(base, result);
  return result;
}

function probe(options: Pick<SandboxOptions, "base" | "memoryMb" | "maxProcesses">, base: string): SandboxSupport {
  if (process.platform !== "linux")
    return {
      available: false,
      missing: `Linux namespaces (this is ${process.platform})`,
      hint: "run the local endpoint on Linux (a VM or container) to execute documents; runs stay simulated",
    };
  const rootless = sandboxMode() === "rootless";
  if (rootless) {
    const userns = userNamespacesBlocked();
    if (userns) return userns;
  }
  const absent = [...TOOLS, ...(rootless ? ROOTLESS_TOOLS : [])].filter((t) => !onPath(t));
  if (absent.length > 0)
    return {
      available: false,
      missing: `the command${absent.length > 1 ? "s" : ""} ${absent.join(", ")}`,
      hint: `install them, e.g. apt-get install util-linux libcap2-bin hostname coreutils${rootless ? " fuse-overlayfs" : ""}; runs stay simulated`,
    };
  if (rootless && !canOpen("/dev/fuse"))
    return {
      available: false,
      missing: "/dev/fuse (rootless runs mount the instance's disk with fuse-overlayfs)",
      hint: "load the fuse module (modprobe fuse) and let users open /dev/fuse; in a container, pass --device /dev/fuse; or run statectl as root; runs stay simulated",
    };
  if (base !== "/" && !existsSync(path.join(base, "bin", "sh")))
    return {
      available: false,
      missing: `a root filesystem at ${base} (it has no bin/sh)`,
      hint: "name a directory holding a whole root filesystem, e.g. one made with debootstrap",
    };
  let root: string | undefined;
  try {
    root = mkdtempSync(path.join(tmpdir(), "statectl-sandbox-probe-"));
    const result = runInSandbox(
      { root, base, hide: root, ...options },
      {
        disk: "probe",
        hostname: "statectl-probe",
        argv: ["sh", "-c", "hostname; grep CapBnd /proc/self/status; cat /proc/1/cmdline >/dev/null && echo pid1"],
        timeoutSeconds: 20,
      },
    );
    // The trial must show the instance's host name and a bounding set without the dropped powers.
    if (result.exitCode !== 0 || result.stdout !== `statectl-probe\nCapBnd:\t${keptMask()}\npid1\n`) {
      const why =
        (result.stderr.trim().split("\n").pop() ?? "").trim() ||
        (result.timedOut ? "it timed out" : `exit ${result.exitCode ?? result.signal}`);
      return {
        available: false,
        missing: `working namespaces and overlay mounts (a trial run failed: ${why})`,
        hint: rootless
          ? "rootless runs need unprivileged user namespaces with mount/pid/net/uts namespaces inside them and FUSE mounts there (kernel 4.18 or later); a container must allow them (seccomp and AppArmor profiles often refuse unshare and mount); or run statectl as root; runs stay simulated"
          : "the kernel needs overlayfs and mount/pid/net/uts namespaces, and a container must allow them (e.g. docker run --privileged); runs stay simulated",
      };
    }
    return { available: true, limits: describeLimits(options), mode: sandboxMode() };
  } finally {
    if (root) rmSync(root, { recursive: true, force: true });
  }
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function canOpen(file: string): boolean {
  try {
    accessSync(file, fsConstants.R_OK | fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The switches that keep an ordinary user from making a user namespace, each with the command that
 * turns it on; undefined when none is in the way (a trial run still has the last word).
 */
function userNamespacesBlocked(): SandboxSupport | undefined {
  const max = readNumber("/proc/sys/user/max_user_namespaces");
  if (max === 0)
    return {
      available: false,
      missing: "unprivileged user namespaces (user.max_user_namespaces is 0)",
      hint: "allow them with `sysctl -w user.max_user_namespaces=15000` (as root; put it in /etc/sysctl.d to keep it), or run statectl as root; runs stay simulated",
    };
  // Debian's and Ubuntu's older kernels carry their own switch.
  if (readNumber("/proc/sys/kernel/unprivileged_userns_clone") === 0)
    return {
      available: false,
      missing: "unprivileged user namespaces (kernel.unprivileged_userns_clone is 0)",
      hint: "allow them with `sysctl -w kernel.unprivileged_userns_clone=1` (as root; put it in /etc/sysctl.d to keep it), or run statectl as root; runs stay simulated",
    };
  // Ubuntu 23.10 and later: AppArmor lets only profiled programs make user namespaces.
  if (readNumber("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === 1)
    return {
      available: false,
      missing:
        "unprivileged user namespaces (AppArmor restricts them: kernel.apparmor_restrict_unprivileged_userns is 1)",
      hint: "allow them with `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (as root), or give unshare an AppArmor profile with `userns,`, or run statectl as root; runs stay simulated",
    };
  return undefined;
}

/** For tests: forget what probing found. */
export function forgetSandboxProbe(): void {
  probeCache.clear();
}
