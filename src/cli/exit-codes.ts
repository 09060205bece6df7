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
  /** Interrupted by a signal (SIGINT). */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by command actions to end with a given code after printing what they had to say. */
export class CliExit extends Error {
  constructor(readonly code: number, message = "") {
    super(message);
  }
}
