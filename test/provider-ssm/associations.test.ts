import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { UpdateAssociationCommand, DescribeAssociationCommand } from "@aws-sdk/client-ssm";
import { ProviderError, type AssociationSpec, type AssociationState } from "../../src/index.js";
import { LOCAL_ACCOUNT, startRig, type Rig } from "./helpers.js";

const webSpec: AssociationSpec = {
  name: "web-hello",
  document: "AWS-RunShellScript",
  targets: [{ key: "tag:Role", values: ["web"] }],
  parameters: { commands: ["echo hello"], executionTimeout: ["600"] },
  schedule: "rate(30 minutes)",
  compliance_severity: "HIGH",
  max_concurrency: "1",
  max_errors: "1",
  output_location: { s3_bucket: "my-logs", s3_key_prefix: "ssm/web" },
  tags: { team: "web", env: "dev" },
};

function withoutRunStatus(state: AssociationState): Omit<AssociationState, "status" | "detailed_status"> {
  const { status: _status, detailed_status: _detailed, ...rest } = state;
  return rest;
}

describe("provider-ssm associations (local endpoint over HTTP)", () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it("creates an association and reads it back with its tags", async () => {
    const created = await rig.provider.createAssociation(webSpec);
    expect(created.association_id).to.match(/^[0-9a-f-]{36}$/);
    expect(created).to.deep.include({
      name: "web-hello",
      document: "AWS-RunShellScript",
      document_version: "$DEFAULT",
      association_version: "1",
      apply_only_at_cron_interval: false,
      targets: webSpec.targets,
      parameters: webSpec.parameters,
      output_location: webSpec.output_location,
      tags: webSpec.tags,
      arn: `arn:aws:ssm:us-east-1:${LOCAL_ACCOUNT}:association/${created.association_id}`,
    });
    const read = await rig.provider.readAssociation(created.association_id);
    expect(read).to.not.equal(undefined);
    expect(withoutRunStatus(read!)).to.deep.equal(withoutRunStatus(created));
  });

  it("reports a missing association as not found by its error code, and deleting it as nothing to do", async () => {
    const id = randomUUID();
    expect(await rig.provider.readAssociation(id)).to.equal(undefined);
    expect(rig.endpoint.counters()["DescribeAssociation"]).to.include({ calls: 1, errors: 1 });
    expect(await rig.provider.deleteAssociation(id)).to.equal(false);
  });

  it("sends the full spec on update, so changing one field keeps every other", async () => {
    const created = await rig.provider.createAssociation(webSpec);
    const updated = await rig.provider.updateAssociation(created, { ...webSpec, max_concurrency: "50%" });
    expect(updated.association_version).to.equal("2");
    const read = (await rig.provider.readAssociation(created.association_id))!;
    expect(withoutRunStatus(read)).to.deep.equal({
      ...withoutRunStatus(created),
      max_concurrency: "50%",
      association_version: "2",
    });

    // The control: a bare UpdateAssociation through the SDK really clears what it leaves out,
    // so the survival above is the provider's doing.
    await rig.provider.client.send(
      new UpdateAssociationCommand({ AssociationId: created.association_id, Parameters: { commands: ["echo bare"] } }),
    );
    const bare = (
      await rig.provider.client.send(new DescribeAssociationCommand({ AssociationId: created.association_id }))
    ).AssociationDescription!;
    expect(bare.AssociationName).to.equal(undefined);
    expect(bare.ComplianceSeverity).to.equal(undefined);
    expect(bare.OutputLocation).to.equal(undefined);
    expect(bare.ScheduleExpression).to.equal(undefined);
  });

  it("round-trips every association attribute, and an update of one keeps all the others", async () => {
    const rich: AssociationSpec = {
      name: "rich",
      document: "AWS-RunShellScript",
      document_version: "1",
      targets: [
        { key: "tag:Env", values: ["dev"] },
        { key: "tag-key", values: ["Role"] },
      ],
      parameters: { commands: ["uptime"], workingDirectory: ["/tmp"] },
      schedule: "cron(0 2 ? * SUN *)",
      schedule_offset: 2,
      apply_only_at_cron_interval: true,
      compliance_severity: "LOW",
      max_concurrency: "10%",
      max_errors: "0",
      sync_compliance: "MANUAL",
      output_location: { s3_bucket: "b-logs", s3_key_prefix: "p", s3_region: "eu-west-1" },
      duration: 2,
      alarm_configuration: { ignore_poll_alarm_failure: true, alarms: [{ name: "cpu-high" }] },
      dispatch_assume_role: `arn:aws:iam::${LOCAL_ACCOUNT}:role/ssm-dispatch`,
      target_locations: [{ accounts: [LOCAL_ACCOUNT], regions: ["us-east-1"], execution_role_name: "ssm-exec" }],
      tags: { a: "1" },
    };
    const created = await rig.provider.createAssociation(rich);
    const computed = ["association_id", "association_version", "status", "detailed_status", "arn"];
    const declared = (state: AssociationState): Record<string, unknown> =>
      Object.fromEntries(Object.entries(state).filter(([key]) => !computed.includes(key)));
    expect(declared(created)).to.deep.equal(rich);
    const updated = await rig.provider.updateAssociation(created, { ...rich, compliance_severity: "CRITICAL" });
    expect(declared(updated)).to.deep.equal({ ...rich, compliance_severity: "CRITICAL" });
    expect(declared((await rig.provider.readAssociation(created.association_id))!)).to.deep.equal({
      ...rich,
      compliance_severity: "CRITICAL",
    });
  });

  it("changes tags without an UpdateAssociation call (which would run the association again)", async () => {
    const created = await rig.provider.createAssociation(webSpec);
    rig.endpoint.resetCounters();
    const updated = await rig.provider.updateAssociation(created, {
      ...webSpec,
      tags: { team: "platform", owner: "me" },
    });
    expect(rig.calls("UpdateAssociation")).to.equal(0);
    expect(rig.calls("AddTagsToResource")).to.equal(1);
    expect(rig.calls("RemoveTagsFromResource")).to.equal(1);
    expect(updated.association_version).to.equal("1");
    expect((await rig.provider.readAssociation(created.association_id))!.tags).to.deep.equal({
      team: "platform",
      owner: "me",
    });
  });

  it("updates from a state that recorded only the spec (written by hand or by another version): no crash, SSM read first", async () => {
    const created = await rig.provider.createAssociation(webSpec);
    const { tags: _tags, ...spec } = webSpec;
    rig.endpoint.resetCounters();
    const tagged = await rig.provider.updateAssociation(
      { ...spec, association_id: created.association_id },
      { ...spec, tags: { owner: "me" } },
    );
    expect(rig.calls("DescribeAssociation")).to.equal(1);
    expect(rig.calls("UpdateAssociation")).to.equal(0);
    expect(tagged).to.deep.include({ association_version: "1", document_version: "$DEFAULT", tags: { owner: "me" } });
    // The tags changed from the ones SSM had, not from none: team and env are gone.
    expect((await rig.provider.readAssociation(created.association_id))!.tags).to.deep.equal({ owner: "me" });
    const updated = await rig.provider.updateAssociation(
      { ...spec, association_id: created.association_id },
      { ...spec, schedule: "rate(1 hour)", tags: { owner: "me" } },
    );
    expect(updated).to.deep.include({ association_version: "2", schedule: "rate(1 hour)", tags: { owner: "me" } });
  });

  it("refuses a stale update when the expected version no longer matches", async () => {
    const created = await rig.provider.createAssociation(webSpec);
    await rig.provider.updateAssociation(created, { ...webSpec, max_errors: "2" });
    try {
      await rig.provider.updateAssociation(created, { ...webSpec, max_errors: "3" }, { expectedVersion: "1" });
      expect.fail("expected InvalidAssociationVersion");
    } catch (error) {
      expect(error).to.be.instanceOf(ProviderError);
      expect(error).to.include({ code: "InvalidAssociationVersion", operation: "UpdateAssociation" });
    }
  });

  it("deletes an association", async () => {
    const created = await rig.provider.createAssociation(webSpec);
    expect(await rig.provider.deleteAssociation(created.association_id)).to.equal(true);
    expect(await rig.provider.readAssociation(created.association_id)).to.equal(undefined);
  });

  it("names the operation and AWS error code when SSM refuses a create", async () => {
    try {
      await rig.provider.createAssociation({ ...webSpec, parameters: { nonsense: ["x"] } });
      expect.fail("expected InvalidParameters");
    } catch (error) {
      expect(error).to.be.instanceOf(ProviderError);
      const e = (error as ProviderError).at("association.web");
      expect(e.code).to.equal("InvalidParameters");
      expect(e.message).to.match(/^association\.web: CreateAssociation failed: InvalidParameters: /);
    }
  });

  it("waits for Success", async () => {
    const created = await rig.provider.createAssociation({ ...webSpec, max_concurrency: "100%" });
    const result = await rig.provider.waitForSuccess(created.association_id, 30);
    expect(result.outcome).to.equal("Success");
    expect(result.counts).to.deep.equal({ Success: 2 });
  });

  it("waits for Failed and names the failed instance", async () => {
    await rig.endpoint.failDocument("web-2", "AWS-RunShellScript");
    const created = await rig.provider.createAssociation(webSpec);
    const result = await rig.provider.waitForSuccess(created.association_id, 30);
    expect(result.outcome).to.equal("Failed");
    expect(result.failed_targets?.map((t) => t.resource_id)).to.deep.equal(["i-0web00000000000a2"]);
    expect(result.execution_id).to.be.a("string");
  });

  it("waits for the run an update starts", async () => {
    await rig.endpoint.failDocument("web-2", "AWS-RunShellScript");
    const created = await rig.provider.createAssociation(webSpec);
    expect((await rig.provider.waitForSuccess(created.association_id, 30)).outcome).to.equal("Failed");
    // Narrow the targets to the healthy instance: the update's run succeeds.
    const updated = await rig.provider.updateAssociation(created, {
      ...webSpec,
      targets: [{ key: "InstanceIds", values: ["i-0web00000000000a1"] }],
    });
    const result = await rig.provider.waitForSuccess(updated.association_id, 30);
    expect(result).to.include({ outcome: "Success", association_version: "2" });
  });

  it("reports TimedOut when no run happens in time", async () => {
    const cronOnly = await rig.provider.createAssociation({
      ...webSpec,
      schedule: "cron(0 2 ? * SUN *)",
      apply_only_at_cron_interval: true,
    });
    const result = await rig.provider.waitForSuccess(cronOnly.association_id, 0.2);
    expect(result.outcome).to.equal("TimedOut");
  });

  it("counts the managed instances targets select", async () => {
    expect(await rig.provider.countTargets([{ key: "tag:Role", values: ["web"] }])).to.include({
      known: true,
      count: 2,
    });
    expect(await rig.provider.countTargets([{ key: "tag:Role", values: ["web", "db"] }])).to.include({ count: 3 });
    expect(await rig.provider.countTargets([{ key: "InstanceIds", values: ["*"] }])).to.include({ count: 4 });
    expect(
      await rig.provider.countTargets([
        { key: "InstanceIds", values: ["i-0web00000000000a1", "i-0db000000000000b1", "i-0000000000000dead"] },
        { key: "tag:Role", values: ["web"] },
      ]),
    ).to.deep.equal({ known: true, count: 1, instance_ids: ["i-0web00000000000a1"] });
    expect(
      await rig.provider.countTargets([
        { key: "tag-key", values: ["Role"] },
        { key: "tag:Env", values: ["prod"] },
      ]),
    ).to.include({ count: 0 });
    const groups = await rig.provider.countTargets([{ key: "resource-groups:Name", values: ["web-servers"] }]);
    expect(groups.known).to.equal(false);
  });

  it("finds an association that a lost create response left behind", async () => {
    const created = await rig.provider.createAssociation(webSpec);
    await rig.provider.createAssociation({ ...webSpec, targets: [{ key: "tag:Role", values: ["db"] }] });
    await rig.provider.createAssociation({ ...webSpec, name: "other" });
    const found = await rig.provider.findAssociationCandidates(webSpec);
    expect(found.map((a) => a.association_id)).to.deep.equal([created.association_id]);
  });

  it("pages through ListAssociations 50 at a time", async () => {
    for (let i = 0; i < 55; i++) await rig.provider.createAssociation({ ...webSpec, name: `paged-${i}`, tags: {} });
    rig.endpoint.resetCounters();
    const all = await rig.provider.listAssociations();
    expect(all).to.have.length(55);
    expect(all.every((a) => a.association_version === "1" && a.document === "AWS-RunShellScript")).to.equal(true);
    expect(rig.calls("ListAssociations")).to.equal(2);
    const one = await rig.provider.listAssociations({ association_name: "paged-7" });
    expect(one.map((a) => a.name)).to.deep.equal(["paged-7"]);
  });
});
