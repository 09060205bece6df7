/** Shared set-up for local endpoint tests: a fresh endpoint and a real SDK client pointed at it. */
import { SSMClient } from "@aws-sdk/client-ssm";
import { expect } from "chai";
import { startLocalEndpoint, type LocalEndpoint, type LocalEndpointOptions } from "../../src/local/index.js";

// The SDK warns on Node 20 about its future minimum version; that is noise in test output.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";
const originalEmit = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (text.includes("AWS SDK for JavaScript") || String(rest[0]).includes("NodeVersionSupportWarning")) return;
  (originalEmit as (...a: unknown[]) => void)(warning, ...rest);
};

export function clientFor(url: string, options: { maxAttempts?: number } = {}): SSMClient {
  return new SSMClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: options.maxAttempts ?? 1,
  });
}

export interface Harness {
  endpoint: LocalEndpoint;
  ssm: SSMClient;
}

/** Starts an in-memory endpoint before each test of the suite and stops it after. */
export function useEndpoint(options: LocalEndpointOptions = {}): Harness {
  const h = {} as Harness;
  beforeEach(async () => {
    h.endpoint = await startLocalEndpoint(options);
    h.ssm = clientFor(h.endpoint.url);
  });
  afterEach(async () => {
    h.ssm.destroy();
    await h.endpoint.stop();
  });
  return h;
}

/** Awaits a call that must fail with an SSM error of `code`; returns the error for more checks. */
export async function expectSsmError(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { $metadata?: { httpStatusCode?: number }; Message?: string }> {
  try {
    await promise;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    expect(err.name, `${err.name}: ${err.message}`).to.equal(code);
    return err;
  }
  expect.fail(`expected ${code}, but the call succeeded`);
}

export const commandDoc = (steps: string[] = ["echo hello"], parameters: Record<string, unknown> = {}) =>
  JSON.stringify({
    schemaVersion: "2.2",
    description: "test document",
    parameters,
    mainSteps: [{ action: "aws:runShellScript", name: "run", inputs: { runCommand: steps } }],
  });
