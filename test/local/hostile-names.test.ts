/**
 * Names are user input. Document names like "__proto__" or "constructor" match SSM's name pattern,
 * and a client can claim any operation name: none of them may reach JavaScript's object
 * machinery (prototype pollution, false "already exists", crashes).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  ListDocumentsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ssm";
import { startLocalEndpoint } from "../../src/local/index.js";
import { clientFor, commandDoc, expectSsmError, useEndpoint } from "./helpers.js";

const NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

describe("local/hostile names", () => {
  const h = useEndpoint();

  it("treats __proto__, constructor … as ordinary document names", async () => {
    for (const name of NAMES) {
      await expectSsmError(h.ssm.send(new DescribeDocumentCommand({ Name: name })), "InvalidDocument");
      await h.ssm.send(
        new CreateDocumentCommand({ Name: name, Content: commandDoc([name]), Tags: [{ Key: "n", Value: name }] }),
      );
    }
    const listed = await h.ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
    expect(listed.DocumentIdentifiers!.map((d) => d.Name)).to.deep.equal([...NAMES].sort());
    for (const name of NAMES) {
      const tags = await h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: name }));
      expect(tags.TagList).to.deep.equal([{ Key: "n", Value: name }]);
    }
    await h.ssm.send(new DeleteDocumentCommand({ Name: "__proto__" }));
    await expectSsmError(h.ssm.send(new DescribeDocumentCommand({ Name: "__proto__" })), "InvalidDocument");
    expect(({} as Record<string, unknown>).n).to.equal(undefined);
  });

  it("keeps parameter names like __proto__ and constructor as declared parameters", async () => {
    const content = commandDoc(["echo {{ constructor }} {{ __proto__ }}"], {
      constructor: { type: "String", default: "c" },
      ["__proto__"]: { type: "String", default: "p" },
    });
    // JSON.stringify of an object literal drops a "__proto__" key, so write that one by hand.
    const withProto = content.replace('"parameters":{', '"parameters":{"__proto__":{"type":"String","default":"p"},');
    const d = (await h.ssm.send(new CreateDocumentCommand({ Name: "odd-params", Content: withProto })))
      .DocumentDescription!;
    expect(d.Parameters!.map((p) => p.Name).sort()).to.deep.equal(["__proto__", "constructor"]);
    await expectSsmError(
      h.ssm.send(
        new CreateDocumentCommand({ Name: "undeclared-ctor", Content: commandDoc(["echo {{ constructor }}"]) }),
      ),
      "InvalidDocumentContent",
    );
  });

  it("does not let an operation name pollute Object.prototype", async () => {
    for (const op of ["__proto__", "constructor", "hasOwnProperty"]) {
      const res = await fetch(h.endpoint.url + "/", {
        method: "POST",
        headers: { "X-Amz-Target": `AmazonSSM.${op}`, "Content-Type": "application/x-amz-json-1.1" },
        body: "{}",
      });
      expect(((await res.json()) as { __type: string }).__type).to.equal("UnknownOperationException");
    }
    expect(({} as Record<string, unknown>).calls).to.equal(undefined);
    expect(h.endpoint.counters()["__proto__"]).to.deep.equal({
      calls: 1,
      errors: 1,
      throttled: 0,
      injectedFaults: 0,
      lostResponses: 0,
    });
  });

  it("keeps such names across a restart", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "statectl-names-"));
    try {
      let ep = await startLocalEndpoint({ dataDir: dir });
      let ssm = clientFor(ep.url);
      await ssm.send(new CreateDocumentCommand({ Name: "__proto__", Content: commandDoc(["p"]) }));
      await ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: "Document",
          ResourceId: "__proto__",
          Tags: [{ Key: "k", Value: "v" }],
        }),
      );
      ssm.destroy();
      await ep.stop();
      ep = await startLocalEndpoint({ dataDir: dir });
      ssm = clientFor(ep.url);
      try {
        expect((await ssm.send(new DescribeDocumentCommand({ Name: "__proto__" }))).Document!.Name).to.equal(
          "__proto__",
        );
        expect(
          (await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "__proto__" })))
            .TagList,
        ).to.deep.equal([{ Key: "k", Value: "v" }]);
        await ssm.send(new CreateDocumentCommand({ Name: "constructor", Content: commandDoc(["c"]) }));
      } finally {
        ssm.destroy();
        await ep.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
