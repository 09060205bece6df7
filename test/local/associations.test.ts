import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  AddTagsToResourceCommand,
  CreateAssociationBatchCommand,
  CreateAssociationCommand,
  CreateDocumentCommand,
  DeleteAssociationCommand,
  DeleteDocumentCommand,
  DescribeAssociationCommand,
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeInstanceAssociationsStatusCommand,
  ListAssociationsCommand,
  ListAssociationVersionsCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  StartAssociationsOnceCommand,
  UpdateAssociationCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  paginateDescribeAssociationExecutions,
  paginateListAssociations,
  type CreateAssociationCommandInput,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { startLocalEndpoint } from "../../src/local/index.js";
import { clientFor, commandDoc, expectSsmError, useEndpoint } from "./helpers.js";

const WEB_1 = "i-0web00000000000a1";
const WEB_2 = "i-0web00000000000a2";
const DB_1 = "i-0db000000000000b1";
const WIN_1 = "mi-0win00000000000c1";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const shell = (extra: Partial<CreateAssociationCommandInput> = {}): CreateAssociationCommandInput => ({
  Name: "AWS-RunShellScript",
  Targets: [{ Key: "tag:Role", Values: ["web"] }],
  Parameters: { commands: ["uptime"] },
  ...extra,
});

async function create(ssm: SSMClient, extra: Partial<CreateAssociationCommandInput> = {}) {
  const out = await ssm.send(new CreateAssociationCommand(shell(extra)));
  return out.AssociationDescription!;
}

async function executions(ssm: SSMClient, AssociationId: string) {
  return (await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId }))).AssociationExecutions ?? [];
}

