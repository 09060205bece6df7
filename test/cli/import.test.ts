// End to end: `statectl import` of resources created with the SDK, then plan shows no changes.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAssociationCommand, CreateDocumentCommand } from "@aws-sdk/client-ssm";
import { behindTheBack, run } from "./helpers.js";
import { HELLO_CONFIG as CONFIG, HELLO_CONTENT as CONTENT } from "../support/hello.js";

describe("cli: import (end to end, local endpoint)", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-import-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    writeFileSync(join(dir, "hello.json"), CONTENT);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("imports a document by name and an association by id; the next plan has no changes", async () => {
    const id = await behindTheBack(dir, async (client) => {
      await client.send(
        new CreateDocumentCommand({ Name: "Hello", Content: CONTENT, DocumentType: "Command", DocumentFormat: "JSON" }),
      );
      const a = await client.send(
        new CreateAssociationCommand({
          Name: "Hello",
          AssociationName: "HelloWeb",
          Targets: [{ Key: "tag:Role", Values: ["web"] }],
          ScheduleExpression: "rate(1 day)",
        }),
      );
      return a.AssociationDescription!.AssociationId!;
    });
    const d = run(dir, ["import", "document.hello", "Hello"]);
    expect(d.code, d.stderr).to.equal(0);
    expect(d.stdout).to.contain("Imported document.hello");
    const a = run(dir, ["import", "association.hello", id]);
    expect(a.code, a.stderr).to.equal(0);
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    const again = run(dir, ["import", "association.hello", id]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain("already in the state");
  });

  it("refuses an address the configuration does not declare, and an id that does not exist", () => {
    expect(run(dir, ["import", "association.nope", "x"]).stderr).to.contain("not declared in the configuration");
    writeFileSync(
      join(dir, "extra.state"),
      `document "other" {\n  name    = "Other"\n  content = file("hello.json")\n}\n`,
    );
    const r = run(dir, ["import", "document.other", "Other"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("No document Other exists in SSM");
    rmSync(join(dir, "extra.state"));
  });
});
