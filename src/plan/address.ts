// Address helpers on canonical strings (addrs/ does the parsing).
import { addressMatches as matches, formatAddress, formatModulePath, parseAddress, parseModulePath } from "../addrs/index.js";

export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text).address;
  return a ? formatAddress(a) : undefined;
}

/** `pattern` is `address`, or the whole resource `address` is an instance of. */
export function addressMatches(pattern: string, address: string): boolean {
  return matches(pattern, address);
}

/** A `--target`/`--replace` pattern canonically: an address, or a module (`module.m["k"]`, everything inside it). */
export function canonicalTarget(text: string): string | undefined {
  const m = parseModulePath(text);
  return m ? formatModulePath(m) : canonicalAddress(text);
}
