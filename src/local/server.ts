/**
 * The HTTP side: AWS JSON 1.1 on 127.0.0.1. One request = `POST /` with
 * `X-Amz-Target: AmazonSSM.<Operation>` and a JSON body; the answer is 200 with the output as
 * JSON, or an error status with `{"__type", "message", "Message"}` and the `x-amzn-ErrorType`
 * header. Every response carries `x-amzn-RequestId`. Handlers run one at a time (a mutex), so a
 * handler's reads and writes never interleave with another's; the response waits until the
 * store has written the handler's changes.
 */
import * as http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SsmError, ErrorCode } from "./errors.js";
import type { EndpointCore, Handler, Input, OperationContext } from "./core.js";
import type { KnobControl } from "./knobs.js";

export const TARGET_PREFIX = "AmazonSSM.";
export const CONTENT_TYPE = "application/x-amz-json-1.1";

export interface ServerOptions {
  port: number;
  /** Requests with a larger body get HTTP 413. Large enough for a 64 KB document escaped in JSON. */
  maxBodyBytes: number;
  /** Told about handler bugs (anything thrown that is not an SsmError), which become HTTP 500. */
  onInternalError?: (error: unknown, operation: string) => void;
}

export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** The store, clock and lock that serve one request: its account and region's. */
export type PartitionResolver = (headers: http.IncomingHttpHeaders) => Promise<{ core: EndpointCore; mutex: Mutex }>;

export class SsmHttpServer {
  private server: http.Server | null = null;
  private readonly sockets = new Set<import("node:net").Socket>();

  constructor(
    private readonly partition: PartitionResolver,
    private readonly operations: ReadonlyMap<string, Handler>,
    private readonly knobs: KnobControl,
    private readonly options: ServerOptions,
  ) {}

  async listen(): Promise<number> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.options.onInternalError?.(e, "?");
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        }
      });
    });
    // An idle connection stays open for a minute, not Node's default 5 s: a
    // client that waited longer (an apply waiting for "yes", a test blocked in a child process)
    // would send its next call on a socket the server had just closed ("socket hang up"). close()
    // destroys the sockets, so stopping does not wait for them.
    server.keepAliveTimeout = 60_000;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // Loopback only: the endpoint has no authentication and must not be reachable from outside.
      server.listen(this.options.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let operation = "(unknown)";
    try {
      if (!isLoopbackHost(req.headers.host)) {
        await drain(req, this.options.maxBodyBytes);
        throw new SsmError(
          "AccessDeniedException",
          `The statectl local SSM endpoint serves only requests addressed to 127.0.0.1 or localhost (this one names ${JSON.stringify(req.headers.host ?? "")}): it has no authentication, and a web page could otherwise reach it by pointing a host name at 127.0.0.1 (DNS rebinding).`,
          403,
        );
      }
      const target = headerValue(req.headers["x-amz-target"]);
      if (req.method !== "POST" || !target?.startsWith(TARGET_PREFIX)) {
        await drain(req, this.options.maxBodyBytes);
        throw new SsmError(
          ErrorCode.UnknownOperation,
          req.method !== "POST"
            ? `Only POST is supported (got ${req.method})`
            : "Missing or unsupported X-Amz-Target header; expected AmazonSSM.<Operation>",
        );
      }
      operation = target.slice(TARGET_PREFIX.length);
      const body = await readBody(req, this.options.maxBodyBytes);
      const handler = this.operations.get(operation);
      this.knobs.countCall(operation);
      if (!handler)
        throw new SsmError(
          ErrorCode.UnknownOperation,
          `The operation ${operation} is not supported by the statectl local SSM endpoint.`,
        );
      const input = parseInput(body);
      const latency = this.knobs.latencyFor(operation);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      this.knobs.admit(operation);
      const { core, mutex } = await this.partition(req.headers);
      const ctx: OperationContext = Object.assign(Object.create(core) as EndpointCore, { operation, requestId });
      const output = await mutex.run(() => handler(input, ctx));
      if (core.store.dirty) await core.store.flush();
      this.knobs.loseResponse(operation);
      send(res, 200, requestId, output ?? {});
    } catch (e) {
      // The client went away mid-request (closed the connection, timed out): nobody is left to
      // answer, and nothing went wrong here — not an internal error.
      if (req.destroyed && !req.complete) return;
      if (operation !== "(unknown)") this.knobs.countError(operation);
      let error: SsmError;
      if (e instanceof SsmError) error = e;
      else {
        this.options.onInternalError?.(e, operation);
        error = new SsmError(
          ErrorCode.InternalServerError,
          "An internal error occurred in the statectl local SSM endpoint.",
          500,
        );
      }
      const body = { __type: error.code, message: error.message, Message: error.message, ...error.extra };
      send(res, error.httpStatus, requestId, body, error.code);
    }
  }
}

/**
 * A Host header that names this machine's loopback: 127.0.0.1 (any 127.x address), localhost
 * (and names under .localhost, which resolve to it), or [::1], with or without a port.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const [, hostName]: (string | undefined)[] =
    /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/.exec(host.trim().toLowerCase()) ?? [];
  if (hostName === undefined) return false;
  const name = hostName.replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost") || name === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(name);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function send(res: http.ServerResponse, status: number, requestId: string, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.setHeader("x-amzn-RequestId", requestId);
  if (errorType) res.setHeader("x-amzn-ErrorType", errorType);
  res.end(text);
}

class BodyTooLarge extends SsmError {
  constructor(limit: number) {
    super("RequestEntityTooLargeException", `Request body is larger than ${limit} bytes`, 413);
  }
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new BodyTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function drain(req: http.IncomingMessage, limit: number): Promise<void> {
  try {
    await readBody(req, limit);
  } catch {
    // The error about the request itself matters more than its body.
  }
}

function parseInput(body: string): Input {
  if (body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SsmError(ErrorCode.Serialization, "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SsmError(ErrorCode.Serialization, "The request body must be a JSON object.");
  return parsed as Input;
}
