import { expect } from "chai";
import {
  emptyState,
  makePlan,
  planToJson,
  renderPlan,
  setInstance,
  summarize,
  hasChanges,
  UNKNOWN,
  type Plan,
  type State,
} from "../../src/index.js";
import { inst } from "../graph/helpers.js";
import { FakeProvider } from "./fake-provider.js";

const CONTENT =
  '{"schemaVersion":"2.2","mainSteps":[{"action":"aws:runShellScript","name":"a","inputs":{"runCommand":["echo hi"]}}]}';

function stateWith(
  p: FakeProvider,
  entries: {
    address: string;
    id: string;
    attributes: Record<string, unknown>;
    dependencies?: string[];
    tainted?: boolean;
  }[],
): State {
  let s = { ...emptyState({ lineage: "L" }), serial: 3 };
  for (const e of entries) {
    const kind = e.address.startsWith("document") ? "document" : "association";
    p.remote.set(e.id, { kind, attributes: structuredClone(e.attributes) as never });
    s = setInstance(s, {
      address: e.address,
      kind,
      provider: "ssm",
      id: e.id,
      attributes: e.attributes as never,
      sensitiveAttributes: [],
      dependencies: e.dependencies ?? [],
      ...(e.tainted ? { tainted: true } : {}),
    });
  }
  return s;
}

const doc = (extra: Record<string, unknown> = {}) =>
  inst("document.app", { attrs: { name: "App", content: CONTENT, ...extra } });
const assoc = (extra: Record<string, unknown> = {}, more: Parameters<typeof inst>[1] = {}) =>
  inst("association.web", {
    attrs: {
      document: "App",
      schedule: "rate(1 day)",
      targets: [{ key: "tag:Role", values: ["web"] }],
      ...extra,
    },
    references: [{ target: "document.app", attribute: "name" }],
    ...more,
  });

async function plan(
  p: FakeProvider,
  instances: ReturnType<typeof inst>[],
  priorState: State,
  extra: Partial<Parameters<typeof makePlan>[0]> = {},
): Promise<Plan> {
  return (await makePlan({ instances, priorState, provider: () => p, ...extra })).plan;
}

