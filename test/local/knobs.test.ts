import { expect } from "chai";
import {
  CreateDocumentCommand,
  DescribeDocumentCommand,
  ListDocumentsCommand,
  GetDocumentCommand,
} from "@aws-sdk/client-ssm";
import { useEndpoint, expectSsmError, clientFor } from "./helpers.js";
import { startLocalEndpoint } from "../../src/local/index.js";

describe("local/knobs: throttling, faults, latency and counters", () => {
  const h = useEndpoint();

  it("counts calls, errors, throttles and faults per operation", async () => {
    await h.ssm.send(new ListDocumentsCommand({}));
    await h.ssm.send(new ListDocumentsCommand({}));
    await expectSsmError(h.ssm.send(new DescribeDocumentCommand({ Name: "missing-doc" })), "InvalidDocument");
    expect(h.endpoint.counters()).to.deep.equal({
      ListDocuments: { calls: 2, errors: 0, throttled: 0, injectedFaults: 0, lostResponses: 0 },
      DescribeDocument: { calls: 1, errors: 1, throttled: 0, injectedFaults: 0, lostResponses: 0 },
    });
    h.endpoint.resetCounters();
    expect(h.endpoint.counters()).to.deep.equal({});
  });

  it("throttles per operation with a token bucket: ThrottlingException, HTTP 400, 'Rate exceeded'", async () => {
    h.endpoint.setKnobs({ throttle: { ListDocuments: { ratePerSecond: 0, burst: 2 } } });
    await h.ssm.send(new ListDocumentsCommand({}));
    await h.ssm.send(new ListDocumentsCommand({}));
    const e = await expectSsmError(h.ssm.send(new ListDocumentsCommand({})), "ThrottlingException");
    expect(e.message).to.equal("Rate exceeded");
    expect(e.$metadata?.httpStatusCode).to.equal(400);
    // Other operations have their own bucket (none here).
    await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" }));
    expect(h.endpoint.counters().ListDocuments).to.deep.equal({
      calls: 3,
      errors: 1,
      throttled: 1,
      injectedFaults: 0,
      lostResponses: 0,
    });
    h.endpoint.setKnobs({ throttle: undefined });
    await h.ssm.send(new ListDocumentsCommand({}));
  });

  it("gives every operation its own bucket under the '*' rule", async () => {
    h.endpoint.setKnobs({ throttle: { "*": { ratePerSecond: 0, burst: 1 } } });
    await h.ssm.send(new ListDocumentsCommand({}));
    await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" }));
    await expectSsmError(h.ssm.send(new ListDocumentsCommand({})), "ThrottlingException");
    await expectSsmError(
      h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" })),
      "ThrottlingException",
    );
  });

  it("the SDK's retries ride out throttling once tokens refill", async () => {
    h.endpoint.setKnobs({ throttle: { GetDocument: { ratePerSecond: 50, burst: 1 } } });
    const retrying = clientFor(h.endpoint.url, { maxAttempts: 10 });
    try {
      await Promise.all(
        Array.from({ length: 4 }, () => retrying.send(new GetDocumentCommand({ Name: "AWS-RunShellScript" }))),
      );
    } finally {
      retrying.destroy();
    }
    const c = h.endpoint.counters().GetDocument!;
    expect(c.calls - c.throttled).to.equal(4);
  });

  it("injects InternalServerError (HTTP 500) at the configured rate", async () => {
    h.endpoint.setKnobs({ internalErrorRate: 1 });
    const e = await expectSsmError(h.ssm.send(new ListDocumentsCommand({})), "InternalServerError");
    expect(e.$metadata?.httpStatusCode).to.equal(500);
    h.endpoint.setKnobs({ internalErrorRate: 0 });
    await h.ssm.send(new ListDocumentsCommand({}));
    expect(h.endpoint.counters().ListDocuments).to.include({ calls: 2, injectedFaults: 1, errors: 1 });
  });

  it("fails the same calls for the same seed, limited to the operations named", async () => {
    const run = async () => {
      h.endpoint.setKnobs({ internalErrorRate: 0.5, seed: 42, internalErrorOperations: ["DescribeDocument"] });
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++) {
        await h.ssm.send(new ListDocumentsCommand({ MaxResults: 1 }));
        outcomes.push(
          await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" })).then(
            () => "ok",
            (e: Error) => e.name,
          ),
        );
      }
      return outcomes;
    };
    const first = await run();
    const second = await run();
    expect(first).to.deep.equal(second);
    expect(first).to.include("ok").and.to.include("InternalServerError");
    expect(h.endpoint.counters().ListDocuments!.errors).to.equal(0);
  });

  it("throttles a seeded fraction of calls with throttleRate (a storm), counted as throttled", async () => {
    h.endpoint.setKnobs({ throttleRate: 0.3, seed: 3 });
    let refused = 0;
    for (let i = 0; i < 40; i++)
      await h.ssm
        .send(new ListDocumentsCommand({ MaxResults: 1 }))
        .catch((e: Error) => (expect(e.name).to.equal("ThrottlingException"), refused++));
    expect(refused).to.be.within(4, 24);
    expect(h.endpoint.counters().ListDocuments).to.include({ calls: 40, throttled: refused, errors: refused });
    expect(() => h.endpoint.setKnobs({ throttleRate: 1.5 })).to.throw(RangeError);
  });

  it("loses responses: the call commits, the caller gets InternalServerError, and the count goes down", async () => {
    const knobs = { loseResponses: { CreateDocument: 1 } };
    h.endpoint.setKnobs(knobs);
    const content = JSON.stringify({
      schemaVersion: "2.2",
      description: "lost",
      mainSteps: [{ action: "aws:runShellScript", name: "a", inputs: { runCommand: ["true"] } }],
    });
    const e = await expectSsmError(
      h.ssm.send(new CreateDocumentCommand({ Name: "LostResponse", Content: content, DocumentType: "Command" })),
      "InternalServerError",
    );
    expect(e.$metadata?.httpStatusCode).to.equal(500);
    // It happened all the same; and the knob was used up (the caller's object is not changed).
    expect((await h.ssm.send(new DescribeDocumentCommand({ Name: "LostResponse" }))).Document!.Name).to.equal(
      "LostResponse",
    );
    expect(h.endpoint.knobs().loseResponses).to.deep.equal({ CreateDocument: 0 });
    expect(knobs.loseResponses.CreateDocument).to.equal(1);
    await expectSsmError(
      h.ssm.send(new CreateDocumentCommand({ Name: "LostResponse", Content: content, DocumentType: "Command" })),
      "DocumentAlreadyExists",
    );
    expect(h.endpoint.counters().CreateDocument).to.deep.equal({
      calls: 2,
      errors: 2,
      throttled: 0,
      injectedFaults: 0,
      lostResponses: 1,
    });
  });

  it("loses responses at a seeded rate, only of the operations named, and never of failed calls", async () => {
    h.endpoint.setKnobs({
      lostResponseRate: 0.5,
      seed: 7,
      lostResponseOperations: ["DescribeDocument", "GetDocument"],
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 16; i++) {
      await h.ssm.send(new ListDocumentsCommand({ MaxResults: 1 }));
      outcomes.push(
        await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" })).then(
          () => "ok",
          (err: Error) => err.name,
        ),
      );
    }
    await expectSsmError(h.ssm.send(new GetDocumentCommand({ Name: "no-such-document" })), "InvalidDocument");
    expect(outcomes).to.include("ok").and.to.include("InternalServerError");
    const c = h.endpoint.counters();
    expect(c.ListDocuments!.lostResponses).to.equal(0);
    expect(c.DescribeDocument!.lostResponses).to.equal(outcomes.filter((o) => o !== "ok").length);
    expect(c.GetDocument!.lostResponses).to.equal(0);
  });

  it("adds latency without changing answers, and reports the knobs in force", async () => {
    h.endpoint.setKnobs({ latencyMs: 5, latencyByOperation: { ListDocuments: 1 } });
    expect(h.endpoint.knobs()).to.deep.equal({ latencyMs: 5, latencyByOperation: { ListDocuments: 1 } });
    const r = await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" }));
    expect(r.Document!.Name).to.equal("AWS-RunShellScript");
  });

  it("rejects nonsensical knob values", () => {
    expect(() => h.endpoint.setKnobs({ internalErrorRate: 2 })).to.throw(RangeError);
    expect(() => h.endpoint.setKnobs({ latencyMs: -1 })).to.throw(RangeError);
    expect(() => h.endpoint.setKnobs({ loseResponses: { CreateAssociation: 1.5 } })).to.throw(RangeError);
    expect(() => h.endpoint.setKnobs({ lostResponseRate: -0.1 })).to.throw(RangeError);
  });

  it("takes knobs at start", async () => {
    const ep = await startLocalEndpoint({ knobs: { throttle: { ListDocuments: { ratePerSecond: 0, burst: 0 } } } });
    const ssm = clientFor(ep.url);
    try {
      await expectSsmError(ssm.send(new ListDocumentsCommand({})), "ThrottlingException");
    } finally {
      ssm.destroy();
      await ep.stop();
    }
  });
});
