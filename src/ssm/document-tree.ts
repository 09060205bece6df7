/**
 * Document content parsed with source offsets: the same JSON or YAML SSM reads, but every object
 * key and value keeps where it stands in the text, so a rule can point at the key `runComand` on
 * line 12 of the document file rather than at the whole `content` argument. JSON goes through
 * jsonc-parser (strict: no comments, no trailing commas), YAML through the `yaml` package.
 */
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from "jsonc-parser";
import type { Document as YamlDocument, Node as YamlNode } from "yaml";
import { YAML_ALIAS_BOMB, yaml, yamlValue } from "./lazy.js";

export interface Span {
  start: number;
  end: number;
}

export interface TreeEntry {
  key: string;
  keySpan: Span;
  value: TreeNode;
}

export type TreeNode =
  | { kind: "object"; entries: TreeEntry[]; span: Span }
  | { kind: "array"; items: TreeNode[]; span: Span }
  | { kind: "scalar"; value: string | number | boolean | null; span: Span };

export interface ParsedTree {
  /** The plain value, as JSON.parse / YAML.parse would give it. */
  value: unknown;
  root: TreeNode;
}

export interface TreeParseError {
  message: string;
  span: Span;
  /** Well-formed, but its aliases expand without bound. */
  aliasBomb?: boolean;
}

/** Parses content in its format; either a tree or the first syntax error with its offsets. */
export function parseDocumentTree(
  text: string,
  format: "JSON" | "YAML",
): { tree: ParsedTree } | { error: TreeParseError } {
  return format === "JSON" ? parseJsonTree(text) : parseYamlTree(text);
}

function parseJsonTree(text: string): { tree: ParsedTree } | { error: TreeParseError } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0 || !root) {
    const e = errors[0];
    const start = e ? e.offset : text.length;
    return {
      error: {
        message: e ? describeJsonError(printParseErrorCode(e.error)) : "the content is empty",
        span: { start, end: start + Math.max(1, e?.length ?? 1) },
      },
    };
  }
  // jsonc-parser is lenient about a few things JSON.parse (and SSM) reject, e.g. control characters.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const start = m ? Number(m[1]) : 0;
    return {
      error: {
        message: (e as Error).message.replace(/ in JSON at position \d+.*$/, ""),
        span: { start, end: start + 1 },
      },
    };
  }
  return { tree: { value, root: fromJson(root) } };
}

function describeJsonError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: "unexpected character",
    InvalidNumberFormat: "invalid number",
    PropertyNameExpected: "expected a property name in double quotes",
    ValueExpected: "expected a value",
    ColonExpected: 'expected ":"',
    CommaExpected: 'expected ","',
    CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"',
    EndOfFileExpected: "unexpected text after the end of the document",
    InvalidCommentToken: "comments are not allowed in JSON",
    UnexpectedEndOfComment: "unterminated comment",
    UnexpectedEndOfString: "unterminated string",
    UnexpectedEndOfNumber: "unterminated number",
    InvalidUnicode: "invalid \\u escape",
    InvalidEscapeCharacter: "invalid escape character",
    InvalidCharacter: "invalid character in a string",
  };
  return words[code] ?? code;
}

function fromJson(node: JsonNode): TreeNode {
  const span = { start: node.offset, end: node.offset + node.length };
  if (node.type === "object") {
    const entries: TreeEntry[] = [];
    for (const prop of node.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (!k || !v) continue;
      entries.push({
        key: String(k.value),
        keySpan: { start: k.offset, end: k.offset + k.length },
        value: fromJson(v),
      });
    }
    return { kind: "object", entries, span };
  }
  if (node.type === "array") return { kind: "array", items: (node.children ?? []).map(fromJson), span };
  return { kind: "scalar", value: node.value as string | number | boolean | null, span };
}