describe("local/associations: associations, executions and the fleet over the SDK", () => {
  const h = useEndpoint();

  describe("CreateAssociation", () => {
    it("stores the request, echoes only what was set, and reports Pending/Creating", async () => {
      const d = await create(h.ssm, { AssociationName: "uptime-web", ScheduleExpression: "rate(1 day)" });
      expect(d.AssociationId).to.match(UUID);
      expect(d.AssociationVersion).to.equal("1");
      expect(d.DocumentVersion).to.equal("$DEFAULT");
      expect(d.Overview).to.deep.equal({ Status: "Pending", DetailedStatus: "Creating" });
      expect(d.ApplyOnlyAtCronInterval).to.equal(false);
      expect(d.Parameters).to.deep.equal({ commands: ["uptime"] });
      expect(d.Date).to.be.instanceOf(Date);
      for (const invented of [
        "MaxConcurrency",
        "MaxErrors",
        "ComplianceSeverity",
        "SyncCompliance",
        "InstanceId",
        "Status",
      ] as const)
        expect(d[invented], invented).to.equal(undefined);
    });

    it("runs at once on its targets and then reports the aggregated result", async () => {
      const d = await create(h.ssm);
      const now = (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })))
        .AssociationDescription!;
      expect(now.Overview).to.deep.equal({
        Status: "Success",
        DetailedStatus: "Success",
        AssociationStatusAggregatedCount: { Success: 2 },
      });
      expect(now.LastExecutionDate).to.be.instanceOf(Date);
      expect(now.LastSuccessfulExecutionDate?.getTime()).to.equal(now.LastExecutionDate?.getTime());
      const [execution] = await executions(h.ssm, d.AssociationId!);
      expect(execution).to.include({
        Status: "Success",
        DetailedStatus: "Success",
        ResourceCountByStatus: "{Success=2}",
        AssociationVersion: "1",
      });
      const targets = await h.ssm.send(
        new DescribeAssociationExecutionTargetsCommand({
          AssociationId: d.AssociationId,
          ExecutionId: execution!.ExecutionId,
        }),
      );
      expect(targets.AssociationExecutionTargets?.map((t) => [t.ResourceId, t.ResourceType, t.Status])).to.deep.equal([
        [WEB_1, "ManagedInstance", "Success"],
        [WEB_2, "ManagedInstance", "Success"],
      ]);
      expect(targets.AssociationExecutionTargets?.[0]?.OutputSource?.OutputSourceType).to.equal("RunCommand");
      expect(targets.AssociationExecutionTargets?.[0]?.OutputSource?.OutputSourceId).to.have.length(36);
    });

    it("holds back with ApplyOnlyAtCronInterval", async () => {
      const d = await create(h.ssm, { ScheduleExpression: "cron(0 2 ? * SUN *)", ApplyOnlyAtCronInterval: true });
      expect(await executions(h.ssm, d.AssociationId!)).to.deep.equal([]);
      expect(
        (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId }))).AssociationDescription
          ?.Overview?.Status,
      ).to.equal("Pending");
    });

    const errors: Array<[string, Partial<CreateAssociationCommandInput>, string, RegExp?]> = [
      ["an unknown document", { Name: "No-Such-Document" }, "InvalidDocument", /No-Such-Document/],
      ["an unknown document version", { DocumentVersion: "7" }, "InvalidDocumentVersion"],
      ["no targets", { Targets: undefined }, "InvalidTarget", /Instance ID or targets must be specified/],
      [
        "an unsupported target key",
        { Targets: [{ Key: "Environment", Values: ["prod"] }] },
        "InvalidTarget",
        /Unsupported Target Type/,
      ],
      ["targets and target maps", { TargetMaps: [{ a: ["b"] }] }, "InvalidTargetMaps"],
      [
        "a missing required parameter",
        { Parameters: {} },
        "InvalidParameters",
        /Parameter "commands" requires a value/,
      ],
      [
        "an undeclared parameter",
        { Parameters: { commands: ["x"], command: ["y"] } },
        "InvalidParameters",
        /"command"/,
      ],
      [
        "a parameter outside its pattern",
        { Parameters: { commands: ["x"], executionTimeout: ["999999"] } },
        "InvalidParameters",
        /executionTimeout/,
      ],
      [
        "a rate with the wrong unit form",
        { ScheduleExpression: "rate(5 hour)" },
        "InvalidSchedule",
        /^The schedule is invalid/,
      ],
      ["a cron more often than every 30 minutes", { ScheduleExpression: "cron(0/15 * * * ? *)" }, "InvalidSchedule"],
      [
        "ScheduleOffset without ApplyOnlyAtCronInterval",
        { ScheduleExpression: "cron(0 0 ? * THU#2 *)", ScheduleOffset: 2 },
        "InvalidSchedule",
      ],
      [
        "ApplyOnlyAtCronInterval with a rate",
        { ScheduleExpression: "rate(1 day)", ApplyOnlyAtCronInterval: true },
        "InvalidSchedule",
      ],
      [
        "a bad association name",
        { AssociationName: "a b" },
        "ValidationException",
        /at 'associationName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
      ],
      ["a bad MaxConcurrency", { MaxConcurrency: "0" }, "ValidationException", /maxConcurrency/],
      [
        "a ScheduleOffset out of range",
        { ScheduleExpression: "cron(0 0 ? * THU#2 *)", ScheduleOffset: 9, ApplyOnlyAtCronInterval: true },
        "ValidationException",
        /scheduleOffset.*less than or equal to 6/,
      ],
      [
        "six targets",
        { Targets: Array.from({ length: 6 }, () => ({ Key: "tag:Role", Values: ["web"] })) },
        "ValidationException",
        /'targets'/,
      ],
      [
        "an output location without a bucket",
        { OutputLocation: { S3Location: { OutputS3Region: "us-east-1" } } },
        "InvalidOutputLocation",
      ],
      [
        "too many tags",
        { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) },
        "TooManyTagsError",
      ],
    ];
    for (const [name, extra, code, message] of errors) {
      it(`refuses ${name} with ${code}`, async () => {
        const err = await expectSsmError(h.ssm.send(new CreateAssociationCommand(shell(extra))), code);
        if (message) expect(err.message).to.match(message);
      });
    }

    it("refuses a document type associations do not support", async () => {
      await h.ssm.send(
        new CreateDocumentCommand({
          Name: "session-prefs",
          DocumentType: "Session",
          Content: JSON.stringify({
            schemaVersion: "1.0",
            description: "x",
            sessionType: "Standard_Stream",
            inputs: {},
          }),
        }),
      );
      const err = await expectSsmError(
        h.ssm.send(
          new CreateAssociationCommand({ Name: "session-prefs", Targets: [{ Key: "InstanceIds", Values: ["*"] }] }),
        ),
        "InvalidDocument",
      );
      expect(err.message).to.equal("Document type Session is not supported for associations");
    });

    it("takes Automation documents without targets, showing AWS's no-op target", async () => {
      const content = JSON.stringify({
        schemaVersion: "0.3",
        description: "restart",
        parameters: { InstanceId: { type: "String", default: "" } },
        mainSteps: [{ name: "wait", action: "aws:sleep", inputs: { Duration: "PT1S" } }],
      });
      await h.ssm.send(
        new CreateDocumentCommand({ Name: "restart-things", DocumentType: "Automation", Content: content }),
      );
      const d = (await h.ssm.send(new CreateAssociationCommand({ Name: "restart-things" }))).AssociationDescription!;
      expect(d.Targets).to.deep.equal([{ Key: "aws:NoOpAutomationTag", Values: ["AWS-NoOpAutomationTarget-Value"] }]);
      const err = await expectSsmError(
        h.ssm.send(
          new CreateAssociationCommand({
            Name: "restart-things",
            Targets: [{ Key: "ParameterValues", Values: ["i-0123456789abcdef0"] }],
          }),
        ),
        "ValidationException",
      );
      expect(err.message).to.equal("Must specify both Automation Target Parameter Name and Targets");
      const both = await h.ssm.send(
        new CreateAssociationCommand({
          Name: "restart-things",
          AutomationTargetParameterName: "InstanceId",
          Targets: [{ Key: "ParameterValues", Values: ["i-0123456789abcdef0"] }],
        }),
      );
      expect(both.AssociationDescription?.AutomationTargetParameterName).to.equal("InstanceId");
    });

    it("accepts a document ARN as the name and echoes it", async () => {
      const arn = "arn:aws:ssm:us-east-1::document/AWS-RunShellScript";
      const d = await create(h.ssm, { Name: arn });
      expect(d.Name).to.equal(arn);
      const listed = (
        await h.ssm.send(
          new ListAssociationsCommand({ AssociationFilterList: [{ key: "Name", value: "AWS-RunShellScript" }] }),
        )
      ).Associations!;
      expect(listed.map((a) => a.AssociationId)).to.deep.equal([d.AssociationId]);
    });

    it("makes a legacy InstanceId association, once per instance and document", async () => {
      const d = (
        await h.ssm.send(
          new CreateAssociationCommand({
            Name: "AWS-RunShellScript",
            InstanceId: DB_1,
            Parameters: { commands: ["id"] },
          }),
        )
      ).AssociationDescription!;
      expect(d.InstanceId).to.equal(DB_1);
      expect(d.Status?.Name).to.equal("Associated");
      expect(d.Status?.Message).to.equal("Associated with AWS-RunShellScript");
      expect(d.Targets).to.deep.equal([{ Key: "InstanceIds", Values: [DB_1] }]);
      await expectSsmError(
        h.ssm.send(
          new CreateAssociationCommand({
            Name: "AWS-RunShellScript",
            InstanceId: DB_1,
            Parameters: { commands: ["id"] },
          }),
        ),
        "AssociationAlreadyExists",
      );
      const byName = await h.ssm.send(new DescribeAssociationCommand({ Name: "AWS-RunShellScript", InstanceId: DB_1 }));
      expect(byName.AssociationDescription?.AssociationId).to.equal(d.AssociationId);
      // 2.x documents cannot be associated by instance id.
      await expectSsmError(
        h.ssm.send(
          new CreateAssociationCommand({
            Name: "AWS-RunPatchBaseline",
            InstanceId: DB_1,
            Parameters: { Operation: ["Scan"] },
          }),
        ),
        "InvalidDocument",
      );
    });

    it("keeps tags apart from the description: ListTagsForResource(Association)", async () => {
      const d = await create(h.ssm, { Tags: [{ Key: "team", Value: "ops" }] });
      expect((d as Record<string, unknown>)["Tags"]).to.equal(undefined);
      const list = async () =>
        (await h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Association", ResourceId: d.AssociationId })))
          .TagList;
      expect(await list()).to.deep.equal([{ Key: "team", Value: "ops" }]);
      await h.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: "Association",
          ResourceId: d.AssociationId,
          Tags: [{ Key: "tier", Value: "1" }],
        }),
      );
      await h.ssm.send(
        new RemoveTagsFromResourceCommand({
          ResourceType: "Association",
          ResourceId: d.AssociationId,
          TagKeys: ["team"],
        }),
      );
      expect(await list()).to.deep.equal([{ Key: "tier", Value: "1" }]);
      await h.ssm.send(new DeleteAssociationCommand({ AssociationId: d.AssociationId }));
      await expectSsmError(
        h.ssm.send(new ListTagsForResourceCommand({ ResourceType: "Association", ResourceId: d.AssociationId })),
        "InvalidResourceId",
      );
    });
  });

  describe("CreateAssociationBatch", () => {
    it("creates the good entries and reports each bad one", async () => {
      const out = await h.ssm.send(
        new CreateAssociationBatchCommand({
          Entries: [
            shell({ AssociationName: "good" }),
            shell({ AssociationName: "bad", ScheduleExpression: "rate(1 hours)" }),
            shell({ Name: "Missing-Doc" }),
          ],
        }),
      );
      expect(out.Successful?.map((d) => d.AssociationName)).to.deep.equal(["good"]);
      expect(out.Failed?.map((f) => [f.Entry?.AssociationName ?? f.Entry?.Name, f.Fault])).to.deep.equal([
        ["bad", "Client"],
        ["Missing-Doc", "Client"],
      ]);
      expect(out.Failed?.[0]?.Message).to.match(/schedule is invalid/);
    });

    it("refuses the same instance in two entries, and malformed entries as a whole", async () => {
      const legacy = { Name: "AWS-RunShellScript", InstanceId: DB_1, Parameters: { commands: ["id"] } };
      await expectSsmError(
        h.ssm.send(new CreateAssociationBatchCommand({ Entries: [legacy, legacy] })),
        "DuplicateInstanceId",
      );
      const err = await expectSsmError(
        h.ssm.send(new CreateAssociationBatchCommand({ Entries: [shell({ MaxErrors: "x" })] })),
        "ValidationException",
      );
      expect(err.message).to.match(/'entries\.1\.member\.maxErrors'/);
      await expectSsmError(h.ssm.send(new CreateAssociationBatchCommand({ Entries: [] })), "ValidationException");
    });
  });

  describe("UpdateAssociation", () => {
    it("replaces omitted optional members, keeps document and targets, and adds a version", async () => {
      const d = await create(h.ssm, {
        AssociationName: "nightly",
        ScheduleExpression: "cron(0 2 ? * * *)",
        MaxConcurrency: "1",
        MaxErrors: "0",
        ComplianceSeverity: "HIGH",
        DocumentVersion: "1",
      });
      const u = (
        await h.ssm.send(
          new UpdateAssociationCommand({ AssociationId: d.AssociationId, Parameters: { commands: ["df -h"] } }),
        )
      ).AssociationDescription!;
      expect(u.AssociationVersion).to.equal("2");
      expect(u.Name).to.equal("AWS-RunShellScript");
      expect(u.Targets).to.deep.equal([{ Key: "tag:Role", Values: ["web"] }]);
      expect(u.DocumentVersion).to.equal("$DEFAULT");
      expect(u.Parameters).to.deep.equal({ commands: ["df -h"] });
      expect(u.Overview).to.deep.equal({ Status: "Pending", DetailedStatus: "Creating" });
      for (const reset of [
        "AssociationName",
        "ScheduleExpression",
        "MaxConcurrency",
        "MaxErrors",
        "ComplianceSeverity",
      ] as const)
        expect(u[reset], reset).to.equal(undefined);
      expect(u.LastUpdateAssociationDate!.getTime()).to.be.at.least(d.LastUpdateAssociationDate!.getTime());

      const versions = (await h.ssm.send(new ListAssociationVersionsCommand({ AssociationId: d.AssociationId })))
        .AssociationVersions!;
      expect(versions.map((v) => [v.AssociationVersion, v.AssociationName, v.ScheduleExpression])).to.deep.equal([
        ["1", "nightly", "cron(0 2 ? * * *)"],
        ["2", undefined, undefined],
      ]);
      const v1 = (
        await h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId, AssociationVersion: "1" }))
      ).AssociationDescription!;
      expect([v1.AssociationVersion, v1.AssociationName, v1.MaxConcurrency]).to.deep.equal(["1", "nightly", "1"]);
      await expectSsmError(
        h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId, AssociationVersion: "3" })),
        "InvalidAssociationVersion",
      );
      // The update ran at once: two executions, the second for version 2.
      expect((await executions(h.ssm, d.AssociationId!)).map((e) => e.AssociationVersion)).to.deep.equal(["2", "1"]);
    });

    it("stays Pending after an update held to its schedule, until the schedule runs it", async () => {
      const d = await create(h.ssm);
      await h.ssm.send(
        new UpdateAssociationCommand({
          AssociationId: d.AssociationId,
          Parameters: { commands: ["x"] },
          ScheduleExpression: "cron(0 */4 * * ? *)",
          ApplyOnlyAtCronInterval: true,
        }),
      );
      await h.endpoint.addInstance({ name: "db-2", tags: { Role: "db" } });
      const held = (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })))
        .AssociationDescription!;
      expect(held.Overview).to.deep.equal({ Status: "Pending", DetailedStatus: "Creating" });
      await h.endpoint.advance("4h");
      const ran = (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })))
        .AssociationDescription!;
      expect(ran.Overview).to.deep.equal({
        Status: "Success",
        DetailedStatus: "Success",
        AssociationStatusAggregatedCount: { Success: 2 },
      });
    });

    it("checks the merged result and the version it updates", async () => {
      const d = await create(h.ssm);
      await expectSsmError(
        h.ssm.send(new UpdateAssociationCommand({ AssociationId: d.AssociationId })),
        "InvalidParameters",
      );
      await expectSsmError(
        h.ssm.send(
          new UpdateAssociationCommand({
            AssociationId: d.AssociationId,
            Parameters: { commands: ["x"] },
            ScheduleExpression: "rate(10 minutes)",
          }),
        ),
        "InvalidSchedule",
      );
      await expectSsmError(
        h.ssm.send(
          new UpdateAssociationCommand({
            AssociationId: d.AssociationId,
            Parameters: { commands: ["x"] },
            AssociationVersion: "5",
          }),
        ),
        "InvalidAssociationVersion",
      );
      await expectSsmError(
        h.ssm.send(
          new UpdateAssociationCommand({
            AssociationId: d.AssociationId,
            Name: "AWS-RunPowerShellScript",
            Parameters: { commands: ["x"] },
          }),
        ),
        "InvalidUpdate",
      );
      await expectSsmError(
        h.ssm.send(
          new UpdateAssociationCommand({
            AssociationId: "00000000-0000-4000-8000-000000000000",
            Parameters: { commands: ["x"] },
          }),
        ),
        "AssociationDoesNotExist",
      );
      const ok = await h.ssm.send(
        new UpdateAssociationCommand({
          AssociationId: d.AssociationId,
          Parameters: { commands: ["x"] },
          AssociationVersion: "$LATEST",
        }),
      );
      expect(ok.AssociationDescription?.AssociationVersion).to.equal("2");
      const again = await h.ssm.send(
        new UpdateAssociationCommand({
          AssociationId: d.AssociationId,
          Parameters: { commands: ["x"] },
          AssociationVersion: "2",
        }),
      );
      expect(again.AssociationDescription?.AssociationVersion).to.equal("3");
    });
  });

  describe("DeleteAssociation, ListAssociations, StartAssociationsOnce", () => {
    it("deletes once; the second delete is AssociationDoesNotExist", async () => {
      const d = await create(h.ssm);
      await h.ssm.send(new DeleteAssociationCommand({ AssociationId: d.AssociationId }));
      await expectSsmError(
        h.ssm.send(new DeleteAssociationCommand({ AssociationId: d.AssociationId })),
        "AssociationDoesNotExist",
      );
      await expectSsmError(
        h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })),
        "AssociationDoesNotExist",
      );
      await expectSsmError(
        h.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: d.AssociationId })),
        "AssociationDoesNotExist",
      );
    });

    it("filters and pages", async () => {
      await create(h.ssm, { AssociationName: "a-web" });
      await create(h.ssm, { AssociationName: "b-db", Targets: [{ Key: "tag:Role", Values: ["db"] }] });
      await create(h.ssm, { AssociationName: "c-win", Targets: [{ Key: "InstanceIds", Values: [WIN_1] }] });
      await h.ssm.send(
        new CreateAssociationCommand({
          Name: "AWS-RunPatchBaseline",
          AssociationName: "patch",
          Targets: [{ Key: "tag-key", Values: ["Role"] }],
          Parameters: { Operation: ["Scan"] },
        }),
      );
      const names = async (filters: Array<{ key: string; value: string }>) =>
        (
          (await h.ssm.send(new ListAssociationsCommand({ AssociationFilterList: filters as never }))).Associations ??
          []
        ).map((a) => a.AssociationName);
      expect(await names([{ key: "Name", value: "AWS-RunShellScript" }])).to.deep.equal(["a-web", "b-db", "c-win"]);
      expect(await names([{ key: "AssociationName", value: "patch" }])).to.deep.equal(["patch"]);
      // A shell script on Windows fails there (InvalidPlatform).
      expect(await names([{ key: "AssociationStatusName", value: "Failed" }])).to.deep.equal(["c-win"]);
      expect(
        await names([
          { key: "AssociationStatusName", value: "Success" },
          { key: "Name", value: "AWS-RunShellScript" },
        ]),
      ).to.deep.equal(["a-web", "b-db"]);
      expect(await names([{ key: "LastExecutedAfter", value: "2000-01-01T00:00:00Z" }])).to.have.length(4);
      expect(await names([{ key: "LastExecutedBefore", value: "2000-01-01T00:00:00Z" }])).to.deep.equal([]);
      await expectSsmError(
        h.ssm.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: "Colour" as never, value: "x" }] })),
        "ValidationException",
      );

      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateListAssociations({ client: h.ssm, pageSize: 1 }, {})) {
        pages++;
        for (const a of page.Associations ?? []) seen.push(a.AssociationName!);
      }
      expect([pages, seen]).to.deep.equal([4, ["a-web", "b-db", "c-win", "patch"]]);
      await expectSsmError(h.ssm.send(new ListAssociationsCommand({ NextToken: "bogus" })), "InvalidNextToken");
      await expectSsmError(h.ssm.send(new ListAssociationsCommand({ MaxResults: 51 })), "ValidationException");
    });

    it("StartAssociationsOnce adds one execution per association", async () => {
      const a = await create(h.ssm);
      const b = await create(h.ssm, { Targets: [{ Key: "tag:Role", Values: ["db"] }] });
      await h.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: [a.AssociationId!, b.AssociationId!] }));
      expect(await executions(h.ssm, a.AssociationId!)).to.have.length(2);
      expect(await executions(h.ssm, b.AssociationId!)).to.have.length(2);
      await expectSsmError(
        h.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: ["00000000-0000-4000-8000-000000000000"] })),
        "AssociationDoesNotExist",
      );
      await expectSsmError(h.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: [] })), "ValidationException");
    });
  });

  describe("executions", () => {
    it("honours MaxConcurrency and MaxErrors", async () => {
      for (const name of ["web-1", "web-2", "db-1"]) await h.endpoint.failDocument(name, "AWS-RunShellScript");
      // One at a time, no errors allowed: the first failure stops the rest.
      const strict = await create(h.ssm, {
        Targets: [{ Key: "InstanceIds", Values: ["*"] }],
        MaxConcurrency: "1",
        MaxErrors: "0",
      });
      const [e1] = await executions(h.ssm, strict.AssociationId!);
      expect(e1).to.include({ Status: "Failed", ResourceCountByStatus: "{Failed=1, Skipped=3}" });
      // Two at a time (50% of 4), one error allowed: the first batch fails twice, the second is skipped.
      const half = await create(h.ssm, {
        Targets: [{ Key: "InstanceIds", Values: ["*"] }],
        MaxConcurrency: "50%",
        MaxErrors: "1",
      });
      const [e2] = await executions(h.ssm, half.AssociationId!);
      const targets = await h.ssm.send(
        new DescribeAssociationExecutionTargetsCommand({
          AssociationId: half.AssociationId,
          ExecutionId: e2!.ExecutionId,
        }),
      );
      expect(targets.AssociationExecutionTargets?.map((t) => [t.ResourceId, t.Status])).to.deep.equal([
        [WEB_1, "Failed"],
        [WEB_2, "Failed"],
        [DB_1, "Skipped"],
        [WIN_1, "Skipped"],
      ]);
      const filtered = await h.ssm.send(
        new DescribeAssociationExecutionTargetsCommand({
          AssociationId: half.AssociationId,
          ExecutionId: e2!.ExecutionId,
          Filters: [{ Key: "Status", Value: "Skipped" }],
        }),
      );
      expect(filtered.AssociationExecutionTargets?.map((t) => t.ResourceId)).to.deep.equal([DB_1, WIN_1]);
      // The default (no MaxErrors: 100%) runs everywhere.
      await h.endpoint.failDocument("web-2", "AWS-RunShellScript", false);
      const lenient = await create(h.ssm, { Targets: [{ Key: "InstanceIds", Values: ["*"] }] });
      expect((await executions(h.ssm, lenient.AssociationId!))[0]?.ResourceCountByStatus).to.equal(
        "{Failed=3, Success=1}",
      );
      await expectSsmError(
        h.ssm.send(
          new DescribeAssociationExecutionTargetsCommand({
            AssociationId: half.AssociationId,
            ExecutionId: "00000000-0000-4000-8000-000000000000",
          }),
        ),
        "AssociationExecutionDoesNotExist",
      );
    });

    it("reports per-instance status, including a document the platform cannot run", async () => {
      const d = await create(h.ssm, {
        AssociationName: "everywhere",
        Targets: [{ Key: "InstanceIds", Values: ["*"] }],
      });
      const onWindows = (await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: WIN_1 })))
        .InstanceAssociationStatusInfos!;
      expect(onWindows).to.have.length(1);
      expect(onWindows[0]).to.include({
        AssociationId: d.AssociationId,
        Name: "AWS-RunShellScript",
        DocumentVersion: "1",
        AssociationVersion: "1",
        Status: "Failed",
        DetailedStatus: "InvalidPlatform",
        AssociationName: "everywhere",
      });
      const onLinux = (await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: WEB_1 })))
        .InstanceAssociationStatusInfos!;
      expect(onLinux[0]).to.include({
        Status: "Success",
        ExecutionSummary: "1 out of 1 plugin processed, 1 success, 0 failed, 0 timedout, 0 skipped.",
      });
      await expectSsmError(
        h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: "i-0123456789abcdef0" })),
        "InvalidInstanceId",
      );
      // A 2.2 document whose steps have platform preconditions runs its Windows step there.
      const patch = (
        await h.ssm.send(
          new CreateAssociationCommand({
            Name: "AWS-RunPatchBaseline",
            Targets: [{ Key: "InstanceIds", Values: [WIN_1] }],
            Parameters: { Operation: ["Scan"] },
          }),
        )
      ).AssociationDescription!;
      const status = (
        await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: WIN_1 }))
      ).InstanceAssociationStatusInfos!.find((s) => s.AssociationId === patch.AssociationId);
      expect(status).to.include({
        Status: "Success",
        ExecutionSummary: "3 out of 3 plugins processed, 1 success, 0 failed, 0 timedout, 2 skipped.",
      });
    });

    it("filters executions by status and time", async () => {
      const d = await create(h.ssm, { Targets: [{ Key: "InstanceIds", Values: [WEB_1] }] });
      await h.endpoint.failDocument("web-1", "AWS-RunShellScript");
      await h.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: [d.AssociationId!] }));
      const byStatus = (s: string) =>
        h.ssm.send(
          new DescribeAssociationExecutionsCommand({
            AssociationId: d.AssociationId,
            Filters: [{ Key: "Status", Value: s, Type: "EQUAL" }],
          }),
        );
      expect((await byStatus("Failed")).AssociationExecutions).to.have.length(1);
      expect((await byStatus("Success")).AssociationExecutions).to.have.length(1);
      const after = await h.ssm.send(
        new DescribeAssociationExecutionsCommand({
          AssociationId: d.AssociationId,
          Filters: [{ Key: "CreatedTime", Value: "2000-01-01T00:00:00Z", Type: "GREATER_THAN" }],
        }),
      );
      expect(after.AssociationExecutions).to.have.length(2);
    });
  });

  describe("the clock and the fleet", () => {
    it("runs scheduled associations as the clock advances, each at its own time", async () => {
      const d = await create(h.ssm, { ScheduleExpression: "cron(0 */4 * * ? *)", ApplyOnlyAtCronInterval: true });
      const before = h.endpoint.now();
      expect(await h.endpoint.advance("1d")).to.equal(6);
      expect(h.endpoint.now() - before).to.be.at.least(86_400_000);
      const runs = await executions(h.ssm, d.AssociationId!);
      expect(runs).to.have.length(6);
      const times = runs.map((e) => e.CreatedTime!.getTime()).reverse();
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).to.equal(4 * 3_600_000);
      for (const t of times) expect(new Date(t).getUTCHours() % 4).to.equal(0);
      // rate() counts from creation: 1 run at creation, then one per 12 hours.
      const r = await create(h.ssm, { ScheduleExpression: "rate(12 hours)" });
      await h.endpoint.advance("36h");
      expect(await executions(h.ssm, r.AssociationId!)).to.have.length(4);
    });

    it("keeps 30 days of executions: a long advance neither simulates nor stores what falls before", async () => {
      const daily = await create(h.ssm, { ScheduleExpression: "rate(1 day)" });
      const hourly = await create(h.ssm, { ScheduleExpression: "rate(1 hour)" });
      const ran = await h.endpoint.advance("400d");
      const all = async (AssociationId: string) => {
        const out: { CreatedTime?: Date }[] = [];
        for await (const page of paginateDescribeAssociationExecutions({ client: h.ssm }, { AssociationId }))
          out.push(...(page.AssociationExecutions ?? []));
        return out;
      };
      const now = h.endpoint.now();
      const dailyRuns = await all(daily.AssociationId!);
      // The runs of the last 30 days, one a day, and none older.
      expect(dailyRuns.length).to.be.within(30, 31);
      for (const e of dailyRuns) expect(now - e.CreatedTime!.getTime()).to.be.at.most(30 * 86_400_000);
      // Hourly: within the window the catch-up limit applies (100 runs replayed, the rest skipped).
      const hourlyRuns = await all(hourly.AssociationId!);
      expect(hourlyRuns.length).to.equal(100);
      expect(ran).to.equal(dailyRuns.length + hourlyRuns.length);
      const latest = (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: daily.AssociationId })))
        .AssociationDescription!;
      expect(now - latest.LastExecutionDate!.getTime()).to.be.below(86_400_000);
    });

    it("bootstraps an instance that joins the fleet or gains a matching tag", async () => {
      const d = await create(h.ssm);
      const added = await h.endpoint.addInstance({ name: "web-3", tags: { Role: "web" } });
      const status = (await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: added.instanceId })))
        .InstanceAssociationStatusInfos!;
      expect(status.map((s) => [s.AssociationId, s.Status])).to.deep.equal([[d.AssociationId, "Success"]]);
      // Changing an EC2 instance's (simulated EC2) tags retargets too.
      await h.endpoint.tagInstance(DB_1, { Role: "web" });
      const db = (await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: DB_1 })))
        .InstanceAssociationStatusInfos!;
      expect(db.map((s) => s.AssociationId)).to.deep.equal([d.AssociationId]);
      const described = (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })))
        .AssociationDescription!;
      expect(described.Overview?.AssociationStatusAggregatedCount).to.deep.equal({ Success: 4 });
      const runs = await executions(h.ssm, d.AssociationId!);
      expect(runs.map((e) => e.ResourceCountByStatus)).to.deep.equal(["{Success=1}", "{Success=1}", "{Success=2}"]);
      expect((await h.endpoint.fleet()).find((i) => i.instanceId === added.instanceId)?.tags).to.deep.equal({
        Role: "web",
      });
      // Leaving the fleet removes the instance from the counts.
      await h.endpoint.removeInstance("web-3");
      const after = (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })))
        .AssociationDescription!;
      expect(after.Overview?.AssociationStatusAggregatedCount).to.deep.equal({ Success: 3 });
      expect((await h.endpoint.fleet()).map((i) => i.instanceId)).to.not.include(added.instanceId);
    });
  });

  describe("documents in use", () => {
    it("deletes a custom document's associations with it, but refuses while a legacy association uses it", async () => {
      await h.ssm.send(new CreateDocumentCommand({ Name: "hello", DocumentType: "Command", Content: commandDoc() }));
      const d = (
        await h.ssm.send(
          new CreateAssociationCommand({ Name: "hello", Targets: [{ Key: "tag:Role", Values: ["web"] }] }),
        )
      ).AssociationDescription!;
      await h.ssm.send(new DeleteDocumentCommand({ Name: "hello" }));
      await expectSsmError(
        h.ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })),
        "AssociationDoesNotExist",
      );

      const legacyDoc = JSON.stringify({
        schemaVersion: "1.2",
        description: "legacy",
        runtimeConfig: { "aws:runShellScript": { properties: [{ id: "0.aws:runShellScript", runCommand: ["id"] }] } },
      });
      await h.ssm.send(new CreateDocumentCommand({ Name: "legacy", DocumentType: "Command", Content: legacyDoc }));
      await h.ssm.send(new CreateAssociationCommand({ Name: "legacy", InstanceId: WEB_1 }));
      await expectSsmError(h.ssm.send(new DeleteDocumentCommand({ Name: "legacy" })), "AssociatedInstances");
    });

    it("re-applies associations on $DEFAULT when the default version moves", async () => {
      await h.ssm.send(new CreateDocumentCommand({ Name: "hello", DocumentType: "Command", Content: commandDoc() }));
      const d = (
        await h.ssm.send(
          new CreateAssociationCommand({ Name: "hello", Targets: [{ Key: "tag:Role", Values: ["db"] }] }),
        )
      ).AssociationDescription!;
      await h.ssm.send(
        new UpdateDocumentCommand({ Name: "hello", Content: commandDoc(["echo v2"]), DocumentVersion: "$LATEST" }),
      );
      await h.ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "hello", DocumentVersion: "2" }));
      const status = (await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: DB_1 })))
        .InstanceAssociationStatusInfos!;
      expect(status[0]).to.include({ AssociationId: d.AssociationId, DocumentVersion: "2" });
      expect(await executions(h.ssm, d.AssociationId!)).to.have.length(2);
    });
  });
});

