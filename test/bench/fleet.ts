/**
 * Fleet-scale benchmarks against the in-process local endpoint, counted with its call counters:
 * refresh calls (bulk against per-resource), association-create calls (batched), apply wall time
 * under a throttled endpoint against the throttle's bound, statectl's paced client against the SDK's standard and adaptive
 * retry, and what the endpoint's persistence costs. Used by run.ts and, at tiny sizes, by
 * fleet.test.ts (which only checks that it keeps working).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeDocumentCommand, SSMClient } from "@aws-sdk/client-ssm";
import {
  createSsmClient,
  LOCAL_ENDPOINT_CREDENTIALS,
  MemoryStateStorage,
  runApply,
  runPlan,
  startLocalEndpoint,
  type Counters,
  type Knobs,
  type LocalEndpoint,
} from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

export interface FleetShape {
  associations: number;
  /** Own documents the associations are spread over; 0 = AWS-RunShellScript for all. */
  documents: number;
  /** Every n-th association manages tags (0 = none). */
  taggedEvery?: number;
}

function documentContent(i: number): string {
  return JSON.stringify({
    schemaVersion: "2.2",
    description: `fleet document ${i}`,
    parameters: { greeting: { type: "String", default: "hello" } },
    mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: ["echo {{ greeting }}"] } }],
  });
}

/** A configuration of `associations` associations over `documents` documents. */
export function generateFleetConfig(shape: FleetShape): string {
  const parts = ['provider "ssm" {\n  endpoint = "local"\n}\n'];
  const pad = (i: number, n: number) => String(i).padStart(n, "0");
  for (let d = 0; d < shape.documents; d++) {
    parts.push(
      `document "d${pad(d, 3)}" {\n  name    = "Fleet-Doc-${pad(d, 3)}"\n  content = ${JSON.stringify(documentContent(d))}\n  tags = {\n    fleet = "bench"\n  }\n}\n`,
    );
  }
  for (let i = 0; i < shape.associations; i++) {
    const document = shape.documents > 0 ? `document.d${pad(i % shape.documents, 3)}.name` : '"AWS-RunShellScript"';
    const parameters = shape.documents > 0 ? `greeting = ["hello ${i}"]` : `commands = ["echo ${i}"]`;
    const tags = shape.taggedEvery && i % shape.taggedEvery === 0 ? `  tags = {\n    team = "t${i % 5}"\n  }\n` : "";
    parts.push(
      `association "a${pad(i, 5)}" {\n  name     = "fleet-${pad(i, 5)}"\n  document = ${document}\n  targets {\n    key    = "tag:Role"\n    values = ["fleet-${i % 7}"]\n  }\n  parameters = {\n    ${parameters}\n  }\n  schedule                    = "cron(0 2 ? * SUN *)"\n  apply_only_at_cron_interval = true\n${tags}}\n`,
    );
  }
  return parts.join("\n");
}

/**
 * Writes the configuration of `shape` into `dir`, at most 5,000 associations per file (statectl
 * reads configuration files of up to 10 MiB; a 50,000-association configuration is ~16 MB).
 */
