// Batched association creates against the local endpoint: ten per CreateAssociationBatch call,
// each caller gets its own association (read back as CreateAssociation would return it), and
// failures land on the entry they belong to: failed entries and a batch refused as a whole are
// sent again one by one, for the error code a single create reports.
import { expect } from "chai";
import { ProviderError, type AssociationSpec, type AssociationState } from "../../src/index.js";
import { startRig, type Rig } from "./helpers.js";

function spec(i: number, extra: Partial<AssociationSpec> = {}): AssociationSpec {
  return {
    name: `batch-${i}`,
    document: "AWS-RunShellScript",
    targets: [{ key: "tag:Role", values: ["web"] }],
    parameters: { commands: [`echo ${i}`] },
    schedule: "rate(1 day)",
    ...extra,
  };
}

describe("provider-ssm batched association creates (local endpoint over HTTP)", () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it("creates 25 associations in 3 CreateAssociationBatch calls, each read back like a single create", async () => {
    const specs = Array.from({ length: 25 }, (_, i) => spec(i));
    const states = await Promise.all(specs.map((s) => rig.provider.createAssociationBatched(s)));
    expect(rig.calls("CreateAssociationBatch")).to.equal(3);
    expect(rig.calls("CreateAssociation")).to.equal(0);
    expect(states.map((s) => s.name)).to.deep.equal(specs.map((s) => s.name));
    expect(new Set(states.map((s) => s.association_id)).size).to.equal(25);
    const single = await rig.provider.createAssociation(spec(99));
    const read = await rig.provider.readAssociation(states[7]!.association_id);
    expect(read).to.deep.include({
      name: "batch-7",
      association_version: "1",
      parameters: { commands: ["echo 7"] },
      tags: {},
    });
    expect(Object.keys(states[7]!).sort()).to.deep.equal(Object.keys(single).sort());
  });

  it("creates associations with tags one by one (batch entries carry no tags), and batches by dispatch role", async () => {
    const roleA = "arn:aws:iam::123456789012:role/dispatch-a";
    const roleB = "arn:aws:iam::123456789012:role/dispatch-b";
    const specs = [
      spec(1, { tags: { team: "a" } }),
      spec(2, { dispatch_assume_role: roleA }),
      spec(3),
      spec(4),
      spec(5, { dispatch_assume_role: roleA }),
      spec(6, { dispatch_assume_role: roleB }),
      spec(7, { dispatch_assume_role: roleA, parameters: { noSuchParameter: ["x"] } }),
    ];
    const results = await Promise.allSettled(specs.map((s) => rig.provider.createAssociationBatched(s)));
    expect(results.map((r) => r.status)).to.deep.equal([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
    ]);
    // One call per role (A: 2, 5 and the failing 7; none: 3, 4); the tagged one and the lone role B
    // one alone; the failed entry of A's batch sent again alone for its error code.
    expect(rig.calls("CreateAssociationBatch")).to.equal(2);
    expect(rig.calls("CreateAssociation")).to.equal(3);
    expect(((results[6] as PromiseRejectedResult).reason as ProviderError).code).to.equal("InvalidParameters");
    const created = results.slice(0, 6).map((r) => (r as PromiseFulfilledResult<AssociationState>).value);
    // Read back through the SDK: each has its own role and tags, as configured.
    for (const [i, state] of created.entries()) {
      const read = await rig.provider.readAssociation(state.association_id);
      expect(read?.name, `spec ${i + 1}`).to.equal(specs[i]!.name);
      expect(read?.dispatch_assume_role, `spec ${i + 1}`).to.equal(specs[i]!.dispatch_assume_role);
      expect(read?.tags, `spec ${i + 1}`).to.deep.equal(specs[i]!.tags ?? {});
    }
  });

  it("reports a failed entry on its own create and creates the others", async () => {
    const results = await Promise.allSettled([
      rig.provider.createAssociationBatched(spec(1)),
      rig.provider.createAssociationBatched(spec(2, { parameters: { noSuchParameter: ["x"] } })),
      rig.provider.createAssociationBatched(spec(3)),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    const failure = (results[1] as PromiseRejectedResult).reason as ProviderError;
    expect(failure).to.be.instanceOf(ProviderError);
    expect(failure.message).to.match(/noSuchParameter/);
    expect(failure.code).to.equal("InvalidParameters");
    expect(rig.calls("CreateAssociationBatch")).to.equal(1);
    expect(rig.calls("CreateAssociation")).to.equal(1);
    expect((await rig.provider.listAssociations()).map((a) => a.name).sort()).to.deep.equal(["batch-1", "batch-3"]);
  });

  it("retries entry by entry when one malformed entry makes the whole batch fail", async () => {
    const results = await Promise.allSettled([
      rig.provider.createAssociationBatched(spec(1)),
      rig.provider.createAssociationBatched(spec(2, { max_concurrency: "not-a-number" })),
      rig.provider.createAssociationBatched(spec(3)),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    const failure = (results[1] as PromiseRejectedResult).reason as ProviderError;
    expect(failure.code).to.equal("ValidationException");
    expect(failure.operation).to.equal("CreateAssociation");
    expect(rig.calls("CreateAssociationBatch")).to.equal(1);
    expect(rig.calls("CreateAssociation")).to.equal(3);
  });
});
