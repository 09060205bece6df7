import { expect } from "chai";
import {
  parseExpression,
  parseFile,
  references,
  referenceText,
  stripRanges,
  lexFile,
  type Expression,
} from "../../src/syntax/index.js";

function expr(text: string): Expression {
  const r = parseExpression(text);
  expect(r.diagnostics, JSON.stringify(r.diagnostics)).to.deep.equal([]);
  return r.expr!;
}

/** A compact S-expression rendering, to state precedence and shapes in one line. */
function sx(e: Expression): string {
  switch (e.type) {
    case "Literal":
      return JSON.stringify(e.value);
    case "ScopeTraversal":
      return referenceText(e);
    case "Binary":
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case "Unary":
      return `(${e.op} ${sx(e.operand)})`;
    case "Conditional":
      return `(? ${sx(e.condition)} ${sx(e.trueExpr)} ${sx(e.falseExpr)})`;
    case "Parenthesis":
      return `(paren ${sx(e.expr)})`;
    case "FunctionCall":
      return `(call ${e.name} ${e.args.map(sx).join(" ")}${e.expandFinal ? " ..." : ""})`;
    case "GetAttr":
      return `(. ${sx(e.source)} ${e.name})`;
    case "Index":
      return `([] ${sx(e.source)} ${sx(e.key)})`;
    case "Splat":
      return `(${e.kind === "full" ? "[*]" : ".*"} ${sx(e.source)}${e.steps.map((s) => (s.type === "SplatAttrStep" ? " ." + s.name : ` [${sx(s.key)}]`)).join("")})`;
    case "Tuple":
      return `[${e.items.map(sx).join(" ")}]`;
    case "Object":
      return `{${e.items.map((i) => `${i.bareKey ? "bare:" : ""}${sx(i.key)}${i.separator}${sx(i.value)}`).join(" ")}}`;
    case "Template":
      return `(tpl${e.heredoc ? ":" + e.heredoc.marker + (e.heredoc.indent ? "-" : "") : ""} ${e.parts.map((p) => (p.type === "TemplateLiteral" ? JSON.stringify(p.value) : "${" + sx(p.expr) + "}")).join(" ")})`;
    case "ForTuple":
      return `(for [${e.keyVar ? e.keyVar.name + "," : ""}${e.valueVar.name}] ${sx(e.collection)} ${sx(e.value)}${e.cond ? " if " + sx(e.cond) : ""})`;
    case "ForObject":
      return `(for {${e.keyVar ? e.keyVar.name + "," : ""}${e.valueVar.name}} ${sx(e.collection)} ${sx(e.key)} => ${sx(e.value)}${e.grouping ? "..." : ""}${e.cond ? " if " + sx(e.cond) : ""})`;
  }
}

describe("syntax/parser expressions", () => {
  const table: [string, string][] = [
    ["1 + 2 * 3", "(+ 1 (* 2 3))"],
    ["1 * 2 + 3", "(+ (* 1 2) 3)"],
    ["a - b - c", "(- (- a b) c)"],
    ["a / b % c * d", "(* (% (/ a b) c) d)"],
    ["a || b && c", "(|| a (&& b c))"],
    ["a && b || c", "(|| (&& a b) c)"],
    ["a == b && c != d", "(&& (== a b) (!= c d))"],
    ["a < b == c >= d", "(== (< a b) (>= c d))"],
    ["a + b < c * d", "(< (+ a b) (* c d))"],
    ["!a && -b > 1", "(&& (! a) (> (- b) 1))"],
    ["- - 1", "(- (- 1))"],
    ["(a + b) * c", "(* (paren (+ a b)) c)"],
    ["a ? b : c ? d : e", "(? a b (? c d e))"],
    ["a || b ? 1 + 2 : 3", "(? (|| a b) (+ 1 2) 3)"],
    ["f()", "(call f )"],
    ["f(a, b,)", "(call f a b)"],
    ["f(a, b...)", "(call f a b ...)"],
    ['var.x.y[0]["k"]', 'var.x.y[0]["k"]'],
    ["x.0.y", "x[0].y"],
    ["x[var.i].y", "(. ([] x var.i) y)"],
    ["f(x).y[0]", "([] (. (call f x) y) 0)"],
    ["x[*].y[0].z", "([*] x .y [0] .z)"],
    ["x.*.y[0]", "([] (.* x .y) 0)"],
    ['[1, "a", true, null,]', '[1 "a" true null]'],
    ['{ a = 1, "b": 2, (c) = 3 }', '{bare:"a"=1 "b":2 (paren c)=3}'],
    ["{\n a = 1\n\n b = 2\n}", '{bare:"a"=1 bare:"b"=2}'],
    ['"a ${b} $${c} %%{d}"', '(tpl "a " ${b} " ${c} %{d}")'],
    ['"${"${x}"}"', "(tpl ${(tpl ${x})})"],
    ['[for x in xs : upper(x) if x != ""]', '(for [x] xs (call upper x) if (!= x ""))'],
    ["[for i, x in xs : i]", "(for [i,x] xs i)"],
    ["{for k, v in m : k => v}", "(for {k,v} m k => v)"],
    ["{\n for s in xs :\n s.role => s.name...\n if s.on\n}", "(for {s} xs s.role => s.name... if s.on)"],
    ["1.5e3", "1500"],
    ["in", "in"],
  ];
  for (const [input, expected] of table) {
    it(`parses ${JSON.stringify(input)}`, () => {
      expect(sx(expr(input))).to.equal(expected);
    });
  }

  it("decodes string escapes", () => {
    const e = expr('"a\\n\\t\\"\\\\\\u00e9\\U0001F600"');
    expect(e).to.include({ type: "Literal", value: 'a\n\t"\\é😀' });
  });

  it("gives every node an exact range", () => {
    const e = expr("foo(a.b, [1])");
    expect(e.range).to.deep.include({
      start: { line: 1, column: 1, offset: 0 },
      end: { line: 1, column: 14, offset: 13 },
    });
    if (e.type !== "FunctionCall") throw new Error("not a call");
    expect(e.nameRange.end.column).to.equal(4);
    expect(e.args[0]!.range.start.column).to.equal(5);
    expect(e.args[0]!.range.end.column).to.equal(8);
    expect(e.args[1]!.range.start.column).to.equal(10);
    expect(e.closeParenRange.start.column).to.equal(13);
  });
});