export function writeFleetConfig(dir: string, shape: FleetShape): void {
  const perFile = 5_000;
  writeFileSync(join(dir, "main.state"), generateFleetConfig({ ...shape, associations: 0 }));
  for (let from = 0, part = 0; from < shape.associations; from += perFile, part++) {
    const count = Math.min(perFile, shape.associations - from);
    const text = generateFleetConfig({ ...shape, associations: from + count, documents: shape.documents })
      .split(/\n(?=association ")/)
      .filter((block) => block.startsWith("association "))
      .slice(from)
      .join("\n");
    writeFileSync(join(dir, `associations-${String(part).padStart(3, "0")}.state`), text);
  }
}

export function totalCalls(counters: Counters, only?: (operation: string) => boolean): number {
  return Object.entries(counters)
    .filter(([op]) => !only || only(op))
    .reduce((n, [, c]) => n + c.calls, 0);
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark check failed: ${what}`);
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "statectl-bench-fleet-"));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RefreshFigures {
  shape: FleetShape;
  applyMs: number;
  /** Calls to create the associations (CreateAssociationBatch + CreateAssociation). */
  associationCreateCalls: number;
  applyCalls: number;
  bulk: { calls: number; ms: number; byOperation: Record<string, number> };
  perResource: { calls: number; ms: number; byOperation: Record<string, number> };
}

function byOperation(counters: Counters): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).map(([op, c]) => [op, c.calls]));
}

/** Applies the fleet, then makes a no-change plan with bulk refresh and with per-resource refresh. */
export async function benchRefresh(shape: FleetShape, knobs: Knobs = {}): Promise<RefreshFigures> {
  return withDir(async (dir) => {
    writeFileSync(join(dir, "main.state"), generateFleetConfig(shape));
    const endpoint = await startLocalEndpoint({ knobs });
    try {
      let t0 = performance.now();
      const applied = await runApply({ dir, runningLocalEndpoint: endpoint, parallelism: 8 });
      const applyMs = performance.now() - t0;
      check(
        (applied.result?.errors.length ?? 1) === 0 && applied.result!.added === shape.associations + shape.documents,
        `apply created everything (${applied.diagnostics[0]?.detail ?? ""})`,
      );
      const applyCounters = endpoint.counters();
      const associationCreateCalls = totalCalls(
        applyCounters,
        (op) => op === "CreateAssociation" || op === "CreateAssociationBatch",
      );

      endpoint.resetCounters();
      t0 = performance.now();
      const bulk = await runPlan({ dir, runningLocalEndpoint: endpoint });
      const bulkMs = performance.now() - t0;
      check(
        bulk.plan !== undefined && bulk.plan.drift.length === 0 && bulk.plan.changes.every((c) => c.action === "no-op"),
        "the bulk plan has no changes",
      );
      const bulkCounters = endpoint.counters();

      endpoint.resetCounters();
      t0 = performance.now();
      const per = await runPlan({ dir, runningLocalEndpoint: endpoint, refreshMode: "per-resource" });
      const perMs = performance.now() - t0;
      check(
        per.plan !== undefined && per.plan.drift.length === 0 && per.plan.changes.every((c) => c.action === "no-op"),
        "the per-resource plan has no changes",
      );
      const perCounters = endpoint.counters();
      return {
        shape,
        applyMs,
        associationCreateCalls,
        applyCalls: totalCalls(applyCounters),
        bulk: { calls: totalCalls(bulkCounters), ms: bulkMs, byOperation: byOperation(bulkCounters) },
        perResource: { calls: totalCalls(perCounters), ms: perMs, byOperation: byOperation(perCounters) },
      };
    } finally {
      await endpoint.stop();
    }
  });
}

export interface CreateCallFigures {
  shape: FleetShape;
  /** CreateAssociationBatch + CreateAssociation calls. */
  calls: number;
  byOperation: Record<string, number>;
  /** State writes of the apply. */
  stateWrites: number;
}

/** Applies the fleet (documents first, then the associations) and counts the calls that created the associations. */
export async function benchCreateCalls(shape: FleetShape): Promise<CreateCallFigures> {
  return withDir(async (dir) => {
    writeFileSync(join(dir, "main.state"), generateFleetConfig(shape));
    const endpoint = await startLocalEndpoint({});
    const storage = new MemoryStateStorage();
    try {
      const applied = await runApply({ dir, runningLocalEndpoint: endpoint, storage });
      check(
        (applied.result?.errors.length ?? 1) === 0 && applied.result!.added === shape.associations + shape.documents,
        `apply created everything (${applied.diagnostics[0]?.detail ?? ""})`,
      );
      const counters = endpoint.counters();
      const creates = (op: string) => op === "CreateAssociation" || op === "CreateAssociationBatch";
      return {
        shape,
        calls: totalCalls(counters, creates),
        byOperation: Object.fromEntries(Object.entries(byOperation(counters)).filter(([op]) => creates(op))),
        stateWrites: storage.writes,
      };
    } finally {
      await endpoint.stop();
    }
  });
}

export interface DocumentCreateCallFigures {
  documents: number;
  /** Every SSM call of the apply. */
  calls: number;
  byOperation: Record<string, number>;
  ms: number;
}

/**
 * Applies `documents` documents (tagged, unshared) against an endpoint with its default activation
 * delay, and counts every call of the apply: CreateDocument, and one DescribeDocument per document
 * while it reports Creating.
 */
export async function benchDocumentCreateCalls(documents: number): Promise<DocumentCreateCallFigures> {
  return withDir(async (dir) => {
    writeFileSync(join(dir, "main.state"), generateFleetConfig({ associations: 0, documents }));
    const endpoint = await startLocalEndpoint({});
    try {
      const t0 = performance.now();
      const applied = await runApply({ dir, runningLocalEndpoint: endpoint, storage: new MemoryStateStorage() });
      const ms = performance.now() - t0;
      check(
        (applied.result?.errors.length ?? 1) === 0 && applied.result!.added === documents,
        `apply created every document (${applied.diagnostics[0]?.detail ?? ""})`,
      );
      const counters = endpoint.counters();
      return { documents, calls: totalCalls(counters), byOperation: byOperation(counters), ms };
    } finally {
      await endpoint.stop();
    }
  });
}

export interface ThrottledApplyFigures {
  associations: number;
  ratePerSecond: number;
  latencyMs: number;
  ms: number;
  /** From the start of the apply to its first call (loading and planning). */
  firstCallMs: number;
  /** The least time the throttle allows for the calls that were admitted (busiest operation). */
  boundMs: number;
  calls: number;
  throttled: number;
  errors: number;
}

/** Creates `associations` associations through a throttled, slow endpoint; compares wall time with the throttle's bound. */
export async function benchThrottledApply(
  associations: number,
  ratePerSecond: number,
  latencyMs: number,
): Promise<ThrottledApplyFigures> {
  return withDir(async (dir) => {
    writeFileSync(join(dir, "main.state"), generateFleetConfig({ associations, documents: 0 }));
    const endpoint = await startLocalEndpoint({ knobs: { latencyMs, throttle: { "*": { ratePerSecond } } } });
    try {
      const t0 = performance.now();
      let firstCallMs = 0;
      const watch = setInterval(() => {
        if (firstCallMs === 0 && totalCalls(endpoint.counters()) > 0) firstCallMs = performance.now() - t0;
      }, 5);
      const applied = await runApply({ dir, runningLocalEndpoint: endpoint });
      clearInterval(watch);
      const ms = performance.now() - t0;
      const counters = endpoint.counters();
      check(
        applied.result !== undefined && applied.result.errors.length === 0 && applied.result.added === associations,
        "the throttled apply created everything",
      );
      let boundMs = 0;
      for (const c of Object.values(counters)) {
        const admitted = c.calls - c.throttled;
        // The bucket starts full (burst = rate), then admits `rate` calls a second; each call also waits `latencyMs`.
        boundMs = Math.max(boundMs, (Math.max(0, admitted - ratePerSecond) / ratePerSecond) * 1000 + latencyMs);
      }
      return {
        associations,
        ratePerSecond,
        latencyMs,
        ms,
        firstCallMs,
        boundMs,
        calls: totalCalls(counters),
        throttled: Object.values(counters).reduce((n, c) => n + c.throttled, 0),
        errors: Object.values(counters).reduce((n, c) => n + c.errors - c.throttled, 0),
      };
    } finally {
      await endpoint.stop();
    }
  });
}

export interface RetryModeFigures {
  /** The SDK's retry modes, or statectl's client (standard retry, each throttled operation paced). */
  mode: "standard" | "adaptive" | "statectl";
  maxAttempts: number;
  calls: number;
  inFlight: number;
  failed: number;
  ms: number;
  idealMs: number;
}

/** `calls` DescribeDocument calls, `inFlight` at a time, through a throttled endpoint, with one SDK retry mode. */
export async function benchRetryMode(
  mode: "standard" | "adaptive" | "statectl",
  maxAttempts: number,
  calls: number,
  inFlight: number,
  ratePerSecond: number,
): Promise<RetryModeFigures & { throttled: number }> {
  const endpoint = await startLocalEndpoint({ knobs: { throttle: { DescribeDocument: { ratePerSecond } } } });
  const client =
    mode === "statectl"
      ? await createSsmClient({
          endpoint: endpoint.url,
          credentials: LOCAL_ENDPOINT_CREDENTIALS,
          maxRetries: maxAttempts - 1,
        })
      : new SSMClient({
          endpoint: endpoint.url,
          region: "us-east-1",
          credentials: { ...LOCAL_ENDPOINT_CREDENTIALS },
          retryMode: mode,
          maxAttempts,
        });
  try {
    let next = 0;
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < calls) {
          next++;
          try {
            await client.send(new DescribeDocumentCommand({ Name: "AWS-RunShellScript" }));
          } catch {
            failed++;
          }
        }
      }),
    );
    const ms = performance.now() - t0;
    return {
      mode,
      maxAttempts,
      calls,
      inFlight,
      failed,
      ms,
      idealMs: (Math.max(0, calls - ratePerSecond) / ratePerSecond) * 1000,
      throttled: endpoint.counters()["DescribeDocument"]?.throttled ?? 0,
    };
  } finally {
    client.destroy();
    await endpoint.stop();
  }
}

export interface PersistenceFigures {
  associations: number;
  ms: number;
  /** The same apply against an in-memory endpoint. */
  inMemoryMs: number;
  fileBytes: number;
  bytesWritten: number;
}

/** Applies `associations` associations against an endpoint persisting to a data dir, and against one in memory. */
export async function benchPersistence(associations: number): Promise<PersistenceFigures> {
  return withDir(async (dir) => {
    const config = generateFleetConfig({ associations, documents: 0 });
    const run = async (sub: string, dataDir: string | undefined): Promise<{ ms: number; endpoint: LocalEndpoint }> => {
      const work = join(dir, sub);
      mkdirSync(work, { recursive: true });
      writeFileSync(join(work, "main.state"), config);
      const endpoint = await startLocalEndpoint(dataDir ? { dataDir } : {});
      const t0 = performance.now();
      const applied = await runApply({ dir: work, runningLocalEndpoint: endpoint });
      const ms = performance.now() - t0;
      check(
        applied.result?.errors.length === 0 && applied.result.added === associations,
        "the apply created everything",
      );
      return { ms, endpoint };
    };
    const memory = await run("memory", undefined);
    await memory.endpoint.stop();
    const dataDir = join(dir, "data");
    const disk = await run("disk", dataDir);
    const bytesWritten = disk.endpoint.core.store.bytesWritten;
    await disk.endpoint.stop();
    return {
      associations,
      ms: disk.ms,
      inMemoryMs: memory.ms,
      fileBytes: statSync(join(dataDir, "endpoint.json")).size,
      bytesWritten,
    };
  });
}

export interface ImpactFigures {
  associations: number;
  latencyMs: number;
  /** Changes the plan shows (the document and every association). */
  changes: number;
  /** Impact lines the plan carries (each association's own, and the document's list). */
  impacts: number;
  ms: number;
  describeInstanceInformation: number;
  calls: number;
}

/**
 * A plan with many changes whose impact preview asks about the fleet: `associations` associations
 * over one document and 7 tag target sets (14 matching instances), all applied; then the document
 * gets new content (every association runs again) and every association a new parameter value.
 * The plan runs against the endpoint with `latencyMs` added to every call.
 */
export async function benchImpactPreview(associations: number, latencyMs: number): Promise<ImpactFigures> {
  return withDir(async (dir) => {
    const config = (message: string) =>
      generateFleetConfig({ associations, documents: 1 })
        .replaceAll("  apply_only_at_cron_interval = true\n", "")
        .replace("fleet document 0", `fleet document 0 (${message})`)
        .replace(/greeting = \["hello (\d+)"\]/g, `greeting = ["${message} $1"]`);
    writeFileSync(join(dir, "main.state"), config("hello"));
    const endpoint = await startLocalEndpoint({});
    try {
      for (let i = 0; i < 14; i++) await endpoint.addInstance({ name: `fleet-${i}`, tags: { Role: `fleet-${i % 7}` } });
      const applied = await runApply({ dir, runningLocalEndpoint: endpoint, lock: false });
      check(
        (applied.result?.errors.length ?? 1) === 0 && applied.result!.added === associations + 1,
        `apply created everything (${applied.diagnostics[0]?.detail ?? ""})`,
      );
      writeFileSync(join(dir, "main.state"), config("goodbye"));
      endpoint.setKnobs({ latencyMs });
      endpoint.resetCounters();
      const t0 = performance.now();
      const r = await runPlan({ dir, runningLocalEndpoint: endpoint, lock: false });
      const ms = performance.now() - t0;
      const changes = r.plan?.changes.filter((c) => c.action !== "no-op") ?? [];
      check(
        changes.length === associations + 1,
        `the plan changes the document and every association (${changes.length}; ${r.diagnostics[0]?.detail ?? ""})`,
      );
      const impacts =
        changes.filter((c) => c.impact?.known).length +
        changes.reduce((n, c) => n + (c.associationImpacts?.filter((a) => a.impact.known).length ?? 0), 0);
      check(impacts === 2 * associations, `every association's impact is counted twice (${impacts})`);
      const counters = endpoint.counters();
      return {
        associations,
        latencyMs,
        changes: changes.length,
        impacts,
        ms,
        describeInstanceInformation: counters["DescribeInstanceInformation"]?.calls ?? 0,
        calls: totalCalls(counters),
      };
    } finally {
      await endpoint.stop();
    }
  });
}
