import { expect } from "chai";
import YAML from "yaml";
import { createHash } from "node:crypto";
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetDocumentCommand,
  ListDocumentVersionsCommand,
  ListDocumentsCommand,
  ListTagsForResourceCommand,
  ModifyDocumentPermissionCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  paginateListDocuments,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { useEndpoint, expectSsmError, commandDoc } from "./helpers.js";

const create = (ssm: SSMClient, Name: string, Content = commandDoc(), extra: Record<string, unknown> = {}) =>
  ssm.send(new CreateDocumentCommand({ Name, Content, ...extra }));

describe("local/documents: CreateDocument", () => {
  const h = useEndpoint();

  it("creates version 1 with hash, owner, parameters and platforms", async () => {
    const content = commandDoc(["echo {{ greeting }}"], {
      greeting: { type: "String", description: "what to say", default: "hi" },
      hosts: { type: "StringList", default: ["a", "b"] },
      required: { type: "String" },
      flag: { type: "Boolean", default: true },
      count: { type: "Integer", default: 3 },
      env: { type: "StringMap", default: { A: "1" } },
    });
    const { DocumentDescription: d } = await create(h.ssm, "my-doc", content, {
      VersionName: "first",
      DisplayName: "My doc",
    });
    expect(d).to.include({
      Name: "my-doc",
      Owner: "123456789012",
      HashType: "Sha256",
      Hash: createHash("sha256").update(content).digest("hex"),
      Status: "Creating",
      DocumentVersion: "1",
      LatestVersion: "1",
      DefaultVersion: "1",
      DocumentType: "Command",
      DocumentFormat: "JSON",
      SchemaVersion: "2.2",
      VersionName: "first",
      DisplayName: "My doc",
      Description: "test document",
    });
    expect(d!.CreatedDate).to.be.instanceOf(Date);
    expect(d!.PlatformTypes).to.deep.equal(["Linux", "MacOS"]);
    expect(d!.Tags).to.deep.equal([]);
    expect(d!.Parameters).to.deep.equal([
      { Name: "greeting", Type: "String", Description: "what to say", DefaultValue: "hi" },
      { Name: "hosts", Type: "StringList", DefaultValue: '["a","b"]' },
      { Name: "required", Type: "String" },
      { Name: "flag", Type: "Boolean", DefaultValue: "true" },
      { Name: "count", Type: "Integer", DefaultValue: "3" },
      { Name: "env", Type: "StringMap", DefaultValue: '{"A":"1"}' },
    ]);
    // Active once the (small) activation delay has passed on the endpoint's clock.
    await h.endpoint.advance("1s");
    const described = await h.ssm.send(new DescribeDocumentCommand({ Name: "my-doc" }));
    expect(described.Document!.Status).to.equal("Active");
  });

  it("accepts YAML content and Automation documents", async () => {
    const yaml =
      "schemaVersion: '0.3'\ndescription: restart\nparameters:\n  InstanceId:\n    type: String\nmainSteps:\n  - name: stop\n    action: aws:changeInstanceState\n    inputs:\n      InstanceIds: ['{{ InstanceId }}']\n      DesiredState: stopped\n";
    const { DocumentDescription: d } = await create(h.ssm, "restart-it", yaml, {
      DocumentFormat: "YAML",
      DocumentType: "Automation",
    });
    expect(d).to.include({ DocumentFormat: "YAML", DocumentType: "Automation", SchemaVersion: "0.3" });
    expect(d!.PlatformTypes).to.deep.equal(["Windows", "Linux"]);
  });

  it("derives platforms from steps and their platformType preconditions", async () => {
    const content = JSON.stringify({
      schemaVersion: "2.2",
      mainSteps: [
        {
          action: "aws:runPowerShellScript",
          name: "win",
          precondition: { StringEquals: ["platformType", "Windows"] },
          inputs: { runCommand: ["dir"] },
        },
        {
          action: "aws:runShellScript",
          name: "lin",
          precondition: { StringEquals: ["platformType", "Linux"] },
          inputs: { runCommand: ["ls"] },
        },
      ],
    });
    const { DocumentDescription: d } = await create(h.ssm, "two-platforms", content);
    expect(d!.PlatformTypes).to.deep.equal(["Windows", "Linux"]);
  });

  it("stores tags given at create time", async () => {
    await create(h.ssm, "tagged-doc", commandDoc(), { Tags: [{ Key: "team", Value: "web" }] });
    const tags = await h.ssm.send(
      new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "tagged-doc" }),
    );
    expect(tags.TagList).to.deep.equal([{ Key: "team", Value: "web" }]);
    const d = await h.ssm.send(new DescribeDocumentCommand({ Name: "tagged-doc" }));
    expect(d.Document!.Tags).to.deep.equal([{ Key: "team", Value: "web" }]);
  });

  it("refuses a second document with the same name: DocumentAlreadyExists", async () => {
    await create(h.ssm, "twice");
    const e = await expectSsmError(create(h.ssm, "twice"), "DocumentAlreadyExists");
    expect(e.message).to.equal("Document with same name twice already exists");
  });

  it("validates members with AWS's wording: ValidationException", async () => {
    const e = await expectSsmError(create(h.ssm, "a b"), "ValidationException");
    expect(e.message).to.equal(
      "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$",
    );
    const two = await expectSsmError(
      create(h.ssm, "x", commandDoc(), { DocumentType: "Bogus" }),
      "ValidationException",
    );
    expect(two.message).to.match(
      /^2 validation errors detected: Value 'x' at 'name' .*; Value 'Bogus' at 'documentType' failed to satisfy constraint: Member must satisfy enum value set: \[Command, Policy,/,
    );
    const tag = await expectSsmError(
      create(h.ssm, "bad-tag", commandDoc(), { Tags: [{ Key: "", Value: "v" }] }),
      "ValidationException",
    );
    expect(tag.message).to.contain(
      "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it("reserves the aws, amazon and amzn name prefixes, in any case", async () => {
    for (const name of ["AWS-Mine", "aws-mine", "AmazonThing", "amzn-x", "AWSSupport-x"]) {
      const e = await expectSsmError(create(h.ssm, name), "ValidationException");
      expect(e.message).to.match(/^Invalid document name/);
    }
  });

  it("rejects content that does not parse or does not fit the type: InvalidDocumentContent", async () => {
    const json = await expectSsmError(
      create(h.ssm, "bad-json", '{\n  "schemaVersion": "2.2",\n  oops\n}'),
      "InvalidDocumentContent",
    );
    expect(json.message).to.equal("JSON not well-formed. at Line: 3, Column: 3");
    await expectSsmError(create(h.ssm, "bad-yaml", "a: [1, 2", { DocumentFormat: "YAML" }), "InvalidDocumentContent");
    const schema = await expectSsmError(
      create(h.ssm, "bad-schema", JSON.stringify({ schemaVersion: "3.0", mainSteps: [] })),
      "InvalidDocumentContent",
    );
    expect(schema.message).to.equal("Document schema version is invalid. Value: 3.0");
    await expectSsmError(
      create(
        h.ssm,
        "automation-as-command",
        JSON.stringify({ schemaVersion: "0.3", mainSteps: [{ name: "a", action: "aws:sleep", inputs: {} }] }),
      ),
      "InvalidDocumentContent",
    );
    await expectSsmError(create(h.ssm, "no-steps", JSON.stringify({ schemaVersion: "2.2" })), "InvalidDocumentContent");
    const undeclared = await expectSsmError(
      create(h.ssm, "undeclared", commandDoc(["echo {{ missing }}"])),
      "InvalidDocumentContent",
    );
    expect(undeclared.message).to.equal('Parameter "missing" is not declared.');
    await expectSsmError(
      create(h.ssm, "text-command", "just text", { DocumentFormat: "TEXT" }),
      "InvalidDocumentContent",
    );
    await expectSsmError(
      create(h.ssm, "bad-default", commandDoc(["echo"], { n: { type: "Integer", default: "three" } })),
      "InvalidDocumentContent",
    );
  });

  it("accepts TEXT content for ChangeCalendar documents", async () => {
    const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//statectl//EN\r\nEND:VCALENDAR\r\n";
    const { DocumentDescription: d } = await create(h.ssm, "calendar", ics, {
      DocumentFormat: "TEXT",
      DocumentType: "ChangeCalendar",
    });
    expect(d).to.include({ DocumentFormat: "TEXT", DocumentType: "ChangeCalendar" });
    const got = await h.ssm.send(new GetDocumentCommand({ Name: "calendar" }));
    expect(got.Content).to.equal(ics);
  });

  it("limits content to 64 KB: MaxDocumentSizeExceeded", async () => {
    const big = commandDoc(["echo " + "x".repeat(66 * 1024)]);
    await expectSsmError(create(h.ssm, "too-big", big), "MaxDocumentSizeExceeded");
  });

  it("limits tags to 50 per resource: TooManyTagsError", async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await expectSsmError(create(h.ssm, "many-tags", commandDoc(), { Tags: tags }), "TooManyTagsError");
  });
});

