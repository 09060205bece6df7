import { expect } from "chai";
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from "@aws-sdk/client-ssm";
import { useEndpoint, expectSsmError, commandDoc } from "./helpers.js";

describe("local/tags", () => {
  const h = useEndpoint();
  const list = async () =>
    (await h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "tag-me" }))).TagList;
  beforeEach(() => h.ssm.send(new CreateDocumentCommand({ Name: "tag-me", Content: commandDoc() })));

  it("adds (overwriting existing keys), lists and removes tags on documents", async () => {
    expect(await list()).to.deep.equal([]);
    await h.ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "Document",
        ResourceId: "tag-me",
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "b", Value: "2" },
        ],
      }),
    );
    await h.ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "Document",
        ResourceId: "tag-me",
        Tags: [
          { Key: "a", Value: "10" },
          { Key: "c", Value: "" },
        ],
      }),
    );
    expect(await list()).to.deep.equal([
      { Key: "a", Value: "10" },
      { Key: "b", Value: "2" },
      { Key: "c", Value: "" },
    ]);
    await h.ssm.send(
      new RemoveTagsFromResourceCommand({
        ResourceType: "Document",
        ResourceId: "tag-me",
        TagKeys: ["b", "not-there"],
      }),
    );
    expect(await list()).to.deep.equal([
      { Key: "a", Value: "10" },
      { Key: "c", Value: "" },
    ]);
  });

  it("allows 50 tags per resource and refuses the 51st: TooManyTagsError", async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await h.ssm.send(new AddTagsToResourceCommand({ ResourceType: "Document", ResourceId: "tag-me", Tags: tags }));
    await expectSsmError(
      h.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: "Document",
          ResourceId: "tag-me",
          Tags: [{ Key: "one-more", Value: "v" }],
        }),
      ),
      "TooManyTagsError",
    );
    expect(await list()).to.have.length(50);
  });

  it("answers InvalidResourceId for a missing resource, even when listing", async () => {
    await expectSsmError(
      h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "nope-doc" })),
      "InvalidResourceId",
    );
    await expectSsmError(
      h.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: "Document",
          ResourceId: "nope-doc",
          Tags: [{ Key: "a", Value: "b" }],
        }),
      ),
      "InvalidResourceId",
    );
    await expectSsmError(
      h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "AWS-RunShellScript" })),
      "InvalidResourceId",
    );
  });

  it("answers InvalidResourceType for types the endpoint does not keep, ValidationException for unknown ones", async () => {
    await expectSsmError(
      h.ssm.send(
        new ListTagsForResourceCommand({ ResourceType: "MaintenanceWindow", ResourceId: "mw-0123456789abcdef0" }),
      ),
      "InvalidResourceType",
    );
    const e = await expectSsmError(
      h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Bucket" as "Document", ResourceId: "x" })),
      "ValidationException",
    );
    expect(e.message).to.match(
      /^1 validation error detected: Value 'Bucket' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: \[Document, ManagedInstance,/,
    );
  });

  it("validates keys and values, and reserves aws: keys", async () => {
    const bad = await expectSsmError(
      h.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: "Document",
          ResourceId: "tag-me",
          Tags: [
            { Key: "x".repeat(129), Value: "v" },
            { Key: "ok", Value: "bad|value" },
          ],
        }),
      ),
      "ValidationException",
    );
    expect(bad.message).to.match(
      /^2 validation errors detected: .*at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128; .*at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    await expectSsmError(
      h.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: "Document",
          ResourceId: "tag-me",
          Tags: [{ Key: "aws:owner", Value: "me" }],
        }),
      ),
      "ValidationException",
    );
    await expectSsmError(
      h.ssm.send(new AddTagsToResourceCommand({ ResourceType: "Document", ResourceId: "tag-me", Tags: undefined })),
      "ValidationException",
    );
  });

  it("lets other areas plug in resource types", async () => {
    h.endpoint.core.hooks.tagResourceTypes.set("OpsItem", {
      resolve: (_c, id) => (id === "oi-123456789012" ? id : undefined),
    });
    await h.ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "OpsItem",
        ResourceId: "oi-123456789012",
        Tags: [{ Key: "x", Value: "y" }],
      }),
    );
    const r = await h.ssm.send(
      new ListTagsForResourceCommand({ ResourceType: "OpsItem", ResourceId: "oi-123456789012" }),
    );
    expect(r.TagList).to.deep.equal([{ Key: "x", Value: "y" }]);
    await expectSsmError(
      h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "OpsItem", ResourceId: "oi-999999999999" })),
      "InvalidResourceId",
    );
  });
});
