// The dependency graph as SVG: DOT laid out by Graphviz compiled to WebAssembly (@viz-js/viz), so
// no system graphviz is needed. Loaded on first use: the module carries the whole Graphviz build.
import type { Viz } from "@viz-js/viz";

let viz: Promise<Viz> | undefined;

/** Renders DOT to a standalone SVG document; throws with Graphviz's messages when the DOT is bad. */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  const result = (await viz).render(dot, { format: "svg" });
  if (result.status !== "success")
    throw new Error(`Graphviz could not render the graph: ${result.errors.map((e) => e.message).join("; ")}`);
  return result.output;
}
