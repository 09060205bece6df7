/**
 * Connect and request timeouts for every AWS client statectl builds (SSM and the S3 state
 * backend): where they come from (a configured value, else the environment, else the
 * default), the options that make the SDK's Node HTTP handler enforce them, and a middleware
 * that turns a timeout into an error naming the endpoint and the setting, which the SDK does not
 * retry — so a call to an endpoint that accepts and never answers, or announces more body than it
 * sends, fails within its timeout instead of hanging the command (and the state lock) forever.
 */

export interface RequestTimeouts {
  /** Longest wait for the TCP (and TLS) connection of one attempt. */
  connectTimeoutMs: number;
  /** Longest one attempt may take, from sending the request to the last byte of the answer. */
  requestTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<RequestTimeouts> = Object.freeze({
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
});

/** Environment variables that set the timeouts when the configuration does not. */
export const TIMEOUT_ENV = Object.freeze({ connect: "STATECTL_CONNECT_TIMEOUT", request: "STATECTL_REQUEST_TIMEOUT" });

/** The provider block's argument names, for messages. */
export const TIMEOUT_SETTING = Object.freeze({ connect: "connect_timeout", request: "request_timeout" });

/** Largest timeout accepted: a day. Anything longer is a mistake in units. */
const MAX_TIMEOUT_MS = 86_400_000;

/**
 * A duration: seconds as a number ("30", "0.5"), or with a unit ("500ms", "30s", "2m").
 * Undefined unless it is more than zero and at most a day.
 */
export function parseTimeout(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000;
  return validTimeoutMs(ms) ? Math.round(ms) : undefined;
}

export function validTimeoutMs(ms: number): boolean {
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMEOUT_MS;
}

/**
 * The timeouts in force: each configured value, else its environment variable, else the default.
 * An environment value that is not a duration is a problem (returned, for the caller to report),
 * and the default is used.
 */
export function resolveTimeouts(
  configured: Partial<RequestTimeouts> = {},
  env: Record<string, string | undefined> = process.env,
): { timeouts: RequestTimeouts; problems: string[] } {
  const problems: string[] = [];
  const pick = (value: number | undefined, name: string, fallback: number): number => {
    if (value !== undefined) return value;
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const parsed = parseTimeout(raw);
    if (parsed === undefined) {
      problems.push(
        `${name}="${raw}" is not a duration (seconds, or with a unit: 500ms, 30s, 2m; more than zero, at most a day)`,
      );
      return fallback;
    }
    return parsed;
  };
  return {
    timeouts: {
      connectTimeoutMs: pick(configured.connectTimeoutMs, TIMEOUT_ENV.connect, DEFAULT_TIMEOUTS.connectTimeoutMs),
      requestTimeoutMs: pick(configured.requestTimeoutMs, TIMEOUT_ENV.request, DEFAULT_TIMEOUTS.requestTimeoutMs),
    },
    problems,
  };
}

/**
 * Options for the SDK's NodeHttpHandler (a client's `requestHandler`): the connect timeout, the
 * request timeout until the answer's headers (as an error, not the handler's default warning),
 * and the same as the longest silence while the body arrives.
 */
export function requestHandlerOptions(t: RequestTimeouts): {
  connectionTimeout: number;
  requestTimeout: number;
  socketTimeout: number;
  throwOnRequestTimeout: true;
} {
  return {
    connectionTimeout: t.connectTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    socketTimeout: t.requestTimeoutMs,
    throwOnRequestTimeout: true,
  };
}

/**
 * A timeout of one attempt. Its `name` is none the SDK's retry strategy treats as transient (and
 * it carries no `cause` it would look into), so the SDK does not send the call again: one
 * timeout is the whole wait. `code` says which timeout.
 */
export class TimeoutError extends Error {
  override readonly name = "StatectlTimeout";
  constructor(
    readonly code: "ConnectTimeout" | "ResponseTimeout",
    readonly endpoint: string,
    readonly timeoutMs: number,
    /** Where the limit is set, for the message: "the provider block", "the backend block". */
    settingsBlock = "the provider block",
    /** The API operation of the attempt (GetObject, CreateDocument), when the SDK said. */
    readonly operation?: string,
  ) {
    const setting =
      code === "ConnectTimeout"
        ? `${TIMEOUT_SETTING.connect} (or ${TIMEOUT_ENV.connect})`
        : `${TIMEOUT_SETTING.request} (or ${TIMEOUT_ENV.request})`;
    const what = code === "ConnectTimeout" ? `could not connect to ${endpoint}` : `no complete answer from ${endpoint}`;
    super(`${what} within ${formatMs(timeoutMs)}; the limit is ${setting} in ${settingsBlock}`);
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}

interface HttpRequestLike {
  protocol?: string;
  hostname?: string;
  port?: number;
}

/** "https://ssm.eu-west-1.amazonaws.com" — where a request went, for messages. */
export function endpointOf(request: unknown): string {
  const r = (request ?? {}) as HttpRequestLike;
  if (typeof r.hostname !== "string") return "the endpoint";
  return `${r.protocol ?? "https:"}//${r.hostname}${r.port !== undefined ? `:${r.port}` : ""}`;
}

/** How much longer than the request timeout a trickling answer may take before it is cut. */
const TRICKLE_GRACE_MS = 1000;

type Next = (args: { request?: unknown }) => Promise<unknown>;
/** What the SDK hands a middleware besides `next`: the operation's name among other things. */
interface HandlerContext {
  commandName?: string;
}

/**
 * The middleware (add it to a client's middlewareStack with `TIMEOUT_MIDDLEWARE_OPTIONS`): each
 * attempt, from sending to the last byte of the body, is bounded by the request timeout; a
 * timeout becomes a TimeoutError; other failures without an HTTP answer (refused, reset, cut
 * short) get the endpoint attached (`$endpoint`) so messages can name it.
 */
export function timeoutMiddleware(
  t: RequestTimeouts,
  settingsBlock = "the provider block",
): (next: Next, context?: HandlerContext) => Next {
  return (next, context) => async (args) => {
    const endpoint = endpointOf(args.request);
    const operation = context?.commandName?.replace(/Command$/, "");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      // The handler's own timers normally fire first (and close the socket); a body that trickles
      // in keeps its socket from ever being idle, and this bounds the attempt as a whole.
      timer = setTimeout(
        () => reject(new TimeoutError("ResponseTimeout", endpoint, t.requestTimeoutMs, settingsBlock, operation)),
        t.requestTimeoutMs + TRICKLE_GRACE_MS,
      );
    });
    try {
      return await Promise.race([next(args), deadline]);
    } catch (error) {
      throw asTimeout(error, endpoint, t, settingsBlock, operation);
    } finally {
      clearTimeout(timer);
    }
  };
}

export const TIMEOUT_MIDDLEWARE_OPTIONS = Object.freeze({
  step: "deserialize",
  name: "statectlTimeouts",
  priority: "high" as const,
  override: true,
});

function asTimeout(
  error: unknown,
  endpoint: string,
  t: RequestTimeouts,
  settingsBlock: string,
  operation: string | undefined,
): unknown {
  if (error instanceof TimeoutError || error === null || typeof error !== "object") return error;
  const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.name === "TimeoutError") {
    const connecting = typeof e.message === "string" && /establishing a connection/i.test(e.message);
    return new TimeoutError(
      connecting ? "ConnectTimeout" : "ResponseTimeout",
      endpoint,
      connecting ? t.connectTimeoutMs : t.requestTimeoutMs,
      settingsBlock,
      operation,
    );
  }
  if (e.$metadata?.httpStatusCode === undefined && !Object.hasOwn(error, "$endpoint"))
    Object.defineProperty(error, "$endpoint", { value: endpoint, enumerable: false });
  return error;
}
