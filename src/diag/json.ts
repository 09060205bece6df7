// The JSON forms statectl prints for scripts share two things, kept here: one version constant
// and one shape of a diagnostic. Every document (validate, plan, apply, status, run, schedule)
// carries `format_version: JSON_FORMAT_VERSION` and its diagnostics as DiagnosticJson; the
// schemas in docs/ `$ref` docs/diagnostics.schema.json for both.
import type { Diagnostic, Severity } from "./diagnostic.js";
import type { Range } from "./range.js";
import { safeMessage } from "./safe-text.js";

/** Version of every JSON document statectl prints: "major.minor"; an incompatible change bumps the major. */
export const JSON_FORMAT_VERSION = "1.0";
export type JsonFormatVersion = typeof JSON_FORMAT_VERSION;

export interface PositionJson {
  line: number;
  column: number;
  offset: number;
}

export interface RangeJson {
  file: string;
  start: PositionJson;
  end: PositionJson;
}

/** One diagnostic as every JSON document prints it (docs/diagnostics.schema.json#/$defs/diagnostic). */
export interface DiagnosticJson {
  severity: Severity;
  code: string;
  summary: string;
  detail?: string;
  hint?: string;
  range?: RangeJson;
  context?: RangeJson;
}

function rangeToJson(r: Range): RangeJson {
  return {
    file: r.file,
    start: { line: r.start.line, column: r.start.column, offset: r.start.offset },
    end: { line: r.end.line, column: r.end.column, offset: r.end.offset },
  };
}

export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  return {
    severity: d.severity,
    code: d.code,
    // Scripts get the text as written (JSON escapes control characters itself), but never a
    // credential or a megabyte-long excerpt.
    summary: safeMessage(d.summary),
    ...(d.detail !== undefined ? { detail: safeMessage(d.detail) } : {}),
    ...(d.hint !== undefined ? { hint: safeMessage(d.hint) } : {}),
    ...(d.range ? { range: rangeToJson(d.range) } : {}),
    ...(d.context ? { context: rangeToJson(d.context) } : {}),
  };
}

/** What `statectl validate --json` prints. */
export interface DiagnosticsJson {
  format_version: JsonFormatVersion;
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: DiagnosticJson[];
}

/** The JSON form of diagnostics (`statectl validate --json`), described by docs/diagnostics.schema.json. */
export function diagnosticsToJson(diags: readonly Diagnostic[]): DiagnosticsJson {
  const errors = diags.filter((d) => d.severity === "error").length;
  return {
    format_version: JSON_FORMAT_VERSION,
    valid: errors === 0,
    error_count: errors,
    warning_count: diags.length - errors,
    diagnostics: diags.map(diagnosticToJson),
  };
}
