/**
 * `statectl report`: one self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched
 * when it is opened) with the fleet at a glance — a compliance heat map (instances ×
 * associations), an execution timeline per association, the failures with their error and output,
 * and the dependency graph as a picture.
 */
import type { AssociationHistory, ComplianceCell, ReportData } from "../../engine/index.js";
import { excerpt, relativeTime } from "./visibility.js";

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const STATUS_CLASS: Record<string, string> = {
  Success: "ok",
  Failed: "bad",
  Skipped: "skip",
  Pending: "pending",
  Missing: "bad",
  InProgress: "pending",
};
const SEVERITY_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"];

const CSS = `
:root { --ok: #2e9e5b; --bad: #d64545; --bad-strong: #a61e1e; --skip: #e0a526; --pending: #8aa4c8; --none: #eceff3; --ink: #1d2530; --muted: #66717f; --line: #d9dee5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f6f7f9; }
header { background: #1f2a37; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header .meta { color: #b8c2cf; font-size: 12px; margin-top: 4px; }
main { padding: 20px 32px 40px; max-width: 1400px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 20px; }
h2 { font-size: 16px; margin: 0 0 12px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 20px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 150px; }
.card .n { font-size: 26px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; }
.card.bad .n { color: var(--bad); } .card.ok .n { color: var(--ok); }
table { border-collapse: collapse; }
table.heat th, table.heat td { border: 2px solid #fff; }
table.heat th { font-weight: 600; font-size: 12px; text-align: left; padding: 4px 8px; vertical-align: bottom; }
table.heat th.col { writing-mode: vertical-rl; transform: rotate(180deg); height: 150px; white-space: nowrap; }
table.heat td.inst { padding: 4px 10px 4px 0; white-space: nowrap; font-size: 13px; }
table.heat td.inst small { color: var(--muted); }
td.cell { width: 44px; height: 30px; text-align: center; font-size: 11px; color: #fff; font-weight: 600; border-radius: 4px; }
td.cell.compliant { background: var(--ok); }
td.cell.non-compliant { background: var(--bad); }
td.cell.non-compliant.sev-critical, td.cell.non-compliant.sev-high { background: var(--bad-strong); }
td.cell.none { background: var(--none); color: var(--muted); font-weight: 400; }
.legend { display: flex; gap: 14px; margin-top: 10px; font-size: 12px; color: var(--muted); flex-wrap: wrap; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px; vertical-align: -2px; background: var(--c); }
.timeline { display: grid; grid-template-columns: 260px 1fr; align-items: center; gap: 6px 12px; }
.timeline .name { font-size: 13px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.timeline .name small { color: var(--muted); display: block; }
.timeline svg { width: 100%; height: 28px; display: block; }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; grid-column: 2; }
.failure { border-left: 4px solid var(--bad); padding: 8px 12px; margin-bottom: 12px; background: #fdf5f5; border-radius: 0 6px 6px 0; }
.failure .head { font-weight: 600; }
.failure .sub { color: var(--muted); font-size: 12px; }
.failure .err { color: var(--bad-strong); margin: 4px 0; }
pre { background: #1f2a37; color: #e8edf3; padding: 8px 10px; border-radius: 6px; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-x: auto; margin: 6px 0 0; white-space: pre-wrap; }
pre .stderr { color: #ffb4b4; }
.graph { overflow-x: auto; }
.graph svg { max-width: 100%; height: auto; }
.muted { color: var(--muted); }
.status { font-weight: 600; } .status.ok { color: var(--ok); } .status.bad { color: var(--bad); } .status.skip { color: var(--skip); } .status.pending { color: var(--pending); }
table.assoc td, table.assoc th { padding: 4px 14px 4px 0; text-align: left; font-size: 13px; border-bottom: 1px solid var(--line); }
`;

function cellFor(
  cells: readonly ComplianceCell[],
  instanceId: string,
  associationId: string,
): ComplianceCell | undefined {
  return cells.find((c) => c.instance_id === instanceId && c.association_id === associationId);
}

