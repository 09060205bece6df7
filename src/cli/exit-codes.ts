/**
 * The CLI's exit codes; docs/cli.md documents them. Only the CLI exits — library code returns
 * results and diagnostics.
 */
export const ExitCode = {
  /** Success (and, for `plan --detailed-exitcode`, no changes). */
  Ok: 0,
  /** The command failed: diagnostics with errors, API failures, a failed apply. */
  Error: 1,
  /** `plan --detailed-exitcode`: success, and there are changes. */
  Changes: 2,
  /** `fmt --check`: some files are not canonically formatted. */
  NeedsFormatting: 3,
  /** Invalid command line: unknown command or option, missing argument. */
  Usage: 64,
  /** Interrupted by Ctrl-C (SIGINT), or the reader of the output went away. */
  Interrupted: 130,
  /** Stopped by SIGTERM (CI cancellation, `timeout`, `docker stop`); the same graceful stop as Ctrl-C. */
  Terminated: 143,
  /** Stopped by SIGHUP (the terminal or SSH session closed); the same graceful stop as Ctrl-C. */
  HangUp: 129,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by command actions to end with a given code after printing what they had to say. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = "",
  ) {
    super(message);
  }
}
