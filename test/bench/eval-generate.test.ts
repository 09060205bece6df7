import { expect } from "chai";
import { loadConfig } from "../../src/config/index.js";
import { evaluateConfig } from "../../src/eval/index.js";
import { generateEvalConfig } from "./eval-generate.js";

describe("bench/eval-generate", () => {
  it("generates a configuration that loads and evaluates without diagnostics", () => {
    const loaded = loadConfig({ files: { "main.state": generateEvalConfig(20, 5) } });
    const evaluated = evaluateConfig(loaded.config);
    expect([...loaded.diagnostics, ...evaluated.diagnostics]).to.deep.equal([]);
    expect(evaluated.resources).to.have.length(26);
  });
});
