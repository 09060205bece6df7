/**
 * The light reading of resource addresses the state room needs: enough to check that an address
 * in a state file is well formed, to tell an instance address (`association.web["prod"]`) from a
 * whole resource (`association.web`), and to rename one into another. The full address language
 * (parse, print, ranges) belongs to src/addrs/; this stays deliberately small so the state file
 * can be read without it.
 */

export const RESOURCE_KINDS = ["document", "association"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** An instance key: `[0]` for `count`, `["prod"]` for `for_each`. */
export type InstanceKey = number | string;

export interface ParsedAddress {
  kind: ResourceKind;
  name: string;
  /** Absent for a single instance or a whole-resource address. */
  key?: InstanceKey;
}

const ADDRESS = /^(document|association)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(?:(0|[1-9][0-9]*)|("(?:[^"\\\x00-\x1f]|\\.)*"))\])?$/;

/** Parses `kind.name` or `kind.name[key]`; undefined when the text is not an address. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const m = ADDRESS.exec(text);
  if (!m) return undefined;
  const parsed: ParsedAddress = { kind: m[1] as ResourceKind, name: m[2]! };
  if (m[3] !== undefined) parsed.key = Number(m[3]);
  else if (m[4] !== undefined) {
    try {
      parsed.key = JSON.parse(m[4]) as string;
    } catch {
      return undefined;
    }
  }
  return parsed;
}

export function formatAddress(a: ParsedAddress): string {
  const base = `${a.kind}.${a.name}`;
  if (a.key === undefined) return base;
  return typeof a.key === "number" ? `${base}[${a.key}]` : `${base}[${JSON.stringify(a.key)}]`;
}

/** `association.web["prod"]` → `association.web`. */
export function resourceOf(address: string): string {
  const p = parseAddress(address);
  return p ? `${p.kind}.${p.name}` : address;
}

/** True when `address` is `pattern` itself or, for a whole-resource pattern, one of its instances. */
export function addressMatches(pattern: string, address: string): boolean {
  if (pattern === address) return true;
  const p = parseAddress(pattern);
  if (!p || p.key !== undefined) return false;
  return resourceOf(address) === pattern;
}

export const ADDRESS_EXAMPLES = 'document.NAME, association.NAME, association.NAME[0] or association.NAME["key"]';
