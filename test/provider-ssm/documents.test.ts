import { createHash } from "node:crypto";
import { expect } from "chai";
import { ProviderError, type DocumentState } from "../../src/index.js";
import { accountIds, commandDocument, LOCAL_ACCOUNT, startRig, type Rig } from "./helpers.js";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected a ProviderError");
}

describe("provider-ssm documents (local endpoint over HTTP)", () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it("creates a document and reads back what SSM computed", async () => {
    const content = commandDocument("hello");
    const created = await rig.provider.createDocument({ name: "hello-doc", content, tags: { team: "ops" } });
    expect(created).to.include({
      name: "hello-doc",
      content,
      type: "Command",
      format: "JSON",
      document_version: "1",
      default_version: "1",
      latest_version: "1",
      hash: sha256(content),
      status: "Active",
      owner: LOCAL_ACCOUNT,
      schema_version: "2.2",
      arn: `arn:aws:ssm:us-east-1:${LOCAL_ACCOUNT}:document/hello-doc`,
    });
    expect(created.tags).to.deep.equal({ team: "ops" });
    expect(created.permissions).to.deep.equal([]);
    expect(created.platform_types).to.include("Linux");
    expect(created.parameters).to.deep.equal([{ name: "greeting", type: "String", default_value: "hello" }]);
    expect(await rig.provider.readDocument("hello-doc")).to.deep.equal(created);
  });

  it("reads a YAML document back as the YAML text it sent (GetDocument asks for the stored format)", async () => {
    const content =
      "schemaVersion: '2.2'\nmainSteps:\n  - action: aws:runShellScript\n    name: run\n    inputs:\n      runCommand: [date]\n";
    const created = await rig.provider.createDocument({ name: "yaml-doc", content, format: "YAML" });
    expect(created).to.include({ content, format: "YAML" });
    expect(await rig.provider.readDocument("yaml-doc")).to.include({ content, format: "YAML" });
  });

  it("reports a missing document as not found by its error code", async () => {
    expect(await rig.provider.readDocument("no-such-doc")).to.equal(undefined);
    expect(rig.endpoint.counters()["DescribeDocument"]).to.include({ calls: 1, errors: 1 });
  });

  it("adds a version for new content and makes it the default when promote is on", async () => {
    const v1 = await rig.provider.createDocument({ name: "versioned", content: commandDocument("one") });
    const result = await rig.provider.updateDocument(v1, { name: "versioned", content: commandDocument("two") });
    expect(result.contentChanged).to.equal(true);
    expect(result.newVersion).to.equal("2");
    expect(result.state).to.include({ default_version: "2", latest_version: "2", content: commandDocument("two") });
    expect(rig.calls("UpdateDocumentDefaultVersion")).to.equal(1);
  });

  it("leaves the default alone with promote off and then manages the latest version", async () => {
    const v1 = await rig.provider.createDocument({
      name: "unpromoted",
      content: commandDocument("one"),
      promote: false,
    });
    const result = await rig.provider.updateDocument(v1, {
      name: "unpromoted",
      content: commandDocument("two"),
      promote: false,
    });
    expect(result.state).to.include({
      default_version: "1",
      latest_version: "2",
      document_version: "2",
      content: commandDocument("two"),
    });
    expect(rig.calls("UpdateDocumentDefaultVersion")).to.equal(0);
    const asDefault = await rig.provider.readDocument("unpromoted");
    expect(asDefault).to.include({ document_version: "1", content: commandDocument("one") });
  });

  it("treats DuplicateDocumentContent as no content change and promotes the matching version", async () => {
    const v1 = await rig.provider.createDocument({ name: "revert", content: commandDocument("one") });
    const v2 = (await rig.provider.updateDocument(v1, { name: "revert", content: commandDocument("two") })).state;
    const back = await rig.provider.updateDocument(v2, { name: "revert", content: commandDocument("one") });
    expect(back.contentChanged).to.equal(false);
    expect(back.newVersion).to.equal(undefined);
    expect(back.state).to.include({ default_version: "1", latest_version: "2", content: commandDocument("one") });
    expect(rig.endpoint.counters()["UpdateDocument"]).to.include({ calls: 2, errors: 1 });
  });

  it("makes no call at all when nothing changed", async () => {
    const doc = await rig.provider.createDocument({ name: "still", content: commandDocument("x"), tags: { a: "1" } });
    rig.endpoint.resetCounters();
    const result = await rig.provider.updateDocument(doc, { name: "still", content: doc.content, tags: { a: "1" } });
    expect(result.contentChanged).to.equal(false);
    const writes = Object.keys(rig.endpoint.counters()).filter((op) => !/^(Describe|Get|List)/.test(op));
    expect(writes).to.deep.equal([]);
  });

  it("shares with 45 accounts in 3 ModifyDocumentPermission calls, reshuffles in batches, and unshares before delete", async () => {
    const doc = await rig.provider.createDocument({
      name: "shared",
      content: commandDocument("s"),
      permissions: accountIds(45),
    });
    expect(rig.calls("ModifyDocumentPermission")).to.equal(3);
    expect(doc.permissions).to.deep.equal(accountIds(45));
    rig.endpoint.resetCounters();
    // Keep 5, drop 40, add 25: 40 removals and 25 additions ride together → 2 calls.
    const desired = [...accountIds(5), ...accountIds(25, 1000)];
    const updated = (
      await rig.provider.updateDocument(doc, { name: "shared", content: doc.content, permissions: desired })
    ).state;
    expect(rig.calls("ModifyDocumentPermission")).to.equal(2);
    expect(updated.permissions).to.deep.equal([...desired].sort());
    rig.endpoint.resetCounters();
    expect(await rig.provider.deleteDocument("shared")).to.equal(true);
    expect(rig.calls("ModifyDocumentPermission")).to.equal(2);
    expect(await rig.provider.readDocument("shared")).to.equal(undefined);
  });

  it("applies a tag diff with one removal call and one addition call", async () => {
    const doc = await rig.provider.createDocument({
      name: "tagged",
      content: commandDocument("t"),
      tags: { a: "1", b: "2", c: "3" },
    });
    rig.endpoint.resetCounters();
    const updated = (
      await rig.provider.updateDocument(doc, {
        name: "tagged",
        content: doc.content,
        tags: { a: "1", b: "20", d: "4" },
      })
    ).state;
    expect(updated.tags).to.deep.equal({ a: "1", b: "20", d: "4" });
    expect(rig.calls("AddTagsToResource")).to.equal(1);
    expect(rig.calls("RemoveTagsFromResource")).to.equal(1);
  });

  it("deletes, reports a second delete as nothing to do, and frees the name for a replacement", async () => {
    await rig.provider.createDocument({ name: "gone", content: commandDocument("g") });
    expect(await rig.provider.deleteDocument("gone")).to.equal(true);
    expect(await rig.provider.deleteDocument("gone")).to.equal(false);
    const again: DocumentState = await rig.provider.createDocument({
      name: "gone",
      content: commandDocument("g2"),
      type: "Command",
    });
    expect(again.latest_version).to.equal("1");
  });

  it("names the operation and the AWS error code when SSM refuses", async () => {
    const error = await rejection(rig.provider.createDocument({ name: "broken", content: "{ not json" }));
    expect(error.operation).to.equal("CreateDocument");
    expect(error.code).to.equal("InvalidDocumentContent");
    expect(error.retryable).to.equal(false);
    expect(error.at("document.broken").message).to.match(
      /^document\.broken: CreateDocument failed: InvalidDocumentContent: /,
    );
    await rig.provider.createDocument({ name: "twice", content: commandDocument("1") });
    const duplicate = await rejection(rig.provider.createDocument({ name: "twice", content: commandDocument("1") }));
    expect(duplicate.code).to.equal("DocumentAlreadyExists");
  });

  it("carries the created document in the error when sharing fails after CreateDocument", async () => {
    const error = await rejection(
      rig.provider.createDocument({
        name: "half-made",
        content: commandDocument("h"),
        permissions: ["not-an-account"],
      }),
    );
    expect(error.operation).to.equal("ModifyDocumentPermission");
    const partial = error.partialState as DocumentState;
    expect(partial).to.include({ name: "half-made", latest_version: "1" });
    expect(partial.permissions).to.deep.equal([]);
    expect(await rig.provider.readDocument("half-made")).to.deep.equal(partial);
  });

  it("pages through ListDocuments 50 at a time", async () => {
    for (let i = 0; i < 55; i++) {
      await rig.provider.createDocument({
        name: `paged-${String(i).padStart(2, "0")}`,
        content: commandDocument(`p${i}`),
      });
    }
    rig.endpoint.resetCounters();
    const own = await rig.provider.listDocuments();
    expect(own.map((d) => d.name)).to.have.length(55);
    expect(own.every((d) => d.owner === LOCAL_ACCOUNT)).to.equal(true);
    expect(rig.calls("ListDocuments")).to.equal(2);
    const some = await rig.provider.listDocuments({ name_prefix: "paged-5" });
    expect(some.map((d) => d.name)).to.deep.equal(["paged-50", "paged-51", "paged-52", "paged-53", "paged-54"]);
    const amazon = await rig.provider.listDocuments({ owner: "Amazon" });
    expect(amazon.map((d) => d.name)).to.include("AWS-RunShellScript");
  });
});
