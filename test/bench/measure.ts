/** Timing helpers for `npm run bench`: warm-up, repeated runs, median and best, machine description. */
import os from "node:os";

export interface Measurement {
  name: string;
  samplesMs: number[];
  medianMs: number;
  minMs: number;
}

export async function measure(name: string, warmup: number, runs: number, fn: () => unknown): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn();
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Collect garbage left by earlier runs (when node runs with --expose-gc) so one run doesn't pay for another.
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = process.hrtime.bigint();
    await fn();
    samplesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { name, samplesMs, medianMs, minMs: sorted[0]! };
}

export function describeMachine(): string {
  const cpus = os.cpus();
  const cpu = cpus[0]?.model.trim() ?? "unknown CPU";
  const memGb = (os.totalmem() / 2 ** 30).toFixed(0);
  // The load average says whether other work shared the CPUs during the run.
  const load = os.loadavg()[0]!.toFixed(1);
  return `${cpu}, ${cpus.length} CPUs, ${memGb} GB RAM, ${os.type()} ${os.release()} ${os.arch()}, Node.js ${process.version}; load average ${load} at the start`;
}
