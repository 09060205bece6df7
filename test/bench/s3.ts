// `npm run bench`'s s3 section: a no-change plan with the state in S3 (moto_server on loopback,
// the SDK over real HTTP) against the same plan with the local state file — wall time and the
// requests the state costs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStateStorage, runApply, runPlan, S3StateStorage, startLocalEndpoint } from "../../src/index.js";
import { generateFleetConfig, type FleetShape } from "./fleet.js";
import { startMoto, S3_TEST_CREDENTIALS } from "../state-s3/moto.js";

export interface S3BackendFigures {
  shape: FleetShape;
  runs: number;
  /** Median wall time of a no-change plan with the local state file. */
  localMs: number;
  /** The same with the state in S3 (a fresh S3 client per plan, as each CLI run has). */
  s3Ms: number;
  /** S3 requests of one no-change plan (lock, read, unlock). */
  s3Requests: number;
  /** S3 requests of the apply that created the fleet (one conditional write per state write). */
  applyS3Requests: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchS3Backend(shape: FleetShape, runs: number): Promise<S3BackendFigures> {
  const dir = mkdtempSync(join(tmpdir(), "statectl-bench-s3-"));
  const moto = await startMoto();
  const endpoint = await startLocalEndpoint({});
  const storages: S3StateStorage[] = [];
  const s3 = (): S3StateStorage => {
    const s = new S3StateStorage({
      bucket: moto.bucketName,
      key: "bench/statectl.state.json",
      endpoint: moto.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { ...S3_TEST_CREDENTIALS },
    });
    storages.push(s);
    return s;
  };
  try {
    await moto.createBucket(moto.bucketName, true);
    writeFileSync(join(dir, "main.state"), generateFleetConfig(shape));
    const applyStorage = s3();
    const applied = await runApply({ dir, runningLocalEndpoint: endpoint, parallelism: 8, storage: applyStorage });
    if ((applied.result?.errors.length ?? 1) !== 0)
      throw new Error(
        `apply to the S3 state failed: ${applied.diagnostics.map((d) => d.detail ?? d.summary).join("; ")}`,
      );
    const applyS3Requests = applyStorage.counter.requests;
    // The same state in a local file.
    const local = new FileStateStorage(join(dir, "statectl.state.json"));
    const read = await s3().read();
    await local.write({ ...read.state!, serial: read.state!.serial - 1 });
    const localTimes: number[] = [];
    const s3Times: number[] = [];
    let s3Requests = 0;
    for (let i = 0; i < runs + 1; i++) {
      let t0 = performance.now();
      const a = await runPlan({ dir, runningLocalEndpoint: endpoint, storage: new FileStateStorage(local.path) });
      const lt = performance.now() - t0;
      const storage = s3();
      t0 = performance.now();
      const b = await runPlan({ dir, runningLocalEndpoint: endpoint, storage });
      const st = performance.now() - t0;
      storage.destroy();
      for (const p of [a, b])
        if (!p.plan || p.plan.changes.some((c) => c.action !== "no-op"))
          throw new Error(
            `the no-change plan has changes or failed: ${p.diagnostics.map((d) => d.detail ?? d.summary).join("; ")}`,
          );
      if (i > 0) {
        localTimes.push(lt);
        s3Times.push(st);
      }
      s3Requests = storage.counter.requests;
    }
    return { shape, runs, localMs: median(localTimes), s3Ms: median(s3Times), s3Requests, applyS3Requests };
  } finally {
    for (const s of storages) s.destroy();
    await endpoint.stop();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
