// Endpoints that hang: the real SDK client statectl builds, against HTTP servers that accept a
// request and never answer, or answer with a Content-Length larger than the body they send. Each
// call fails with an error naming the operation and the endpoint once the request timeout has
// passed — once, not once per retry — instead of waiting forever.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ProviderError, SsmProvider, LOCAL_ENDPOINT_CREDENTIALS } from "../../src/index.js";
import { parseTimeout, resolveTimeouts, DEFAULT_TIMEOUTS } from "../../src/net/index.js";

interface MisbehavingServer {
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}

async function misbehaving(
  respond: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<MisbehavingServer> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    respond(req, res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ProviderError);
    return e as ProviderError;
  }
  throw new Error("the call succeeded");
}

describe("provider-ssm: request timeouts", function () {
  this.timeout(30_000);

  it("an endpoint that accepts and never answers: ResponseTimeout naming the operation and endpoint, not retried", async () => {
    const server = await misbehaving(() => undefined);
    const provider = await SsmProvider.create({
      endpoint: server.url,
      region: "us-east-1",
      credentials: LOCAL_ENDPOINT_CREDENTIALS,
      timeouts: { requestTimeoutMs: 400 },
    });
    try {
      const e = await failure(provider.readDocument("app-config"));
      expect(e.operation).to.equal("DescribeDocument");
      expect(e.code).to.equal("ResponseTimeout");
      expect(e.message).to.contain(
        `DescribeDocument failed: ResponseTimeout: no complete answer from ${server.url} within 400ms`,
      );
      expect(e.message).to.contain("request_timeout (or STATECTL_REQUEST_TIMEOUT)");
      // The default client retries 8 times; a timeout is the whole wait.
      expect(server.requests()).to.equal(1);
    } finally {
      provider.destroy();
      await server.close();
    }
  });

  it("an answer announcing more body than it sends (wrong Content-Length): ResponseTimeout, not a hang", async () => {
    const server = await misbehaving((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/x-amz-json-1.1", "Content-Length": "1000" });
      res.write('{"Name":"app-');
    });
    const provider = await SsmProvider.create({
      endpoint: server.url,
      region: "us-east-1",
      credentials: LOCAL_ENDPOINT_CREDENTIALS,
      timeouts: { requestTimeoutMs: 400 },
    });
    try {
      const e = await failure(provider.readDocument("app-config"));
      expect(e.code).to.equal("ResponseTimeout");
      expect(e.message).to.contain(server.url);
      expect(server.requests()).to.equal(1);
    } finally {
      provider.destroy();
      await server.close();
    }
  });

  it("a create that times out is reported as possibly carried out (outcome unknown), never sent twice", async () => {
    const server = await misbehaving(() => undefined);
    const provider = await SsmProvider.create({
      endpoint: server.url,
      region: "us-east-1",
      credentials: LOCAL_ENDPOINT_CREDENTIALS,
      timeouts: { requestTimeoutMs: 400 },
    });
    try {
      const e = await failure(
        provider.createAssociation({
          name: "web",
          document: "AWS-RunShellScript",
          targets: [{ key: "tag:Role", values: ["web"] }],
        }),
      );
      expect(e.code).to.equal("ResponseTimeout");
      expect(e.outcomeUnknown).to.equal(true);
      expect(server.requests()).to.equal(1);
    } finally {
      provider.destroy();
      await server.close();
    }
  });

  it("a refused connection names the endpoint", async () => {
    const server = await misbehaving(() => undefined);
    const url = server.url;
    await server.close();
    const provider = await SsmProvider.create({
      endpoint: url,
      region: "us-east-1",
      credentials: LOCAL_ENDPOINT_CREDENTIALS,
      maxRetries: 0,
    });
    try {
      const e = await failure(provider.readDocument("app-config"));
      expect(e.message).to.contain(`DescribeDocument failed: `).and.contain(url);
    } finally {
      provider.destroy();
    }
  });

  it("timeouts come from the configuration, else the environment, else the defaults; a bad environment value is reported", () => {
    expect(resolveTimeouts({}, {})).to.deep.equal({ timeouts: { ...DEFAULT_TIMEOUTS }, problems: [] });
    expect(
      resolveTimeouts({}, { STATECTL_CONNECT_TIMEOUT: "2", STATECTL_REQUEST_TIMEOUT: "500ms" }).timeouts,
    ).to.deep.equal({ connectTimeoutMs: 2000, requestTimeoutMs: 500 });
    expect(
      resolveTimeouts({ requestTimeoutMs: 9000 }, { STATECTL_REQUEST_TIMEOUT: "1m" }).timeouts.requestTimeoutMs,
    ).to.equal(9000);
    const bad = resolveTimeouts({}, { STATECTL_REQUEST_TIMEOUT: "forever" });
    expect(bad.timeouts.requestTimeoutMs).to.equal(DEFAULT_TIMEOUTS.requestTimeoutMs);
    expect(bad.problems[0]).to.contain('STATECTL_REQUEST_TIMEOUT="forever" is not a duration');
    expect(parseTimeout("0")).to.equal(undefined);
    expect(parseTimeout("2m")).to.equal(120_000);
    expect(parseTimeout("90000000")).to.equal(undefined);
  });
});
