import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grammarDiagramsHtml } from "../../src/syntax/diagrams.js";
import { golden } from "../support/golden.js";

const committed = fileURLToPath(new URL("../../../grammar/diagrams.html", import.meta.url));
const ebnf = fileURLToPath(new URL("../../../grammar/grammar.ebnf", import.meta.url));

describe("grammar/diagrams.html", () => {
  it("is what the parser generates (UPDATE_GOLDENS=1 npm test regenerates it)", () => {
    const html = grammarDiagramsHtml();
    golden(committed, html);
  });

  it("has a rule in grammar.ebnf for every parser rule", () => {
    const text = readFileSync(ebnf, "utf8");
    const rules = [...html().matchAll(/"name":\s*"([A-Za-z]+)"/g)].map((m) => m[1]!);
    const defined = new Set([...text.matchAll(/^([A-Za-z]+)\s*::=/gm)].map((m) => m[1]!));
    const parserRules = [...new Set(rules)].filter((r) => /^[a-z]/.test(r));
    expect(parserRules.length).to.be.greaterThan(10);
    expect(parserRules.filter((r) => !defined.has(r))).to.deep.equal([]);
  });
});

function html(): string {
  return grammarDiagramsHtml();
}
