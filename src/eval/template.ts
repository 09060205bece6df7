/**
 * Rendering template files for `templatefile`: the file's text is read as a template (literal
 * text with `${ … }` interpolations), evaluated with only the given variables and the built-in
 * functions in scope.
 */
import { type Diagnostic } from "../diag/index.js";
import { parseExpression } from "../syntax/index.js";
import { evaluate } from "./evaluate.js";
import { FunctionError, type FunctionContext } from "./functions/index.js";
import { Value } from "./value.js";

/** A heredoc marker that cannot appear in the template (it is checked). */
const MARKER = "STATECTL_TEMPLATE_END";

/** Renders `text` as a template; problems become a FunctionError on the call, naming the template's line. */
export function renderTemplate(text: string, fileName: string, vars: ReadonlyMap<string, Value>, ctx: FunctionContext): Value {
  if (text.includes(MARKER)) throw new FunctionError(`the template contains the reserved word ${MARKER}.`, 0);
  const endsWithNewline = text.endsWith("\n");
  // The template is read as a heredoc body: same interpolation rules, and line 2 of the heredoc is line 1 of the file.
  const source = `<<${MARKER}\n${text}${endsWithNewline ? "" : "\n"}${MARKER}\n`;
  const parsed = parseExpression(source, fileName);
  if (!parsed.expr) throw new FunctionError(`the template ${fileName} has a syntax error: ${describe(parsed.diagnostics[0])}`, 0);
  const nested: FunctionContext = { ...ctx, renderTemplate: () => { throw new FunctionError("templatefile cannot be called from inside a template."); } };
  const r = evaluate(parsed.expr, {
    variables: vars,
    functionContext: nested,
    explainMissingRoot: (name) => `The template has no variable named "${name}"; pass it in templatefile's second argument.`,
  });
  if (r.diagnostics.length > 0) throw new FunctionError(`rendering ${fileName} failed: ${describe(r.diagnostics[0])}`, 1);
  let v = r.value;
  if (v.type.kind === "string" && v.isKnown && !endsWithNewline) {
    const s = v.unmark().asString();
    v = Value.string(s.endsWith("\n") ? s.slice(0, -1) : s).mark(v.sensitive);
  }
  return v;
}

function describe(d: Diagnostic | undefined): string {
  if (!d) return "unknown error";
  const where = d.range ? ` (line ${d.range.start.line - 1}, column ${d.range.start.column})` : "";
  return `${d.summary}${where}${d.detail ? `: ${d.detail}` : ""}`;
}
