/**
 * `npm run bench`: parses a generated file of 10,000 association blocks with statectl's parser and
 * with @cdktf/hcl2json (HashiCorp's Go HCL parser compiled to WebAssembly) in one run, on the same
 * text, and reports MB/s and blocks/s for both. Not a test: numbers depend on the machine.
 *
 *   npm run bench                        # 10,000 blocks, 2 warm-up + 5 measured runs each
 *   npm run bench -- --blocks 2000 --runs 3 --warmup 1
 *   npm run bench -- --write             # also rewrite the results section of docs/performance.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateAssociations } from "./generate.js";
import { describeMachine, measure, type Measurement } from "./measure.js";
import { parseFile } from "../../src/syntax/index.js";
import { formatSource } from "../../src/syntax/format.js";

const { values } = parseArgs({
  options: {
    blocks: { type: "string", default: "10000" },
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    write: { type: "boolean", default: false },
  },
});
const blocks = Number(values.blocks);
const runs = Number(values.runs);
const warmup = Number(values.warmup);

const input = generateAssociations(blocks);
const fileName = "bench.state";

// Each parser must really have parsed every block, or its number means nothing.
function checkStatectl(): void {
  const result = parseFile(input.text, fileName);
  if (result.diagnostics.length > 0) {
    throw new Error(`statectl's parser reported ${result.diagnostics.length} diagnostics; first: ${result.diagnostics[0]!.summary}`);
  }
  const count = result.body?.items.filter((i) => i.type === "Block" && i.blockType === "association").length ?? 0;
  if (count !== blocks) throw new Error(`statectl's parser returned ${count} association blocks, expected ${blocks}`);
}

const { parse: hclParse } = await import("@cdktf/hcl2json");
async function checkHcl2json(): Promise<void> {
  const json = (await hclParse(fileName, input.text)) as { association?: Record<string, unknown> };
  const count = Object.keys(json.association ?? {}).length;
  if (count !== blocks) throw new Error(`hcl2json returned ${count} association blocks, expected ${blocks}`);
}

checkStatectl();
await checkHcl2json();

const mb = input.bytes / 1e6;
process.stdout.write(`input: ${blocks} association blocks, ${mb.toFixed(2)} MB; ${warmup} warm-up + ${runs} measured runs each\n`);

const results: Measurement[] = [];
results.push(await measure("statectl (Chevrotain, TypeScript)", warmup, runs, () => {
  parseFile(input.text, fileName);
}));
results.push(await measure("@cdktf/hcl2json (Go HCL, WebAssembly)", warmup, runs, async () => {
  await hclParse(fileName, input.text);
}));
// Not part of the comparison: what `statectl fmt` costs on the same (already canonical) text.
if (formatSource(input.text, fileName).formatted !== input.text) throw new Error("the generated input is not canonical; fix generate.ts");
results.push(await measure("statectl fmt (parse + tokens + layout)", warmup, runs, () => {
  formatSource(input.text, fileName);
}));

const rows = results.map((r) => {
  const median = r.medianMs / 1000;
  return `| ${r.name} | ${r.medianMs.toFixed(0)} | ${r.minMs.toFixed(0)} | ${(mb / median).toFixed(2)} | ${Math.round(blocks / median).toLocaleString("en-US")} |`;
});
const [ours, theirs] = results as [Measurement, Measurement, Measurement];
const ratio = theirs.medianMs / ours.medianMs;
const machine = describeMachine();
const table = [
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.`,
  `Input: ${blocks.toLocaleString("en-US")} association blocks, ${mb.toFixed(2)} MB (test/bench/generate.ts, seed 42);`,
  `${warmup} warm-up and ${runs} measured runs per parser; rates from the median run.`,
  "",
  "| parser | median ms | best ms | MB/s | blocks/s |",
  "|---|---:|---:|---:|---:|",
  ...rows,
  "",
  "The fmt row is not part of the comparison: it is `statectl fmt` on the same text (already canonical).",
  "",
  `statectl's parser is ${ratio >= 1 ? `${ratio.toFixed(1)}× faster than` : `${(1 / ratio).toFixed(1)}× slower than`} hcl2json on this input.`,
].join("\n");
process.stdout.write("\n" + table + "\n");

if (values.write) {
  const docPath = fileURLToPath(new URL("../../../docs/performance.md", import.meta.url));
  const doc = readFileSync(docPath, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/performance.md has no ${start} … ${end} section`);
  writeFileSync(docPath, doc.slice(0, from + start.length) + "\n" + table + "\n" + doc.slice(to));
  process.stdout.write("\nwrote docs/performance.md\n");
}
