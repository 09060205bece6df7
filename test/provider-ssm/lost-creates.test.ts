// CreateAssociation is not idempotent: after a failure that may have made the association, the
// SDK must not send it again by itself, and findCreatedAssociations finds what it made. Driven
// through the real SDK against the local endpoint, whose loseResponses knob commits a call and
// then answers InternalServerError.
import { expect } from "chai";
import { ProviderError, type AssociationSpec } from "../../src/index.js";
import { startRig, type Rig } from "./helpers.js";

const spec: AssociationSpec = {
  name: "lost-web",
  document: "AWS-RunShellScript",
  targets: [{ key: "tag:Role", values: ["web"] }],
  parameters: { commands: ["echo lost"] },
  schedule: "rate(1 day)",
  tags: { team: "web" },
};

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ProviderError);
    return e as ProviderError;
  }
  throw new Error("expected a failure");
}

describe("provider-ssm: creates whose outcome is unknown", () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it("a lost CreateAssociation response is not retried by the SDK and says its outcome is unknown", async () => {
    rig.endpoint.setKnobs({ loseResponses: { CreateAssociation: 1 } });
    const e = await failure(rig.provider.createAssociation(spec));
    expect(e.code).to.equal("InternalServerError");
    expect(e.operation).to.equal("CreateAssociation");
    expect(e.outcomeUnknown).to.equal(true);
    expect(e.message).to.match(/^CreateAssociation failed: InternalServerError: /);
    // One call only: a blind retry would have made a second association.
    expect(rig.calls("CreateAssociation")).to.equal(1);
    expect(await rig.provider.listAssociations({ association_name: "lost-web" })).to.have.length(1);
  });

  it("an InternalServerError before the call ran also comes back at once, and nothing was made", async () => {
    rig.endpoint.setKnobs({ internalErrorRate: 1, internalErrorOperations: ["CreateAssociation"] });
    const e = await failure(rig.provider.createAssociation(spec));
    expect(e.outcomeUnknown).to.equal(true);
    expect(rig.calls("CreateAssociation")).to.equal(1);
    rig.endpoint.setKnobs({ internalErrorRate: 0 });
    expect(await rig.provider.findCreatedAssociations(spec, { since: new Date(Date.now() - 1000) })).to.deep.equal([]);
  });

  it("throttling is still retried by the SDK (it surely did not run), and client errors are not 'unknown'", async () => {
    rig.endpoint.setKnobs({ throttle: { CreateAssociation: { ratePerSecond: 5, burst: 1 } } });
    const [made] = await Promise.all([
      rig.provider.createAssociation(spec),
      rig.provider.createAssociation({ ...spec, name: "lost-web-b" }),
    ]);
    expect(rig.endpoint.counters().CreateAssociation!.throttled).to.be.greaterThan(0);
    expect(await rig.provider.listAssociations({ association_name: "lost-web" })).to.have.length(1);
    expect(await rig.provider.listAssociations({ association_name: "lost-web-b" })).to.have.length(1);
    rig.endpoint.setKnobs({ throttle: undefined });
    const bad = await failure(rig.provider.createAssociation({ ...spec, document: "No-Such-Document" }));
    expect(bad.code).to.equal("InvalidDocument");
    expect(bad.outcomeUnknown).to.equal(false);
    expect(made.association_id).to.be.a("string");
  });

  it("idempotent calls are still retried through a lost response", async () => {
    rig.endpoint.setKnobs({ loseResponses: { ListAssociations: 2 } });
    expect(await rig.provider.listAssociations()).to.deep.equal([]);
    expect(rig.calls("ListAssociations")).to.equal(3);
  });

  it("finds exactly what the lost create made: same full spec, made since it started, not excluded", async () => {
    const before = new Date(Date.now() - 1000);
    rig.endpoint.setKnobs({ loseResponses: { CreateAssociation: 1 } });
    await failure(rig.provider.createAssociation(spec));
    // Look-alikes that are not it: other parameters, other targets, another name.
    await rig.provider.createAssociation({ ...spec, parameters: { commands: ["echo other"] } });
    await rig.provider.createAssociation({ ...spec, targets: [{ key: "tag:Role", values: ["db"] }] });
    await rig.provider.createAssociation({ ...spec, name: "lost-web-2" });
    const found = await rig.provider.findCreatedAssociations(spec, { since: before });
    expect(found).to.have.length(1);
    expect(found[0]!.tags).to.deep.equal({ team: "web" });
    expect(found[0]!.parameters).to.deep.equal({ commands: ["echo lost"] });
    // Ids the state already tracks never match; nor does anything made before the create (less clock skew).
    expect(
      await rig.provider.findCreatedAssociations(spec, { since: before, exclude: new Set([found[0]!.association_id]) }),
    ).to.deep.equal([]);
    expect(
      await rig.provider.findCreatedAssociations(spec, { since: new Date(Date.now() + 10 * 60_000) }),
    ).to.deep.equal([]);
  });
});
