/**
 * graph/ — the dependency graph of resource instances, on @dagrejs/graphlib. Owns: the shape
 * the engine hands over for each configured instance (ConfigInstance: address, arguments with
 * unknowns, references, depends_on, lifecycle, ranges); building the graph through an ordered
 * list of named transforms (configuration instances, state-only instances, references,
 * depends_on, replace_triggered_by, associations naming a managed document literally, cycle
 * check); cycle diagnostics naming every resource in the cycle with its source range; walks in
 * dependency order (reversed for destroying) with bounded parallelism; DOT output.
 *
 * Talks to: state/ (the prior state's instances and their recorded dependencies), diag/, addrs/.
 * plan/ builds on it; apply/ walks it.
 */
export * from "./model.js";
export * from "./build.js";
export * from "./walk.js";
export * from "./dot.js";
export { dotToSvg } from "./svg.js";
