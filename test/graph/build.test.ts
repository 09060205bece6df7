import { expect } from "chai";
import { buildGraph, GRAPH_TRANSFORMS, toDot } from "../../src/graph/index.js";
import { emptyState, setInstance } from "../../src/state/index.js";
import { inst, range } from "./helpers.js";

describe("graph/build", () => {
  it("runs its transforms in a fixed, named order", () => {
    expect(GRAPH_TRANSFORMS.map((t) => t.name)).to.deep.equal([
      "config-instances",
      "state-instances",
      "state-dependencies",
      "references",
      "depends-on",
      "replace-triggered-by",
      "document-name",
      "cycles",
    ]);
  });

  it("draws edges from references, to every instance of a whole-resource reference", () => {
    const { graph, diagnostics } = buildGraph({
      instances: [
        inst('document.d["a"]'),
        inst('document.d["b"]'),
        inst("association.x", { references: [{ target: "document.d", attribute: "name" }] }),
        inst("association.y", { references: [{ target: 'document.d["b"]' }] }),
      ],
    });
    expect(diagnostics).to.deep.equal([]);
    expect(graph.dependencies("association.x")).to.deep.equal(['document.d["a"]', 'document.d["b"]']);
    expect(graph.dependencies("association.y")).to.deep.equal(['document.d["b"]']);
    expect(graph.dependents('document.d["b"]')).to.deep.equal(["association.x", "association.y"]);
  });

  it("adds depends_on and replace_triggered_by edges and records why", () => {
    const { graph } = buildGraph({
      instances: [
        inst("document.a"),
        inst("association.b", { dependsOn: [{ target: "document.a" }] }),
        inst("association.c", { lifecycle: { replaceTriggeredBy: [{ target: "association.b" }] } }),
      ],
    });
    expect(graph.edges().map((e) => [e.from, e.to, e.label.reasons])).to.deep.equal([
      ["association.b", "association.c", ["replace_triggered_by"]],
      ["document.a", "association.b", ["depends_on"]],
    ]);
  });

  it("links an association to a document it names literally, with a warning suggesting a reference", () => {
    const { graph, diagnostics } = buildGraph({
      instances: [
        inst("document.nginx", { attrs: { name: "InstallNginx" } }),
        inst("association.web", {
          attrs: { document: "InstallNginx" },
          ranges: { attributes: { document: range(7) } },
        }),
        inst("association.other", { attrs: { document: "AWS-RunShellScript" } }),
      ],
    });
    expect(graph.dependencies("association.web")).to.deep.equal(["document.nginx"]);
    expect(graph.dependencies("association.other")).to.deep.equal([]);
    expect(diagnostics).to.have.length(1);
    expect(diagnostics[0]).to.include({
      severity: "warning",
      code: "graph/document-name-literal",
      hint: "document = document.nginx.name",
    });
    expect(diagnostics[0]!.range).to.deep.equal(range(7));
  });

  it("does not warn when the association already refers to the document", () => {
    const { diagnostics } = buildGraph({
      instances: [
        inst("document.nginx", { attrs: { name: "InstallNginx" } }),
        inst("association.web", {
          attrs: { document: "InstallNginx" },
          references: [{ target: "document.nginx", attribute: "name" }],
        }),
      ],
    });
    expect(diagnostics).to.deep.equal([]);
  });

  it("reports a cycle listing every resource in it with its range", () => {
    const { diagnostics } = buildGraph({
      instances: [
        inst("association.a", { references: [{ target: "association.b" }], ranges: { name: range(1, "a.state") } }),
        inst("association.b", { references: [{ target: "association.c" }], ranges: { name: range(5, "b.state") } }),
        inst("association.c", { dependsOn: [{ target: "association.a" }], ranges: { name: range(9, "b.state") } }),
        inst("document.free"),
      ],
    });
    expect(diagnostics).to.have.length(1);
    const d = diagnostics[0]!;
    expect(d).to.include({ severity: "error", code: "graph/cycle", summary: "Dependency cycle" });
    expect(d.detail).to.contain(
      "  - association.a (a.state:1:1)\n  - association.b (b.state:5:1)\n  - association.c (b.state:9:1)",
    );
    expect(d.detail).not.to.contain("document.free");
    expect(d.range).to.deep.equal(range(1, "a.state"));
  });

  it("keeps instances only the state knows, ordered by the dependencies the state recorded", () => {
    let state = emptyState();
    const rec = (address: string, dependencies: string[] = []) => ({
      address,
      kind: address.split(".")[0] as "document" | "association",
      provider: "ssm",
      id: address,
      attributes: {},
      sensitiveAttributes: [],
      dependencies,
    });
    state = setInstance(state, rec("document.old"));
    state = setInstance(state, rec("association.old", ["document.old"]));
    state = setInstance(state, rec("document.kept"));
    const { graph } = buildGraph({ instances: [inst("document.kept")], state });
    expect(graph.nodes().map((n) => [n.address, n.config !== undefined, n.inState])).to.deep.equal([
      ["association.old", false, true],
      ["document.kept", true, true],
      ["document.old", false, true],
    ]);
    expect(graph.dependencies("association.old")).to.deep.equal(["document.old"]);
  });

  it("finds an instance's transitive dependencies and dependents", () => {
    const { graph } = buildGraph({
      instances: [
        inst("document.a"),
        inst("association.b", { references: [{ target: "document.a" }] }),
        inst("association.c", { references: [{ target: "association.b" }] }),
        inst("document.z"),
      ],
    });
    expect([...graph.withDependencies(["association.c"])].sort()).to.deep.equal([
      "association.b",
      "association.c",
      "document.a",
    ]);
    expect([...graph.withDependents(["document.a"])].sort()).to.deep.equal([
      "association.b",
      "association.c",
      "document.a",
    ]);
  });

  it("prints DOT with stable order, dashed nodes for instances to destroy and labelled special edges", () => {
    const { graph } = buildGraph({
      instances: [
        inst("document.nginx", { attrs: { name: "N" } }),
        inst("association.web", { attrs: { document: "N" } }),
        inst("association.b", {
          dependsOn: [{ target: "association.web" }],
          references: [{ target: "document.nginx" }],
        }),
      ],
    });
    expect(toDot(graph)).to.equal(
      [
        "digraph statectl {",
        "  rankdir = LR;",
        '  node [shape = box, fontname = "Helvetica"];',
        '  "association.b" [label = "association.b"];',
        '  "association.web" [label = "association.web"];',
        '  "document.nginx" [label = "document.nginx"];',
        '  "association.web" -> "association.b" [label = "depends_on"];',
        '  "document.nginx" -> "association.b";',
        '  "document.nginx" -> "association.web" [label = "document-name"];',
        "}",
        "",
      ].join("\n"),
    );
  });
});
