/**
 * `statectl local fleet list|add|remove|tag|fail` and `statectl local advance <duration>`: change
 * the local endpoint's simulated fleet and move its clock — in every account and region it keeps
 * apart (list, advance), or in the one `--account` / `--region` name.
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
  /** The account and region the instance is in (list only). */
  accountId?: string;
  region?: string;
}

interface RunningServer {
  url: string;
}

/** The server running on `dataDir`, if one is (its server.json names a live process). */
async function runningServer(dataDir: string): Promise<RunningServer | undefined> {
  const { findRunningEndpoint } = await import("../../local/index.js");
  return findRunningEndpoint(dataDir);
}

/** One account and region of the local endpoint; unset parts are the endpoint's own. */
interface Where {
  accountId?: string;
  region?: string;
}

async function callServer(
  server: RunningServer,
  operation: string,
  input: Record<string, unknown>,
  where: Where = {},
): Promise<Record<string, unknown>> {
  const { PARTITION_HEADERS } = await import("../../local/index.js");
  let response: Response;
  try {
    response = await fetch(`${server.url}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AmazonSSM.${operation}`,
        ...(where.accountId ? { [PARTITION_HEADERS.account]: where.accountId } : {}),
        ...(where.region ? { [PARTITION_HEADERS.region]: where.region } : {}),
      },
      body: JSON.stringify(input),
    });
  } catch (e) {
    throw new CliExit(
      ExitCode.Error,
      `statectl local: cannot reach the server at ${server.url}: ${(e as Error).message}`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok)
    throw new CliExit(
      ExitCode.Error,
      `statectl local: ${typeof body["__type"] === "string" ? body["__type"] : response.status}: ${typeof body["message"] === "string" ? body["message"] : ""}`,
    );
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
    endpoint = await startLocalEndpoint({
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(options.execute ? { execute: true } : {}),
    });
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
  const widths: number[] = [];
  for (const row of rows)
    for (const [col, cell] of row.entries()) widths[col] = Math.max(widths[col] ?? 0, cell.length);
  return rows
    .map((r) =>
      r
        .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)))

        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function describeInstance(i: InstanceView): string {
  return `${i.instanceId} (${i.name}, ${i.platformType})`;
}

interface DataDirOption {
  dataDir: string;
  region?: string;
  account?: string;
}

function withDataDir(command: Command): Command {
  return command.option("--data-dir <dir>", "the local endpoint's data dir", DEFAULT_LOCAL_DATA_DIR);
}

/** `--region` / `--account`: which of the endpoint's accounts and regions (each has its own fleet and clock). */
function withPartition(command: Command, what: string): Command {
  return command
    .option("--region <region>", `${what} (default: the endpoint's own region, us-east-1)`)
    .option("--account <id>", `${what} (default: the endpoint's own account)`);
}

function whereOf(opts: DataDirOption): Where {
  return {
    ...(opts.account !== undefined ? { accountId: opts.account } : {}),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
  };
}

function chosen(opts: DataDirOption): boolean {
  return opts.account !== undefined || opts.region !== undefined;
}

/** "" for the endpoint's own partition, else " in ACCOUNT/REGION" (what was given of it). */
function inPartition(opts: DataDirOption): string {
  return chosen(opts) ? ` in ${[opts.account, opts.region].filter((x) => x !== undefined).join("/")}` : "";
}

/** The partitions other than the endpoint's own that a running server's data dir holds. */
async function serverPartitions(dataDir: string): Promise<Where[]> {
  const { listPartitionFolders } = await import("../../local/index.js");
  return listPartitionFolders(dataDir);
}

