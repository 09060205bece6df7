import { expect } from "chai";
import { generateAssociations } from "./generate.js";
import { parseFile } from "../../src/syntax/parse.js";
import { formatSource } from "../../src/syntax/format.js";

// The benchmark's input must be valid (or its numbers mean nothing) and deterministic.
describe("bench: generated input", () => {
  const g = generateAssociations(300);

  it("is deterministic for a seed", () => {
    expect(generateAssociations(300).text).to.equal(g.text);
    expect(generateAssociations(300, 7).text).not.to.equal(g.text);
  });

  it("parses without diagnostics into the requested number of association blocks", () => {
    const r = parseFile(g.text, "bench.state");
    expect(r.diagnostics).to.deep.equal([]);
    expect(r.body!.items.filter((i) => i.type === "Block" && i.blockType === "association")).to.have.length(300);
  });

  it("is already in canonical format", () => {
    expect(formatSource(g.text, "bench.state").formatted).to.equal(g.text);
  });
});
