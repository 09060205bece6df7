/**
 * Document conformance: the same scenarios run against our endpoint and against moto
 * (`moto_server`, an independent implementation of the SSM API on the machine image), and both
 * must give the expected observation. Where moto differs from AWS (the spec names most cases;
 * PlatformTypes and list-default spacing are moto approximations), the difference is pinned in
 * the last suite instead, so a change on either side shows up.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import YAML from "yaml";
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  ListTagsForResourceCommand,
  ModifyDocumentPermissionCommand,
  RemoveTagsFromResourceCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/local/index.js";
import { clientFor, commandDoc } from "./helpers.js";
import { startMoto, resetMoto, type RunningServer } from "./processes.js";

type Outcome = { ok: unknown } | { error: string };

async function outcome<T>(p: Promise<T>, view: (v: T) => unknown = () => "ok"): Promise<Outcome> {
  try {
    return { ok: view(await p) };
  } catch (e) {
    return { error: (e as Error).name };
  }
}

const CONTENT = commandDoc(["echo {{ who }}"], {
  who: { type: "String", description: "whom to greet", default: "world" },
  hosts: { type: "StringList", default: ["a"] },
  mode: { type: "String" },
});
const createDoc = (ssm: SSMClient, Name: string, Content = CONTENT, extra: Record<string, unknown> = {}) =>
  ssm.send(new CreateDocumentCommand({ Name, Content, DocumentType: "Command", ...extra }));
const update = (ssm: SSMClient, Name: string, Content: string, extra: Record<string, unknown> = {}) =>
  ssm.send(new UpdateDocumentCommand({ Name, Content, DocumentVersion: "$LATEST", ...extra }));
const describeView = (d: Record<string, unknown> | undefined) => {
  const {
    Name,
    DocumentVersion,
    LatestVersion,
    DefaultVersion,
    Hash,
    HashType,
    DocumentType,
    DocumentFormat,
    SchemaVersion,
    Description,
    Parameters,
    VersionName,
    Owner,
  } = d ?? {};
  return {
    Name,
    DocumentVersion,
    LatestVersion,
    DefaultVersion,
    Hash,
    HashType,
    DocumentType,
    DocumentFormat,
    SchemaVersion,
    Description,
    Parameters,
    VersionName,
    Owner,
  };
};

interface Scenario {
  name: string;
  run(ssm: SSMClient): Promise<unknown>;
  expected: unknown;
}

const scenarios: Scenario[] = [
  {
    name: "create, then describe: versions, hash, parameters, owner",
    async run(ssm) {
      const created = await createDoc(ssm, "conf-doc", CONTENT, { VersionName: "v1" });
      const described = await ssm.send(new DescribeDocumentCommand({ Name: "conf-doc" }));
      return {
        created: describeView(created.DocumentDescription as never),
        described: describeView(described.Document as never),
      };
    },
    expected: (() => {
      const view = {
        Name: "conf-doc",
        DocumentVersion: "1",
        LatestVersion: "1",
        DefaultVersion: "1",
        Hash: "(sha256 of CONTENT)",
        HashType: "Sha256",
        DocumentType: "Command",
        DocumentFormat: "JSON",
        SchemaVersion: "2.2",
        Description: "test document",
        Parameters: [
          { Name: "who", Type: "String", Description: "whom to greet", DefaultValue: "world" },
          { Name: "hosts", Type: "StringList", DefaultValue: '["a"]' },
          { Name: "mode", Type: "String" },
        ],
        VersionName: "v1",
        Owner: "123456789012",
      };
      return { created: view, described: view };
    })(),
  },
  {
    name: "each update adds latest+1 and leaves the default",
    async run(ssm) {
      await createDoc(ssm, "conf-ver");
      const u1 = await update(ssm, "conf-ver", commandDoc(["echo 2"]));
      const u2 = await update(ssm, "conf-ver", commandDoc(["echo 3"]), { VersionName: "third" });
      const def = await ssm.send(new DescribeDocumentCommand({ Name: "conf-ver" }));
      const latest = await ssm.send(new DescribeDocumentCommand({ Name: "conf-ver", DocumentVersion: "$LATEST" }));
      const byName = await ssm.send(new GetDocumentCommand({ Name: "conf-ver", VersionName: "third" }));
      const pick = (d: { DocumentVersion?: string; LatestVersion?: string; DefaultVersion?: string } | undefined) => [
        d?.DocumentVersion,
        d?.LatestVersion,
        d?.DefaultVersion,
      ];
      return {
        u1: pick(u1.DocumentDescription),
        u2: pick(u2.DocumentDescription),
        def: pick(def.Document),
        latest: pick(latest.Document),
        byName: byName.DocumentVersion,
      };
    },
    expected: { u1: ["2", "2", "1"], u2: ["3", "3", "1"], def: ["1", "3", "1"], latest: ["3", "3", "1"], byName: "3" },
  },
  {
    name: "update errors: same content, stale version, duplicate version name, unknown document",
    async run(ssm) {
      await createDoc(ssm, "conf-upd", CONTENT, { VersionName: "one" });
      await update(ssm, "conf-upd", commandDoc(["echo 2"], { who: { type: "String" } }));
      return {
        sameContent: await outcome(update(ssm, "conf-upd", CONTENT)),
        staleVersion: await outcome(update(ssm, "conf-upd", commandDoc(["x"]), { DocumentVersion: "1" })),
        duplicateName: await outcome(update(ssm, "conf-upd", commandDoc(["y"]), { VersionName: "one" })),
        unknown: await outcome(update(ssm, "conf-none", commandDoc(["z"]))),
      };
    },
    expected: {
      sameContent: { error: "DuplicateDocumentContent" },
      staleVersion: { error: "InvalidDocumentVersion" },
      duplicateName: { error: "DuplicateDocumentVersionName" },
      unknown: { error: "InvalidDocument" },
    },
  },
  {
    name: "create errors: existing name, bad name, reserved prefix, unparsable JSON",
    async run(ssm) {
      await createDoc(ssm, "conf-dup");
      return {
        exists: await outcome(createDoc(ssm, "conf-dup")),
        badName: await outcome(createDoc(ssm, "no spaces")),
        reserved: await outcome(createDoc(ssm, "aws-mine")),
        badJson: await outcome(createDoc(ssm, "conf-bad-json", "{ nope")),
      };
    },
    expected: {
      exists: { error: "DocumentAlreadyExists" },
      badName: { error: "ValidationException" },
      reserved: { error: "ValidationException" },
      badJson: { error: "InvalidDocumentContent" },
    },
  },
  {
    name: "UpdateDocumentDefaultVersion moves the default",
    async run(ssm) {
      await createDoc(ssm, "conf-def");
      await update(ssm, "conf-def", commandDoc(["echo 2"]), { VersionName: "second" });
      const moved = await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "conf-def", DocumentVersion: "2" }));
      const d = await ssm.send(new DescribeDocumentCommand({ Name: "conf-def" }));
      const listed = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
      return {
        moved: moved.Description,
        described: [d.Document?.DocumentVersion, d.Document?.DefaultVersion],
        listed: listed.DocumentIdentifiers?.map((i) => [i.Name, i.DocumentVersion, i.VersionName]),
        unknown: await outcome(
          ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "conf-nope", DocumentVersion: "1" })),
        ),
      };
    },
    expected: {
      moved: { Name: "conf-def", DefaultVersion: "2", DefaultVersionName: "second" },
      described: ["2", "2"],
      listed: [["conf-def", "2", "second"]],
      unknown: { error: "InvalidDocument" },
    },
  },
  {
    name: "DeleteDocument: one version, never the default, then the whole document and its tags",
    async run(ssm) {
      await createDoc(ssm, "conf-del", CONTENT, { Tags: [{ Key: "k", Value: "v" }] });
      await update(ssm, "conf-del", commandDoc(["echo 2"]));
      await update(ssm, "conf-del", commandDoc(["echo 3"]));
      const deleteDefault = await outcome(
        ssm.send(new DeleteDocumentCommand({ Name: "conf-del", DocumentVersion: "1" })),
      );
      await ssm.send(new DeleteDocumentCommand({ Name: "conf-del", DocumentVersion: "3" }));
      const after = await ssm.send(new DescribeDocumentCommand({ Name: "conf-del" }));
      await ssm.send(new DeleteDocumentCommand({ Name: "conf-del" }));
      return {
        deleteDefault,
        latestAfter: after.Document?.LatestVersion,
        describeGone: await outcome(ssm.send(new DescribeDocumentCommand({ Name: "conf-del" }))),
        tagsGone: await outcome(
          ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "conf-del" })),
        ),
        deleteAgain: await outcome(ssm.send(new DeleteDocumentCommand({ Name: "conf-del" }))),
      };
    },
    expected: {
      deleteDefault: { error: "InvalidDocumentOperation" },
      latestAfter: "2",
      describeGone: { error: "InvalidDocument" },
      tagsGone: { error: "InvalidResourceId" },
      deleteAgain: { error: "InvalidDocument" },
    },
  },
  {
    name: "tags: at create, add (overwrite), remove, list",
    async run(ssm) {
      await createDoc(ssm, "conf-tags", CONTENT, { Tags: [{ Key: "a", Value: "1" }] });
      await ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: "Document",
          ResourceId: "conf-tags",
          Tags: [
            { Key: "a", Value: "2" },
            { Key: "b", Value: "3" },
          ],
        }),
      );
      await ssm.send(
        new RemoveTagsFromResourceCommand({ ResourceType: "Document", ResourceId: "conf-tags", TagKeys: ["b", "zzz"] }),
      );
      const list = await ssm.send(
        new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "conf-tags" }),
      );
      const described = await ssm.send(new DescribeDocumentCommand({ Name: "conf-tags" }));
      return {
        list: list.TagList,
        described: described.Document?.Tags,
        missing: await outcome(
          ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "conf-nope" })),
        ),
      };
    },
    expected: {
      list: [{ Key: "a", Value: "2" }],
      described: [{ Key: "a", Value: "2" }],
      missing: { error: "InvalidResourceId" },
    },
  },
  {
    name: "permissions: share, unshare, and a shared document cannot be deleted",
    async run(ssm) {
      await createDoc(ssm, "conf-share");
      await ssm.send(
        new ModifyDocumentPermissionCommand({
          Name: "conf-share",
          PermissionType: "Share",
          AccountIdsToAdd: ["111122223333", "444455556666"],
        }),
      );
      await ssm.send(
        new ModifyDocumentPermissionCommand({
          Name: "conf-share",
          PermissionType: "Share",
          AccountIdsToRemove: ["111122223333"],
        }),
      );
      const p = await ssm.send(new DescribeDocumentPermissionCommand({ Name: "conf-share", PermissionType: "Share" }));
      return {
        accounts: p.AccountIds,
        info: p.AccountSharingInfoList,
        mixedAll: await outcome(
          ssm.send(
            new ModifyDocumentPermissionCommand({
              Name: "conf-share",
              PermissionType: "Share",
              AccountIdsToAdd: ["all", "111122223333"],
            }),
          ),
        ),
        badAccount: await outcome(
          ssm.send(
            new ModifyDocumentPermissionCommand({
              Name: "conf-share",
              PermissionType: "Share",
              AccountIdsToAdd: ["123"],
            }),
          ),
        ),
        deleteShared: await outcome(ssm.send(new DeleteDocumentCommand({ Name: "conf-share" }))),
      };
    },
    expected: {
      accounts: ["444455556666"],
      info: [{ AccountId: "444455556666", SharedDocumentVersion: "$DEFAULT" }],
      mixedAll: { error: "DocumentPermissionLimit" },
      badAccount: { error: "ValidationException" },
      deleteShared: { error: "InvalidDocumentOperation" },
    },
  },
  {
    name: "GetDocument converts JSON to YAML and back",
    async run(ssm) {
      await createDoc(ssm, "conf-json", CONTENT);
      await createDoc(ssm, "conf-yaml", YAML.stringify(JSON.parse(CONTENT)), { DocumentFormat: "YAML" });
      const asYaml = await ssm.send(new GetDocumentCommand({ Name: "conf-json", DocumentFormat: "YAML" }));
      const asJson = await ssm.send(new GetDocumentCommand({ Name: "conf-yaml", DocumentFormat: "JSON" }));
      const stored = await ssm.send(new GetDocumentCommand({ Name: "conf-json" }));
      return {
        yaml: [asYaml.DocumentFormat, YAML.parse(asYaml.Content!)],
        json: [asJson.DocumentFormat, JSON.parse(asJson.Content!)],
        stored: [
          stored.DocumentFormat,
          stored.Content === CONTENT,
          stored.Name,
          stored.DocumentVersion,
          stored.DocumentType,
        ],
      };
    },
    expected: {
      yaml: ["YAML", JSON.parse(CONTENT)],
      json: ["JSON", JSON.parse(CONTENT)],
      stored: ["JSON", true, "conf-json", "1", "Command"],
    },
  },
  {
    name: "GetDocument without DocumentFormat answers JSON, also for a YAML document",
    async run(ssm) {
      await createDoc(ssm, "conf-yaml-default", YAML.stringify(JSON.parse(CONTENT)), { DocumentFormat: "YAML" });
      const got = await ssm.send(new GetDocumentCommand({ Name: "conf-yaml-default" }));
      return [got.DocumentFormat, JSON.parse(got.Content!)];
    },
    expected: ["JSON", JSON.parse(CONTENT)],
  },
  {
    name: "ListDocuments: Owner=Self, DocumentType, paging through every page",
    async run(ssm) {
      for (const n of ["conf-c", "conf-a", "conf-e", "conf-b", "conf-d"]) await createDoc(ssm, n, commandDoc([n]));
      await createDoc(
        ssm,
        "conf-policy",
        JSON.stringify({
          schemaVersion: "2.0",
          mainSteps: [{ action: "aws:softwareInventory", name: "inv", inputs: {} }],
        }),
        { DocumentType: "Policy" },
      );
      const pages: string[][] = [];
      let NextToken: string | undefined;
      do {
        const r = await ssm.send(
          new ListDocumentsCommand({
            Filters: [
              { Key: "Owner", Values: ["Self"] },
              { Key: "DocumentType", Values: ["Command"] },
            ],
            MaxResults: 2,
            ...(NextToken ? { NextToken } : {}),
          }),
        );
        pages.push(r.DocumentIdentifiers!.map((d) => d.Name!));
        NextToken = r.NextToken || undefined;
      } while (NextToken && pages.length < 10);
      const policies = await ssm.send(
        new ListDocumentsCommand({
          Filters: [
            { Key: "DocumentType", Values: ["Policy"] },
            { Key: "Owner", Values: ["Self"] },
          ],
        }),
      );
      return {
        all: pages.flat(),
        policies: policies.DocumentIdentifiers!.map((d) => [d.Name, d.SchemaVersion, d.DocumentType, d.Owner]),
      };
    },
    expected: {
      all: ["conf-a", "conf-b", "conf-c", "conf-d", "conf-e"],
      policies: [["conf-policy", "2.0", "Policy", "123456789012"]],
    },
  },
];

describe("local/moto-conformance: documents agree with moto_server", function () {
  this.timeout(60_000);
  let moto: RunningServer;
  let motoClient: SSMClient;
  let ours: LocalEndpoint;
  let ourClient: SSMClient;

  before(async () => {
    moto = await startMoto();
    motoClient = clientFor(moto.url);
  });
  after(async () => {
    // Unset when before() failed.
    (motoClient as SSMClient | undefined)?.destroy();
    await (moto as RunningServer | undefined)?.stop();
  });
  beforeEach(async () => {
    await resetMoto(moto.url);
    ours = await startLocalEndpoint();
    ourClient = clientFor(ours.url);
  });
  afterEach(async () => {
    ourClient.destroy();
    await ours.stop();
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const fromMoto = await scenario.run(motoClient);
      const fromUs = await scenario.run(ourClient);
      const expected = fixHash(scenario.expected);
      expect(fromUs, "statectl local endpoint").to.deep.equal(expected);
      expect(fromMoto, "moto").to.deep.equal(expected);
    });
  }

  describe("where moto differs (as ../shared/ssm-api-spec.md notes, or where moto only approximates)", () => {
    it("a version that does not exist: AWS InvalidDocumentVersion, moto InvalidDocument (§2.1)", async () => {
      for (const ssm of [ourClient, motoClient]) await createDoc(ssm, "diff-ver");
      const call = (ssm: SSMClient) =>
        outcome(ssm.send(new DescribeDocumentCommand({ Name: "diff-ver", DocumentVersion: "7" })));
      expect(await call(ourClient)).to.deep.equal({ error: "InvalidDocumentVersion" });
      expect(await call(motoClient)).to.deep.equal({ error: "InvalidDocument" });
    });

    it("the Name filter: AWS matches a prefix, moto the exact name (§2.8)", async () => {
      for (const ssm of [ourClient, motoClient]) await createDoc(ssm, "diff-prefix-doc");
      const call = async (ssm: SSMClient) =>
        (
          await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Name", Values: ["diff-prefix"] }] }))
        ).DocumentIdentifiers!.map((d) => d.Name);
      expect(await call(ourClient)).to.deep.equal(["diff-prefix-doc"]);
      expect(await call(motoClient)).to.deep.equal([]);
    });

    it("UpdateDocument without DocumentVersion: we treat it as $LATEST, moto rejects it (§2.5)", async () => {
      for (const ssm of [ourClient, motoClient]) await createDoc(ssm, "diff-upd");
      const call = (ssm: SSMClient) =>
        outcome(
          ssm.send(new UpdateDocumentCommand({ Name: "diff-upd", Content: commandDoc(["new"]) })),
          (r) => r.DocumentDescription?.DocumentVersion,
        );
      expect(await call(ourClient)).to.deep.equal({ ok: "2" });
      expect(await call(motoClient)).to.deep.equal({ error: "InvalidDocumentVersion" });
    });

    it("PlatformTypes: derived from the steps by us, a placeholder in moto", async () => {
      const call = async (ssm: SSMClient) => (await createDoc(ssm, "diff-platform")).DocumentDescription!.PlatformTypes;
      expect(await call(ourClient)).to.deep.equal(["Linux", "MacOS"]);
      expect(await call(motoClient)).to.deep.equal(["Not Implemented (moto)"]);
    });

    it("list defaults in Parameters: compact JSON from us, Python's spaced json.dumps from moto (spacing unspecified)", async () => {
      const content = commandDoc(["x"], { hosts: { type: "StringList", default: ["a", "b"] } });
      const call = async (ssm: SSMClient) =>
        (await createDoc(ssm, "diff-default", content)).DocumentDescription!.Parameters![0]!.DefaultValue;
      expect(await call(ourClient)).to.equal('["a","b"]');
      expect(await call(motoClient)).to.equal('["a", "b"]');
    });

    it("AWS-owned documents exist from the start with us (§2.11), not in moto", async () => {
      const call = (ssm: SSMClient) =>
        outcome(ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" })), (r) => r.Document?.Owner);
      expect(await call(ourClient)).to.deep.equal({ ok: "Amazon" });
      expect(await call(motoClient)).to.deep.equal({ error: "InvalidDocument" });
    });
  });
});

/** The expected hash is the SHA-256 of CONTENT; computed here so the table stays readable. */
function fixHash(expected: unknown): unknown {
  return JSON.parse(JSON.stringify(expected), (key, value) => (key === "Hash" ? sha256(CONTENT) : value));
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
