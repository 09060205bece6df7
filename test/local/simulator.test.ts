import { expect } from "chai";
import { documentSteps } from "../../src/local/agent.js";
import { defaultFleet, makeInstance } from "../../src/local/fleet.js";
import {
  afterAssociationWrite,
  afterFleetChange,
  emptySimulationState,
  newAssociationRecord,
  resolveRateControl,
  runAssociation,
  runDue,
  targetSnapshot,
  type AssociationConfig,
  type DocumentResolver,
  type RunContext,
} from "../../src/local/simulator.js";

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const HOUR = 3_600_000;
const shell = documentSteps({ runtimeConfig: { "aws:runShellScript": {} } });
const resolver: DocumentResolver = (name) =>
  name === "Gone"
    ? undefined
    : { name, version: "1", documentType: name === "Auto" ? "Automation" : "Command", steps: shell };

function setup(config: Partial<AssociationConfig>, fleet = defaultFleet(T0)) {
  const state = emptySimulationState(fleet);
  let n = 0;
  const ctx: RunContext = { state, changed: () => undefined, resolveDocument: resolver, newId: () => `id-${++n}` };
  const record = newAssociationRecord(
    "assoc-1",
    { Name: "AWS-RunShellScript", Targets: [{ Key: "InstanceIds", Values: ["*"] }], ...config },
    T0,
  );
  state.associations[record.associationId] = record;
  return { state, ctx, record };
}

