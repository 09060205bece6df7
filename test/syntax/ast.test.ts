import { expect } from "chai";
import { references, referenceText, stripRanges, type Expression } from "../../src/syntax/ast.js";
import type { Range } from "../../src/diag/range.js";

const r: Range = { file: "t.state", start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };

describe("syntax/ast helpers", () => {
  it("lists references without evaluating, leaving out for-expression variables", () => {
    const expr: Expression = {
      type: "ForTuple",
      valueVar: { name: "x", range: r },
      collection: {
        type: "ScopeTraversal",
        root: "var",
        rootRange: r,
        traversal: [{ type: "AttrStep", name: "names", range: r }],
        range: r,
      },
      value: {
        type: "Binary",
        op: "+",
        opRange: r,
        left: { type: "ScopeTraversal", root: "x", rootRange: r, traversal: [], range: r },
        right: {
          type: "ScopeTraversal",
          root: "document",
          rootRange: r,
          traversal: [
            { type: "AttrStep", name: "base", range: r },
            { type: "IndexStep", key: 0, range: r },
          ],
          range: r,
        },
        range: r,
      },
      range: r,
    };
    expect(references(expr).map(referenceText)).to.deep.equal(["var.names", "document.base[0]"]);
  });

  it("strips every range for structural comparison", () => {
    const e: Expression = { type: "Literal", value: 1, range: r };
    expect(stripRanges({ type: "Attribute", name: "a", nameRange: r, expr: e, range: r })).to.deep.equal({
      type: "Attribute",
      name: "a",
      expr: { type: "Literal", value: 1 },
    });
  });
});
