import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/index.js";
import { evaluateConfig } from "../../src/eval/configeval.js";
import { renderDiagnostics } from "../../src/diag/index.js";
import { toNative } from "../../src/eval/value.js";

const example = fileURLToPath(new URL("../../../examples/fleets/", import.meta.url));

describe("examples/fleets", () => {
  it("loads and evaluates cleanly, with instances for each fleet and each canary", () => {
    const loaded = loadConfig({ dir: example }, { env: {} });
    const evaluated = evaluateConfig(loaded.config);
    const diags = [...loaded.diagnostics, ...evaluated.diagnostics];
    expect(diags, renderDiagnostics(diags, loaded.config.sources)).to.deep.equal([]);
    expect(evaluated.resources.map((r) => r.addressText)).to.deep.equal([
      "association.canary[0]",
      "association.canary[1]",
      'association.fleet["blue"]',
      'association.fleet["green"]',
      "document.install_nginx",
    ]);
    const doc = evaluated.resources.find((r) => r.kind === "document")!;
    expect(toNative(doc.attrs.entries().get("content")!))
      .to.contain("        - apt-get install -y nginx\n        - apt-get install -y curl\n        - sed")
      .and.contain("listen 8080");
    expect(evaluated.state.path).to.equal("statectl.dev.state.json");
  });

  it("takes --var over dev.auto.statevars and checks the validation", () => {
    const prod = evaluateConfig(loadConfig({ dir: example }, { vars: ["environment=prod", "canaries=0"] }).config);
    expect(prod.diagnostics).to.deep.equal([]);
    expect(prod.resources.filter((r) => r.name === "canary")).to.have.length(0);
    const bad = evaluateConfig(loadConfig({ dir: example }, { vars: ["environment=qa"] }).config);
    expect(bad.diagnostics.map((d) => d.code)).to.deep.equal(["eval/variable-validation"]);
  });
});
