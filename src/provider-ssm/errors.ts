// One error shape for every SSM failure, so apply can list "association.web: CreateAssociation
// failed: InvalidParameters: …" whatever went wrong. Codes come from the SDK exception's `name`
// (the wire `__type`), never from message text. Messages are scrubbed of anything that looks like
// a credential before they are stored, because SignatureDoesNotMatch-style errors can echo
// signed headers back.
import { scrubCredentials } from "../diag/safe-text.js";

export type FaultKind = "client" | "server" | "network";

export interface ProviderErrorInit {
  operation: string;
  code: string;
  message: string;
  fault: FaultKind;
  retryable?: boolean;
  httpStatus?: number;
  requestId?: string;
  address?: string;
  id?: string;
  /** State that really resulted when a multi-step change failed part-way (see ProviderError.partialState). */
  partialState?: unknown;
  /** The call may have been carried out although it failed (see ProviderError.outcomeUnknown). */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

export class ProviderError extends Error {
  override readonly name = "ProviderError";
  /** The SSM operation that failed, e.g. "CreateAssociation". */
  readonly operation: string;
  /** The AWS error code, e.g. "InvalidParameters", "ThrottlingException"; network failures use the Node code. */
  readonly code: string;
  /** The AWS error message, scrubbed of credential-like strings. */
  readonly awsMessage: string;
  readonly fault: FaultKind;
  /** Whether trying again later may succeed (throttling, server faults, network). */
  readonly retryable: boolean;
  readonly httpStatus?: number;
  readonly requestId?: string;
  /** Resource address (e.g. "association.web"), filled in by whoever knows it. */
  address?: string;
  /** Resource id (document name or association id) when known. */
  id?: string;
  /**
   * When a change made several calls and a later one failed (e.g. the document was created but
   * sharing it failed), the state that really exists now, so apply can record it.
   */
  partialState?: unknown;
  /**
   * The call failed in a way that does not say whether it ran (HTTP 5xx, a dropped connection,
   * a timeout, an abort after sending). Set only for calls sent with `idempotent: false`, whose
   * repetition would make a second object.
   */
  outcomeUnknown: boolean;

  constructor(init: ProviderErrorInit) {
    super("");
    this.operation = init.operation;
    this.code = init.code;
    this.awsMessage = redactSecrets(init.message);
    this.fault = init.fault;
    this.retryable = init.retryable ?? init.fault !== "client";
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.address !== undefined) this.address = init.address;
    if (init.id !== undefined) this.id = init.id;
    if (init.partialState !== undefined) this.partialState = init.partialState;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    // Kept non-enumerable: the SDK error may hold the raw response, which has no business in logs.
    if (init.cause !== undefined) Object.defineProperty(this, "cause", { value: init.cause, enumerable: false });
    this.message = this.describe();
  }

  /** Attach the resource address (returns this, for `throw err.at(addr)`). */
  at(address: string): this {
    this.address = address;
    this.message = this.describe();
    return this;
  }

  describe(): string {
    const subject = this.address ?? this.id;
    const head = subject !== undefined ? `${subject}: ` : "";
    return `${head}${this.operation} failed: ${this.code}: ${this.awsMessage}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      address: this.address,
      id: this.id,
      operation: this.operation,
      code: this.code,
      message: this.awsMessage,
      fault: this.fault,
      retryable: this.retryable,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      ...(this.outcomeUnknown ? { outcomeUnknown: true } : {}),
    };
  }
}

/**
 * An attempt of a non-idempotent call that failed without saying whether it ran. It looks like a
 * client error to the SDK's retry strategy (no $retryable, no HTTP status, no `cause`), so the
 * SDK does not send the call again; toProviderError unwraps it. The SDK error is in `attempt`.
 */
export class OutcomeUnknownAttempt extends Error {
  override readonly name = "StatectlOutcomeUnknown";
  constructor(readonly attempt: unknown) {
    super("the call failed without saying whether it was carried out");
  }

  /** A server fault (HTTP 5xx) or a failure with no HTTP response at all (network, timeout, abort). */
  static applies(error: unknown): boolean {
    const e = error as SdkLikeError | null;
    if (e === null || typeof e !== "object") return true;
    if (THROTTLING_CODES.has(awsErrorCode(error)) || e.$metadata?.httpStatusCode === 429) return false;
    const status = e.$metadata?.httpStatusCode;
    if (status !== undefined) return status >= 500;
    return e.$fault !== "client";
  }
}

interface SdkLikeError {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The AWS error code of anything the SDK threw (exception class name = wire `__type`). */
export function awsErrorCode(error: unknown): string {
  if (error instanceof ProviderError) return error.code;
  const e = error as SdkLikeError | null;
  if (e && typeof e === "object") {
    if (typeof e.$fault === "string" && typeof e.name === "string") return e.name;
    if (typeof e.code === "string") return e.code;
    if (typeof e.name === "string") return e.name;
  }
  return "UnknownError";
}

const THROTTLING_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "TooManyUpdates",
]);

/** Wrap whatever an SDK call threw into a ProviderError naming the operation. */
export function toProviderError(error: unknown, operation: string, id?: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof OutcomeUnknownAttempt) {
    const unwrapped = toProviderError(error.attempt, operation, id);
    unwrapped.outcomeUnknown = true;
    return unwrapped;
  }
  const e = (error ?? {}) as SdkLikeError;
  const code = awsErrorCode(error);
  const message = typeof e.message === "string" && e.message !== "" ? e.message : code;
  // A failure without an HTTP answer (refused, reset, cut short) says where it went.
  const endpoint = (error as { $endpoint?: unknown } | null)?.$endpoint;
  const rawMessage =
    typeof endpoint === "string" && !message.includes(endpoint) ? `${message} (endpoint ${endpoint})` : message;
  const httpStatus = e.$metadata?.httpStatusCode;
  let fault: FaultKind;
  if (e.$fault === "client") fault = "client";
  else if (e.$fault === "server") fault = "server";
  else fault = "network";
  const retryable = fault !== "client" || THROTTLING_CODES.has(code) || e.$retryable !== undefined;
  const init: ProviderErrorInit = { operation, code, message: rawMessage, fault, retryable, cause: error };
  if (httpStatus !== undefined) init.httpStatus = httpStatus;
  if (e.$metadata?.requestId !== undefined) init.requestId = e.$metadata.requestId;
  if (id !== undefined) init.id = id;
  return new ProviderError(init);
}

/** True when `error` carries exactly this AWS error code. */
export function hasCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes(awsErrorCode(error));
}

const extraSecrets = new Set<string>();

/** Register a secret value (e.g. a static secret key) that must never appear in any message. */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 8) extraSecrets.add(value);
}

/** Replace anything credential-like in `text` with "[redacted]". */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of extraSecrets) out = out.split(secret).join("[redacted]");
  return scrubCredentials(out);
}
