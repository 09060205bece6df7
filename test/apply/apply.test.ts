import { expect } from "chai";
import {
  applyPlan,
  buildApplyGraph,
  emptyState,
  makePlan,
  MemoryStateStorage,
  orderedNodes,
  StatePersister,
  type State,
} from "../../src/index.js";
import { inst } from "../graph/helpers.js";
import { FakeProvider } from "../plan/fake-provider.js";

const doc = (name: string, extra: Record<string, unknown> = {}) =>
  inst(`document.${name}`, { attrs: { name, content: "{}", ...extra } });
const assoc = (name: string, document: string, extra: Record<string, unknown> = {}) =>
  inst(`association.${name}`, {
    attrs: { name, document, schedule: "rate(1 day)", ...extra },
    references: [{ target: `document.${document}`, attribute: "name" }],
  });

async function planAndApply(
  p: FakeProvider,
  instances: ReturnType<typeof inst>[],
  prior: State,
  storage: MemoryStateStorage,
  extra: { parallelism?: number; mode?: "destroy" } = {},
) {
  const { plan } = await makePlan({
    instances,
    priorState: prior,
    provider: () => p,
    ...(extra.mode ? { mode: extra.mode } : {}),
  });
  const persister = new StatePersister(storage, prior);
  const events: string[] = [];
  const result = await applyPlan({
    plan,
    persister,
    provider: () => p,
    parallelism: extra.parallelism ?? 1,
    onEvent: (e) => events.push(`${e.type}:${e.address}`),
  });
  return { plan, result, events };
}