describe("local/simulator", () => {
  it("resolves MaxConcurrency and MaxErrors against the target count", () => {
    expect(resolveRateControl("10", 4, "concurrency")).to.equal(10);
    expect(resolveRateControl("50%", 4, "concurrency")).to.equal(2);
    expect(resolveRateControl("10%", 4, "concurrency")).to.equal(1);
    expect(resolveRateControl("25%", 8, "errors")).to.equal(2);
    expect(resolveRateControl("100%", 4, "errors")).to.equal(4);
  });

  it("runs on every target at creation, recording per-instance results and the overview", () => {
    const { ctx, state, record } = setup({});
    const execution = afterAssociationWrite(ctx, record, T0, "create");
    // The Windows server cannot run a shell script: InvalidPlatform, a failure that is not an error.
    expect(execution?.targets.map((t) => [t.resourceId, t.status, t.detailedStatus])).to.deep.equal([
      ["i-0web00000000000a1", "Success", "Success"],
      ["i-0web00000000000a2", "Success", "Success"],
      ["i-0db000000000000b1", "Success", "Success"],
      ["mi-0win00000000000c1", "Failed", "InvalidPlatform"],
    ]);
    expect(execution?.status).to.equal("Failed");
    expect(execution?.resourceCountByStatus).to.deep.equal({ Success: 3, Failed: 1 });
    expect(record.overview).to.deep.equal({
      status: "Failed",
      detailedStatus: "Failed",
      counts: { Success: 3, Failed: 1 },
    });
    expect(record.lastExecutionDate).to.equal(T0);
    expect(record.lastSuccessfulExecutionDate).to.equal(undefined);
    expect(state.instanceStatus["i-0db000000000000b1"]?.["assoc-1"]).to.include({
      status: "Success",
      documentVersion: "1",
      associationVersion: 1,
    });
  });

  it("stops dispatching once errors exceed MaxErrors, finishing the batch in flight", () => {
    const fleet = defaultFleet(T0).filter((i) => i.platformType === "Linux");
    for (const i of fleet) i.failDocuments = ["AWS-RunShellScript"];
    fleet.push(makeInstance({ name: "web-3", failDocuments: ["AWS-RunShellScript"] }, T0));
    // 4 failing targets, one at a time, MaxErrors 1: two errors happen, then the rest are skipped.
    const one = setup({ MaxConcurrency: "1", MaxErrors: "1" }, fleet);
    const e1 = runAssociation(one.ctx, "assoc-1", T0, "manual")!;
    expect(e1.targets.map((t) => t.status)).to.deep.equal(["Failed", "Failed", "Skipped", "Skipped"]);
    // Two at a time, MaxErrors 0: the first batch of two fails together, the second is skipped.
    const two = setup({ MaxConcurrency: "2", MaxErrors: "0" }, fleet);
    expect(runAssociation(two.ctx, "assoc-1", T0, "manual")!.targets.map((t) => t.status)).to.deep.equal([
      "Failed",
      "Failed",
      "Skipped",
      "Skipped",
    ]);
    // The default (100%) never stops.
    const all = setup({}, fleet);
    expect(runAssociation(all.ctx, "assoc-1", T0, "manual")!.resourceCountByStatus).to.deep.equal({ Failed: 4 });
  });

  it("holds to the schedule with ApplyOnlyAtCronInterval, then runs each due occurrence at its time", () => {
    const { ctx, state, record } = setup({
      ScheduleExpression: "cron(0 */4 * * ? *)",
      ApplyOnlyAtCronInterval: true,
      Targets: [{ Key: "tag:Role", Values: ["web"] }],
    });
    expect(afterAssociationWrite(ctx, record, T0 + 1, "create")).to.equal(undefined);
    expect(record.nextRunAt).to.equal(T0 + 4 * HOUR);
    const ran = runDue(ctx, T0 + 24 * HOUR);
    expect(ran.map((e) => (e.createdTime - T0) / HOUR)).to.deep.equal([4, 8, 12, 16, 20, 24]);
    expect(state.executions["assoc-1"]).to.have.length(6);
    expect(record.nextRunAt).to.equal(T0 + 28 * HOUR);
    expect(runDue(ctx, T0 + 24 * HOUR)).to.have.length(0);
  });

  it("counts rate() from the last write and runs at once otherwise", () => {
    const { ctx, record } = setup({
      ScheduleExpression: "rate(1 hour)",
      Targets: [{ Key: "tag:Role", Values: ["db"] }],
    });
    expect(afterAssociationWrite(ctx, record, T0 + 10 * 60_000, "create")?.trigger).to.equal("create");
    expect(runDue(ctx, T0 + 3 * HOUR).map((e) => (e.createdTime - T0) / 60_000)).to.deep.equal([70, 130]);
  });

  it("runs an at() time already past at once even with ApplyOnlyAtCronInterval, and never again", () => {
    const { ctx, record } = setup({ ScheduleExpression: "at(2025-06-01T00:00:00)", ApplyOnlyAtCronInterval: true });
    expect(afterAssociationWrite(ctx, record, T0, "create")).to.not.equal(undefined);
    expect(record.nextRunAt).to.equal(undefined);
  });

  it("records nothing when no instance matches, or for Automation documents", () => {
    const none = setup({ Targets: [{ Key: "tag:Role", Values: ["nobody"] }] });
    expect(afterAssociationWrite(none.ctx, none.record, T0, "create")).to.equal(undefined);
    expect(none.record.overview.status).to.equal("Pending");
    const auto = setup({ Name: "Auto" });
    expect(runAssociation(auto.ctx, "assoc-1", T0, "manual")).to.equal(undefined);
  });

  it("bootstraps an instance that joins the fleet or gains a matching tag, and forgets one that leaves", () => {
    const { ctx, state, record } = setup({ Targets: [{ Key: "tag:Role", Values: ["web"] }] });
    afterAssociationWrite(ctx, record, T0, "create");
    let before = targetSnapshot(state);
    state.fleet.push(
      makeInstance({ instanceId: "i-0123456789abcdef0", name: "web-3", tags: { Role: "web" } }, T0 + HOUR),
    );
    const joined = afterFleetChange(ctx, before, T0 + HOUR);
    expect(joined.map((e) => [e.trigger, e.targets.map((t) => t.resourceId)])).to.deep.equal([
      ["bootstrap", ["i-0123456789abcdef0"]],
    ]);
    expect(record.overview.counts).to.deep.equal({ Success: 3 });

    before = targetSnapshot(state);
    state.fleet.find((i) => i.name === "db-1")!.tags["Role"] = "web";
    expect(afterFleetChange(ctx, before, T0 + 2 * HOUR)[0]?.targets.map((t) => t.resourceId)).to.deep.equal([
      "i-0db000000000000b1",
    ]);

    before = targetSnapshot(state);
    state.fleet = state.fleet.filter((i) => i.name !== "web-1");
    expect(afterFleetChange(ctx, before, T0 + 3 * HOUR)).to.deep.equal([]);
    expect(record.overview.counts).to.deep.equal({ Success: 3 });
    expect(state.instanceStatus["i-0web00000000000a1"]).to.equal(undefined);
  });
});
