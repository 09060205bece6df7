import type { DiagnosticCode, ErrorCode, WarningCode } from "./codes.js";
import { SourceRange, type Range } from "./range.js";

export type Severity = "error" | "warning";

/**
 * A problem found in the user's input. Diagnostics are data: stages return them, only the CLI
 * decides how to print them and which exit code they mean.
 */
export interface Diagnostic {
  severity: Severity;
  /** Stable identifier from the registry (diag/codes.ts), e.g. `syntax/unexpected-token`. */
  code: DiagnosticCode;
  /** Terse one-line summary, e.g. `Unsupported argument`. */
  summary: string;
  /** Full sentences explaining the problem and, where possible, the fix. */
  detail?: string;
  /** The exact thing that is wrong; the renderer puts the caret here. */
  range?: Range;
  /** A wider span that gives context (e.g. the whole block). */
  context?: Range;
  /** A short suggestion, printed as `hint: …`. */
  hint?: string;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

export function error(
  code: ErrorCode,
  summary: string,
  extra: Omit<Partial<Diagnostic>, "severity" | "code" | "summary"> = {},
): Diagnostic {
  return withPlainRanges({ severity: "error", code, summary, ...extra });
}

export function warning(
  code: WarningCode,
  summary: string,
  extra: Omit<Partial<Diagnostic>, "severity" | "code" | "summary"> = {},
): Diagnostic {
  return withPlainRanges({ severity: "warning", code, summary, ...extra });
}

/**
 * Diagnostics leave the library for callers who copy them (`{ ...d.range, file }`): their ranges
 * are plain `{ file, start, end }` objects, never the AST's compact SourceRange.
 */
function withPlainRanges(d: Diagnostic): Diagnostic {
  if (d.range instanceof SourceRange) d.range = d.range.toJSON();
  if (d.context instanceof SourceRange) d.context = d.context.toJSON();
  return d;
}

/** Orders diagnostics by file, then position, so output is stable. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    const fa = a.range?.file ?? "";
    const fb = b.range?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.range?.start.offset ?? -1) - (b.range?.start.offset ?? -1);
  });
}
