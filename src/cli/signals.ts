/**
 * The signals that ask statectl to stop: Ctrl-C (SIGINT), a CI cancellation, `timeout` or
 * `docker stop` (SIGTERM), a closed terminal or SSH session (SIGHUP). All three get the same
 * graceful stop as a first Ctrl-C; the exit code says which one came (128 + its number), as a
 * shell reports a process killed by it.
 */
import { ExitCode } from "./exit-codes.js";

export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

export const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const EXIT_CODES: Record<StopSignal, number> = {
  SIGINT: ExitCode.Interrupted,
  SIGTERM: ExitCode.Terminated,
  SIGHUP: ExitCode.HangUp,
};

export function exitCodeForSignal(signal: StopSignal | undefined): number {
  return EXIT_CODES[signal ?? "SIGINT"];
}

/** How the first interrupt line names what came: Ctrl-C as "Interrupt", the others by name. */
export function signalLabel(signal: StopSignal): string {
  return signal === "SIGINT" ? "Interrupt" : signal;
}

/** Calls `handler` for each stop signal; returns the function that removes it again. */
export function onStopSignals(handler: (signal: StopSignal) => void): () => void {
  const listeners = STOP_SIGNALS.map((signal) => [signal, () => handler(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}

/**
 * For commands with no interrupt handling of their own: a stop signal exits with its code through
 * `process.exit`, so exit hooks still run (the state storage releases a lock it holds). Node's
 * default for SIGTERM and SIGHUP kills the process without running them.
 */
export function installDefaultStopHandlers(): void {
  for (const signal of STOP_SIGNALS) {
    const fallback = (): void => {
      // Another listener means a command handles this signal itself (apply, plan, local serve).
      if (process.listenerCount(signal) > 1) return;
      process.exit(exitCodeForSignal(signal));
    };
    process.on(signal, fallback);
  }
}
