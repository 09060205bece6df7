// What every operation module shares: the client, the lazily loaded SDK, one way to send a
// command (so every failure becomes a ProviderError naming the operation), and ARN building.
import type { SSMClient } from "@aws-sdk/client-ssm";
import { OutcomeUnknownAttempt, toProviderError, type ProviderError } from "./errors.js";
import { loadSsmSdk, type SsmSdk } from "./sdk.js";

export interface CallOptions {
  /** Cancels in-flight calls and waits (e.g. a second Ctrl-C). */
  signal?: AbortSignal;
}

export interface ProviderContextOptions {
  /** The account that owns what statectl creates; used for association ARNs. */
  accountId?: string;
  /** Upper bound on waiting for a document to leave Creating/Updating/Deleting. Default 120 s. */
  documentSettleSeconds?: number;
  /** First poll interval for waits (doubles up to pollMaxIntervalMs). Default 250 ms. */
  pollIntervalMs?: number;
  /** Largest poll interval for waits. Default 5000 ms. */
  pollMaxIntervalMs?: number;
}

export class ProviderContext {
  readonly client: SSMClient;
  readonly options: ProviderContextOptions;
  private accountIdPromise: Promise<string | undefined> | undefined;
  private regionPromise: Promise<string | undefined> | undefined;

  constructor(client: SSMClient, options: ProviderContextOptions = {}) {
    this.client = client;
    this.options = options;
  }

  sdk(): Promise<SsmSdk> {
    return loadSsmSdk();
  }

  /**
   * Send one command; any failure comes back as a ProviderError for `operation`.
   *
   * `idempotent: false` is for calls that make something new each time they run
   * (CreateAssociation): the SDK still retries what surely did not run (throttling, client
   * errors are not retried anyway), but not a failure after which the call may have run (HTTP
   * 5xx, a dropped connection, a timeout). That failure comes back at once with `outcomeUnknown`
   * set, so the caller can look for what the call made before it sends it again.
   */
  async send<O>(
    operation: string,
    id: string | undefined,
    build: (sdk: SsmSdk) => unknown,
    call?: CallOptions,
    options: { idempotent?: boolean } = {},
  ): Promise<O> {
    const sdk = await this.sdk();
    const command = build(sdk);
    if (options.idempotent === false) addNoBlindRetry(command);
    const send = this.client.send.bind(this.client) as (command: unknown, options?: object) => Promise<unknown>;
    try {
      const output = await send(command, call?.signal !== undefined ? { abortSignal: call.signal } : {});
      return output as O;
    } catch (error) {
      throw toProviderError(error, operation, id);
    }
  }

  /** Turn whatever a paginator threw into a ProviderError for `operation`. */
  wrap(error: unknown, operation: string, id: string | undefined): ProviderError {
    return toProviderError(error, operation, id);
  }

  region(): Promise<string | undefined> {
    this.regionPromise ??= (async () => {
      try {
        return await this.client.config.region();
      } catch {
        return undefined;
      }
    })();
    return this.regionPromise;
  }

  /** The caller's account: the option, else what the credential chain reports, else unknown. */
  accountId(): Promise<string | undefined> {
    this.accountIdPromise ??= (async () => {
      if (this.options.accountId !== undefined) return this.options.accountId;
      try {
        const identity = await this.client.config.credentials();
        return identity.accountId;
      } catch {
        return undefined;
      }
    })();
    return this.accountIdPromise;
  }

  async arn(
    resource: "document" | "association",
    id: string,
    account: string | undefined,
  ): Promise<string | undefined> {
    if (account === undefined || !/^\d{12}$/.test(account)) return undefined;
    const region = await this.region();
    if (region === undefined) return undefined;
    return `arn:${partitionOf(region)}:ssm:${region}:${account}:${resource}/${id}`;
  }

  /**
   * Poll `probe` until it returns a value or `seconds` elapse (then undefined). `waitFirst` waits
   * one interval before the first probe, for a caller that was just told the work is under way.
   */
  async poll<T>(
    seconds: number,
    probe: () => Promise<T | undefined>,
    call?: CallOptions,
    options: { waitFirst?: boolean } = {},
  ): Promise<T | undefined> {
    const deadline = Date.now() + seconds * 1000;
    let interval = this.options.pollIntervalMs ?? 250;
    const maxInterval = this.options.pollMaxIntervalMs ?? 5000;
    if (options.waitFirst) {
      await sleep(Math.min(interval, seconds * 1000), call?.signal);
      interval = Math.min(interval * 2, maxInterval);
    }
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await sleep(Math.min(interval, remaining), call?.signal);
      interval = Math.min(interval * 2, maxInterval);
    }
  }
}

interface MiddlewareCommand {
  middlewareStack: { add(middleware: unknown, options: { step: string; name: string; priority?: string }): void };
}

/**
 * Runs once per attempt, inside the SDK's retry loop (finalizeRequest, after retryMiddleware): a
 * failure that leaves the outcome unknown is wrapped so the retry strategy sees a non-retryable
 * error and stops; ctx.send unwraps it.
 */
function addNoBlindRetry(command: unknown): void {
  const stack = (command as Partial<MiddlewareCommand>).middlewareStack;
  if (stack === undefined) return;
  stack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (OutcomeUnknownAttempt.applies(error)) throw new OutcomeUnknownAttempt(error);
        throw error;
      }
    },
    { step: "finalizeRequest", name: "statectlNoBlindRetry", priority: "low" },
  );
}

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  return "aws";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Drop keys whose value is undefined, so states compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}

export function tagsFromList(
  list: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of list ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? "";
  return tags;
}

export function tagsToList(tags: Record<string, string> | undefined): { Key: string; Value: string }[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

/** What to add/overwrite and which keys to remove to go from `current` to `desired`. */
export function diffTags(
  current: Record<string, string>,
  desired: Record<string, string>,
): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) if (current[key] !== value) set[key] = value;
  const remove = Object.keys(current).filter((key) => !(key in desired));
  return { set, remove };
}
