// Completion: what may be typed at the cursor, from the cursor's context (cursor.ts), the block
// schemas, the folder's declarations, the function table and the AWS-owned document catalog.
import type { IToken } from "chevrotain";
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from "vscode-languageserver/node";
import { META_ARGUMENTS, PROVIDER_NAMES } from "../config/index.js";
import { resourceSchema } from "../ssm/index.js";
import { functionNames } from "../eval/index.js";
import {
  AWS_OWNED_DOCUMENTS,
  COMPLIANCE_SEVERITIES,
  DOCUMENT_TYPES,
  findAwsOwnedDocument,
  SYNC_COMPLIANCE_VALUES,
} from "../ssm/index.js";
import { lexFile } from "../syntax/index.js";
import { cursorContext, type CursorContext, type Frame } from "./cursor.js";
import {
  attributeMarkdown,
  awsDocumentMarkdown,
  blockMarkdown,
  bodySchemaAt,
  documentParameters,
  functionMarkdown,
  functionSignature,
  parameterMarkdown,
  resourceAttributeMarkdown,
  type ParameterInfo,
} from "./docs.js";
import { blockAttribute, staticString, type Declaration, type Declarations } from "./symbols.js";

/** What completion knows about the folder beyond the file being edited. */
export interface FolderKnowledge {
  declarations: Declarations;
  /** The parameters of the configuration's own documents, by resource name (`document.NAME`), from the last evaluation. */
  managedParameters: ReadonlyMap<string, ReadonlyMap<string, ParameterInfo>>;
  /** What the module at a `source` (as written in a module block) declares, when its folder can be read. */
  moduleAt?: (source: string) => Declarations | undefined;
}

export interface CompletionOptions {
  /** The client accepts snippets (`${1:name}` placeholders). */
  snippets: boolean;
}

const ROOTS: Readonly<Record<string, string>> = {
  var: "Input variables: var.NAME",
  local: "Local values: local.NAME",
  document: "Documents of this configuration: document.NAME.ATTRIBUTE",
  association: "Associations of this configuration: association.NAME.ATTRIBUTE",
  module: "Outputs of module calls: module.NAME.OUTPUT",
  each: "In a resource with for_each: each.key and each.value",
  count: "In a resource with count: count.index",
  path: "Paths: path.module, path.root, path.cwd",
};

const md = (value: string) => ({ kind: MarkupKind.Markdown, value });

export function complete(
  text: string,
  offset: number,
  folder: FolderKnowledge,
  options: CompletionOptions,
): CompletionItem[] {
  const ctx = cursorContext(text, offset);
  switch (ctx.position) {
    case "item-start":
      return [...bodyItems(text, ctx, options), ...moduleInputs(text, ctx, folder)];
    case "block-label":
      return ctx.attribute === "provider" && ctx.blockPath.length === 0
        ? PROVIDER_NAMES.map((p) => ({ label: `"${p}"`, kind: CompletionItemKind.Value, insertText: `"${p}"` }))
        : [];
    case "object-key":
      return objectKeys(text, ctx, folder, options);
    case "string":
      return stringValues(text, ctx, folder);
    case "value":
      return values(ctx, folder);
  }
}

