// A plan as Markdown for pull-request comments (`statectl plan --out-md FILE`): the counts, a
// table of the changes with their impact, each change's detail (the text view, in a diff block
// GitHub colours, folded), drift and warnings. Sensitive values stay masked as in the text view.
import { renderChange } from "./render.js";
import { hasChanges, importCount, summarize, type Plan, type ResourceChange } from "./model.js";
import type { PlanTargetCount } from "./provider.js";

const ACTION_WORDS: Record<string, string> = {
  create: "create",
  update: "update in place",
  replace: "replace",
  delete: "destroy",
  "no-op": "import",
};
const ACTION_SIGNS: Record<string, string> = { create: "+", update: "~", replace: "-/+", delete: "-", "no-op": "→" };

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function impactText(impact: PlanTargetCount | undefined): string {
  if (!impact) return "";
  if (!impact.known) return `runs now on an unknown number of instances (${impact.reason})`;
  return `runs now on ${impact.count} instance${impact.count === 1 ? "" : "s"}`;
}

function changeImpact(c: ResourceChange): string {
  const parts = [
    impactText(c.impact),
    ...(c.associationImpacts ?? []).map((a) => `${a.association} ${impactText(a.impact)}`),
  ].filter((x) => x);
  if (c.action === "replace" && c.replaceReasons.length > 0)
    parts.push(`replaced because ${c.replaceReasons.join("; ")}`);
  if (c.action === "delete" && c.deleteReason && c.deleteReason !== "destroy") parts.push(`because ${c.deleteReason}`);
  return parts.join("; ");
}

/** The plan as GitHub-flavoured Markdown. */
export function renderPlanMarkdown(plan: Plan, options: { title?: string } = {}): string {
  const lines: string[] = [`## ${options.title ?? "statectl plan"}`, ""];
  const s = summarize(plan);
  const imports = importCount(plan);
  const changed = plan.changes.filter((c) => c.action !== "no-op" || c.importing);
  if (plan.errored) lines.push("**The plan has errors and cannot be applied.**", "");
  if (!hasChanges(plan)) lines.push("**No changes.** SSM matches the configuration.", "");
  else
    lines.push(
      `**Plan:** ${imports > 0 ? `${imports} to import, ` : ""}${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`,
      "",
    );
  if (changed.length > 0) {
    lines.push("| | resource | action | impact |", "|---|---|---|---|");
    for (const c of changed)
      lines.push(
        `| \`${ACTION_SIGNS[c.action]}\` | \`${cell(c.address)}\` | ${ACTION_WORDS[c.action]}${c.importing ? " (import)" : ""} | ${cell(changeImpact(c))} |`,
      );
    lines.push("");
    for (const c of changed) {
      lines.push(
        `<details><summary><code>${c.address.replace(/</g, "&lt;")}</code> — ${ACTION_WORDS[c.action]}</summary>`,
        "",
        "```diff",
        renderChange(c).replace(
          /^( *)([+~-])/gm,
          (_m, sp: string, sign: string) => `${sign === "~" ? "!" : sign}${sp}`,
        ),
        "```",
        "",
        "</details>",
        "",
      );
    }
  }
  if (plan.drift.length > 0) {
    lines.push("### Changed outside statectl", "");
    for (const d of plan.drift)
      lines.push(
        `- \`${d.address}\` ${d.type === "deleted" ? "was deleted" : `changed: ${d.changes.map((c) => `\`${c.name}\``).join(", ")}`}`,
      );
    lines.push("");
  }
  const warnings = plan.diagnostics.filter((d) => d.severity === "warning");
  const errors = plan.diagnostics.filter((d) => d.severity === "error");
  if (warnings.length + errors.length > 0) {
    lines.push("### Diagnostics", "");
    for (const d of [...errors, ...warnings])
      lines.push(`- **${d.severity}** \`${d.code}\`: ${d.summary}${d.detail ? ` — ${d.detail}` : ""}`);
    lines.push("");
  }
  return lines.join("\n").replace(/\n+$/, "\n");
}
