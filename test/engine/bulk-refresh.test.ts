// Bulk refresh (ListAssociations/ListDocuments pages, details only where needed) must find every
// change a per-resource refresh finds. Each managed attribute is changed behind statectl's back
// through the SDK, against the local endpoint, and both refresh modes must report the same drift.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AddTagsToResourceCommand,
  CreateDocumentCommand,
  DeleteAssociationCommand,
  DeleteDocumentCommand,
  DescribeAssociationCommand,
  ModifyDocumentPermissionCommand,
  SSMClient,
  UpdateAssociationCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type AssociationDescription,
  type UpdateAssociationCommandInput,
} from "@aws-sdk/client-ssm";
import {
  LOCAL_ENDPOINT_CREDENTIALS,
  runApply,
  runPlan,
  startLocalEndpoint,
  type Drift,
  type LocalEndpoint,
} from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const PROVIDER = 'provider "ssm" {\n  endpoint = "local"\n}\n';

function commandDocument(message: string): string {
  return JSON.stringify({
    schemaVersion: "2.2",
    description: message,
    parameters: { greeting: { type: "String", default: message } },
    mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: ["echo {{ greeting }}"] } }],
  });
}

/** A change to one member of an association, made with UpdateAssociation (which takes the full spec). */
const ASSOCIATION_CHANGES: Record<string, Partial<UpdateAssociationCommandInput>> = {
  name: { AssociationName: "renamed-behind-the-back" },
  document_version: { DocumentVersion: "1" },
  targets: { Targets: [{ Key: "tag:Role", Values: ["db"] }] },
  parameters: { Parameters: { greeting: ["changed"] } },
  schedule: { ScheduleExpression: "cron(0 3 ? * SUN *)" },
  schedule_offset: { ScheduleOffset: 2, ApplyOnlyAtCronInterval: true },
  apply_only_at_cron_interval: { ApplyOnlyAtCronInterval: true },
  compliance_severity: { ComplianceSeverity: "HIGH" },
  max_concurrency: { MaxConcurrency: "5" },
  max_errors: { MaxErrors: "2" },
  sync_compliance: { SyncCompliance: "MANUAL" },
  output_location: { OutputLocation: { S3Location: { OutputS3BucketName: "changed-bucket" } } },
  duration: { Duration: 3, ApplyOnlyAtCronInterval: true },
  alarm_configuration: { AlarmConfiguration: { Alarms: [{ Name: "changed-alarm" }] } },
  dispatch_assume_role: { AssociationDispatchAssumeRole: "arn:aws:iam::123456789012:role/changed" },
  target_locations: { TargetLocations: [{ Accounts: ["123456789012"], Regions: ["us-east-1"] }] },
};

/** The UpdateAssociation request that keeps everything as described (replace semantics). */
function fullRequest(d: AssociationDescription): UpdateAssociationCommandInput {
  return {
    AssociationId: d.AssociationId!,
    Name: d.Name,
    DocumentVersion: d.DocumentVersion,
    AssociationName: d.AssociationName,
    Targets: d.Targets,
    Parameters: d.Parameters,
    ScheduleExpression: d.ScheduleExpression,
    ScheduleOffset: d.ScheduleOffset,
    ApplyOnlyAtCronInterval: d.ApplyOnlyAtCronInterval,
    ComplianceSeverity: d.ComplianceSeverity,
    MaxConcurrency: d.MaxConcurrency,
    MaxErrors: d.MaxErrors,
    SyncCompliance: d.SyncCompliance,
    OutputLocation: d.OutputLocation,
    CalendarNames: d.CalendarNames,
    Duration: d.Duration,
    TargetLocations: d.TargetLocations,
    AlarmConfiguration: d.AlarmConfiguration,
    AssociationDispatchAssumeRole: d.AssociationDispatchAssumeRole,
  };
}

function association(label: string, extra = ""): string {
  return `association "a_${label}" {
  name     = "a-${label.replace(/_/g, "-")}"
  document = document.base.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = {
    greeting = ["hi"]
  }
  schedule            = "cron(0 2 ? * SUN *)"
  max_concurrency     = "10"
  max_errors          = "1"
  compliance_severity = "LOW"
${extra}}
`;
}

function document(label: string, extra = ""): string {
  return `document "${label}" {
  name    = "Doc-${label}"
  content = ${JSON.stringify(commandDocument(label))}
${extra}}
`;
}

function driftSummary(drift: readonly Drift[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of drift) out[d.address] = d.type === "deleted" ? ["(deleted)"] : d.changes.map((c) => c.name).sort();
  return out;
}

