import { expect } from "chai";
import { createSsmClient, ProviderError, SsmProvider, LOCAL_ENDPOINT_CREDENTIALS } from "../../src/index.js";
import { startRig, type Rig } from "./helpers.js";
import { PacedRetryBackoff } from "../../src/provider-ssm/pacing.js";

describe("provider-ssm client (local endpoint over HTTP)", () => {
  let rig: Rig;
  afterEach(async () => {
    // Unset when the test failed before making it.
    await (rig as Rig | undefined)?.stop();
  });

  it("completes every call under throttling (paced, then retried)", async () => {
    rig = await startRig({}, { knobs: { throttle: { ListDocuments: { ratePerSecond: 25, burst: 5 } } } });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => rig.provider.listDocuments({ owner: "Amazon" })),
    );
    expect(results.every((r) => r.length > 0)).to.equal(true);
    const counters = rig.endpoint.counters()["ListDocuments"]!;
    expect(counters.throttled).to.be.greaterThan(0);
    expect(counters.calls - counters.throttled).to.equal(30);
  });

  it("surfaces ThrottlingException as a retryable ProviderError once retries are used up", async () => {
    rig = await startRig({ maxRetries: 0 }, { knobs: { throttle: { ListDocuments: { ratePerSecond: 1, burst: 1 } } } });
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => rig.provider.listDocuments({ owner: "Amazon" })),
    );
    const failures = settled
      .filter((s): s is PromiseRejectedResult => s.status === "rejected")
      .map((s) => s.reason as unknown);
    expect(failures.length).to.be.greaterThan(0);
    for (const failure of failures) {
      expect(failure).to.be.instanceOf(ProviderError);
      expect(failure).to.include({ code: "ThrottlingException", operation: "ListDocuments", retryable: true });
    }
  });

  it("honours AWS_ENDPOINT_URL_SSM when no endpoint is given", async () => {
    rig = await startRig();
    const saved = process.env["AWS_ENDPOINT_URL_SSM"];
    process.env["AWS_ENDPOINT_URL_SSM"] = rig.endpoint.url;
    try {
      const client = await createSsmClient({ credentials: LOCAL_ENDPOINT_CREDENTIALS });
      const provider = new SsmProvider(client);
      const docs = await provider.listDocuments({ owner: "Amazon" });
      expect(docs.length).to.be.greaterThan(0);
      expect(rig.calls("ListDocuments")).to.equal(1);
      provider.destroy();
    } finally {
      if (saved === undefined) delete process.env["AWS_ENDPOINT_URL_SSM"];
      else process.env["AWS_ENDPOINT_URL_SSM"] = saved;
    }
  });

  it("uses standard retry mode (statectl paces throttled operations itself) and the requested retry budget", async () => {
    const client = await createSsmClient({
      endpoint: "http://127.0.0.1:9",
      maxRetries: 3,
      credentials: LOCAL_ENDPOINT_CREDENTIALS,
    });
    expect(await client.config.retryStrategy()).to.have.property("mode", "standard");
    expect(await client.config.maxAttempts()).to.equal(4);
    const strategy = (await client.config.retryStrategy()) as unknown as {
      maxAttempts(): Promise<number>;
      retryBackoffStrategy: unknown;
    };
    expect(await strategy.maxAttempts()).to.equal(4);
    // A throttled retry waits for its operation's pace, not the SDK's throttling backoff of up to 1 s × 2^n.
    expect(strategy.retryBackoffStrategy).to.be.instanceOf(PacedRetryBackoff);
    client.destroy();
  });

  it("keeps secrets out of errors and their JSON", async () => {
    rig = await startRig();
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
    const provider = await SsmProvider.create({
      endpoint: rig.endpoint.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: secret,
        sessionToken: "SESSIONTOKENSESSIONTOKEN",
      },
    });
    try {
      await provider.createDocument({ name: "bad", content: "{" });
      expect.fail("expected a failure");
    } catch (error) {
      const text = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ""}`;
      expect(text).not.to.contain(secret);
      expect(text).not.to.contain("SESSIONTOKEN");
      expect(text).not.to.contain("AKIAIOSFODNN7EXAMPLE");
    } finally {
      provider.destroy();
    }
  });
});
