/**
 * Modules: loading the folder each `module "NAME" { source = "./path" }` names (recursively,
 * into the same source registry, with file names relative to the root configuration), and the
 * checks that need both sides of a call — a folder that does not exist or has no `.state`
 * files, a module that calls itself, inputs the module does not declare or that it requires,
 * `module.NAME.OUTPUT` references to outputs it does not have, provider configurations it
 * uses without being given them, and blocks only the root module may have.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { didYouMean, didYouMeanHint, error, type Diagnostic, type SourceRegistry } from "../diag/index.js";
import { parseFile, references, type Body, type Expression } from "../syntax/index.js";
import { blockHeaderRange } from "./schema.js";
import { decodeFiles } from "./decode.js";
import { readSourceFile, type InputBudget } from "./source-file.js";
import type { Config, ModuleCallDecl } from "./model.js";

const CONFIG_EXTENSION = ".state";

interface Root {
  dir: string;
  sources: SourceRegistry;
  memoryFiles?: Readonly<Record<string, string>>;
  /** The root configuration's input budget, shared by every module it loads. */
  budget?: InputBudget;
}

/** Loads every module `cfg` calls, and theirs. `stack` holds the folders of the calls that led here (for cycles). */
export function loadModules(cfg: Config, root: Root, diags: Diagnostic[], stack: readonly string[] = [root.dir]): void {
  const available = cfg.moduleCalls
    ? (callerProviders.get(cfg) ?? new Set(["ssm"]))
    : new Set(["ssm", ...cfg.providers.keys()]);
  for (const call of cfg.modules.values()) loadCall(call, cfg, root, diags, stack, available);
  checkOutputReferences(cfg, diags);
}

/** The provider configurations a module was given by its call (`ssm` always), by module Config. */
const callerProviders = new WeakMap<Config, Set<string>>();

function loadCall(
  call: ModuleCallDecl,
  cfg: Config,
  root: Root,
  diags: Diagnostic[],
  stack: readonly string[],
  available: Set<string>,
): void {
  for (const [key, ref] of call.providers) {
    const target = ref.alias ? `${ref.name}.${ref.alias}` : ref.name;
    if (!available.has(target)) {
      const hint = didYouMeanHint(target, available);
      diags.push(
        error("config/undeclared-provider", "Reference to undeclared provider configuration", {
          detail: `providers passes ${target} to the module as ${key}, but ${cfg.moduleCalls ? "this module was not given" : "no provider block declares"} ${target}.`,
          ...(ref.range ? { range: ref.range } : {}),
          ...(hint ? { hint } : {}),
        }),
      );
    }
  }
  if (call.source === undefined || call.sourceRange === undefined) return;
  const at = { range: call.sourceRange, context: blockHeaderRange(call.block) };
  if (!call.source.startsWith("./") && !call.source.startsWith("../")) {
    diags.push(
      error("config/module-source-not-local", "Unsupported module source", {
        detail: `"${call.source}" is not a local path. statectl loads modules from folders beside the configuration; a local source starts with ./ or ../.`,
        ...at,
        hint: `write source = "./${call.source.replace(/^\/+/, "")}" if the module is in that folder`,
      }),
    );
    return;
  }
  const dir = resolve(cfg.dir, call.source);
  call.dir = dir;
  const shown = (d: string) => displayName(root.dir, d) || ".";
  if (stack.includes(dir)) {
    const chain = [...stack.slice(stack.indexOf(dir)), dir].map(shown);
    diags.push(
      error("config/module-cycle", "Module calls itself", {
        detail: `module "${call.name}" uses ${shown(dir)}, which is already being loaded: ${chain.join(" → ")}. A module cannot call itself, directly or through other modules.`,
        ...at,
        hint: "move what both need into a third module that neither of them calls back",
      }),
    );
    return;
  }
  const files = listModuleFiles(dir, root);
  if (files === "missing") {
    const hint = suggestFolder(dir, root);
    diags.push(
      error("config/module-source-missing", "Module folder not found", {
        detail: `module "${call.name}": there is no folder ${shown(dir)} (source = "${call.source}", relative to ${cfg.moduleCalls ? shown(cfg.dir) : "the configuration folder"}).`,
        ...at,
        ...(hint ? { hint } : {}),
      }),
    );
    return;
  }
  if (files.size === 0) {
    diags.push(
      error("config/module-no-files", "Module folder has no configuration files", {
        detail: `module "${call.name}": ${shown(dir)} has no ${CONFIG_EXTENSION} files, so there is no module to use.`,
        ...at,
        hint: `a module is a folder of ${CONFIG_EXTENSION} files with its own variable and output blocks`,
      }),
    );
    return;
  }
  const bodies = new Map<string, Body>();
  for (const [name, text] of files) {
    root.sources.add(name, text);
    const parsed = parseFile(text, name);
    diags.push(...parsed.diagnostics);
    if (parsed.body) bodies.set(name, parsed.body);
  }
  const decoded = decodeFiles(bodies, diags, { module: true });
  const child: Config = {
    ...decoded,
    dir,
    sources: root.sources,
    workspace: cfg.workspace,
    variableInputs: [],
    moduleCalls: [...(cfg.moduleCalls ?? []), call.name],
    ...(root.memoryFiles ? { memoryFiles: root.memoryFiles } : {}),
  };
  rootOnlyBlocks(child, call, diags);
  callerProviders.set(child, new Set(["ssm", ...call.providers.keys()]));
  checkProvidersUsed(child, call, diags);
  checkInputs(call, child, diags);
  call.config = child;
  loadModules(child, root, diags, [...stack, dir]);
}