describe("local/documents: the document limit", () => {
  const h = useEndpoint({ settings: { limits: { documents: 2, documentVersions: 2 } } });

  it("refuses more documents than the quota: DocumentLimitExceeded", async () => {
    await create(h.ssm, "one-doc");
    await create(h.ssm, "two-doc");
    await expectSsmError(create(h.ssm, "three-doc"), "DocumentLimitExceeded");
  });

  it("refuses more versions than the quota: DocumentVersionLimitExceeded", async () => {
    await create(h.ssm, "versioned", commandDoc(["echo 1"]));
    await h.ssm.send(new UpdateDocumentCommand({ Name: "versioned", Content: commandDoc(["echo 2"]) }));
    await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "versioned", Content: commandDoc(["echo 3"]) })),
      "DocumentVersionLimitExceeded",
    );
  });
});

describe("local/documents: versions, Get and Describe", () => {
  const h = useEndpoint();

  beforeEach(async () => {
    await create(h.ssm, "web", commandDoc(["echo 1"]), { VersionName: "v-one" });
    await h.ssm.send(
      new UpdateDocumentCommand({
        Name: "web",
        Content: commandDoc(["echo 2"]),
        DocumentVersion: "$LATEST",
        VersionName: "v-two",
      }),
    );
    await h.ssm.send(new UpdateDocumentCommand({ Name: "web", Content: commandDoc(["echo 3"]), DocumentVersion: "2" }));
    await h.endpoint.advance("1s"); // past the activation delay: every version Active
  });

  it("UpdateDocument adds latest+1 and leaves the default alone", async () => {
    const d = (await h.ssm.send(new DescribeDocumentCommand({ Name: "web" }))).Document!;
    expect(d).to.include({ DocumentVersion: "1", DefaultVersion: "1", LatestVersion: "3", VersionName: "v-one" });
    const latest = (await h.ssm.send(new DescribeDocumentCommand({ Name: "web", DocumentVersion: "$LATEST" })))
      .Document!;
    expect(latest).to.include({ DocumentVersion: "3", DefaultVersion: "1", LatestVersion: "3" });
  });

  it("resolves $LATEST, $DEFAULT, numbers and VersionName", async () => {
    const content = async (input: { DocumentVersion?: string; VersionName?: string }) =>
      JSON.parse((await h.ssm.send(new GetDocumentCommand({ Name: "web", ...input }))).Content!).mainSteps[0].inputs
        .runCommand[0];
    expect(await content({})).to.equal("echo 1");
    expect(await content({ DocumentVersion: "$DEFAULT" })).to.equal("echo 1");
    expect(await content({ DocumentVersion: "$LATEST" })).to.equal("echo 3");
    expect(await content({ DocumentVersion: "2" })).to.equal("echo 2");
    expect(await content({ VersionName: "v-two" })).to.equal("echo 2");
    expect(await content({ VersionName: "v-two", DocumentVersion: "2" })).to.equal("echo 2");
    const got = await h.ssm.send(new GetDocumentCommand({ Name: "web", DocumentVersion: "2" }));
    expect(got).to.include({
      Name: "web",
      DocumentVersion: "2",
      VersionName: "v-two",
      Status: "Active",
      DocumentType: "Command",
      DocumentFormat: "JSON",
    });
  });

  it("answers InvalidDocumentVersion for a version that does not exist or does not match its name", async () => {
    await expectSsmError(
      h.ssm.send(new GetDocumentCommand({ Name: "web", DocumentVersion: "9" })),
      "InvalidDocumentVersion",
    );
    await expectSsmError(
      h.ssm.send(new GetDocumentCommand({ Name: "web", VersionName: "nope" })),
      "InvalidDocumentVersion",
    );
    await expectSsmError(
      h.ssm.send(new DescribeDocumentCommand({ Name: "web", VersionName: "v-two", DocumentVersion: "1" })),
      "InvalidDocumentVersion",
    );
    await expectSsmError(
      h.ssm.send(new GetDocumentCommand({ Name: "web", DocumentVersion: "latest" })),
      "ValidationException",
    );
  });

  it("answers InvalidDocument for an unknown name, and accepts ARNs", async () => {
    const e = await expectSsmError(h.ssm.send(new GetDocumentCommand({ Name: "nope-doc" })), "InvalidDocument");
    expect(e.message).to.equal("No matching value was found for Name.");
    await expectSsmError(h.ssm.send(new DescribeDocumentCommand({ Name: "nope-doc" })), "InvalidDocument");
    const byArn = await h.ssm.send(new GetDocumentCommand({ Name: "arn:aws:ssm:us-east-1:123456789012:document/web" }));
    expect(byArn.Name).to.equal("web");
  });

  it("converts between JSON and YAML on GetDocument", async () => {
    const yaml = await h.ssm.send(new GetDocumentCommand({ Name: "web", DocumentFormat: "YAML" }));
    expect(yaml.DocumentFormat).to.equal("YAML");
    expect(YAML.parse(yaml.Content!)).to.deep.equal(JSON.parse(commandDoc(["echo 1"])));
    await create(
      h.ssm,
      "yaml-doc",
      "schemaVersion: '2.2'\nmainSteps:\n  - action: aws:runShellScript\n    name: run\n    inputs:\n      runCommand: [date]\n",
      { DocumentFormat: "YAML" },
    );
    const json = await h.ssm.send(new GetDocumentCommand({ Name: "yaml-doc", DocumentFormat: "JSON" }));
    expect(JSON.parse(json.Content!)).to.deep.equal({
      schemaVersion: "2.2",
      mainSteps: [{ action: "aws:runShellScript", name: "run", inputs: { runCommand: ["date"] } }],
    });
  });

  it("UpdateDocument returns the new version, Updating, default unchanged; carries DisplayName over", async () => {
    await create(h.ssm, "named", commandDoc(["a"]), { DisplayName: "Shown name" });
    const { DocumentDescription: d } = await h.ssm.send(
      new UpdateDocumentCommand({ Name: "named", Content: commandDoc(["b"]) }),
    );
    expect(d).to.include({
      DocumentVersion: "2",
      LatestVersion: "2",
      DefaultVersion: "1",
      Status: "Updating",
      DisplayName: "Shown name",
    });
  });

  it("UpdateDocument errors: DuplicateDocumentContent, InvalidDocumentVersion, DuplicateDocumentVersionName, InvalidDocument", async () => {
    const dup = await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "web", Content: commandDoc(["echo 1"]) })),
      "DuplicateDocumentContent",
    );
    expect(dup.message).to.equal(
      "The content of the association document matches another document. Change the content of the document and try again.",
    );
    await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "web", Content: commandDoc(["echo 4"]), DocumentVersion: "1" })),
      "InvalidDocumentVersion",
    );
    await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "web", Content: commandDoc(["echo 4"]), VersionName: "v-one" })),
      "DuplicateDocumentVersionName",
    );
    await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "nope-doc", Content: commandDoc(["echo 4"]) })),
      "InvalidDocument",
    );
    await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "web", Content: "{" })),
      "InvalidDocumentContent",
    );
  });

  it("UpdateDocument refuses schema 1.2 documents (InvalidDocumentSchemaVersion) and AWS-owned ones (InvalidDocument)", async () => {
    const v12 = JSON.stringify({
      schemaVersion: "1.2",
      runtimeConfig: { "aws:runShellScript": { properties: [{ id: "0.aws:runShellScript", runCommand: ["ls"] }] } },
    });
    await create(h.ssm, "old-style", v12);
    await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "old-style", Content: commandDoc(["x"]) })),
      "InvalidDocumentSchemaVersion",
    );
    await expectSsmError(
      h.ssm.send(new UpdateDocumentCommand({ Name: "AWS-RunShellScript", Content: commandDoc(["x"]) })),
      "InvalidDocument",
    );
  });

  it("UpdateDocumentDefaultVersion moves the default, which ListDocuments follows", async () => {
    const r = await h.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "web", DocumentVersion: "2" }));
    expect(r.Description).to.deep.equal({ Name: "web", DefaultVersion: "2", DefaultVersionName: "v-two" });
    const d = (await h.ssm.send(new DescribeDocumentCommand({ Name: "web" }))).Document!;
    expect(d).to.include({ DocumentVersion: "2", DefaultVersion: "2", LatestVersion: "3" });
    const list = await h.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Name", Values: ["web"] }] }));
    expect(list.DocumentIdentifiers!.map((i) => [i.Name, i.DocumentVersion, i.VersionName])).to.deep.equal([
      ["web", "2", "v-two"],
    ]);
    await expectSsmError(
      h.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "web", DocumentVersion: "7" })),
      "InvalidDocumentVersion",
    );
    await expectSsmError(
      h.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "nope-doc", DocumentVersion: "1" })),
      "InvalidDocument",
    );
    await expectSsmError(
      h.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "web", DocumentVersion: "$LATEST" })),
      "ValidationException",
    );
  });

  it("tells the associations area when the default moves", async () => {
    const seen: string[] = [];
    h.endpoint.core.hooks.documentDefaultVersionChanged.push((_c, name, version) => seen.push(`${name}@${version}`));
    await h.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "web", DocumentVersion: "3" }));
    expect(seen).to.deep.equal(["web@3"]);
  });

  it("ListDocumentVersions lists every version with IsDefaultVersion, paged", async () => {
    const r = await h.ssm.send(new ListDocumentVersionsCommand({ Name: "web" }));
    expect(
      r.DocumentVersions!.map((v) => [v.DocumentVersion, v.IsDefaultVersion, v.VersionName, v.Status]),
    ).to.deep.equal([
      ["1", true, "v-one", "Active"],
      ["2", false, "v-two", "Active"],
      ["3", false, undefined, "Active"],
    ]);
    expect(r.NextToken).to.equal(undefined);
    const p1 = await h.ssm.send(new ListDocumentVersionsCommand({ Name: "web", MaxResults: 2 }));
    expect(p1.DocumentVersions!.map((v) => v.DocumentVersion)).to.deep.equal(["1", "2"]);
    const p2 = await h.ssm.send(
      new ListDocumentVersionsCommand({ Name: "web", MaxResults: 2, NextToken: p1.NextToken! }),
    );
    expect(p2.DocumentVersions!.map((v) => v.DocumentVersion)).to.deep.equal(["3"]);
    expect(p2.NextToken).to.equal(undefined);
    await expectSsmError(h.ssm.send(new ListDocumentVersionsCommand({ Name: "nope-doc" })), "InvalidDocument");
    await expectSsmError(
      h.ssm.send(new ListDocumentVersionsCommand({ Name: "web", NextToken: "garbage" })),
      "InvalidNextToken",
    );
  });
});

