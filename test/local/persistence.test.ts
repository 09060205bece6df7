import { expect } from "chai";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateDocumentCommand,
  UpdateDocumentCommand,
  DescribeDocumentCommand,
  ListTagsForResourceCommand,
  ModifyDocumentPermissionCommand,
  DescribeDocumentPermissionCommand,
} from "@aws-sdk/client-ssm";
import { startLocalEndpoint } from "../../src/local/index.js";
import { JOURNAL_FILE, STORE_FILE, readDataDir } from "../../src/local/store.js";
import { clientFor, commandDoc } from "./helpers.js";

describe("local/persistence: data survives restarts", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-local-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps documents, versions, tags and permissions across a restart", async () => {
    let ep = await startLocalEndpoint({ dataDir: dir });
    let ssm = clientFor(ep.url);
    await ssm.send(
      new CreateDocumentCommand({ Name: "kept", Content: commandDoc(["1"]), Tags: [{ Key: "k", Value: "v" }] }),
    );
    await ssm.send(new UpdateDocumentCommand({ Name: "kept", Content: commandDoc(["2"]) }));
    await ssm.send(
      new ModifyDocumentPermissionCommand({ Name: "kept", PermissionType: "Share", AccountIdsToAdd: ["111122223333"] }),
    );
    // Past the activation delay (20 ms of endpoint time), so both reads see Active, not a race.
    await ep.advance("1s");
    const before = (await ssm.send(new DescribeDocumentCommand({ Name: "kept", DocumentVersion: "2" }))).Document!;
    ssm.destroy();
    await ep.stop();

    ep = await startLocalEndpoint({ dataDir: dir });
    ssm = clientFor(ep.url);
    try {
      const after = (await ssm.send(new DescribeDocumentCommand({ Name: "kept", DocumentVersion: "2" }))).Document!;
      expect(after).to.deep.equal(before);
      expect(
        (await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "kept" }))).TagList,
      ).to.deep.equal([{ Key: "k", Value: "v" }]);
      expect(
        (await ssm.send(new DescribeDocumentPermissionCommand({ Name: "kept", PermissionType: "Share" }))).AccountIds,
      ).to.deep.equal(["111122223333"]);
    } finally {
      ssm.destroy();
      await ep.stop();
    }
  });

  it("has written the change before the response arrives (no stop needed)", async () => {
    const ep = await startLocalEndpoint({ dataDir: dir });
    const ssm = clientFor(ep.url);
    try {
      await ssm.send(new CreateDocumentCommand({ Name: "durable", Content: commandDoc() }));
      const onDisk = (await readDataDir(dir)) as { documents: { byName: object } };
      expect(Object.keys(onDisk.documents.byName)).to.deep.equal(["durable"]);
    } finally {
      ssm.destroy();
      await ep.stop();
    }
  });

  it("keeps a second endpoint off a data dir in use, and frees it at stop", async () => {
    const ep = await startLocalEndpoint({ dataDir: dir });
    let failure: unknown;
    await startLocalEndpoint({ dataDir: dir }).then(
      (e) => e.stop(),
      (e) => (failure = e),
    );
    expect(String(failure)).to.match(/already open in this process|in use by another/);
    await ep.stop();
    expect(existsSync(path.join(dir, "endpoint.lock"))).to.equal(false);
    const again = await startLocalEndpoint({ dataDir: dir });
    await again.stop();
  });

  it("takes over a lock left by a dead process, and ignores leftovers of an interrupted write", async () => {
    writeFileSync(path.join(dir, "endpoint.lock"), "999999999");
    writeFileSync(path.join(dir, ".endpoint.json.1234.0.tmp"), "{ half a fi");
    const ep = await startLocalEndpoint({ dataDir: dir });
    await ep.stop();
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
  });

  it("refuses a corrupt data file instead of silently starting empty", async () => {
    writeFileSync(path.join(dir, "endpoint.json"), "{ not json");
    let failure: unknown;
    await startLocalEndpoint({ dataDir: dir }).then(
      (e) => e.stop(),
      (e) => (failure = e),
    );
    expect(String(failure)).to.match(/endpoint\.json is not valid JSON/);
    expect(existsSync(path.join(dir, "endpoint.lock"))).to.equal(false);
  });

  it("stays consistent under many concurrent writes (coalesced)", async () => {
    const ep = await startLocalEndpoint({ dataDir: dir });
    const ssm = clientFor(ep.url);
    try {
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          ssm.send(new CreateDocumentCommand({ Name: `many-${i}`, Content: commandDoc([String(i)]) })),
        ),
      );
    } finally {
      ssm.destroy();
      await ep.stop();
    }
    const onDisk = JSON.parse(readFileSync(path.join(dir, "endpoint.json"), "utf8"));
    expect(Object.keys(onDisk.sections.documents.byName)).to.have.length(30);
  });

  it("appends what changed to the journal instead of rewriting the data file, and folds it in at stop", async () => {
    const ep = await startLocalEndpoint({ dataDir: dir });
    const ssm = clientFor(ep.url);
    try {
      for (let i = 0; i < 20; i++)
        await ssm.send(new CreateDocumentCommand({ Name: `journal-${i}`, Content: commandDoc([String(i)]) }));
      const snapshot = JSON.parse(readFileSync(path.join(dir, STORE_FILE), "utf8")) as {
        sections: { documents?: { byName: object } };
      };
      // The first write made the snapshot (at start, or with the first create); every create after it is one journal line.
      const inSnapshot = Object.keys(snapshot.sections.documents?.byName ?? {}).length;
      expect(inSnapshot).to.be.at.most(1);
      expect(readFileSync(path.join(dir, JOURNAL_FILE), "utf8").trim().split("\n")).to.have.length(20 - inSnapshot);
      expect(ep.core.store.bytesWritten).to.be.below(
        4 * readFileSync(path.join(dir, STORE_FILE)).length + readFileSync(path.join(dir, JOURNAL_FILE)).length,
      );
      const onDisk = (await readDataDir(dir)) as { documents: { byName: object } };
      expect(Object.keys(onDisk.documents.byName)).to.have.length(20);
    } finally {
      ssm.destroy();
      await ep.stop();
    }
    const folded = JSON.parse(readFileSync(path.join(dir, STORE_FILE), "utf8")) as {
      sections: { documents: { byName: object } };
    };
    expect(Object.keys(folded.sections.documents.byName)).to.have.length(20);
    expect(readFileSync(path.join(dir, JOURNAL_FILE), "utf8")).to.equal("");
  });

  it("loads the journal's whole lines and drops a torn last line; a journal of another generation is ignored", async () => {
    let ep = await startLocalEndpoint({ dataDir: dir });
    let ssm = clientFor(ep.url);
    await ssm.send(new CreateDocumentCommand({ Name: "first", Content: commandDoc(["1"]) }));
    await ssm.send(new CreateDocumentCommand({ Name: "second", Content: commandDoc(["2"]) }));
    ssm.destroy();
    // Simulate a crash: keep the files as they are now (stop would fold the journal in).
    const snapshot = readFileSync(path.join(dir, STORE_FILE), "utf8");
    const journal = readFileSync(path.join(dir, JOURNAL_FILE), "utf8");
    await ep.stop();
    writeFileSync(path.join(dir, STORE_FILE), snapshot);
    writeFileSync(path.join(dir, JOURNAL_FILE), journal + '{"g":1,"set":[[["documents","byName","torn"],');
    ep = await startLocalEndpoint({ dataDir: dir });
    ssm = clientFor(ep.url);
    try {
      await ssm.send(new DescribeDocumentCommand({ Name: "second" }));
      let missing: unknown;
      await ssm.send(new DescribeDocumentCommand({ Name: "torn" })).catch((e) => (missing = e));
      expect((missing as Error).name).to.equal("InvalidDocument");
      // A write after the torn line starts a new generation, so nothing lands behind the tear.
      await ssm.send(new CreateDocumentCommand({ Name: "third", Content: commandDoc(["3"]) }));
    } finally {
      ssm.destroy();
      await ep.stop();
    }
    const stale = readFileSync(path.join(dir, STORE_FILE), "utf8");
    // The journal of the first run, now stale: the snapshot moved on by several generations.
    writeFileSync(path.join(dir, JOURNAL_FILE), journal);
    ep = await startLocalEndpoint({ dataDir: dir });
    await ep.stop();
    expect(
      Object.keys(((await readDataDir(dir)) as { documents: { byName: object } }).documents.byName).sort(),
    ).to.deep.equal(["first", "second", "third"]);
    expect(stale).to.include('"third"');
  });
});
