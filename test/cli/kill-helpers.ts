// Shared by the crash, interrupt and fault tests of the built CLI: a configuration of about ten
// resources with dependencies whose shape changes with a generation number (so each apply
// creates, updates, replaces and deletes), a standalone local endpoint the CLI reaches by URL
// (so killing the CLI never kills the endpoint), and a check that the endpoint holds exactly
// what the configuration declares.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  DescribeAssociationCommand,
  DescribeDocumentCommand,
  paginateListAssociations,
  paginateListDocuments,
  SSMClient,
} from "@aws-sdk/client-ssm";
import {
  LOCAL_ENDPOINT_CREDENTIALS,
  startLocalEndpoint,
  type LocalEndpointOptions,
  type LocalEndpoint,
  type State,
} from "../../src/index.js";

export const CLI_MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

/** The environment the CLI runs with: SDK credentials for the local endpoint, no colour. */
export function cliEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NO_COLOR: "1",
    AWS_ACCESS_KEY_ID: "statectl-local",
    AWS_SECRET_ACCESS_KEY: "statectl-local-secret",
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** A temp directory, a standalone endpoint in this process and an SDK client on it. */
export interface StandaloneWorkspace {
  readonly dir: string;
  readonly endpoint: LocalEndpoint;
  readonly client: SSMClient;
  readonly statePath: string;
}

/**
 * Registers mocha hooks that open a fresh workspace before the suite (or before each test, with
 * `each`) and close it after; `config`, given the endpoint's URL, is written as main.state.
 * The returned object always reflects the current workspace.
 */
export function standaloneWorkspace(
  prefix: string,
  options: { each?: boolean; knobs?: LocalEndpointOptions["knobs"]; config?: (url: string) => string } = {},
): StandaloneWorkspace {
  let current: StandaloneWorkspace | undefined;
  const open = async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const endpoint = await startLocalEndpoint(options.knobs ? { knobs: options.knobs } : {});
    const client = new SSMClient({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: { ...LOCAL_ENDPOINT_CREDENTIALS },
    });
    if (options.config) writeFileSync(join(dir, "main.state"), options.config(endpoint.url));
    current = { dir, endpoint, client, statePath: join(dir, "statectl.state.json") };
  };
  const close = async () => {
    if (!current) return;
    current.client.destroy();
    await current.endpoint.stop();
    rmSync(current.dir, { recursive: true, force: true });
    current = undefined;
  };
  (options.each ? beforeEach : before)(open);
  (options.each ? afterEach : after)(close);
  const get = (): StandaloneWorkspace => {
    if (!current) throw new Error("the workspace is only open inside the suite's tests");
    return current;
  };
  return {
    get dir() {
      return get().dir;
    },
    get endpoint() {
      return get().endpoint;
    },
    get client() {
      return get().client;
    },
    get statePath() {
      return get().statePath;
    },
  };
}

/**
 * Ten resources: three documents, seven associations (three from for_each on a referenced
 * document, three on another, one chained with depends_on). Generation `gen` changes content
 * (new document versions), parameters, targets and schedules (updates), the name of a document
 * no association uses (replacement), and the for_each keys (creates and deletes).
 */
export function crashConfig(url: string): string {
  return `provider "ssm" {
  endpoint = "${url}"
}

variable "gen" {
  type    = number
  default = 0
}

locals {
  roles = var.gen % 2 == 0 ? ["web", "db", "cache"] : ["web", "db", "queue"]
}

document "base" {
  name    = "crash-base"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "base generation \${var.gen}"
    parameters    = { message = { type = "String", default = "hello" } }
    mainSteps     = [{ action = "aws:runShellScript", name = "say", inputs = { runCommand = ["echo {{ message }}"] } }]
  })
}

document "extra" {
  name    = "crash-extra-\${var.gen % 2}"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "extra"
    mainSteps     = [{ action = "aws:runShellScript", name = "run", inputs = { runCommand = ["true"] } }]
  })
}

document "static" {
  name    = "crash-static"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "static"
    mainSteps     = [{ action = "aws:runShellScript", name = "run", inputs = { runCommand = ["true"] } }]
  })
}

association "role" {
  for_each = toset(local.roles)
  name     = "crash-role-\${each.key}"
  document = document.base.name
  targets {
    key    = "tag:Role"
    values = [each.key]
  }
  parameters = { message = "gen \${var.gen} for \${each.key}" }
  schedule   = "rate(1 day)"
}

association "extra" {
  name     = "crash-extra"
  document = document.static.name
  targets {
    key    = "tag:Role"
    values = [var.gen % 2 == 0 ? "web" : "db"]
  }
  schedule = "rate(1 day)"
}

association "static_a" {
  name     = "crash-static-a"
  document = document.static.name
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  schedule = "rate(\${7 + var.gen % 3} days)"
}

association "static_b" {
  name     = "crash-static-b"
  document = document.static.name
  targets {
    key    = "tag:Role"
    values = ["db"]
  }
  schedule = "rate(1 day)"
}

association "chained" {
  name       = "crash-chained"
  document   = "AWS-RunShellScript"
  depends_on = [association.static_a, association.static_b]
  targets {
    key    = "tag:Role"
    values = ["db"]
  }
  parameters = { commands = ["echo \${var.gen}"] }
  schedule   = "rate(1 day)"
}
`;
}

