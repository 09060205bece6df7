import { expect } from "chai";
import { SourceRegistry, renderDiagnostic, error, rangeFromOffsets, didYouMean, diagnosticsToJson } from "../../src/diag/index.js";

describe("diag/render", () => {
  it("shows the file, line, column and a caret under the exact range", () => {
    const text = 'association "a" {\n  targets }\n}\n';
    const sources = new SourceRegistry();
    sources.add("main.state", text);
    const at = text.indexOf("}");
    const d = error("syntax/unexpected-token", 'Unexpected "}"', {
      range: rangeFromOffsets("main.state", text, at, at + 1),
      detail: 'expected "=" or "{" after "targets"',
      hint: "an argument needs a value: targets = …",
    });
    expect(renderDiagnostic(d, sources)).to.equal(
      [
        'error[syntax/unexpected-token]: Unexpected "}"',
        " --> main.state:2:11",
        "  |",
        "2 |   targets }",
        '  |           ^ expected "=" or "{" after "targets"',
        "  |",
        "  = hint: an argument needs a value: targets = …",
      ].join("\n"),
    );
  });

  it("suggests near misses but not distant words", () => {
    expect(didYouMean("assocation", ["association", "document"])).to.equal("association");
    expect(didYouMean("zzz", ["association", "document"])).to.equal(undefined);
  });

  it("serialises diagnostics with counts and a format version", () => {
    const j = diagnosticsToJson([error("x/y", "bad")]);
    expect(j).to.include({ format_version: 1, valid: false, error_count: 1, warning_count: 0 });
  });
});
