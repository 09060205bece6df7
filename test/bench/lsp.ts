/**
 * The language server as an editor drives it (issue 23): `statectl lsp --stdio` in a process of
 * its own, over JSON-RPC (test/lsp/client.ts), on a folder of `associations` associations split
 * into files of 100 (one provider block and 3 documents in main.state). Times, from the client's
 * side: the first diagnostics after opening a file; diagnostics after an edit (alternately adding
 * and removing a mistake, so each publication is known to answer that edit), the debounce
 * included; completion and hover requests (p95); formatting the open file. Also, independent of
 * the machine's load: the server process's CPU time per edit (from /proc), and how many resources
 * each edit's run evaluated again (the `statectl/validated` notification). With `incremental:
 * false` the server checks the whole folder on every edit (what it did before issue 23).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompletionRequest, DocumentFormattingRequest, HoverRequest } from "vscode-languageserver-protocol/node";
import { generateFleetConfig } from "./fleet.js";
import { positionOf, TestClient } from "../lsp/client.js";
import { VALIDATED_NOTIFICATION, type ValidatedParams } from "../../src/lsp/server.js";

export interface LspFigures {
  associations: number;
  bytes: number;
  firstDiagnosticsMs: number;
  /** Median and largest time from an edit to its diagnostics. */
  editMedianMs: number;
  editMaxMs: number;
  completionP95Ms: number;
  hoverP95Ms: number;
  formattingMs: number;
  /** CPU time (user + system) of the server process per edit, mean over the edits; undefined without /proc. */
  editCpuMs: number | undefined;
  /** Resources in the folder, and the median number each edit's run evaluated again. */
  resources: number;
  evaluatedPerEdit: number;
}

/** CPU time of a process so far (user + system), in ms, from /proc; undefined elsewhere. */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  ticks ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  return ticks;
}

const PER_FILE = 100;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function median(xs: number[]): number {
  return percentile(xs, 50);
}

export async function benchLanguageServer(
  associations: number,
  options: { edits?: number; requests?: number; incremental?: boolean; editsOnly?: boolean } = {},
): Promise<LspFigures> {
  const { edits = 10, requests = 40, incremental = true, editsOnly = false } = options;
  const dir = mkdtempSync(join(tmpdir(), "statectl-bench-lsp-"));
  const config = generateFleetConfig({ associations, documents: 3 });
  const blocks = config.split(/\n(?=association ")/);
  const head = blocks.filter((b) => !b.startsWith("association "));
  const associationBlocks = blocks.filter((b) => b.startsWith("association "));
  writeFileSync(join(dir, "main.state"), head.join("\n"));
  let bytes = Buffer.byteLength(head.join("\n"));
  const files: string[] = [];
  for (let from = 0; from < associationBlocks.length; from += PER_FILE) {
    const name = `associations-${String(from / PER_FILE).padStart(3, "0")}.state`;
    const text = associationBlocks.slice(from, from + PER_FILE).join("\n");
    writeFileSync(join(dir, name), text);
    bytes += Buffer.byteLength(text);
    files.push(name);
  }
  const edited = files[0]!;
  const original = associationBlocks.slice(0, PER_FILE).join("\n");
  const client = new TestClient(dir);
  const runs: ValidatedParams[] = [];
  client.connection.onNotification(VALIDATED_NOTIFICATION, (p: ValidatedParams) => {
    runs.push(p);
  });
  try {
    await client.initialize({ statistics: true, incremental });
    let t0 = performance.now();
    await client.open(edited, original);
    await client.diagnosticsFor(edited, (d) => d.length === 0);
    const firstDiagnosticsMs = performance.now() - t0;

    const editTimes: number[] = [];
    const broken = original.replace(
      'schedule                    = "cron(0 2 ? * SUN *)"',
      'schedule                    = "cron(0 2 ? * SUNDAY *)"',
    );
    const runsBefore = runs.length;
    const cpuBefore = cpuMsOf(client.child.pid);
    for (let i = 0; i < edits; i++) {
      const breaking = i % 2 === 0;
      t0 = performance.now();
      await client.change(edited, breaking ? broken : original);
      await client.diagnosticsFor(edited, (d) => (breaking ? d.length > 0 : d.length === 0));
      editTimes.push(performance.now() - t0);
    }
    const cpuAfter = cpuMsOf(client.child.pid);
    const editRuns = runs.slice(runsBefore);
    const editFigures = {
      associations,
      bytes,
      firstDiagnosticsMs,
      editMedianMs: median(editTimes),
      editMaxMs: Math.max(...editTimes),
      editCpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / edits,
      resources: runs[0]?.resources ?? 0,
      evaluatedPerEdit: editRuns.length > 0 ? median(editRuns.map((r) => r.evaluatedResources)) : Number.NaN,
    };
    if (editsOnly) {
      await client.stop();
      return { ...editFigures, completionP95Ms: Number.NaN, hoverP95Ms: Number.NaN, formattingMs: Number.NaN };
    }

    const uri = client.uri(edited);
    // Completion after `document = document.` (the names of the documents), hover on a document reference.
    const typed = original.replace("document = document.d000.name", "document = document.");
    await client.change(edited, typed);
    await client.diagnosticsFor(edited, (d) => d.length > 0);
    const completionAt = positionOf(typed, "document = document.", "document = document.".length);
    const completionTimes: number[] = [];
    for (let i = 0; i < requests; i++) {
      t0 = performance.now();
      const items = await client.connection.sendRequest(CompletionRequest.type, {
        textDocument: { uri },
        position: completionAt,
      });
      completionTimes.push(performance.now() - t0);
      const list = Array.isArray(items) ? items : (items?.items ?? []);
      if (!list.some((item) => item.label === "d000"))
        throw new Error(`completion did not offer the documents: ${JSON.stringify(list.slice(0, 5))}`);
    }
    await client.change(edited, original);
    await client.diagnosticsFor(edited, (d) => d.length === 0);
    const hoverAt = positionOf(original, "document.d001.name", "document.".length + 1);
    const hoverTimes: number[] = [];
    for (let i = 0; i < requests; i++) {
      t0 = performance.now();
      const hover = await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: hoverAt,
      });
      hoverTimes.push(performance.now() - t0);
      if (!hover) throw new Error("no hover on a document reference");
    }
    const formatTimes: number[] = [];
    const messy = original.replaceAll("  name     = ", "  name = ");
    await client.change(edited, messy);
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const editsBack = await client.connection.sendRequest(DocumentFormattingRequest.type, {
        textDocument: { uri },
        options: { tabSize: 2, insertSpaces: true },
      });
      formatTimes.push(performance.now() - t0);
      if (!editsBack || editsBack.length === 0) throw new Error("formatting changed nothing");
    }
    await client.stop();
    return {
      ...editFigures,
      completionP95Ms: percentile(completionTimes, 95),
      hoverP95Ms: percentile(hoverTimes, 95),
      formattingMs: median(formatTimes),
    };
  } finally {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
