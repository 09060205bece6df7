/** Terminal concerns shared by every command: colour decisions and writing to stdout/stderr. */

export interface GlobalOptions {
  chdir?: string;
  color?: boolean;
}

/** Colour only on a TTY, never with NO_COLOR set (https://no-color.org), and never with --no-color. */
export function useColor(stream: { isTTY?: boolean }, opts: GlobalOptions): boolean {
  if (opts.color === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  // A pipe or file has no isTTY at all (Node's type declares it on every stdout).
  return stream.isTTY === true;
}

export function out(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

export function err(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : text + "\n");
}

/**
 * The next line typed on `rl`, or undefined when input ends (Ctrl-D) or `stop` fires first; the
 * interface is closed either way. Approval and variable prompts both read their answer with it.
 */
export async function nextLine(
  rl: import("node:readline").Interface,
  stop?: (close: () => void) => void,
): Promise<string | undefined> {
  const answer = await new Promise<string | undefined>((resolve) => {
    let done = false;
    rl.once("line", (line) => {
      done = true;
      resolve(line);
    });
    rl.once("close", () => {
      if (!done) resolve(undefined);
    });
    stop?.(() => rl.close());
  });
  rl.close();
  return answer;
}

/**
 * When whoever reads our output goes away (`statectl apply | head`), writing fails with EPIPE.
 * Unhandled, that kills the process with a stack trace — mid-apply, holding the state lock. Treat
 * it as Ctrl-C instead: the command's interrupt handling stops starting new work, saves the state,
 * releases the lock and exits 130; a command without such handling ends as on Ctrl-C. Later
 * writes to the closed stream are dropped.
 */
export function stopWhenOutputCloses(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  let interrupted = false;
  for (const stream of streams) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
      if (interrupted) return;
      interrupted = true;
      process.kill(process.pid, "SIGINT");
    });
  }
}
