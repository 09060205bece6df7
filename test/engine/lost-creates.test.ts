// Lost creates, end to end through the engine (real SDK, in-process local endpoint): a create
// whose response is lost never leaves an untracked duplicate — in the same run (the local
// endpoint's loseResponses knob) or in the next run (a create recorded in the state as in flight
// by an apply that was killed).
import { expect } from "chai";
import { behindTheBack } from "../support/local-endpoint.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAssociationCommand, CreateDocumentCommand, ListAssociationsCommand } from "@aws-sdk/client-ssm";
import {
  FileStateStorage,
  hasChanges,
  pendingCreateLines,
  runApply,
  runImport,
  runPlan,
  stateListJson,
  type EngineEvent,
} from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const DOC = JSON.stringify(
  {
    schemaVersion: "2.2",
    description: "lost",
    mainSteps: [{ action: "aws:runShellScript", name: "a", inputs: { runCommand: ["echo lost"] } }],
  },
  null,
  2,
);

const CONFIG = `provider "ssm" {
  endpoint = "local"
}

document "tool" {
  name    = "LostTool"
  content = file("tool.json")
  tags    = { team = "ops" }
}

association "web" {
  name     = "lost-web"
  document = document.tool.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  schedule = "rate(1 day)"
  tags     = { team = "ops" }
}
`;

async function associationsNamed(dir: string, name: string): Promise<string[]> {
  return behindTheBack(dir, async (c) =>
    (
      (await c.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: "AssociationName", value: name }] })))
        .Associations ?? []
    ).map((a) => a.AssociationId!),
  );
}

function stateFile(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8")) as Record<string, unknown>;
}

const errors = (r: { diagnostics: { severity: string; code: string }[] }) =>
  r.diagnostics.filter((d) => d.severity === "error");

