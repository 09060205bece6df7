/**
 * Redaction: the last line of defence for sensitive values in messages statectl did not write
 * itself (SSM's error texts echo the values they reject, e.g. "Value 'p4ss' at 'maxConcurrency'
 * failed to satisfy constraint"). Every occurrence of a known sensitive string is replaced.
 */
import type { Diagnostic } from "./diagnostic.js";

export const REDACTED = "(sensitive)";

/** Shorter sensitive strings are not searched for: replacing every "1" or "on" would garble messages. */
export const MIN_REDACTED_LENGTH = 3;

/** The secrets worth searching for, longest first (so a secret containing another is replaced whole). */
export function redactionList(values: Iterable<string>): string[] {
  return [...new Set([...values].filter((v) => v.length >= MIN_REDACTED_LENGTH))].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every sensitive string in `text`, and every quoted excerpt ("…" or '…', at least
 * MIN_EXCERPT_LENGTH long) that is part of one: checks quote the piece of a value they reject
 * ("SENTINEL" is not a positive whole number), not the whole value. Shorter excerpts are left:
 * a label such as "app" is part of many a sensitive text without being a secret.
 */
export const MIN_EXCERPT_LENGTH = 6;

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  if (secrets.length === 0) return out;
  return out.replace(/"([^"\n]{6,})"|'([^'\n]{6,})'/g, (quoted, double?: string, single?: string) => {
    const excerpt = double ?? single ?? "";
    return secrets.some((s) => s.includes(excerpt)) ? REDACTED : quoted;
  });
}

/** Replaces every quoted excerpt ("…" or '…') in a message about a sensitive value. */
export function redactQuoted(text: string): string {
  return text.replace(/"[^"\n]*"|'[^'\n]*'/g, REDACTED);
}

export function redactDiagnostic(d: Diagnostic, secrets: readonly string[]): Diagnostic {
  if (secrets.length === 0) return d;
  const summary = redactText(d.summary, secrets);
  const detail = d.detail === undefined ? undefined : redactText(d.detail, secrets);
  const hint = d.hint === undefined ? undefined : redactText(d.hint, secrets);
  if (summary === d.summary && detail === d.detail && hint === d.hint) return d;
  return { ...d, summary, ...(detail !== undefined ? { detail } : {}), ...(hint !== undefined ? { hint } : {}) };
}

/** Redacts a list of diagnostics in place (callers may already hold the array). */
export function redactDiagnosticsInPlace(diags: Diagnostic[], secrets: readonly string[]): void {
  if (secrets.length === 0) return;
  for (const [i, d] of diags.entries()) diags[i] = redactDiagnostic(d, secrets);
}
