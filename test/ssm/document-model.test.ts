import { expect } from "chai";
import {
  analyzeDocument,
  parseDocumentContent,
  platformTypesOf,
  describeParameters,
  DocumentContentError,
  AWS_OWNED_DOCUMENTS,
} from "../../src/ssm/index.js";

const steps = (...actions: Array<[string, string?]>) =>
  actions.map(([action, os], i) => ({
    action,
    name: `s${i}`,
    inputs: {},
    ...(os ? { precondition: { StringEquals: ["platformType", os] } } : {}),
  }));

function problem(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).to.be.instanceOf(DocumentContentError);
    return (e as Error).message;
  }
}

describe("ssm/document-model", () => {
  it("derives PlatformTypes from plugins and platformType preconditions", () => {
    expect(platformTypesOf({ mainSteps: steps(["aws:runShellScript"]) }, "Command")).to.deep.equal(["Linux", "MacOS"]);
    expect(platformTypesOf({ mainSteps: steps(["aws:runPowerShellScript"]) }, "Command")).to.deep.equal([
      "Windows",
      "Linux",
    ]);
    expect(platformTypesOf({ mainSteps: steps(["aws:runShellScript", "Linux"]) }, "Command")).to.deep.equal(["Linux"]);
    expect(platformTypesOf({ mainSteps: steps(["aws:runShellScript", "Windows"]) }, "Command")).to.deep.equal([]);
    expect(platformTypesOf({ mainSteps: steps(["aws:psModule"], ["aws:runShellScript"]) }, "Command")).to.deep.equal([
      "Windows",
      "Linux",
      "MacOS",
    ]);
    expect(platformTypesOf({ runtimeConfig: { "aws:runShellScript": {} } }, "Command")).to.deep.equal([
      "Linux",
      "MacOS",
    ]);
    expect(platformTypesOf({ mainSteps: steps(["aws:sleep"]) }, "Automation")).to.deep.equal(["Windows", "Linux"]);
  });

  it("rejects unknown plugins and actions, per document type", () => {
    expect(
      problem(() => analyzeDocument({ schemaVersion: "2.2", mainSteps: steps(["aws:runShelScript"]) }, "Command")),
    ).to.equal('Unknown action "aws:runShelScript" in step "s0".');
    expect(
      problem(() => analyzeDocument({ schemaVersion: "0.3", mainSteps: steps(["aws:runShellScript"]) }, "Automation")),
    ).to.match(/^Unknown action/);
    expect(
      problem(() => analyzeDocument({ schemaVersion: "0.3", mainSteps: steps(["aws:executeAwsApi"]) }, "Automation")),
    ).to.equal(undefined);
    expect(
      problem(() => analyzeDocument({ schemaVersion: "1.2", runtimeConfig: { runtimeConfig: {} } }, "Command")),
    ).to.equal('Unknown plugin "runtimeConfig" in runtimeConfig.');
  });

  it("treats null parameter fields as absent, and describes defaults as text", () => {
    const a = analyzeDocument(
      {
        schemaVersion: "2.2",
        parameters: {
          p: { type: "StringList", default: null, allowedValues: null },
          n: { type: "Integer", default: 5 },
        },
        mainSteps: steps(["aws:runShellScript"]),
      },
      "Command",
    );
    expect(describeParameters(a.parameters)).to.deep.equal([
      { Name: "p", Type: "StringList" },
      { Name: "n", Type: "Integer", DefaultValue: "5" },
    ]);
  });

  it("checks references, parameter types and strict Command parameter types", () => {
    const doc = (parameters: Record<string, unknown>, command = "echo {{ p }}") => ({
      schemaVersion: "2.2",
      parameters,
      mainSteps: [{ action: "aws:runShellScript", name: "r", inputs: { runCommand: [command] } }],
    });
    expect(problem(() => analyzeDocument(doc({}), "Command"))).to.equal('Parameter "p" is not declared.');
    expect(
      problem(() =>
        analyzeDocument(doc({ p: { type: "String" } }, "echo {{p}} {{ ssm:/a/b }} {{ step.Output }}"), "Command"),
      ),
    ).to.equal(undefined);
    expect(problem(() => analyzeDocument(doc({ p: { type: "Array" } }), "Command"))).to.equal(
      'Parameter "p" has an unsupported type "Array".',
    );
    expect(problem(() => analyzeDocument(doc({ p: { type: "Boolean", default: "yes" } }), "Command"))).to.equal(
      'Parameter "p" has a default value that is not a Boolean.',
    );
    expect(
      problem(() =>
        analyzeDocument(doc({ p: { type: "StringMap" } }), "Command", { strictCommandParameterTypes: true }),
      ),
    ).to.match(/only String and StringList/);
  });

  it("reports where JSON and YAML stop parsing, and rejects unresolvable YAML tags", () => {
    expect(problem(() => parseDocumentContent('{\n "a": 1,\n}', "JSON"))).to.equal(
      "JSON not well-formed. at Line: 3, Column: 1",
    );
    expect(problem(() => parseDocumentContent("a: !Ref Thing\n", "YAML"))).to.match(
      /^YAML not well-formed\. at Line: 1/,
    );
    expect(problem(() => parseDocumentContent("[1, 2]", "JSON"))).to.match(/must be an object/);
    expect(parseDocumentContent("anything", "TEXT")).to.equal(undefined);
  });

  it("accepts every AWS-owned catalog document under its own rules", () => {
    for (const doc of AWS_OWNED_DOCUMENTS)
      expect(
        problem(() => analyzeDocument(doc.content, doc.documentType)),
        doc.name,
      ).to.equal(undefined);
  });
});
