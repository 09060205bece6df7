/**
 * Crash safety: SIGKILL a standalone server in the middle of a burst of writes, restart it on the
 * same data dir, and check that the data file loads and holds every write that was acknowledged.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateDocumentCommand, ListDocumentsCommand, paginateListDocuments } from "@aws-sdk/client-ssm";
import { clientFor, commandDoc } from "./helpers.js";
import { startServe } from "./processes.js";

describe("local/crash: a killed server never loses acknowledged writes or corrupts its data", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-crash-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("survives SIGKILL during concurrent writes, five times over", async () => {
    const acknowledged = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const server = await startServe(["--data-dir", dir]);
      const ssm = clientFor(server.url);
      const writes = Array.from({ length: 40 }, (_, i) => {
        const name = `crash-${round}-${i}`;
        return ssm.send(new CreateDocumentCommand({ Name: name, Content: commandDoc([name]) })).then(
          () => acknowledged.add(name),
          () => undefined, // cut off by the kill: may or may not have been written
        );
      });
      // Kill once some writes are acknowledged and others are still in flight.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if ([...acknowledged].filter((n) => n.startsWith(`crash-${round}-`)).length >= 5) {
            clearInterval(poll);
            resolve();
          }
        }, 1);
      });
      server.process.kill("SIGKILL");
      await Promise.all(writes);
      ssm.destroy();
      if (server.process.exitCode === null && server.process.signalCode === null)
        await new Promise((r) => server.process.once("exit", r));
    }
    const server = await startServe(["--data-dir", dir]);
    const ssm = clientFor(server.url);
    try {
      const names = new Set<string>();
      for await (const page of paginateListDocuments(
        { client: ssm, pageSize: 50 },
        { Filters: [{ Key: "Owner", Values: ["Self"] }] },
      ))
        for (const d of page.DocumentIdentifiers ?? []) names.add(d.Name!);
      for (const name of acknowledged)
        expect(names.has(name), `${name} was acknowledged but is missing`).to.equal(true);
      expect(acknowledged.size).to.be.at.least(25);
      await ssm.send(new ListDocumentsCommand({}));
    } finally {
      ssm.destroy();
      expect(await server.stop()).to.equal(0);
    }
  });
});
