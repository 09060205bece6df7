// A local SSM endpoint for the length of a callback, with an AWS SDK client pointed at it: how a
// test makes changes "behind statectl's back" or inspects what statectl did, through SSM's real
// wire protocol. The endpoint and the client are stopped whatever the callback does.
import { join } from "node:path";
import { SSMClient } from "@aws-sdk/client-ssm";
import {
  LOCAL_ENDPOINT_CREDENTIALS,
  startLocalEndpoint,
  type LocalEndpoint,
  type LocalEndpointOptions,
} from "../../src/index.js";

export async function withLocalEndpoint<T>(
  options: LocalEndpointOptions,
  fn: (client: SSMClient, endpoint: LocalEndpoint) => Promise<T>,
): Promise<T> {
  const endpoint = await startLocalEndpoint(options);
  const client = new SSMClient({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: { ...LOCAL_ENDPOINT_CREDENTIALS },
  });
  try {
    return await fn(client, endpoint);
  } finally {
    client.destroy();
    await endpoint.stop();
  }
}

/** The endpoint a configuration in `dir` with `endpoint = "local"` uses (its data under .statectl/local). */
export function behindTheBack<T>(
  dir: string,
  fn: (client: SSMClient, endpoint: LocalEndpoint) => Promise<T>,
): Promise<T> {
  return withLocalEndpoint({ dataDir: join(dir, ".statectl", "local") }, fn);
}