function bodyItems(text: string, ctx: CursorContext, options: CompletionOptions): CompletionItem[] {
  const schema = bodySchemaAt(ctx.blockPath);
  if (!schema) return [];
  const items: CompletionItem[] = [];
  // An argument may be set once: leave out those the block already sets (but not the one being typed).
  const block = ctx.frames[ctx.frames.length - 1];
  const set = block?.kind === "block" ? argumentsSet(text, block.openOffset) : new Set<string>();
  for (const [name, a] of Object.entries(schema.attributes)) {
    if (set.has(name) && name !== ctx.prefix) continue;
    items.push({
      label: name,
      kind: CompletionItemKind.Property,
      detail: a.required
        ? "required argument"
        : (META_ARGUMENTS as readonly string[]).includes(name)
          ? "meta-argument"
          : "argument",
      documentation: md(attributeMarkdown(name, a)),
      insertText: `${name} = `,
      // Required arguments first, then the rest, alphabetically within each.
      sortText: `${a.required ? 0 : (META_ARGUMENTS as readonly string[]).includes(name) ? 2 : 1}${name}`,
    });
  }
  for (const [type, b] of Object.entries(schema.blocks ?? {})) {
    const labels = b.labels ?? [];
    const snippet = options.snippets
      ? `${type}${labels.map((l, i) => ` "\${${i + 1}:${type === "provider" && l === "name" ? "ssm" : l}}"`).join("")} {\n\t$0\n}`
      : `${type}${labels.map((l) => ` "${type === "provider" && l === "name" ? "ssm" : l}"`).join("")} {\n}`;
    items.push({
      label: type,
      kind: CompletionItemKind.Module,
      detail: "block",
      documentation: md(blockMarkdown(type, b)),
      insertText: snippet,
      insertTextFormat: options.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      sortText: `3${type}`,
    });
  }
  return items;
}

/** String arguments with a fixed set of values, by block type (the values come from ssm/'s rules). */
const ENUMS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  association: { compliance_severity: COMPLIANCE_SEVERITIES, sync_compliance: SYNC_COMPLIANCE_VALUES },
  document: { type: DOCUMENT_TYPES, format: ["JSON", "YAML", "TEXT"] },
};

function stringValues(text: string, ctx: CursorContext, folder: FolderKnowledge): CompletionItem[] {
  const [outer, inner] = ctx.frames;
  if (outer?.kind !== "block" || ctx.blockPath.length !== 1) return [];
  if (ctx.frames.length === 2 && ctx.attribute === "document" && outer.type === "association") {
    return AWS_OWNED_DOCUMENTS.map((d) => ({
      label: d.name,
      kind: CompletionItemKind.Value,
      detail: `AWS-owned ${d.documentType} document`,
      documentation: md(awsDocumentMarkdown(d.name) ?? ""),
    }));
  }
  if (ctx.frames.length === 2 && ctx.attribute) {
    return (ENUMS[outer.type]?.[ctx.attribute] ?? []).map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
  }
  // `parameters = { name = "|" }`: the values the document allows for that parameter.
  if (
    ctx.frames.length === 3 &&
    inner?.kind === "object" &&
    inner.key === "parameters" &&
    outer.type === "association" &&
    ctx.attribute
  ) {
    const p = documentParametersOf(text, outer.openOffset, folder)?.get(ctx.attribute);
    return (p?.allowedValues ?? []).map((v) => ({
      label: v,
      kind: CompletionItemKind.EnumMember,
      ...(p?.default === v ? { detail: "default" } : {}),
    }));
  }
  return [];
}

function documentParametersOf(
  text: string,
  openOffset: number,
  folder: FolderKnowledge,
): ReadonlyMap<string, ParameterInfo> | undefined {
  const target = associationDocument(text, openOffset);
  if (target?.kind === "aws") return documentParameters(findAwsOwnedDocument(target.name)?.content);
  if (target?.kind === "managed") return folder.managedParameters.get(target.name);
  return undefined;
}

function values(ctx: CursorContext, folder: FolderKnowledge): CompletionItem[] {
  const t = ctx.traversal;
  if (t && t.length > 0) return traversalItems(t, folder);
  const items: CompletionItem[] = Object.entries(ROOTS).map(([root, about]) => ({
    label: root,
    kind: CompletionItemKind.Variable,
    detail: about,
  }));
  for (const fn of functionNames()) {
    items.push({
      label: fn,
      kind: CompletionItemKind.Function,
      detail: functionSignature(fn) ?? fn,
      documentation: md(functionMarkdown(fn) ?? ""),
      insertText: `${fn}(`,
    });
  }
  for (const k of ["true", "false", "null"]) items.push({ label: k, kind: CompletionItemKind.Keyword });
  return items;
}

