import { expect } from "chai";
import fc from "fast-check";
import { formatSource } from "../../src/syntax/format.js";
import { parseFile } from "../../src/syntax/parse.js";
import { lexFile } from "../../src/syntax/lexer.js";
import { stripRanges } from "../../src/syntax/ast.js";

// Random valid configurations, printed with random (but legal) whitespace, blank lines and
// comments. The properties: fmt is idempotent, keeps every comment, and never changes meaning.

const ws = fc.constantFrom("", " ", "  ", "\t");
/** At least one space: needed around `-` (`a-b` is one identifier in HCL) and between words. */
const ws1 = fc.constantFrom(" ", "  ", "\t ");
const name = fc.constantFrom("a", "b", "name", "values", "max_errors", "key-with-dash", "x1", "in", "if");
const commentText = fc.stringMatching(/^[a-z0-9 =#{}"'[\]/-]{0,12}$/).map((s) => s.replace(/\*\//g, ""));
const lineComment = fc.tuple(fc.constantFrom("#", "//"), commentText).map(([p, t]) => p + t);
const blockComment = commentText.map((t) => `/*${t.replace(/\*/g, "")}*/`);
const trailing = fc.option(
  fc.tuple(ws1, fc.oneof(lineComment, blockComment)).map(([s, c]) => s + c),
  { nil: "" },
);

const reference = fc
  .tuple(
    fc.constantFrom("var", "local", "each", "count", "document", "association"),
    fc.array(fc.constantFrom("x", "name", "key", "index", "id"), { minLength: 1, maxLength: 3 }),
  )
  .map(([root, steps]) => [root, ...steps].join("."));

const stringChar = fc.constantFrom("a", "b", " ", "-", "}", "\\n", '\\"', "\\\\", "$${", "%%{", "é", ":");
const templatePart = fc.oneof(
  { weight: 3, arbitrary: stringChar },
  { weight: 1, arbitrary: fc.tuple(ws, reference, ws).map(([a, r, b]) => "${" + a + r + b + "}") },
);
const quoted = fc.array(templatePart, { maxLength: 6 }).map((parts) => `"${parts.join("").replace(/\$$/, "")}"`);
const number = fc.oneof(fc.nat(100000).map(String), fc.constantFrom("1.5", "2e3", "0.25"));
const literal = fc.oneof(number, fc.constantFrom("true", "false", "null"), quoted);

type Gen = fc.Arbitrary<string>;

const { expr } = fc.letrec<{ expr: string; simple: string }>((tie) => ({
  simple: fc.oneof(literal, reference),
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: tie("simple") },
    // binary: always spaced, so that `a - b` never becomes the identifier `a-b`
    fc
      .tuple(
        tie("simple"),
        ws1,
        fc.constantFrom("+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"),
        ws1,
        tie("expr"),
      )
      .map((p) => p.join("")),
    fc.tuple(fc.constantFrom("-", "!"), ws, fc.oneof(number, reference)).map((p) => p.join("")),
    fc
      .tuple(tie("simple"), ws1, tie("expr"), ws1, tie("expr"))
      .map(([c, s1, a, s2, b]) => `${c}${s1}?${s1}${a}${s2}:${s2}${b}`),
    fc.tuple(ws, tie("expr"), ws).map(([a, e, b]) => `(${a}${e}${b})`),
    fc
      .tuple(
        fc.constantFrom("upper", "concat", "length", "merge"),
        ws,
        fc.array(tie("expr"), { maxLength: 3 }),
        fc.boolean(),
        ws,
      )
      .map(
        ([f, s, args, expand, s2]) => `${f}(${s}${args.join("," + s)}${expand && args.length > 0 ? "..." : ""}${s2})`,
      ),
    // tuples, on one line or one item per line with optional trailing comma
    fc
      .tuple(fc.array(tie("expr"), { maxLength: 4 }), fc.boolean(), fc.boolean(), ws)
      .map(([items, multi, comma, s]) =>
        multi && items.length > 0
          ? `[\n${items.map((i) => s + i).join(",\n")}${comma ? "," : ""}\n]`
          : `[${s}${items.join("," + s)}]`,
      ),
    // objects, on one line or one item per line
    fc
      .tuple(
        fc.array(fc.tuple(name, ws, fc.constantFrom("=", ":"), ws, tie("expr")), { maxLength: 4 }),
        fc.boolean(),
        ws,
      )
      .map(([items, multi, s]) => {
        const rendered = items.map(
          ([k, s1, sep, s2, v]) => `${k}${sep === ":" ? "" : s1 || " "}${sep}${s2 || " "}${v}`,
        );
        return multi && items.length > 0
          ? `{\n${rendered.map((i) => s + i).join("\n")}\n}`
          : `{${s}${rendered.join("," + s)}${s}}`;
      }),
    fc
      .tuple(ws, reference, ws, tie("expr"), fc.option(tie("simple"), { nil: undefined }))
      .map(([s, coll, s2, value, cond]) => `[${s}for v in ${coll}${s2}:${s2}${value}${cond ? ` if ${cond}` : ""}]`),
    fc
      .tuple(ws, reference, ws, tie("simple"))
      .map(([s, coll, s2, value]) => `{${s}for k, v in ${coll}${s2}:${s2}k => ${value}}`),
    fc.tuple(reference, fc.constantFrom("[0]", '["k"]', "[*].id", ".*.id", "[var.i]")).map(([r, s]) => r + s),
  ),
}));

