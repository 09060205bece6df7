/** The sensitive strings inside evaluated values, for redacting messages statectl did not write (diag/redact.ts). */
import type { Value } from "./value.js";

/** Every string and number leaf that is sensitive itself or sits under a sensitive value. Map keys count too. */
export function sensitiveStrings(v: Value, out: Set<string> = new Set(), under = false): Set<string> {
  const hidden = under || v.sensitive;
  const raw = v.raw;
  if (raw === undefined || raw === null) return out;
  if (Array.isArray(raw)) for (const e of raw as readonly Value[]) sensitiveStrings(e, out, hidden);
  else if (raw instanceof Map) {
    // forEach, not for-of over entries: every resource's value is walked before each plan.
    (raw as ReadonlyMap<string, Value>).forEach((e, k) => {
      if (hidden) out.add(k);
      sensitiveStrings(e, out, hidden);
    });
  } else if (hidden && (typeof raw === "string" || typeof raw === "number")) out.add(String(raw));
  return out;
}
