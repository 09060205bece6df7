/**
 * The formatter behind `statectl fmt`. It works on tokens, like HCL's `hclwrite`, so that nothing
 * but whitespace between tokens ever changes: comments stay on the line where they were, and the
 * text of strings, templates and heredocs is copied byte for byte. The parsed AST only answers
 * questions the tokens can't (is this `-` unary? is this `(` a call? which `=` belong to
 * attributes that line up?).
 *
 * Canonical style: two-space indentation by bracket depth; one space around binary operators,
 * `=`, `=>`, `?` and `:`; none inside `( )` and `[ ]`, one inside a one-line `{ }`; `=` aligned
 * within a run of consecutive single-line attributes (and object items); at most one blank line
 * anywhere, none just inside brackets, exactly one between sibling blocks; no trailing
 * whitespace; one newline at the end.
 *
 * Lines are never joined or split, so a formatted file keeps the author's line structure.
 * As a last safety net the result is parsed again and compared with the input (ignoring ranges);
 * if the meaning differs the input is returned untouched with an internal-error diagnostic.
 */
import type { IToken } from "chevrotain";
import type { Diagnostic } from "../diag/diagnostic.js";
import { error, hasErrors } from "../diag/diagnostic.js";
import type { Body, Node } from "./ast.js";
import { stripRanges } from "./ast.js";
import { lexFile } from "./lexer.js";
import { defined } from "../diag/invariant.js";

import { parseFile } from "./parse.js";

export interface FormatResult {
  /** The formatted text; absent when the input has syntax errors (then `diagnostics` says why). */
  formatted?: string;
  diagnostics: Diagnostic[];
}

export interface FormatOptions {
  /**
   * The text is a variables file (`*.statevars`: top-level `name = value` lines), where top-level
   * attributes are expected rather than an error. Default: true when `fileName` ends `.statevars`.
   */
  varsFile?: boolean;
}

/** Formats one file. Never throws; a file with syntax errors comes back without `formatted`. */
export function formatSource(text: string, fileName: string, options: FormatOptions = {}): FormatResult {
  const varsFile = options.varsFile ?? fileName.endsWith(".statevars");
  const parse = (t: string) => {
    const r = parseFile(t, fileName);
    return varsFile ? { ...r, diagnostics: r.diagnostics.filter((d) => d.code !== "syntax/unexpected-attribute") } : r;
  };
  const parsed = parse(text);
  if (hasErrors(parsed.diagnostics) || !parsed.body) return { diagnostics: parsed.diagnostics };
  const lexed = lexFile(text, fileName);
  const formatted = formatParsed(text, parsed.body, lexed.tokens, lexed.comments);

  // Safety net: the formatter may only move whitespace. Anything else is a formatter bug, and the
  // user's file must not pay for it.
  if (formatted !== text) {
    const again = parse(formatted);
    const again2 = lexFile(formatted, fileName);
    const sameMeaning =
      !hasErrors(again.diagnostics) &&
      again.body !== undefined &&
      JSON.stringify(stripRanges(again.body)) === JSON.stringify(stripRanges(parsed.body)) &&
      JSON.stringify(commentTexts(again2.comments)) === JSON.stringify(commentTexts(lexed.comments));
    if (!sameMeaning) {
      return {
        diagnostics: [
          error("fmt/internal-error", `Cannot format ${fileName} safely`, {
            detail:
              "Formatting this file would change its meaning, which is a bug in statectl fmt; the file was left as it is.",
            hint: "please report this file as a bug",
          }),
        ],
      };
    }
  }
  return { formatted, diagnostics: parsed.diagnostics };
}

function commentTexts(comments: readonly IToken[]): string[] {
  return comments.map((c) => c.image.replace(/[ \t\r]+$/, ""));
}

// ---------------------------------------------------------------------------------------------
// Atoms: the tokens the formatter places. A whole quoted template or heredoc is one atom, so
// nothing inside it is ever touched.

type AtomKind =
  | "word"
  | "keyword"
  | "number"
  | "string"
  | "heredoc"
  | "open"
  | "close"
  | "comma"
  | "dot"
  | "ellipsis"
  | "assign"
  | "colon"
  | "op"
  | "lineComment"
  | "blockComment";

interface Atom {
  kind: AtomKind;
  text: string;
  /** Offsets into the source, end exclusive. */
  start: number;
  end: number;
  /** `-` or `!` used as a prefix operator. */
  unary?: boolean;
  /** `(` that opens a function call's arguments. */
  call?: boolean;
  /** `:` separating an object key from its value (`{ a: 1 }`). */
  objectSeparator?: boolean;
  /** `=` of an attribute or object item whose line is aligned with its neighbours' (group id). */
  alignGroup?: number;
}