describe("local/documents: DeleteDocument", () => {
  const h = useEndpoint();

  beforeEach(async () => {
    await create(h.ssm, "gone", commandDoc(["echo 1"]), { Tags: [{ Key: "k", Value: "v" }] });
    await h.ssm.send(
      new UpdateDocumentCommand({ Name: "gone", Content: commandDoc(["echo 2"]), VersionName: "second" }),
    );
    await h.ssm.send(new UpdateDocumentCommand({ Name: "gone", Content: commandDoc(["echo 3"]) }));
  });

  it("deletes one version; deleting the latest makes the highest remaining one latest", async () => {
    await h.ssm.send(new DeleteDocumentCommand({ Name: "gone", DocumentVersion: "3" }));
    let d = (await h.ssm.send(new DescribeDocumentCommand({ Name: "gone" }))).Document!;
    expect(d).to.include({ LatestVersion: "2", DefaultVersion: "1" });
    await h.ssm.send(new DeleteDocumentCommand({ Name: "gone", VersionName: "second" }));
    d = (await h.ssm.send(new DescribeDocumentCommand({ Name: "gone" }))).Document!;
    expect(d).to.include({ LatestVersion: "1", DefaultVersion: "1" });
  });

  it("refuses to delete the default version while others exist: InvalidDocumentOperation", async () => {
    const e = await expectSsmError(
      h.ssm.send(new DeleteDocumentCommand({ Name: "gone", DocumentVersion: "1" })),
      "InvalidDocumentOperation",
    );
    expect(e.message).to.equal("Default version of the document can't be deleted.");
  });

  it("deletes the whole document and its tags; afterwards InvalidDocument / InvalidResourceId", async () => {
    await h.ssm.send(new DeleteDocumentCommand({ Name: "gone" }));
    await expectSsmError(h.ssm.send(new DescribeDocumentCommand({ Name: "gone" })), "InvalidDocument");
    await expectSsmError(
      h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "gone" })),
      "InvalidResourceId",
    );
    await expectSsmError(h.ssm.send(new DeleteDocumentCommand({ Name: "gone" })), "InvalidDocument");
    // The name is free again, starting from version 1.
    const again = await create(h.ssm, "gone", commandDoc(["echo 1"]));
    expect(again.DocumentDescription!.DocumentVersion).to.equal("1");
    expect(again.DocumentDescription!.Tags).to.deep.equal([]);
  });

  it("refuses shared documents and AWS-owned documents: InvalidDocumentOperation", async () => {
    await h.ssm.send(
      new ModifyDocumentPermissionCommand({ Name: "gone", PermissionType: "Share", AccountIdsToAdd: ["111122223333"] }),
    );
    await expectSsmError(h.ssm.send(new DeleteDocumentCommand({ Name: "gone" })), "InvalidDocumentOperation");
    await expectSsmError(
      h.ssm.send(new DeleteDocumentCommand({ Name: "AWS-RunShellScript" })),
      "InvalidDocumentOperation",
    );
  });

  it("asks the associations area whether the document is in use", async () => {
    const deleted: string[] = [];
    h.endpoint.core.hooks.documentUsage.push((_c, name) =>
      name === "gone"
        ? { associationIds: ["a1"], legacyInstanceIds: ["i-0123456789abcdef0"] }
        : { associationIds: [], legacyInstanceIds: [] },
    );
    h.endpoint.core.hooks.documentDeleted.push((_c, name) => deleted.push(name));
    const e = await expectSsmError(h.ssm.send(new DeleteDocumentCommand({ Name: "gone" })), "AssociatedInstances");
    expect(e.message).to.equal("You must disassociate a document from all managed nodes before you can delete it.");
    await create(h.ssm, "used-by-targets");
    h.endpoint.core.hooks.documentUsage.push((_c, name) => ({
      associationIds: name === "used-by-targets" ? ["a2"] : [],
      legacyInstanceIds: [],
    }));
    await h.ssm.send(new DeleteDocumentCommand({ Name: "used-by-targets" }));
    expect(deleted).to.deep.equal(["used-by-targets"]);
  });
});

