// The dependency graph in Graphviz DOT, for `statectl graph`.
import type { DependencyGraph } from "./build.js";

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export interface DotOptions {
  /** Draw edges from a dependent to what it depends on (Terraform's direction); default false: dependency → dependent. */
  dependentFirst?: boolean;
}

/** Nodes and edges sorted, so the output is stable; edges are labelled with why they exist when that is not a plain reference. */
export function toDot(graph: DependencyGraph, options: DotOptions = {}): string {
  const lines = ["digraph statectl {", "  rankdir = LR;", '  node [shape = box, fontname = "Helvetica"];'];
  for (const n of graph.nodes()) {
    const style = n.config ? "" : ", style = dashed";
    const tooltip = n.config ? "" : ` (to destroy)`;
    lines.push(`  ${quote(n.address)} [label = ${quote(n.address + tooltip)}${style}];`);
  }
  for (const e of graph.edges()) {
    const [a, b] = options.dependentFirst ? [e.to, e.from] : [e.from, e.to];
    const reasons = e.label.reasons.filter((r) => r !== "reference");
    const label = reasons.length > 0 ? ` [label = ${quote(reasons.join(", "))}]` : "";
    lines.push(`  ${quote(a)} -> ${quote(b)}${label};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
