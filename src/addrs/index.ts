/**
 * addrs/ — resource addresses: `document.x`, `association.y["k"]`, `association.z[0]`.
 * Parsing text (from `--target`, `state mv`, `moved` blocks) into a structured address and
 * printing it back canonically. Knows nothing about the language beyond these forms, so every
 * later room (config, state, plan, cli) can agree on one spelling of "which instance".
 */
import { error, type Diagnostic, type Range } from "../diag/index.js";

/** The resource kinds statectl manages. */
export const RESOURCE_KINDS = ["document", "association"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** An instance key: a string for `for_each`, a number for `count`, absent for a single instance. */
export type InstanceKey = string | number;

/** A resource as declared: `association.web` (all of its instances). */
export interface ResourceAddress {
  kind: ResourceKind;
  name: string;
}

/** One instance of a resource: `association.web`, `association.web["prod"]` or `association.web[0]`. */
export interface InstanceAddress extends ResourceAddress {
  key?: InstanceKey;
}

export function isResourceKind(s: string): s is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(s);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Whether `s` is a valid block label for a resource name (an HCL identifier). */
export function isValidName(s: string): boolean {
  return NAME.test(s);
}

/** Quotes a string key the way the language writes string literals. */
function quoteKey(k: string): string {
  // Replacement functions, not strings: in a replacement string "$$" means a single "$", so
  // "$${" would have put back the very "${" it was meant to escape.
  return JSON.stringify(k)
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
}

/** Prints an address canonically: `kind.name`, then `["key"]` or `[index]` if it has a key. */
export function formatAddress(a: InstanceAddress): string {
  const base = `${a.kind}.${a.name}`;
  if (a.key === undefined) return base;
  return typeof a.key === "number" ? `${base}[${a.key}]` : `${base}[${quoteKey(a.key)}]`;
}

export function formatKey(key: InstanceKey | undefined): string {
  if (key === undefined) return "";
  return typeof key === "number" ? `[${key}]` : `[${quoteKey(key)}]`;
}

/** The resource an instance belongs to (drops the key). */
export function resourceOf(a: InstanceAddress): ResourceAddress {
  return { kind: a.kind, name: a.name };
}

export function sameResource(a: ResourceAddress, b: ResourceAddress): boolean {
  return a.kind === b.kind && a.name === b.name;
}

export function sameInstance(a: InstanceAddress, b: InstanceAddress): boolean {
  return sameResource(a, b) && a.key === b.key;
}

/** Orders addresses by kind, name, then key (numbers before strings, each in natural order). */
export function compareAddresses(a: InstanceAddress, b: InstanceAddress): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.key === b.key) return 0;
  if (a.key === undefined) return -1;
  if (b.key === undefined) return 1;
  if (typeof a.key === "number" && typeof b.key === "number") return a.key - b.key;
  if (typeof a.key === "number") return -1;
  if (typeof b.key === "number") return 1;
  return a.key < b.key ? -1 : 1;
}

export type ParseAddressResult = { address: InstanceAddress; diagnostics: [] } | { address?: undefined; diagnostics: Diagnostic[] };

/**
 * Parses an instance address written on a command line or in state, e.g. `association.web["prod"]`.
 * Returns a diagnostic (code `addrs/invalid-address`) that says what form was expected; `range`,
 * when given, is where the text came from (e.g. a `moved` block's `from`).
 */
export function parseAddress(text: string, range?: Range): ParseAddressResult {
  const fail = (detail: string): ParseAddressResult => ({
    diagnostics: [
      error("addrs/invalid-address", "Invalid resource address", {
        detail: `"${text}": ${detail}`,
        hint: 'write kind.name, optionally with an instance key: document.x, association.y["k"], association.z[0]',
        ...(range ? { range } : {}),
      }),
    ],
  });
  const s = text.trim();
  const dot = s.indexOf(".");
  if (dot < 0) return fail("expected a resource kind and a name separated by a dot.");
  const kind = s.slice(0, dot);
  if (!isResourceKind(kind)) return fail(`"${kind}" is not a resource kind; expected "document" or "association".`);
  const rest = s.slice(dot + 1);
  const bracket = rest.indexOf("[");
  const name = bracket < 0 ? rest : rest.slice(0, bracket);
  if (!isValidName(name)) return fail(`"${name}" is not a valid resource name.`);
  if (bracket < 0) return { address: { kind, name }, diagnostics: [] };
  const keyText = rest.slice(bracket);
  if (!keyText.endsWith("]")) return fail('an instance key must be closed with "]".');
  const inner = keyText.slice(1, -1).trim();
  if (/^(0|[1-9][0-9]*)$/.test(inner)) {
    const n = Number(inner);
    if (!Number.isSafeInteger(n)) return fail("the instance index is too large.");
    return { address: { kind, name, key: n }, diagnostics: [] };
  }
  if (inner.startsWith('"') && inner.endsWith('"') && inner.length >= 2) {
    try {
      const key = JSON.parse(inner.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")) as unknown;
      if (typeof key === "string") return { address: { kind, name, key }, diagnostics: [] };
    } catch {
      // fall through to the failure below
    }
    return fail("the instance key is not a valid quoted string.");
  }
  return fail('an instance key is a whole number [0] or a quoted string ["key"].');
}
