import { expect } from "chai";
import fc from "fast-check";
import { parseFile, lexFile, stripRanges } from "../../src/syntax/index.js";

const fragments = [
  "association",
  "document",
  "locals",
  "targets",
  '"x"',
  '"a ${',
  "}",
  "{",
  "[",
  "]",
  "(",
  ")",
  "=",
  "==",
  ":",
  "?",
  ",",
  "...",
  ".",
  "*",
  "+",
  "-",
  "!",
  "&&",
  "||",
  "<=",
  "for",
  "in",
  "if",
  "=>",
  "1",
  "2.5e3",
  "true",
  "null",
  "var",
  "x",
  "<<EOT\n",
  "<<-EOT\n",
  "EOT",
  "\n",
  " ",
  "\t",
  "# c\n",
  "// c\n",
  "/*",
  "*/",
  "${",
  "$${",
  "%{",
  "\\",
  '"',
  "@",
  "\u0000",
  "é",
];

/** Every node of a (possibly partial) AST has a finite range inside the text, start before end. */
function checkRanges(node: unknown, text: string): void {
  if (Array.isArray(node)) {
    node.forEach((n) => checkRanges(n, text));
    return;
  }
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (typeof o.file === "string" && o.start && o.end) {
    const r = o as unknown as {
      start: { offset: number; line: number; column: number };
      end: { offset: number; line: number; column: number };
    };
    const ok =
      Number.isFinite(r.start.line + r.start.column + r.end.line + r.end.column) &&
      r.start.offset >= 0 &&
      r.start.offset <= r.end.offset &&
      r.end.offset <= text.length;
    expect(ok, JSON.stringify(o)).to.equal(true);
    return;
  }
  if (typeof o.type === "string") expect(o.range, `${o.type} has a range`).to.be.an("object");
  for (const v of Object.values(o)) checkRanges(v, text);
}

function checkParse(text: string): void {
  const r = parseFile(text, "p.state");
  checkRanges(r.body, text);
  for (const d of r.diagnostics) {
    expect(d.code).to.match(/^syntax\//);
    if (d.range) {
      expect(
        Number.isFinite(d.range.start.line) &&
          Number.isFinite(d.range.start.column) &&
          Number.isFinite(d.range.start.offset),
        JSON.stringify(d),
      ).to.equal(true);
      expect(d.range.start.offset).to.be.within(0, text.length);
      expect(d.range.end.offset).to.be.within(d.range.start.offset, text.length);
    }
  }
}

describe("syntax/properties", () => {
  it("never throws on arbitrary strings, and every diagnostic has a finite, in-bounds range", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), checkParse), { numRuns: 300 });
  });

  it("never throws on token soup", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 80 }), (parts) => checkParse(parts.join(" "))),
      { numRuns: 500 },
    );
  });

  it("never throws on token soup without separators (tokens glued together)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 80 }), (parts) => checkParse(parts.join(""))),
      { numRuns: 500 },
    );
  });

  it("turns deep nesting of every kind into a diagnostic, not a stack overflow", () => {
    const openers = ["[", "{a=", "(", '"${', "!", "-", "a ? b : ", "x {\n", "1 + "];
    fc.assert(
      fc.property(fc.constantFrom(...openers), fc.integer({ min: 150, max: 5000 }), fc.boolean(), (open, n, closed) => {
        const closer = { "[": "]", "{a=": "}", "(": ")", '"${': '}"', "x {\n": "}\n" }[open] ?? "";
        const inner = open.repeat(n) + (open === "x {\n" ? "a = 1\n" : "1") + (closed ? closer.repeat(n) : "");
        const text = open === "x {\n" ? "locals {\n" + inner + "\n}\n" : "locals {\n a = " + inner + "\n}\n";
        const r = parseFile(text, "deep.state");
        const codes = r.diagnostics.map((d) => d.code);
        // An unclosed template hides later parser errors (they would be follow-on errors).
        if (!closed && open === '"${') expect(new Set(codes)).to.deep.equal(new Set(["syntax/unterminated-string"]));
        else expect(codes).to.include("syntax/too-deep");
      }),
      { numRuns: 30 },
    );
  });

  it("counts long index/attribute/splat chains towards the nesting limit, so the AST stays walkable", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("[x]", ".*", "[*]", "[*].a"),
        fc.constantFrom("a", "f()"),
        fc.integer({ min: 150, max: 20000 }),
        (step, base, n) => {
          const r = parseFile("locals {\n  v = " + base + step.repeat(n) + "\n}\n", "chain.state");
          expect(r.diagnostics.map((d) => d.code)).to.deep.equal(["syntax/too-deep"]);
          expect(() => JSON.stringify(stripRanges(r.body))).to.not.throw();
        },
      ),
      { numRuns: 20 },
    );
    const long = parseFile("locals {\n  v = a" + ".b".repeat(20000) + "\n}\n", "static.state");
    expect(long.diagnostics).to.deep.equal([]);
  });

  it("lexes every character into tokens or comments without losing positions", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 60 }), (parts) => {
        const text = parts.join(" ");
        const r = lexFile(text, "l.state");
        let last = -1;
        for (const t of [...r.tokens, ...r.comments].sort((a, b) => a.startOffset - b.startOffset)) {
          expect(t.startOffset).to.be.at.least(last);
          expect(text.slice(t.startOffset, t.endOffset! + 1)).to.equal(t.image);
          last = t.startOffset;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("parses the same structure regardless of blank lines and comments between items", () => {
    const base = 'association "a" {\n  name = "x"\n  targets {\n    key = "k"\n  }\n}\n';
    const noisy =
      '# head\n\nassociation "a" { // open\n\n  name = "x" /* c */\n  # mid\n  targets {\n    key = "k" # end\n  }\n\n}\n\n';
    expect(stripRanges(parseFile(noisy, "a").body)).to.deep.equal(stripRanges(parseFile(base, "a").body));
  });
});
