/**
 * The sandbox room: runs shell inside an isolated instance — its own copy-on-write disk over a
 * read-only base, its own mount, pid, UTS, IPC and network namespaces (loopback only), limits on
 * time, memory and processes — and says plainly when this machine cannot do that. It knows
 * nothing of SSM: the local endpoint (local/) decides what runs; docs/security.md says what the
 * sandbox isolates and what it does not.
 */
export {
  describeLimits,
  forgetSandboxProbe,
  probeSandbox,
  resetSandboxDisk,
  runInSandbox,
  runInSandboxAsync,
  sandboxMode,
} from "./sandbox.js";
export type { SandboxMode, SandboxOptions, SandboxResult, SandboxRun, SandboxSupport } from "./sandbox.js";