describe("local/associations: refusing a document in use when configured to", () => {
  const h = useEndpoint({ settings: { deleteDocumentInUse: "refuse", rejectDuplicateAssociations: true } });

  it("answers AssociatedInstances, and AssociationAlreadyExists for a duplicate document+targets", async () => {
    await h.ssm.send(new CreateDocumentCommand({ Name: "hello", DocumentType: "Command", Content: commandDoc() }));
    await h.ssm.send(new CreateAssociationCommand({ Name: "hello", Targets: [{ Key: "tag:Role", Values: ["web"] }] }));
    await expectSsmError(
      h.ssm.send(new CreateAssociationCommand({ Name: "hello", Targets: [{ Key: "tag:Role", Values: ["web"] }] })),
      "AssociationAlreadyExists",
    );
    await expectSsmError(h.ssm.send(new DeleteDocumentCommand({ Name: "hello" })), "AssociatedInstances");
  });
});

describe("local/associations: persistence", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "statectl-assoc-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps associations, versions, executions, the fleet and the clock across restarts", async () => {
    let endpoint = await startLocalEndpoint({ dataDir: dir });
    let ssm = clientFor(endpoint.url);
    const d = (
      await ssm.send(
        new CreateAssociationCommand(shell({ ScheduleExpression: "rate(1 day)", Tags: [{ Key: "k", Value: "v" }] })),
      )
    ).AssociationDescription!;
    await ssm.send(
      new UpdateAssociationCommand({
        AssociationId: d.AssociationId,
        Parameters: { commands: ["x"] },
        ScheduleExpression: "rate(1 day)",
      }),
    );
    await endpoint.addInstance({ name: "web-9", instanceId: "i-0123456789abcdef9", tags: { Role: "web" } });
    await endpoint.failDocument("web-9", "AWS-RunShellScript");
    await endpoint.advance("2d");
    const clockBefore = endpoint.now();
    ssm.destroy();
    await endpoint.stop();

    endpoint = await startLocalEndpoint({ dataDir: dir });
    ssm = clientFor(endpoint.url);
    try {
      expect(endpoint.now()).to.be.at.least(clockBefore);
      expect(endpoint.now() - Date.now()).to.be.at.least(2 * 86_400_000 - 1000);
      const again = (await ssm.send(new DescribeAssociationCommand({ AssociationId: d.AssociationId })))
        .AssociationDescription!;
      expect(again.AssociationVersion).to.equal("2");
      expect(again.Overview?.AssociationStatusAggregatedCount).to.deep.equal({ Success: 2, Failed: 1 });
      // create, update, bootstrap of web-9, two daily runs.
      expect(await executions(ssm, d.AssociationId!)).to.have.length(5);
      expect((await endpoint.fleet()).map((i) => i.name)).to.include("web-9");
      expect(
        (await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Association", ResourceId: d.AssociationId })))
          .TagList,
      ).to.deep.equal([{ Key: "k", Value: "v" }]);
    } finally {
      ssm.destroy();
      await endpoint.stop();
    }
  });
});