describe("bulk refresh (engine against the local endpoint)", function () {
  this.timeout(60_000);
  let dir: string;
  let endpoint: LocalEndpoint;
  let client: SSMClient;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-bulk-refresh-"));
    endpoint = await startLocalEndpoint({});
    client = new SSMClient({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: { ...LOCAL_ENDPOINT_CREDENTIALS },
    });
  });
  afterEach(async () => {
    client.destroy();
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const configure = (): void => {
    const blocks = [
      PROVIDER,
      document("base"),
      document("content"),
      document("display"),
      document("tagged", '  tags = {\n    team = "a"\n  }\n'),
      document("shared", '  permissions = ["111111111111"]\n'),
      document("latest", "  promote = false\n"),
      document("deleted"),
      document("recreated"),
      ...Object.keys(ASSOCIATION_CHANGES).map((label) => association(label)),
      association("tags", '  tags = {\n    team = "a"\n  }\n'),
      association("deleted"),
      association("unchanged_tagged", '  tags = {\n    team = "a"\n  }\n'),
    ];
    writeFileSync(join(dir, "main.state"), blocks.join("\n"));
  };

  it("finds every attribute changed behind statectl's back, exactly as a per-resource refresh does", async () => {
    configure();
    const applied = await runApply({ dir, runningLocalEndpoint: endpoint });
    expect(applied.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
    const ids = new Map(applied.result!.state.resources.map((r) => [r.address, r.id]));

    for (const [label, patch] of Object.entries(ASSOCIATION_CHANGES)) {
      const id = ids.get(`association.a_${label}`)!;
      const d = (await client.send(new DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription!;
      await client.send(new UpdateAssociationCommand({ ...fullRequest(d), ...patch }));
    }
    await client.send(
      new AddTagsToResourceCommand({
        ResourceType: "Association",
        ResourceId: ids.get("association.a_tags")!,
        Tags: [{ Key: "team", Value: "b" }],
      }),
    );
    await client.send(new DeleteAssociationCommand({ AssociationId: ids.get("association.a_deleted")! }));

    const update = await client.send(
      new UpdateDocumentCommand({
        Name: "Doc-content",
        Content: commandDocument("changed"),
        DocumentVersion: "$LATEST",
      }),
    );
    await client.send(
      new UpdateDocumentDefaultVersionCommand({
        Name: "Doc-content",
        DocumentVersion: update.DocumentDescription!.DocumentVersion!,
      }),
    );
    const display = await client.send(
      new UpdateDocumentCommand({
        Name: "Doc-display",
        Content: commandDocument("display2"),
        DisplayName: "Changed",
        DocumentVersion: "$LATEST",
      }),
    );
    await client.send(
      new UpdateDocumentDefaultVersionCommand({
        Name: "Doc-display",
        DocumentVersion: display.DocumentDescription!.DocumentVersion!,
      }),
    );
    await client.send(
      new AddTagsToResourceCommand({
        ResourceType: "Document",
        ResourceId: "Doc-tagged",
        Tags: [{ Key: "team", Value: "b" }],
      }),
    );
    await client.send(
      new ModifyDocumentPermissionCommand({
        Name: "Doc-shared",
        PermissionType: "Share",
        AccountIdsToAdd: ["222222222222"],
      }),
    );
    await client.send(
      new UpdateDocumentCommand({ Name: "Doc-latest", Content: commandDocument("newer"), DocumentVersion: "$LATEST" }),
    );
    await client.send(new DeleteDocumentCommand({ Name: "Doc-deleted" }));
    await client.send(new DeleteDocumentCommand({ Name: "Doc-recreated" }));
    await client.send(
      new CreateDocumentCommand({
        Name: "Doc-recreated",
        Content: commandDocument("someone else's"),
        DocumentType: "Command",
      }),
    );

    const bulk = await runPlan({ dir, runningLocalEndpoint: endpoint });
    const perResource = await runPlan({ dir, runningLocalEndpoint: endpoint, refreshMode: "per-resource" });
    expect(bulk.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
    const found = driftSummary(bulk.plan!.drift);
    expect(found).to.deep.equal(driftSummary(perResource.plan!.drift));

    for (const label of Object.keys(ASSOCIATION_CHANGES)) {
      expect(found[`association.a_${label}`], label).to.include(label);
    }
    expect(found["association.a_tags"]).to.deep.equal(["tags"]);
    expect(found["association.a_deleted"]).to.deep.equal(["(deleted)"]);
    expect(found["document.content"]).to.include("content");
    expect(found["document.display"]).to.include.members(["content", "display_name"]);
    expect(found["document.tagged"]).to.deep.equal(["tags"]);
    expect(found["document.shared"]).to.deep.equal(["permissions"]);
    expect(found["document.latest"]).to.include("content");
    expect(found["document.deleted"]).to.deep.equal(["(deleted)"]);
    expect(found["document.recreated"]).to.include("content");
    expect(found["document.base"]).to.equal(undefined);
    expect(found["association.a_unchanged_tagged"]).to.equal(undefined);
  });

  it("a no-change plan reads lists, plus tags and sharing only where the configuration manages them", async () => {
    configure();
    const applied = await runApply({ dir, runningLocalEndpoint: endpoint });
    expect(applied.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);

    endpoint.resetCounters();
    const bulk = await runPlan({ dir, runningLocalEndpoint: endpoint });
    expect(bulk.plan!.drift).to.deep.equal([]);
    expect(bulk.plan!.changes.every((c) => c.action === "no-op")).to.equal(true);
    const calls = Object.fromEntries(Object.entries(endpoint.counters()).map(([op, c]) => [op, c.calls]));
    // Tags only for the two associations that manage them; sharing for the document that does;
    // the promote = false document in full (the lists describe default versions only); and one
    // listing of public documents, so that one shared with everyone is found (issue 15).
    expect(calls).to.deep.equal({
      ListAssociations: 1,
      ListDocuments: 2,
      ListTagsForResource: 2,
      DescribeDocumentPermission: 2,
      DescribeDocument: 1,
      GetDocument: 1,
    });

    endpoint.resetCounters();
    const perResource = await runPlan({ dir, runningLocalEndpoint: endpoint, refreshMode: "per-resource" });
    expect(perResource.plan!.drift).to.deep.equal([]);
    const perResourceCalls = Object.values(endpoint.counters()).reduce((n, c) => n + c.calls, 0);
    const resources = applied.result!.state.resources.length;
    expect(perResourceCalls).to.be.at.least(2 * resources);
  });
});
