// The plan for people, in the style Terraform users know: `+` create, `~` update in place,
// `-/+` replace (with why), `-` destroy, `old -> new` per attribute, `(known after apply)`,
// `(sensitive)`, unified diffs for document content, and a summary line.
import { createTwoFilesPatch } from "diff";
import { parseAddress } from "../addrs/index.js";
import { isUnknown, type DesiredValue } from "../graph/index.js";
import { escapeForTerminal } from "../diag/index.js";
import type { JsonValue } from "../state/index.js";
import {
  hasChanges,
  importCount,
  summarize,
  summarizeByProvider,
  type AttributeChange,
  type Drift,
  type OutputChange,
  type Plan,
  type ResourceChange,
} from "./model.js";

export interface RenderStyle {
  /** ANSI colours (only on a TTY; the CLI decides). */
  color?: boolean;
}

const ANSI = {
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  red: "\u001b[31m",
  cyan: "\u001b[36m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
};

function paint(style: RenderStyle, colour: keyof typeof ANSI, text: string): string {
  return style.color ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
}

/** A value in the language's own notation, multi-line where it helps. */
/** Stands in for a sensitive element inside a value that is otherwise shown (see masked()). */
const SENSITIVE_ELEMENT: unique symbol = Symbol("sensitive");

/**
 * `value` with the elements at `paths` (relative to it) replaced, so that only they print as
 * `(sensitive)`, like Terraform; an empty path means the whole value.
 */
function masked(value: unknown, paths: readonly (readonly (string | number)[])[]): unknown {
  if (paths.some((p) => p.length === 0)) return SENSITIVE_ELEMENT;
  if (value === null || typeof value !== "object" || isUnknown(value)) return value;
  const under = (k: string | number) => paths.filter((p) => String(p[0]) === String(k)).map((p) => p.slice(1));
  if (Array.isArray(value)) return value.map((e, i) => masked(e, under(i)));
  return Object.fromEntries(Object.entries(value).map(([k, e]) => [k, masked(e, under(k))]));
}

