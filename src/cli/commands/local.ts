/**
 * `statectl local …`: the local SSM endpoint from the command line. Each subcommand has its own
 * register function below; add new ones (e.g. `local fleet`, `local advance`) the same way and
 * list them in `registerLocal`.
 */
import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out, err } from "../io.js";
import { onStopSignals, type StopSignal } from "../signals.js";
import { registerLocalAdvance, registerLocalFleet } from "./local-fleet.js";

/** Where `statectl local serve` keeps its data unless told otherwise (beside the configuration). */
export const DEFAULT_LOCAL_DATA_DIR = ".statectl/local";

export function registerLocal(program: Command): void {
  const local = program.command("local").description("run and control the local SSM endpoint (no AWS account needed)");
  registerLocalServe(local);
  registerLocalFleet(local);
  registerLocalAdvance(local);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliExit(ExitCode.Usage, `statectl local serve: --port must be 0–65535, got "${value}"`);
  return port;
}

export function registerLocalServe(local: Command): void {
  local
    .command("serve")
    .description("serve the local SSM endpoint on 127.0.0.1 until interrupted (SIGINT/SIGTERM/SIGHUP)")
    .option("--port <n>", "TCP port on 127.0.0.1 (default: a free port)")
    .option("--data-dir <dir>", `where documents and associations are kept`, DEFAULT_LOCAL_DATA_DIR)
    .option("--in-memory", "keep nothing on disk (data is lost when the server stops)")
    .option("--json", 'print the endpoint as JSON ({"url", "port", "dataDir", "execution"}) instead of text')
    .option(
      "--execute",
      "run shell steps for real, inside sandboxed instances (Linux, as root; see docs/local-endpoint.md, Rehearse for real)",
    )
    .option(
      "--rootfs <dir>",
      "with --execute: the read-only base of every instance's disk (default: the host's root, /)",
    )
    .action(
      async (opts: {
        port?: string;
        dataDir: string;
        inMemory?: boolean;
        json?: boolean;
        execute?: boolean;
        rootfs?: string;
      }) => {
        if (opts.rootfs !== undefined && !opts.execute)
          throw new CliExit(ExitCode.Usage, "statectl local serve: --rootfs goes with --execute");
        const port = opts.port === undefined ? 0 : parsePort(opts.port);
        const { startLocalEndpoint } = await import("../../local/index.js");
        let endpoint;
        try {
          endpoint = await startLocalEndpoint({
            port,
            ...(opts.inMemory ? {} : { dataDir: opts.dataDir }),
            ...(opts.execute ? { execute: opts.rootfs !== undefined ? { rootfs: opts.rootfs } : true } : {}),
            onInternalError: (e, operation) =>
              err(
                `statectl local: internal error in ${operation}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
              ),
          });
        } catch (e) {
          throw new CliExit(ExitCode.Error, `statectl local serve: ${e instanceof Error ? e.message : String(e)}`);
        }
        const execution = endpoint.execution();
        if (opts.json)
          out(JSON.stringify({ url: endpoint.url, port: endpoint.port, dataDir: endpoint.dataDir ?? null, execution }));
        else {
          out(`Local SSM endpoint listening on ${endpoint.url}`);
          out(endpoint.dataDir ? `Data: ${endpoint.dataDir}` : "Data: in memory (lost on exit)");
          if (execution.enabled) (execution.available ? out : err)(`Execution: ${execution.description}`);
          out(`Try: aws ssm list-documents --endpoint-url ${endpoint.url}`);
          out("Press Ctrl-C to stop.");
        }
        let dispose = (): void => undefined;
        const signal = await new Promise<StopSignal>((resolve) => {
          dispose = onStopSignals(resolve);
        });
        await endpoint.stop();
        dispose();
        if (!opts.json) err(`statectl local: stopped (${signal})`);
        // A signal asked us to stop and we did, cleanly: that is success.
      },
    );
}