describe("engine: creates whose response is lost", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-lost-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    writeFileSync(join(dir, "tool.json"), DOC);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("adopts the association and the document a lost response made, in the same run: no duplicate, a second plan is clean", async () => {
    const events: EngineEvent[] = [];
    const a = await runApply({
      dir,
      localEndpoint: { knobs: { loseResponses: { CreateAssociation: 1, CreateDocument: 1 } } },
      onEvent: (e) => events.push(e),
    });
    expect(errors(a)).to.deep.equal([]);
    expect(a.result!.added).to.equal(2);
    const adopted = events.flatMap((e) => (e.kind === "apply" && e.event.type === "adopted" ? [e.event.address] : []));
    expect(adopted.sort()).to.deep.equal(["association.web", "document.tool"]);
    expect(await associationsNamed(dir, "lost-web")).to.deep.equal([
      a.result!.state.resources.find((r) => r.address === "association.web")!.id,
    ]);
    // Nothing is left in flight.
    expect(stateFile(dir)).to.not.have.property("pending_creates");
    const p = await runPlan({ dir });
    expect(errors(p)).to.deep.equal([]);
    expect(hasChanges(p.plan!)).to.equal(false);
  });

  it("sends the create again when the failure made nothing, and says so", async () => {
    const events: string[] = [];
    const a = await runApply({
      dir,
      localEndpoint: { knobs: { internalErrorRate: 1, internalErrorOperations: ["CreateAssociation"] } },
      onEvent: (e) => {
        if (e.kind === "apply" && e.event.type === "retrying") events.push(`${e.event.address} ${e.event.attempt}`);
      },
    });
    // Every attempt failed before it ran: the error names the resource, the operation and the AWS error.
    expect(a.result!.errors).to.have.length(1);
    const failure = a.result!.errors[0]!;
    expect(failure.address).to.equal("association.web");
    expect(failure.message).to.contain("CreateAssociation failed: InternalServerError");
    expect(failure.message).to.contain("sent 5 times");
    expect(events).to.deep.equal(["association.web 2", "association.web 3", "association.web 4", "association.web 5"]);
    // The document that did succeed is in the state; the create stays in flight for the next run.
    const state = stateFile(dir) as { resources: { address: string }[]; pending_creates: { address: string }[] };
    expect(state.resources.map((r) => r.address)).to.deep.equal(["document.tool"]);
    expect(state.pending_creates.map((p) => p.address)).to.deep.equal(["association.web"]);
    // The next run finds nothing was made, drops the record and creates it once.
    const again = await runApply({ dir });
    expect(errors(again)).to.deep.equal([]);
    expect(again.result!.added).to.equal(1);
    expect(await associationsNamed(dir, "lost-web")).to.have.length(1);
    expect(stateFile(dir)).to.not.have.property("pending_creates");
  });

  it("a killed apply's create in flight is adopted by the next plan (in memory) and apply (written)", async () => {
    await runApply({ dir, targets: ["document.tool"] });
    // What a kill right after CreateAssociation reached SSM leaves: the association exists, and
    // the state records the create as in flight.
    const started = new Date().toISOString();
    const id = await behindTheBack(
      dir,
      async (c) =>
        (
          await c.send(
            new CreateAssociationCommand({
              Name: "LostTool",
              AssociationName: "lost-web",
              DocumentVersion: "$DEFAULT",
              ApplyOnlyAtCronInterval: false,
              Targets: [{ Key: "tag:Role", Values: ["web"] }],
              ScheduleExpression: "rate(1 day)",
              Tags: [{ Key: "team", Value: "ops" }],
            }),
          )
        ).AssociationDescription!.AssociationId!,
    );
    const storage = new FileStateStorage(join(dir, "statectl.state.json"));
    const read = await storage.read();
    const attributes = {
      name: "lost-web",
      document: "LostTool",
      targets: [{ key: "tag:Role", values: ["web"] }],
      schedule: "rate(1 day)",
      tags: { team: "ops" },
    };
    await storage.write({
      ...read.state!,
      pendingCreates: [
        {
          address: "association.web",
          kind: "association",
          provider: "ssm",
          started,
          attributes,
          sensitiveAttributes: [],
          dependencies: ["document.tool"],
        },
      ],
    });
    const serial = stateFile(dir)["serial"];
    // `statectl state list` shows it.
    const listed = (await storage.read()).state!;
    expect(pendingCreateLines(listed)).to.deep.equal([
      `association.web (create in flight since ${started}; the next plan or apply resolves it)`,
    ]);
    expect(stateListJson(listed, listed.resources).pending_creates).to.deep.equal([
      { address: "association.web", kind: "association", provider: "ssm", started },
    ]);

    const infos: string[] = [];
    const p = await runPlan({ dir, onEvent: (e) => e.kind === "info" && infos.push(e.message) });
    expect(errors(p)).to.deep.equal([]);
    expect(hasChanges(p.plan!)).to.equal(false);
    expect(infos).to.include(`association.web: Adopted ${id}, made by an earlier create whose outcome was never seen`);
    expect(stateFile(dir)["serial"]).to.equal(serial);
    expect(stateFile(dir)).to.have.property("pending_creates");

    const a = await runApply({ dir });
    expect(errors(a)).to.deep.equal([]);
    const written = stateFile(dir) as { resources: { address: string; id: string }[] };
    expect(written).to.not.have.property("pending_creates");
    expect(written.resources.find((r) => r.address === "association.web")!.id).to.equal(id);
    expect(await associationsNamed(dir, "lost-web")).to.deep.equal([id]);
  });

  it("several matches: a clear error naming them all, nothing created; import one and go on", async () => {
    await runApply({ dir, targets: ["document.tool"] });
    const started = new Date().toISOString();
    const make = () =>
      behindTheBack(
        dir,
        async (c) =>
          (
            await c.send(
              new CreateAssociationCommand({
                Name: "LostTool",
                AssociationName: "lost-web",
                Targets: [{ Key: "tag:Role", Values: ["web"] }],
                ScheduleExpression: "rate(1 day)",
                Tags: [{ Key: "team", Value: "ops" }],
              }),
            )
          ).AssociationDescription!.AssociationId!,
      );
    const first = await make();
    const second = await make();
    const storage = new FileStateStorage(join(dir, "statectl.state.json"));
    const read = await storage.read();
    const attributes = {
      name: "lost-web",
      document: "LostTool",
      targets: [{ key: "tag:Role", values: ["web"] }],
      schedule: "rate(1 day)",
      tags: { team: "ops" },
    };
    await storage.write({
      ...read.state!,
      pendingCreates: [
        {
          address: "association.web",
          kind: "association",
          provider: "ssm",
          started,
          attributes,
          sensitiveAttributes: [],
          dependencies: [],
        },
      ],
    });

    const a = await runApply({ dir });
    expect(a.result).to.equal(undefined);
    const d = errors(a).find((x) => x.code === "apply/lost-create-ambiguous") as
      { summary: string; detail?: string; hint?: string } | undefined;
    expect(d?.summary).to.equal("association.web: an interrupted create may have made 2 associations");
    expect(d?.detail).to.contain(first).and.to.contain(second);
    expect(d?.hint).to.contain("statectl import association.web ID");
    expect(await associationsNamed(dir, "lost-web")).to.have.length(2);

    const imported = await runImport({ dir, address: "association.web", id: first });
    expect(errors(imported)).to.deep.equal([]);
    expect(stateFile(dir)).to.not.have.property("pending_creates");
    const p = await runPlan({ dir });
    expect(errors(p)).to.deep.equal([]);
    expect(p.plan!.changes.filter((c) => c.action !== "no-op").map((c) => c.address)).to.deep.equal([]);
  });

  it("refuses a document that exists with other content and is not in the state, suggesting import", async () => {
    await behindTheBack(dir, (c) =>
      c.send(
        new CreateDocumentCommand({
          Name: "LostTool",
          Content: DOC.replace("echo lost", "echo theirs"),
          DocumentType: "Command",
          DocumentFormat: "JSON",
        }),
      ),
    );
    const a = await runApply({ dir });
    const d = errors(a).find((x) => x.code === "apply/document-exists") as
      { summary: string; detail?: string; hint?: string } | undefined;
    expect(d?.summary).to.equal("document.tool: creating failed");
    expect(d?.detail)
      .to.contain("CreateDocument failed: DocumentAlreadyExists")
      .and.to.contain("its content hash differs");
    expect(d?.hint).to.contain("statectl import document.tool LostTool");
  });
});