const KIND_BY_TOKEN: Record<string, AtomKind> = {
  Ident: "word",
  True: "word",
  False: "word",
  Null: "word",
  For: "word",
  In: "word",
  If: "word",
  NumberLit: "number",
  StringLit: "string",
  LBrace: "open",
  LBracket: "open",
  LParen: "open",
  RBrace: "close",
  RBracket: "close",
  RParen: "close",
  Comma: "comma",
  Dot: "dot",
  Ellipsis: "ellipsis",
  Equals: "assign",
  Colon: "colon",
  LineComment: "lineComment",
  BlockComment: "blockComment",
};

function buildAtoms(text: string, tokens: readonly IToken[], comments: readonly IToken[]): Atom[] {
  const atoms: Atom[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = defined(tokens[i], "a token of the file");
    const name = tok.tokenType.name;
    const start = tok.startOffset;
    if (name === "NewLine") continue;
    if (name === "OQuote" || name === "HeredocStart") {
      // Swallow everything up to the matching close, counting nested templates in interpolations.
      const open = name;
      const close = name === "OQuote" ? "CQuote" : "HeredocEnd";
      let depth = 0;
      let j = i;
      for (let t = tokens[j]; t !== undefined; t = tokens[++j]) {
        const n = t.tokenType.name;
        if (n === open) depth++;
        else if (n === close && --depth === 0) break;
      }
      const last = defined(tokens[Math.min(j, tokens.length - 1)], "the token closing the string");
      const end = endOffset(last) + 1;
      atoms.push({ kind: name === "OQuote" ? "string" : "heredoc", text: text.slice(start, end), start, end });
      i = j;
      continue;
    }
    const end = endOffset(tok) + 1;
    atoms.push({ kind: KIND_BY_TOKEN[name] ?? "op", text: text.slice(start, end), start, end });
  }
  for (const c of comments) {
    const start = c.startOffset;
    let body = text.slice(start, endOffset(c) + 1);
    const kind: AtomKind = c.tokenType.name === "BlockComment" ? "blockComment" : "lineComment";
    if (kind === "lineComment") body = body.replace(/[ \t\r]+$/, "");
    atoms.push({ kind, text: body, start, end: start + body.length });
  }
  atoms.sort((a, b) => a.start - b.start);
  return atoms;
}

/** The scanner sets every token's end (Chevrotain's type leaves it optional). */
function endOffset(tok: IToken): number {
  return defined(tok.endOffset, "the token's end offset");
}

/** Index of the first atom whose start is in [from, to) and that satisfies `pred`, or -1. */
function findAtom(atoms: readonly Atom[], from: number, to: number, pred: (a: Atom) => boolean): number {
  let lo = 0;
  let hi = atoms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (defined(atoms[mid], "the atom in the middle of the search").start < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; ; i++) {
    const atom = atoms[i];
    if (atom === undefined || atom.start >= to) return -1;
    if (pred(atom)) return i;
  }
}

function findAtomAt(atoms: readonly Atom[], offset: number): Atom | undefined {
  const i = findAtom(atoms, offset, offset + 1, () => true);
  return i < 0 ? undefined : atoms[i];
}

// ---------------------------------------------------------------------------------------------
// What the AST tells us about the atoms.

interface Lines {
  /** 1-based line of each offset, by binary search over line starts. */
  lineOf(offset: number): number;
}

