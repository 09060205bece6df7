// Building the dependency graph of resource instances: an ordered list of small named
// transforms over one graphlib Graph, each adding nodes or edges for one reason, so a reader can
// see why an edge exists (`edgeReasons`) and a test can run any prefix of the list.
import { Graph, alg } from "@dagrejs/graphlib";
import { defined, error, warning, type Diagnostic, type Range } from "../diag/index.js";
import { addressMatches, formatResourceAddress, parseAddress, parseModulePath } from "../addrs/index.js";
import type { State } from "../state/index.js";
import type { ConfigInstance, InstanceReference } from "./model.js";

/** A node of the dependency graph: one resource instance, from the configuration, the state or both. */
export interface GraphNode {
  address: string;
  kind: "document" | "association";
  /** The configuration declares it (absent: only the state knows it, so it is to be destroyed). */
  config?: ConfigInstance;
  /** The state records it. */
  inState: boolean;
}

/** Why an edge exists, for `statectl graph` and for tests. */
export type EdgeReason = "reference" | "depends_on" | "document-name" | "replace_triggered_by" | "state";

export interface EdgeLabel {
  reasons: EdgeReason[];
  range?: Range;
}

/**
 * Instances and their dependencies. An edge `a → b` means b depends on a: a is created before
 * b and destroyed after it.
 */
export class DependencyGraph {
  readonly graph = new Graph({ directed: true });

  addNode(node: GraphNode): void {
    this.graph.setNode(node.address, node);
  }
  node(address: string): GraphNode | undefined {
    return this.graph.node(address) as GraphNode | undefined;
  }
  nodes(): GraphNode[] {
    return this.graph
      .nodes()
      .sort()
      .map((a) => this.graph.node(a) as GraphNode);
  }
  addEdge(from: string, to: string, reason: EdgeReason, range?: Range): void {
    if (from === to) return;
    const label = this.graph.edge(from, to) as EdgeLabel | undefined;
    if (label) {
      if (!label.reasons.includes(reason)) label.reasons.push(reason);
      return;
    }
    this.graph.setEdge(from, to, { reasons: [reason], ...(range ? { range } : {}) } satisfies EdgeLabel);
  }
  edges(): { from: string; to: string; label: EdgeLabel }[] {
    return this.graph
      .edges()
      .map((e) => ({ from: e.v, to: e.w, label: this.graph.edge(e) as EdgeLabel }))
      .sort((a, b) => (a.from + "\0" + a.to < b.from + "\0" + b.to ? -1 : 1));
  }
  /** Direct dependencies of `address`. */
  dependencies(address: string): string[] {
    return (this.graph.predecessors(address) ?? []).sort();
  }
  dependents(address: string): string[] {
    return (this.graph.successors(address) ?? []).sort();
  }
  /** `addresses` and everything they depend on, transitively. */
  withDependencies(addresses: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...addresses];
    for (let a = stack.pop(); a !== undefined; a = stack.pop()) {
      if (seen.has(a) || !this.graph.hasNode(a)) continue;
      seen.add(a);
      stack.push(...(this.graph.predecessors(a) ?? []));
    }
    return seen;
  }
  /** `addresses` and everything that depends on them, transitively. */
  withDependents(addresses: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...addresses];
    for (let a = stack.pop(); a !== undefined; a = stack.pop()) {
      if (seen.has(a) || !this.graph.hasNode(a)) continue;
      seen.add(a);
      stack.push(...(this.graph.successors(a) ?? []));
    }
    return seen;
  }
  /** Strongly connected components with more than one node (or a self edge): the cycles. */
  cycles(): string[][] {
    return alg
      .findCycles(this.graph)
      .map((c) => [...c].sort())
      .sort((a, b) => (a.join("\0") < b.join("\0") ? -1 : 1));
  }
}

export interface GraphInput {
  instances: readonly ConfigInstance[];
  /** The prior state: instances it holds that the configuration no longer declares are nodes too. */
  state?: State;
}

interface BuildContext {
  input: GraphInput;
  graph: DependencyGraph;
  diagnostics: Diagnostic[];
  /** Instance addresses by resource address, for references to a whole resource. */
  byResource: Map<string, string[]>;
}

export interface GraphTransform {
  name: string;
  apply(ctx: BuildContext): void;
}

/** `association.web["a"]` → `association.web`. */
export function resourceAddressOf(address: string): string {
  const a = parseAddress(address).address;
  return a ? formatResourceAddress(a) : address;
}

function targetsOf(ctx: BuildContext, ref: InstanceReference): string[] {
  if (ctx.graph.node(ref.target)) return [ref.target];
  const instances = ctx.byResource.get(ref.target);
  if (instances) return instances;
  // `module.NAME`: every instance inside the module (its outputs may come from any of them).
  if (parseModulePath(ref.target))
    return ctx.graph
      .nodes()
      .filter((n) => addressMatches(ref.target, n.address))
      .map((n) => n.address);
  return [];
}

/** Every instance the configuration declares. */
const configInstances: GraphTransform = {
  name: "config-instances",
  apply(ctx) {
    for (const inst of ctx.input.instances) {
      const inState = ctx.input.state?.resources.some((r) => r.address === inst.address) ?? false;
      ctx.graph.addNode({ address: inst.address, kind: inst.kind, config: inst, inState });
    }
  },
};