/** The `.state` files of a module folder by display name, or "missing". */
function listModuleFiles(dir: string, root: Root): Map<string, string> | "missing" {
  const out = new Map<string, string>();
  if (root.memoryFiles) {
    let any = false;
    for (const [name, text] of Object.entries(root.memoryFiles)) {
      const full = resolve(root.dir, name);
      if (!full.startsWith(dir + sep)) continue;
      any = true;
      if (dirname(full) === dir && name.endsWith(CONFIG_EXTENSION)) out.set(displayName(root.dir, full), text);
    }
    return any ? new Map([...out].sort()) : "missing";
  }
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) return "missing";
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith(CONFIG_EXTENSION))
      .map((e) => e.name)
      .sort();
  } catch {
    return "missing";
  }
  for (const name of entries) {
    const shown = displayName(root.dir, resolve(dir, name));
    const read = readSourceFile(resolve(dir, name), shown, undefined, root.budget);
    if ("text" in read) out.set(shown, read.text);
  }
  return out;
}

/** A file or folder as diagnostics show it: relative to the root configuration, with forward slashes. */
function displayName(rootDir: string, full: string): string {
  const r = relative(rootDir, full);
  return (isAbsolute(r) ? full : r).split(sep).join("/");
}

/** "did you mean" among the sibling folders of a missing module folder. */
function suggestFolder(dir: string, root: Root): string | undefined {
  if (root.memoryFiles) return undefined;
  try {
    const siblings = readdirSync(dirname(dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const near = didYouMean(dir.slice(dirname(dir).length + 1), siblings);
    return near ? `did you mean "${displayName(root.dir, resolve(dirname(dir), near))}"?` : undefined;
  } catch {
    return undefined;
  }
}

function rootOnlyBlocks(child: Config, call: ModuleCallDecl, diags: Diagnostic[]): void {
  const where = `the module used by module "${call.name}"`;
  for (const p of child.providers.values()) {
    diags.push(
      error("config/module-root-only-block", "Provider configuration inside a module", {
        detail: `${where} configures a provider; provider configurations belong in the root module, which passes them to modules.`,
        range: blockHeaderRange(p.block),
        hint: `remove it and pass one from the root: providers = { ${p.key} = ${p.key} }`,
      }),
    );
  }
  child.providers.clear();
  if (child.state) {
    diags.push(
      error("config/module-root-only-block", "State block inside a module", {
        detail: `${where} has a state block; only the root module says where the state is kept.`,
        range: child.state.range,
      }),
    );
    delete child.state;
  }
  for (const i of child.imports) {
    diags.push(
      error("config/module-root-only-block", "Import block inside a module", {
        detail: `${where} has an import block; import blocks belong in the root module, with module addresses: to = module.${call.name}.${i.to.kind}.${i.to.name}.`,
        range: i.range,
      }),
    );
  }
  child.imports = [];
}

/** A module's resources use `ssm` (inherited) or the provider configurations its call passes. */
function checkProvidersUsed(child: Config, call: ModuleCallDecl, diags: Diagnostic[]): void {
  for (const r of child.resources.values()) {
    if (r.provider.alias === undefined && r.provider.name === "ssm") continue;
    const key = r.provider.alias ? `${r.provider.name}.${r.provider.alias}` : r.provider.name;
    if (call.providers.has(key)) continue;
    diags.push(
      error("config/module-provider-not-passed", "Provider configuration not passed to the module", {
        detail: `${r.kind} "${r.name}" uses ${key}, but module "${call.name}" does not pass it (${call.range.file}:${call.range.start.line}).`,
        ...(r.provider.range ? { range: r.provider.range } : { range: r.nameRange }),
        hint: `add providers = { ${key} = ssm.ALIAS } to module "${call.name}"`,
      }),
    );
  }
}

function checkInputs(call: ModuleCallDecl, child: Config, diags: Diagnostic[]): void {
  const declared = [...child.variables.keys()];
  for (const [name, a] of call.inputs) {
    if (child.variables.has(name)) continue;
    const near = didYouMean(name, declared);
    diags.push(
      error("config/module-unknown-input", "Unsupported argument for module", {
        detail: `module "${call.name}" sets "${name}", but the module declares no variable "${name}".`,
        range: a.nameRange,
        context: a.range,
        hint: near
          ? `did you mean "${near}"?`
          : declared.length > 0
            ? `the module's variables: ${declared.sort().join(", ")}`
            : "the module declares no variables",
      }),
    );
  }
  const missing = [...child.variables.values()].filter((v) => !v.default && !call.inputs.has(v.name));
  for (const v of missing) {
    const near = didYouMean(
      v.name,
      [...call.inputs.keys()].filter((n) => !child.variables.has(n)),
    );
    diags.push(
      error("config/module-missing-input", "Missing argument for module", {
        detail: `module "${call.name}" does not set "${v.name}", which the module requires (variable "${v.name}" at ${v.nameRange.file}:${v.nameRange.start.line} has no default).`,
        range: blockHeaderRange(call.block),
        context: call.range,
        hint: near ? `did you mean "${v.name}" instead of "${near}"?` : `add ${v.name} = … to the module block`,
      }),
    );
  }
}

/** Every expression of every file of a configuration. */
function allExpressions(cfg: Config): Expression[] {
  const out: Expression[] = [];
  const walk = (body: Body) => {
    for (const item of body.items) {
      if (item.type === "Attribute") out.push(item.expr);
      else walk(item.body);
    }
  };
  // moved and import blocks hold addresses, which may run into modules (module.m.association.x), not references.
  for (const body of cfg.files.values())
    walk({
      ...body,
      items: body.items.filter((i) => i.type !== "Block" || (i.blockType !== "moved" && i.blockType !== "import")),
    });
  return out;
}

/** `module.NAME.OUTPUT` must name an output the module declares. */
function checkOutputReferences(cfg: Config, diags: Diagnostic[]): void {
  if (cfg.modules.size === 0) return;
  for (const expr of allExpressions(cfg)) {
    for (const ref of references(expr)) {
      if (ref.root !== "module") continue;
      const first = ref.traversal[0];
      if (first?.type !== "AttrStep") continue;
      const call = cfg.modules.get(first.name);
      if (!call?.config) continue;
      let i = 1;
      if (ref.traversal[i]?.type === "IndexStep") i++;
      const out = ref.traversal[i];
      if (out?.type !== "AttrStep") {
        if (i === 1 && !call.count && !call.forEach) continue; // module.NAME as a whole object
        continue;
      }
      if (call.config.outputs.has(out.name)) continue;
      const names = [...call.config.outputs.keys()];
      diags.push(
        error("config/undeclared-module-output", "Reference to undeclared module output", {
          detail: `module "${call.name}" has no output "${out.name}".`,
          range: ref.range,
          hint:
            didYouMeanHint(out.name, names) ??
            (names.length > 0 ? `its outputs: ${names.sort().join(", ")}` : "the module declares no outputs"),
        }),
      );
    }
  }
}
