/**
 * Issue 20, local endpoint fidelity round two: GetDocument's default format, the document status
 * life cycle, managed-instance tags, ListDocuments tokens, content errors and attachments —
 * through @aws-sdk/client-ssm over HTTP, and through the AWS CLI where a user would run it.
 */
import { expect } from "chai";
import YAML from "yaml";
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  ListDocumentVersionsCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  UpdateDocumentCommand,
} from "@aws-sdk/client-ssm";
import { commandDoc, expectSsmError, useEndpoint } from "./helpers.js";
import { aws } from "./processes.js";

const YAML_CONTENT =
  "schemaVersion: '2.2'\ndescription: kept as YAML\nmainSteps:\n  - action: aws:runShellScript\n    name: run\n    inputs:\n      runCommand: [date]\n";

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
    expect(await h.ssm.send(new GetDocumentCommand({ Name: "json-doc" }))).to.include({
      DocumentFormat: "JSON",
      Content: content,
    });
    const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//statectl//EN\r\nEND:VCALENDAR\r\n";
    await h.ssm.send(
      new CreateDocumentCommand({
        Name: "calendar",
        Content: ics,
        DocumentFormat: "TEXT",
        DocumentType: "ChangeCalendar",
      }),
    );
    expect(await h.ssm.send(new GetDocumentCommand({ Name: "calendar" }))).to.include({
      DocumentFormat: "TEXT",
      Content: ics,
    });
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
    expect(versions.DocumentVersions?.map((v) => [v.DocumentVersion, v.Status])).to.deep.equal([
      ["1", "Active"],
      ["2", "Updating"],
    ]);
    await h.endpoint.advance("1m");
    expect(
      (await h.ssm.send(new DescribeDocumentCommand({ Name: "life", DocumentVersion: "2" }))).Document?.Status,
    ).to.equal("Active");
  });

  it("the AWS CLI sees Creating, then Active", async () => {
    const created = await aws(h.endpoint.url, [
      "create-document",
      "--name",
      "cli-life",
      "--content",
      commandDoc(["echo 1"]),
    ]);
    expect(created.code, created.stderr).to.equal(0);
    expect(JSON.parse(created.stdout).DocumentDescription.Status).to.equal("Creating");
    await h.endpoint.advance("1m");
    const described = await aws(h.endpoint.url, ["describe-document", "--name", "cli-life"]);
    expect(JSON.parse(described.stdout).Document.Status).to.equal("Active");
  });
});

describe("local/fidelity: managed-instance tags", function () {
  this.timeout(60_000);
  const h = useEndpoint();
  const WEB_1 = "i-0web00000000000a1";
  const WIN_1 = "mi-0win00000000000c1";

  it("refuses i- ids for ResourceType ManagedInstance with ValidationException, as AWS does", async () => {
    for (const send of [
      () =>
        h.ssm.send(
          new AddTagsToResourceCommand({
            ResourceType: "ManagedInstance",
            ResourceId: WEB_1,
            Tags: [{ Key: "Role", Value: "x" }],
          }),
        ),
      () => h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "ManagedInstance", ResourceId: WEB_1 })),
      () =>
        h.ssm.send(
          new RemoveTagsFromResourceCommand({ ResourceType: "ManagedInstance", ResourceId: WEB_1, TagKeys: ["Role"] }),
        ),
    ]) {
      const e = await expectSsmError(send(), "ValidationException");
      expect(e.message).to.include("mi-");
    }
    await expectSsmError(
      h.ssm.send(
        new ListTagsForResourceCommand({ ResourceType: "ManagedInstance", ResourceId: "mi-0000000000000dead" }),
      ),
      "InvalidResourceId",
    );
  });

  it("keeps an mi- node's SSM tags apart from the simulated EC2 tags, and both retarget associations", async () => {
    expect(
      (await h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "ManagedInstance", ResourceId: WIN_1 })))
        .TagList,
    ).to.deep.equal([
      { Key: "Name", Value: "win-1" },
      { Key: "Role", Value: "app" },
      { Key: "Env", Value: "dev" },
    ]);
    await h.ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "ManagedInstance",
        ResourceId: WIN_1,
        Tags: [{ Key: "Team", Value: "blue" }],
      }),
    );
    await h.endpoint.tagInstance("web-1", { Team: "blue" });
    const byTag = await h.ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: "tag:Team", Values: ["blue"] }] }),
    );
    expect(byTag.InstanceInformationList?.map((i) => i.InstanceId).sort()).to.deep.equal([WEB_1, WIN_1].sort());
    // The EC2 instance's tag is not an SSM tag: nothing in the tags area for it.
    await expectSsmError(
      h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "ManagedInstance", ResourceId: WEB_1 })),
      "ValidationException",
    );
    expect(
      h.endpoint.core.store.section<Record<string, Record<string, unknown>>>("tags", () => ({}))["ManagedInstance"]?.[
        WEB_1
      ],
    ).to.equal(undefined);
    const web1 = (await h.endpoint.fleet()).find((i) => i.instanceId === WEB_1)!;
    expect(web1.tags).to.deep.include({ Role: "web", Team: "blue" });
  });

  it("the AWS CLI gets ValidationException for an EC2 instance id", async () => {
    const r = await aws(h.endpoint.url, [
      "add-tags-to-resource",
      "--resource-type",
      "ManagedInstance",
      "--resource-id",
      WEB_1,
      "--tags",
      "Key=Role,Value=x",
    ]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include("(ValidationException)");
    const ok = await aws(h.endpoint.url, [
      "add-tags-to-resource",
      "--resource-type",
      "ManagedInstance",
      "--resource-id",
      WIN_1,
      "--tags",
      "Key=Owner,Value=ops",
    ]);
    expect(ok.code, ok.stderr).to.equal(0);
  });
});

