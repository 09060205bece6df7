import { expect } from "chai";
import fc from "fast-check";
import { sameDocumentContent, sameValue, UNKNOWN } from "../../src/index.js";
import { stableJson, writeStableJson } from "../../src/plan/index.js";

describe("plan/compare", () => {
  it("compares document content by meaning: JSON and YAML of the same document are equal", () => {
    const json =
      '{"schemaVersion":"2.2","mainSteps":[{"action":"aws:runShellScript","name":"a","inputs":{"runCommand":["echo hi"]}}]}';
    const pretty = JSON.stringify(JSON.parse(json), null, 4);
    const yaml =
      'schemaVersion: "2.2"\nmainSteps:\n  - action: aws:runShellScript\n    name: a\n    inputs:\n      runCommand:\n        - echo hi\n';
    expect(sameDocumentContent(json, pretty)).to.equal(true);
    expect(sameDocumentContent(json, yaml)).to.equal(true);
    expect(sameDocumentContent(json, yaml.replace("echo hi", "echo ho"))).to.equal(false);
    expect(sameDocumentContent("plain text\n", "plain text")).to.equal(true);
    expect(sameDocumentContent("plain text", "other text")).to.equal(false);
  });

  it("treats left-out values as the rule's default, and empty maps and lists as unset", () => {
    expect(sameValue(null, "$DEFAULT", { change: "update", default: "$DEFAULT" })).to.equal(true);
    expect(sameValue(undefined, {}, { change: "update" })).to.equal(true);
    expect(sameValue([], null, { change: "update" })).to.equal(true);
    expect(sameValue("rate(1 day)", "rate(2 days)", { change: "update" })).to.equal(false);
  });

  it("ignores key order, honours unordered sets, and never equates unknown values", () => {
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).to.equal(true);
    expect(sameValue(["1", "2"], ["2", "1"], { change: "update", unordered: true })).to.equal(true);
    expect(sameValue(["1", "2"], ["2", "1"], { change: "update" })).to.equal(false);
    expect(sameValue(UNKNOWN, "x")).to.equal(false);
    expect(sameValue({ a: UNKNOWN }, { a: "x" })).to.equal(false);
  });

  it("writeStableJson hands out exactly stableJson's text in pieces (the configuration digest streams it)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.option(fc.jsonValue(), { nil: undefined })), (v, o) => {
        for (const value of [v, o, [v, undefined, o], { z: v, a: o, m: undefined }]) {
          const pieces: string[] = [];
          writeStableJson(value, (p) => pieces.push(p));
          expect(pieces.join("")).to.equal(stableJson(value));
        }
      }),
    );
  });
});
