/**
 * Pieces the visibility commands (status, history, compliance) print with: times relative to the
 * endpoint's clock ("3 h ago", "in 2 d"), status words coloured on a TTY, aligned tables.
 */
import { escapeForTerminal } from "../../diag/index.js";

/** "just now", "42 s ago", "3 h ago", "in 2 d": the distance between `iso` and `now`. */
export function relativeTime(iso: string | undefined, now: Date): string {
  if (iso === undefined) return "never";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const delta = t - now.getTime();
  const abs = Math.abs(delta);
  if (abs < 5_000) return "just now";
  const units: Array<[number, string]> = [
    [86_400_000 * 365, "y"],
    [86_400_000 * 30, "mo"],
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "min"],
    [1_000, "s"],
  ];
  const [size, unit] = units.find(([size]) => abs >= size) ?? [1_000, "s"];
  const n = Math.floor(abs / size);
  return delta < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

export interface Paint {
  good(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function paint(color: boolean): Paint {
  const wrap = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { good: wrap("32"), bad: wrap("31"), warn: wrap("33"), dim: wrap("2"), bold: wrap("1") };
}

/** A status word in the colour that says how it went (Success green, Failed/Missing red …). */
export function statusWord(status: string, p: Paint): string {
  if (status === "Success" || status === "COMPLIANT") return p.good(status);
  if (status === "Failed" || status === "Missing" || status === "NON_COMPLIANT" || status === "TimedOut")
    return p.bad(status);
  if (status === "Skipped" || status === "Pending" || status === "InProgress") return p.warn(status);
  return status;
}

// eslint-disable-next-line no-control-regex -- colour codes start with ESC: finding them is the point
const ANSI = /\x1b\[[0-9;]*m/g;

const visibleLength = (s: string) => s.replace(ANSI, "").length;

/** Left-aligned columns separated by two spaces (colour codes do not count towards widths). */
export function table(rows: readonly string[][], indent = ""): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell))))
        .join("  ")
        .trimEnd(),
  );
}

/**
 * The first `lines` lines of an output, with a note of what was left out. A run's output is what a
 * program printed on an instance: its escape sequences are shown, never sent to the terminal.
 */
export function excerpt(text: string, lines = 10): string[] {
  const all = escapeForTerminal(text.replace(/\n$/, "")).split("\n");
  if (all.length <= lines) return all;
  return [...all.slice(0, lines), `… ${all.length - lines} more line${all.length - lines === 1 ? "" : "s"}`];
}

/** Counts as "Success 2, Failed 1" in a stable order. */
export function countsText(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(", ") : "no targets reported yet";
}