export function formatPlanValue(v: DesiredValue | JsonValue | undefined, indent: string, sensitive = false): string {
  if (sensitive || (v as unknown) === SENSITIVE_ELEMENT) return "(sensitive)";
  if (v === undefined || v === null) return "null";
  if (isUnknown(v)) return "(known after apply)";
  if (typeof v === "string") {
    if (v.includes("\n")) {
      const body = v
        .replace(/\n$/, "")
        .split("\n")
        .map((l) => (l === "" ? "" : `${indent}    ${escapeForTerminal(l)}`));
      return `<<-EOT\n${body.join("\n")}\n${indent}EOT`;
    }
    return escapeForTerminal(JSON.stringify(v));
  }
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((e) => `${indent}    ${formatPlanValue(e, indent + "    ")},`).join("\n")}\n${indent}]`;
  }
  const keys = Object.keys(v)
    .filter((k) => (v as Record<string, unknown>)[k] !== null && (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  if (keys.length === 0) return "{}";
  const width = Math.max(...keys.map((k) => displayKey(k).length));
  return `{\n${keys.map((k) => `${indent}    ${displayKey(k).padEnd(width)} = ${formatPlanValue((v as Record<string, DesiredValue>)[k], indent + "    ")}`).join("\n")}\n${indent}}`;
}

function displayKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : escapeForTerminal(JSON.stringify(k));
}

/** Single-line JSON bodies are pretty-printed first, so their diff shows which lines changed. */
function diffableForms(before: string, after: string): [string, string] | undefined {
  if (before.includes("\n") || after.includes("\n")) return [before, after];
  try {
    const b = JSON.parse(before) as unknown;
    const a = JSON.parse(after) as unknown;
    if (typeof a === "object" && a !== null && typeof b === "object" && b !== null)
      return [JSON.stringify(b, null, 2), JSON.stringify(a, null, 2)];
  } catch {
    // not JSON: shown as two strings
  }
  return undefined;
}

function contentDiff(before: string, after: string, indent: string): string {
  const patch = createTwoFilesPatch(
    "before",
    "after",
    before.endsWith("\n") ? before : before + "\n",
    after.endsWith("\n") ? after : after + "\n",
    undefined,
    undefined,
    { context: 3 },
  );
  const lines = patch
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("===") && !l.startsWith("Index:") && !l.startsWith("\\ No newline"));
  return `<<-DIFF\n${lines.map((l) => `${indent}    ${escapeForTerminal(l)}`).join("\n")}\n${indent}DIFF`;
}

function blockHeader(address: string): string {
  const a = parseAddress(address).address;
  if (!a) return address;
  const key = a.key === undefined ? "" : typeof a.key === "number" ? `[${a.key}]` : `[${JSON.stringify(a.key)}]`;
  return `${a.kind} "${a.name}"${key}`;
}

type Sign = "+" | "-" | "~" | "-/+" | "+/-" | " ";

function signColour(sign: Sign): keyof typeof ANSI {
  return sign === "+" ? "green" : sign === "-" ? "red" : sign === "~" ? "yellow" : "cyan";
}

function isMap(v: unknown): v is Record<string, DesiredValue> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * A map (tags, parameters) or nested block that changed, key by key as Terraform shows it:
 * `~ key = "a" -> "b"`, `+ key = …`, `- key = … -> null`, and a count of unchanged keys.
 */
function mapDiff(
  before: Record<string, unknown>,
  after: Record<string, DesiredValue>,
  indent: string,
  style: RenderStyle,
): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const rows: { sign: Sign; key: string; value: string }[] = [];
  let unchanged = 0;
  for (const k of keys) {
    const b = before[k] as DesiredValue | undefined;
    const a = after[k];
    if (!present(b) && !present(a)) continue;
    if (present(b) && present(a) && JSON.stringify(b) === JSON.stringify(a)) {
      unchanged++;
      continue;
    }
    const inner = indent + "    ";
    if (!present(b)) rows.push({ sign: "+", key: displayKey(k), value: formatPlanValue(a, inner) });
    else if (!present(a)) rows.push({ sign: "-", key: displayKey(k), value: `${formatPlanValue(b, inner)} -> null` });
    else
      rows.push({
        sign: "~",
        key: displayKey(k),
        value: `${formatPlanValue(b, inner)} -> ${formatPlanValue(a, inner)}`,
      });
  }
  const width = Math.max(0, ...rows.map((r) => r.key.length));
  const lines = rows.map(
    (r) => `${indent}  ${paint(style, signColour(r.sign), r.sign)} ${r.key.padEnd(width)} = ${r.value}`,
  );
  if (unchanged > 0) lines.push(`${indent}    # (${unchanged} unchanged element${unchanged === 1 ? "" : "s"} hidden)`);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function attributeLines(
  changes: AttributeChange[],
  mode: "create" | "delete" | "update",
  style: RenderStyle,
  sensitivePaths: readonly (readonly (string | number)[])[] = [],
): string[] {
  const width = Math.max(0, ...changes.map((ch) => ch.name.length));
  const indent = "        ";
  return changes.map((original) => {
    // Mask only the sensitive elements of a map or list; the whole value when it is sensitive itself.
    const paths = sensitivePaths.filter((p) => p[0] === original.name).map((p) => p.slice(1));
    const partly = original.sensitive && paths.length > 0 && !paths.some((p) => p.length === 0);
    const c: AttributeChange = partly
      ? {
          ...original,
          before: masked(original.before, paths) as JsonValue,
          after: masked(original.after, paths) as DesiredValue,
          sensitive: false,
        }
      : original;
    const noDiff = original.sensitive === true;
    const sign: Sign =
      mode === "create"
        ? "+"
        : mode === "delete"
          ? "-"
          : c.before === undefined || c.before === null
            ? "+"
            : c.after === undefined || c.after === null
              ? "-"
              : "~";
    const name = c.name.padEnd(width);
    let value: string;
    if (mode === "create" || sign === "+") value = formatPlanValue(c.after, indent, c.sensitive);
    else if (mode === "delete" || sign === "-")
      value = `${formatPlanValue(c.before, indent, c.sensitive)}${mode === "update" ? " -> null" : ""}`;
    else if (!noDiff && isMap(c.before) && isMap(c.after)) value = mapDiff(c.before, c.after, indent, style);
    else {
      const forms =
        !noDiff && typeof c.before === "string" && typeof c.after === "string"
          ? diffableForms(c.before, c.after)
          : undefined;
      value = forms
        ? contentDiff(forms[0], forms[1], indent)
        : `${formatPlanValue(c.before, indent, c.sensitive)} -> ${formatPlanValue(c.after, indent, c.sensitive)}`;
    }
    const forces = c.forcesReplacement
      ? paint(style, "red", ` # forces replacement${c.reason ? `: ${c.reason}` : ""}`)
      : "";
    return `      ${paint(style, signColour(sign), sign)} ${name} = ${value}${forces}`;
  });
}

function describeAction(c: ResourceChange): { sign: Sign; line: string } {
  switch (c.action) {
    case "create":
      return { sign: "+", line: `will be created` };
    case "update":
      return { sign: "~", line: `will be updated in place` };
    case "replace":
      return { sign: c.createBeforeDestroy ? "+/-" : "-/+", line: `must be replaced` };
    case "delete":
      return { sign: "-", line: `will be destroyed` };
    default:
      return { sign: " ", line: c.importing ? "will be imported" : "has no changes" };
  }
}

