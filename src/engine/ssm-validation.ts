/**
 * The SSM checks of `statectl validate` as a library (issue 6): every evaluated `document` and
 * `association` against what the SSM API would accept (src/ssm/resource-rules.ts), each problem
 * placed on the argument, nested-block field, map key or part of a string it is about — and a
 * problem inside a document's content placed inside the document: in the file `file(...)` read
 * (registered with the SourceRegistry so it renders with its own snippet), in the heredoc or
 * string of the `.state` file, or on the key of an object written in HCL (`jsonencode({...})`).
 * Offline; in-memory sources work as well as a directory, so an editor can call it.
 */
import { positionAt, type Diagnostic, type Range, type SourceRegistry } from "../diag/index.js";
import { loadConfig, type ConfigSource, type LoadOptions, type ResourceDecl } from "../config/index.js";
import {
  evaluate,
  evaluateConfig,
  identicalValue,
  toNative,
  Value,
  type EvaluatedConfig,
  type EvaluatedResource,
} from "../eval/index.js";
import {
  checkAssociation,
  checkDocument,
  UNKNOWN_VALUE,
  type ManagedDocument,
  type ResourceProblem,
} from "../ssm/index.js";
import type { Expression, TemplatePart } from "../syntax/index.js";
import { isAbsolute, relative, resolve } from "node:path";

export interface SsmCheckOptions {
  /** The source texts of the configuration; document files read by `file()` are added to it. */
  sources?: SourceRegistry;
  /** The configuration directory (for `path.module` and for naming document files). */
  dir?: string;
  /** Evaluated variables and locals, to work out which file a `file(...)` call read. */
  evaluated?: Pick<EvaluatedConfig, "variables" | "locals">;
  /**
   * A resource's arguments as plain values when the caller already has them, with nothing
   * unknown in them (a plan's adapted attributes); otherwise they are converted here.
   */
  plain?: (r: EvaluatedResource) => Readonly<Record<string, unknown>> | undefined;
}

/**
 * Loads, evaluates and checks a configuration (a directory or in-memory files). Returns the SSM
 * diagnostics only when loading and evaluation found no errors (otherwise theirs), with the
 * registry that holds every text a diagnostic points into.
 */
export function validateSsm(
  source: ConfigSource,
  opts: LoadOptions = {},
): { diagnostics: Diagnostic[]; sources: SourceRegistry } {
  const loaded = loadConfig(source, opts);
  const sources = loaded.config.sources;
  if (loaded.diagnostics.some((d) => d.severity === "error")) return { diagnostics: loaded.diagnostics, sources };
  const evaluated = evaluateConfig(loaded.config);
  if (evaluated.diagnostics.some((d) => d.severity === "error"))
    return { diagnostics: [...loaded.diagnostics, ...evaluated.diagnostics], sources };
  const diagnostics = checkResources(evaluated.resources, loaded.config.resources, {
    sources,
    dir: loaded.config.dir,
    evaluated,
  });
  return { diagnostics, sources };
}

/**
 * What one run of the SSM checks leaves for the next over an edited folder (the language
 * server): each association's problems, by its evaluated resource. An association the
 * evaluation reused (the same object) is not checked again while every document's evaluated
 * arguments are the same as then. Documents are always checked (they are few, and their
 * checks register the files `file()` read).
 */
export interface SsmCheckMemo {
  /** The documents' evaluated arguments the problems below were found with. */
  documents?: readonly Value[];
  associations: WeakMap<EvaluatedResource, Diagnostic[]>;
  /** How many associations the last run checked (the others' problems were reused). */
  checkedAssociations: number;
}

