/**
 * The local endpoint on a machine other users share (issue 16): it serves only requests that
 * name the loopback address or localhost (a web page cannot reach it through DNS rebinding),
 * keeps its data owner-only and never writes through a link someone planted, does not take a
 * client that went away for a bug, and refuses to start on a damaged journal instead of dropping
 * every acknowledged write after the damage.
 */
import { expect } from "chai";
import * as http from "node:http";
import * as net from "node:net";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateDocumentCommand, DescribeDocumentCommand, ListDocumentsCommand } from "@aws-sdk/client-ssm";
import { startLocalEndpoint } from "../../src/local/index.js";
import { JOURNAL_FILE, STORE_FILE } from "../../src/local/store.js";
import { clientFor, commandDoc } from "./helpers.js";

/** A request with exactly the Host header given (fetch would not let a test set it). */
function withHost(url: string, host: string): Promise<{ status: number; body: Record<string, string> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: Number(port),
        method: "POST",
        path: "/",
        headers: {
          Host: host,
          "X-Amz-Target": "AmazonSSM.ListDocuments",
          "Content-Type": "application/x-amz-json-1.1",
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, string> }));
      },
    );
    req.on("error", reject);
    req.end("{}");
  });
}

describe("local/shared machine", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-shared-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("serves Host: 127.0.0.1, localhost and [::1] only (DNS rebinding), with a clear error", async () => {
    const ep = await startLocalEndpoint({});
    try {
      for (const host of [
        `127.0.0.1:${ep.port}`,
        `localhost:${ep.port}`,
        "localhost",
        `[::1]:${ep.port}`,
        `LOCALHOST:${ep.port}`,
      ]) {
        const r = await withHost(ep.url, host);
        expect(r.status, host).to.equal(200);
      }
      for (const host of [
        "evil.example.com",
        `evil.example.com:${ep.port}`,
        `127.0.0.1.evil.example.com:${ep.port}`,
        `localhost.evil.example.com`,
        "10.0.0.5",
        "0.0.0.0",
      ]) {
        const r = await withHost(ep.url, host);
        expect(r.status, host).to.equal(403);
        expect(r.body.__type, host).to.equal("AccessDeniedException");
        expect(r.body.message, host).to.match(/only requests addressed to 127\.0\.0\.1 or localhost/);
      }
      // The SDK, pointed at the endpoint's URL, is served as always.
      const ssm = clientFor(ep.url);
      expect((await ssm.send(new ListDocumentsCommand({}))).DocumentIdentifiers).to.be.an("array");
      ssm.destroy();
    } finally {
      await ep.stop();
    }
  });

  it("creates its data dir 0700 and its files 0600", async () => {
    const dataDir = path.join(dir, "nested", "local");
    const ep = await startLocalEndpoint({ dataDir });
    const ssm = clientFor(ep.url);
    try {
      await ssm.send(new CreateDocumentCommand({ Name: "modes", Content: commandDoc() }));
      await ssm.send(new CreateDocumentCommand({ Name: "modes-2", Content: commandDoc() }));
      expect(statSync(dataDir).mode & 0o777).to.equal(0o700);
      for (const name of readdirSync(dataDir))
        expect(statSync(path.join(dataDir, name)).mode & 0o777, name).to.equal(0o600);
      expect(readdirSync(dataDir)).to.include.members([STORE_FILE, JOURNAL_FILE]);
    } finally {
      ssm.destroy();
      await ep.stop();
    }
    for (const name of readdirSync(dataDir))
      expect(statSync(path.join(dataDir, name)).mode & 0o777, name).to.equal(0o600);
  });

  it("never writes through a link planted where it writes its temporary files", async () => {
    const victim = path.join(dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    const dataDir = path.join(dir, "data");
    const ep = await startLocalEndpoint({ dataDir });
    const ssm = clientFor(ep.url);
    try {
      // Every name a predictable scheme (pid and a counter) would use next.
      for (let n = 0; n < 200; n++)
        for (const file of [STORE_FILE, JOURNAL_FILE])
          symlinkSync(victim, path.join(dataDir, `.${file}.${process.pid}.${n}.tmp`));
      for (let i = 0; i < 5; i++)
        await ssm.send(new CreateDocumentCommand({ Name: `planted-${i}`, Content: commandDoc([String(i)]) }));
    } finally {
      ssm.destroy();
      await ep.stop();
    }
    expect(readFileSync(victim, "utf8")).to.equal("precious\n");
    const again = await startLocalEndpoint({ dataDir });
    const check = clientFor(again.url);
    try {
      for (let i = 0; i < 5; i++) await check.send(new DescribeDocumentCommand({ Name: `planted-${i}` }));
    } finally {
      check.destroy();
      await again.stop();
    }
  });

  it("does not report a client that disconnects mid-request as an internal error", async () => {
    const internal: unknown[] = [];
    const ep = await startLocalEndpoint({ onInternalError: (e) => internal.push(e) });
    try {
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve) => {
          const socket = net.connect(ep.port, "127.0.0.1", () => {
            socket.write(
              `POST / HTTP/1.1\r\nHost: 127.0.0.1:${ep.port}\r\nX-Amz-Target: AmazonSSM.CreateDocument\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n{"Name": "half`,
            );
            setTimeout(() => {
              socket.destroy();
              resolve();
            }, 50);
          });
        });
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(internal).to.deep.equal([]);
      const ssm = clientFor(ep.url);
      expect(
        (await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] })))
          .DocumentIdentifiers,
      ).to.deep.equal([]);
      ssm.destroy();
    } finally {
      await ep.stop();
    }
  });

  describe("the journal's checksums", () => {
    /** Three creates after the first write's snapshot, then the files as a crash would leave them. */
    async function crashedWithJournal(): Promise<string[]> {
      const ep = await startLocalEndpoint({ dataDir: dir });
      const ssm = clientFor(ep.url);
      for (const name of ["one", "two", "three", "four"])
        await ssm.send(new CreateDocumentCommand({ Name: `j-${name}`, Content: commandDoc([name]) }));
      ssm.destroy();
      const snapshot = readFileSync(path.join(dir, STORE_FILE), "utf8");
      const journal = readFileSync(path.join(dir, JOURNAL_FILE), "utf8");
      await ep.stop();
      writeFileSync(path.join(dir, STORE_FILE), snapshot);
      writeFileSync(path.join(dir, JOURNAL_FILE), journal);
      const lines = journal.split("\n").filter((l) => l !== "");
      expect(lines.length).to.be.at.least(3);
      return lines;
    }

    it("refuses to start on a record whose content was changed, naming the file and line", async () => {
      const lines = await crashedWithJournal();
      // Still valid JSON, so only a checksum can tell: a document name changed in the first record.
      lines[0] = lines[0]!.replace("j-", "x-");
      writeFileSync(path.join(dir, JOURNAL_FILE), lines.join("\n") + "\n");
      const failure = await startLocalEndpoint({ dataDir: dir }).then(
        async (ep) => {
          await ep.stop();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(failure?.message).to.contain(path.join(dir, JOURNAL_FILE)).and.contain("line 1");
      expect(failure?.message).to.match(/damaged/);
    });

    it("refuses to start on a broken record that later records follow (instead of dropping them)", async () => {
      const lines = await crashedWithJournal();
      lines[1] = lines[1]!.slice(0, 20);
      writeFileSync(path.join(dir, JOURNAL_FILE), lines.join("\n") + "\n");
      const failure = await startLocalEndpoint({ dataDir: dir }).then(
        async (ep) => {
          await ep.stop();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(failure?.message).to.contain(`${path.join(dir, JOURNAL_FILE)} line 2`);
      expect(existsSync(path.join(dir, JOURNAL_FILE))).to.equal(true);
    });

    it("still drops a torn last record (a crash mid-append: never acknowledged)", async () => {
      const lines = await crashedWithJournal();
      const torn = lines.slice(0, -1).join("\n") + "\n" + lines[lines.length - 1]!.slice(0, 30);
      writeFileSync(path.join(dir, JOURNAL_FILE), torn);
      const ep = await startLocalEndpoint({ dataDir: dir });
      const ssm = clientFor(ep.url);
      try {
        const names = (
          await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }))
        ).DocumentIdentifiers!.map((d) => d.Name);
        expect(names).to.include("j-three").and.not.include("j-four");
      } finally {
        ssm.destroy();
        await ep.stop();
      }
    });
  });
});
