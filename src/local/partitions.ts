/**
 * Accounts and regions: like SSM itself, the local endpoint keeps what is made in one account
 * and region apart from every other. A request's region is the one its SigV4 signature is
 * scoped to (`Credential=AKID/DATE/REGION/ssm/aws4_request`); its account is looked up by the
 * access key id in the configured mapping, or is the access key id itself when that is twelve
 * digits (as LocalStack does), or the endpoint's own account. Each (account, region) pair gets
 * its own store, fleet and clock, created on its first request.
 */
import { readdirSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";

export interface PartitionKey {
  accountId: string;
  region: string;
}

/** Reads the signing access key id and region of a request; undefined parts when it is not SigV4-signed. */
export function signingScope(headers: IncomingHttpHeaders): { accessKeyId?: string; region?: string } {
  // A string: Node keeps the first of repeated Authorization headers (never a list).
  const text = headers["authorization"];
  const m = text ? /Credential=([^/,\s]+)\/[0-9]{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/.exec(text) : null;
  const [, accessKeyId, region]: (string | undefined)[] = m ?? [];
  return accessKeyId !== undefined && region !== undefined ? { accessKeyId, region } : {};
}

/**
 * Headers statectl's own controls (`statectl local fleet|advance` against a running server) send
 * to pick a partition explicitly; they win over the signature.
 */
export const PARTITION_HEADERS = Object.freeze({ account: "x-statectl-account", region: "x-statectl-region" });

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const text = Array.isArray(v) ? v[0] : v;
  return text === undefined || text === "" ? undefined : text;
}

/** The account and region a request belongs to. */
export function partitionOf(
  headers: IncomingHttpHeaders,
  defaults: PartitionKey,
  accessKeyAccounts: Readonly<Record<string, string>>,
): PartitionKey {
  const explicitAccount = header(headers, PARTITION_HEADERS.account);
  const explicitRegion = header(headers, PARTITION_HEADERS.region);
  if (explicitAccount !== undefined || explicitRegion !== undefined)
    return { accountId: explicitAccount ?? defaults.accountId, region: explicitRegion ?? defaults.region };
  const scope = signingScope(headers);
  const key = scope.accessKeyId;
  const mapped =
    key !== undefined && Object.prototype.hasOwnProperty.call(accessKeyAccounts, key)
      ? accessKeyAccounts[key]
      : undefined;
  const accountId = mapped ?? (key !== undefined && /^[0-9]{12}$/.test(key) ? key : defaults.accountId);
  return { accountId, region: scope.region ?? defaults.region };
}

/** The folder (under the data dir) of a partition other than the endpoint's own. */
export function partitionFolder(p: PartitionKey): string {
  return `${p.accountId}-${p.region}`;
}

export const PARTITIONS_DIR = "partitions";

/** The partitions (other than the endpoint's own) that have a folder under `dataDir`/partitions. */
export function listPartitionFolders(dataDir: string): PartitionKey[] {
  let names: string[];
  try {
    names = readdirSync(join(dataDir, PARTITIONS_DIR), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  const keys: PartitionKey[] = [];
  // ACCOUNT-REGION: account ids have no "-", regions do (us-west-2).
  for (const n of names.sort()) {
    const [, accountId, region]: (string | undefined)[] = /^([^-]+)-([a-z0-9-]+)$/.exec(n) ?? [];
    if (accountId !== undefined && region !== undefined) keys.push({ accountId, region });
  }
  return keys;
}
