/**
 * Views of a state for people and scripts: an instance in the configuration language's own
 * syntax (as `statectl state show` prints it), and JSON forms for `--json`. Sensitive values are
 * always masked — `(sensitive)` for people, `null` in JSON with the path listed in
 * `sensitive_attributes` — so these views are safe to paste into a ticket or a CI log.
 */
import { escapeForTerminal } from "../diag/index.js";
import { parseAddress } from "./address.js";
import {
  isSensitivePath,
  type AttributePath,
  type JsonValue,
  type ResourceInstanceState,
  type State,
} from "./model.js";

/** Version of the JSON views below; bump it on any incompatible change. */
export const STATE_VIEW_FORMAT_VERSION = 1;

const SENSITIVE = "(sensitive)";
const INDENT = "  ";
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function quote(s: string): string {
  // The language's string escapes: JSON's, plus template introducers doubled.
  return JSON.stringify(s).replace(/([$%])\{/g, (_, sigil: string) => `${sigil}${sigil}{`);
}

function key(k: string): string {
  return IDENTIFIER.test(k) ? k : quote(k);
}

function renderValue(
  value: JsonValue,
  path: AttributePath,
  sensitive: readonly AttributePath[],
  depth: number,
): string {
  if (isSensitivePath(sensitive, path)) return SENSITIVE;
  const pad = INDENT.repeat(depth);
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value.includes("\n")) {
      const body = value.endsWith("\n") ? value.slice(0, -1) : value;
      // A heredoc shows multi-line content (document bodies) as it is, not as one long escaped line.
      let marker = "EOT";
      while (body.split("\n").some((l) => l.trim() === marker)) marker += "_";
      return `<<-${marker}\n${body
        .split("\n")
        .map((l) => (l === "" ? "" : pad + INDENT + l))
        .join("\n")}\n${pad}${marker}`;
    }
    return quote(value);
  }
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v, i) => `${pad}${INDENT}${renderValue(v, [...path, i], sensitive, depth + 1)},`);
    return `[\n${items.join("\n")}\n${pad}]`;
  }
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return "{}";
  return `{\n${renderBody(value, path, sensitive, depth + 1)}\n${pad}}`;
}

function renderBody(
  obj: { [key: string]: JsonValue },
  path: AttributePath,
  sensitive: readonly AttributePath[],
  depth: number,
): string {
  const entries = Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(...entries.map(([k]) => key(k).length));
  const pad = INDENT.repeat(depth);
  return entries
    .map(([k, v]) => `${pad}${key(k).padEnd(width)} = ${renderValue(v, [...path, k], sensitive, depth)}`)
    .join("\n");
}

/**
 * An instance as people read it:
 *
 *     # association.web["prod"]:
 *     association "web" {
 *       id       = "8f1b…"
 *       …
 *     }
 */
export function renderInstance(inst: ResourceInstanceState): string {
  const parsed = parseAddress(inst.address);
  const header = [`# ${inst.address}:${inst.tainted ? " (tainted)" : ""}`];
  if (inst.provider !== "ssm") header.push(`# provider: ${inst.provider}`);
  if (inst.dependencies.length > 0) header.push(`# depends on: ${inst.dependencies.join(", ")}`);
  const attributes: { [key: string]: JsonValue } = { ...inst.attributes };
  if (!("id" in attributes)) attributes.id = inst.id;
  const body =
    Object.keys(attributes).length > 0 ? `\n${renderBody(attributes, [], inst.sensitiveAttributes, 1)}\n` : "\n";
  // Values come from SSM (a document's content, a run's output): never let them reach the terminal raw.
  return escapeForTerminal(
    `${header.join("\n")}\n${parsed?.kind ?? inst.kind} ${quote(parsed?.name ?? inst.address)} {${body}}`,
  );
}

function maskValue(value: JsonValue, path: AttributePath, sensitive: readonly AttributePath[]): JsonValue {
  if (isSensitivePath(sensitive, path)) return null;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => maskValue(v, [...path, i], sensitive));
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, maskValue(v, [...path, k], sensitive)]),
  );
}

export interface InstanceView {
  address: string;
  kind: string;
  provider: string;
  id: string;
  tainted: boolean;
  /** Sensitive values are replaced by null; their paths are in `sensitive_attributes`. */
  attributes: JsonValue;
  sensitive_attributes: AttributePath[];
  dependencies: string[];
}

export function instanceView(inst: ResourceInstanceState): InstanceView {
  return {
    address: inst.address,
    kind: inst.kind,
    provider: inst.provider,
    id: inst.id,
    tainted: inst.tainted === true,
    attributes: maskValue(inst.attributes, [], inst.sensitiveAttributes),
    sensitive_attributes: inst.sensitiveAttributes,
    dependencies: inst.dependencies,
  };
}

/** `statectl state show --json`. */
export function instanceJson(inst: ResourceInstanceState): { format_version: number; resource: InstanceView } {
  return { format_version: STATE_VIEW_FORMAT_VERSION, resource: instanceView(inst) };
}

/** `statectl state list --json`. */
export function stateListJson(
  state: State,
  instances: readonly ResourceInstanceState[],
): {
  format_version: number;
  serial: number;
  lineage: string;
  resources: { address: string; kind: string; provider: string; id: string; tainted: boolean }[];
  pending_creates?: { address: string; kind: string; provider: string; started: string }[];
} {
  const pending = state.pendingCreates ?? [];
  return {
    format_version: STATE_VIEW_FORMAT_VERSION,
    serial: state.serial,
    lineage: state.lineage,
    resources: instances.map((r) => ({
      address: r.address,
      kind: r.kind,
      provider: r.provider,
      id: r.id,
      tainted: r.tainted === true,
    })),
    ...(pending.length > 0
      ? {
          pending_creates: pending.map((p) => ({
            address: p.address,
            kind: p.kind,
            provider: p.provider,
            started: p.started,
          })),
        }
      : {}),
  };
}

/** `statectl state list` lines for creates in flight (docs/state-file.md, "Creates in flight"). */
export function pendingCreateLines(state: State): string[] {
  return (state.pendingCreates ?? []).map(
    (p) => `${p.address} (create in flight since ${p.started}; the next plan or apply resolves it)`,
  );
}
