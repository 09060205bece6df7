// End to end: `import { to, id }` blocks bring objects created with the SDK under management
// during plan and apply; wrong ids, addresses and already-managed addresses are diagnostics
// pointing at the block.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAssociationCommand, CreateDocumentCommand, DescribeAssociationCommand } from "@aws-sdk/client-ssm";
import { behindTheBack, run } from "./helpers.js";
import { HELLO_CONFIG as RESOURCES, HELLO_CONTENT as CONTENT } from "../support/hello.js";

const imports = (associationId: string) => `import {
  to = document.hello
  id = "Hello"
}

import {
  to = association.hello
  id = "${associationId}"
}
`;

describe("cli: import blocks (end to end, local endpoint)", function () {
  this.timeout(60_000);
  let dir: string;
  let associationId: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-import-blocks-"));
    writeFileSync(join(dir, "main.state"), RESOURCES);
    writeFileSync(join(dir, "hello.json"), CONTENT);
    associationId = await behindTheBack(dir, async (client) => {
      await client.send(
        new CreateDocumentCommand({ Name: "Hello", Content: CONTENT, DocumentType: "Command", DocumentFormat: "JSON" }),
      );
      // Created with another schedule than the configuration's: the import is followed by an update.
      const a = await client.send(
        new CreateAssociationCommand({
          Name: "Hello",
          AssociationName: "HelloWeb",
          Targets: [{ Key: "tag:Role", Values: ["web"] }],
          ScheduleExpression: "rate(2 days)",
        }),
      );
      return a.AssociationDescription!.AssociationId!;
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("plan shows what will be imported and the changes after import; plan alone writes no state", () => {
    writeFileSync(join(dir, "imports.state"), imports(associationId));
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stderr).to.equal(2);
    expect(plan.stdout).to.contain("# document.hello will be imported");
    expect(plan.stdout).to.contain("# association.hello will be updated in place");
    expect(plan.stdout).to.contain(`# (imported from "${associationId}")`);
    expect(plan.stdout).to.match(/~ schedule\s+= "rate\(2 days\)" -> "rate\(1 day\)"/);
    expect(plan.stdout).to.contain("Plan: 2 to import, 0 to add, 1 to change, 0 to destroy.");
    const json = JSON.parse(run(dir, ["plan", "--json"]).stdout) as {
      summary: Record<string, number>;
      resource_changes: { address: string; action: string; importing?: { id: string } }[];
    };
    expect(json.summary).to.deep.equal({ import: 2, add: 0, change: 1, destroy: 0 });
    expect(json.resource_changes.map((c) => [c.address, c.action, c.importing?.id])).to.deep.equal([
      ["association.hello", "update", associationId],
      ["document.hello", "no-op", "Hello"],
    ]);
    expect(run(dir, ["state", "list"]).stdout.trim()).to.equal("");
  });

  it("apply writes the imports to the state and updates what differs; the next plan (import blocks kept) has no changes", async () => {
    const apply = run(dir, ["apply", "--auto-approve"]);
    expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
    expect(apply.stdout).to.contain("Apply complete! Resources: 2 imported, 0 added, 1 changed, 0 destroyed.");
    const state = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8")) as {
      resources: { address: string; id: string; dependencies: string[] }[];
    };
    expect(state.resources.map((r) => [r.address, r.id])).to.have.deep.members([
      ["document.hello", "Hello"],
      ["association.hello", associationId],
    ]);
    expect(state.resources.find((r) => r.address === "association.hello")!.dependencies).to.deep.equal([
      "document.hello",
    ]);
    const schedule = await behindTheBack(
      dir,
      async (client) =>
        (await client.send(new DescribeAssociationCommand({ AssociationId: associationId }))).AssociationDescription!
          .ScheduleExpression,
    );
    expect(schedule).to.equal("rate(1 day)");
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    expect(plan.stdout).to.contain("No changes.");
  });

  it("refuses an import to an address already managed as another object, with the range of `to`", () => {
    writeFileSync(join(dir, "imports.state"), `import {\n  to = document.hello\n  id = "Other"\n}\n`);
    const plan = run(dir, ["plan"]);
    expect(plan.code).to.equal(1);
    expect(plan.stderr).to.contain(
      "error[plan/import-already-managed]: Cannot import Other to document.hello: document.hello is already in the state",
    );
    expect(plan.stderr).to.contain("--> imports.state:2:8");
  });

  it("refuses an id that does not exist, with the range of `id`", () => {
    writeFileSync(
      join(dir, "extra.state"),
      `document "other" {\n  name    = "Other"\n  content = file("hello.json")\n}\n\nimport {\n  to = document.other\n  id = "Other"\n}\n`,
    );
    rmSync(join(dir, "imports.state"));
    const plan = run(dir, ["plan"]);
    expect(plan.code).to.equal(1);
    expect(plan.stderr).to.contain(
      "error[plan/import-not-found]: Cannot import document.other: no document Other exists",
    );
    expect(plan.stderr).to.contain("--> extra.state:8:8");
    const apply = run(dir, ["apply", "--auto-approve"]);
    expect(apply.code).to.equal(1);
    expect(apply.stderr).to.contain("plan/import-not-found");
    rmSync(join(dir, "extra.state"));
  });

  it("refuses an address not in the configuration: an undeclared resource, and an instance for_each does not make", () => {
    writeFileSync(join(dir, "imports.state"), `import {\n  to = association.nope\n  id = "${associationId}"\n}\n`);
    const undeclared = run(dir, ["plan"]);
    expect(undeclared.code).to.equal(1);
    expect(undeclared.stderr).to.contain("association.nope");
    expect(undeclared.stderr).to.contain("--> imports.state:2:8");
    writeFileSync(
      join(dir, "imports.state"),
      `association "per_env" {\n  for_each = toset(["dev"])\n  document = "AWS-UpdateSSMAgent"\n  targets {\n    key    = "tag:Env"\n    values = [each.key]\n  }\n}\n\nimport {\n  to = association.per_env["prod"]\n  id = "${associationId}"\n}\n`,
    );
    const missingKey = run(dir, ["plan"]);
    expect(missingKey.code).to.equal(1);
    expect(missingKey.stderr).to.contain(
      `error[plan/import-not-in-config]: Cannot import to association.per_env["prod"]: it is not in the configuration`,
    );
    expect(missingKey.stderr).to.contain("--> imports.state:11:8");
    rmSync(join(dir, "imports.state"));
  });
});
