import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { error, warning, type Diagnostic } from "../diag/index.js";
import type { S3Connection } from "../config/index.js";
import {
  requestHandlerOptions,
  resolveTimeouts,
  timeoutMiddleware,
  TIMEOUT_MIDDLEWARE_OPTIONS,
  type RequestTimeouts,
} from "../net/index.js";
import {
  acquireWithTimeout,
  checkWrite,
  decodeState,
  encodeStateBytes,
  lockIdMismatch,
  newLockInfo,
  notLockedDiagnostic,
  parseLockInfo,
  statectlVersion,
  type Attempt,
  type KnownState,
  type LockInfo,
  type LockOptions,
  type LockResult,
  type ReadStateResult,
  type State,
  type StateStorage,
  type WriteOptions,
  type WriteStateResult,
} from "../state/index.js";

type S3Sdk = typeof import("@aws-sdk/client-s3");
let loading: Promise<S3Sdk> | undefined;
/** The SDK is loaded on first use, so commands that never touch S3 do not pay for it. */
function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= import("@aws-sdk/client-s3");
  return loading;
}

/** A state object in S3: where it is (config's S3Connection) and how this process reaches it. */
export interface S3StateStorageOptions extends S3Connection {
  /** Explicit credentials; otherwise the SDK's chain. */
  credentials?: S3ClientConfig["credentials"];
  /** An embedder's own client (then region, endpoint, credentials … are its business). */
  client?: S3Client;
  /** Retries after the first attempt; default 4. */
  maxRetries?: number;
  /** Connect and request timeouts of each attempt; unset ones come from STATECTL_CONNECT_TIMEOUT / STATECTL_REQUEST_TIMEOUT, else net/'s defaults. Not applied to an embedder's own client. */
  timeouts?: Partial<RequestTimeouts>;
}

/** The lock object beside the state object (Terraform's S3 backend uses `.tflock` the same way). */
export const S3_LOCK_SUFFIX = ".lock";
/** The previous state, kept when the bucket has no versioning. */
export const S3_BACKUP_SUFFIX = ".backup";
/** Where the states of workspaces other than "default" live: PREFIX/NAME/KEY. */
export const DEFAULT_WORKSPACE_KEY_PREFIX = "workspaces";