/** Runs the SSM rules over evaluated resources; `decls` (by `kind.name`) gives the source ranges. */
export function checkResources(
  resources: readonly EvaluatedResource[],
  decls: ReadonlyMap<string, ResourceDecl>,
  opts: SsmCheckOptions = {},
  memo?: SsmCheckMemo,
): Diagnostic[] {
  const native = (r: EvaluatedResource) =>
    opts.plain?.(r) ?? (toNative(r.attrs, { unknown: UNKNOWN_VALUE }) as Record<string, unknown>);
  const managed = new Map<string, ManagedDocument>();
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (list: readonly Diagnostic[]) => {
    for (const d of list) {
      const range = d.range;
      const key = JSON.stringify([d.code, d.detail, range?.file, range?.start.offset, range?.end.offset]);
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
  };
  const place = (
    r: EvaluatedResource,
    problems: readonly ResourceProblem[],
    content?: { text: string },
  ): Diagnostic[] => {
    const decl = r.decl ?? decls.get(`${r.kind}.${r.name}`);
    const locator = content && decl ? contentLocator(decl, content.text, opts) : undefined;
    return problems.map((p) => {
      let range = decl ? rangeOf(decl, p) : r.ranges.block;
      let detail = p.detail;
      if (p.inContent && content) {
        const inner = locator?.(p.inContent);
        if (inner) range = inner;
        else {
          const at = positionAt(content.text, p.inContent.start);
          detail = `${detail} (line ${at.line}, column ${at.column} of the content)`;
        }
      }
      return {
        severity: p.severity,
        code: p.code,
        summary: p.summary,
        detail,
        range,
        context: r.ranges.block,
        ...(p.hint ? { hint: p.hint } : {}),
      };
    });
  };
  const documents: Value[] = [];
  for (const r of resources) {
    if (r.kind !== "document") continue;
    documents.push(r.attrs);
    const { problems, document, content } = checkDocument(native(r));
    add(place(r, problems, content));
    if (document) managed.set(document.name, document);
  }
  if (memo) {
    const before = memo.documents;
    if (
      !before ||
      before.length !== documents.length ||
      before.some((v, i) => !identicalValue(v, documents[i] as Value))
    )
      memo.associations = new WeakMap();
    memo.documents = documents;
    memo.checkedAssociations = 0;
  }
  for (const r of resources) {
    if (r.kind !== "association") continue;
    let found = memo?.associations.get(r);
    if (!found) {
      found = place(r, checkAssociation(native(r), managed));
      if (memo) {
        memo.associations.set(r, found);
        memo.checkedAssociations++;
      }
    }
    add(found);
  }
  return diagnostics;
}

type ContentPlace = NonNullable<ResourceProblem["inContent"]>;

/** How offsets in a document's content become ranges in a source, depending on how `content` is written. */
function contentLocator(
  decl: ResourceDecl,
  text: string,
  opts: SsmCheckOptions,
): ((p: ContentPlace) => Range | undefined) | undefined {
  const attribute = decl.attributes.get("content");
  if (!attribute) return undefined;
  const expr = unwrap(attribute.expr);
  const soleArgument = expr.type === "FunctionCall" && expr.args.length === 1 ? expr.args[0] : undefined;
  if (expr.type === "FunctionCall" && expr.name === "file" && soleArgument) {
    const file = fileRead(soleArgument, opts);
    if (!file || !opts.sources) return undefined;
    const known = opts.sources.get(file);
    if (known === undefined) opts.sources.add(file, text);
    else if (known !== text) return undefined;
    return (p) => ({ file, start: positionAt(text, p.start), end: positionAt(text, p.end) });
  }
  if (expr.type === "Literal" || expr.type === "Template") {
    const map = stringOffsets(expr, text, opts.sources);
    return map ? (p) => map(p.start, p.end) : undefined;
  }
  const object =
    expr.type === "FunctionCall" && (expr.name === "jsonencode" || expr.name === "yamlencode") && soleArgument
      ? unwrap(soleArgument)
      : expr;
  if (object.type === "Object") return (p) => objectPath(object, p);
  return undefined;
}

/** The display name of the file a `file(...)` argument names, when it can be evaluated offline. */
function fileRead(arg: Expression, opts: SsmCheckOptions): string | undefined {
  const dir = opts.dir ?? process.cwd();
  const variables = new Map<string, Value>([
    ["path", Value.object({ module: Value.string(dir), root: Value.string(dir), cwd: Value.string(process.cwd()) })],
  ]);
  if (opts.evaluated) {
    variables.set("var", Value.object(opts.evaluated.variables));
    variables.set("local", Value.object(opts.evaluated.locals));
  }
  const result = evaluate(arg, { variables });
  if (result.diagnostics.length > 0 || !result.value.isKnown) return undefined;
  const native = toNative(result.value);
  if (typeof native !== "string") return undefined;
  const full = resolve(dir, native);
  const rel = relative(dir, full);
  return rel.startsWith("..") || isAbsolute(rel) ? full : rel;
}

/**
 * Maps offsets in the value of a string or heredoc to its source: literal parts are found in the
 * value in order, and inside each the source is walked beside the value (escapes, `$${`, and the
 * indentation `<<-` removes take source characters without producing value characters).
 */
function stringOffsets(
  expr: Expression & { type: "Literal" | "Template" },
  value: string,
  sources: SourceRegistry | undefined,
): ((start: number, end: number) => Range | undefined) | undefined {
  if (!sources) return undefined;
  const file = expr.range.file;
  const source = sources.get(file);
  if (source === undefined) return undefined;
  const heredoc = expr.type === "Template" && expr.heredoc !== undefined;
  const parts: { value: string; from: number; to: number }[] =
    expr.type === "Literal"
      ? typeof expr.value === "string"
        ? [{ value: expr.value, from: expr.range.start.offset + 1, to: expr.range.end.offset - 1 }]
        : []
      : expr.parts
          .filter((p): p is Extract<TemplatePart, { type: "TemplateLiteral" }> => p.type === "TemplateLiteral")
          .map((p) => ({ value: p.value, from: p.range.start.offset, to: p.range.end.offset }));
  // value offset → source offset, for the characters of literal parts.
  const map = new Map<number, number>();
  let cursor = 0;
  for (const part of parts) {
    const at = value.indexOf(part.value, cursor);
    if (at < 0) return undefined;
    let i = 0;
    let j = part.from;
    while (i < part.value.length && j < part.to) {
      if (!heredoc && source[j] === "\\") {
        const len = source[j + 1] === "u" ? 6 : source[j + 1] === "U" ? 10 : 2;
        const produced =
          len === 10 ? String.fromCodePoint(parseInt(source.slice(j + 2, j + 10), 16) || 0x20).length : 1;
        for (let k = 0; k < produced; k++) map.set(at + i + k, j);
        i += produced;
        j += len;
      } else if (source[j] === part.value[i]) {
        map.set(at + i, j);
        i++;
        j++;
      } else j++;
    }
    map.set(at + part.value.length, j);
    cursor = at + part.value.length;
  }
  const toSource = (offset: number): number | undefined => {
    for (let o = offset; o >= 0 && o >= offset - 2; o--) {
      const s = map.get(o);
      if (s !== undefined) return s + (offset - o);
    }
    return undefined;
  };
  return (start, end) => {
    const s = toSource(start);
    if (s === undefined) return undefined;
    // The end is where the character after the span starts, so a closing escape (\") is included.
    const e = toSource(end);
    const endOffset = e === undefined || e <= s ? s + 1 : e;
    return { file, start: positionAt(source, s), end: positionAt(source, endOffset) };
  };
}

/** The range of a content path inside an object written in the `.state` file. */
function objectPath(root: Expression, p: ContentPlace): Range {
  let expr: Expression = root;
  let keyRange: Range | undefined;
  for (const step of p.path) {
    const e = unwrap(expr);
    if (e.type === "Object" && typeof step === "string") {
      const item = e.items.find((i) => staticKey(i.key) === step);
      if (!item) break;
      keyRange = item.key.range;
      expr = item.value;
    } else if (e.type === "Tuple" && typeof step === "number") {
      const item = e.items[step];
      if (!item) break;
      keyRange = undefined;
      expr = item;
    } else break;
  }
  if ((p.onKey || p.missing) && keyRange) return keyRange;
  const r = unwrap(expr).range;
  if (p.missing)
    return {
      file: r.file,
      start: r.start,
      end: { ...r.start, column: r.start.column + 1, offset: r.start.offset + 1 },
    };
  return r;
}

function unwrap(e: Expression): Expression {
  while (e.type === "Parenthesis") e = e.expr;
  return e;
}

/** The range of a problem: the argument's value, narrowed to a field, map key or part of a string. */
function rangeOf(decl: ResourceDecl, p: ResourceProblem): Range {
  const [head, ...rest] = p.path;
  if (typeof head !== "string") return decl.nameRange;
  const attribute = decl.attributes.get(head);
  if (attribute) {
    const expr = unwrap(attribute.expr);
    if (rest.length === 0) return p.span ? (spanInside(expr, p.span) ?? expr.range) : expr.range;
    const key = rest[0];
    if (expr.type === "Object" && typeof key === "string") {
      const item = expr.items.find((i) => staticKey(i.key) === key);
      if (item) return p.onKey ? item.key.range : unwrap(item.value).range;
    }
    return expr.range;
  }
  const blocks = decl.blocks.get(head) ?? [];
  const [firstBlock] = blocks;
  if (firstBlock) {
    const index = typeof rest[0] === "number" ? rest[0] : 0;
    const block = blocks[index] ?? firstBlock;
    const field = rest.find((s): s is string => typeof s === "string");
    const a = field ? block.body.items.find((i) => i.type === "Attribute" && i.name === field) : undefined;
    return a && a.type === "Attribute" ? a.expr.range : block.range;
  }
  return decl.nameRange;
}

function staticKey(e: Expression): string | undefined {
  const k = unwrap(e);
  if (k.type === "Literal") return String(k.value);
  if (k.type === "ScopeTraversal" && k.traversal.length === 0) return k.root;
  if (k.type === "Template" && k.parts.every((part) => part.type === "TemplateLiteral"))
    return k.parts.map((part) => (part as { value: string }).value).join("");
  return undefined;
}

/** A sub-range of a plain quoted string whose source is exactly its value (no escapes, no interpolation). */
function spanInside(expr: Expression, span: { start: number; end: number }): Range | undefined {
  if (expr.type === "Literal") {
    const r = expr.range;
    if (
      typeof expr.value !== "string" ||
      r.start.line !== r.end.line ||
      r.end.offset - r.start.offset !== expr.value.length + 2
    )
      return undefined;
    const at = (offset: number) => ({
      line: r.start.line,
      column: r.start.column + 1 + offset,
      offset: r.start.offset + 1 + offset,
    });
    return { file: r.file, start: at(span.start), end: at(Math.max(span.end, span.start + 1)) };
  }
  if (expr.type !== "Template" || expr.heredoc || expr.parts.length !== 1) return undefined;
  const [part] = expr.parts;
  if (part?.type !== "TemplateLiteral") return undefined;

  const { start, end } = part.range;
  if (end.offset - start.offset !== part.value.length || start.line !== end.line) return undefined;
  const at = (offset: number) => ({ line: start.line, column: start.column + offset, offset: start.offset + offset });
  return { file: part.range.file, start: at(span.start), end: at(Math.max(span.end, span.start + 1)) };
}