const heredoc = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(fc.stringMatching(/^[ a-z:"-]{0,10}$/), fc.boolean()), { maxLength: 3 }))
  .map(([indent, lines]) => {
    const body = lines.map(([l, interp]) => (indent ? "    " : "") + l + (interp ? "${var.x}" : "")).join("\n");
    return `<<${indent ? "-" : ""}EOT\n${body}${lines.length ? "\n" : ""}${indent ? "  " : ""}EOT`;
  });

const indent = fc.constantFrom("", " ", "  ", "    ", "\t");
const blank = fc.constantFrom("", "", "\n", "\n\n");

const attribute = fc
  .tuple(indent, name, ws, ws, fc.oneof({ weight: 8, arbitrary: expr }, { weight: 1, arbitrary: heredoc }), trailing)
  .map(([i, n, s1, s2, e, t]) => `${i}${n}${s1}=${s2 || " "}${e}${e.startsWith("<<") ? "" : t}`);

function blockArb(types: readonly string[], depth: number): Gen {
  return fc
    .tuple(
      indent,
      fc.constantFrom(...types),
      fc.array(fc.constantFrom('"a"', '"web_1"', '"x y"'), { maxLength: 2 }),
      ws1,
      trailing,
      bodyArb(depth + 1),
      indent,
    )
    .map(([i, type, labels, s, t, b, i2]) => `${i}${[type, ...labels].join(s)}${s}{${t}\n${b}${i2}}`);
}

/** A body: attributes and blocks (blocks nest up to three deep), with blank lines and comments between. */
function bodyArb(depth: number): Gen {
  const item =
    depth >= 3
      ? attribute
      : fc.oneof(
          { weight: 3, arbitrary: attribute },
          { weight: 1, arbitrary: blockArb(["targets", "nested", "association", "in"], depth) },
        );
  return fc
    .array(
      fc.tuple(
        blank,
        fc.option(
          fc.tuple(indent, lineComment).map(([i, c]) => `${i}${c}\n`),
          { nil: "" },
        ),
        item,
      ),
      { maxLength: depth === 0 ? 4 : 3 },
    )
    .map((items) => items.map(([b, c, it]) => `${b}${c}${it}\n`).join(""));
}

/**
 * A whole file. Named `.statevars` in the properties so top-level attributes are allowed next
 * to (valid) top-level blocks.
 */
export const file: Gen = fc
  .array(
    fc.tuple(
      blank,
      fc.option(
        fc.tuple(indent, lineComment).map(([i, c]) => `${i}${c}\n`),
        { nil: "" },
      ),
      fc.oneof(attribute, blockArb(["association", "document", "locals", "variable", "output"], 0)),
    ),
    { maxLength: 4 },
  )
  .map((items) => items.map(([b, c, it]) => `${b}${c}${it}\n`).join(""));

const FILE = "p.statevars";

function errors(text: string): string[] {
  return parseFile(text, FILE)
    .diagnostics.filter((d) => d.severity === "error" && d.code !== "syntax/unexpected-attribute")
    .map((d) => `${d.code} ${d.range?.start.line}:${d.range?.start.column} ${d.summary}`);
}

function meaning(text: string): unknown {
  return { body: stripRanges(parseFile(text, FILE).body), errors: errors(text) };
}

function comments(text: string): string[] {
  return lexFile(text, "p.state").comments.map((c) => c.image.replace(/[ \t\r]+$/, ""));
}

describe("syntax/format properties (fast-check)", () => {
  it("the generator produces valid configurations", () => {
    fc.assert(
      fc.property(file, (text) => {
        expect(errors(text), text).to.deep.equal([]);
      }),
      { numRuns: 300 },
    );
  });

  it("fmt never changes meaning or comments, and is idempotent", () => {
    fc.assert(
      fc.property(file, (text) => {
        const once = formatSource(text, FILE);
        expect(once.diagnostics, text).to.deep.equal([]);
        const formatted = once.formatted!;
        expect(meaning(formatted)).to.deep.equal(meaning(text));
        expect(comments(formatted)).to.deep.equal(comments(text));
        expect(formatSource(formatted, FILE).formatted).to.equal(formatted);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws, and never formats text that has syntax errors", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          file.map((b) => b.replace(/[=}"]/, "")),
        ),
        (text) => {
          const r = formatSource(text, FILE);
          if (errors(text).length > 0) expect(r.formatted).to.equal(undefined);
          else expect(r.formatted).to.be.a("string");
        },
      ),
      { numRuns: 300 },
    );
  });
});