function heatMap(data: ReportData): string {
  const { compliance } = data;
  const now = new Date(data.now);
  if (compliance.associations.length === 0) return `<p class="muted">No associations in the state.</p>`;
  const head = `<tr><th></th>${compliance.associations.map((a) => `<th class="col" title="${esc(a.association_id)}">${esc(a.address)}</th>`).join("")}</tr>`;
  const rows = compliance.instances.map((i) => {
    const cells = compliance.associations.map((a) => {
      const c = cellFor(compliance.cells, i.instance_id, a.association_id);
      if (!c)
        return `<td class="cell none" data-instance="${esc(i.instance_id)}" data-association="${esc(a.address)}" data-status="none" title="${esc(`${a.address} does not report on ${i.instance_id}`)}">–</td>`;
      const cls = c.status === "COMPLIANT" ? "compliant" : "non-compliant";
      const label = c.status === "COMPLIANT" ? "✓" : c.severity === "UNSPECIFIED" ? "✗" : c.severity.slice(0, 4);
      const title = `${a.address} on ${i.instance_id}: ${c.status} (severity ${c.severity})${c.execution_time ? `, ${relativeTime(c.execution_time, now)}` : ""}`;
      return `<td class="cell ${cls} sev-${c.severity.toLowerCase()}" data-instance="${esc(i.instance_id)}" data-association="${esc(a.address)}" data-status="${esc(c.status)}" title="${esc(title)}">${esc(label)}</td>`;
    });
    return `<tr><td class="inst">${esc(i.instance_id)} <small>${esc(i.name ?? "")}${i.platform ? ` · ${esc(i.platform)}` : ""}</small></td>${cells.join("")}</tr>`;
  });
  const legend = `<div class="legend"><span style="--c: var(--ok)">compliant</span><span style="--c: var(--bad)">non-compliant</span><span style="--c: var(--bad-strong)">non-compliant, critical or high</span><span style="--c: var(--none)">not targeted / no report</span></div>`;
  return `<table class="heat" id="heatmap">${head}${rows.join("")}</table>${legend}`;
}

