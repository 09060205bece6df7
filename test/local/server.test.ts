import { expect } from "chai";
import { Agent, request } from "node:http";
import { ListDocumentsCommand, CreateDocumentCommand, DescribeDocumentCommand } from "@aws-sdk/client-ssm";
import { useEndpoint, commandDoc, expectSsmError } from "./helpers.js";

async function rawCall(url: string, target: string | undefined, body: string, method = "POST") {
  const headers: Record<string, string> = { "Content-Type": "application/x-amz-json-1.1" };
  if (target !== undefined) headers["X-Amz-Target"] = target;
  const res = await fetch(url + "/", { method, headers, ...(method === "POST" ? { body } : {}) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe("local/server: the AWS JSON 1.1 wire protocol", () => {
  const h = useEndpoint();

  it("listens on loopback only, on a free port", () => {
    expect(h.endpoint.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.endpoint.port).to.be.greaterThan(0);
  });

  it("answers an unknown operation with UnknownOperationException, never a crash", async () => {
    const r = await rawCall(h.endpoint.url, "AmazonSSM.GetParameter", "{}");
    expect(r.status).to.equal(400);
    expect(r.json.__type).to.equal("UnknownOperationException");
    expect(r.headers.get("x-amzn-errortype")).to.equal("UnknownOperationException");
    expect(r.headers.get("x-amzn-requestid")).to.match(/^[0-9a-f-]{36}$/);
    // …and the server still works afterwards.
    const list = await h.ssm.send(new ListDocumentsCommand({}));
    expect(list.DocumentIdentifiers?.length).to.be.greaterThan(0);
  });

  it("rejects a request without an AmazonSSM target, and non-POST methods", async () => {
    expect((await rawCall(h.endpoint.url, undefined, "{}")).json.__type).to.equal("UnknownOperationException");
    expect((await rawCall(h.endpoint.url, "AmazonEC2.DescribeInstances", "{}")).json.__type).to.equal(
      "UnknownOperationException",
    );
    const get = await rawCall(h.endpoint.url, "AmazonSSM.ListDocuments", "", "GET");
    expect(get.status).to.equal(400);
    expect(get.json.__type).to.equal("UnknownOperationException");
  });

  it("keeps an idle connection open longer than Node's default 5 s, so a client that paused does not hit a closed socket", async function () {
    this.timeout(20_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = () =>
      new Promise<boolean>((resolve, reject) => {
        const req = request(
          h.endpoint.url + "/",
          {
            method: "POST",
            agent,
            headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.ListDocuments" },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(req.reusedSocket));
          },
        );
        req.on("error", reject);
        req.end("{}");
      });
    try {
      expect(await call()).to.equal(false);
      // Past Node's 5 s and the second it adds for the client's sake.
      await new Promise((r) => setTimeout(r, 7_000));
      // The server did not close the idle socket: the second call goes over it.
      expect(await call()).to.equal(true);
    } finally {
      agent.destroy();
    }
  });

  it("answers malformed JSON and non-object bodies with SerializationException", async () => {
    expect((await rawCall(h.endpoint.url, "AmazonSSM.ListDocuments", "{nope")).json.__type).to.equal(
      "SerializationException",
    );
    expect((await rawCall(h.endpoint.url, "AmazonSSM.ListDocuments", "[1]")).json.__type).to.equal(
      "SerializationException",
    );
    expect(
      (await rawCall(h.endpoint.url, "AmazonSSM.CreateDocument", JSON.stringify({ Name: 5, Content: "{}" }))).json
        .__type,
    ).to.equal("SerializationException");
  });

  it("treats an empty body as an empty input, and sends both message and Message", async () => {
    const r = await rawCall(h.endpoint.url, "AmazonSSM.DescribeDocument", "");
    expect(r.status).to.equal(400);
    expect(r.json.__type).to.equal("ValidationException");
    expect(r.json.message).to.equal(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
    expect(r.json.Message).to.equal(r.json.message);
  });

  it("refuses bodies over the size limit with HTTP 413", async () => {
    const r = await rawCall(
      h.endpoint.url,
      "AmazonSSM.CreateDocument",
      JSON.stringify({ Name: "big-doc", Content: "x".repeat(3 * 1024 * 1024) }),
    );
    expect(r.status).to.equal(413);
    expect(r.json.__type).to.equal("RequestEntityTooLargeException");
  });

  it("keeps concurrent writes consistent: 40 parallel creates, 40 documents", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        h.ssm.send(
          new CreateDocumentCommand({
            Name: `parallel-${String(i).padStart(2, "0")}`,
            Content: commandDoc([`echo ${i}`]),
          }),
        ),
      ),
    );
    const list = await h.ssm.send(
      new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }], MaxResults: 50 }),
    );
    expect(list.DocumentIdentifiers?.map((d) => d.Name)).to.deep.equal(
      Array.from({ length: 40 }, (_, i) => `parallel-${String(i).padStart(2, "0")}`),
    );
  });

  it("lets only one of two racing identical creates win", async () => {
    const results = await Promise.allSettled(
      [1, 2].map(() => h.ssm.send(new CreateDocumentCommand({ Name: "race-doc", Content: commandDoc() }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).to.have.length(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((failed.reason as Error).name).to.equal("DocumentAlreadyExists");
    await h.ssm.send(new DescribeDocumentCommand({ Name: "race-doc" }));
  });

  it("maps SsmError codes to SDK exception names with HTTP 400", async () => {
    const e = await expectSsmError(h.ssm.send(new DescribeDocumentCommand({ Name: "no-such-doc" })), "InvalidDocument");
    expect(e.$metadata?.httpStatusCode).to.equal(400);
  });
});
