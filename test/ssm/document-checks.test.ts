// The content checks on their own (src/ssm/document-checks.ts): codes, paths and the exact text each
// problem's span covers.
import { expect } from "chai";
import { checkDocumentContent } from "../../src/ssm/document-checks.js";

function problems(text: string, format: "JSON" | "YAML", type: string): string[] {
  return checkDocumentContent(text, format, type).problems.map(
    (p) => `${p.severity} ${p.code} ${p.path.join("/")} ${JSON.stringify(text.slice(p.span.start, p.span.end))}`,
  );
}

describe("ssm/document-checks", () => {
  it("reads YAML anchors, aliases and merge keys as SSM does, pointing at the alias", () => {
    const text = [
      'schemaVersion: "0.3"',
      "mainSteps:",
      "  - name: a",
      "    action: aws:executeAwsApi",
      "    inputs: &api",
      "      Service: ec2",
      "      Api: DescribeInstances",
      "  - name: b",
      "    action: aws:executeAwsApi",
      "    inputs: *api",
      "  - name: c",
      "    action: aws:sleep",
      "    inputs:",
      "      <<: *api",
      "",
    ].join("\n");
    expect(problems(text, "YAML", "Automation")).to.deep.equal([
      'warning ssm/unknown-action-input mainSteps/2/inputs/Service "*api"',
      'warning ssm/unknown-action-input mainSteps/2/inputs/Api "*api"',
      'error ssm/missing-action-input mainSteps/2/inputs "inputs"',
    ]);
  });

  it("puts a JSON syntax error on the offending character", () => {
    const text =
      '{\n  "schemaVersion": "2.2",\n  "mainSteps": [\n    { "name": "a" "action": "aws:runShellScript" }\n  ]\n}\n';
    expect(problems(text, "JSON", "Command")).to.deep.equal(['error ssm/document-parse-error  "\\"action\\""']);
  });

  it("checks Session documents: sessionType and Standard_Stream inputs", () => {
    expect(
      problems(
        '{"schemaVersion": "1.0", "sessionType": "Standard_Stream", "inputs": {"s3BucketName": "b", "idleSessionTimout": "20"}}',
        "JSON",
        "Session",
      ),
    ).to.deep.equal(['error ssm/unknown-document-key inputs/idleSessionTimout "\\"idleSessionTimout\\""']);
    expect(problems('{"schemaVersion": "1.0", "inputs": {}}', "JSON", "Session")).to.deep.equal([
      'error ssm/missing-document-key  "{"',
    ]);
  });

  it("allows AWS resource parameter types in runbooks only", () => {
    const runbook =
      '{"schemaVersion": "0.3", "parameters": {"Role": {"type": "AWS::IAM::Role::Arn"}}, "mainSteps": [{"name": "s", "action": "aws:sleep", "inputs": {"Duration": "PT1M"}}]}';
    expect(problems(runbook, "JSON", "Automation")).to.deep.equal([]);
    const command =
      '{"schemaVersion": "2.2", "parameters": {"Role": {"type": "AWS::IAM::Role::Arn"}}, "mainSteps": [{"name": "s", "action": "aws:runShellScript", "inputs": {"runCommand": ["true"]}}]}';
    expect(problems(command, "JSON", "Command")).to.deep.equal([
      'error ssm/invalid-parameter-type parameters/Role/type "\\"AWS::IAM::Role::Arn\\""',
    ]);
  });

  it("checks runbook references: step outputs, outputs, onFailure and precondition", () => {
    const text = [
      'schemaVersion: "0.3"',
      "outputs: [first.Result, frist.Result]",
      "mainSteps:",
      "  - name: first",
      "    action: aws:executeScript",
      "    onFailure: step:cleanup",
      "    precondition: { StringEquals: [platformType, Linux] }",
      "    inputs: { Runtime: python3.11, Handler: h, Script: 'x', InputPayload: { v: '{{ second.Value }}' } }",
      "  - name: second",
      "    action: aws:sleep",
      "    inputs: { Duration: PT1M, Message: '{{ first.Result }} {{ thrid.Value }}' }",
      "",
    ].join("\n");
    expect(problems(text, "YAML", "Automation")).to.deep.equal([
      'error ssm/invalid-precondition mainSteps/0/precondition "precondition"',
      'error ssm/unknown-step-reference mainSteps/0/onFailure "step:cleanup"',
      'warning ssm/unknown-action-input mainSteps/1/inputs/Message "Message"',
      'error ssm/unknown-step-reference outputs/1 "frist.Result"',
      'error ssm/unknown-step-reference mainSteps/1/inputs/Message "{{ thrid.Value }}"',
    ]);
  });

  it("compiles allowedPattern as Java does: inline flags and possessive quantifiers are fine", () => {
    const doc = (pattern: string) =>
      JSON.stringify({
        schemaVersion: "2.2",
        parameters: { p: { type: "String", allowedPattern: pattern } },
        mainSteps: [{ name: "a", action: "aws:runShellScript", inputs: { runCommand: ["echo {{ p }}"] } }],
      });
    expect(problems(doc("(?i)^[a-z]++$"), "JSON", "Command")).to.deep.equal([]);
    expect(problems(doc("^(?i:yes|no)$"), "JSON", "Command")).to.deep.equal([]);
    expect(problems(doc("^[a-z"), "JSON", "Command")).to.have.length(1);
  });
});