function declarationItems(
  map: ReadonlyMap<string, Declaration>,
  kind: CompletionItemKind,
  detail: (d: Declaration) => string | undefined,
): CompletionItem[] {
  return [...map.values()].map((d) => {
    const about = detail(d);
    return { label: d.name, kind, ...(about ? { detail: about } : {}) };
  });
}

function traversalItems(t: readonly string[], folder: FolderKnowledge): CompletionItem[] {
  const { declarations: decls } = folder;
  const [root, second] = t;
  if (t.length === 1) {
    switch (root) {
      case "var":
        return declarationItems(decls.variables, CompletionItemKind.Variable, (d) => `variable in ${d.nameRange.file}`);
      case "local":
        return declarationItems(decls.locals, CompletionItemKind.Variable, (d) => `local in ${d.nameRange.file}`);
      case "document":
        return declarationItems(decls.documents, CompletionItemKind.Class, (d) => `document in ${d.nameRange.file}`);
      case "association":
        return declarationItems(
          decls.associations,
          CompletionItemKind.Class,
          (d) => `association in ${d.nameRange.file}`,
        );
      case "module":
        return declarationItems(decls.modules, CompletionItemKind.Module, (d) => `module call in ${d.nameRange.file}`);
      case "each":
        return ["key", "value"].map((label) => ({ label, kind: CompletionItemKind.Field }));
      case "count":
        return [{ label: "index", kind: CompletionItemKind.Field }];
      case "path":
        return ["module", "root", "cwd"].map((label) => ({ label, kind: CompletionItemKind.Field }));
    }
    return [];
  }
  if (t.length === 2 && root === "module" && second !== undefined) {
    const call = decls.modules.get(second);
    const source = call?.block ? staticString(blockAttribute(call.block, "source")?.expr) : undefined;
    const inner = source !== undefined ? folder.moduleAt?.(source) : undefined;
    return inner
      ? declarationItems(inner.outputs, CompletionItemKind.Field, (d) => `output of the module in ${d.nameRange.file}`)
      : [];
  }
  if (t.length === 2 && (root === "document" || root === "association") && second !== undefined) {
    return Object.entries(resourceSchema(root).attributes).map(([name, a]) => ({
      label: name,
      kind: CompletionItemKind.Field,
      detail: a.mode === "computed" ? "computed by SSM (known after apply)" : "argument",
      documentation: md(resourceAttributeMarkdown(name, a)),
    }));
  }
  return [];
}

/** In a `module` block: the module's variables, as arguments (required ones first). */
function moduleInputs(text: string, ctx: CursorContext, folder: FolderKnowledge): CompletionItem[] {
  const block = ctx.frames[ctx.frames.length - 1];
  if (ctx.frames.length !== 1 || block?.kind !== "block" || block.type !== "module") return [];
  const sourceItem = bodyItemsOf(text, block.openOffset).find(
    (i) => i.name === "source" && i.rest[0]?.tokenType.name === "Equals",
  );
  const lit = sourceItem?.rest[1];
  const source = lit?.tokenType.name === "StringLit" ? String(lit.payload ?? "") : undefined;
  const inner = source !== undefined ? folder.moduleAt?.(source) : undefined;
  if (!inner) return [];
  const set = argumentsSet(text, block.openOffset);
  return [...inner.variables.values()]
    .filter((v) => !set.has(v.name) || v.name === ctx.prefix)
    .map((v) => {
      const required = v.block ? blockAttribute(v.block, "default") === undefined : false;
      const description = v.block ? staticString(blockAttribute(v.block, "description")?.expr) : undefined;
      return {
        label: v.name,
        kind: CompletionItemKind.Property,
        detail: `${required ? "required " : ""}input: variable in ${v.nameRange.file}`,
        ...(description ? { documentation: md(description) } : {}),
        insertText: `${v.name} = `,
        sortText: `${required ? 0 : 1}${v.name}`,
      };
    });
}

