// Comparing attribute values the way the plan must: defaults equal to "left out", sets without
// order, objects without key order, and document content by meaning rather than by bytes.
import { yaml } from "../ssm/lazy.js";
import { isUnknown, isWhollyKnown, type DesiredValue } from "../graph/index.js";
import type { PlanAttributeRule } from "./provider.js";

/** An object that says how it serializes, as JSON.stringify honours (a source range). */
function hasToJson(v: object): v is { toJSON(): unknown } {
  return typeof (v as { toJSON?: unknown }).toJSON === "function";
}

/** JSON text with object keys sorted, so equal values print equally. */
export function stableJson(v: unknown): string {
  if (v === undefined) return "null";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (hasToJson(v)) return stableJson(v.toJSON());
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(",")}}`;
}

/**
 * The text of `stableJson(v)`, handed to `write` in pieces instead of built whole: hashing a large
 * configuration's values this way allocates no string the size of the configuration, nor one for
 * every level of nesting.
 */
export function writeStableJson(v: unknown, write: (piece: string) => void): void {
  if (v === undefined) {
    write("null");
    return;
  }
  if (v === null || typeof v !== "object") {
    write(stableJson(v));
    return;
  }
  if (Array.isArray(v)) {
    write("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) write(",");
      writeStableJson(v[i], write);
    }
    write("]");
    return;
  }
  if (hasToJson(v)) {
    writeStableJson(v.toJSON(), write);
    return;
  }
  const o = v as Record<string, unknown>;
  write("{");
  let first = true;
  for (const k of Object.keys(o)
    .filter((key) => o[key] !== undefined)
    .sort()) {
    write(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
    first = false;
    writeStableJson(o[k], write);
  }
  write("}");
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0 && !isUnknown(v))
  );
}

/** An attribute's value with "left out" and the rule's default made the same. */
export function effectiveValue(v: DesiredValue | undefined, rule: PlanAttributeRule | undefined): DesiredValue {
  if (v === undefined || v === null) return rule?.default === undefined ? null : (rule.default as DesiredValue);
  return v;
}

/** Parses a document body as JSON, else YAML; undefined when it is neither (TEXT documents). */
export function parseDocumentBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // not JSON; try YAML
  }
  try {
    const v: unknown = yaml().parse(text);
    return typeof v === "object" && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Two document bodies mean the same document: equal after parsing (JSON or YAML), or equal text. */
export function sameDocumentContent(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = parseDocumentBody(a);
  const pb = parseDocumentBody(b);
  if (pa === undefined || pb === undefined) return a.replace(/\s+$/, "") === b.replace(/\s+$/, "");
  return stableJson(pa) === stableJson(pb);
}

/** Whether `desired` (possibly unknown) and `actual` are the same value under `rule`. Unknown is never equal. */
export function sameValue(
  desired: DesiredValue | undefined,
  actual: DesiredValue | undefined,
  rule?: PlanAttributeRule,
): boolean {
  const d = effectiveValue(desired, rule);
  const a = effectiveValue(actual, rule);
  if (!isWhollyKnown(d) || !isWhollyKnown(a)) return false;
  if (isEmpty(d) && isEmpty(a)) return true;
  if (rule?.compare === "document-content" && typeof d === "string" && typeof a === "string")
    return sameDocumentContent(d, a);
  if (rule?.unordered && Array.isArray(d) && Array.isArray(a)) {
    const key = (xs: unknown[]) => xs.map(stableJson).sort().join("\n");
    return key(d) === key(a);
  }
  return stableJson(d) === stableJson(a);
}
