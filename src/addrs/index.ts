/**
 * addrs/ — resource addresses: `document.x`, `association.y["k"]`, `association.z[0]`, and
 * the same inside module instances: `module.baseline["prod"].association.y`. Parsing text
 * (from `--target`, `state mv`, `moved` blocks) into a structured address, printing it back
 * canonically, and matching a pattern (a module, a resource or an instance) against an
 * instance. Knows nothing about the language beyond these forms, so every later room
 * (config, state, plan, cli) can agree on one spelling of "which instance".
 */
import { error, type Diagnostic, type Range } from "../diag/index.js";

/** The resource kinds statectl manages. */
export const RESOURCE_KINDS = ["document", "association"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** An instance key: a string for `for_each`, a number for `count`, absent for a single instance. */
export type InstanceKey = string | number;

/** One step of a module path: `module.baseline` or `module.baseline["prod"]`. */
export interface ModuleStep {
  name: string;
  key?: InstanceKey;
}

/** Where a resource lives: empty (or absent) for the root module, outermost call first. */
export type ModulePath = readonly ModuleStep[];

/** A resource as declared: `association.web` (all of its instances), maybe inside a module instance. */
export interface ResourceAddress {
  module?: ModulePath;
  kind: ResourceKind;
  name: string;
}

/** One instance of a resource: `association.web`, `association.web["prod"]` or `module.m[0].association.web`. */
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

export function formatKey(key: InstanceKey | undefined): string {
  if (key === undefined) return "";
  return typeof key === "number" ? `[${key}]` : `[${quoteKey(key)}]`;
}

/** `module.a["x"].module.b`; "" for the root module. */
export function formatModulePath(path: ModulePath | undefined): string {
  return (path ?? []).map((s) => `module.${s.name}${formatKey(s.key)}`).join(".");
}

function prefix(path: ModulePath | undefined): string {
  return path && path.length > 0 ? `${formatModulePath(path)}.` : "";
}

/** Prints an address canonically: `[module.m[k].]kind.name`, then `["key"]` or `[index]` if it has a key. */
export function formatAddress(a: InstanceAddress): string {
  return `${prefix(a.module)}${a.kind}.${a.name}${formatKey(a.key)}`;
}

/** The resource an instance belongs to, printed: `module.m["k"].association.web` (no instance key). */
export function formatResourceAddress(a: ResourceAddress): string {
  return `${prefix(a.module)}${a.kind}.${a.name}`;
}

/** The resource an instance belongs to (drops the key). */
export function resourceOf(a: InstanceAddress): ResourceAddress {
  return a.module && a.module.length > 0
    ? { module: a.module, kind: a.kind, name: a.name }
    : { kind: a.kind, name: a.name };
}

/** Prefixes an address with a module path (the address of a module's resource seen from the root). */
export function withModule<A extends ResourceAddress>(a: A, path: ModulePath): A {
  if (path.length === 0) return a;
  return { ...a, module: [...path, ...(a.module ?? [])] };
}

function samePath(a: ModulePath | undefined, b: ModulePath | undefined): boolean {
  return formatModulePath(a) === formatModulePath(b);
}

export function sameResource(a: ResourceAddress, b: ResourceAddress): boolean {
  return a.kind === b.kind && a.name === b.name && samePath(a.module, b.module);
}

export function sameInstance(a: InstanceAddress, b: InstanceAddress): boolean {
  return sameResource(a, b) && a.key === b.key;
}

function compareKeys(a: InstanceKey | undefined, b: InstanceKey | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : 1;
}

/** Orders addresses: the root module's first, then by module path, kind, name, then key (numbers before strings, each in natural order). */
export function compareAddresses(a: InstanceAddress, b: InstanceAddress): number {
  const pa = a.module ?? [];
  const pb = b.module ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const sa = pa[i];
    const sb = pb[i];
    if (sa === undefined || sb === undefined) break;
    if (sa.name !== sb.name) return sa.name < sb.name ? -1 : 1;
    const k = compareKeys(sa.key, sb.key);
    if (k !== 0) return k;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return compareKeys(a.key, b.key);
}

export type ParseAddressResult =
  { address: InstanceAddress; diagnostics: [] } | { address?: undefined; diagnostics: Diagnostic[] };

const HINT =
  'write kind.name, optionally with an instance key and inside modules: document.x, association.y["k"], association.z[0], module.m["k"].association.y';

/** Reads `[0]` or `["key"]` at `i`; the key and where it ends, or a problem. */
function readKey(s: string, i: number): { key: InstanceKey; end: number } | { problem: string } {
  // s[i] === "["
  let j = i + 1;
  while (s[j] === " ") j++;
  if (s[j] === '"') {
    let k = j + 1;
    while (k < s.length && s[k] !== '"') k += s[k] === "\\" ? 2 : 1;
    if (k >= s.length) return { problem: "the instance key is not a valid quoted string." };
    const quoted = s.slice(j, k + 1);
    let e = k + 1;
    while (s[e] === " ") e++;
    if (s[e] !== "]") return { problem: 'an instance key must be closed with "]".' };
    try {
      const key = JSON.parse(quoted.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")) as unknown;
      if (typeof key === "string") return { key, end: e + 1 };
    } catch {
      // reported below
    }
    return { problem: "the instance key is not a valid quoted string." };
  }
  const close = s.indexOf("]", j);
  if (close < 0) return { problem: 'an instance key must be closed with "]".' };
  const inner = s.slice(j, close).trim();
  if (/^(0|[1-9][0-9]*)$/.test(inner)) {
    const n = Number(inner);
    if (!Number.isSafeInteger(n)) return { problem: "the instance index is too large." };
    return { key: n, end: close + 1 };
  }
  return { problem: 'an instance key is a whole number [0] or a quoted string ["key"].' };
}

function readName(s: string, i: number): { name: string; end: number } {
  let j = i;
  while (j < s.length && /[A-Za-z0-9_-]/.test(s.charAt(j))) j++;
  return { name: s.slice(i, j), end: j };
}

/** Reads `module.a["k"].module.b.` at the start of `s`: the path and where the rest begins. */
function readModulePath(s: string): { path: ModuleStep[]; end: number } | { problem: string } {
  const path: ModuleStep[] = [];
  let i = 0;
  while (s.startsWith("module.", i)) {
    const n = readName(s, i + "module.".length);
    if (!isValidName(n.name)) return { problem: `"${n.name}" is not a valid module name.` };
    const step: ModuleStep = { name: n.name };
    i = n.end;
    if (s[i] === "[") {
      const k = readKey(s, i);
      if ("problem" in k) return k;
      step.key = k.key;
      i = k.end;
    }
    path.push(step);
    if (i === s.length) return { path, end: i };
    if (s[i] !== ".") return { problem: `expected "." after module.${n.name}${formatKey(step.key)}.` };
    i++;
  }
  return { path, end: i };
}

/**
 * Parses an instance address written on a command line or in state, e.g. `association.web["prod"]`
 * or `module.baseline["prod"].association.web`. Returns a diagnostic (code `addrs/invalid-address`)
 * that says what form was expected; `range`, when given, is where the text came from (e.g. a
 * `moved` block's `from`).
 */
export function parseAddress(text: string, range?: Range): ParseAddressResult {
  const fail = (detail: string): ParseAddressResult => ({
    diagnostics: [
      error("addrs/invalid-address", "Invalid resource address", {
        detail: `"${text}": ${detail}`,
        hint: HINT,
        ...(range ? { range } : {}),
      }),
    ],
  });
  const s = text.trim();
  const mp = readModulePath(s);
  if ("problem" in mp) return fail(mp.problem);
  if (mp.path.length > 0 && mp.end === s.length)
    return fail("this names a module, not a resource in it; add the resource: module.NAME.association.x.");
  const module = mp.path.length > 0 ? { module: mp.path } : {};
  const r = s.slice(mp.end);
  const dot = r.indexOf(".");
  if (dot < 0) return fail("expected a resource kind and a name separated by a dot.");
  const kind = r.slice(0, dot);
  if (!isResourceKind(kind))
    return fail(`"${kind}" is not a resource kind; expected "document", "association" or "module".`);
  const n = readName(r, dot + 1);
  const name = n.name;
  const rest = r.slice(n.end);
  if (!isValidName(name) || (rest !== "" && !rest.startsWith("[")))
    return fail(`"${r.slice(dot + 1, rest.startsWith("[") ? n.end : undefined)}" is not a valid resource name.`);
  if (rest === "") return { address: { ...module, kind, name }, diagnostics: [] };
  const k = readKey(rest, 0);
  if ("problem" in k) return fail(k.problem);
  if (k.end !== rest.length) return fail('an instance key must be closed with "]".');
  return { address: { ...module, kind, name, key: k.key }, diagnostics: [] };
}

/** A module path on its own (`module.a["k"].module.b`), for `--target module.a`; undefined when `text` is not one. */
export function parseModulePath(text: string): ModuleStep[] | undefined {
  const s = text.trim();
  const mp = readModulePath(s);
  if ("problem" in mp || mp.path.length === 0 || mp.end !== s.length) return undefined;
  return mp.path;
}

/**
 * Whether `pattern` selects the instance `address` (both canonical texts): the instance itself,
 * every instance of a resource (`association.web`), or everything inside a module
 * (`module.baseline`, where a module step without a key covers all of that call's instances).
 */
export function addressMatches(pattern: string, address: string): boolean {
  if (pattern === address) return true;
  const a = parseAddress(address).address;
  if (!a) return false;
  const modulePattern = parseModulePath(pattern);
  if (modulePattern) return pathCovers(modulePattern, a.module ?? []);
  const p = parseAddress(pattern).address;
  if (!p || p.key !== undefined) return false;
  return p.kind === a.kind && p.name === a.name && samePath(p.module, a.module);
}

/** `module.a` covers `module.a["x"].module.b`; `module.a["x"]` covers only that instance's contents. */
function pathCovers(pattern: ModulePath, path: ModulePath): boolean {
  if (pattern.length > path.length) return false;
  return pattern.every((s, i) => {
    const p = path[i];
    return p !== undefined && s.name === p.name && (s.key === undefined || s.key === p.key);
  });
}

/** The canonical spelling of an address (`association.web[ "a" ]` → `association.web["a"]`), or undefined if invalid. */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text).address;
  return a ? formatAddress(a) : undefined;
}

/** A `--target`/`--replace` pattern canonically: an address, or a module (`module.m["k"]`, everything inside it). */
export function canonicalTarget(text: string): string | undefined {
  const m = parseModulePath(text);
  return m ? formatModulePath(m) : canonicalAddress(text);
}
