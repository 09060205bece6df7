/**
 * The SSM checks of `statectl validate` (issue 6): every evaluated `document` and `association`
 * against what the SSM API would accept (src/ssm/resource-rules.ts), with each problem placed on
 * the argument, nested-block field, map key or part of a string it is about. Offline; runs after
 * the configuration step found no errors.
 */
import type { Diagnostic, Range } from "../diag/index.js";
import type { ValidationStep } from "./commands/validate.js";
import type { VariableOptions } from "./validate-config.js";
import type { Expression } from "../syntax/index.js";
import type { ResourceDecl } from "../config/index.js";
import type { EvaluatedResource } from "../eval/index.js";
import type { ManagedDocument, ResourceProblem } from "../ssm/resource-rules.js";

export function ssmValidationStep(dir: string, opts: VariableOptions, env: Readonly<Record<string, string | undefined>>): ValidationStep {
  return {
    name: "ssm",
    async run(files): Promise<Diagnostic[]> {
      const { loadConfig } = await import("../config/index.js");
      const { evaluateConfig } = await import("../eval/index.js");
      const loaded = loadConfig({ dir, parsed: files }, { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env });
      if (loaded.diagnostics.some((d) => d.severity === "error")) return [];
      const evaluated = evaluateConfig(loaded.config);
      if (evaluated.diagnostics.some((d) => d.severity === "error")) return [];
      return checkResources(evaluated.resources, loaded.config.resources);
    },
  };
}

/** Runs the SSM rules over evaluated resources; `decls` (by `kind.name`) gives the source ranges. */
export async function checkResources(resources: readonly EvaluatedResource[], decls: ReadonlyMap<string, ResourceDecl>): Promise<Diagnostic[]> {
  const { checkAssociation, checkDocument, UNKNOWN_VALUE } = await import("../ssm/resource-rules.js");
  const { toNative } = await import("../eval/index.js");
  const { error, warning } = await import("../diag/index.js");
  const native = (r: EvaluatedResource) => toNative(r.attrs, { unknown: UNKNOWN_VALUE }) as Record<string, unknown>;
  const managed = new Map<string, ManagedDocument>();
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (r: EvaluatedResource, problems: readonly ResourceProblem[]) => {
    const decl = decls.get(`${r.kind}.${r.name}`);
    for (const p of problems) {
      const range = decl ? rangeOf(decl, p) : r.ranges.block;
      const make = p.severity === "error" ? error : warning;
      const d = make(p.code, p.summary, { detail: p.detail, range, context: r.ranges.block, ...(p.hint ? { hint: p.hint } : {}) });
      const key = JSON.stringify([d.code, d.detail, range.file, range.start.offset, range.end.offset]);
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
  };
  for (const r of resources) {
    if (r.kind !== "document") continue;
    const { problems, document } = checkDocument(native(r));
    report(r, problems);
    if (document) managed.set(document.name, document);
  }
  for (const r of resources) if (r.kind === "association") report(r, checkAssociation(native(r), managed));
  return diagnostics;
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
    let expr = unwrap(attribute.expr);
    if (rest.length === 0) return p.span ? spanInside(expr, p.span) ?? expr.range : expr.range;
    const key = rest[0];
    if (expr.type === "Object" && typeof key === "string") {
      const item = expr.items.find((i) => staticKey(i.key) === key);
      if (item) return p.onKey ? item.key.range : unwrap(item.value).range;
    }
    return expr.range;
  }
  const blocks = decl.blocks.get(head);
  if (blocks && blocks.length > 0) {
    const index = typeof rest[0] === "number" ? rest[0] : 0;
    const block = blocks[index] ?? blocks[0]!;
    const field = rest.find((s): s is string => typeof s === "string");
    const a = field ? block.body.items.find((i) => i.type === "Attribute" && i.name === field) : undefined;
    return a && a.type === "Attribute" ? a.expr.range : block.range;
  }
  return decl.nameRange;
}

function staticKey(e: Expression): string | undefined {
  const k = unwrap(e);
  if (k.type === "Literal") return String(k.value);
  if (k.type === "Template" && k.parts.every((part) => part.type === "TemplateLiteral")) return k.parts.map((part) => (part as { value: string }).value).join("");
  return undefined;
}

/** A sub-range of a plain quoted string whose source is exactly its value (no escapes, no interpolation). */
function spanInside(expr: Expression, span: { start: number; end: number }): Range | undefined {
  if (expr.type === "Literal") {
    const r = expr.range;
    if (typeof expr.value !== "string" || r.start.line !== r.end.line || r.end.offset - r.start.offset !== expr.value.length + 2) return undefined;
    const at = (offset: number) => ({ line: r.start.line, column: r.start.column + 1 + offset, offset: r.start.offset + 1 + offset });
    return { file: r.file, start: at(span.start), end: at(Math.max(span.end, span.start + 1)) };
  }
  if (expr.type !== "Template" || expr.heredoc || expr.parts.length !== 1) return undefined;
  const part = expr.parts[0]!;
  if (part.type !== "TemplateLiteral") return undefined;
  const { start, end } = part.range;
  if (end.offset - start.offset !== part.value.length || start.line !== end.line) return undefined;
  const at = (offset: number) => ({ line: start.line, column: start.column + offset, offset: start.offset + offset });
  return { file: part.range.file, start: at(span.start), end: at(Math.max(span.end, span.start + 1)) };
}