describe("plan/makePlan", () => {
  it("plans creation of everything new, with computed values known after apply and the impact of associations", async () => {
    const p = new FakeProvider();
    const pl = await plan(p, [doc(), assoc()], emptyState());
    expect(pl.changes.map((c) => [c.address, c.action])).to.deep.equal([
      ["association.web", "create"],
      ["document.app", "create"],
    ]);
    expect(summarize(pl)).to.deep.equal({ add: 2, change: 0, destroy: 0 });
    expect(pl.changes[0]!.impact).to.deep.equal({ known: true, count: 2, instance_ids: [] });
    expect(pl.changes[0]!.dependencies).to.deep.equal(["document.app"]);
    const text = renderPlan(pl);
    expect(text).to.contain('  # document.app will be created\n  + document "app" {');
    expect(text).to.contain("+ default_version = (known after apply)");
    expect(text).to.contain("# Runs now on 2 managed instances.");
    expect(text).to.match(/Plan: 2 to add, 0 to change, 0 to destroy\.\n$/);
  });

  it("plans nothing when what exists matches, even if the document content is formatted differently", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      {
        address: "document.app",
        id: "App",
        attributes: { name: "App", content: JSON.stringify(JSON.parse(CONTENT), null, 2), default_version: "1" },
      },
      {
        address: "association.web",
        id: "a-1",
        attributes: {
          document: "App",
          schedule: "rate(1 day)",
          targets: [{ key: "tag:Role", values: ["web"] }],
          document_version: "$DEFAULT",
          association_id: "a-1",
        },
      },
    ]);
    const pl = await plan(p, [doc(), assoc()], prior);
    expect(pl.changes.map((c) => c.action)).to.deep.equal(["no-op", "no-op"]);
    expect(hasChanges(pl)).to.equal(false);
    expect(renderPlan(pl)).to.equal("No changes. SSM matches the configuration.\n");
    expect(p.calls.filter((c) => c.startsWith("read:")).sort()).to.deep.equal(["read:App", "read:a-1"]);
  });

  it("updates in place exactly the changed attribute, and replaces with the reason when an attribute cannot change", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      { address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } },
      {
        address: "association.web",
        id: "a-1",
        attributes: {
          document: "App",
          schedule: "rate(1 day)",
          targets: [{ key: "tag:Role", values: ["web"] }],
          association_id: "a-1",
        },
      },
    ]);
    const pl = await plan(p, [doc({ name: "App2" }), assoc({ schedule: "rate(2 days)" })], prior);
    const web = pl.changes.find((c) => c.address === "association.web")!;
    // The association runs App, which the replacement deletes — and SSM deletes a document's
    // associations with it — so the association is re-created too, not updated (issue 15).
    expect(web.action).to.equal("replace");
    expect(web.replaceReasons).to.deep.equal([
      "document.app will be replaced, and SSM deletes the associations of a deleted document",
    ]);
    expect(web.changes.map((c) => [c.name, c.before, c.after])).to.deep.equal([
      ["schedule", "rate(1 day)", "rate(2 days)"],
    ]);
    const app = pl.changes.find((c) => c.address === "document.app")!;
    expect(app.action).to.equal("replace");
    expect(app.replaceReasons).to.deep.equal(["name: SSM has no operation that renames a document"]);
    const text = renderPlan(pl);
    expect(text).to.contain('~ schedule = "rate(1 day)" -> "rate(2 days)"');
    expect(text).to.contain('-/+ document "app" {');
    expect(text).to.contain(
      '~ name = "App" -> "App2" # forces replacement: SSM has no operation that renames a document',
    );
    expect(text).to.contain("Plan: 2 to add, 0 to change, 2 to destroy.");
  });

  it("shows a real content change as a unified diff", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [{ address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } }]);
    const pl = await plan(p, [doc({ content: CONTENT.replace("echo hi", "echo bye") })], prior);
    const text = renderPlan(pl);
    expect(text).to.contain("~ content = <<-DIFF");
    expect(text).to.contain('-          "echo hi"');
    expect(text).to.contain('+          "echo bye"');
  });

  it("says which associations run now because a document gets a new default version", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      { address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } },
      {
        address: "association.web",
        id: "a-1",
        attributes: {
          document: "App",
          schedule: "rate(1 day)",
          targets: [{ key: "tag:Role", values: ["web"] }],
          association_id: "a-1",
        },
      },
      {
        address: "association.pinned",
        id: "a-2",
        attributes: { document: "App", document_version: "1", association_id: "a-2" },
      },
    ]);
    const pinned = inst("association.pinned", { attrs: { document: "App", document_version: "1" } });
    const pl = await plan(p, [doc({ content: CONTENT.replace("echo hi", "echo bye") }), assoc(), pinned], prior);
    const app = pl.changes.find((c) => c.address === "document.app")!;
    expect(app.associationImpacts).to.deep.equal([
      { association: "association.web", impact: { known: true, count: 2, instance_ids: [] } },
    ]);
    expect(renderPlan(pl)).to.contain("    # New default version: association.web runs now on 2 managed instances.");
  });

  it("re-creates what was deleted outside statectl and shows drift attribute by attribute", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      { address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } },
      {
        address: "association.web",
        id: "a-1",
        attributes: {
          document: "App",
          schedule: "rate(1 day)",
          targets: [{ key: "tag:Role", values: ["web"] }],
          association_id: "a-1",
        },
      },
    ]);
    p.remote.delete("App");
    p.remote.get("a-1")!.attributes["schedule"] = "rate(7 days)";
    const pl = await plan(p, [doc(), assoc()], prior);
    expect(pl.drift.map((d) => [d.address, d.type, d.changes.map((c) => [c.name, c.before, c.after])])).to.deep.equal([
      ["association.web", "changed", [["schedule", "rate(1 day)", "rate(7 days)"]]],
      ["document.app", "deleted", []],
    ]);
    expect(pl.changes.map((c) => [c.address, c.action])).to.deep.equal([
      ["association.web", "update"],
      ["document.app", "create"],
    ]);
    const text = renderPlan(pl);
    expect(text).to.contain("Note: Objects have changed outside of statectl");
    expect(text).to.contain("# association.web has changed outside statectl");
    expect(text).to.contain('~ schedule = "rate(1 day)" -> "rate(7 days)"');
    expect(text).to.contain("# document.app has been deleted outside statectl");
  });

  it("ignore_changes hides drift and keeps what exists; refresh-only plans record drift without changes", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      {
        address: "association.web",
        id: "a-1",
        attributes: { document: "X", schedule: "rate(1 day)", association_id: "a-1" },
      },
    ]);
    p.remote.get("a-1")!.attributes["schedule"] = "rate(7 days)";
    const web = inst("association.web", {
      attrs: { document: "X", schedule: "rate(1 day)" },
      lifecycle: { ignoreChanges: ["schedule"] },
    });
    const pl = await plan(p, [web], prior);
    expect(pl.drift).to.deep.equal([]);
    expect(pl.changes[0]!.action).to.equal("no-op");
    const ro = await plan(p, [inst("association.web", { attrs: { document: "X", schedule: "rate(1 day)" } })], prior, {
      mode: "refresh-only",
    });
    expect(ro.changes).to.deep.equal([]);
    expect(ro.drift).to.have.length(1);
    expect(ro.refreshedState.resources[0]!.attributes["schedule"]).to.equal("rate(7 days)");
    expect(hasChanges(ro)).to.equal(true);
  });

  it("does not read anything with refresh off", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [{ address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } }]);
    p.remote.delete("App");
    const pl = await plan(p, [doc()], prior, { refresh: false });
    expect(p.calls).to.deep.equal([]);
    expect(pl.changes[0]!.action).to.equal("no-op");
  });

  it("destroys what left the configuration, and errors when prevent_destroy forbids it", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      { address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } },
      {
        address: "association.web",
        id: "a-1",
        attributes: { document: "App", association_id: "a-1" },
        dependencies: ["document.app"],
      },
    ]);
    const pl = await plan(p, [doc()], prior);
    expect(pl.changes.map((c) => [c.address, c.action])).to.deep.equal([
      ["association.web", "delete"],
      ["document.app", "no-op"],
    ]);
    expect(renderPlan(pl)).to.contain("# (because it is no longer in the configuration)");
    const guarded = await plan(
      p,
      [doc({ name: "Other" })].map((d) => ({ ...d, lifecycle: { preventDestroy: true } })),
      prior,
    );
    expect(guarded.errored).to.equal(true);
    expect(guarded.diagnostics.map((d) => d.code)).to.include("plan/prevent-destroy");
  });

  it("destroy mode deletes everything in the state", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      { address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } },
      {
        address: "association.web",
        id: "a-1",
        attributes: { document: "App", association_id: "a-1" },
        dependencies: ["document.app"],
      },
    ]);
    const pl = await plan(p, [doc(), assoc()], prior, { mode: "destroy" });
    expect(pl.changes.map((c) => c.action)).to.deep.equal(["delete", "delete"]);
    expect(summarize(pl)).to.deep.equal({ add: 0, change: 0, destroy: 2 });
  });

  it("--replace, tainted instances and replace_triggered_by force replacement with the reason", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [
      { address: "document.app", id: "App", attributes: { name: "App", content: CONTENT } },
      {
        address: "association.web",
        id: "a-1",
        attributes: {
          document: "App",
          schedule: "rate(1 day)",
          targets: [{ key: "tag:Role", values: ["web"] }],
          association_id: "a-1",
        },
      },
      { address: "association.other", id: "a-2", attributes: { document: "X", association_id: "a-2" }, tainted: true },
    ]);
    const web = assoc({}, { lifecycle: { replaceTriggeredBy: [{ target: "document.app" }] } });
    const pl = await plan(
      p,
      [doc({ content: CONTENT.replace("hi", "ho") }), web, inst("association.other", { attrs: { document: "X" } })],
      prior,
      { replace: ["document.app"] },
    );
    const byAddr = Object.fromEntries(pl.changes.map((c) => [c.address, c]));
    expect(byAddr["document.app"]!.replaceReasons).to.deep.equal(["--replace asked for it"]);
    expect(byAddr["association.web"]!.replaceReasons).to.deep.equal([
      "replace_triggered_by: document.app will be replaced",
    ]);
    expect(byAddr["association.other"]!.replaceReasons).to.deep.equal([
      "it is tainted: its creation did not finish cleanly",
    ]);
    expect(renderPlan(pl)).to.contain("# (because --replace asked for it)");
  });

  it("--target limits the plan to the target and its dependencies", async () => {
    const p = new FakeProvider();
    const pl = await plan(
      p,
      [doc(), assoc(), inst("association.unrelated", { attrs: { document: "Y" } })],
      emptyState(),
      { targets: ["association.web"] },
    );
    expect(pl.changes.map((c) => c.address)).to.deep.equal(["association.web", "document.app"]);
  });

  it("moved blocks rename instances in the state instead of re-creating them", async () => {
    const p = new FakeProvider();
    const prior = stateWith(p, [{ address: "document.old", id: "App", attributes: { name: "App", content: CONTENT } }]);
    const pl = await plan(p, [doc()], prior, { moved: [{ from: "document.old", to: "document.app" }] });
    expect(pl.moved).to.deep.equal([{ from: "document.old", to: "document.app" }]);
    expect(pl.changes.map((c) => [c.address, c.action])).to.deep.equal([["document.app", "no-op"]]);
    expect(renderPlan(pl)).to.contain("# document.old has moved to document.app");
    expect(hasChanges(pl)).to.equal(true);
  });

  it("masks sensitive values in text and JSON and marks unknown values", async () => {
    const p = new FakeProvider();
    const a = inst("association.web", {
      attrs: { document: "X", name: "secret-name", schedule: UNKNOWN },
      sensitivePaths: [["name"]],
    });
    const pl = await plan(p, [a], emptyState());
    const text = renderPlan(pl);
    expect(text).to.match(/\+ name += \(sensitive\)/);
    expect(text).to.match(/\+ schedule += \(known after apply\)/);
    expect(text).not.to.contain("secret-name");
    const json = planToJson(pl);
    expect(JSON.stringify(json)).not.to.contain("secret-name");
    expect(json).to.include({ format_version: "1.0", mode: "normal", has_changes: true });
    const rc = json.resource_changes[0]!;
    expect(rc.after_unknown).to.deep.equal([["schedule"]]);
    expect((rc.after as Record<string, unknown>)["name"]).to.equal("(sensitive)");
  });
});