/** The object key of a workspace's state: the key itself for "default", PREFIX/NAME/KEY otherwise. */
export function s3WorkspaceKey(key: string, workspace: string, prefix = DEFAULT_WORKSPACE_KEY_PREFIX): string {
  return workspace === "default" ? key : `${prefix}/${workspace}/${key}`;
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

function statusOf(e: unknown): number | undefined {
  return (e as SdkError).$metadata?.httpStatusCode;
}

function nameOf(e: unknown): string {
  const err = e as SdkError;
  return err.name ?? err.Code ?? err.code ?? "Error";
}

function isPreconditionFailed(e: unknown): boolean {
  return statusOf(e) === 412 || nameOf(e) === "PreconditionFailed";
}

/** S3 answers 409 when two conditional writes on one key race; the loser should read again. */
function isConditionalConflict(e: unknown): boolean {
  return statusOf(e) === 409 && nameOf(e) === "ConditionalRequestConflict";
}

function isNotFound(e: unknown): boolean {
  const n = nameOf(e);
  return n === "NoSuchKey" || n === "NotFound" || (statusOf(e) === 404 && n !== "NoSuchBucket");
}

/** Counts the HTTP requests a client sends (every attempt), for `npm run bench` and tests. */
export interface RequestCounter {
  requests: number;
}

/**
 * Turns an SDK failure into a diagnostic naming the bucket, the key and what to do. Message text
 * is used only as detail; the decision is made on the error's name and HTTP status.
 */
export function s3Diagnostic(
  e: unknown,
  action: string,
  bucket: string,
  key: string,
  region: string | undefined,
): Diagnostic {
  const name = nameOf(e);
  const status = statusOf(e);
  const where = `s3://${bucket}/${key}`;
  const message = ((e as SdkError).message ?? "").replace(/\s+/g, " ").trim();
  if (name === "StatectlTimeout") {
    const operation = (e as { operation?: string }).operation;
    return error("backend/timeout", "An S3 request timed out", {
      detail: `Cannot ${action} ${where}${operation ? ` (${operation})` : ""}: ${message}.`,
      hint: "check the network and `endpoint` in the backend block; raise request_timeout / connect_timeout there (or STATECTL_REQUEST_TIMEOUT / STATECTL_CONNECT_TIMEOUT) if S3 is only slow",
    });
  }
  if (name === "NoSuchBucket") {
    return error("backend/no-such-bucket", "The state bucket does not exist", {
      detail: `Cannot ${action} ${where}: the bucket "${bucket}" does not exist${region ? ` (looked in ${region})` : ""}. Nothing was written.`,
      hint: "create the bucket (with versioning on, docs/backends.md), or fix `bucket` in the state block",
    });
  }
  const bucketRegion = (e as SdkError).$response?.headers?.["x-amz-bucket-region"];
  if (
    status === 301 ||
    name === "PermanentRedirect" ||
    name === "AuthorizationHeaderMalformed" ||
    name === "IllegalLocationConstraintException"
  ) {
    return error("backend/wrong-region", "The state bucket is in another region", {
      detail: `Cannot ${action} ${where}: the bucket is not in ${region ?? "the configured region"}${bucketRegion ? `; S3 says it is in ${bucketRegion}` : ""} (${name}). Nothing was written.`,
      hint: bucketRegion
        ? `set region = "${bucketRegion}" in the backend block`
        : "set `region` in the backend block to the bucket's region",
    });
  }
  if (
    status === 403 ||
    name === "AccessDenied" ||
    name === "Forbidden" ||
    name === "InvalidAccessKeyId" ||
    name === "SignatureDoesNotMatch"
  ) {
    return error("backend/access-denied", "No permission on the state bucket", {
      detail: `Cannot ${action} ${where}: ${name}${message && message !== name ? `: ${message}` : ""}. Nothing was written.`,
      hint: "the credentials in use need the permissions listed in docs/backends.md (IAM policy) on this bucket and key",
    });
  }
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return error("backend/no-credentials", "No AWS credentials for the state bucket", {
      detail: `Cannot ${action} ${where}: ${message || name}.`,
      hint: "set AWS_PROFILE or `profile` in the backend block, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
    });
  }
  const code = (e as SdkError).code ?? "";
  if (
    ["ECONNREFUSED", "ENOTFOUND", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "EHOSTUNREACH"].includes(code) ||
    name === "TimeoutError"
  ) {
    return error("backend/unreachable", "Cannot reach S3", {
      detail: `Cannot ${action} ${where}: ${code || name}${message ? ` (${message})` : ""}.`,
      hint: "check the network, `endpoint` in the backend block and AWS_ENDPOINT_URL_S3",
    });
  }
  return error("backend/request-failed", "An S3 request failed", {
    detail: `Cannot ${action} ${where}: ${name}${status ? ` (HTTP ${status})` : ""}${message && message !== name ? `: ${message}` : ""}.`,
  });
}

