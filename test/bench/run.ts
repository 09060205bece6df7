/**
 * `npm run bench`: everything issue 10 asks statectl to be fast at, measured side by side with a
 * baseline in one run, against generated configurations and the in-process local endpoint:
 *
 * - parse: statectl's parser against @cdktf/hcl2json (HashiCorp's Go HCL parser compiled to
 *   WebAssembly) on the same 10,000-association file; MB/s, and statectl's peak memory;
 * - cli: `statectl validate` wall time on a small configuration (a fresh process each run);
 * - lsp: `statectl lsp` driven over stdio as an editor drives it, on 300 and 3,000 associations:
 *   diagnostics after an edit, completion and hover p95, formatting (test/bench/lsp.ts);
 * - plan: `plan --no-refresh` of 1k, 10k and 50k associations (does the cost grow linearly?);
 * - impact: a plan changing a document and 207 associations (each previews on how many instances
 *   it runs) against an endpoint adding `--latency` ms (default 30) to every call;
 * - refresh: SSM calls of a no-change plan of 2,000 associations + 200 documents, bulk refresh
 *   against per-resource refresh, counted by the endpoint's call counters;
 * - apply: calls to create the associations, and wall time of creating 2,000 associations
 *   through an endpoint throttled at 20 calls/s per operation with 20 ms latency, against the
 *   throttle's bound; statectl's client (paced, standard retry) against the SDK's standard and
 *   adaptive retry modes under throttling;
 * - persist: the same apply against an endpoint that persists to a data dir and one in memory;
 * - store: one small write (an UpdateAssociation) with 75,000 executions of history (~73 MB),
 *   against the same write comparing every entry as each write did before marks (issue 16);
 * - throughput: requests per second of `statectl local serve` against moto_server on the same
 *   workload, 32 requests in flight (skipped, saying so, when moto_server is not installed).
 *
 * Not a test: the numbers depend on the machine (the load average is printed with them).
 *
 *   npm run bench                          # everything at full size (several minutes)
 *   npm run bench -- --only parse,cli      # some sections
 *   npm run bench -- --size tiny           # tiny sizes (what the CI test runs)
 *   npm run bench -- --runs 3 --warmup 1   # fewer parser runs (a busy machine)
 *   npm run bench -- --only impact --latency 100   # the impact plan with 100 ms a call
 *   npm run bench -- --write               # also rewrite the results section of docs/performance.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeMachine } from "./measure.js";
import { runBench, type BenchSizes } from "./sections.js";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "full" },
    only: { type: "string" },
    runs: { type: "string" },
    warmup: { type: "string" },
    write: { type: "boolean", default: false },
    latency: { type: "string" },
  },
});

const SIZES: Record<string, BenchSizes> = {
  full: {
    parseBlocks: 10_000,
    parseRuns: 5,
    parseWarmup: 2,
    cliRuns: 10,
    lsp: [300, 3_000],
    planSizes: [1_000, 10_000, 50_000],
    fleet: { associations: 2_000, documents: 200, taggedEvery: 100 },
    throttled: 2_000,
    impact: { associations: 207, latencyMs: 30 },
    retryCalls: 200,
    persist: 2_000,
    store: { associations: 1_000, executionsPerAssociation: 75, writes: 10 },
    throughput: 3_000,
    s3Fleet: { associations: 200, documents: 20, taggedEvery: 100 },
    s3Runs: 5,
  },
  small: {
    parseBlocks: 2_000,
    parseRuns: 3,
    parseWarmup: 1,
    cliRuns: 5,
    lsp: [300, 1_000],
    planSizes: [500, 1_000, 2_000],
    fleet: { associations: 300, documents: 30, taggedEvery: 100 },
    throttled: 300,
    impact: { associations: 207, latencyMs: 30 },
    retryCalls: 100,
    persist: 300,
    store: { associations: 200, executionsPerAssociation: 50, writes: 5 },
    throughput: 600,
    s3Fleet: { associations: 100, documents: 10, taggedEvery: 100 },
    s3Runs: 3,
  },
  tiny: {
    parseBlocks: 50,
    parseRuns: 1,
    parseWarmup: 0,
    cliRuns: 1,
    lsp: [20],
    planSizes: [10, 20],
    fleet: { associations: 12, documents: 2, taggedEvery: 5 },
    throttled: 12,
    impact: { associations: 14, latencyMs: 1 },
    retryCalls: 10,
    persist: 12,
    store: { associations: 5, executionsPerAssociation: 3, writes: 2 },
    throughput: 30,
    s3Fleet: { associations: 6, documents: 1, taggedEvery: 3 },
    s3Runs: 1,
  },
};
const sizes = SIZES[values.size];
if (!sizes) throw new Error(`--size must be one of ${Object.keys(SIZES).join(", ")}`);
if (values.runs) sizes.parseRuns = Number(values.runs);
if (values.warmup) sizes.parseWarmup = Number(values.warmup);
if (values.latency) sizes.impact.latencyMs = Number(values.latency);
const only = values.only ? new Set(values.only.split(",")) : undefined;

const machine = describeMachine();
process.stdout.write(`${machine}\n`);
const report = await runBench(sizes, { ...(only ? { only } : {}), log: (line) => process.stdout.write(line + "\n") });
const text = [
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}; load average ${report.loadAtEnd} at the end.`,
  "",
  ...report.lines,
].join("\n");
process.stdout.write("\n" + text + "\n");

if (values.write) {
  const docPath = fileURLToPath(new URL("../../../docs/performance.md", import.meta.url));
  const doc = readFileSync(docPath, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/performance.md has no ${start} … ${end} section`);
  writeFileSync(docPath, doc.slice(0, from + start.length) + "\n" + text + "\n" + doc.slice(to));
  process.stdout.write("\nwrote docs/performance.md\n");
}
