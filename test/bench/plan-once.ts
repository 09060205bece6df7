// One `runPlan --no-refresh` of a generated fleet, in a process of its own, for the bench's plan
// row: what the library costs at that size without the garbage and heap the bench's earlier
// sections leave behind. Usage: node dist/test/bench/plan-once.js ASSOCIATIONS
// Prints one JSON line: wall and CPU time (ms), the heap's growth (MB, sampled every 20 ms), the
// creates planned and the process's RSS afterwards (MB).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFleetConfig } from "./fleet.js";
import { runPlan, startLocalEndpoint } from "../../src/index.js";

const associations = Number(process.argv[2]);
if (!Number.isInteger(associations) || associations <= 0) throw new Error("usage: plan-once.js ASSOCIATIONS");
const dir = mkdtempSync(join(tmpdir(), "statectl-bench-plan-"));
const endpoint = await startLocalEndpoint({});
try {
  writeFleetConfig(dir, { associations, documents: 0 });
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const r = await runPlan({ dir, refresh: false, lock: false, runningLocalEndpoint: endpoint });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const creates = r.plan?.changes.filter((c) => c.action === "create").length ?? 0;
  if (creates !== associations)
    throw new Error(
      `plan --no-refresh of ${associations} did not plan ${associations} creates: ${r.diagnostics.map((d) => d.summary).join("; ")}`,
    );
  process.stdout.write(
    `${JSON.stringify({
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      heapMb: (peakHeap - heapBefore) / 1e6,
      creates,
      rssMb: process.memoryUsage().rss / 1e6,
    })}\n`,
  );
} finally {
  await endpoint.stop();
  rmSync(dir, { recursive: true, force: true });
}