describe("local/documents: refusing to delete documents in use", () => {
  const h = useEndpoint({ settings: { deleteDocumentInUse: "refuse" } });

  it("answers AssociatedInstances for any association when set to refuse", async () => {
    await create(h.ssm, "in-use");
    h.endpoint.core.hooks.documentUsage.push(() => ({ associationIds: ["a1"], legacyInstanceIds: [] }));
    await expectSsmError(h.ssm.send(new DeleteDocumentCommand({ Name: "in-use" })), "AssociatedInstances");
  });
});

describe("local/documents: ListDocuments", () => {
  const h = useEndpoint();

  beforeEach(async () => {
    await create(h.ssm, "app-web", commandDoc(["a"]), { Tags: [{ Key: "team", Value: "web" }] });
    await create(h.ssm, "app-db", commandDoc(["b"]), { Tags: [{ Key: "team", Value: "db" }] });
    await create(
      h.ssm,
      "ops-win",
      JSON.stringify({
        schemaVersion: "2.2",
        mainSteps: [
          {
            action: "aws:runPowerShellScript",
            name: "p",
            precondition: { StringEquals: ["platformType", "Windows"] },
            inputs: { runCommand: ["dir"] },
          },
        ],
      }),
    );
    await create(
      h.ssm,
      "inventory-policy",
      JSON.stringify({
        schemaVersion: "2.0",
        mainSteps: [{ action: "aws:softwareInventory", name: "inv", inputs: {} }],
      }),
      { DocumentType: "Policy" },
    );
  });

  const names = async (ssm: SSMClient, Filters: Array<{ Key: string; Values: string[] }>) =>
    (await ssm.send(new ListDocumentsCommand({ Filters }))).DocumentIdentifiers!.map((d) => d.Name);

  it("lists AWS-owned and own documents, sorted by name", async () => {
    const all = await names(h.ssm, []);
    expect(all).to.include.members(["AWS-RunShellScript", "AWS-RunPatchBaseline", "app-db", "app-web"]);
    expect([...all].sort()).to.deep.equal(all);
    const amazon = await names(h.ssm, [{ Key: "Owner", Values: ["Amazon"] }]);
    expect(amazon).to.include.members([
      "AWS-RunShellScript",
      "AWS-RunPowerShellScript",
      "AWS-ConfigureAWSPackage",
      "AWS-UpdateSSMAgent",
      "AWS-RunPatchBaseline",
      "AWS-GatherSoftwareInventory",
      "AWS-ApplyAnsiblePlaybooks",
      "AWS-RunRemoteScript",
    ]);
    expect(await names(h.ssm, [{ Key: "Owner", Values: ["Self"] }])).to.deep.equal([
      "app-db",
      "app-web",
      "inventory-policy",
      "ops-win",
    ]);
  });

  it("filters by Name prefix, DocumentType, PlatformTypes and tag, ANDing keys", async () => {
    expect(await names(h.ssm, [{ Key: "Name", Values: ["app-"] }])).to.deep.equal(["app-db", "app-web"]);
    expect(
      await names(h.ssm, [
        { Key: "DocumentType", Values: ["Policy"] },
        { Key: "Owner", Values: ["Self"] },
      ]),
    ).to.deep.equal(["inventory-policy"]);
    expect(
      await names(h.ssm, [
        { Key: "PlatformTypes", Values: ["Windows"] },
        { Key: "Owner", Values: ["Self"] },
      ]),
    ).to.deep.equal(["inventory-policy", "ops-win"]);
    expect(await names(h.ssm, [{ Key: "tag:team", Values: ["web", "ops"] }])).to.deep.equal(["app-web"]);
    expect(
      await names(h.ssm, [
        { Key: "Name", Values: ["app-"] },
        { Key: "tag:team", Values: ["db"] },
      ]),
    ).to.deep.equal(["app-db"]);
  });

  it("describes the default version of each document", async () => {
    const list = await h.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Name", Values: ["app-web"] }] }));
    expect(list.DocumentIdentifiers![0]).to.deep.include({
      Name: "app-web",
      Owner: "123456789012",
      DocumentVersion: "1",
      DocumentType: "Command",
      SchemaVersion: "2.2",
      DocumentFormat: "JSON",
      PlatformTypes: ["Linux", "MacOS"],
      Tags: [{ Key: "team", Value: "web" }],
    });
  });

  it("supports the deprecated DocumentFilterList (exact names)", async () => {
    const r = await h.ssm.send(new ListDocumentsCommand({ DocumentFilterList: [{ key: "Name", value: "app-web" }] }));
    expect(r.DocumentIdentifiers!.map((d) => d.Name)).to.deep.equal(["app-web"]);
  });

  it("rejects unknown filter keys (InvalidFilterKey) and bad Owner values (ValidationException)", async () => {
    await expectSsmError(
      h.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Colour", Values: ["red"] }] })),
      "InvalidFilterKey",
    );
    await expectSsmError(
      h.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self", "Amazon"] }] })),
      "ValidationException",
    );
  });

  it("pages with opaque tokens; the SDK paginator sees every document once", async () => {
    const seen: string[] = [];
    for await (const page of paginateListDocuments({ client: h.ssm, pageSize: 3 }, {})) {
      expect(page.DocumentIdentifiers!.length).to.be.at.most(3);
      seen.push(...page.DocumentIdentifiers!.map((d) => d.Name!));
    }
    const all = await names(h.ssm, []);
    expect(seen).to.deep.equal(all);
    await expectSsmError(h.ssm.send(new ListDocumentsCommand({ NextToken: "not-a-token" })), "InvalidNextToken");
    const v = await expectSsmError(h.ssm.send(new ListDocumentsCommand({ MaxResults: 51 })), "ValidationException");
    expect(v.message).to.equal(
      "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
  });

  it("keeps paging stable when a document is deleted between pages", async () => {
    const p1 = await h.ssm.send(
      new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }], MaxResults: 2 }),
    );
    expect(p1.DocumentIdentifiers!.map((d) => d.Name)).to.deep.equal(["app-db", "app-web"]);
    await h.ssm.send(new DeleteDocumentCommand({ Name: "app-db" }));
    const p2 = await h.ssm.send(
      new ListDocumentsCommand({
        Filters: [{ Key: "Owner", Values: ["Self"] }],
        MaxResults: 2,
        NextToken: p1.NextToken!,
      }),
    );
    expect(p2.DocumentIdentifiers!.map((d) => d.Name)).to.deep.equal(["inventory-policy", "ops-win"]);
  });
});