export function registerLocalFleet(local: Command): void {
  const fleet = local.command("fleet").description("list and change the local endpoint's simulated managed instances");

  withPartition(
    withDataDir(
      fleet.command("list").description("list the simulated managed instances of every account and region (or of one)"),
    ),
    "list only this account's or region's instances",
  )
    .option("--json", "print the instances as JSON")
    .action(async (opts: DataDirOption & { json?: boolean }) => {
      // Listing creates nothing: without a data directory, the fleet a new endpoint starts with.
      const { existsSync } = await import("node:fs");
      const only = (w: Required<Where>): boolean =>
        (opts.account === undefined || w.accountId === opts.account) &&
        (opts.region === undefined || w.region === opts.region);
      const instances = await onDataDir(
        existsSync(opts.dataDir) ? opts.dataDir : undefined,
        async (server) => {
          const list: InstanceView[] = [];
          for (const where of [{}, ...(await serverPartitions(opts.dataDir))]) {
            const r = await callServer(server, "StatectlListFleet", {}, where);
            const w = { accountId: r["AccountId"] as string, region: r["Region"] as string };
            if (only(w)) list.push(...(r["Instances"] as InstanceView[]).map((i) => ({ ...i, ...w })));
          }
          return list;
        },
        async (endpoint) => {
          const list: InstanceView[] = [];
          for (const w of endpoint.partitionKeys())
            if (only(w)) list.push(...((await endpoint.fleet(w)) as InstanceView[]).map((i) => ({ ...i, ...w })));
          return list;
        },
      );
      if (opts.json) {
        out(JSON.stringify(instances, null, 2));
        return;
      }
      // Account and region columns once there is more than one of them to tell apart.
      const several = new Set(instances.map((i) => `${i.accountId}/${i.region}`)).size > 1;
      const rows = [[...(several ? ["ACCOUNT", "REGION"] : []), "INSTANCE", "NAME", "PLATFORM", "PING", "TAGS"]];
      for (const i of instances) {
        const failing = i.failDocuments.length > 0 ? `  (fails: ${i.failDocuments.join(", ")})` : "";
        rows.push([
          ...(several ? [i.accountId ?? "", i.region ?? ""] : []),
          i.instanceId,
          i.name,
          `${i.platformType} (${i.platformName} ${i.platformVersion})`,
          i.pingStatus,
          formatTags(i.tags) + failing,
        ]);
      }
      out(table(rows));
    });

  withPartition(
    withDataDir(
      fleet.command("add <name>").description("add a managed instance; associations that target it apply at once"),
    ),
    "add it in this account or region",
  )
    .option("--platform <type>", "Linux, Windows or MacOS", "Linux")
    .option("--id <instance-id>", "its id (default: a new i-… id)")
    .option("--tag <key=value>", "a tag (repeatable)", collect, [])
    .option("--platform-name <name>", "e.g. Ubuntu")
    .option("--platform-version <version>", "e.g. 22.04")
    .option("--ping-status <status>", "Online, ConnectionLost or Inactive", "Online")
    .option("--fail <document>", "make this document fail on the instance (repeatable)", collect, [])
    .option(
      "--group <name>",
      "a resource group it belongs to, for resource-groups:Name targets (repeatable)",
      collect,
      [],
    )
    .option("--json", "print the new instance as JSON")
    .action(
      async (
        name: string,
        opts: DataDirOption & {
          platform: string;
          id?: string;
          tag: string[];
          platformName?: string;
          platformVersion?: string;
          pingStatus: string;
          fail: string[];
          group: string[];
          json?: boolean;
        },
      ) => {
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
              await callServer(
                server,
                "StatectlAddInstance",
                {
                  Name: spec.name,
                  PlatformType: spec.platformType,
                  PingStatus: spec.pingStatus,
                  Tags: spec.tags,
                  FailDocuments: spec.failDocuments,
                  ResourceGroups: spec.resourceGroups,
                  InstanceId: spec.instanceId,
                  PlatformName: spec.platformName,
                  PlatformVersion: spec.platformVersion,
                },
                whereOf(opts),
              )
            )["Instance"] as InstanceView,
          async (endpoint) =>
            (await endpoint.addInstance(
              spec as Parameters<typeof endpoint.addInstance>[0],
              whereOf(opts),
            )) as InstanceView,
        );
        if (opts.json) out(JSON.stringify(instance, null, 2));
        else out(`Added ${describeInstance(instance)}${inPartition(opts)}.`);
      },
    );

  withPartition(
    withDataDir(fleet.command("remove <instance>").description("remove a managed instance (by id or name)")),
    "the instance's account or region",
  ).action(async (instance: string, opts: DataDirOption) => {
    await onDataDir(
      opts.dataDir,
      async (server) => {
        await callServer(server, "StatectlRemoveInstance", { InstanceId: instance }, whereOf(opts));
      },
      async (endpoint) => endpoint.removeInstance(instance, whereOf(opts)),
    );
    out(`Removed ${instance}${inPartition(opts)}.`);
  });

  withPartition(
    withDataDir(
      fleet
        .command("tag <instance> [tags...]")
        .description("set tags (KEY=VALUE) on an instance; newly matching associations apply at once"),
    ),
    "the instance's account or region",
  )
    .option("--remove <key>", "remove a tag key (repeatable)", collect, [])
    .action(async (instance: string, tags: string[], opts: DataDirOption & { remove: string[] }) => {
      const set = parseTags(tags);
      if (Object.keys(set).length === 0 && opts.remove.length === 0)
        throw new CliExit(ExitCode.Usage, "statectl local fleet tag: give KEY=VALUE tags and/or --remove KEY");
      await onDataDir(
        opts.dataDir,
        async (server) => {
          // statectl's own control: an EC2 instance's tags are not SSM's to change (AddTagsToResource
          // takes only mi- ids), so the simulated EC2 tags change through it, SSM's tags of an mi- node too.
          await callServer(
            server,
            "StatectlTagInstance",
            { InstanceId: instance, Tags: set, RemoveKeys: opts.remove },
            whereOf(opts),
          );
        },
        async (endpoint) => endpoint.tagInstance(instance, set, opts.remove, whereOf(opts)),
      );
      out(`Tagged ${instance}${inPartition(opts)}.`);
    });

  withPartition(
    withDataDir(
      fleet
        .command("fail <instance> <document>")
        .description("make a document fail whenever it runs on an instance (for tests)"),
    ),
    "the instance's account or region",
  )
    .option("--clear", "let the document succeed there again")
    .action(async (instance: string, document: string, opts: DataDirOption & { clear?: boolean }) => {
      await onDataDir(
        opts.dataDir,
        async (server) => {
          await callServer(
            server,
            "StatectlSetInstanceFailing",
            { InstanceId: instance, DocumentName: document, Failing: !opts.clear },
            whereOf(opts),
          );
        },
        async (endpoint) => endpoint.failDocument(instance, document, !opts.clear, whereOf(opts)),
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
  if (!Number.isInteger(n) || n < 1 || n > 3600)
    throw new CliExit(
      ExitCode.Usage,
      `statectl local fleet exec: --timeout is whole seconds from 1 to 3600, got "${value}"`,
    );
  return n;
}

/**
 * `local fleet exec` and `local fleet reset`: an instance's sandbox, by hand. They work on a
 * running server's instances, or, with none running, on the data dir's (execution needs no server).
 */
function registerSandboxCommands(fleet: Command): void {
  withDataDir(
    fleet
      .command("exec <instance> <command...>")
      .description("run a command inside an instance's sandbox (with --execute); put -- before the command"),
  )
    .option("--timeout <seconds>", "stop it after this many seconds", "30")
    .action(async (instance: string, command: string[], opts: DataDirOption & { timeout: string }) => {
      const timeout = parseTimeout(opts.timeout);
      const result = await onDataDir(
        opts.dataDir,
        async (server): Promise<ExecView> => {
          const r = await callServer(server, "StatectlExecInInstance", {
            InstanceId: instance,
            Command: command,
            TimeoutSeconds: timeout,
          });
          return {
            ...(typeof r["ExitCode"] === "number" ? { exitCode: r["ExitCode"] } : {}),
            ...(typeof r["Signal"] === "string" ? { signal: r["Signal"] } : {}),
            timedOut: r["TimedOut"] === true,
            stdout: typeof r["Stdout"] === "string" ? r["Stdout"] : "",
            stderr: typeof r["Stderr"] === "string" ? r["Stderr"] : "",
          };
        },
        async (endpoint): Promise<ExecView> => {
          const r = await endpoint.execInInstance(instance, command, timeout);
          return {
            ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
            ...(r.signal !== undefined ? { signal: r.signal } : {}),
            timedOut: r.timedOut,
            stdout: r.stdout,
            stderr: r.stderr,
          };
        },
        { execute: true },
      );
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      if (result.timedOut)
        throw new CliExit(
          ExitCode.Error,
          `statectl local fleet exec: the command ran longer than ${timeout} s and was stopped`,
        );
      if (result.exitCode === undefined)
        throw new CliExit(
          ExitCode.Error,
          `statectl local fleet exec: the command was killed by ${result.signal ?? "a signal"}`,
        );
      // The command's own exit status, as ssh and docker exec pass it on.
      if (result.exitCode !== 0) throw new CliExit(result.exitCode);
    });

  withDataDir(
    fleet
      .command("reset <instance>")
      .description("restore an instance's disk to its base, dropping what runs and exec changed"),
  ).action(async (instance: string, opts: DataDirOption) => {
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
  withPartition(
    withDataDir(
      local
        .command("advance <duration>")
        .description(
          "move the local endpoint's clock forward (e.g. 90m, 1d, 2h30m) in every account and region, and run the schedules that come due",
        ),
    ),
    "move only this account's or region's clock",
  )
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
          let executions = 0;
          let now = 0;
          const wheres = chosen(opts) ? [whereOf(opts)] : [{}, ...(await serverPartitions(opts.dataDir))];
          for (const [n, where] of wheres.entries()) {
            const r = await callServer(server, "StatectlAdvanceClock", { Duration: duration }, where);
            executions += r["ExecutionCount"] as number;
            if (n === 0) now = r["Now"] as number;
          }
          return { now, executions, partitions: wheres.length };
        },
        async (endpoint) => {
          const executions = await endpoint.advance(duration, chosen(opts) ? whereOf(opts) : undefined);
          return { now: endpoint.now(), executions, partitions: chosen(opts) ? 1 : endpoint.partitionKeys().length };
        },
      );
      if (opts.json)
        out(
          JSON.stringify({
            now: new Date(result.now).toISOString(),
            executions: result.executions,
            partitions: result.partitions,
          }),
        );
      else
        out(
          `Clock advanced by ${duration}${chosen(opts) ? inPartition(opts) : result.partitions > 1 ? ` in ${result.partitions} accounts/regions` : ""}; it is now ${new Date(result.now).toISOString()}. ${result.executions} scheduled execution(s) ran.`,
        );
    });
}
