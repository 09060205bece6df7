import type { Diagnostic } from "./diagnostic.js";
import { displaySourceLine, escapeForTerminal, safeMessage } from "./safe-text.js";
import type { SourceRegistry } from "./sources.js";

export interface RenderOptions {
  color?: boolean;
  /** Lines of the source to show at most for a multi-line range. */
  maxLines?: number;
}

const ANSI = {
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  cyan: "\x1b[36m",
  bold: "\x1b[1m",
  reset: "\x1b[0m",
};

/** Longer source lines are cut to a window around the caret, so a minified or generated line stays readable. */
const MAX_SNIPPET_WIDTH = 120;
const CONTEXT_BEFORE = 40;

/** Cuts `text` around 1-based columns [from, to) when it is too long; returns the shifted columns. */
function snippetWindow(text: string, from: number, to: number): { text: string; from: number; to: number } {
  if (text.length <= MAX_SNIPPET_WIDTH) return { text, from, to };
  const start = Math.max(0, Math.min(from - 1 - CONTEXT_BEFORE, text.length - MAX_SNIPPET_WIDTH));
  const end = Math.min(text.length, start + MAX_SNIPPET_WIDTH);
  const before = start > 0 ? "…" : "";
  const after = end < text.length ? "…" : "";
  const shift = start - before.length;
  const cut = before + text.slice(start, end) + after;
  const newFrom = Math.max(1, from - shift);
  return {
    text: cut,
    from: newFrom,
    to: Math.max(newFrom + 1, Math.min(to - shift, before.length + (end - start) + 1)),
  };
}

/**
 * Renders one diagnostic in the style of rustc and Terraform:
 *
 *     error[syntax/unexpected-token]: Unexpected "}"
 *       --> main.state:3:5
 *        |
 *      3 |     }
 *        |     ^ expected "=" or "{" after "targets"
 *        |
 *       = hint: …
 */
export function renderDiagnostic(diagnostic: Diagnostic, sources: SourceRegistry, opts: RenderOptions = {}): string {
  const d = forTerminal(diagnostic);
  const c = (code: keyof typeof ANSI, s: string) => (opts.color ? ANSI[code] + s + ANSI.reset : s);
  const sevColor = d.severity === "error" ? "red" : "yellow";
  const out: string[] = [];
  out.push(`${c(sevColor, c("bold", `${d.severity}[${d.code}]`))}${c("bold", `: ${d.summary}`)}`);
  const r = d.range;
  // The registry knows a file by its own name; r.file is the name escaped for the terminal.
  const file = diagnostic.range?.file;
  if (r && file !== undefined) {
    const gutterWidth = String(r.end.line).length;
    const pad = " ".repeat(gutterWidth);
    out.push(`${pad}${c("blue", "-->")} ${r.file}:${r.start.line}:${r.start.column}`);
    const first = sources.line(file, r.start.line);
    if (first !== undefined) {
      out.push(`${pad} ${c("blue", "|")}`);
      const maxLines = opts.maxLines ?? 3;
      const lastLine = Math.min(r.end.line, r.start.line + maxLines - 1);
      for (let ln = r.start.line; ln <= lastLine; ln++) {
        const full = displaySourceLine(sources.line(file, ln) ?? "");
        const shown = snippetWindow(
          full.text,
          ln === r.start.line ? full.column(r.start.column) : 1,
          ln === r.end.line ? full.column(r.end.column) : full.text.length + 1,
        );
        const text = shown.text;
        out.push(`${c("blue", String(ln).padStart(gutterWidth) + " |")} ${text}`);
        const from = shown.from;
        const to = shown.to;
        const width = Math.max(1, to - from);
        const marks = " ".repeat(Math.max(0, from - 1)) + "^".repeat(width);
        const label =
          ln === lastLine && d.detail && !d.detail.includes("\n") && d.detail.length <= 80 ? " " + d.detail : "";
        out.push(`${pad} ${c("blue", "|")} ${c(sevColor, marks + label)}`);
      }
      if (lastLine < r.end.line) out.push(`${pad} ${c("blue", "|")} …`);
      out.push(`${pad} ${c("blue", "|")}`);
    }
    const detailShown = d.detail && !d.detail.includes("\n") && d.detail.length <= 80 && first !== undefined;
    if (d.detail && !detailShown) for (const l of d.detail.split("\n")) out.push(`${pad} ${c("blue", "=")} ${l}`);
    if (d.hint) out.push(`${pad} ${c("blue", "=")} ${c("cyan", "hint")}: ${d.hint}`);
  } else {
    if (d.detail) for (const l of d.detail.split("\n")) out.push(`  ${l}`);
    if (d.hint) out.push(`  ${c("cyan", "hint")}: ${d.hint}`);
  }
  return out.join("\n");
}

/**
 * What a diagnostic's texts become before they reach a terminal: credentials scrubbed, long
 * excerpts cut, control, escape and invisible characters escaped — file text and values quoted
 * in messages come from whoever wrote the file, not from statectl.
 */
function forTerminal(d: Diagnostic): Diagnostic {
  const text = (s: string) => escapeForTerminal(safeMessage(s));
  return {
    ...d,
    summary: text(d.summary),
    ...(d.detail !== undefined ? { detail: text(d.detail) } : {}),
    ...(d.hint !== undefined ? { hint: text(d.hint) } : {}),
    ...(d.range ? { range: { file: escapeForTerminal(d.range.file), start: d.range.start, end: d.range.end } } : {}),
  };
}

/** Renders diagnostics for people, each with its source snippet (see renderDiagnostic), separated by blank lines. */
export function renderDiagnostics(
  diags: readonly Diagnostic[],
  sources: SourceRegistry,
  opts: RenderOptions = {},
): string {
  return diags.map((d) => renderDiagnostic(d, sources, opts)).join("\n\n");
}
