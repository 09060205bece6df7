/** The sections of `npm run bench` (see run.ts), each returning rows for one summary table. */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateAssociations } from "./generate.js";
import { measure } from "./measure.js";
import {
  benchCreateCalls,
  benchImpactPreview,
  benchDocumentCreateCalls,
  benchPersistence,
  benchRefresh,
  benchRetryMode,
  benchThrottledApply,
  generateFleetConfig,
  writeFleetConfig,
  type FleetShape,
} from "./fleet.js";
import { benchThroughput, findMotoServer } from "./throughput.js";
import { benchS3Backend } from "./s3.js";
import { benchStoreWrite } from "./store-write.js";
import { benchLanguageServer, type LspFigures } from "./lsp.js";
import { defined } from "../../src/diag/invariant.js";
import { parseFile } from "../../src/syntax/index.js";

export interface BenchSizes {
  parseBlocks: number;
  parseRuns: number;
  parseWarmup: number;
  cliRuns: number;
  planSizes: number[];
  fleet: FleetShape;
  throttled: number;
  /** The lsp section: folders of these many associations (the first is the goals' size, the others within 2× of it). */
  lsp: number[];
  /** The impact section: a plan changing a document and this many associations, at this added latency per call. */
  impact: { associations: number; latencyMs: number };
  retryCalls: number;
  persist: number;
  /** The store section: one small write (an UpdateAssociation) with this much execution history. */
  store: { associations: number; executionsPerAssociation: number; writes: number };
  /** Requests of the throughput comparison with moto_server (after creating 50 documents). */
  throughput: number;
  /** The fleet of the S3 backend section (every state write goes to S3, so smaller). */
  s3Fleet: FleetShape;
  s3Runs: number;
}

export interface BenchOptions {
  only?: ReadonlySet<string>;
  log?: (line: string) => void;
}

export interface BenchReport {
  /** Markdown: a summary table, then notes. */
  lines: string[];
  loadAtEnd: string;
  /** Every figure by name (tests check that each section produced its figures). */
  figures: Record<string, number>;
}

interface Row {
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
}

/** The sections, in the order they run. */
type Section =
  | "parse"
  | "cli"
  | "lsp"
  | "plan"
  | "impact"
  | "refresh"
  | "apply"
  | "retry"
  | "persist"
  | "store"
  | "throughput"
  | "s3";

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => `${fmt(n)} ms`;
const secs = (n: number) => `${fmt(n / 1000, 1)} s`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
// The command users run: package.json's bin (the bundle `npm run bundle` builds from dist/src/cli/main.js).
const cliMain = join(
  repoRoot,
  (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { bin: { statectl: string } }).bin.statectl,
);

