// `statectl import --generate FILE.state`: brings what already exists in an account under
// statectl in one step. Reads the account's own documents (Owner Self) and its associations,
// writes readable configuration for them (each document's content in a file beside FILE, and
// associations referring to the documents they run by reference), and records them in the state
// at the generated addresses — so the next plan shows no changes. The text is checked by loading
// it again and comparing it with what was read before anything is written to the state.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { error, hasErrors, warning, type Diagnostic } from "../diag/index.js";
import { diffAttributes, sameValue, type PlanAttributeRule } from "../plan/index.js";
import { setInstance, StatePersister, type JsonValue, type ResourceInstanceState, type State } from "../state/index.js";
import { formatSource } from "../syntax/format.js";
import { Session, SessionStopped, type LoadInputs } from "./engine.js";
import type { LocalEndpointOptions } from "../local/index.js";
import type { SsmResourceProvider } from "./ssm-adapter.js";

export interface GenerateRequest extends LoadInputs {
  /** The configuration directory. */
  dir: string;
  /** The .state file to write (relative to `dir`); it must not exist yet. */
  file: string;
  /** Everything the account owns and every association. */
  all?: boolean;
  /** `name=GLOB`, `document=GLOB` or `tag:KEY=GLOB`; an object is generated when any filter selects it. */
  filters?: readonly string[];
  localEndpoint?: Partial<LocalEndpointOptions>;
}

export interface GeneratedResource {
  address: string;
  id: string;
}

export interface GenerateResult {
  /** The .state file and the content files written, relative to the configuration directory. */
  files: string[];
  resources: GeneratedResource[];
  /** Objects left out because the state already manages them. */
  alreadyManaged: GeneratedResource[];
}

type Attrs = { [name: string]: JsonValue };

type Filter = { pattern: RegExp; text: string } & ({ key: "name" | "document" } | { key: "tag"; tag: string });

/** `*` any run of characters, `?` one character; everything else literal. Whole-string match. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export function parseFilter(text: string): Filter | Diagnostic {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq);
  const value = eq < 0 ? "" : text.slice(eq + 1);
  const pattern = globToRegExp(value);
  if (key === "name" || key === "document") return { key, pattern, text };
  if (key.startsWith("tag:") && key.length > 4) return { key: "tag", tag: key.slice(4), pattern, text };
  return error("import/invalid-filter", `Invalid filter "${text}"`, {
    detail:
      "A filter is name=GLOB (documents and associations by name), document=GLOB (documents, and the associations running them) or tag:KEY=GLOB (by tag). * matches any run of characters, ? one.",
  });
}

/** A label the language accepts: lower case, [a-z0-9_], starting with a letter or _. */
export function sanitizeLabel(name: string): string {
  let s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (s === "") s = "unnamed";
  if (!/^[a-z_]/.test(s)) s = `_${s}`;
  return s;
}

function uniqueLabel(base: string, taken: Set<string>): string {
  let label = base;
  for (let n = 2; taken.has(label); n++) label = `${base}_${n}`;
  taken.add(label);
  return label;
}

// ---------------------------------------------------------------------------------------------
// Text

function quote(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : quote(k);
}

