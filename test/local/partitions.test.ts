// Accounts and regions on the local endpoint, through the real SDK: what is made in one region
// or account is not visible from another, each has its own fleet, and each is kept in the data
// dir across restarts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  CreateDocumentCommand,
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  ListDocumentsCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/local/index.js";
import "./helpers.js";

const CONTENT = JSON.stringify({
  schemaVersion: "2.2",
  description: "d",
  mainSteps: [{ action: "aws:runShellScript", name: "s", inputs: { runCommand: ["echo"] } }],
});

function client(endpoint: LocalEndpoint, region: string, accessKeyId = "test"): SSMClient {
  return new SSMClient({
    endpoint: endpoint.url,
    region,
    credentials: { accessKeyId, secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

async function ownDocuments(c: SSMClient): Promise<string[]> {
  const r = await c.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
  return (r.DocumentIdentifiers ?? []).map((d) => d.Name!).sort();
}

describe("local: accounts and regions are kept apart", function () {
  this.timeout(30_000);
  let dir: string;
  let endpoint: LocalEndpoint;
  const clients: SSMClient[] = [];
  const make = (region: string, key?: string) => {
    const c = client(endpoint, region, key);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-partitions-"));
    endpoint = await startLocalEndpoint({ dataDir: dir, accounts: { AKIAMAPPED: "222222222222" } });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a document made in one region is not visible from another, and the same name can exist in both", async () => {
    const east = make("us-east-1");
    const west = make("us-west-2");
    await east.send(new CreateDocumentCommand({ Name: "Baseline", Content: CONTENT, DocumentType: "Command" }));
    expect(await ownDocuments(east)).to.deep.equal(["Baseline"]);
    expect(await ownDocuments(west)).to.deep.equal([]);
    const missing = await west.send(new DescribeDocumentCommand({ Name: "Baseline" })).catch((e: Error) => e);
    expect((missing as Error).name).to.equal("InvalidDocument");
    await west.send(new CreateDocumentCommand({ Name: "Baseline", Content: CONTENT, DocumentType: "Command" }));
    expect(await ownDocuments(west)).to.deep.equal(["Baseline"]);
  });

  it("an account comes from a twelve-digit access key id or the mapping, and owns its documents", async () => {
    const own = make("us-east-1");
    const numbered = make("us-east-1", "111111111111");
    const mapped = make("us-east-1", "AKIAMAPPED");
    await numbered.send(new CreateDocumentCommand({ Name: "InAccount1", Content: CONTENT, DocumentType: "Command" }));
    await mapped.send(new CreateDocumentCommand({ Name: "InAccount2", Content: CONTENT, DocumentType: "Command" }));
    expect(await ownDocuments(own)).to.deep.equal([]);
    expect(await ownDocuments(numbered)).to.deep.equal(["InAccount1"]);
    expect(await ownDocuments(mapped)).to.deep.equal(["InAccount2"]);
    const d = await mapped.send(new DescribeDocumentCommand({ Name: "InAccount2" }));
    expect(d.Document!.Owner).to.equal("222222222222");
    endpoint.mapAccessKey("AKIALATER", "111111111111");
    expect(await ownDocuments(make("us-east-1", "AKIALATER"))).to.deep.equal(["InAccount1"]);
  });

  it("each region has its own simulated fleet", async () => {
    const west = make("eu-west-1");
    const fleet = await west.send(new DescribeInstanceInformationCommand({}));
    expect(fleet.InstanceInformationList!.length).to.be.greaterThan(0);
  });

  it("keeps every region's data across a restart", async () => {
    await make("ap-south-1").send(
      new CreateDocumentCommand({ Name: "Kept", Content: CONTENT, DocumentType: "Command" }),
    );
    for (const c of clients.splice(0)) c.destroy();
    await endpoint.stop();
    endpoint = await startLocalEndpoint({ dataDir: dir });
    expect(await ownDocuments(make("ap-south-1"))).to.deep.equal(["Kept"]);
    expect(await ownDocuments(make("us-east-1"))).to.deep.equal([]);
  });
});
