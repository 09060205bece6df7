/**
 * `statectl local fleet list|add|remove|tag|fail` and `statectl local advance <duration>`: change
 * the local endpoint's simulated fleet and move its clock.
 *
 * They act on a data dir (`--data-dir`, default .statectl/local). When a server is running on
 * that dir (it leaves `server.json` with its pid and URL there, and holds the dir locked), the
 * change is sent to it over HTTP with statectl's own `AmazonSSM.Statectl*` operations, so the
 * running server sees it at once. Otherwise the command opens the data dir itself, makes the
 * change and writes it back.
 */
import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out } from "../io.js";
import { DEFAULT_LOCAL_DATA_DIR } from "./local.js";

interface InstanceView {
  instanceId: string;
  name: string;
  platformType: string;
  platformName: string;
  platformVersion: string;
  pingStatus: string;
  tags: Record<string, string>;
  failDocuments: string[];
}

interface RunningServer {
  url: string;
}

/** The server running on `dataDir`, if one is (its server.json names a live process). */
async function runningServer(dataDir: string): Promise<RunningServer | undefined> {
  const { findRunningEndpoint } = await import("../../local/index.js");
  return findRunningEndpoint(dataDir);
}

async function callServer(server: RunningServer, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AmazonSSM.${operation}` },
      body: JSON.stringify(input),
    });
  } catch (e) {
    throw new CliExit(ExitCode.Error, `statectl local: cannot reach the server at ${server.url}: ${(e as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new CliExit(ExitCode.Error, `statectl local: ${String(body["__type"] ?? response.status)}: ${String(body["message"] ?? "")}`);
  return body;
}

/**
 * Runs `viaServer` against the server holding `dataDir`, or `viaLibrary` on an endpoint opened on
 * the data dir for the occasion (stopped again afterwards, its changes written).
 */
async function onDataDir<T>(
  dataDir: string | undefined,
  viaServer: (server: RunningServer) => Promise<T>,
  viaLibrary: (endpoint: import("../../local/index.js").LocalEndpoint) => Promise<T>,
  options: { execute?: boolean } = {},
): Promise<T> {
  const server = dataDir === undefined ? undefined : await runningServer(dataDir);
  if (server) return viaServer(server);
  const { startLocalEndpoint } = await import("../../local/index.js");
  let endpoint;
  try {
    endpoint = await startLocalEndpoint({ ...(dataDir === undefined ? {} : { dataDir }), ...(options.execute ? { execute: true } : {}) });
  } catch (e) {
    throw new CliExit(ExitCode.Error, `statectl local: ${(e as Error).message}`);
  }
  try {
    return await viaLibrary(endpoint);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code) throw new CliExit(ExitCode.Error, `statectl local: ${(e as Error).message}`);
    throw e;
  } finally {
    await endpoint.stop();
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseTags(args: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new CliExit(ExitCode.Usage, `statectl local: a tag is KEY=VALUE, got "${arg}"`);
    tags[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return tags;
}

function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** A plain aligned table; the last column is not padded. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join("  ").trimEnd()).join("\n");
}

function describeInstance(i: InstanceView): string {
  return `${i.instanceId} (${i.name}, ${i.platformType})`;
}

interface DataDirOption {
  dataDir: string;
}

function withDataDir(command: Command): Command {
  return command.option("--data-dir <dir>", "the local endpoint's data dir", DEFAULT_LOCAL_DATA_DIR);
}

export function registerLocalFleet(local: Command): void {
  const fleet = local.command("fleet").description("list and change the local endpoint's simulated managed instances");

  withDataDir(fleet.command("list").description("list the simulated managed instances"))
    .option("--json", "print the instances as JSON")
    .action(async (opts: DataDirOption & { json?: boolean }) => {
      // Listing creates nothing: without a data directory, the fleet a new endpoint starts with.
      const { existsSync } = await import("node:fs");
      const instances = await onDataDir(
        existsSync(opts.dataDir) ? opts.dataDir : undefined,
        async (server) => (await callServer(server, "StatectlListFleet", {}))["Instances"] as InstanceView[],
        async (endpoint) => (await endpoint.fleet()) as InstanceView[],
      );
      if (opts.json) {
        out(JSON.stringify(instances, null, 2));
        return;
      }
      const rows = [["INSTANCE", "NAME", "PLATFORM", "PING", "TAGS"]];
      for (const i of instances) {
        const failing = i.failDocuments.length > 0 ? `  (fails: ${i.failDocuments.join(", ")})` : "";
        rows.push([i.instanceId, i.name, `${i.platformType} (${i.platformName} ${i.platformVersion})`, i.pingStatus, formatTags(i.tags) + failing]);
      }
      out(table(rows));
    });

  withDataDir(fleet.command("add <name>").description("add a managed instance; associations that target it apply at once"))
    .option("--platform <type>", "Linux, Windows or MacOS", "Linux")
    .option("--id <instance-id>", "its id (default: a new i-… id)")
    .option("--tag <key=value>", "a tag (repeatable)", collect, [])
    .option("--platform-name <name>", "e.g. Ubuntu")
    .option("--platform-version <version>", "e.g. 22.04")
    .option("--ping-status <status>", "Online, ConnectionLost or Inactive", "Online")
    .option("--fail <document>", "make this document fail on the instance (repeatable)", collect, [])
    .option("--group <name>", "a resource group it belongs to, for resource-groups:Name targets (repeatable)", collect, [])
    .option("--json", "print the new instance as JSON")
    .action(async (name: string, opts: DataDirOption & { platform: string; id?: string; tag: string[]; platformName?: string; platformVersion?: string; pingStatus: string; fail: string[]; group: string[]; json?: boolean }) => {
      const spec = {
        name,
        resourceGroups: opts.group,
        platformType: opts.platform,
        pingStatus: opts.pingStatus,
        tags: parseTags(opts.tag),
        failDocuments: opts.fail,
        ...(opts.id !== undefined ? { instanceId: opts.id } : {}),
        ...(opts.platformName !== undefined ? { platformName: opts.platformName } : {}),
        ...(opts.platformVersion !== undefined ? { platformVersion: opts.platformVersion } : {}),
      };
      const instance = await onDataDir(
        opts.dataDir,
        async (server) =>
          (
            await callServer(server, "StatectlAddInstance", {
              Name: spec.name,
              PlatformType: spec.platformType,
              PingStatus: spec.pingStatus,
              Tags: spec.tags,
              FailDocuments: spec.failDocuments,
              ResourceGroups: spec.resourceGroups,
              InstanceId: spec.instanceId,
              PlatformName: spec.platformName,
              PlatformVersion: spec.platformVersion,
            })
          )["Instance"] as InstanceView,
        async (endpoint) => (await endpoint.addInstance(spec as Parameters<typeof endpoint.addInstance>[0])) as InstanceView,
      );
      if (opts.json) out(JSON.stringify(instance, null, 2));
      else out(`Added ${describeInstance(instance)}.`);
    });

  withDataDir(fleet.command("remove <instance>").description("remove a managed instance (by id or name)")).action(async (instance: string, opts: DataDirOption) => {
    await onDataDir(
      opts.dataDir,
      async (server) => {
        await callServer(server, "StatectlRemoveInstance", { InstanceId: instance });
      },
      async (endpoint) => endpoint.removeInstance(instance),
    );
    out(`Removed ${instance}.`);
  });

  withDataDir(fleet.command("tag <instance> [tags...]").description("set tags (KEY=VALUE) on an instance; newly matching associations apply at once"))
    .option("--remove <key>", "remove a tag key (repeatable)", collect, [])
    .action(async (instance: string, tags: string[], opts: DataDirOption & { remove: string[] }) => {
      const set = parseTags(tags);
      if (Object.keys(set).length === 0 && opts.remove.length === 0) throw new CliExit(ExitCode.Usage, "statectl local fleet tag: give KEY=VALUE tags and/or --remove KEY");
      await onDataDir(
        opts.dataDir,
        async (server) => {
          // statectl's own control: an EC2 instance's tags are not SSM's to change (AddTagsToResource
          // takes only mi- ids), so the simulated EC2 tags change through it, SSM's tags of an mi- node too.
          await callServer(server, "StatectlTagInstance", { InstanceId: instance, Tags: set, RemoveKeys: opts.remove });
        },
        async (endpoint) => endpoint.tagInstance(instance, set, opts.remove),
      );
      out(`Tagged ${instance}.`);
    });

  withDataDir(fleet.command("fail <instance> <document>").description("make a document fail whenever it runs on an instance (for tests)"))
    .option("--clear", "let the document succeed there again")
    .action(async (instance: string, document: string, opts: DataDirOption & { clear?: boolean }) => {
      await onDataDir(
        opts.dataDir,
        async (server) => {
          await callServer(server, "StatectlSetInstanceFailing", { InstanceId: instance, DocumentName: document, Failing: !opts.clear });
        },
        async (endpoint) => endpoint.failDocument(instance, document, !opts.clear),
      );
      out(opts.clear ? `${document} no longer fails on ${instance}.` : `${document} now fails on ${instance}.`);
    });

  registerSandboxCommands(fleet);
}

interface ExecView {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

function parseTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3600) throw new CliExit(ExitCode.Usage, `statectl local fleet exec: --timeout is whole seconds from 1 to 3600, got "${value}"`);
  return n;
}

/**
 * `local fleet exec` and `local fleet reset`: an instance's sandbox, by hand. They work on a
 * running server's instances, or, with none running, on the data dir's (execution needs no server).
 */
function registerSandboxCommands(fleet: Command): void {
  withDataDir(fleet.command("exec <instance> <command...>").description("run a command inside an instance's sandbox (with --execute); put -- before the command"))
    .option("--timeout <seconds>", "stop it after this many seconds", "30")
    .action(async (instance: string, command: string[], opts: DataDirOption & { timeout: string }) => {
      const timeout = parseTimeout(opts.timeout);
      const result = await onDataDir(
        opts.dataDir,
        async (server): Promise<ExecView> => {
          const r = await callServer(server, "StatectlExecInInstance", { InstanceId: instance, Command: command, TimeoutSeconds: timeout });
          return {
            ...(typeof r["ExitCode"] === "number" ? { exitCode: r["ExitCode"] } : {}),
            ...(typeof r["Signal"] === "string" ? { signal: r["Signal"] } : {}),
            timedOut: r["TimedOut"] === true,
            stdout: String(r["Stdout"] ?? ""),
            stderr: String(r["Stderr"] ?? ""),
          };
        },
        async (endpoint): Promise<ExecView> => {
          const r = await endpoint.execInInstance(instance, command, timeout);
          return { ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}), ...(r.signal !== undefined ? { signal: r.signal } : {}), timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr };
        },
        { execute: true },
      );
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      if (result.timedOut) throw new CliExit(ExitCode.Error, `statectl local fleet exec: the command ran longer than ${timeout} s and was stopped`);
      if (result.exitCode === undefined) throw new CliExit(ExitCode.Error, `statectl local fleet exec: the command was killed by ${result.signal ?? "a signal"}`);
      // The command's own exit status, as ssh and docker exec pass it on.
      if (result.exitCode !== 0) throw new CliExit(result.exitCode);
    });

  withDataDir(fleet.command("reset <instance>").description("restore an instance's disk to its base, dropping what runs and exec changed")).action(async (instance: string, opts: DataDirOption) => {
    await onDataDir(
      opts.dataDir,
      async (server) => {
        await callServer(server, "StatectlResetInstance", { InstanceId: instance });
      },
      async (endpoint) => endpoint.resetInstance(instance),
      { execute: true },
    );
    out(`Reset ${instance}: its disk is the base again.`);
  });
}

export function registerLocalAdvance(local: Command): void {
  withDataDir(local.command("advance <duration>").description("move the local endpoint's clock forward (e.g. 90m, 1d, 2h30m) and run the schedules that come due"))
    .option("--json", "print {now, executions} as JSON")
    .action(async (duration: string, opts: DataDirOption & { json?: boolean }) => {
      const { parseDuration } = await import("../../local/index.js");
      try {
        parseDuration(duration);
      } catch (e) {
        throw new CliExit(ExitCode.Usage, `statectl local advance: ${(e as Error).message}`);
      }
      const result = await onDataDir(
        opts.dataDir,
        async (server) => {
          const r = await callServer(server, "StatectlAdvanceClock", { Duration: duration });
          return { now: r["Now"] as number, executions: r["ExecutionCount"] as number };
        },
        async (endpoint) => {
          const executions = await endpoint.advance(duration);
          return { now: endpoint.now(), executions };
        },
      );
      if (opts.json) out(JSON.stringify({ now: new Date(result.now).toISOString(), executions: result.executions }));
      else out(`Clock advanced by ${duration}; it is now ${new Date(result.now).toISOString()}. ${result.executions} scheduled execution(s) ran.`);
    });
}
