import { expect } from "chai";
import { Graph } from "@dagrejs/graphlib";
import { orderedNodes, walkGraph } from "../../src/graph/index.js";

function chain(...edges: [string, string][]): Graph {
  const g = new Graph({ directed: true });
  for (const [a, b] of edges) g.setEdge(a, b);
  return g;
}

const tick = () => new Promise((r) => setImmediate(r));

describe("graph/walk", () => {
  it("visits dependencies first, in address order among ready nodes", async () => {
    const g = chain(["a", "c"], ["b", "c"], ["c", "d"]);
    g.setNode("e");
    const r = await walkGraph(g, async () => true);
    expect(r.started).to.deep.equal(["a", "b", "c", "d", "e"]);
    expect([...r.outcomes.values()].every((o) => o === "ok")).to.equal(true);
  });

  it("walks dependents first when reversed (the order for destroying)", async () => {
    const g = chain(["doc", "assoc1"], ["doc", "assoc2"]);
    const r = await walkGraph(g, async () => true, { reverse: true });
    expect(r.started).to.deep.equal(["assoc1", "assoc2", "doc"]);
    expect(orderedNodes(g, true)).to.deep.equal(["assoc1", "assoc2", "doc"]);
    expect(orderedNodes(g)).to.deep.equal(["doc", "assoc1", "assoc2"]);
  });

  it("orders nodes as a walk one at a time starts them, on graphs of many ready nodes", async () => {
    // A small deterministic generator: the same graphs on every run.
    let seed = 23;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const size of [1, 7, 60, 400]) {
      const g = new Graph({ directed: true });
      const names = Array.from({ length: size }, (_, i) => `n${Math.floor(next() * 1e6)}-${i}`);
      for (const n of names) g.setNode(n);
      // Edges only from an earlier name to a later one: acyclic, in no particular address order.
      for (let i = 0; i < size; i++)
        for (let j = i + 1; j < size; j++) if (next() < 3 / size) g.setEdge(names[i] as string, names[j] as string);
      for (const reverse of [false, true]) {
        const walked = await walkGraph(g, async () => true, { reverse });
        expect(orderedNodes(g, reverse), `${size} nodes${reverse ? ", reversed" : ""}`).to.deep.equal(walked.started);
      }
    }
  });

  it("skips what depends on a failure and completes everything independent", async () => {
    const g = chain(["a", "b"], ["b", "c"], ["x", "y"]);
    const r = await walkGraph(g, async (n) => {
      if (n === "a") throw new Error("boom");
      return n !== "x";
    });
    expect(Object.fromEntries(r.outcomes)).to.deep.equal({
      a: "failed",
      b: "skipped",
      c: "skipped",
      x: "failed",
      y: "skipped",
    });
    const g2 = chain(["a", "b"]);
    g2.setNode("free");
    const r2 = await walkGraph(g2, async (n) => n !== "a");
    expect(r2.outcomes.get("free")).to.equal("ok");
  });

  it("never runs more visits at once than the parallelism allows", async () => {
    const g = new Graph({ directed: true });
    for (let i = 0; i < 12; i++) g.setNode(`n${String(i).padStart(2, "0")}`);
    let running = 0;
    let peak = 0;
    await walkGraph(
      g,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        await tick();
        running--;
        return true;
      },
      { parallelism: 3 },
    );
    expect(peak).to.equal(3);
  });

  it("limits each lane on its own: nodes waiting for a full lane do not hold up the others", async () => {
    const g = new Graph({ directed: true });
    // "a…" nodes come first in address order, so without lanes they would take every slot.
    for (let i = 0; i < 8; i++) g.setNode(`a${i}`);
    for (let i = 0; i < 8; i++) g.setNode(`b${i}`);
    const running = { a: 0, b: 0 };
    const peak = { a: 0, b: 0 };
    let bothAtOnce = false;
    await walkGraph(
      g,
      async (n) => {
        const lane = n[0] as "a" | "b";
        running[lane]++;
        peak[lane] = Math.max(peak[lane], running[lane]);
        if (running.a > 0 && running.b > 0) bothAtOnce = true;
        await tick();
        await tick();
        running[lane]--;
        return true;
      },
      { parallelism: 6, lanes: { lane: (n) => n[0]!, limit: (lane) => (lane === "a" ? 2 : 4) } },
    );
    expect(peak).to.deep.equal({ a: 2, b: 4 });
    expect(bothAtOnce).to.equal(true);
  });

  it("starts nothing new once aborted and reports the rest as skipped", async () => {
    const g = chain(["a", "b"]);
    g.setNode("c");
    const controller = new AbortController();
    const r = await walkGraph(
      g,
      async (n) => {
        if (n === "a") controller.abort();
        return true;
      },
      { signal: controller.signal },
    );
    expect(r.started).to.deep.equal(["a"]);
    expect(r.outcomes.get("b")).to.equal("skipped");
    expect(r.outcomes.get("c")).to.equal("skipped");
  });

  it("refuses a graph with a cycle", async () => {
    const g = chain(["a", "b"], ["b", "a"]);
    let message = "";
    await walkGraph(g, async () => true).catch((e: Error) => (message = e.message));
    expect(message).to.contain("cycle");
  });
});
