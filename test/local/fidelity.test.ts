/**
 * Issue 20, local endpoint fidelity round two: GetDocument's default format, the document status
 * life cycle, managed-instance tags, ListDocuments tokens, content errors and attachments —
 * through @aws-sdk/client-ssm over HTTP, and through the AWS CLI where a user would run it.
 */
import { expect } from "chai";
import YAML from "yaml";
import { CreateDocumentCommand, DescribeDocumentCommand, GetDocumentCommand, ListDocumentVersionsCommand, UpdateDocumentCommand } from "@aws-sdk/client-ssm";
import { commandDoc, useEndpoint } from "./helpers.js";
import { aws } from "./processes.js";

const YAML_CONTENT = "schemaVersion: '2.2'\ndescription: kept as YAML\nmainSteps:\n  - action: aws:runShellScript\n    name: run\n    inputs:\n      runCommand: [date]\n";

describe("local/fidelity: GetDocument's format", function () {
  this.timeout(60_000);
  const h = useEndpoint();

  it("answers JSON when DocumentFormat is absent, the stored YAML only when asked for", async () => {
    await h.ssm.send(new CreateDocumentCommand({ Name: "yaml-doc", Content: YAML_CONTENT, DocumentFormat: "YAML" }));
    const plain = await h.ssm.send(new GetDocumentCommand({ Name: "yaml-doc" }));
    expect(plain.DocumentFormat).to.equal("JSON");
    expect(JSON.parse(plain.Content!)).to.deep.equal(YAML.parse(YAML_CONTENT));
    const asYaml = await h.ssm.send(new GetDocumentCommand({ Name: "yaml-doc", DocumentFormat: "YAML" }));
    expect(asYaml).to.include({ DocumentFormat: "YAML", Content: YAML_CONTENT });
  });

  it("gives a JSON document's text back unchanged, and TEXT content as TEXT", async () => {
    const content = commandDoc(["echo 1"]);
    await h.ssm.send(new CreateDocumentCommand({ Name: "json-doc", Content: content }));
    expect(await h.ssm.send(new GetDocumentCommand({ Name: "json-doc" }))).to.include({ DocumentFormat: "JSON", Content: content });
    const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//statectl//EN\r\nEND:VCALENDAR\r\n";
    await h.ssm.send(new CreateDocumentCommand({ Name: "calendar", Content: ics, DocumentFormat: "TEXT", DocumentType: "ChangeCalendar" }));
    expect(await h.ssm.send(new GetDocumentCommand({ Name: "calendar" }))).to.include({ DocumentFormat: "TEXT", Content: ics });
  });

  it("the AWS CLI's get-document without --document-format prints JSON", async () => {
    await h.ssm.send(new CreateDocumentCommand({ Name: "cli-yaml", Content: YAML_CONTENT, DocumentFormat: "YAML" }));
    const got = await aws(h.endpoint.url, ["get-document", "--name", "cli-yaml"]);
    expect(got.code, got.stderr).to.equal(0);
    const out = JSON.parse(got.stdout) as { DocumentFormat: string; Content: string };
    expect(out.DocumentFormat).to.equal("JSON");
    expect(JSON.parse(out.Content)).to.deep.equal(YAML.parse(YAML_CONTENT));
  });
});

describe("local/fidelity: the document status life cycle", function () {
  this.timeout(60_000);
  const h = useEndpoint({ settings: { documentActivationDelayMs: 60_000 } });

  it("CreateDocument answers Creating and UpdateDocument Updating until the activation delay has passed on the endpoint's clock", async () => {
    const created = await h.ssm.send(new CreateDocumentCommand({ Name: "life", Content: commandDoc(["echo 1"]) }));
    expect(created.DocumentDescription?.Status).to.equal("Creating");
    expect((await h.ssm.send(new DescribeDocumentCommand({ Name: "life" }))).Document?.Status).to.equal("Creating");
    expect((await h.ssm.send(new GetDocumentCommand({ Name: "life" }))).Status).to.equal("Creating");
    await h.endpoint.advance("1m");
    expect((await h.ssm.send(new DescribeDocumentCommand({ Name: "life" }))).Document?.Status).to.equal("Active");
    const updated = await h.ssm.send(new UpdateDocumentCommand({ Name: "life", Content: commandDoc(["echo 2"]) }));
    expect(updated.DocumentDescription?.Status).to.equal("Updating");
    const versions = await h.ssm.send(new ListDocumentVersionsCommand({ Name: "life" }));
    expect(versions.DocumentVersions?.map((v) => [v.DocumentVersion, v.Status])).to.deep.equal([["1", "Active"], ["2", "Updating"]]);
    await h.endpoint.advance("1m");
    expect((await h.ssm.send(new DescribeDocumentCommand({ Name: "life", DocumentVersion: "2" }))).Document?.Status).to.equal("Active");
  });

  it("the AWS CLI sees Creating, then Active", async () => {
    const created = await aws(h.endpoint.url, ["create-document", "--name", "cli-life", "--content", commandDoc(["echo 1"])]);
    expect(created.code, created.stderr).to.equal(0);
    expect(JSON.parse(created.stdout).DocumentDescription.Status).to.equal("Creating");
    await h.endpoint.advance("1m");
    const described = await aws(h.endpoint.url, ["describe-document", "--name", "cli-life"]);
    expect(JSON.parse(described.stdout).Document.Status).to.equal("Active");
  });
});
