/**
 * Template files for `templatefile`: literal text with `${ expr }` interpolations and the
 * `%{ if cond }…%{ else }…%{ endif }` and `%{ for x in coll }…%{ endfor }` directives (also
 * `%{ for k, v in coll }`), with `~` strip markers (`${~ x ~}`, `%{~ endfor ~}`) that remove
 * the whitespace next to them, and `$${` / `%%{` for literal `${` / `%{`. Expressions are parsed
 * with the language's parser and see only the variables given to `templatefile` and the
 * built-in functions.
 */
import type { Diagnostic } from "../diag/index.js";
import { defined, positionAt } from "../diag/index.js";
import { parseExpression, type Expression } from "../syntax/index.js";
import { convert, conversionMessage } from "./convert.js";
import { evaluate } from "./evaluate.js";
import { FunctionError, type FunctionContext } from "./functions/index.js";
import { T, typeFriendly } from "./types.js";
import { Value } from "./value.js";

type Node =
  | { kind: "text"; text: string }
  | { kind: "interp"; expr: Expression; offset: number }
  | { kind: "if"; cond: Expression; offset: number; then: Node[]; else: Node[] }
  | { kind: "for"; keyVar?: string; valueVar: string; coll: Expression; offset: number; body: Node[] };

class TemplateError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Finds the `}` that closes a `${`/`%{` opened just before `start`, skipping strings and nested braces. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++;
        else if (text[i] === "$" && text[i + 1] === "{") {
          i = closingBrace(text, i + 2);
          if (i < 0) return -1;
        }
        i++;
      }
    } else if (ch === "{") depth++;
    else if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
    i++;
  }
  return -1;
}

interface Token {
  kind: "text" | "interp" | "directive";
  text: string;
  /** Where the token's content starts (after `${`/`%{` and any `~`). */
  offset: number;
  /** Where the token starts (at `$`/`%` for interpolations and directives). */
  start: number;
  stripBefore: boolean;
  stripAfter: boolean;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let lit = "";
  let litStart = 0;
  let i = 0;
  const flush = () => {
    if (lit)
      out.push({ kind: "text", text: lit, offset: litStart, start: litStart, stripBefore: false, stripAfter: false });
    lit = "";
  };
  while (i < text.length) {
    const two = text.slice(i, i + 3);
    if (two === "$${" || two === "%%{") {
      if (!lit) litStart = i;
      lit += two.slice(1);
      i += 3;
      continue;
    }
    if ((text[i] === "$" || text[i] === "%") && text[i + 1] === "{") {
      flush();
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new TemplateError(`"${text[i]}{" is never closed with "}"`, i);
      let inner = text.slice(i + 2, end);
      let innerOffset = i + 2;
      const stripBefore = inner.startsWith("~");
      if (stripBefore) {
        inner = inner.slice(1);
        innerOffset++;
      }
      const stripAfter = inner.endsWith("~");
      if (stripAfter) inner = inner.slice(0, -1);
      out.push({
        kind: text[i] === "$" ? "interp" : "directive",
        text: inner,
        offset: innerOffset,
        start: i,
        stripBefore,
        stripAfter,
      });
      i = end + 1;
      litStart = i;
      continue;
    }
    if (!lit) litStart = i;
    lit += text.charAt(i);
    i++;
  }
  flush();
  // Strip markers remove the whitespace (including line breaks) of the neighbouring literal.
  for (const [k, t] of out.entries()) {
    if (t.kind === "text") continue;
    const prev = out[k - 1];
    const next = out[k + 1];
    if (t.stripBefore && prev?.kind === "text") prev.text = prev.text.replace(/\s+$/, "");
    if (t.stripAfter && next?.kind === "text") next.text = next.text.replace(/^\s+/, "");
  }
  return out;
}

function parseExpr(text: string, offset: number, fileName: string): Expression {
  const p = parseExpression(text, fileName);
  if (!p.expr) {
    const d = p.diagnostics[0];
    throw new TemplateError(
      `${d?.summary ?? "invalid expression"}${d?.detail ? ` (${d.detail})` : ""}`,
      offset + (d?.range?.start.offset ?? 0),
    );
  }
  return p.expr;
}