describe("local/fidelity: paging tokens, content errors, attachments", function () {
  this.timeout(60_000);
  const h = useEndpoint();

  it("ListDocuments tokens are opaque (no document name inside), stable, and refuse tampering", async () => {
    for (const n of ["page-a", "page-b", "page-c", "page-d"])
      await h.ssm.send(new CreateDocumentCommand({ Name: n, Content: commandDoc([n]) }));
    const first = await h.ssm.send(
      new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }], MaxResults: 2 }),
    );
    const again = await h.ssm.send(
      new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }], MaxResults: 2 }),
    );
    expect(first.NextToken).to.be.a("string");
    expect(again.NextToken).to.equal(first.NextToken);
    const decoded = Buffer.from(first.NextToken!, "base64url").toString("latin1");
    expect(decoded).to.not.include("page-b");
    expect(decoded).to.not.include("ListDocuments");
    // A document added before the boundary does not shift the next page.
    await h.ssm.send(new CreateDocumentCommand({ Name: "page-0", Content: commandDoc(["zero"]) }));
    const second = await h.ssm.send(
      new ListDocumentsCommand({
        Filters: [{ Key: "Owner", Values: ["Self"] }],
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );
    expect(second.DocumentIdentifiers!.map((d) => d.Name)).to.deep.equal(["page-c", "page-d"]);
    const tampered = first.NextToken!.slice(0, -2) + (first.NextToken!.endsWith("A") ? "BB" : "AA");
    await expectSsmError(
      h.ssm.send(new ListDocumentsCommand({ MaxResults: 2, NextToken: tampered })),
      "InvalidNextToken",
    );
    // A token of one operation is not one of another.
    await expectSsmError(
      h.ssm.send(new ListDocumentVersionsCommand({ Name: "page-a", NextToken: first.NextToken })),
      "InvalidNextToken",
    );
  });

  it("reports where JSON content stops being well-formed: the offending token's line and column", async () => {
    const cases: Array<[string, string]> = [
      ['{\n  "schemaVersion": "2.2",\n  "mainSteps": [ }', "at Line: 3, Column: 18"],
      ['{\n  "schemaVersion": tru\n}', "at Line: 2, Column: 20"],
      ['{"schemaVersion": "2.2",, "mainSteps": []}', "at Line: 1, Column: 25"],
      ['{"schemaVersion": "2.2"}}', "at Line: 1, Column: 25"],
    ];
    for (const [content, where] of cases) {
      const e = await expectSsmError(
        h.ssm.send(new CreateDocumentCommand({ Name: "broken", Content: content })),
        "InvalidDocumentContent",
      );
      expect(e.message, content).to.equal(`JSON not well-formed. ${where}`);
    }
  });

  it("DescribeDocument's AttachmentsInformation names each attachment (given, or the file its source ends with)", async () => {
    const created = await h.ssm.send(
      new CreateDocumentCommand({
        Name: "with-files",
        Content: commandDoc(["sh tool.sh"]),
        Attachments: [
          { Key: "SourceUrl", Values: ["https://example.com/downloads/tool.sh"] },
          { Key: "S3FileUrl", Values: ["https://s3.amazonaws.com/bucket/dir/config.json"], Name: "settings.json" },
          { Key: "AttachmentReference", Values: ["other-doc/3/helper.py"] },
        ],
      }),
    );
    const expected = [{ Name: "tool.sh" }, { Name: "settings.json" }, { Name: "helper.py" }];
    expect(created.DocumentDescription?.AttachmentsInformation).to.deep.equal(expected);
    expect(
      (await h.ssm.send(new DescribeDocumentCommand({ Name: "with-files" }))).Document?.AttachmentsInformation,
    ).to.deep.equal(expected);
  });
});