/** A value in the language's notation: short lists on one line, objects one member a line. */
function literal(v: JsonValue, indent: string): string {
  if (v === null) return "null";
  if (typeof v === "string") return quote(v);
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    const items = v.map((e) => literal(e, indent + "  "));
    const inline = `[${items.join(", ")}]`;
    if (!items.some((i) => i.includes("\n")) && inline.length <= 80) return inline;
    return `[\n${items.map((i) => `${indent}  ${i},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v).filter(([, e]) => e !== null);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, e]) => `${indent}  ${key(k)} = ${literal(e, indent + "  ")}`).join("\n")}\n${indent}}`;
}

/** One `name = value` line per attribute the configuration must set (values equal to the default are left out). */
function attributeLines(
  attrs: Attrs,
  names: readonly string[],
  rules: Readonly<Record<string, PlanAttributeRule>>,
  indent = "  ",
): string[] {
  const lines: string[] = [];
  for (const n of names) {
    const v = attrs[n];
    if (v === undefined || v === null || sameValue(v, undefined, rules[n])) continue;
    lines.push(`${indent}${n} = ${literal(v, indent)}`);
  }
  return lines;
}

function nestedBlock(type: string, v: JsonValue | undefined): string[] {
  if (v === undefined || v === null || typeof v !== "object" || Array.isArray(v)) return [];
  const inner = Object.entries(v)
    .filter(([, e]) => e !== null)
    .map(([k, e]) => `    ${key(k)} = ${literal(e, "    ")}`);
  return ["", `  ${type} {`, ...inner, "  }"];
}

const DOCUMENT_ATTRIBUTES = [
  "type",
  "format",
  "target_type",
  "version_name",
  "display_name",
  "requires",
  "permissions",
  "tags",
] as const;
const ASSOCIATION_ATTRIBUTES = [
  "document_version",
  "parameters",
  "schedule",
  "schedule_offset",
  "apply_only_at_cron_interval",
  "duration",
  "compliance_severity",
  "max_concurrency",
  "max_errors",
  "sync_compliance",
  "calendar_names",
  "automation_target_parameter_name",
  "target_maps",
  "target_locations",
  "dispatch_assume_role",
  "tags",
] as const;

function contentExtension(format: JsonValue | undefined): string {
  const f = typeof format === "string" ? format.toUpperCase() : "JSON";
  return f === "YAML" ? "yaml" : f === "TEXT" ? "txt" : "json";
}

interface PlannedDocument {
  label: string;
  name: string;
  attrs: Attrs;
  contentFile: string;
}

interface PlannedAssociation {
  label: string;
  id: string;
  attrs: Attrs;
  /** The address of the document it runs, when that is managed (generated now or already). */
  documentAddress?: string;
}

function documentBlock(d: PlannedDocument, rules: Readonly<Record<string, PlanAttributeRule>>): string {
  const attrs = { ...d.attrs };
  // An explicit format is clearer than an inferred one, except for the default.
  const lines = [
    `document ${quote(d.label)} {`,
    `  name = ${quote(d.name)}`,
    `  content = file(${quote(d.contentFile)})`,
    ...attributeLines(attrs, DOCUMENT_ATTRIBUTES, rules),
    "}",
  ];
  return lines.join("\n");
}

function associationBlock(a: PlannedAssociation, rules: Readonly<Record<string, PlanAttributeRule>>): string {
  const lines = [`association ${quote(a.label)} {`];
  if (typeof a.attrs["name"] === "string") lines.push(`  name = ${quote(a.attrs["name"])}`);
  lines.push(
    `  document = ${a.documentAddress ? `${a.documentAddress}.name` : quote(stringAttr(a.attrs, "document"))}`,
  );
  lines.push(...attributeLines(a.attrs, ASSOCIATION_ATTRIBUTES, rules));
  for (const t of (a.attrs["targets"] as JsonValue[] | undefined) ?? []) lines.push(...nestedBlock("targets", t));
  lines.push(...nestedBlock("output_location", a.attrs["output_location"]));
  const alarms = a.attrs["alarm_configuration"];
  if (alarms && typeof alarms === "object" && !Array.isArray(alarms))
    lines.push(...nestedBlock("alarm_configuration", alarms));
  lines.push("}");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------

/** An attribute SSM returns as a string (a document's name or content); "" when it is absent. */
function stringAttr(attrs: Attrs, name: string): string {
  const value = attrs[name];
  return typeof value === "string" ? value : "";
}

function tagMatches(attrs: Attrs, f: Filter & { key: "tag" }): boolean {
  const tags = attrs["tags"];
  if (!tags || typeof tags !== "object" || Array.isArray(tags)) return false;
  const v = tags[f.tag];
  return typeof v === "string" && f.pattern.test(v);
}

/** `statectl import --generate`: see the file header. */
export async function runGenerate(
  req: GenerateRequest,
): Promise<{ value?: GenerateResult; diagnostics: Diagnostic[]; sources: import("../diag/index.js").SourceRegistry }> {
  const diagnostics: Diagnostic[] = [];
  const filters: Filter[] = [];
  for (const text of req.filters ?? []) {
    const f = parseFilter(text);
    if ("severity" in f) diagnostics.push(f);
    else filters.push(f);
  }
  const session = new Session({ ...req, lock: true });
  try {
    if (req.all && filters.length > 0)
      diagnostics.push(
        error("import/invalid-filter", "--all and --filter cannot be combined", {
          detail: "--all generates everything; --filter a selection.",
        }),
      );
    if (!req.all && filters.length === 0 && !hasErrors(diagnostics)) {
      diagnostics.push(
        error("import/no-selection", "Say what to generate: --all, or --filter", {
          detail:
            "--all generates every document the account owns and every association; --filter name=GLOB, document=GLOB or tag:KEY=GLOB a selection.",
        }),
      );
    }
    if (hasErrors(diagnostics)) return { diagnostics, sources: session.sources };
    if (!(await session.open("import", diagnostics))) return { diagnostics, sources: session.sources };
    const dir = session.config.dir;
    const target = resolve(dir, req.file);
    if (!target.endsWith(".state")) {
      diagnostics.push(
        error("import/invalid-file", `${req.file} is not a .state file`, {
          detail: "The generated configuration is written to a new FILE.state in the configuration directory.",
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    const module = session.config.moduleDirs?.find((m) => m.dir === dirname(target));
    if (module) {
      diagnostics.push(
        error("import/module-folder", `import --generate cannot write into the folder of ${module.call}`, {
          detail: `${relative(dir, module.dir) || "."} is a module's folder: what is written there is made once for every instance of every call of that module, so one existing object cannot be generated into it.`,
          hint: `generate into the configuration's own folder (statectl import --generate existing.state …), move the blocks you want into the module, and add moved blocks such as moved { from = association.x, to = ${module.call}.association.x }`,
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    if (dirname(target) !== dir) {
      diagnostics.push(
        error("import/invalid-file", `${req.file} is outside the configuration directory`, {
          detail: `statectl reads the .state files of ${dir} only; write the generated file there.`,
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    if (existsSync(target)) {
      diagnostics.push(
        error("import/file-exists", `${req.file} already exists`, {
          detail: "import --generate writes a new file and never overwrites one.",
          hint: "choose another file name",
        }),
      );
      return { diagnostics, sources: session.sources };
    }
    await session.prepareProviders(["ssm"]);
    const provider = session.provider("ssm");
    const value = await generate(session, provider, target, req.all === true, filters, diagnostics);
    return { ...(value ? { value } : {}), diagnostics, sources: session.sources };
  } catch (e) {
    if (e instanceof SessionStopped) {
      diagnostics.push(...e.diagnostics);
      return { diagnostics, sources: session.sources };
    }
    diagnostics.push(
      error("import/ssm", (e as Error).message, { detail: "An SSM call failed; nothing was written to the state." }),
    );
    return { diagnostics, sources: session.sources };
  } finally {
    await session.close(diagnostics);
  }
}

async function generate(
  session: Session,
  provider: SsmResourceProvider,
  target: string,
  all: boolean,
  filters: Filter[],
  diagnostics: Diagnostic[],
): Promise<GenerateResult | undefined> {
  const dir = session.config.dir;
  const state = session.state;
  const managed = (kind: string, id: string) => state.resources.find((r) => r.kind === kind && r.id === id);
  const alreadyManaged: GeneratedResource[] = [];

  // What exists.
  const documents = new Map<string, Attrs>();
  for (const d of await provider.ssm.listDocuments({ owner: "Self" })) {
    const attrs = await provider.read("document", d.name, {});
    if (attrs) documents.set(d.name, attrs);
  }
  const associations = new Map<string, Attrs>();
  for (const a of await provider.ssm.listAssociations()) {
    const attrs = await provider.read("association", a.association_id, {});
    if (attrs) associations.set(a.association_id, attrs);
  }

  // What is selected: filters pick documents and associations; an association brings along the
  // account's document it runs, so it can refer to it.
  const selectedDocuments = new Set<string>();
  const selectedAssociations = new Set<string>();
  for (const [name, attrs] of documents) {
    if (all || filters.some((f) => (f.key === "tag" ? tagMatches(attrs, f) : f.pattern.test(name))))
      selectedDocuments.add(name);
  }
  for (const [id, attrs] of associations) {
    const name = typeof attrs["name"] === "string" ? attrs["name"] : undefined;
    const document = stringAttr(attrs, "document");
    const hit =
      all ||
      filters.some((f) =>
        f.key === "tag"
          ? tagMatches(attrs, f)
          : f.key === "name"
            ? (name !== undefined && f.pattern.test(name)) || f.pattern.test(id)
            : f.pattern.test(document),
      );
    if (hit) {
      selectedAssociations.add(id);
      if (documents.has(document)) selectedDocuments.add(document);
    }
  }
  for (const name of [...selectedDocuments]) {
    const m = managed("document", name);
    if (m) {
      alreadyManaged.push({ address: m.address, id: name });
      selectedDocuments.delete(name);
    }
  }
  for (const id of [...selectedAssociations]) {
    const m = managed("association", id);
    if (m) {
      alreadyManaged.push({ address: m.address, id });
      selectedAssociations.delete(id);
    }
  }
  if (selectedDocuments.size === 0 && selectedAssociations.size === 0) {
    diagnostics.push(
      warning("import/nothing-selected", "Nothing to generate", {
        detail:
          alreadyManaged.length > 0
            ? `Everything selected is already managed: ${alreadyManaged.map((m) => m.address).join(", ")}.`
            : "No document the account owns and no association matches.",
      }),
    );
    return { files: [], resources: [], alreadyManaged };
  }

  // Labels: from the names, unique among the configuration's own resources of the kind.
  const taken = { document: new Set<string>(), association: new Set<string>() };
  for (const i of session.config.instances) taken[i.kind].add(i.address.replace(/^[a-z]+\./, "").replace(/\[.*$/, ""));
  const contentFiles = new Set<string>();
  const docs: PlannedDocument[] = [];
  const selected = [...documents].filter(([name]) => selectedDocuments.has(name));
  for (const [name, attrs] of selected.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const label = uniqueLabel(sanitizeLabel(name), taken.document);
    let file = `${label}.${contentExtension(attrs["format"])}`;
    for (let n = 2; contentFiles.has(file) || existsSync(join(dir, file)); n++)
      file = `${label}_${n}.${contentExtension(attrs["format"])}`;
    contentFiles.add(file);
    docs.push({ label, name, attrs, contentFile: file });
  }
  const docAddress = new Map<string, string>(docs.map((d) => [d.name, `document.${d.label}`]));
  // Documents the state already manages at a plain address can be referred to as well.
  for (const r of state.resources)
    if (
      r.kind === "document" &&
      !r.address.includes("[") &&
      session.config.instances.some((i) => i.address === r.address)
    )
      docAddress.set(r.id, r.address);
  const assocs: PlannedAssociation[] = [];
  const sortKey = ({ id, attrs }: { id: string; attrs: Attrs }) =>
    (typeof attrs["name"] === "string" ? attrs["name"] : stringAttr(attrs, "document")) + id;
  const sortedAssociations = [...associations]
    .filter(([id]) => selectedAssociations.has(id))
    .map(([id, attrs]) => ({ id, attrs }))
    .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  for (const { id, attrs } of sortedAssociations) {
    const base = sanitizeLabel(typeof attrs["name"] === "string" ? attrs["name"] : stringAttr(attrs, "document"));
    const documentAddress = docAddress.get(stringAttr(attrs, "document"));
    assocs.push({
      label: uniqueLabel(base, taken.association),
      id,
      attrs,
      ...(documentAddress ? { documentAddress } : {}),
    });
  }

  // The text, formatted as `statectl fmt` would.
  const header = `# Generated by statectl import --generate from what exists in SSM. Review it, then\n# run statectl plan: it should show no changes.\n`;
  const blocks = [
    ...docs.map((d) => documentBlock(d, provider.rules("document"))),
    ...assocs.map((a) => associationBlock(a, provider.rules("association"))),
  ];
  const text = `${header}\n${blocks.join("\n\n")}\n`;
  const formatted = formatSource(text, basename(target));
  if (!formatted.formatted) {
    diagnostics.push(
      error("import/internal", "The generated configuration does not parse", {
        detail: formatted.diagnostics.map((d) => d.summary).join("; "),
      }),
    );
    return undefined;
  }
  const written: string[] = [];
  for (const d of docs) {
    await writeFile(join(dir, d.contentFile), stringAttr(d.attrs, "content"));
    written.push(d.contentFile);
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, formatted.formatted);
  written.unshift(relative(dir, target));

  // Check: the configuration as now written must ask for exactly what was read.
  const { loadConfiguration } = await import("./load.js");
  const again = await loadConfiguration(dir, {});
  if (hasErrors(again.diagnostics)) {
    diagnostics.push(...again.diagnostics);
    diagnostics.push(
      error("import/internal", "The generated configuration has errors; nothing was written to the state", {
        detail: `Fix ${relative(dir, target)} by hand, then run statectl import for each resource.`,
      }),
    );
    return { files: written, resources: [], alreadyManaged };
  }
  const readBack = (address: string) => again.instances.find((i) => i.address === address);
  const planned: {
    address: string;
    kind: "document" | "association";
    id: string;
    attrs: Attrs;
    dependencies: string[];
  }[] = [
    ...docs.map((d) => ({
      address: `document.${d.label}`,
      kind: "document" as const,
      id: d.name,
      attrs: d.attrs,
      dependencies: [],
    })),
    ...assocs.map((a) => ({
      address: `association.${a.label}`,
      kind: "association" as const,
      id: a.id,
      attrs: a.attrs,
      dependencies: a.documentAddress ? [a.documentAddress] : [],
    })),
  ];
  for (const p of planned) {
    const inst = readBack(p.address);
    if (!inst) continue;
    const wanted = provider.normalize(p.kind, inst.attrs);
    // A reference to a generated document is unknown until that document is in the state.
    if (p.kind === "association" && p.dependencies.length > 0) wanted["document"] = p.attrs["document"] ?? null;
    const rules = provider.rules(p.kind);
    const differ = diffAttributes(p.attrs, wanted, rules, {
      skip: (n) => rules[n]?.change === "local" || rules[n]?.readable === false,
    });
    if (differ.length > 0)
      diagnostics.push(
        warning("import/generated-differs", `The generated ${p.address} does not match what exists exactly`, {
          detail: `The next plan will show changes to ${differ.map((c) => c.name).join(", ")}; adjust the configuration by hand.`,
        }),
      );
  }

  // The state: every generated object at its address.
  let next: State = state;
  for (const p of planned) {
    const instance: ResourceInstanceState = {
      address: p.address,
      kind: p.kind,
      provider: "ssm",
      id: p.id,
      attributes: p.attrs,
      sensitiveAttributes: [],
      dependencies: p.dependencies,
    };
    next = setInstance(next, instance);
  }
  const persisted = await new StatePersister(session.storage, state).persist(next);
  diagnostics.push(...persisted.diagnostics);
  return { files: written, resources: planned.map((p) => ({ address: p.address, id: p.id })), alreadyManaged };
}
