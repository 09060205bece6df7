/**
 * `npm run bench:eval`: loading (parse + decode + static checks) and evaluating a generated
 * configuration of N associations that use variables, locals, references, functions and nested
 * blocks, plus one resource with for_each over M keys. Prints median times; not a test.
 * Options: --blocks N (default 10000), --keys M (default 5000), --runs R (default 3).
 */
import { loadConfig } from "../../src/config/index.js";
import { evaluateConfig } from "../../src/eval/index.js";
import { generateEvalConfig } from "./eval-generate.js";
import { describeMachine, measure } from "./measure.js";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const blocks = arg("blocks", 10000);
  const keys = arg("keys", 5000);
  const runs = arg("runs", 3);
  const text = generateEvalConfig(blocks, keys);
  const files = { "main.state": text };
  const check = evaluateConfig(loadConfig({ files }).config);
  if (check.diagnostics.length > 0 || check.resources.length !== blocks + keys + 1)
    throw new Error(
      `generated configuration is not clean: ${check.diagnostics.length} diagnostics, ${check.resources.length} instances`,
    );
  const load = await measure("loadConfig", 1, runs, () => loadConfig({ files }));
  const { config } = loadConfig({ files });
  const evaluate = await measure("evaluateConfig", 1, runs, () => evaluateConfig(config));
  const instances = blocks + keys + 1;
  console.log(describeMachine());
  console.log(
    `${(text.length / 1e6).toFixed(2)} MB, ${blocks} association blocks + for_each over ${keys} keys = ${instances} instances, median of ${runs} runs`,
  );
  console.log(`loadConfig (parse, decode, reference and cycle checks): ${load.medianMs.toFixed(0)} ms`);
  console.log(
    `evaluateConfig: ${evaluate.medianMs.toFixed(0)} ms (${((evaluate.medianMs * 1000) / instances).toFixed(0)} µs per instance)`,
  );
}

await main();