describe("syntax/parser heredocs", () => {
  const attr = (src: string) => {
    const r = parseFile(`locals {\n  a = ${src}\n}\n`, "h.state");
    expect(r.diagnostics).to.deep.equal([]);
    const item = r.body!.items[0]!;
    const first = item.type === "Block" ? item.body.items[0] : undefined;
    if (first?.type !== "Attribute") throw new Error("unexpected shape");
    return first.expr;
  };

  it("keeps lines verbatim, each with its newline", () => {
    expect(sx(attr("<<EOT\n  x\n${y}\nEOT"))).to.equal('(tpl:EOT "  x\\n" ${y} "\\n")');
  });

  it("removes the common indentation for <<-", () => {
    expect(sx(attr("<<-EOT\n    a\n      b ${c}\n\n    d\n    EOT"))).to.equal(
      '(tpl:EOT- "a\\n  b " ${c} "\\n\\nd\\n")',
    );
  });

  it("does not end at a line that only starts with the marker", () => {
    expect(sx(attr("<<EOT\nEOTX\nEOT"))).to.equal('(tpl:EOT "EOTX\\n")');
  });
});

describe("syntax/parser files", () => {
  it("parses the two State Manager associations from issue 2", () => {
    const text = `provider "ssm" {\n  endpoint = "local"\n}\n\nassociation "configure_cw_agent" {\n  name     = "Configure-CloudWatch-Agent"\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n  schedule = "cron(0 2 ? * SUN *)"\n}\n`;
    const r = parseFile(text, "main.state");
    expect(r.diagnostics).to.deep.equal([]);
    expect(
      r.body!.items.map((i) =>
        i.type === "Block" ? `${i.blockType} ${i.labels.map((l) => l.value).join(" ")}` : i.name,
      ),
    ).to.deep.equal(["provider ssm", "association configure_cw_agent"]);
  });

  it("reports every independent error in one run, once each", () => {
    const text = [
      "locals {",
      "  a = 1 +",
      "  b = = 2",
      "  c = [1 2]",
      "  d = )",
      "  e = 5",
      "}",
      "bogus {",
      "}",
      "",
    ].join("\n");
    const r = parseFile(text, "m.state");
    expect(r.diagnostics.map((d) => `${d.range!.start.line}:${d.range!.start.column} ${d.code}`)).to.deep.equal([
      "2:10 syntax/unexpected-token",
      "3:7 syntax/unexpected-token",
      "4:10 syntax/unexpected-token",
      "5:7 syntax/unexpected-token",
      "8:1 syntax/unknown-block-type",
    ]);
    // Items that parsed are kept.
    const locals = r.body!.items[0]!;
    expect(
      locals.type === "Block" && locals.body.items.map((i) => (i.type === "Attribute" ? i.name : "?")),
    ).to.deep.equal(["e"]);
  });

  it("says what was expected, in words, after what", () => {
    const r = parseFile('association "a" {\n  targets }\n}\n', "m.state");
    expect(r.diagnostics).to.have.length(1);
    expect(r.diagnostics[0]).to.deep.include({
      code: "syntax/unexpected-token",
      summary: 'Unexpected "}"',
      detail: 'expected "=" or "{" after "targets"',
    });
  });

  it("suggests the nearest block type", () => {
    const r = parseFile('documnet "d" {\n}\n', "m.state");
    expect(r.diagnostics[0]).to.deep.include({ code: "syntax/unknown-block-type", hint: 'did you mean "document"?' });
  });

  it("lists references of attribute expressions", () => {
    const r = parseFile(
      'association "a" {\n  name = "${var.p}-${document.d.name}"\n  ids = [for x in var.xs : x.id]\n}\n',
      "m.state",
    );
    const block = r.body!.items[0]!;
    if (block.type !== "Block") throw new Error("no block");
    const refs = block.body.items.flatMap((i) => (i.type === "Attribute" ? references(i.expr).map(referenceText) : []));
    expect(refs).to.deep.equal(["var.p", "document.d.name", "var.xs"]);
  });

  it("treats newlines inside brackets as insignificant and inside bodies as separators", () => {
    const r = parseFile("locals {\n  a = [\n    1,\n    2\n  ]\n  b = f(\n    1,\n  )\n}\n", "m.state");
    expect(r.diagnostics).to.deep.equal([]);
    expect(stripRanges(r.body)).to.have.nested.property("items[0].body.items.length", 2);
  });
});

