// Address helpers on canonical strings (addrs/ does the parsing).
import { formatAddress, parseAddress } from "../addrs/index.js";

export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text).address;
  return a ? formatAddress(a) : undefined;
}

/** `pattern` is `address`, or the whole resource `address` is an instance of. */
export function addressMatches(pattern: string, address: string): boolean {
  if (pattern === address) return true;
  const p = parseAddress(pattern).address;
  const a = parseAddress(address).address;
  return !!p && !!a && p.key === undefined && p.kind === a.kind && p.name === a.name;
}
