// Building the SSMClient: an explicit endpoint URL (the local endpoint, any SSM-compatible
// server) or the SDK's standard region/profile/credential chain. SSM throttles its API hard: each
// operation's attempts are paced to the rate SSM admits once it has throttled them (pacing.ts),
// and the SDK's standard retry mode sends a throttled attempt again (9 attempts by default).
import type { SSMClient, SSMClientConfig } from "@aws-sdk/client-ssm";
import {
  requestHandlerOptions,
  resolveTimeouts,
  timeoutMiddleware,
  TIMEOUT_MIDDLEWARE_OPTIONS,
  type RequestTimeouts,
} from "../net/index.js";
import { registerSecret } from "./errors.js";
import { PacedRetryBackoff, Pacer, pacingMiddleware, PACING_MIDDLEWARE_OPTIONS } from "./pacing.js";
import { loadSdkRetry, loadSsmSdk } from "./sdk.js";

export interface SsmClientOptions {
  /** Region; when omitted, the SDK's chain (AWS_REGION, profile) decides. */
  region?: string;
  /** Shared-config profile (like AWS_PROFILE). */
  profile?: string;
  /**
   * An SSM-compatible endpoint URL. When omitted, the SDK honours AWS_ENDPOINT_URL_SSM /
   * AWS_ENDPOINT_URL, else the real regional endpoint.
   */
  endpoint?: string;
  /** Retries after the first attempt. Default 8. */
  maxRetries?: number;
  /** Explicit credentials; otherwise the SDK's credential chain. */
  credentials?: SSMClientConfig["credentials"];
  /**
   * Connect and request timeouts of each attempt; each one left out comes from
   * STATECTL_CONNECT_TIMEOUT / STATECTL_REQUEST_TIMEOUT, else the default (10 s, 60 s).
   */
  timeouts?: Partial<RequestTimeouts>;
}

export const DEFAULT_MAX_RETRIES = 8;

/** Region used with an explicit endpoint when nothing else names one (a local server ignores it). */
export const FALLBACK_REGION_FOR_ENDPOINT = "us-east-1";

/**
 * Credentials for the local endpoint, which checks the request's shape but not its signature.
 */
export const LOCAL_ENDPOINT_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = Object.freeze({
  accessKeyId: "statectl-local",
  secretAccessKey: "statectl-local-secret",
});

export async function createSsmClient(options: SsmClientOptions = {}): Promise<SSMClient> {
  const [{ SSMClient }, { StandardRetryStrategy }] = await Promise.all([loadSsmSdk(), loadSdkRetry()]);
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new RangeError(`maxRetries must be a non-negative integer, got ${String(maxRetries)}`);
  }
  const explicitEndpoint = options.endpoint ?? process.env["AWS_ENDPOINT_URL_SSM"];
  let region = options.region;
  if (region === undefined && explicitEndpoint !== undefined && process.env["AWS_REGION"] === undefined) {
    region = FALLBACK_REGION_FOR_ENDPOINT;
  }
  // A copy: the SDK annotates credential objects it is given (and a frozen one makes it throw).
  const credentials = typeof options.credentials === "object" ? { ...options.credentials } : options.credentials;
  if (
    credentials !== undefined &&
    typeof credentials === "object" &&
    options.credentials !== LOCAL_ENDPOINT_CREDENTIALS
  ) {
    registerSecret(credentials.secretAccessKey);
    registerSecret(credentials.sessionToken);
  }
  const { timeouts } = resolveTimeouts(options.timeouts);
  const client = new SSMClient({
    ...(region !== undefined ? { region } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    // Not "adaptive": its client-wide rate limiter cuts every operation to 70% after any throttle
    // and climbs back over seconds; the pacing middleware keeps each operation at SSM's rate, so a
    // throttled retry needs no long wait of its own either (PacedRetryBackoff).
    retryStrategy: new StandardRetryStrategy({ maxAttempts: maxRetries + 1, backoff: new PacedRetryBackoff() }),
    maxAttempts: maxRetries + 1,
    requestHandler: requestHandlerOptions(timeouts),
  });
  client.middlewareStack.add(timeoutMiddleware(timeouts) as never, TIMEOUT_MIDDLEWARE_OPTIONS as never);
  client.middlewareStack.add(pacingMiddleware(new Pacer()) as never, PACING_MIDDLEWARE_OPTIONS as never);
  return client;
}
