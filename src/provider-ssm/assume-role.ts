// Credentials for a provider configuration with `assume_role { … }`: AWS STS AssumeRole through
// the SDK's own credential provider (fromTemporaryCredentials), starting from the SDK's standard
// chain (or a profile). The role is assumed once up front, so a wrong role, trust policy or
// external id is one clear error before anything is planned; the credentials are renewed when
// they come close to expiring. STS is reached like any AWS service: AWS_ENDPOINT_URL_STS or
// AWS_ENDPOINT_URL point it elsewhere (a test's local STS).
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { registerSecret } from "./errors.js";

export interface AssumeRoleSettings {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds: number;
  /** The region whose STS endpoint is called (the provider configuration's). */
  region?: string;
  /** Shared-config profile for the credentials the role is assumed with. */
  profile?: string;
}

export interface AssumedRole {
  /** For the SSM client: the role's credentials, renewed before they expire. */
  credentials: AwsCredentialIdentityProvider;
  /** The access key id of the first credentials (the local endpoint maps it to the role's account). */
  accessKeyId: string;
}

/** Why assuming a role failed: STS's error code and message. */
export class AssumeRoleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AssumeRoleError";
  }
}

/** Renewed this long before they expire, so no request is signed with credentials about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;

export async function assumeRole(settings: AssumeRoleSettings): Promise<AssumedRole> {
  const { fromTemporaryCredentials, fromIni } = await import("@aws-sdk/credential-providers");
  const region = settings.region ?? process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"] ?? "us-east-1";
  const source = fromTemporaryCredentials({
    params: {
      RoleArn: settings.roleArn,
      RoleSessionName: settings.sessionName,
      DurationSeconds: settings.durationSeconds,
      ...(settings.externalId !== undefined ? { ExternalId: settings.externalId } : {}),
    },
    ...(settings.profile !== undefined ? { masterCredentials: fromIni({ profile: settings.profile }) } : {}),
    clientConfig: { region },
  });
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    try {
      const c = await source();
      registerSecret(c.secretAccessKey);
      if (c.sessionToken) registerSecret(c.sessionToken);
      return c;
    } catch (e) {
      const err = e as { name?: string; Code?: string; message?: string };
      throw new AssumeRoleError(err.Code ?? err.name ?? "Error", err.message ?? String(e));
    }
  };
  let current = await fetch();
  let renewing: Promise<AwsCredentialIdentity> | undefined;
  const credentials: AwsCredentialIdentityProvider = async () => {
    if (current.expiration && current.expiration.getTime() - Date.now() < RENEW_BEFORE_MS) {
      renewing ??= fetch().finally(() => (renewing = undefined));
      current = await renewing;
    }
    return current;
  };
  return { credentials, accessKeyId: current.accessKeyId };
}
