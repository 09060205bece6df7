/** Terminal concerns shared by every command: colour decisions and writing to stdout/stderr. */

export interface GlobalOptions {
  chdir?: string;
  color?: boolean;
}

/** Colour only on a TTY, never with NO_COLOR set (https://no-color.org), and never with --no-color. */
export function useColor(stream: NodeJS.WriteStream, opts: GlobalOptions): boolean {
  if (opts.color === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}

export function out(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

export function err(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : text + "\n");
}