/** Keys of `parameters = { … }` in an association: the parameters its document declares. */
function objectKeys(
  text: string,
  ctx: CursorContext,
  folder: FolderKnowledge,
  options: CompletionOptions,
): CompletionItem[] {
  const object = ctx.frames[ctx.frames.length - 1] as Extract<Frame, { kind: "object" }>;
  const block = ctx.frames[ctx.frames.length - 2];
  if (object.key !== "parameters" || block?.kind !== "block" || block.type !== "association" || ctx.frames.length !== 2)
    return [];
  const params = documentParametersOf(text, block.openOffset, folder);
  if (!params) return [];
  return [...params].map(([name, p]) => {
    const list = p.type === "StringList" || p.type === "MapList";
    return {
      label: name,
      kind: CompletionItemKind.Property,
      detail: `${p.type} parameter${p.default === undefined ? " (required)" : ""}`,
      documentation: md(parameterMarkdown(name, p)),
      insertText: options.snippets ? `${name} = ${list ? "[$0]" : '"$0"'}` : `${name} = `,
      insertTextFormat: options.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      sortText: `${p.default === undefined ? 0 : 1}${name}`,
    };
  });
}

/**
 * The items set directly in the body that opens at `openOffset` (a block's `{`): each name with the
 * tokens that follow it up to the end of its line. Read from the tokens of the whole text, because
 * items after the cursor count too.
 */
function bodyItemsOf(text: string, openOffset: number): Array<{ name: string; rest: IToken[] }> {
  const tokens = lexFile(text, "body").tokens;
  const start = tokens.findIndex((t) => t.startOffset === openOffset);
  const items: Array<{ name: string; rest: IToken[] }> = [];
  if (start < 0) return items;
  let depth = 0;
  let atItemStart = true;
  const after = tokens.slice(start + 1);
  for (const [i, t] of after.entries()) {
    const kind = t.tokenType.name;
    if (depth === 0 && atItemStart && kind !== "NewLine" && kind !== "RBrace")
      items.push({ name: t.image, rest: after.slice(i + 1, i + 5) });

    if (OPENERS.has(kind)) depth++;
    else if (CLOSERS.has(kind)) {
      if (depth === 0) break;
      depth--;
    }
    atItemStart = depth === 0 && kind === "NewLine";
  }
  return items;
}

const OPENERS = new Set(["LBrace", "LBracket", "LParen", "TemplateInterp", "OQuote", "HeredocStart"]);
const CLOSERS = new Set(["RBrace", "RBracket", "RParen", "TemplateInterpEnd", "CQuote", "HeredocEnd"]);

/** The names of the arguments already set in the body that opens at `openOffset`. */
function argumentsSet(text: string, openOffset: number): Set<string> {
  return new Set(
    bodyItemsOf(text, openOffset)
      .filter((i) => i.rest[0]?.tokenType.name === "Equals")
      .map((i) => i.name),
  );
}

/**
 * The `document` argument of the association whose body opens at `openOffset`: an AWS-owned
 * document's name (`document = "AWS-RunShellScript"`) or this configuration's document
 * (`document = document.NAME.name`). The argument may come after the cursor.
 */
export function associationDocument(
  text: string,
  openOffset: number,
): { kind: "aws" | "other"; name: string } | { kind: "managed"; name: string } | undefined {
  const item = bodyItemsOf(text, openOffset).find(
    (i) => i.name === "document" && i.rest[0]?.tokenType.name === "Equals",
  );
  return item ? documentValue(item.rest.slice(1)) : undefined;
}

function documentValue(
  v: IToken[],
): { kind: "aws" | "other"; name: string } | { kind: "managed"; name: string } | undefined {
  const [a, b, c] = v;
  if (a?.tokenType.name === "StringLit") {
    const name = String(a.payload ?? "");
    return { kind: findAwsOwnedDocument(name) ? "aws" : "other", name };
  }
  if (a?.image === "document" && b?.tokenType.name === "Dot" && c) return { kind: "managed", name: c.image };
  return undefined;
}
