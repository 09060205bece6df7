import type { Diagnostic } from "../diag/diagnostic.js";
import { error, sortDiagnostics } from "../diag/diagnostic.js";
import type { Body, Expression } from "./ast.js";
import type { IToken } from "chevrotain";
import { lexFile, scanColumns, type LexResult } from "./lexer.js";
import { CLOSERS, MAX_NESTING, OPENERS, StateParser } from "./parser.js";
import { NewLine } from "./tokens.js";
import { parseWellFormed } from "./wellformed.js";

export interface ParseResult {
  /**
   * The parsed body. Present even when there are errors: items that failed to parse are left
   * out, everything else is there (useful for editors). Check `diagnostics` before trusting it.
   */
  body?: Body;
  /** Syntax diagnostics, sorted by position; `syntax/*` codes (docs/diagnostics.md). */
  diagnostics: Diagnostic[];
}

/** At most this many diagnostics per file; a final `syntax/too-many-errors` says how many more. */
export const MAX_SYNTAX_DIAGNOSTICS = 25;

let sharedParser: StateParser | undefined;

/** The parser instance (built once: grammar analysis happens on construction). */
export function getParser(): StateParser {
  sharedParser ??= new StateParser();
  return sharedParser;
}

/**
 * Parses one `.state` file. Never throws for any input: every problem is a diagnostic with the
 * file, line and column. `fileName` is used in ranges only; nothing is read from disk.
 * A file without errors is parsed by the well-formed path (wellformed.ts); any other file, or
 * one that path gives up on, by the Chevrotain parser, which builds the same AST and reports.
 */
export function parseFile(text: string, fileName: string): ParseResult {
  const scanned = scanColumns(text, fileName, { comments: false });
  if (scanned.diagnostics.length === 0) {
    const body = parseWellFormed(scanned.tokens, text, fileName);
    if (body) return { body, diagnostics: [] };
  }
  const tokens = new Array<IToken>(scanned.tokens.count);
  for (let i = 0; i < tokens.length; i++) tokens[i] = scanned.tokens.token(i, text);
  return parseWithRecovery({ tokens, comments: scanned.comments, diagnostics: scanned.diagnostics }, text, fileName);
}

/**
 * parseFile without its well-formed path: the Chevrotain parser, which reports every problem
 * and recovers from it. Exported for the tests that compare the two paths.
 */
export function parseFileWithRecovery(text: string, fileName: string): ParseResult {
  return parseWithRecovery(lexFile(text, fileName), text, fileName);
}

function parseWithRecovery(lexed: LexResult, text: string, fileName: string): ParseResult {
  const parser = getParser();
  let body: Body | undefined;
  let parseDiags: Diagnostic[];
  try {
    body = parser.parseTokens(lexed.tokens, fileName, text);
    parseDiags = parser.diagnostics;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // The nesting limit should make this unreachable; if the stack runs out anyway, say so.
    parseDiags = [
      error("syntax/too-deep", "Nesting is too deep", {
        detail: `expressions and blocks may nest at most ${MAX_NESTING} levels`,
      }),
    ];
  }
  return { ...(body ? { body } : {}), diagnostics: combine(lexed.diagnostics, parseDiags) };
}

/**
 * Parses a single expression (for tools and tests: `statectl console`-like uses, eval tests).
 * Returns the expression only when there were no errors.
 */
export function parseExpression(text: string, fileName = "<expr>"): { expr?: Expression; diagnostics: Diagnostic[] } {
  const lexed = lexFile(text, fileName);
  // Line breaks outside any bracket don't matter in a lone expression; inside `{ }` they separate items.
  let depth = 0;
  const tokens = lexed.tokens.filter((t) => {
    if (OPENERS.has(t.tokenType)) depth++;
    else if (CLOSERS.has(t.tokenType) && depth > 0) depth--;
    return depth > 0 || t.tokenType !== NewLine;
  });
  const parser = getParser();
  try {
    const { expr, diagnostics } = parser.parseExpressionTokens(tokens, fileName, text);
    const all = combine(lexed.diagnostics, diagnostics);
    return all.some((d) => d.severity === "error") || !expr ? { diagnostics: all } : { expr, diagnostics: all };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return {
      diagnostics: [
        error("syntax/too-deep", "Nesting is too deep", {
          detail: `expressions may nest at most ${MAX_NESTING} levels`,
        }),
      ],
    };
  }
}

/**
 * Merges lexer and parser diagnostics without cascades: once the lexer reports an unterminated
 * string/heredoc/comment, everything after it is suspect, so later parser errors are dropped;
 * a parser error on a line where the lexer already complained is dropped too.
 */
function combine(lexDiags: Diagnostic[], parseDiags: Diagnostic[]): Diagnostic[] {
  const unterminated = lexDiags
    .filter((d) => d.code.startsWith("syntax/unterminated-"))
    .map((d) => d.range?.start.offset ?? 0);
  const firstUnterminated = unterminated.length ? Math.min(...unterminated) : Infinity;
  const lexLines = new Set(lexDiags.map((d) => `${d.range?.start.line}`));
  const kept = parseDiags.filter((d) => {
    const at = d.range?.start.offset ?? 0;
    if (at > firstUnterminated) return false;
    if (lexLines.has(`${d.range?.start.line}`)) return false;
    return true;
  });
  const all = sortDiagnostics([...lexDiags, ...kept]);
  if (all.length <= MAX_SYNTAX_DIAGNOSTICS) return all;
  const shown = all.slice(0, MAX_SYNTAX_DIAGNOSTICS);
  shown.push(
    error("syntax/too-many-errors", `Too many syntax errors; ${all.length - MAX_SYNTAX_DIAGNOSTICS} more not shown`, {
      detail: "fix the errors above and run again to see the rest",
    }),
  );
  return shown;
}
