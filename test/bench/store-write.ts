/**
 * The store section of `npm run bench`: what one small write costs when the endpoint holds a large
 * history. Associations are created through the SDK; their execution history is then grown to
 * `executionsPerAssociation` copies of a real execution (as `local advance` would, faster). Each
 * measured write is one UpdateAssociation answered after its change is durably on disk.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAssociationCommand, SSMClient, UpdateAssociationCommand } from "@aws-sdk/client-ssm";
import { LOCAL_ENDPOINT_CREDENTIALS, startLocalEndpoint, type LocalEndpoint } from "../../src/index.js";
import type { SimulationState } from "../../src/local/simulator.js";

export interface StoreWriteFigures {
  associations: number;
  executions: number;
  /** Size of the data (the snapshot after compaction), bytes. */
  dataBytes: number;
  /** Median wall time of one UpdateAssociation (its write included), ms. */
  writeMs: number;
  /** The most entries one of those writes serialised. */
  entriesPerWrite: number;
  /** The same with every entry compared on each write, as before marks (verifyMarks). */
  fullComparisonWriteMs: number;
  samples: number;
}

async function withClient<T>(endpoint: LocalEndpoint, fn: (client: SSMClient) => Promise<T>): Promise<T> {
  const client = new SSMClient({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: { ...LOCAL_ENDPOINT_CREDENTIALS },
  });
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

export async function benchStoreWrite(
  associations: number,
  executionsPerAssociation: number,
  writes: number,
): Promise<StoreWriteFigures> {
  const dir = mkdtempSync(join(tmpdir(), "statectl-bench-store-"));
  try {
    const dataDir = join(dir, "data");
    const ids: string[] = [];
    const endpoint = await startLocalEndpoint({ dataDir });
    await withClient(endpoint, async (client) => {
      for (let i = 0; i < associations; i++) {
        const out = await client.send(
          new CreateAssociationCommand({
            Name: "AWS-RunShellScript",
            AssociationName: `history-${i}`,
            Targets: [{ Key: "tag:Role", Values: ["web"] }],
            Parameters: { commands: [`echo ${i}`] },
            ScheduleExpression: "cron(0 2 * * ? *)",
          }),
        );
        ids.push(out.AssociationDescription?.AssociationId ?? "");
      }
    });
    await endpoint.core.exclusive(() => {
      const state = endpoint.core.store.section<SimulationState>("simulation", () => {
        throw new Error("no simulation section");
      });
      for (const id of ids) {
        const history = state.executions[id] ?? [];
        const first = history[0];
        if (!first) throw new Error(`association ${id} has no execution`);
        for (let n = history.length; n < executionsPerAssociation; n++)
          history.push({
            ...structuredClone(first),
            executionId: `${first.executionId.slice(0, 24)}${String(n).padStart(12, "0")}`,
          });
        state.executions[id] = history;
      }
      endpoint.core.changed("simulation", "executions");
    });
    await endpoint.stop();
    const dataBytes = statSync(join(dataDir, "endpoint.json")).size;
    const timeWrites = async (verifyMarks: boolean): Promise<{ ms: number; entries: number }> => {
      // The full comparison every write made before marks is what verifyMarks adds to each write.
      const saved = process.env["STATECTL_STORE_VERIFY"];
      process.env["STATECTL_STORE_VERIFY"] = verifyMarks ? "1" : "0";
      const running = await startLocalEndpoint({ dataDir });
      if (saved === undefined) delete process.env["STATECTL_STORE_VERIFY"];
      else process.env["STATECTL_STORE_VERIFY"] = saved;
      const samples: number[] = [];
      let entries = 0;
      try {
        await withClient(running, async (client) => {
          for (let i = 0; i <= writes; i++) {
            const t0 = performance.now();
            await client.send(
              new UpdateAssociationCommand({
                AssociationId: ids[i % ids.length],
                Parameters: { commands: [`echo update ${i}`] },
                ScheduleExpression: "cron(0 2 * * ? *)",
                ApplyOnlyAtCronInterval: true,
              }),
            );
            // The first write after a start compacts (a full snapshot): not a small write.
            if (i > 0) {
              samples.push(performance.now() - t0);
              entries = Math.max(entries, running.core.store.lastWrite.entries);
            }
          }
        });
      } finally {
        await running.stop();
      }
      return { ms: median(samples), entries };
    };
    const marked = await timeWrites(false);
    const full = await timeWrites(true);
    return {
      associations,
      executions: associations * executionsPerAssociation,
      dataBytes,
      writeMs: marked.ms,
      entriesPerWrite: marked.entries,
      fullComparisonWriteMs: full.ms,
      samples: writes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
