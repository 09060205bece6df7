/**
 * The few address operations the state room needs, on canonical address strings (the form
 * src/addrs prints, which is also how the state file stores them): canonicalising user input,
 * telling an instance from a whole resource, and matching instances of a resource.
 */
import { addressMatches as matches, formatAddress, formatResourceAddress, parseAddress as parseInstanceAddress, RESOURCE_KINDS, type InstanceAddress, type ResourceKind } from "../addrs/index.js";

export { formatAddress, RESOURCE_KINDS, type InstanceAddress, type ResourceKind };

/** Parses `kind.name` or `kind.name[key]`; undefined when the text is not an address. */
export function parseAddress(text: string): InstanceAddress | undefined {
  return parseInstanceAddress(text).address;
}

/** The canonical spelling of an address (`association.web[ "a" ]` → `association.web["a"]`), or undefined if invalid. */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text);
  return a ? formatAddress(a) : undefined;
}

/** `association.web["prod"]` → `association.web`. */
export function resourceOf(address: string): string {
  const p = parseAddress(address);
  return p ? formatResourceAddress(p) : address;
}

/** True when `address` is `pattern` itself or, for a whole-resource pattern, one of its instances. */
export function addressMatches(pattern: string, address: string): boolean {
  return matches(pattern, address);
}

export const ADDRESS_EXAMPLES = 'document.NAME, association.NAME, association.NAME[0], association.NAME["key"] or module.NAME["key"].association.NAME';
