import { expect } from "chai";
import { defined, InvariantError } from "../../src/diag/index.js";

describe("diag: invariants", () => {
  it("passes a present value through, falsy ones included", () => {
    expect(defined(0, "a count")).to.equal(0);
    expect(defined("", "a name")).to.equal("");
    expect(defined(null, "a slot")).to.equal(null);
  });

  it("throws an InvariantError naming what was missing", () => {
    expect(() => defined(undefined, "the node of `a.b`")).to.throw(InvariantError, "the node of `a.b` is missing");
  });
});