function parseYamlTree(text: string): { tree: ParsedTree } | { error: TreeParseError } {
  // SSM reads YAML with merge keys (`<<: *common`), as YAML 1.1 loaders do.
  const doc = yaml().parseDocument(text, { prettyErrors: false, uniqueKeys: true, merge: true });
  // A tag the loader cannot resolve (CloudFormation's !Ref, !Sub …) is an error for SSM's parser.
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
  if (problem) {
    const [start, end] = problem.pos;
    // split() always yields a first line.
    const [firstLine = ""] = problem.message.split("\n");
    const message = firstLine.replace(/ at line \d+, column \d+:?$/, "");
    return { error: { message, span: { start, end: Math.max(end, start + 1) } } };
  }
  if (!doc.contents)
    return { error: { message: "the content is empty", span: { start: 0, end: Math.max(1, text.length) } } };
  const plain = yamlValue(doc);
  if ("aliasBomb" in plain)
    return {
      error: {
        message: `The YAML is not accepted: ${YAML_ALIAS_BOMB}.`,
        span: firstAliasSpan(doc, text),
        aliasBomb: true,
      },
    };
  return { tree: { value: plain.value, root: fromYaml(doc.contents, doc) } };
}

/** Where the first alias is written (`*name`), for the caret. */
function firstAliasSpan(doc: YamlDocument, text: string): Span {
  let span: Span | undefined;
  yaml().visit(doc, {
    Alias(_key, node) {
      span = yamlSpan(node);
      return yaml().visit.BREAK;
    },
  });
  return span && span.end > span.start ? span : { start: 0, end: Math.max(1, text.length) };
}

function yamlSpan(node: { range?: [number, number, number] | null }): Span {
  const r = node.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

function fromYaml(node: YamlNode | null | undefined, doc: YamlDocument, depth = 0): TreeNode {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
  if (!node || depth > 100) return { kind: "scalar", value: null, span: { start: 0, end: 0 } };
  if (isAlias(node)) {
    // An alias stands for its anchor's node; positions stay on the alias, where the user wrote it.
    const target = fromYaml(node.resolve(doc), doc, depth + 1);
    return withSpan(target, yamlSpan(node));
  }
  if (isMap(node)) {
    const entries: TreeEntry[] = [];
    const merged: TreeEntry[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key as YamlNode | null;
      const isMerge = isScalar(k) && (k.value === "<<" || typeof k.value === "symbol");
      const key = isScalar(k) ? String(k.value) : String(k);
      const value = fromYaml(pair.value as YamlNode | null, doc, depth + 1);
      if (isMerge && (value.kind === "object" || value.kind === "array")) {
        const sources =
          value.kind === "object"
            ? [value]
            : value.items.filter((i): i is Extract<TreeNode, { kind: "object" }> => i.kind === "object");
        for (const source of sources) merged.push(...source.entries);
        continue;
      }
      entries.push({ key, keySpan: k ? yamlSpan(k) : { start: 0, end: 0 }, value });
    }
    for (const m of merged) if (!entries.some((e) => e.key === m.key)) entries.push(m);
    return { kind: "object", entries, span: yamlSpan(node) };
  }
  if (isSeq(node))
    return {
      kind: "array",
      items: node.items.map((i) => fromYaml(i as YamlNode, doc, depth + 1)),
      span: yamlSpan(node),
    };
  if (isScalar(node)) {
    const v = node.value;
    const value =
      v === null || v === undefined
        ? null
        : typeof v === "string" || typeof v === "number" || typeof v === "boolean"
          ? v
          : // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar's other values (bigint, Date) print as themselves
            String(v);

    return { kind: "scalar", value, span: yamlSpan(node) };
  }
  return { kind: "scalar", value: null, span: yamlSpan(node) };
}

/** The same tree placed at `span` (an alias), its keys included, so nothing points at the anchor. */
function withSpan(node: TreeNode, span: Span): TreeNode {
  if (node.kind === "object")
    return {
      kind: "object",
      span,
      entries: node.entries.map((e) => ({ key: e.key, keySpan: span, value: withSpan(e.value, span) })),
    };
  if (node.kind === "array") return { kind: "array", span, items: node.items.map((i) => withSpan(i, span)) };
  return { ...node, span };
}

/** The node at `path` (object keys and array indexes), and the entry holding it when it is a value. */
export function nodeAt(
  root: TreeNode,
  path: readonly (string | number)[],
): { node: TreeNode; entry?: TreeEntry } | undefined {
  let node = root;
  let entry: TreeEntry | undefined;
  for (const step of path) {
    if (node.kind === "object" && typeof step === "string") {
      entry = node.entries.find((e) => e.key === step);
      if (!entry) return undefined;
      node = entry.value;
    } else if (node.kind === "array" && typeof step === "number") {
      const next = node.items[step];
      if (!next) return undefined;
      node = next;
      entry = undefined;
    } else return undefined;
  }
  return entry ? { node, entry } : { node };
}