describe("syntax/lexer", () => {
  it("returns comments separately with exact positions", () => {
    const r = lexFile("# one\na = 1 // two\n/* three\n */ b = 2\n", "c.state");
    expect(r.comments.map((c) => [c.image, c.startLine, c.startColumn, c.endLine])).to.deep.equal([
      ["# one", 1, 1, 1],
      ["// two", 2, 7, 2],
      ["/* three\n */", 3, 1, 4],
    ]);
    expect(r.tokens.map((t) => t.tokenType.name)).to.deep.equal([
      "Ident",
      "Equals",
      "NumberLit",
      "NewLine",
      "Ident",
      "Equals",
      "NumberLit",
      "NewLine",
    ]);
  });
});

describe("syntax/parser grammar", () => {
  it("passes Chevrotain's grammar validations (skipped at run time for start-up speed)", async () => {
    const { StateParser } = await import("../../src/syntax/parser.js");
    // Chevrotain throws "Parser Definition Errors detected" from the constructor on any problem.
    expect(() => new StateParser({ validate: true })).to.not.throw();
  });
});

describe("syntax/parser line endings", () => {
  it("parses CRLF files to the same AST as LF files, heredoc text included", () => {
    const lf = "locals {\n  a = <<EOT\none\ntwo\nEOT\n  b = [\n    1,\n  ]\n  c = {for k, v in m :\n    k => v}\n}\n";
    const a = parseFile(lf, "f");
    const b = parseFile(lf.replace(/\n/g, "\r\n"), "f");
    expect(a.diagnostics).to.deep.equal([]);
    expect(b.diagnostics).to.deep.equal([]);
    expect(stripRanges(b.body)).to.deep.equal(stripRanges(a.body));
  });
});

describe("syntax/parser byte-order mark", () => {
  it("ignores a leading BOM and keeps columns as an editor shows them", () => {
    const r = parseFile("\uFEFFlocals {\n  a = @\n}\n", "bom.state");
    expect(r.diagnostics.map((d) => `${d.code} ${d.range!.start.line}:${d.range!.start.column}`)).to.deep.equal([
      "syntax/invalid-character 2:7",
    ]);
    const clean = parseFile("\uFEFFlocals {\n}\n", "bom.state");
    expect(clean.diagnostics).to.deep.equal([]);
    expect(clean.body!.items[0]!.range.start).to.deep.equal({ line: 1, column: 1, offset: 1 });
  });
});

describe("syntax/parser shared instance", () => {
  it("reports the end of each file at its own position, even for files of the same length", () => {
    const a = parseFile("locals {\n\n\n", "a.state");
    const b = parseFile("locals {   ", "b.state");
    expect(a.diagnostics[0]!.range!.start).to.deep.include({ line: 1, column: 8 });
    expect(b.body!.range.end).to.deep.equal({ line: 1, column: 12, offset: 11 });
    expect(a.body!.range.end).to.deep.equal({ line: 4, column: 1, offset: 11 });
  });
});