function pad(sign: Sign): string {
  return sign.length === 3 ? sign : `  ${sign}`;
}

export function renderChange(c: ResourceChange, style: RenderStyle = {}): string {
  const { sign, line } = describeAction(c);
  const out: string[] = [];
  out.push(paint(style, "bold", `  # ${c.address} ${line}`));
  if (c.action === "delete" && c.deleteReason && c.deleteReason !== "destroy")
    out.push(`  # (because ${c.deleteReason})`);
  if (c.importing && c.action !== "no-op") out.push(`  # (imported from ${JSON.stringify(c.importing.id)})`);
  if (c.action === "replace")
    for (const r of c.replaceReasons.filter(
      (r) => !c.changes.some((ch) => ch.forcesReplacement && r.startsWith(`${ch.name}:`)),
    ))
      out.push(`  # (because ${r})`);
  out.push(`${paint(style, signColour(sign), pad(sign))} ${blockHeader(c.address)} {`);
  const mode = c.action === "create" ? "create" : c.action === "delete" ? "delete" : "update";
  out.push(...attributeLines(c.changes, mode, style, c.sensitivePaths));
  if (c.action === "replace") out.push(...computedLines(c, style));
  else if (c.id !== undefined && c.action !== "create") out.push(`        id = ${JSON.stringify(c.id)}`);
  if (mode === "update" && c.after) {
    const shown = new Set(c.changes.map((ch) => ch.name));
    // A provider's normalize() may leave a key present but undefined: not an attribute to count.
    const unchanged = Object.entries<DesiredValue | undefined>(c.after).filter(
      ([n, v]) => !shown.has(n) && v !== null && v !== undefined,
    ).length;
    if (unchanged > 0) out.push(`        # (${unchanged} unchanged attribute${unchanged === 1 ? "" : "s"} hidden)`);
  }
  out.push("    }");
  if (c.impact) {
    if (c.impact.known)
      out.push(
        `    # Runs now on ${c.impact.count} managed instance${c.impact.count === 1 ? "" : "s"}${c.impact.instance_ids.length > 0 && c.impact.instance_ids.length <= 5 ? ` (${c.impact.instance_ids.join(", ")})` : ""}.`,
      );
    else out.push(`    # Runs now on an unknown number of managed instances: ${c.impact.reason}.`);
  }
  for (const a of c.associationImpacts ?? []) {
    if (a.impact.known)
      out.push(
        `    # New default version: ${a.association} runs now on ${a.impact.count} managed instance${a.impact.count === 1 ? "" : "s"}${a.impact.instance_ids.length > 0 && a.impact.instance_ids.length <= 5 ? ` (${a.impact.instance_ids.join(", ")})` : ""}.`,
      );
    else
      out.push(
        `    # New default version: ${a.association} runs now on an unknown number of managed instances: ${a.impact.reason}.`,
      );
  }
  return out.join("\n");
}

/**
 * A replacement gets a new identity: the attributes SSM computes (ids, versions, ARN, status)
 * are shown with their current value `-> (known after apply)`, as Terraform shows them.
 */
function computedLines(c: ResourceChange, style: RenderStyle): string[] {
  const shown = new Set(c.changes.map((ch) => ch.name));
  const computed = Object.entries(c.before ?? {})
    .filter(([n, v]) => !shown.has(n) && !(c.after && n in c.after) && present(v))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = [
    ...(c.id !== undefined ? [{ name: "id", before: c.id as JsonValue }] : []),
    ...computed.filter(([n]) => n !== "id").map(([n, v]) => ({ name: n, before: v })),
  ];
  const width = Math.max(0, ...rows.map((r) => r.name.length));
  const sensitive = (name: string) => c.sensitivePaths.some((p) => p[0] === name);
  return rows.map(
    (r) =>
      `      ${paint(style, "yellow", "~")} ${r.name.padEnd(width)} = ${formatPlanValue(r.before, "        ", sensitive(r.name))} -> (known after apply)`,
  );
}

function outputLine(o: OutputChange, style: RenderStyle, width: number): string {
  const indent = "    ";
  const name = o.name.padEnd(width);
  if (o.action === "create")
    return `  ${paint(style, "green", "+")} ${name} = ${formatPlanValue(o.after, indent, o.sensitive)}`;
  if (o.action === "delete")
    return `  ${paint(style, "red", "-")} ${name} = ${formatPlanValue(o.before, indent, o.sensitive)} -> null`;
  return `  ${paint(style, "yellow", "~")} ${name} = ${formatPlanValue(o.before, indent, o.sensitive)} -> ${formatPlanValue(o.after, indent, o.sensitive)}`;
}

/** Terraform's "Changes to Outputs" section. */
function renderOutputChanges(changes: readonly OutputChange[], style: RenderStyle): string {
  const width = Math.max(...changes.map((o) => o.name.length));
  return `Changes to Outputs:\n${changes.map((o) => outputLine(o, style, width)).join("\n")}\n`;
}