/** Instances only the state knows: they will be destroyed, after whatever depended on them. */
const stateInstances: GraphTransform = {
  name: "state-instances",
  apply(ctx) {
    for (const r of ctx.input.state?.resources ?? []) {
      if (!ctx.graph.node(r.address)) ctx.graph.addNode({ address: r.address, kind: r.kind, inState: true });
    }
    for (const n of ctx.graph.nodes()) {
      const list = ctx.byResource.get(resourceAddressOf(n.address)) ?? [];
      list.push(n.address);
      ctx.byResource.set(resourceAddressOf(n.address), list);
    }
  },
};

/** Edges recorded in the state, for instances the configuration no longer declares. */
const stateDependencies: GraphTransform = {
  name: "state-dependencies",
  apply(ctx) {
    for (const r of ctx.input.state?.resources ?? []) {
      if (ctx.graph.node(r.address)?.config) continue;
      for (const d of r.dependencies) if (ctx.graph.node(d)) ctx.graph.addEdge(d, r.address, "state");
    }
  },
};

const references: GraphTransform = {
  name: "references",
  apply(ctx) {
    for (const inst of ctx.input.instances) {
      for (const ref of inst.references)
        for (const t of targetsOf(ctx, ref)) ctx.graph.addEdge(t, inst.address, "reference", ref.range);
    }
  },
};

const dependsOn: GraphTransform = {
  name: "depends-on",
  apply(ctx) {
    for (const inst of ctx.input.instances) {
      for (const ref of inst.dependsOn)
        for (const t of targetsOf(ctx, ref)) ctx.graph.addEdge(t, inst.address, "depends_on", ref.range);
    }
  },
};

const replaceTriggeredBy: GraphTransform = {
  name: "replace-triggered-by",
  apply(ctx) {
    for (const inst of ctx.input.instances) {
      for (const ref of inst.lifecycle.replaceTriggeredBy ?? []) {
        for (const t of targetsOf(ctx, ref)) ctx.graph.addEdge(t, inst.address, "replace_triggered_by", ref.range);
      }
    }
  },
};

/**
 * Beyond Terraform: an association whose `document` is the literal name of a document managed
 * here must wait for that document, even without a reference. It works, but a reference says
 * the same thing explicitly and survives a rename, so a warning suggests one.
 */
const documentNameLiterals: GraphTransform = {
  name: "document-name",
  apply(ctx) {
    const documentsByName = new Map<string, string>();
    for (const inst of ctx.input.instances) {
      if (inst.kind === "document" && typeof inst.attrs["name"] === "string")
        documentsByName.set(inst.attrs["name"], inst.address);
    }
    for (const inst of ctx.input.instances) {
      if (inst.kind !== "association") continue;
      const docName = inst.attrs["document"];
      if (typeof docName !== "string") continue;
      const doc = documentsByName.get(docName);
      if (!doc) continue;
      const referenced = inst.references.some(
        (r) =>
          targetsOf(ctx, r).includes(doc) &&
          (r.attribute === undefined || r.attribute === "name" || r.attribute === "arn"),
      );
      if (referenced) continue;
      const range = inst.ranges?.attributes?.["document"];
      ctx.graph.addEdge(doc, inst.address, "document-name", range);
      ctx.diagnostics.push(
        warning("graph/document-name-literal", "Association names a managed document literally", {
          detail: `${inst.address} runs the document "${docName}", which ${doc} manages in this configuration, so statectl creates ${doc} first. Refer to it as ${doc}.name instead: the dependency is then explicit and follows the document if it is renamed.`,
          ...(range ? { range } : {}),
          hint: `document = ${doc}.name`,
        }),
      );
    }
  },
};

const cycleCheck: GraphTransform = {
  name: "cycles",
  apply(ctx) {
    for (const cycle of ctx.graph.cycles()) {
      const lines = cycle.map((a) => {
        const r = ctx.graph.node(a)?.config?.ranges?.name ?? ctx.graph.node(a)?.config?.ranges?.block;
        return r ? `  - ${a} (${r.file}:${r.start.line}:${r.start.column})` : `  - ${a}`;
      });
      const first = ctx.graph.node(defined(cycle[0], "a cycle's first address"))?.config?.ranges;
      ctx.diagnostics.push(
        error("graph/cycle", "Dependency cycle", {
          detail: `These resources depend on each other, so none of them can be created first:\n${lines.join("\n")}\nRemove one of the references or depends_on entries to break the cycle.`,
          ...(first?.name ? { range: first.name } : {}),
          ...(first?.block ? { context: first.block } : {}),
        }),
      );
    }
  },
};

/** The transforms, in the order they run. */
export const GRAPH_TRANSFORMS: readonly GraphTransform[] = [
  configInstances,
  stateInstances,
  stateDependencies,
  references,
  dependsOn,
  replaceTriggeredBy,
  documentNameLiterals,
  cycleCheck,
];

export interface BuildGraphResult {
  graph: DependencyGraph;
  diagnostics: Diagnostic[];
}

/** Builds the dependency graph; a cycle is an error diagnostic (the graph is still returned). */
export function buildGraph(
  input: GraphInput,
  transforms: readonly GraphTransform[] = GRAPH_TRANSFORMS,
): BuildGraphResult {
  const ctx: BuildContext = { input, graph: new DependencyGraph(), diagnostics: [], byResource: new Map() };
  for (const t of transforms) t.apply(ctx);
  return { graph: ctx.graph, diagnostics: ctx.diagnostics };
}