function timeline(data: ReportData): string {
  const histories = data.histories;
  const times = histories
    .flatMap((h) => h.executions.map((e) => Date.parse(e.created_time ?? "")))
    .filter((t) => !Number.isNaN(t));
  if (times.length === 0) return `<p class="muted">No executions yet.</p>`;
  const end = Math.max(...times, Date.parse(data.now));
  const start = Math.min(...times);
  const span = Math.max(end - start, 60_000);
  const x = (t: number) => 8 + ((t - start) / span) * 984;
  const rows = histories.map((h: AssociationHistory) => {
    const dots = [...h.executions]
      .reverse()
      .map((e) => {
        const t = Date.parse(e.created_time ?? "");
        if (Number.isNaN(t)) return "";
        const cls = STATUS_CLASS[e.status ?? ""] ?? "pending";
        const counts = Object.entries(e.counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ");
        return `<circle class="run ${cls}" cx="${x(t).toFixed(1)}" cy="14" r="6"><title>${esc(`${e.status ?? "?"} · ${e.created_time ?? ""}${counts ? ` · ${counts}` : ""} · version ${e.association_version ?? "?"}`)}</title></circle>`;
      })
      .join("");
    return `<div class="name" title="${esc(h.association_id)}">${esc(h.address)}<small>${h.executions.length} run${h.executions.length === 1 ? "" : "s"}${h.document ? ` · ${esc(h.document)}` : ""}</small></div><svg viewBox="0 0 1000 28" preserveAspectRatio="none" role="img" aria-label="${esc(`executions of ${h.address}`)}"><line x1="0" y1="14" x2="1000" y2="14" stroke="#d9dee5" stroke-width="2"/>${dots}</svg>`;
  });
  const fmt = (t: number) => new Date(t).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  return `<style>circle.run.ok{fill:var(--ok)}circle.run.bad{fill:var(--bad)}circle.run.skip{fill:var(--skip)}circle.run.pending{fill:var(--pending)}</style><div class="timeline" id="timeline">${rows.join("")}<div class="axis"><span>${esc(fmt(start))}</span><span>${esc(fmt(end))} (now)</span></div></div><div class="legend"><span style="--c: var(--ok)">Success</span><span style="--c: var(--bad)">Failed</span><span style="--c: var(--skip)">Skipped</span></div>`;
}

function failures(data: ReportData): string {
  const now = new Date(data.now);
  const blocks: string[] = [];
  for (const a of data.status.associations) {
    if (a.status === "Missing") {
      blocks.push(
        `<div class="failure"><div class="head">${esc(a.address)} is missing</div><div class="sub">SSM no longer has association ${esc(a.association_id)}: deleted outside statectl? <code>statectl plan</code> shows what apply would do.</div></div>`,
      );
      continue;
    }
    for (const f of a.failed_instances) {
      const out = f.command_output;
      const text = out
        ? [
            ...excerpt(out.stdout, 12)
              .filter((l) => l !== "")
              .map((l) => esc(l)),
            ...excerpt(out.stderr, 12)
              .filter((l) => l !== "")
              .map((l) => `<span class="stderr">${esc(l)}</span>`),
          ]
        : f.output
          ? [esc(f.output)]
          : [];
      blocks.push(
        `<div class="failure" data-instance="${esc(f.instance_id)}" data-association="${esc(a.address)}"><div class="head">${esc(a.address)} failed on ${esc(f.instance_id)}</div>` +
          `<div class="sub">${esc(f.detailed_status ?? f.status)}${f.time ? ` · ${esc(relativeTime(f.time, now))} (${esc(f.time)})` : ""}${out ? ` · command ${esc(out.command_id)}${out.response_code !== undefined && out.response_code >= 0 ? ` · exit code ${out.response_code}` : ""}` : ""}</div>` +
          (f.error_code ? `<div class="err">${esc(f.error_code)}</div>` : "") +
          (text.length > 0 ? `<pre>${text.join("\n")}</pre>` : "") +
          (out?.stdout_url ? `<div class="sub">full output: ${esc(out.stdout_url)}</div>` : "") +
          `</div>`,
      );
    }
  }
  return blocks.length > 0
    ? blocks.join("")
    : `<p class="muted">No failures: every instance's latest result succeeded.</p>`;
}

function associationsTable(data: ReportData): string {
  const now = new Date(data.now);
  const rows = data.status.associations.map((a) => {
    const cls = STATUS_CLASS[a.status] ?? "pending";
    const counts = Object.entries(a.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    const compliance = a.compliance
      ? `${a.compliance.compliant} / ${a.compliance.compliant + a.compliance.non_compliant}${a.compliance.severity && a.compliance.severity !== "UNSPECIFIED" ? ` · ${a.compliance.severity}` : ""}`
      : "–";
    return `<tr><td>${esc(a.address)}</td><td class="status ${cls}">${esc(a.status)}</td><td>${esc(counts || "–")}${a.skipped ? ` · ${a.skipped} skipped` : ""}</td><td>${esc(compliance)}</td><td>${esc(relativeTime(a.last_execution?.time, now))}</td><td>${esc(a.schedule ? `${a.next_run ? relativeTime(a.next_run, now) : "none"} (${a.schedule})` : "on change")}</td></tr>`;
  });
  return `<table class="assoc"><tr><th>association</th><th>status</th><th>targets</th><th>compliant</th><th>last run</th><th>next run</th></tr>${rows.join("")}</table>`;
}

/** The whole report as one HTML document. */
export function renderReport(data: ReportData): string {
  const assocs = data.status.associations;
  const failedAssocs = assocs.filter((a) => a.status === "Failed" || a.status === "Missing").length;
  const cells = data.compliance.cells;
  const nonCompliant = cells.filter((c) => c.status === "NON_COMPLIANT");
  const pct = cells.length === 0 ? "–" : `${Math.round(((cells.length - nonCompliant.length) / cells.length) * 100)}%`;
  const bySeverity = SEVERITY_ORDER.map(
    (s) => [s, nonCompliant.filter((c) => c.severity === s).length] as const,
  ).filter(([, n]) => n > 0);
  const card = (n: string | number, label: string, cls = "") =>
    `<div class="card ${cls}"><div class="n">${esc(String(n))}</div><div class="l">${esc(label)}</div></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>statectl report · ${esc(data.dir)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>statectl report</h1><div class="meta">${esc(data.dir)} · generated ${esc(data.now)} (endpoint clock)</div></header>
<main>
<div class="cards">
${card(assocs.length, "associations")}
${card(failedAssocs, "failed or missing", failedAssocs > 0 ? "bad" : "ok")}
${card(data.compliance.instances.length, "managed instances")}
${card(pct, "instance × association compliant", nonCompliant.length > 0 ? "bad" : "ok")}
${card(nonCompliant.length, bySeverity.length > 0 ? `non-compliant (${bySeverity.map(([s, n]) => `${s.toLowerCase()} ${n}`).join(", ")})` : "non-compliant", nonCompliant.length > 0 ? "bad" : "ok")}
</div>
<section id="associations"><h2>Associations</h2>${associationsTable(data)}</section>
<section id="compliance"><h2>Compliance heat map</h2>${heatMap(data)}</section>
<section id="executions"><h2>Executions over time</h2>${timeline(data)}</section>
<section id="failures"><h2>Failures</h2>${failures(data)}</section>
<section id="graph"><h2>Dependency graph</h2><div class="graph">${data.graphSvg ? data.graphSvg.replace(/^<\?xml[^>]*>\s*/, "").replace(/<!DOCTYPE[^>]*>\s*/, "") : `<p class="muted">No graph.</p>`}</div></section>
</main>
</body>
</html>
`;
}