describe("apply/applyPlan", () => {
  it("creates in dependency order, writes the state after each change and records dependencies", async () => {
    const p = new FakeProvider();
    const storage = new MemoryStateStorage();
    const { result, events } = await planAndApply(
      p,
      [doc("a"), assoc("x", "a"), assoc("y", "a")],
      emptyState(),
      storage,
    );
    expect(result.errors).to.deep.equal([]);
    expect([result.added, result.changed, result.destroyed]).to.deep.equal([3, 0, 0]);
    expect(p.calls).to.deep.equal(["create:a", "create:x", "create:y"]);
    expect(events.filter((e) => e.startsWith("done"))).to.deep.equal([
      "done:document.a",
      "done:association.x",
      "done:association.y",
    ]);
    expect(storage.writes).to.equal(3);
    const stored = (await storage.read()).state!;
    expect(stored.resources.map((r) => [r.address, r.id, r.dependencies])).to.deep.equal([
      ["association.x", "assoc-1", ["document.a"]],
      ["association.y", "assoc-2", ["document.a"]],
      ["document.a", "a", []],
    ]);
    expect(result.state).to.deep.equal(stored);
  });

  it("a second plan after apply has no changes", async () => {
    const p = new FakeProvider();
    const storage = new MemoryStateStorage();
    const config = [doc("a"), assoc("x", "a")];
    const first = await planAndApply(p, config, emptyState(), storage);
    const { plan } = await makePlan({ instances: config, priorState: first.result.state, provider: () => p });
    expect(plan.changes.map((c) => c.action)).to.deep.equal(["no-op", "no-op"]);
  });

  it("destroys in reverse order: dependents first", async () => {
    const p = new FakeProvider();
    const storage = new MemoryStateStorage();
    const config = [doc("a"), assoc("x", "a")];
    const first = await planAndApply(p, config, emptyState(), storage);
    p.calls.length = 0;
    const second = await planAndApply(p, config, first.result.state, storage, { mode: "destroy" });
    expect(p.calls.filter((c) => !c.startsWith("read"))).to.deep.equal(["delete:assoc-1", "delete:a"]);
    expect(second.result.destroyed).to.equal(2);
    expect((await storage.read()).state!.resources).to.deep.equal([]);
    expect(p.remote.size).to.equal(0);
  });

  it("on failure completes independent changes, skips dependents, keeps every change in the state, and a rerun continues", async () => {
    const p = new FakeProvider();
    const storage = new MemoryStateStorage();
    const config = [doc("a"), assoc("x", "a"), doc("b"), assoc("y", "b")];
    p.failures.add("create:a");
    const first = await planAndApply(p, config, emptyState(), storage, { parallelism: 4 });
    expect(first.result.errors.map((e) => [e.address, e.step, e.code])).to.deep.equal([
      ["document.a", "create", "InvalidParameters"],
    ]);
    expect(first.result.errors[0]!.message).to.contain("InvalidParameters: injected");
    expect(first.result.skipped).to.deep.equal(["association.x"]);
    expect(first.result.state.resources.map((r) => r.address)).to.deep.equal(["association.y", "document.b"]);
    expect((await storage.read()).state).to.deep.equal(first.result.state);
    p.failures.clear();
    const second = await planAndApply(p, config, first.result.state, storage);
    expect(second.plan.changes.filter((c) => c.action !== "no-op").map((c) => c.address)).to.deep.equal([
      "association.x",
      "document.a",
    ]);
    expect(second.result.errors).to.deep.equal([]);
    expect(second.result.state.resources).to.have.length(4);
  });

  it("never runs more changes at once than --parallelism", async () => {
    const p = new FakeProvider();
    p.delayMs = 5;
    const config = Array.from({ length: 10 }, (_, i) => doc(`d${i}`));
    await planAndApply(p, config, emptyState(), new MemoryStateStorage(), { parallelism: 3 });
    expect(p.peak).to.equal(3);
  });

  it("orders a replacement destroy-then-create, or create-then-destroy with create_before_destroy", () => {
    const base = {
      kind: "document" as const,
      provider: "ssm",
      changes: [],
      replaceReasons: ["x"],
      sensitivePaths: [],
      dependencies: [],
    };
    const normal = buildApplyGraph([{ ...base, address: "document.a", action: "replace" }]);
    expect(orderedNodes(normal.graph)).to.deep.equal(["document.a (destroy)", "document.a (apply)"]);
    const cbd = buildApplyGraph([{ ...base, address: "document.a", action: "replace", createBeforeDestroy: true }]);
    expect(orderedNodes(cbd.graph)).to.deep.equal(["document.a (apply)", "document.a (destroy)"]);
    const chain = buildApplyGraph([
      { ...base, address: "document.a", action: "replace" },
      { ...base, kind: "association", address: "association.x", action: "replace", dependencies: ["document.a"] },
    ]);
    expect(orderedNodes(chain.graph)).to.deep.equal([
      "association.x (destroy)",
      "document.a (destroy)",
      "document.a (apply)",
      "association.x (apply)",
    ]);
  });

  it("fills values unknown at plan time through the resolve hook, or fails that change clearly", async () => {
    const p = new FakeProvider();
    const storage = new MemoryStateStorage();
    const a = inst("association.x", {
      attrs: { document: "a", document_version: { $unknown: true } },
      references: [{ target: "document.a", attribute: "default_version" }],
    });
    const { plan } = await makePlan({ instances: [doc("a"), a], priorState: emptyState(), provider: () => p });
    const result = await applyPlan({
      plan,
      persister: new StatePersister(storage, emptyState()),
      provider: () => p,
      resolve: async (change, state) => ({
        attrs: {
          ...change.after,
          document_version: state.resources.find((r) => r.address === "document.a")!.attributes["default_version"]!,
        },
        diagnostics: [],
      }),
    });
    expect(result.errors).to.deep.equal([]);
    expect(result.state.resources.find((r) => r.address === "association.x")!.attributes["document_version"]).to.equal(
      "1",
    );
    const failed = await applyPlan({
      plan,
      persister: new StatePersister(new MemoryStateStorage(), emptyState()),
      provider: () => new FakeProvider(),
    });
    expect(failed.errors.map((e) => e.address)).to.deep.equal(["association.x"]);
    expect(failed.errors[0]!.message).to.contain("unknown");
  });

  it("batched creates: the intents of a group are stored in one write before any of them is sent, and the group reaches the provider together, also when they start one at a time", async () => {
    // Counts the writes that record new creates in flight.
    let intentWrites = 0;
    let recorded = new Set<string>();
    const storage = new (class extends MemoryStateStorage {
      override write(state: State) {
        const now = new Set((state.pendingCreates ?? []).map((p) => p.address));
        if ([...now].some((a) => !recorded.has(a))) intentWrites++;
        recorded = now;
        return super.write(state);
      }
    })();
    const turns: string[][] = [];
    let turn: string[] | undefined;
    const notRecordedWhenSent: string[] = [];
    class BatchingProvider extends FakeProvider {
      createIsIdempotent(kind: string): boolean {
        return kind !== "association";
      }
      async findCreated(): Promise<{ id: string; attributes: Record<string, never> }[]> {
        return [];
      }
      createBatchSize(kind: string): number {
        return kind === "association" ? 10 : 1;
      }
      override create(kind: string, desired: Record<string, never>) {
        if (kind === "association") {
          const address = `association.${String(desired["name"])}`;
          const stored =
            storage.contents === undefined
              ? undefined
              : (JSON.parse(storage.contents) as { pending_creates?: { address: string }[] });
          if (!stored?.pending_creates?.some((p) => p.address === address)) notRecordedWhenSent.push(address);
          if (!turn) {
            const current: string[] = [];
            turn = current;
            turns.push(current);
            setImmediate(() => (turn = undefined));
          }
          turn.push(address);
        }
        // Creates end at different moments, so later ones start one at a time as room frees up.
        const n = Number(String(desired["name"]).slice(1));
        return new Promise<void>((r) => setTimeout(r, kind === "association" ? (n * 7) % 11 : 0)).then(() =>
          super.create(kind, desired),
        );
      }
    }
    const p = new BatchingProvider();
    const config = [doc("a"), ...Array.from({ length: 25 }, (_, i) => assoc(`x${String(i).padStart(2, "0")}`, "a"))];
    const { result } = await planAndApply(p, config, emptyState(), storage, { parallelism: 1 });
    expect(result.errors).to.deep.equal([]);
    expect(result.added).to.equal(26);
    expect(notRecordedWhenSent).to.deep.equal([]);
    // Whole groups of ten reach the provider in one turn of the event loop; only the last is short.
    expect(
      turns
        .map((t) => t.length % 10)
        .slice(0, -1)
        .every((n) => n === 0),
      JSON.stringify(turns.map((t) => t.length)),
    ).to.equal(true);
    expect(turns.flat()).to.have.length(25);
    // One write for the intents of each group (25 creates: 3 groups at most), not one per create.
    expect(intentWrites).to.be.within(1, 3);
    expect((await storage.read()).state!.pendingCreates ?? []).to.deep.equal([]);
  });
});