export async function runBench(sizes: BenchSizes, options: BenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const wanted = (s: Section) => !options.only || options.only.has(s);
  const rows: Row[] = [];
  const notes: string[] = [];
  const figures: Record<string, number> = {};

  if (wanted("parse")) {
    log(`parse: ${sizes.parseBlocks} blocks…`);
    const input = generateAssociations(sizes.parseBlocks);
    const blocks = parseFile(input.text, "bench.state").body?.items.filter(
      (i) => i.type === "Block" && i.blockType === "association",
    ).length;
    if (blocks !== sizes.parseBlocks)
      throw new Error(`statectl's parser returned ${blocks} association blocks, expected ${sizes.parseBlocks}`);
    const { parse: hclParse } = await import("@cdktf/hcl2json");
    const theirsCount = Object.keys(
      ((await hclParse("bench.state", input.text)) as { association?: object }).association ?? {},
    ).length;
    if (theirsCount !== sizes.parseBlocks)
      throw new Error(`hcl2json returned ${theirsCount} association blocks, expected ${sizes.parseBlocks}`);
    const ours = await measure("statectl", sizes.parseWarmup, sizes.parseRuns, () =>
      parseFile(input.text, "bench.state"),
    );
    const theirs = await measure("hcl2json", sizes.parseWarmup, sizes.parseRuns, async () =>
      hclParse("bench.state", input.text),
    );
    const mb = input.bytes / 1e6;
    const oursRate = mb / (ours.medianMs / 1000);
    const theirsRate = mb / (theirs.medianMs / 1000);
    const child = spawnSync(
      process.execPath,
      [join(repoRoot, "dist", "test", "bench", "parse-memory.js"), String(sizes.parseBlocks)],
      { encoding: "utf8" },
    );
    const memory = JSON.parse(child.stdout) as { before: number; after: number };
    figures["parse.mbPerSecond"] = oursRate;
    figures["parse.hcl2jsonMbPerSecond"] = theirsRate;
    figures["parse.peakMb"] = memory.after / 1e6;
    rows.push({
      measure: `parse ${fmt(sizes.parseBlocks)} associations (${mb.toFixed(2)} MB), median of ${sizes.parseRuns}`,
      ours: `${oursRate.toFixed(2)} MB/s`,
      baseline: `${theirsRate.toFixed(2)} MB/s (hcl2json)`,
      ratio: `${(oursRate / theirsRate).toFixed(1)}× faster`,
      goal: "≥ 20 MB/s",
    });
    rows.push({
      measure: "parse: peak memory of the process (fresh process, one parse)",
      ours: `${fmt(memory.after / 1e6)} MB`,
      baseline: `${fmt(memory.before / 1e6)} MB before parsing`,
      ratio: "",
      goal: "≤ 300 MB",
    });
  }

  if (wanted("cli")) {
    log("cli: statectl validate…");
    const dir = mkdtempSync(join(tmpdir(), "statectl-bench-cli-"));
    try {
      writeFileSync(join(dir, "main.state"), generateFleetConfig({ associations: 3, documents: 1 }));
      const samples: number[] = [];
      const nodeOnly: number[] = [];
      for (let i = 0; i < sizes.cliRuns + 1; i++) {
        let t0 = performance.now();
        const r = spawnSync(process.execPath, [cliMain, "-C", dir, "validate"], {
          encoding: "utf8",
          env: { ...process.env, NO_COLOR: "1" },
        });
        const t = performance.now() - t0;
        if (r.status !== 0) throw new Error(`statectl validate failed: ${r.stdout}${r.stderr}`);
        t0 = performance.now();
        spawnSync(process.execPath, ["-e", ""]);
        const n = performance.now() - t0;
        if (i > 0) {
          samples.push(t);
          nodeOnly.push(n);
        }
      }
      figures["cli.validateMs"] = median(samples);
      rows.push({
        measure: `\`statectl validate\`, small configuration, wall (median of ${sizes.cliRuns})`,
        ours: ms(median(samples)),
        baseline: `${ms(median(nodeOnly))} (\`node -e ""\`)`,
        ratio: "",
        goal: "≤ 150 ms",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  if (wanted("lsp")) {
    const runs: LspFigures[] = [];
    const fullRuns: LspFigures[] = [];
    for (const n of sizes.lsp) {
      log(`lsp: statectl lsp over stdio on ${n} associations…`);
      const r = await benchLanguageServer(n);
      runs.push(r);
      log(`lsp: the same edits on ${n} associations, checking the whole folder each time (incremental: false)…`);
      const full = await benchLanguageServer(n, { incremental: false, editsOnly: true });
      fullRuns.push(full);
      figures[`lsp.edit${n}Ms`] = r.editMedianMs;
      figures[`lsp.edit${n}FullMs`] = full.editMedianMs;
      figures[`lsp.evaluated${n}`] = r.evaluatedPerEdit;
      figures[`lsp.evaluated${n}Full`] = full.evaluatedPerEdit;
      if (r.editCpuMs !== undefined) figures[`lsp.editCpu${n}Ms`] = r.editCpuMs;
      if (full.editCpuMs !== undefined) figures[`lsp.editCpu${n}FullMs`] = full.editCpuMs;
      figures[`lsp.completion${n}P95Ms`] = r.completionP95Ms;
      figures[`lsp.hover${n}P95Ms`] = r.hoverP95Ms;
      figures[`lsp.formatting${n}Ms`] = r.formattingMs;
    }
    const base = sizes.lsp[0]!;
    const each = (f: (r: LspFigures) => string) =>
      runs.map((r) => `${fmt(r.associations)} (${fmt(r.bytes / 1000)} KB): ${f(r)}`).join("; ");
    const within = (f: (r: LspFigures) => number, goal: number) =>
      runs.map((r) => `${(f(r) / (r.associations === base ? goal : 2 * goal)).toFixed(2)}×`).join(", ");
    const bound = (goal: number) => `${ms(goal)} at ${fmt(base)}, ${ms(2 * goal)} above`;
    rows.push({
      measure: "`statectl lsp`: first diagnostics after opening a file (process started)",
      ours: each((r) => ms(r.firstDiagnosticsMs)),
      baseline: "",
      ratio: "",
      goal: "",
    });
    const eachFull = (f: (r: LspFigures) => string) =>
      fullRuns.map((r) => `${fmt(r.associations)}: ${f(r)}`).join("; ");
    rows.push({
      measure:
        "`statectl lsp`: diagnostics after an edit, debounce included (median, max of 10); baseline: the same edits, the whole folder checked each time (`incremental: false`, as before issue 23)",
      ours: each((r) => `${ms(r.editMedianMs)} (max ${ms(r.editMaxMs)})`),
      baseline: eachFull((r) => `${ms(r.editMedianMs)} (max ${ms(r.editMaxMs)})`),
      ratio: `${within((r) => r.editMedianMs, 150)} the goal (${bound(150)})`,
      goal: "≤ 150 ms, ≤ 2× that above",
    });
    const cpu = (r: LspFigures) => (r.editCpuMs === undefined ? "CPU not measured" : `${ms(r.editCpuMs)} CPU`);
    rows.push({
      measure:
        "`statectl lsp`: per edit, the server's CPU time (user + system, mean of 10) and the resources evaluated again (median); does not depend on the load",
      ours: each((r) => `${cpu(r)}, ${fmt(r.evaluatedPerEdit)} of ${fmt(r.resources)} resources`),
      baseline: eachFull((r) => `${cpu(r)}, ${fmt(r.evaluatedPerEdit)} of ${fmt(r.resources)} resources`),
      ratio: runs
        .map((r, i) => {
          const full = fullRuns[i];
          return full?.editCpuMs && r.editCpuMs !== undefined
            ? `${(full.editCpuMs / Math.max(1, r.editCpuMs)).toFixed(1)}× less CPU`
            : "";
        })
        .join(", "),
      goal: "only what the edit can affect",
    });
    rows.push({
      measure: "`statectl lsp`: completion, hover (p95 of 40)",
      ours: each((r) => `${ms(r.completionP95Ms)}, ${ms(r.hoverP95Ms)}`),
      baseline: bound(30),
      ratio: `${within((r) => Math.max(r.completionP95Ms, r.hoverP95Ms), 30)} the goal`,
      goal: "≤ 30 ms, ≤ 2× that above",
    });
    rows.push({
      measure: "`statectl lsp`: formatting the edited file (median of 5)",
      ours: each((r) => ms(r.formattingMs)),
      baseline: bound(100),
      ratio: `${within((r) => r.formattingMs, 100)} the goal`,
      goal: "≤ 100 ms, ≤ 2× that above",
    });
  }

  if (wanted("plan")) {
    const perResource: string[] = [];
    const perAssociation: number[] = [];
    let lastRss = 0;
    let largestMs = 0;
    let largestCpuMs = 0;
    for (const n of sizes.planSizes) {
      log(`plan --no-refresh: ${n} associations…`);
      const r = planInProcessOfItsOwn(n);
      const t = r.wallMs;
      const cpuMs = r.cpuMs;
      const heapMb = r.heapMb;
      figures[`plan.noRefresh${n}PeakHeapMb`] = heapMb;
      lastRss = r.rssMb * 1e6;
      figures[`plan.noRefresh${n}Ms`] = t;
      figures[`plan.noRefresh${n}CpuMs`] = cpuMs;
      perResource.push(
        `${fmt(n)}: ${secs(t)}, CPU ${secs(cpuMs)} (${fmt((t * 1000) / n)} µs each; heap +${fmt(heapMb)} MB at most, ${fmt((heapMb * 1000) / n, 1)} KB each)`,
      );
      perAssociation.push((t * 1000) / n);
      largestMs = t;
      largestCpuMs = cpuMs;
    }
    const first = perAssociation[0] ?? 0;
    const last = perAssociation[perAssociation.length - 1] ?? 0;
    const largest = sizes.planSizes[sizes.planSizes.length - 1] ?? 0;
    rows.push({
      measure:
        "`plan --no-refresh` (load, evaluate, plan; `runPlan` in a fresh process, the median of 3 by wall time, for each size) by number of associations: wall, CPU (user + system); heap growth during the plan",
      ours: `${perResource.join("; ")}; RSS ${fmt(lastRss / 1e6)} MB after the largest`,
      baseline: `the cost per association at ${fmt(sizes.planSizes[0] ?? 0)}; 6.6 s at 50,000 before issue 23's work (docs/performance.md)`,
      ratio: `${(last / first).toFixed(2)}× at ${fmt(largest)}`,
      goal: "50k ≤ 4 s, flat per association",
    });
    log(`plan --no-refresh: the CLI on ${largest} associations…`);
    const cli = planWithCli(largest);
    figures[`plan.cli${largest}Ms`] = cli.wallMs;
    figures[`plan.cli${largest}CpuMs`] = cli.cpuMs;
    figures[`plan.cli${largest}MaxRssMb`] = cli.maxRssMb;
    rows.push({
      measure: `\`statectl plan --no-refresh\` of ${fmt(largest)} associations as a user runs it (a fresh process: start, load, plan, render, write the ${fmt(cli.outputMb)} MB plan to a file): wall, CPU, peak RSS`,
      ours: `${secs(cli.wallMs)}, CPU ${secs(cli.cpuMs)}, RSS ${fmt(cli.maxRssMb)} MB at most`,
      baseline: `\`runPlan\` alone above: ${secs(largestMs)}, CPU ${secs(largestCpuMs)}`,
      ratio: `${(cli.cpuMs / largestCpuMs).toFixed(2)}× the CPU`,
      goal: "",
    });
  }

  if (wanted("impact")) {
    const { associations, latencyMs } = sizes.impact;
    log(`impact: a plan changing a document and ${associations} associations, ${latencyMs} ms a call…`);
    const r = await benchImpactPreview(associations, latencyMs);
    figures["impact.planMs"] = r.ms;
    figures["impact.describeInstanceInformation"] = r.describeInstanceInformation;
    // Before issue 23 the document's impact list read the fleet once per association, one after another.
    const boundMs = associations * latencyMs;
    rows.push({
      measure: `plan with ${fmt(r.changes)} changes (a document's new version + ${fmt(associations)} associations), ${latencyMs} ms latency a call: wall, DescribeInstanceInformation calls`,
      ours: `${secs(r.ms)} (${fmt(r.describeInstanceInformation)} DescribeInstanceInformation, ${fmt(r.calls)} calls in all)`,
      baseline: `≥ ${secs(boundMs)} (${fmt(associations)} reads one after another, one per association, before issue 23)`,
      ratio: `${(boundMs / r.ms).toFixed(1)}× faster`,
      goal: "≤ 1.5 s",
    });
  }

  if (wanted("refresh")) {
    const f = sizes.fleet;
    log(`refresh: apply ${f.associations} associations + ${f.documents} documents, then two no-change plans…`);
    const r = await benchRefresh(f);
    figures["refresh.bulkCalls"] = r.bulk.calls;
    figures["refresh.perResourceCalls"] = r.perResource.calls;
    rows.push({
      measure: `no-change plan, ${fmt(f.associations)} associations + ${fmt(f.documents)} documents: SSM calls`,
      ours: `${fmt(r.bulk.calls)} (bulk)`,
      baseline: `${fmt(r.perResource.calls)} (per-resource)`,
      ratio: `${((100 * r.bulk.calls) / r.perResource.calls).toFixed(2)}%`,
      goal: "≤ 2%",
    });
    rows.push({
      measure: "  … wall time of that plan",
      ours: secs(r.bulk.ms),
      baseline: secs(r.perResource.ms),
      ratio: `${(r.perResource.ms / r.bulk.ms).toFixed(1)}× faster`,
      goal: "",
    });
    notes.push(
      `Calls of the bulk no-change plan by operation: ${Object.entries(r.bulk.byOperation)
        .map(([op, n]) => `${op} ${n}`)
        .join(", ")}; per-resource: ${Object.entries(r.perResource.byOperation)
        .map(([op, n]) => `${op} ${fmt(n)}`)
        .join(
          ", ",
        )}. Every ${f.taggedEvery ?? 0}th association manages tags (read with ListTagsForResource); the others and the documents are vouched for by the list pages.`,
    );
  }

  if (wanted("apply")) {
    const f = sizes.fleet;
    log(`apply: create ${f.associations} associations + ${f.documents} documents, counting calls…`);
    const c = await benchCreateCalls(f);
    figures["apply.associationCreateCalls"] = c.calls;
    figures["apply.stateWrites"] = c.stateWrites;
    rows.push({
      measure: `apply: calls to create ${fmt(f.associations)} associations`,
      ours: `${fmt(c.calls)} (${Object.entries(c.byOperation)
        .map(([op, n]) => `${op} ${fmt(n)}`)
        .join(", ")}; ${fmt(c.stateWrites)} state writes)`,
      baseline: `${fmt(f.associations)} (one CreateAssociation each)`,
      ratio: `${((100 * c.calls) / f.associations).toFixed(1)}%`,
      goal: "≤ 250",
    });
    log(`apply: create ${f.documents} documents, counting calls…`);
    const d = await benchDocumentCreateCalls(f.documents);
    figures["apply.documentCreateCalls"] = d.calls;
    rows.push({
      measure: `apply: calls to create ${fmt(d.documents)} documents (activation delay 20 ms)`,
      ours: `${fmt(d.calls)} (${Object.entries(d.byOperation)
        .map(([op, n]) => `${op} ${fmt(n)}`)
        .join(", ")}; ${secs(d.ms)})`,
      baseline: `${fmt(5 * d.documents)} (5 a document before issue 20)`,
      ratio: `${(d.calls / d.documents).toFixed(2)} a document`,
      goal: "≤ 2 a document",
    });
    log(`apply: ${sizes.throttled} associations through a throttled endpoint…`);
    const t = await benchThrottledApply(sizes.throttled, 20, 20);
    figures["apply.throttledMs"] = t.ms;
    figures["apply.throttledBoundMs"] = t.boundMs;
    figures["apply.throttledFirstCallMs"] = t.firstCallMs;
    rows.push({
      measure: `apply ${fmt(t.associations)} associations, endpoint throttled at ${t.ratePerSecond} calls/s per operation + ${t.latencyMs} ms latency: wall`,
      ours: `${secs(t.ms)} (first call after ${secs(t.firstCallMs)}; ${fmt(t.calls)} calls, ${fmt(t.throttled)} throttled, ${t.errors} failed)`,
      baseline: `${secs(t.boundMs)} (the throttle's bound)`,
      ratio: `${(t.ms / t.boundMs).toFixed(2)}× the bound (${((t.ms - t.firstCallMs) / t.boundMs).toFixed(2)}× from the first call)`,
      goal: "≤ 1.10× the bound",
    });
  }

  if (wanted("retry")) {
    log(
      `retry: ${sizes.retryCalls} calls, 50 in flight, throttled at 20/s: statectl's client, SDK standard and adaptive…`,
    );
    const standard = await benchRetryMode("standard", 3, sizes.retryCalls, 50, 20);
    const adaptive = await benchRetryMode("adaptive", 9, sizes.retryCalls, 50, 20);
    const ours = await benchRetryMode("statectl", 9, sizes.retryCalls, 50, 20);
    figures["retry.statectlFailed"] = ours.failed;
    figures["retry.adaptiveFailed"] = adaptive.failed;
    figures["retry.standardFailed"] = standard.failed;
    rows.push({
      measure: `${fmt(sizes.retryCalls)} DescribeDocument calls, 50 in flight, throttled at 20/s: failed calls, wall`,
      ours: `statectl (paced, standard retry, 9 attempts): ${ours.failed} failed, ${fmt(ours.throttled)} throttled, ${secs(ours.ms)}`,
      baseline: `SDK adaptive (9 attempts): ${adaptive.failed} failed, ${fmt(adaptive.throttled)} throttled, ${secs(adaptive.ms)}; SDK standard (3 attempts): ${standard.failed} failed (${((100 * standard.failed) / standard.calls).toFixed(0)}%), ${secs(standard.ms)}`,
      ratio: `${(ours.ms / Math.max(1, ours.idealMs)).toFixed(2)}× the ideal ${secs(ours.idealMs)} (adaptive ${(adaptive.ms / Math.max(1, adaptive.idealMs)).toFixed(2)}×)`,
      goal: "no failures",
    });
  }

  if (wanted("persist")) {
    log(`persist: apply ${sizes.persist} associations against a data dir and in memory…`);
    const p = await benchPersistence(sizes.persist);
    figures["persist.ms"] = p.ms;
    figures["persist.bytesWritten"] = p.bytesWritten;
    rows.push({
      measure: `apply ${fmt(p.associations)} associations, endpoint persisting to a data dir: wall, bytes written`,
      ours: `${secs(p.ms)}, ${fmt(p.bytesWritten / 1e6, 1)} MB written (file ${fmt(p.fileBytes / 1e6, 2)} MB)`,
      baseline: `${secs(p.inMemoryMs)} (in memory)`,
      ratio: `${(p.ms / p.inMemoryMs).toFixed(2)}×`,
      goal: "cheap",
    });
  }

  if (wanted("store")) {
    const { associations, executionsPerAssociation, writes } = sizes.store;
    log(`store: ${associations} associations × ${executionsPerAssociation} executions, ${writes} small writes…`);
    const w = await benchStoreWrite(associations, executionsPerAssociation, writes);
    figures["store.writeMs"] = w.writeMs;
    figures["store.entriesPerWrite"] = w.entriesPerWrite;
    figures["store.fullComparisonWriteMs"] = w.fullComparisonWriteMs;
    figures["store.dataMb"] = w.dataBytes / 1e6;
    rows.push({
      measure: `one UpdateAssociation (a write) with ${fmt(w.executions)} executions of history (${fmt(w.dataBytes / 1e6, 1)} MB): wall, median of ${w.samples}; entries serialised`,
      ours: `${fmt(w.writeMs, 1)} ms, ${w.entriesPerWrite} entries`,
      baseline: `${fmt(w.fullComparisonWriteMs, 1)} ms (every entry compared, as each write did before marks)`,
      ratio: `${(w.fullComparisonWriteMs / Math.max(0.001, w.writeMs)).toFixed(0)}× faster`,
      goal: "cost of what changed",
    });
  }

  if (wanted("throughput")) {
    const moto = findMotoServer();
    if (moto === undefined) {
      log("throughput: moto_server is not on the PATH, skipped");
      rows.push({
        measure: "endpoint throughput against moto_server",
        ours: "skipped: moto_server is not installed (pip install 'moto[server]')",
        baseline: "",
        ratio: "",
        goal: "ahead of moto_server",
      });
    } else {
      log(`throughput: ${sizes.throughput} requests, 32 in flight, statectl local serve and moto_server…`);
      const t = await benchThroughput(moto, sizes.throughput);
      figures["throughput.oursPerSecond"] = t.ours.perSecond;
      figures["throughput.motoPerSecond"] = t.moto.perSecond;
      rows.push({
        measure: `endpoint throughput: ${fmt(t.requests)} requests (${t.documents} CreateDocument, then DescribeDocument / GetDocument / ListDocuments), ${t.inFlight} in flight from the JS SDK, each server its own process`,
        ours: `${fmt(t.ours.perSecond)} requests/s (${secs(t.ours.ms)})`,
        baseline: `${fmt(t.moto.perSecond)} requests/s (moto_server, ${secs(t.moto.ms)})`,
        ratio: `${(t.ours.perSecond / t.moto.perSecond).toFixed(1)}× moto`,
        goal: "ahead of moto_server",
      });
    }
  }

  if (wanted("s3")) {
    const f = sizes.s3Fleet;
    log(
      `s3: no-change plan of ${f.associations} associations + ${f.documents} documents, the state in S3 (moto_server) and in a local file…`,
    );
    const r = await benchS3Backend(f, sizes.s3Runs);
    figures["s3.localPlanMs"] = r.localMs;
    figures["s3.s3PlanMs"] = r.s3Ms;
    figures["s3.planRequests"] = r.s3Requests;
    figures["s3.applyRequests"] = r.applyS3Requests;
    rows.push({
      measure: `no-change plan, ${fmt(f.associations)} associations + ${fmt(f.documents)} documents: wall (median of ${r.runs}) and state requests`,
      ours: `${ms(r.s3Ms)}, ${r.s3Requests} S3 requests (\`backend "s3"\`, moto_server on loopback)`,
      baseline: `${ms(r.localMs)}, no requests (local state file)`,
      ratio: `${r.s3Ms >= r.localMs ? "+" : "−"}${ms(Math.abs(r.s3Ms - r.localMs))}`,
      goal: "a few requests per run",
    });
    notes.push(
      `S3 backend: the apply that created those ${fmt(f.associations + f.documents)} resources sent ${fmt(r.applyS3Requests)} S3 requests (one conditional PutObject per state write, with a versioned bucket; lock and unlock).`,
    );
  }

  const lines = [
    "| measure | statectl | baseline | ratio | goal |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.measure} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.goal} |`),
    ...(notes.length > 0 ? ["", ...notes] : []),
  ];
  return { lines, loadAtEnd: os.loadavg()[0]!.toFixed(1), figures };
}

/**
 * `statectl plan --no-refresh` in a fresh process, as a user runs it, with the plan written to a
 * file. A preloaded script reports the process's own CPU time and peak RSS as it exits.
 */
/**
 * runPlan of a generated fleet in a process of its own (test/bench/plan-once.ts), free of the
 * bench's own heap: three runs, the median by wall time (on a shared machine one run can be 20% off).
 */
function planInProcessOfItsOwn(associations: number): {
  wallMs: number;
  cpuMs: number;
  heapMb: number;
  rssMb: number;
} {
  const dir = mkdtempSync(join(tmpdir(), "statectl-bench-plan-"));
  try {
    // Generated here, so the measured process starts with nothing but the library in its heap.
    writeFleetConfig(dir, { associations, documents: 0 });
    const runs = [0, 1, 2].map(() => {
      const r = spawnSync(
        process.execPath,
        [fileURLToPath(new URL("./plan-once.js", import.meta.url)), String(associations), dir],
        { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
      );
      if (r.status !== 0) throw new Error(`plan-once ${associations} failed (exit ${String(r.status)}): ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as {
        wallMs: number;
        cpuMs: number;
        heapMb: number;
        rssMb: number;
      };
    });
    runs.sort((a, b) => a.wallMs - b.wallMs);
    return defined(runs[1], "the median run");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function planWithCli(associations: number): { wallMs: number; cpuMs: number; maxRssMb: number; outputMb: number } {
  const dir = mkdtempSync(join(tmpdir(), "statectl-bench-plan-cli-"));
  try {
    writeFleetConfig(dir, { associations, documents: 0 });
    const usage = join(dir, "usage.json");
    const report = join(dir, "report-usage.cjs");
    writeFileSync(
      report,
      `process.on("exit", () => { const c = process.cpuUsage(); require("node:fs").writeFileSync(${JSON.stringify(usage)}, JSON.stringify({ cpuMs: (c.user + c.system) / 1000, maxRssKb: process.resourceUsage().maxRSS })); });\n`,
    );
    const output = join(dir, "plan.txt");
    const fd = openSync(output, "w");
    const t0 = performance.now();
    let r: ReturnType<typeof spawnSync>;
    try {
      r = spawnSync(
        process.execPath,
        ["--require", report, cliMain, "-C", dir, "plan", "--no-refresh", "--lock=false"],
        {
          stdio: ["ignore", fd, "pipe"],
          env: { ...process.env, NO_COLOR: "1" },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
    } finally {
      closeSync(fd);
    }
    const wallMs = performance.now() - t0;
    const text = readFileSync(output, "utf8");
    if (r.status !== 0 || !text.includes(`Plan: ${associations} to add, 0 to change, 0 to destroy.`))
      throw new Error(`statectl plan --no-refresh failed (exit ${String(r.status)}): ${String(r.stderr)}`);
    const measured = JSON.parse(readFileSync(usage, "utf8")) as { cpuMs: number; maxRssKb: number };
    return {
      wallMs,
      cpuMs: measured.cpuMs,
      maxRssMb: (measured.maxRssKb * 1024) / 1e6,
      outputMb: Buffer.byteLength(text) / 1e6,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
