// The AWS SDK costs ~170 ms to import, more than `statectl validate` may take in total, so it is
// loaded on first use rather than when statectl's front door is imported. Only types are imported
// statically (they vanish at compile time).
export type SsmSdk = typeof import("@aws-sdk/client-ssm");

let loading: Promise<SsmSdk> | undefined;

export function loadSsmSdk(): Promise<SsmSdk> {
  loading ??= import("@aws-sdk/client-ssm");
  return loading;
}

export type SmithyRetry = typeof import("@smithy/core/retry");

let loadingRetry: Promise<SmithyRetry> | undefined;

/** The SDK's retry strategies (the package the SDK itself uses for them), loaded with the client. */
export function loadSdkRetry(): Promise<SmithyRetry> {
  loadingRetry ??= import("@smithy/core/retry");
  return loadingRetry;
}