/** What `crashConfig` declares for generation `gen`: document names, and association name → document. */
export function declared(gen: number): { documents: string[]; associations: Record<string, string> } {
  const roles = gen % 2 === 0 ? ["web", "db", "cache"] : ["web", "db", "queue"];
  const associations: Record<string, string> = {
    "crash-extra": "crash-static",
    "crash-static-a": "crash-static",
    "crash-static-b": "crash-static",
    "crash-chained": "AWS-RunShellScript",
  };
  for (const r of roles) associations[`crash-role-${r}`] = "crash-base";
  return { documents: ["crash-base", `crash-extra-${gen % 2}`, "crash-static"].sort(), associations };
}

/** Every document the account owns and every association, as the endpoint holds them (through the SDK). */
export async function remoteInventory(
  client: SSMClient,
): Promise<{ documents: string[]; associations: { id: string; name: string; document: string }[] }> {
  const documents: string[] = [];
  for await (const page of paginateListDocuments({ client }, { Filters: [{ Key: "Owner", Values: ["Self"] }] }))
    for (const d of page.DocumentIdentifiers ?? []) documents.push(d.Name!);
  const associations: { id: string; name: string; document: string }[] = [];
  for await (const page of paginateListAssociations({ client }, {}))
    for (const a of page.Associations ?? [])
      associations.push({ id: a.AssociationId!, name: a.AssociationName ?? "", document: a.Name! });
  return { documents: documents.sort(), associations };
}

export interface RunningCli {
  child: ChildProcess;
  /** Lines of stdout and stderr so far, in arrival order. */
  lines: string[];
  /** Resolves when a line matching `test` arrives (the n-th such line), or when the process ends (false). */
  waitForLine(test: (line: string) => boolean, n?: number): Promise<boolean>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI in `dir` without waiting for it. */
export function startCli(dir: string, args: string[]): RunningCli {
  const child = spawn(process.execPath, [CLI_MAIN, "-C", dir, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: cliEnv(),
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  const onLine = (l: string): void => {
    lines.push(l);
    for (const f of [...listeners]) f();
  };
  createInterface({ input: child.stdout }).on("line", onLine);
  createInterface({ input: child.stderr }).on("line", onLine);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exit.then(() => {
    ended = true;
    for (const f of [...listeners]) f();
  });
  const waitForLine = (test: (line: string) => boolean, n = 1): Promise<boolean> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (lines.filter(test).length >= n) {
          listeners.delete(check);
          resolve(true);
        } else if (ended) {
          listeners.delete(check);
          resolve(false);
        }
      };
      listeners.add(check);
      check();
    });
  return { child, lines, waitForLine, exit };
}

/**
 * Differences between what the state records and what the endpoint holds, read through the SDK:
 * every tracked document's default version and hash, every tracked association's version,
 * document, name, targets, parameters and schedule — and anything the endpoint holds that the
 * state does not track. Empty when the state matches the real resources exactly.
 */
export async function stateVersusRemote(client: SSMClient, state: State): Promise<string[]> {
  const problems: string[] = [];
  const inventory = await remoteInventory(client);
  const tracked = new Set(state.resources.map((r) => r.id));
  for (const d of inventory.documents) if (!tracked.has(d)) problems.push(`untracked document ${d}`);
  for (const a of inventory.associations)
    if (!tracked.has(a.id)) problems.push(`untracked association ${a.name} (${a.id})`);
  for (const r of state.resources) {
    const at = r.attributes;
    if (r.kind === "document") {
      const d = await client.send(new DescribeDocumentCommand({ Name: r.id })).then(
        (o) => o.Document,
        () => undefined,
      );
      if (!d) problems.push(`${r.address}: ${r.id} does not exist`);
      else if (d.DefaultVersion !== at["default_version"] || d.Hash !== at["hash"])
        problems.push(
          `${r.address}: default version ${d.DefaultVersion} hash ${d.Hash?.slice(0, 8)}, state says ${JSON.stringify(at["default_version"])} ${JSON.stringify(at["hash"])}`,
        );
    } else {
      const a = await client.send(new DescribeAssociationCommand({ AssociationId: r.id })).then(
        (o) => o.AssociationDescription,
        () => undefined,
      );
      if (!a) {
        problems.push(`${r.address}: ${r.id} does not exist`);
        continue;
      }
      const remote = JSON.stringify([
        a.AssociationVersion,
        a.Name,
        a.AssociationName ?? null,
        (a.Targets ?? []).map((t) => [t.Key, t.Values]),
        a.Parameters ?? {},
        a.ScheduleExpression ?? null,
      ]);
      const recorded = JSON.stringify([
        at["association_version"],
        at["document"],
        at["name"] ?? null,
        ((at["targets"] ?? []) as { key: string; values: string[] }[]).map((t) => [t.key, t.values]),
        at["parameters"] ?? {},
        at["schedule"] ?? null,
      ]);
      if (remote !== recorded) problems.push(`${r.address}: SSM has ${remote}, the state says ${recorded}`);
    }
  }
  return problems;
}
