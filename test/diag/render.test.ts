import { expect } from "chai";
import {
  SourceRegistry,
  renderDiagnostic,
  error,
  rangeFromOffsets,
  didYouMean,
  diagnosticsToJson,
  editDistance,
} from "../../src/diag/index.js";

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

  it("counts a transposition of two adjacent characters as one edit (optimal string alignment)", () => {
    expect(editDistance("nmae", "name")).to.equal(1);
    expect(editDistance("assocaition", "association")).to.equal(1);
    expect(editDistance("ab", "ba")).to.equal(1);
    expect(editDistance("ca", "abc")).to.equal(3);
    expect(editDistance("kitten", "sitting")).to.equal(3);
    expect(editDistance("", "abc")).to.equal(3);
    expect(didYouMean("nmae", ["name", "tags"])).to.equal("name");
    expect(didYouMean("scheduel", ["schedule", "name"])).to.equal("schedule");
  });

  it("shows a window of a long line around the caret, at most 120 columns", () => {
    const text = "x = " + "a".repeat(500) + "!" + "b".repeat(500) + "\n";
    const sources = new SourceRegistry();
    sources.add("long.state", text);
    const at = text.indexOf("!");
    const out = renderDiagnostic(
      error("syntax/invalid-character", "Invalid character", {
        range: rangeFromOffsets("long.state", text, at, at + 1),
      }),
      sources,
    ).split("\n");
    expect(out[1]).to.equal(" --> long.state:1:505");
    const line = out[3]!.slice("1 | ".length);
    const caret = out[4]!.slice("  | ".length);
    expect(line.length).to.be.at.most(122);
    expect(line.startsWith("…") && line.endsWith("…")).to.equal(true);
    expect(line[caret.indexOf("^")]).to.equal("!");
  });

  it("suggests near misses but not distant words", () => {
    expect(didYouMean("assocation", ["association", "document"])).to.equal("association");
    expect(didYouMean("zzz", ["association", "document"])).to.equal(undefined);
  });

  it("serialises diagnostics with counts and a format version", () => {
    const j = diagnosticsToJson([error("config/invalid-argument", "bad")]);
    expect(j).to.include({ format_version: "1.0", valid: false, error_count: 1, warning_count: 0 });
  });
});