/** Builds an S3 client from backend settings: explicit values first, then the SDK's standard chain. */
export async function createS3Client(opts: S3StateStorageOptions, counter?: RequestCounter): Promise<S3Client> {
  const sdk = await loadS3Sdk();
  const explicitEndpoint = opts.endpoint ?? process.env["AWS_ENDPOINT_URL_S3"] ?? process.env["AWS_ENDPOINT_URL"];
  let region = opts.region;
  // A custom endpoint (an S3-compatible server) still needs a region to sign requests.
  if (
    region === undefined &&
    explicitEndpoint !== undefined &&
    process.env["AWS_REGION"] === undefined &&
    process.env["AWS_DEFAULT_REGION"] === undefined
  )
    region = "us-east-1";
  let credentials = opts.credentials;
  if (opts.assumeRole && credentials === undefined) {
    const { fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
    credentials = fromTemporaryCredentials({
      params: {
        RoleArn: opts.assumeRole.roleArn,
        RoleSessionName: opts.assumeRole.sessionName ?? "statectl",
        ...(opts.assumeRole.externalId ? { ExternalId: opts.assumeRole.externalId } : {}),
      },
      clientConfig: { ...(region ? { region } : {}), ...(opts.profile ? { profile: opts.profile } : {}) },
    });
  }
  // The same connect and request timeouts as the SSM client's (net/): a hanging S3 fails the
  // command within them, naming the operation and the bucket, instead of holding the lock forever.
  const { timeouts } = resolveTimeouts(opts.timeouts);
  const client = new sdk.S3Client({
    ...(region !== undefined ? { region } : {}),
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(opts.forcePathStyle !== undefined ? { forcePathStyle: opts.forcePathStyle } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    maxAttempts: (opts.maxRetries ?? 4) + 1,
    requestHandler: requestHandlerOptions(timeouts),
    // The state and lock objects are small; checksums on them only add a header moto and some
    // S3-compatible servers reject.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  client.middlewareStack.add(
    timeoutMiddleware(timeouts, "the backend block") as never,
    TIMEOUT_MIDDLEWARE_OPTIONS as never,
  );
  if (counter) {
    client.middlewareStack.add(
      (next) => (args) => {
        counter.requests++;
        return next(args);
      },
      { step: "finalizeRequest", name: "statectlRequestCounter" },
    );
  }
  return client;
}

/**
 * The state as one S3 object, for teams that share it (docs/backends.md).
 *
 * - Every write is a conditional PutObject: `If-Match` on the ETag last read or written, or
 *   `If-None-Match: *` when there was no object. If anyone else wrote in between, S3 refuses
 *   (412) and nothing is overwritten — also when the lock was skipped (`--no-lock`).
 * - The lock is the object `<key>.lock`, created with `If-None-Match: *` so only one creator
 *   wins; its body names the holder. It is deleted on release (`If-Match` on its ETag, so a
 *   lock taken over after a force-unlock is never deleted by the old holder).
 * - The previous state is kept: by the bucket's versioning when it is on, else in `<key>.backup`.
 */
export class S3StateStorage implements StateStorage {
  readonly location: string;
  readonly bucket: string;
  readonly key: string;
  /** Requests sent so far (every attempt), for benchmarks and tests. */
  readonly counter: RequestCounter = { requests: 0 };
  private clientPromise: Promise<S3Client> | undefined;
  private known: KnownState | undefined;
  /** The ETag of the state object as last read or written; null when it did not exist; undefined before the first read. */
  private etag: string | null | undefined;
  /** The bytes last read or written, which become the backup on the next write. */
  private lastBytes: Uint8Array | undefined;
  private versioning: boolean | undefined;
  private heldLockEtag = new Map<string, string>();

  constructor(private readonly opts: S3StateStorageOptions) {
    this.bucket = opts.bucket;
    this.key = opts.key;
    this.location = `s3://${opts.bucket}/${opts.key}`;
  }

  get lockKey(): string {
    return `${this.key}${S3_LOCK_SUFFIX}`;
  }

  get backupKey(): string {
    return `${this.key}${S3_BACKUP_SUFFIX}`;
  }

  /** The client, built on first use. */
  client(): Promise<S3Client> {
    if (!this.clientPromise) {
      if (this.opts.client) {
        const c = this.opts.client;
        c.middlewareStack.add(
          (next) => (args) => {
            this.counter.requests++;
            return next(args);
          },
          { step: "finalizeRequest", name: `statectlRequestCounter-${Math.random()}` },
        );
        this.clientPromise = Promise.resolve(c);
      } else this.clientPromise = createS3Client(this.opts, this.counter);
    }
    return this.clientPromise;
  }

  /** Closes the client's sockets (not an embedder's own client). */
  destroy(): void {
    if (!this.opts.client) void this.clientPromise?.then((c) => c.destroy());
  }

  private fail(e: unknown, action: string, key = this.key): Diagnostic {
    return s3Diagnostic(e, action, this.bucket, key, this.opts.region);
  }

  /** GetObject; undefined when the object does not exist. */
  private async getObject(key: string): Promise<{ bytes: Uint8Array; etag: string; versionId?: string } | undefined> {
    const sdk = await loadS3Sdk();
    const c = await this.client();
    try {
      const r = await c.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const bytes = r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
      return { bytes, etag: r.ETag ?? "", ...(r.VersionId ? { versionId: r.VersionId } : {}) };
    } catch (e) {
      if (nameOf(e) !== "NoSuchBucket" && isNotFound(e)) return undefined;
      throw e;
    }
  }

  async read(): Promise<ReadStateResult> {
    let got: Awaited<ReturnType<S3StateStorage["getObject"]>>;
    try {
      got = await this.getObject(this.key);
    } catch (e) {
      return { diagnostics: [this.fail(e, "read the state")] };
    }
    if (!got) {
      this.etag = null;
      this.lastBytes = undefined;
      return { diagnostics: [] };
    }
    const r = decodeState(got.bytes, this.location);
    if (!r.state) return { diagnostics: await this.withRecoveryHint(r.diagnostics) };
    this.etag = got.etag;
    this.lastBytes = got.bytes;
    this.known = { lineage: r.state.lineage, serial: r.state.serial };
    return { state: r.state, diagnostics: r.diagnostics };
  }

  /** A damaged state object: say where the previous one is (a version, or the backup object). */
  private async withRecoveryHint(diags: Diagnostic[]): Promise<Diagnostic[]> {
    let backup: State | undefined;
    try {
      const b = await this.getObject(this.backupKey);
      backup = b ? decodeState(b.bytes, `s3://${this.bucket}/${this.backupKey}`).state : undefined;
    } catch {
      backup = undefined;
    }
    const hint = backup
      ? `the previous state (serial ${backup.serial}) is intact in s3://${this.bucket}/${this.backupKey}; to restore it: aws s3 cp s3://${this.bucket}/${this.backupKey} s3://${this.bucket}/${this.key}`
      : `restore an earlier version of s3://${this.bucket}/${this.key} (aws s3api list-object-versions --bucket ${this.bucket} --prefix ${this.key}) if the bucket has versioning`;
    return diags.map((d) => (d.severity === "error" && d.code !== "state/unsupported-version" ? { ...d, hint } : d));
  }

  async write(state: State, opts: WriteOptions = {}): Promise<WriteStateResult> {
    if (this.etag === undefined) {
      const current = await this.read();
      if (current.diagnostics.some((d) => d.severity === "error")) return { diagnostics: current.diagnostics };
    }
    const refused = checkWrite(this.location, this.known, state, opts);
    if (refused.length > 0) return { diagnostics: refused };
    const written: State = { ...state, serial: state.serial + 1, statectlVersion: statectlVersion() };
    const bytes = encodeStateBytes(written);
    const sdk = await loadS3Sdk();
    const c = await this.client();
    const previous = this.lastBytes;
    // Asked before the write, so the write and the backup follow each other closely.
    const keepBackup = previous !== undefined && !(await this.bucketVersioned());
    try {
      const r = await c.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: bytes,
          ContentType: "application/json",
          ...(this.etag ? { IfMatch: this.etag } : { IfNoneMatch: "*" }),
          ...this.encryption(),
        }),
      );
      this.etag = r.ETag ?? null;
    } catch (e) {
      if (isPreconditionFailed(e) || isConditionalConflict(e))
        return { diagnostics: [this.changedMeanwhile(written.serial - 1)] };
      return { diagnostics: [this.fail(e, "write the state")] };
    }
    this.lastBytes = bytes;
    this.known = { lineage: written.lineage, serial: written.serial };
    // The backup is written only once the new state is in place: a write S3 refused (another
    // writer got there first) must not replace the backup with a state that was never the
    // previous one. A failed backup does not undo the write; it is a warning.
    if (keepBackup) {
      try {
        await c.send(
          new sdk.PutObjectCommand({
            Bucket: this.bucket,
            Key: this.backupKey,
            Body: previous,
            ContentType: "application/json",
            ...this.encryption(),
          }),
        );
      } catch (e) {
        const failed = this.fail(e, "write the backup", this.backupKey);
        return {
          state: written,
          diagnostics: [
            warning("backend/backup-not-written", "The previous state was not kept", {
              detail: `The state was written to ${this.location} (serial ${written.serial}), but its previous version could not be kept in s3://${this.bucket}/${this.backupKey}: ${failed.detail ?? failed.summary}`,
              hint: "turn on versioning on the bucket (docs/backends.md) so every version is kept by S3 itself",
            }),
          ],
        };
      }
    }
    return { state: written, diagnostics: [] };
  }

  private changedMeanwhile(serial: number): Diagnostic {
    return error("backend/state-changed", "The state changed in S3 since it was read", {
      detail: `Refusing to write ${this.location}: ${this.etag ? `it no longer has the ETag ${this.etag} that was read (serial ${serial})` : "it did not exist when read, but does now"}. Another statectl (or someone else) stored a state in between; nothing was overwritten.`,
      hint: "run the command again: it reads the new state first. Take the lock (leave out --no-lock) so runs wait for each other",
    });
  }

  private encryption(): { ServerSideEncryption?: "AES256" | "aws:kms"; SSEKMSKeyId?: string } {
    if (this.opts.kmsKeyId) return { ServerSideEncryption: "aws:kms", SSEKMSKeyId: this.opts.kmsKeyId };
    if (this.opts.encrypt) return { ServerSideEncryption: "AES256" };
    return {};
  }

  /** Whether the bucket keeps versions; asked once. Without permission to ask, the backup object is kept. */
  private async bucketVersioned(): Promise<boolean> {
    if (this.versioning === undefined) {
      const sdk = await loadS3Sdk();
      try {
        const r = await (await this.client()).send(new sdk.GetBucketVersioningCommand({ Bucket: this.bucket }));
        this.versioning = r.Status === "Enabled";
      } catch {
        this.versioning = false;
      }
    }
    return this.versioning;
  }

  /** Whether the previous state is kept by versioning (true) or in the backup object (false). */
  keepsVersions(): Promise<boolean> {
    return this.bucketVersioned();
  }

  async lock(opts: LockOptions): Promise<LockResult> {
    return acquireWithTimeout(this.location, opts, () => this.tryLock(opts.operation));
  }

  private async tryLock(operation: string): Promise<Attempt> {
    const info = newLockInfo(operation, this.location, statectlVersion());
    const sdk = await loadS3Sdk();
    const c = await this.client();
    try {
      const r = await c.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.lockKey,
          Body: JSON.stringify(info, null, 2) + "\n",
          ContentType: "application/json",
          IfNoneMatch: "*",
          ...this.encryption(),
        }),
      );
      this.heldLockEtag.set(info.id, r.ETag ?? "");
      return { ok: true, lock: info };
    } catch (e) {
      if (isPreconditionFailed(e) || isConditionalConflict(e)) return { ok: false, holder: await this.lockInfo() };
      return { ok: false, holder: undefined, diagnostics: [this.fail(e, "create the lock", this.lockKey)] };
    }
  }

  async lockInfo(): Promise<LockInfo | undefined> {
    try {
      const got = await this.getObject(this.lockKey);
      return got ? parseLockInfo(Buffer.from(got.bytes).toString("utf8")) : undefined;
    } catch {
      return undefined;
    }
  }

  async unlock(id: string): Promise<Diagnostic[]> {
    const sdk = await loadS3Sdk();
    const c = await this.client();
    let got: Awaited<ReturnType<S3StateStorage["getObject"]>>;
    try {
      got = await this.getObject(this.lockKey);
    } catch (e) {
      return [this.fail(e, "read the lock", this.lockKey)];
    }
    if (!got) return [notLockedDiagnostic(this.location)];
    const holder = parseLockInfo(Buffer.from(got.bytes).toString("utf8"));
    if (holder?.id !== id) return [lockIdMismatch(this.location, id, holder)];
    try {
      // If-Match: delete exactly the lock that was read, never one taken since.
      await c.send(
        new sdk.DeleteObjectCommand({
          Bucket: this.bucket,
          Key: this.lockKey,
          ...(got.etag ? { IfMatch: got.etag } : {}),
        }),
      );
    } catch (e) {
      if (isPreconditionFailed(e)) return [lockIdMismatch(this.location, id, await this.lockInfo())];
      if (nameOf(e) === "NotImplemented") {
        try {
          await c.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.lockKey }));
        } catch (e2) {
          return [this.fail(e2, "delete the lock", this.lockKey)];
        }
      } else if (!isNotFound(e)) return [this.fail(e, "delete the lock", this.lockKey)];
    }
    this.heldLockEtag.delete(id);
    return [];
  }

  forceUnlock(id: string): Promise<Diagnostic[]> {
    return this.unlock(id);
  }

  /** The names of the workspaces that have a state under `prefix` (besides "default"). */
  async listWorkspaceNames(
    baseKey: string,
    prefix = DEFAULT_WORKSPACE_KEY_PREFIX,
  ): Promise<{ names: string[]; diagnostics: Diagnostic[] }> {
    const sdk = await loadS3Sdk();
    const c = await this.client();
    const names = new Set<string>();
    let token: string | undefined;
    try {
      do {
        const r = await c.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${prefix}/`,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const o of r.Contents ?? []) {
          const rest = (o.Key ?? "").slice(prefix.length + 1);
          const slash = rest.indexOf("/");
          if (slash > 0 && rest.slice(slash + 1) === baseKey) names.add(rest.slice(0, slash));
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      return { names: [], diagnostics: [this.fail(e, "list the workspaces in", `${prefix}/`)] };
    }
    return { names: [...names].sort(), diagnostics: [] };
  }

  /** Deletes the state object and its backup (a workspace being deleted); the caller holds the lock. */
  async deleteState(): Promise<Diagnostic[]> {
    const sdk = await loadS3Sdk();
    const c = await this.client();
    for (const key of [this.key, this.backupKey]) {
      try {
        await c.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      } catch (e) {
        if (!isNotFound(e)) return [this.fail(e, "delete", key)];
      }
    }
    return [];
  }
}