describe("local/documents: permissions", () => {
  const h = useEndpoint();
  beforeEach(() => create(h.ssm, "shared-doc"));

  it("shares with accounts and lists them; remove beats add", async () => {
    await h.ssm.send(
      new ModifyDocumentPermissionCommand({
        Name: "shared-doc",
        PermissionType: "Share",
        AccountIdsToAdd: ["111122223333", "444455556666"],
      }),
    );
    await h.ssm.send(
      new ModifyDocumentPermissionCommand({
        Name: "shared-doc",
        PermissionType: "Share",
        AccountIdsToAdd: ["777788889999"],
        AccountIdsToRemove: ["777788889999", "111122223333"],
        SharedDocumentVersion: "$LATEST",
      }),
    );
    const r = await h.ssm.send(new DescribeDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share" }));
    expect(r.AccountIds).to.deep.equal(["444455556666"]);
    expect(r.AccountSharingInfoList).to.deep.equal([{ AccountId: "444455556666", SharedDocumentVersion: "$DEFAULT" }]);
  });

  it("errors: DocumentPermissionLimit, InvalidPermissionType, ValidationException, InvalidDocument", async () => {
    await expectSsmError(
      h.ssm.send(
        new ModifyDocumentPermissionCommand({
          Name: "shared-doc",
          PermissionType: "Share",
          AccountIdsToAdd: ["all", "111122223333"],
        }),
      ),
      "DocumentPermissionLimit",
    );
    await expectSsmError(
      h.ssm.send(new ModifyDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Copy" as "Share" })),
      "InvalidPermissionType",
    );
    await expectSsmError(
      h.ssm.send(new DescribeDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Copy" as "Share" })),
      "InvalidPermissionType",
    );
    const v = await expectSsmError(
      h.ssm.send(
        new ModifyDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share", AccountIdsToAdd: ["12"] }),
      ),
      "ValidationException",
    );
    expect(v.message).to.equal(
      "1 validation error detected: Value '[12]' at 'accountIdsToAdd' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: (?i)all|[0-9]{12}]",
    );
    await expectSsmError(
      h.ssm.send(new DescribeDocumentPermissionCommand({ Name: "nope-doc", PermissionType: "Share" })),
      "InvalidDocument",
    );
  });

  it("makes a document Public when shared with all", async () => {
    await h.ssm.send(
      new ModifyDocumentPermissionCommand({ Name: "shared-doc", PermissionType: "Share", AccountIdsToAdd: ["All"] }),
    );
    const r = await h.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Public"] }] }));
    expect(r.DocumentIdentifiers!.map((d) => d.Name)).to.deep.equal(["shared-doc"]);
  });
});

describe("local/documents: AWS-owned documents", () => {
  const h = useEndpoint();

  it("are present, Amazon-owned, Active, read-only, with their parameters", async () => {
    const d = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" }))).Document!;
    expect(d).to.include({
      Owner: "Amazon",
      Status: "Active",
      DocumentVersion: "1",
      SchemaVersion: "1.2",
      DocumentType: "Command",
    });
    expect(d.PlatformTypes).to.deep.equal(["Linux", "MacOS"]);
    expect(d.Parameters!.map((p) => [p.Name, p.Type, p.DefaultValue])).to.deep.equal([
      ["commands", "StringList", undefined],
      ["workingDirectory", "String", ""],
      ["executionTimeout", "String", "3600"],
    ]);
    const ps = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunPowerShellScript" }))).Document!;
    expect(ps.PlatformTypes).to.deep.equal(["Windows", "Linux"]);
    const patch = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunPatchBaseline" }))).Document!;
    expect(patch.PlatformTypes).to.deep.equal(["Windows", "Linux", "MacOS"]);
    const inv = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-GatherSoftwareInventory" }))).Document!;
    expect(inv.DocumentType).to.equal("Policy");
    const content = JSON.parse(
      (await h.ssm.send(new GetDocumentCommand({ Name: "AWS-ConfigureAWSPackage" }))).Content!,
    );
    expect(Object.keys(content.parameters)).to.deep.equal([
      "action",
      "installationType",
      "name",
      "version",
      "additionalArguments",
    ]);
    await expectSsmError(
      h.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "AWS-RunShellScript", DocumentVersion: "1" })),
      "InvalidDocumentOperation",
    );
    await expectSsmError(
      h.ssm.send(
        new ModifyDocumentPermissionCommand({
          Name: "AWS-RunShellScript",
          PermissionType: "Share",
          AccountIdsToAdd: ["111122223333"],
        }),
      ),
      "InvalidDocumentOperation",
    );
  });
});
