// A local endpoint plus a provider pointed at it over HTTP, for the provider-ssm integration tests.
import {
  startLocalEndpoint,
  LOCAL_ENDPOINT_CREDENTIALS,
  SsmProvider,
  type SsmProviderOptions,
} from "../../src/index.js";

export type LocalEndpointHandle = Awaited<ReturnType<typeof startLocalEndpoint>>;
export type EndpointOptions = Parameters<typeof startLocalEndpoint>[0];

export const LOCAL_ACCOUNT = "123456789012";

export interface Rig {
  endpoint: LocalEndpointHandle;
  provider: SsmProvider;
  /** Calls of `operation` since start (or the last resetCounters). */
  calls(operation: string): number;
  stop(): Promise<void>;
}

export async function startRig(
  providerOptions: SsmProviderOptions = {},
  endpointOptions: EndpointOptions = {},
): Promise<Rig> {
  const endpoint = await startLocalEndpoint(endpointOptions);
  const provider = await SsmProvider.create({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: LOCAL_ENDPOINT_CREDENTIALS,
    accountId: LOCAL_ACCOUNT,
    pollIntervalMs: 20,
    pollMaxIntervalMs: 200,
    ...providerOptions,
  });
  return {
    endpoint,
    provider,
    calls: (operation) => endpoint.counters()[operation]?.calls ?? 0,
    async stop() {
      provider.destroy();
      await endpoint.stop();
    },
  };
}

export function commandDocument(message: string, extraParameter?: string): string {
  return JSON.stringify(
    {
      schemaVersion: "2.2",
      description: `says ${message}`,
      parameters: {
        greeting: { type: "String", default: message },
        ...(extraParameter !== undefined ? { [extraParameter]: { type: "String", default: "x" } } : {}),
      },
      mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: ["echo {{ greeting }}"] } }],
    },
    null,
    2,
  );
}

export const accountIds = (n: number, from = 0): string[] =>
  Array.from({ length: n }, (_, i) => String(200000000000 + from + i));
