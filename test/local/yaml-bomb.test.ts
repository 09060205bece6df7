/**
 * A YAML alias bomb — a few hundred bytes of anchors and aliases that expand to hundreds of
 * millions of nodes — sent to the endpoint is InvalidDocumentContent (HTTP 400), never an HTTP 500
 * or an endpoint that stops answering.
 */
import { expect } from "chai";
import { CreateDocumentCommand, ListDocumentsCommand, UpdateDocumentCommand } from "@aws-sdk/client-ssm";
import { yamlAliasBomb } from "../support/yaml-bomb.js";
import { commandDoc, expectSsmError, useEndpoint } from "./helpers.js";

describe("local/YAML alias bombs", () => {
  const h = useEndpoint();

  it("answers CreateDocument and UpdateDocument with InvalidDocumentContent, and keeps serving", async () => {
    const bomb = yamlAliasBomb();
    expect(bomb.length).to.be.below(600);
    const created = await expectSsmError(
      h.ssm.send(new CreateDocumentCommand({ Name: "bomb", Content: bomb, DocumentFormat: "YAML" })),
      "InvalidDocumentContent",
    );
    expect(created.$metadata?.httpStatusCode).to.equal(400);
    expect(created.message).to.match(/alias bomb/);
    await h.ssm.send(new CreateDocumentCommand({ Name: "fine", Content: commandDoc() }));
    await expectSsmError(
      h.ssm.send(
        new UpdateDocumentCommand({ Name: "fine", Content: bomb, DocumentFormat: "YAML", DocumentVersion: "$LATEST" }),
      ),
      "InvalidDocumentContent",
    );
    const listed = await h.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
    expect(listed.DocumentIdentifiers!.map((d) => d.Name)).to.deep.equal(["fine"]);
  });

  it("still accepts ordinary anchors and merge keys", async () => {
    const content = [
      'schemaVersion: "2.2"',
      "description: reuse",
      "x-defaults: &cmds",
      '  - "echo one"',
      '  - "echo two"',
      "mainSteps:",
      "  - action: aws:runShellScript",
      "    name: run",
      "    inputs:",
      "      runCommand: *cmds",
    ].join("\n");
    const d = await h.ssm.send(
      new CreateDocumentCommand({ Name: "anchors", Content: content, DocumentFormat: "YAML" }),
    );
    expect(d.DocumentDescription!.Name).to.equal("anchors");
  });
});
