// The parser's compact ranges (SourceRange): they read, serialize and hash as the plain
// `{ file, start, end }` form does, and diagnostics never hand one to a caller.
import { expect } from "chai";
import { error, rangeBetween, SourceRange, spanRanges, warning, type Range } from "../../src/diag/index.js";
import { stableJson, writeStableJson } from "../../src/plan/compare.js";
import { parseSource } from "../../src/index.js";

const plain = (file: string, a: [number, number, number], b: [number, number, number]): Range => ({
  file,
  start: { line: a[0], column: a[1], offset: a[2] },
  end: { line: b[0], column: b[1], offset: b[2] },
});

describe("diag: compact source ranges", () => {
  const compact = new SourceRange("main.state", 2, 3, 20, 4, 1, 41);

  it("reads and serializes as the plain form", () => {
    expect(compact.start).to.deep.equal({ line: 2, column: 3, offset: 20 });
    expect(compact.end).to.deep.equal({ line: 4, column: 1, offset: 41 });
    expect(JSON.parse(JSON.stringify({ range: compact }))).to.deep.equal({
      range: plain("main.state", [2, 3, 20], [4, 1, 41]),
    });
  });

  it("hashes as the plain form (stableJson, writeStableJson)", () => {
    const same = plain("main.state", [2, 3, 20], [4, 1, 41]);
    expect(stableJson({ at: compact })).to.equal(stableJson({ at: same }));
    let streamed = "";
    writeStableJson({ at: compact }, (piece) => (streamed += piece));
    expect(streamed).to.equal(stableJson({ at: same }));
  });

  it("spans and gaps from compact and plain ranges alike", () => {
    const open = plain("main.state", [1, 10, 9], [1, 11, 10]);
    const close = new SourceRange("main.state", 3, 1, 30, 3, 2, 31);
    expect(spanRanges(open, close).toJSON()).to.deep.equal(plain("main.state", [1, 10, 9], [3, 2, 31]));
    expect(rangeBetween(open, close).toJSON()).to.deep.equal(plain("main.state", [1, 11, 10], [3, 1, 30]));
    expect(spanRanges(compact, close).toJSON()).to.deep.equal(plain("main.state", [2, 3, 20], [3, 2, 31]));
  });

  it("gives diagnostics plain ranges, which a caller can copy with a spread", () => {
    const d = error("eval/invalid-count", "Invalid count argument", { range: compact, context: compact });
    expect(d.range).not.to.be.instanceOf(SourceRange);
    expect(d.context).not.to.be.instanceOf(SourceRange);
    expect({ ...d.range, file: "other.state" }).to.deep.equal(plain("other.state", [2, 3, 20], [4, 1, 41]));
    expect(warning("plan/no-targets", "x", { range: compact }).range).to.deep.equal(compact.toJSON());
  });

  it("is what the parser gives AST nodes, one object per range", () => {
    const parsed = parseSource('document "hello" {\n  name = "Hello"\n}\n', "main.state");
    const block = parsed.body?.items[0];
    if (block?.type !== "Block") throw new Error("expected a block");
    const attr = block.body.items[0];
    if (attr?.type !== "Attribute") throw new Error("expected an attribute");
    for (const r of [block.range, block.typeRange, block.body.range, attr.range, attr.nameRange, attr.expr.range])
      expect(r).to.be.instanceOf(SourceRange);
    expect(JSON.parse(JSON.stringify(attr.range))).to.deep.equal(plain("main.state", [2, 3, 21], [2, 17, 35]));
    expect(JSON.parse(JSON.stringify(block.body.range))).to.deep.equal(plain("main.state", [1, 19, 18], [3, 1, 36]));
  });
});