function lineIndex(text: string): Lines {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return {
    lineOf(offset: number): number {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (defined(starts[mid], "the start of the line in the middle of the search") <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    },
  };
}

/** Sibling blocks, as pairs of (end offset of the first, start offset of the second). */
interface BlockPair {
  firstEnd: number;
  secondStart: number;
}

function annotate(body: Body, atoms: Atom[], lines: Lines): BlockPair[] {
  const pairs: BlockPair[] = [];
  let nextGroup = 1;

  const alignRun = (eqAtoms: { atom: Atom; startLine: number; endLine: number; isLineStart: boolean }[]) => {
    let run: Atom[] = [];
    let lastLine = -2;
    const flush = () => {
      if (run.length > 1) {
        const g = nextGroup++;
        for (const a of run) a.alignGroup = g;
      }
      run = [];
    };
    for (const item of eqAtoms) {
      const eligible = item.startLine === item.endLine && item.isLineStart;
      if (!eligible) {
        flush();
        lastLine = -2;
        continue;
      }
      if (item.startLine !== lastLine + 1) flush();
      run.push(item.atom);
      lastLine = item.endLine;
    }
    flush();
  };

  const isFirstOnLine = (offset: number): boolean => {
    const i = findAtom(atoms, offset, offset + 1, () => true);
    const before = i > 0 ? atoms[i - 1] : undefined;
    if (before === undefined) return true;
    return lines.lineOf(before.end) !== lines.lineOf(offset);
  };

  const visitBody = (b: Body) => {
    const run: { atom: Atom; startLine: number; endLine: number; isLineStart: boolean }[] = [];
    for (const [k, item] of b.items.entries()) {
      const prev = b.items[k - 1];
      if (item.type === "Block" && prev?.type === "Block")
        pairs.push({ firstEnd: prev.range.end.offset, secondStart: item.range.start.offset });
      if (item.type === "Attribute") {
        const assign =
          atoms[findAtom(atoms, item.nameRange.end.offset, item.range.end.offset, (a) => a.kind === "assign")];
        if (assign)
          run.push({
            atom: assign,
            startLine: item.range.start.line,
            endLine: item.range.end.line,
            isLineStart: isFirstOnLine(item.nameRange.start.offset),
          });
      } else {
        alignRun(run.splice(0));
      }
    }
    alignRun(run);
  };

  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const n = node as Node & Record<string, unknown>;
    switch (n.type) {
      case "Body":
        visitBody(n);
        break;
      case "Template":
        return; // atomic: nothing inside a template is formatted
      case "Unary": {
        const a = findAtomAt(atoms, n.range.start.offset);
        if (a && a.kind === "op") a.unary = true;
        break;
      }
      case "FunctionCall": {
        const a = findAtomAt(atoms, n.openParenRange.start.offset);
        if (a) a.call = true;
        break;
      }
      case "Object": {
        const run: { atom: Atom; startLine: number; endLine: number; isLineStart: boolean }[] = [];
        for (const item of n.items) {
          const sep =
            atoms[
              findAtom(
                atoms,
                item.key.range.end.offset,
                item.range.end.offset,
                (a) => a.kind === "assign" || a.kind === "colon",
              )
            ];
          if (!sep) continue;

          if (sep.kind === "colon") {
            sep.objectSeparator = true;
            alignRun(run.splice(0));
            continue;
          }
          run.push({
            atom: sep,
            startLine: item.range.start.line,
            endLine: item.range.end.line,
            isLineStart: isFirstOnLine(item.range.start.offset),
          });
        }
        alignRun(run);
        break;
      }
      case "ForTuple":
      case "ForObject": {
        const end = n.range.end.offset;
        const markKeyword = (from: number, word: string) => {
          const atom = atoms[findAtom(atoms, from, end, (a) => a.kind === "word" && a.text === word)];
          if (atom) atom.kind = "keyword";
        };
        markKeyword(n.range.start.offset, "for");
        markKeyword(n.valueVar.range.end.offset, "in");
        if (n.cond) markKeyword(n.value.range.end.offset, "if");
        break;
      }
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === "range" || k.endsWith("Range")) continue;
      if (v !== null && typeof v === "object") visit(v);
    }
  };

  visit(body);
  return pairs;
}

// ---------------------------------------------------------------------------------------------
// Layout

/** Atoms that can end an expression: a following `[` indexes it, a following `(` calls it. */
function endsExpression(a: Atom): boolean {
  return a.kind === "word" || a.kind === "number" || a.kind === "string" || a.kind === "close";
}

function spaceBetween(prev: Atom, next: Atom): string {
  if (next.kind === "comma") return "";
  if (next.kind === "close" && next.text !== "}" && prev.kind !== "blockComment") return "";
  if (next.kind === "lineComment" || next.kind === "blockComment" || prev.kind === "blockComment") return " ";
  if (prev.kind === "comma") return " ";
  if (prev.kind === "dot" || next.kind === "dot" || next.kind === "ellipsis") return "";
  if (prev.kind === "open") return prev.text === "{" && !(next.kind === "close" && next.text === "}") ? " " : "";
  if (next.kind === "close") return next.text === "}" ? " " : "";
  if (prev.unary) return "";
  if (next.kind === "colon" && next.objectSeparator) return "";
  if (next.kind === "open") {
    if (next.text === "(") return next.call ? "" : " ";
    if (next.text === "[") return endsExpression(prev) ? "" : " ";
  }
  return " ";
}

interface Line {
  atoms: Atom[];
  /** Blank lines to print before this line (0 or 1). */
  blank: number;
  indent: number;
}

