/**
 * The few address operations the state room needs, on canonical address strings (the form
 * src/addrs prints, which is also how the state file stores them): telling an instance from a
 * whole resource (canonicalAddress and addressMatches live in src/addrs).
 */
import {
  formatAddress,
  formatResourceAddress,
  parseAddress as parseInstanceAddress,
  RESOURCE_KINDS,
  type InstanceAddress,
  type ResourceKind,
} from "../addrs/index.js";

export { formatAddress, RESOURCE_KINDS, type InstanceAddress, type ResourceKind };

/** Parses `kind.name` or `kind.name[key]`; undefined when the text is not an address. */
export function parseAddress(text: string): InstanceAddress | undefined {
  return parseInstanceAddress(text).address;
}

/** `association.web["prod"]` → `association.web`. */
export function resourceOf(address: string): string {
  const p = parseAddress(address);
  return p ? formatResourceAddress(p) : address;
}

export const ADDRESS_EXAMPLES =
  'document.NAME, association.NAME, association.NAME[0], association.NAME["key"] or module.NAME["key"].association.NAME';