/** Said before a plan limited with --target, as Terraform says it. */
function targetingWarning(targets: readonly string[], style: RenderStyle): string {
  return `${paint(style, "yellow", "Warning:")} ${paint(style, "bold", "Resource targeting is in effect")}

  This plan is limited to ${targets.join(", ")} and what ${targets.length === 1 ? "it depends" : "they depend"} on (--target),
  so it may not contain every change the configuration asks for. --target is for exceptional
  situations, such as recovering from an error; plan without it afterwards.
`;
}

function renderDrift(d: Drift, style: RenderStyle): string {
  const out: string[] = [];
  if (d.type === "deleted") {
    out.push(paint(style, "bold", `  # ${d.address} has been deleted outside statectl`));
    out.push(`${paint(style, "red", "  -")} ${blockHeader(d.address)} {`, "    }");
  } else {
    out.push(paint(style, "bold", `  # ${d.address} has changed outside statectl`));
    out.push(`${paint(style, "yellow", "  ~")} ${blockHeader(d.address)} {`);
    out.push(...attributeLines(d.changes, "update", style, d.sensitivePaths));
    out.push("    }");
  }
  return out.join("\n");
}

/** The whole plan as text, ending with the summary line. */
export function renderPlan(plan: Plan, style: RenderStyle = {}): string {
  const parts: string[] = [];
  if (plan.drift.length > 0) {
    parts.push(paint(style, "bold", "Note: Objects have changed outside of statectl"));
    parts.push(`statectl detected the following changes made outside of statectl since the last "statectl apply":\n`);
    for (const d of plan.drift) parts.push(renderDrift(d, style) + "\n");
    if (plan.mode !== "refresh-only")
      parts.push("Unless the configuration says otherwise, the plan below undoes these changes.\n");
  }
  if (plan.targets && plan.targets.length > 0) parts.push(targetingWarning(plan.targets, style));
  for (const m of plan.moved) parts.push(`  # ${m.from} has moved to ${m.to}\n`);
  if (plan.mode === "refresh-only") {
    if (plan.drift.length === 0 && plan.moved.length === 0)
      parts.push("No changes. The state matches what exists in SSM.");
    else
      parts.push(
        "This is a refresh-only plan: applying it records these changes in the state and changes nothing in SSM.",
      );
    return parts.join("\n") + "\n";
  }
  const changed = plan.changes.filter((c) => c.action !== "no-op" || c.importing);
  if (!hasChanges(plan)) {
    parts.push(
      paint(style, "bold", "No changes.") +
        (plan.mode === "destroy"
          ? " Nothing to destroy: the state records no resources."
          : " SSM matches the configuration."),
    );
    return parts.join("\n") + "\n";
  }
  if (changed.length > 0) {
    const used = new Set(changed.map((c) => c.action));
    const legend: string[] = [];
    if (used.has("create")) legend.push(`  ${paint(style, "green", "+")} create`);
    if (used.has("update")) legend.push(`  ${paint(style, "yellow", "~")} update in place`);
    if (used.has("delete")) legend.push(`  ${paint(style, "red", "-")} destroy`);
    if (used.has("replace")) legend.push(`${paint(style, "cyan", "-/+")} destroy and then create replacement`);
    parts.push(`statectl will perform the following actions:\n`);
    for (const c of changed) parts.push(renderChange(c, style) + "\n");
    if (legend.length > 0)
      parts.splice(
        parts.length - changed.length - 1,
        0,
        `Resource actions are indicated with the following symbols:\n${legend.join("\n")}\n`,
      );
  }
  const outputs = plan.outputChanges ?? [];
  if (changed.length === 0 && plan.moved.length === 0 && outputs.length > 0) {
    parts.push(renderOutputChanges(outputs, style));
    parts.push(
      "You can apply this plan to save these new output values to the state, without changing anything in SSM.",
    );
    return parts.join("\n") + "\n";
  }
  const s = summarize(plan);
  const imports = importCount(plan);
  parts.push(
    paint(
      style,
      "bold",
      `Plan: ${imports > 0 ? `${imports} to import, ` : ""}${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`,
    ),
  );
  const byProvider = summarizeByProvider(plan);
  if (byProvider.size > 1) {
    for (const [key, p] of byProvider) {
      const label = plan.providerLabels?.[key];
      parts.push(
        `  ${key}${label ? ` (${label})` : ""}: ${p.add} to add, ${p.change} to change, ${p.destroy} to destroy`,
      );
    }
  }
  if (outputs.length > 0) parts.push("\n" + renderOutputChanges(outputs, style).trimEnd());
  return parts.join("\n") + "\n";
}
