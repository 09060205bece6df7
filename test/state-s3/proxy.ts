// A loopback HTTP proxy in front of moto_server that holds back chosen S3 requests: forever (an
// S3 that accepts and never answers) or for a while (a slow one), and passes everything else
// through unchanged. The tests of timeouts and interrupts point the backend's `endpoint` at it.
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What to do with a request: pass it on (undefined), hold it forever ("hang"), or delay it (ms). */
export type HoldRule = (req: { method: string; path: string }) => "hang" | number | undefined;

export interface S3Proxy {
  readonly url: string;
  /** Requests seen so far, as "METHOD /path". */
  readonly seen: string[];
  setRule(rule: HoldRule | undefined): void;
  close(): Promise<void>;
}

export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const to = new URL(target);
  let rule: HoldRule | undefined;
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    seen.push(`${req.method} ${path}`);
    const hold = rule?.({ method: req.method ?? "GET", path });
    const forward = (): void => {
      const upstream = http.request(
        { hostname: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    };
    if (hold === "hang") {
      req.resume();
      return;
    }
    if (typeof hold === "number") {
      req.pause();
      setTimeout(forward, hold);
      return;
    }
    forward();
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    setRule(r) {
      rule = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