/** Builds the node tree; `until` names the directives that end the current sequence. */
function build(
  tokens: Token[],
  pos: { i: number },
  fileName: string,
  until: readonly string[],
): { nodes: Node[]; ended?: string; endOffset: number } {
  const nodes: Node[] = [];
  while (pos.i < tokens.length) {
    const t = defined(tokens[pos.i], "the next token");
    pos.i++;
    if (t.kind === "text") {
      nodes.push({ kind: "text", text: t.text });
      continue;
    }
    if (t.kind === "interp") {
      nodes.push({ kind: "interp", expr: parseExpr(t.text, t.offset, fileName), offset: t.offset });
      continue;
    }
    const d = t.text.trim();
    const word = /^[a-z]+/.exec(d)?.[0] ?? "";
    if (until.includes(word)) {
      if (d !== word) throw new TemplateError(`"%{ ${word} }" takes nothing after "${word}"`, t.start);
      return { nodes, ended: word, endOffset: t.start };
    }
    if (word === "if") {
      const condOffset = t.offset + t.text.indexOf("if") + 2;
      const cond = parseExpr(t.text.slice(t.text.indexOf("if") + 2), condOffset, fileName);
      const first = build(tokens, pos, fileName, ["else", "endif"]);
      if (!first.ended) throw new TemplateError('"%{ if }" has no matching "%{ endif }"', t.start);
      let elseNodes: Node[] = [];
      if (first.ended === "else") {
        const second = build(tokens, pos, fileName, ["endif"]);
        if (!second.ended) throw new TemplateError('"%{ else }" has no matching "%{ endif }"', first.endOffset);
        elseNodes = second.nodes;
      }
      nodes.push({ kind: "if", cond, offset: condOffset, then: first.nodes, else: elseNodes });
      continue;
    }
    if (word === "for") {
      const m = /^for\s+([A-Za-z_][A-Za-z0-9_-]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_-]*)\s*)?\s+in\s+([\s\S]+)$/.exec(d);
      if (!m)
        throw new TemplateError(
          'a for directive is written "%{ for x in collection }" or "%{ for k, v in collection }"',
          t.start,
        );
      const [, firstVar, secondVar] = m;
      const collText = defined(m[3], "the collection the pattern requires").trimEnd();
      const valueOrKeyVar = defined(firstVar, "the variable the pattern requires");
      const collOffset = t.offset + t.text.lastIndexOf(collText);
      const coll = parseExpr(t.text.slice(t.text.lastIndexOf(collText)), collOffset, fileName);
      const body = build(tokens, pos, fileName, ["endfor"]);
      if (!body.ended) throw new TemplateError('"%{ for }" has no matching "%{ endfor }"', t.start);
      nodes.push(
        secondVar
          ? { kind: "for", keyVar: valueOrKeyVar, valueVar: secondVar, coll, offset: collOffset, body: body.nodes }
          : { kind: "for", valueVar: valueOrKeyVar, coll, offset: collOffset, body: body.nodes },
      );
      continue;
    }
    if (word === "else" || word === "endif" || word === "endfor")
      throw new TemplateError(`"%{ ${word} }" without a matching opening directive`, t.start);
    throw new TemplateError(`unknown directive "%{ ${d} }"; directives are if, else, endif, for and endfor`, t.start);
  }
  return { nodes, endOffset: -1 };
}

/** Renders `text` as a template; problems become a FunctionError on the call, naming the template's line and column. */
export function renderTemplate(
  text: string,
  fileName: string,
  vars: ReadonlyMap<string, Value>,
  ctx: FunctionContext,
): Value {
  const where = (offset: number) => {
    const p = positionAt(text, offset);
    return `${fileName}:${p.line}:${p.column}`;
  };
  let nodes: Node[];
  try {
    nodes = build(tokenize(text), { i: 0 }, fileName, []).nodes;
  } catch (e) {
    if (e instanceof TemplateError)
      throw new FunctionError(`the template has a syntax error at ${where(e.offset)}: ${e.message}.`, 0);
    throw e;
  }
  const nested: FunctionContext = {
    ...ctx,
    renderTemplate: () => {
      throw new FunctionError("templatefile cannot be called from inside a template.");
    },
  };
  // A declaration (not an arrow) typed `never`, so the checker knows nothing runs after a call.
  function fail(d: Diagnostic | string, offset: number): never {
    const msg = typeof d === "string" ? d : `${d.summary}${d.detail ? `: ${d.detail}` : ""}`;
    throw new FunctionError(`rendering the template failed at ${where(offset)}: ${msg}`, 1);
  }
  // Set inside render(), which goes on after an unknown value to report any error further on.
  const found = { unknown: false };
  let sensitive = false;
  const ev = (expr: Expression, scope: ReadonlyMap<string, Value>, offset: number): Value => {
    const r = evaluate(expr, {
      variables: scope,
      functionContext: nested,
      explainMissingRoot: (name) =>
        `The template has no variable named "${name}"; pass it in templatefile's second argument.`,
    });
    const [problem] = r.diagnostics;
    if (problem !== undefined) fail(problem, offset + (problem.range?.start.offset ?? 0));
    sensitive ||= r.value.sensitive;
    return r.value;
  };
  const render = (list: readonly Node[], scope: ReadonlyMap<string, Value>): string => {
    let out = "";
    for (const n of list) {
      if (n.kind === "text") out += n.text;
      else if (n.kind === "interp") {
        const v = ev(n.expr, scope, n.offset);
        if (v.isNull) fail("the expression result is null, and a template cannot include null", n.offset);
        if (!v.isKnown) {
          found.unknown = true;
          continue;
        }
        const c = convert(v, T.string);
        if (c.error)
          fail(`cannot include ${typeFriendly(v.type)} in a template (${conversionMessage(c.error)})`, n.offset);
        out += c.value.unmark().asString();
      } else if (n.kind === "if") {
        const c = ev(n.cond, scope, n.offset);
        const b = c.isNull ? undefined : convert(c, T.bool);
        if (!b || b.error) fail("the if condition must be true or false", n.offset);
        if (!b.value.isKnown) {
          found.unknown = true;
          continue;
        }
        out += render(b.value.unmark().asBool() ? n.then : n.else, scope);
      } else {
        const coll = ev(n.coll, scope, n.offset);
        if (!coll.isKnown) {
          found.unknown = true;
          continue;
        }
        if (coll.isNull || (!coll.isSequence && !coll.isMapping))
          fail(
            `a for directive needs a list, set, tuple, map or object, not ${coll.isNull ? "null" : typeFriendly(coll.type)}`,
            n.offset,
          );
        const pairs: [Value, Value][] = coll.isSequence
          ? coll.elements().map((e, i) => [Value.number(i), e])
          : [...coll.entries()].map(([k, e]) => [Value.string(k), e]);
        for (const [k, v] of pairs) {
          const inner = new Map(scope);
          if (n.keyVar) inner.set(n.keyVar, k);
          inner.set(n.valueVar, v);
          out += render(n.body, inner);
        }
      }
    }
    return out;
  };
  const s = render(nodes, vars);
  return (found.unknown ? Value.unknown(T.string) : Value.string(s)).mark(sensitive);
}