function formatParsed(text: string, body: Body, tokens: readonly IToken[], comments: readonly IToken[]): string {
  const atoms = buildAtoms(text, tokens, comments);
  if (atoms.length === 0) return "";
  const lines = lineIndex(text);
  const blockPairs = annotate(body, atoms, lines);

  // Group atoms into output lines: a newline in the gap before an atom starts a new line.
  const out: Line[] = [];
  const lineOfAtom = new Map<Atom, number>();
  let prevEnd = 0;
  for (const atom of atoms) {
    const gap = text.slice(prevEnd, atom.start);
    let newlines = 0;
    for (let i = 0; i < gap.length; i++) if (gap.charCodeAt(i) === 10) newlines++;
    let line = out.at(-1);
    if (line === undefined || newlines > 0) {
      line = { atoms: [], blank: Math.min(1, Math.max(0, newlines - 1)), indent: 0 };
      out.push(line);
    }
    line.atoms.push(atom);
    lineOfAtom.set(atom, out.length - 1);
    prevEnd = atom.end;
  }
  const [firstLine] = out;
  if (firstLine) firstLine.blank = 0;

  // Indentation: one level per line that left brackets open; a line starting with closers
  // dedents itself. Brackets opened on the same line count once.
  const open: number[] = [];
  const levels = () => {
    let n = 0;
    for (let i = 0; i < open.length; i++) if (i === 0 || open[i] !== open[i - 1]) n++;
    return n;
  };
  out.forEach((line, index) => {
    let k = 0;
    while (line.atoms[k]?.kind === "close") {
      open.pop();
      k++;
    }
    line.indent = levels();
    for (const a of line.atoms.slice(k)) {
      if (a.kind === "open") open.push(index);
      else if (a.kind === "close") open.pop();
    }
  });

  // Blank lines: none just inside brackets; exactly one between sibling blocks (placed above any
  // comments that lead into the second block).
  const isComment = (a: Atom) => a.kind === "lineComment" || a.kind === "blockComment";
  out.forEach((line, index) => {
    const prevLine = out[index - 1];
    if (prevLine === undefined) return;
    const lastCode = [...prevLine.atoms].reverse().find((a) => !isComment(a));
    if (lastCode?.kind === "open") line.blank = 0;
    if (line.atoms[0]?.kind === "close") line.blank = 0;
  });
  for (const pair of blockPairs) {
    const firstEndAtom = atoms[findAtom(atoms, pair.firstEnd - 1, pair.firstEnd, () => true)];
    const secondAtom = findAtomAt(atoms, pair.secondStart);
    if (!firstEndAtom || !secondAtom) continue;
    const from = defined(lineOfAtom.get(firstEndAtom), "the line of an atom") + 1;
    const to = defined(lineOfAtom.get(secondAtom), "the line of an atom");
    const between = out.slice(from, to + 1);
    const [firstBetween] = between;
    if (firstBetween && !between.some((l) => l.blank > 0)) firstBetween.blank = 1;
  }

  // Render each line's atoms, then pad the `=` of aligned runs.
  const rendered: { line: Line; parts: string[] }[] = out.map((line) => {
    const parts: string[] = [];
    line.atoms.forEach((a, i) => {
      const before = line.atoms[i - 1];
      parts.push(before === undefined ? "" : spaceBetween(before, a));
      parts.push(a.text);
    });
    return { line, parts };
  });
  const widths = new Map<number, number>();
  const keyWidth = ({ line, parts }: { line: Line; parts: string[] }, atom: Atom): number =>
    parts.slice(0, line.atoms.indexOf(atom) * 2).join("").length;
  for (const r of rendered) {
    for (const a of r.line.atoms) {
      if (a.alignGroup === undefined) continue;
      widths.set(a.alignGroup, Math.max(widths.get(a.alignGroup) ?? 0, keyWidth(r, a)));
    }
  }
  for (const r of rendered) {
    r.line.atoms.forEach((a, pos) => {
      if (a.alignGroup === undefined || pos === 0) return;
      const pad = defined(widths.get(a.alignGroup), "the width of an align group") - keyWidth(r, a) + 1;
      r.parts[pos * 2] = " ".repeat(pad);
    });
  }

  const result: string[] = [];
  rendered.forEach(({ line, parts }, i) => {
    if (i > 0) result.push(line.blank > 0 ? "\n\n" : "\n");
    result.push("  ".repeat(line.indent) + parts.join(""));
  });
  return result.join("") + "\n";
}
