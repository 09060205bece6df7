// Compliance, Run Command output, effective associations and change calendars on the local
// endpoint, through the real SDK (issue 19).
import { expect } from "chai";
import {
  CreateAssociationCommand,
  CreateDocumentCommand,
  DeleteAssociationCommand,
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeEffectiveInstanceAssociationsCommand,
  DescribeInstanceAssociationsStatusCommand,
  GetCalendarStateCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListComplianceItemsCommand,
  ListComplianceSummariesCommand,
  ListResourceComplianceSummariesCommand,
  PutComplianceItemsCommand,
  StartAssociationsOnceCommand,
  paginateDescribeEffectiveInstanceAssociations,
  paginateListComplianceItems,
  type CreateAssociationCommandInput,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { expectSsmError, useEndpoint } from "./helpers.js";

const WEB_1 = "i-0web00000000000a1";
const WEB_2 = "i-0web00000000000a2";
const DB_1 = "i-0db000000000000b1";

async function associate(ssm: SSMClient, extra: Partial<CreateAssociationCommandInput> = {}): Promise<string> {
  const out = await ssm.send(
    new CreateAssociationCommand({
      Name: "AWS-RunShellScript",
      Targets: [{ Key: "tag:Role", Values: ["web"] }],
      Parameters: { commands: ["echo 'checking nginx'", "systemctl is-active nginx", "echo done"] },
      ...extra,
    }),
  );
  return out.AssociationDescription!.AssociationId!;
}

async function newestExecution(ssm: SSMClient, id: string) {
  return (await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id }))).AssociationExecutions![0]!;
}

const calendar = (type: "DEFAULT_OPEN" | "DEFAULT_CLOSED", events: string) =>
  [
    "BEGIN:VCALENDAR",
    "PRODID:-//AWS//Change Calendar 1.0//EN",
    "VERSION:2.0",
    `X-CALENDAR-TYPE:${type}`,
    events,
    "END:VCALENDAR",
  ]
    .filter((l) => l)
    .join("\r\n");

describe("local/visibility: compliance, command output, effective associations, calendars", () => {
  const h = useEndpoint();

  describe("association compliance", () => {
    it("each run reports an Association item per instance with the association's severity", async () => {
      await h.endpoint.failDocument("web-2", "AWS-RunShellScript");
      const id = await associate(h.ssm, { ComplianceSeverity: "HIGH", AssociationName: "nginx-check" });
      const execution = await newestExecution(h.ssm, id);
      const web2 = (
        await h.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [WEB_2], ResourceTypes: ["ManagedInstance"] }))
      ).ComplianceItems!;
      expect(web2).to.have.length(1);
      expect(web2[0]).to.deep.include({
        ComplianceType: "Association",
        ResourceType: "ManagedInstance",
        ResourceId: WEB_2,
        Id: id,
        Title: "nginx-check",
        Status: "NON_COMPLIANT",
        Severity: "HIGH",
      });
      expect(web2[0]!.Details).to.deep.equal({ DocumentName: "AWS-RunShellScript", DocumentVersion: "1" });
      expect(web2[0]!.ExecutionSummary).to.deep.include({
        ExecutionId: execution.ExecutionId,
        ExecutionType: "Command",
      });
      expect(web2[0]!.ExecutionSummary!.ExecutionTime).to.be.instanceOf(Date);
      const web1 = (await h.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [WEB_1] }))).ComplianceItems!;
      expect(web1.map((i) => i.Status)).to.deep.equal(["COMPLIANT"]);
      // The db instance is not targeted: it has no item.
      expect((await h.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [DB_1] }))).ComplianceItems).to.deep.equal(
        [],
      );

      const summaries = (await h.ssm.send(new ListComplianceSummariesCommand({}))).ComplianceSummaryItems!;
      expect(summaries).to.have.length(1);
      expect(summaries[0]!.ComplianceType).to.equal("Association");
      expect(summaries[0]!.CompliantSummary).to.deep.include({ CompliantCount: 1 });
      expect(summaries[0]!.NonCompliantSummary!.NonCompliantCount).to.equal(1);
      expect(summaries[0]!.NonCompliantSummary!.SeveritySummary).to.deep.include({ HighCount: 1, CriticalCount: 0 });

      const perResource = (
        await h.ssm.send(
          new ListResourceComplianceSummariesCommand({
            Filters: [{ Key: "Status", Values: ["NON_COMPLIANT"], Type: "EQUAL" }],
          }),
        )
      ).ResourceComplianceSummaryItems!;
      expect(perResource.map((r) => [r.ResourceId, r.Status, r.OverallSeverity])).to.deep.equal([
        [WEB_2, "NON_COMPLIANT", "HIGH"],
      ]);
      expect(perResource[0]!.NonCompliantSummary!.NonCompliantCount).to.equal(1);

      // The instance recovers: the next run makes it compliant again.
      await h.endpoint.failDocument("web-2", "AWS-RunShellScript", false);
      await h.ssm.send(new StartAssociationsOnceCommand({ AssociationIds: [id] }));
      const again = (
        await h.ssm.send(
          new ListComplianceItemsCommand({
            ResourceIds: [WEB_2],
            Filters: [{ Key: "ComplianceType", Values: ["Association"], Type: "EQUAL" }],
          }),
        )
      ).ComplianceItems!;
      expect(again.map((i) => i.Status)).to.deep.equal(["COMPLIANT"]);

      // A deleted association's items go with it.
      await h.ssm.send(new DeleteAssociationCommand({ AssociationId: id }));
      expect(
        (await h.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [WEB_2] }))).ComplianceItems,
      ).to.deep.equal([]);
    });

    it("SyncCompliance MANUAL reports nothing by itself; PutComplianceItems PARTIAL reports for it", async () => {
      const id = await associate(h.ssm, { SyncCompliance: "MANUAL" });
      expect(
        (await h.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [WEB_1] }))).ComplianceItems,
      ).to.deep.equal([]);
      await h.ssm.send(
        new PutComplianceItemsCommand({
          ResourceId: WEB_1,
          ResourceType: "ManagedInstance",
          ComplianceType: "Association",
          UploadType: "PARTIAL",
          ExecutionSummary: { ExecutionTime: new Date("2026-01-01T00:00:00Z") },
          Items: [{ Id: id, Severity: "CRITICAL", Status: "NON_COMPLIANT" }],
        }),
      );
      const items = (await h.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [WEB_1] }))).ComplianceItems!;
      expect(items.map((i) => [i.Id, i.Status, i.Severity])).to.deep.equal([[id, "NON_COMPLIANT", "CRITICAL"]]);
      // PARTIAL is for associations that leave reporting to you.
      const auto = await associate(h.ssm);
      await expectSsmError(
        h.ssm.send(
          new PutComplianceItemsCommand({
            ResourceId: WEB_1,
            ResourceType: "ManagedInstance",
            ComplianceType: "Association",
            UploadType: "PARTIAL",
            ExecutionSummary: { ExecutionTime: new Date() },
            Items: [{ Id: auto, Severity: "LOW", Status: "COMPLIANT" }],
          }),
        ),
        "InvalidItemContentException",
      );
    });
  });

  describe("PutComplianceItems and the lists", () => {
    it("stores custom compliance, filters, pages, and answers with AWS's error codes", async () => {
      const items = Array.from({ length: 7 }, (_, i) => ({
        Id: `check-${i}`,
        Title: `Check ${i}`,
        Severity: i === 0 ? ("CRITICAL" as const) : ("LOW" as const),
        Status: i < 2 ? ("NON_COMPLIANT" as const) : ("COMPLIANT" as const),
        Details: { Kind: "av" },
      }));
      await h.ssm.send(
        new PutComplianceItemsCommand({
          ResourceId: DB_1,
          ResourceType: "ManagedInstance",
          ComplianceType: "Custom:AVCheck",
          ExecutionSummary: {
            ExecutionTime: new Date("2026-02-18T16:00:00Z"),
            ExecutionId: "scan-1",
            ExecutionType: "Custom",
          },
          Items: items,
        }),
      );
      const all: string[] = [];
      for await (const page of paginateListComplianceItems({ client: h.ssm, pageSize: 3 }, { ResourceIds: [DB_1] })) {
        expect(page.ComplianceItems!.length).to.be.at.most(3);
        all.push(...page.ComplianceItems!.map((i) => i.Id!));
      }
      expect(all).to.have.members(items.map((i) => i.Id));
      const failing = (
        await h.ssm.send(
          new ListComplianceItemsCommand({
            ResourceIds: [DB_1],
            Filters: [{ Key: "Status", Values: ["NON_COMPLIANT"], Type: "EQUAL" }],
          }),
        )
      ).ComplianceItems!;
      expect(failing.map((i) => i.Id)).to.deep.equal(["check-0", "check-1"]);
      const after = (
        await h.ssm.send(
          new ListComplianceItemsCommand({
            ResourceIds: [DB_1],
            Filters: [{ Key: "ExecutionTime", Values: ["2026-02-18T15:00:00Z"], Type: "GREATER_THAN" }],
          }),
        )
      ).ComplianceItems!;
      expect(after).to.have.length(7);
      const summary = (
        await h.ssm.send(
          new ListResourceComplianceSummariesCommand({
            Filters: [{ Key: "ComplianceType", Values: ["Custom:AVCheck"], Type: "EQUAL" }],
          }),
        )
      ).ResourceComplianceSummaryItems!;
      expect(summary[0]).to.deep.include({ ResourceId: DB_1, Status: "NON_COMPLIANT", OverallSeverity: "CRITICAL" });
      expect(summary[0]!.CompliantSummary).to.deep.include({ CompliantCount: 5 });
      expect(summary[0]!.ExecutionSummary).to.deep.include({ ExecutionId: "scan-1", ExecutionType: "Custom" });
      // COMPLETE (the default) replaces the type's items.
      await h.ssm.send(
        new PutComplianceItemsCommand({
          ResourceId: DB_1,
          ResourceType: "ManagedInstance",
          ComplianceType: "Custom:AVCheck",
          ExecutionSummary: { ExecutionTime: new Date() },
          Items: [{ Id: "only", Severity: "MEDIUM", Status: "COMPLIANT" }],
        }),
      );
      expect(
        (await h.ssm.send(new ListComplianceItemsCommand({ ResourceIds: [DB_1] }))).ComplianceItems!.map((i) => i.Id),
      ).to.deep.equal(["only"]);

      await expectSsmError(
        h.ssm.send(
          new PutComplianceItemsCommand({
            ResourceId: DB_1,
            ResourceType: "Document",
            ComplianceType: "Custom:X1",
            ExecutionSummary: { ExecutionTime: new Date() },
            Items: [],
          }),
        ),
        "InvalidResourceType",
      );
      await expectSsmError(
        h.ssm.send(
          new PutComplianceItemsCommand({
            ResourceId: "i-0nope000000000000",
            ResourceType: "ManagedInstance",
            ComplianceType: "Custom:X1",
            ExecutionSummary: { ExecutionTime: new Date() },
            Items: [],
          }),
        ),
        "InvalidResourceId",
      );
      await expectSsmError(
        h.ssm.send(
          new PutComplianceItemsCommand({
            ResourceId: DB_1,
            ResourceType: "ManagedInstance",
            ComplianceType: "Custom:X1",
            ExecutionSummary: { ExecutionTime: new Date() },
            Items: [{ Severity: "SEVERE" as "LOW", Status: "COMPLIANT" }],
          }),
        ),
        "ValidationException",
      );
      await expectSsmError(
        h.ssm.send(new ListComplianceItemsCommand({ ResourceTypes: ["Document"] })),
        "InvalidResourceType",
      );
      await expectSsmError(
        h.ssm.send(new ListComplianceItemsCommand({ Filters: [{ Key: "Colour", Values: ["red"], Type: "EQUAL" }] })),
        "InvalidFilter",
      );
      await expectSsmError(h.ssm.send(new ListComplianceSummariesCommand({ NextToken: "bogus" })), "InvalidNextToken");
      for (let i = 2; i <= 10; i++)
        await h.ssm.send(
          new PutComplianceItemsCommand({
            ResourceId: DB_1,
            ResourceType: "ManagedInstance",
            ComplianceType: `Custom:T${i}`,
            ExecutionSummary: { ExecutionTime: new Date() },
            Items: [],
          }),
        );
      await expectSsmError(
        h.ssm.send(
          new PutComplianceItemsCommand({
            ResourceId: DB_1,
            ResourceType: "ManagedInstance",
            ComplianceType: "Custom:Eleventh",
            ExecutionSummary: { ExecutionTime: new Date() },
            Items: [],
          }),
        ),
        "ComplianceTypeCountLimitExceededException",
      );
    });
  });

  describe("Run Command invocations carry each run's output", () => {
    it("ListCommandInvocations and GetCommandInvocation return what the simulated agent printed", async () => {
      await h.endpoint.failDocument("web-2", "AWS-RunShellScript");
      const id = await associate(h.ssm);
      const execution = await newestExecution(h.ssm, id);
      const targets = (
        await h.ssm.send(
          new DescribeAssociationExecutionTargetsCommand({ AssociationId: id, ExecutionId: execution.ExecutionId! }),
        )
      ).AssociationExecutionTargets!;
      const commandId = targets[0]!.OutputSource!.OutputSourceId!;
      expect(commandId).to.have.length(36);
      const list = (await h.ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true })))
        .CommandInvocations!;
      expect(list.map((i) => [i.InstanceId, i.Status]).sort()).to.deep.equal([
        [WEB_1, "Success"],
        [WEB_2, "Failed"],
      ]);
      const ok = list.find((i) => i.InstanceId === WEB_1)!;
      expect(ok.Comment).to.equal(`${id}:${execution.ExecutionId}`);
      expect(ok.DocumentName).to.equal("AWS-RunShellScript");
      expect(ok.CommandPlugins![0]).to.deep.include({
        Name: "aws:runShellScript",
        Status: "Success",
        ResponseCode: 0,
        Output: "checking nginx\ndone\n",
      });

      const failed = await h.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: WEB_2 }));
      expect(failed.Status).to.equal("Failed");
      expect(failed.ResponseCode).to.equal(1);
      expect(failed.StandardOutputContent).to.equal("checking nginx\ndone\n");
      expect(failed.StandardErrorContent).to.contain("failed to run commands: exit status 1");
      expect(failed.StandardOutputUrl).to.equal("");
      const byInstance = (await h.ssm.send(new ListCommandInvocationsCommand({ InstanceId: WEB_2 })))
        .CommandInvocations!;
      expect(byInstance.map((i) => i.CommandId)).to.deep.equal([commandId]);
      expect(byInstance[0]!.CommandPlugins).to.equal(undefined);

      await expectSsmError(
        h.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: DB_1 })),
        "InvocationDoesNotExist",
      );
      await expectSsmError(
        h.ssm.send(
          new GetCommandInvocationCommand({ CommandId: "00000000-0000-4000-8000-000000000000", InstanceId: WEB_1 }),
        ),
        "InvalidCommandId",
      );
      await expectSsmError(
        h.ssm.send(
          new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: WEB_1, PluginName: "aws:nothing" }),
        ),
        "InvalidPluginName",
      );
    });

    it("points at S3 when the association writes its output there", async () => {
      const id = await associate(h.ssm, {
        OutputLocation: { S3Location: { OutputS3BucketName: "run-logs", OutputS3KeyPrefix: "nginx" } },
      });
      const status = (
        await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: WEB_1 }))
      ).InstanceAssociationStatusInfos!.find((i) => i.AssociationId === id)!;
      expect(status.OutputUrl?.S3OutputUrl?.OutputUrl).to.match(
        /^https:\/\/s3\.us-east-1\.amazonaws\.com\/run-logs\/nginx\/[0-9a-f-]{36}\/i-0web00000000000a1$/,
      );
      const inv = (await h.ssm.send(new ListCommandInvocationsCommand({ InstanceId: WEB_1 }))).CommandInvocations![0]!;
      expect(inv.StandardOutputUrl).to.contain("https://s3.us-east-1.amazonaws.com/run-logs/nginx/");
    });
  });

  describe("DescribeEffectiveInstanceAssociations", () => {
    it("lists every association targeting the instance with its document content, five a page", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await associate(h.ssm));
      await associate(h.ssm, { Targets: [{ Key: "tag:Role", Values: ["db"] }] });
      const seen: string[] = [];
      for await (const page of paginateDescribeEffectiveInstanceAssociations(
        { client: h.ssm },
        { InstanceId: WEB_1 },
      )) {
        expect(page.Associations!.length).to.be.at.most(5);
        for (const a of page.Associations!) {
          expect(a.InstanceId).to.equal(WEB_1);
          expect(a.AssociationVersion).to.equal("1");
          expect(JSON.parse(a.Content!)).to.have.property("runtimeConfig");
          seen.push(a.AssociationId!);
        }
      }
      expect(seen).to.have.members(ids);
      await expectSsmError(
        h.ssm.send(new DescribeEffectiveInstanceAssociationsCommand({ InstanceId: "i-0nope000000000000" })),
        "InvalidInstanceId",
      );
      await expectSsmError(
        h.ssm.send(new DescribeEffectiveInstanceAssociationsCommand({ InstanceId: WEB_1, MaxResults: 6 })),
        "ValidationException",
      );
    });
  });

  describe("change calendars", () => {
    async function createCalendar(name: string, content: string) {
      await h.ssm.send(
        new CreateDocumentCommand({
          Name: name,
          DocumentType: "ChangeCalendar",
          DocumentFormat: "TEXT",
          Content: content,
        }),
      );
    }

    it("GetCalendarState reads DEFAULT_OPEN and DEFAULT_CLOSED calendars, their events and the next transition", async () => {
      await createCalendar(
        "freeze",
        calendar(
          "DEFAULT_OPEN",
          [
            "BEGIN:VEVENT",
            "UID:f1",
            "DTSTART:20300101T000000Z",
            "DTEND:20300102T000000Z",
            "SUMMARY:freeze",
            "END:VEVENT",
          ].join("\r\n"),
        ),
      );
      await createCalendar(
        "window",
        calendar(
          "DEFAULT_CLOSED",
          [
            "BEGIN:VEVENT",
            "UID:w1",
            "DTSTART:20300101T120000Z",
            "DTEND:20300101T130000Z",
            "RRULE:FREQ=DAILY;COUNT=3",
            "SUMMARY:window",
            "END:VEVENT",
          ].join("\r\n"),
        ),
      );
      const at = async (names: string[], time: string) =>
        h.ssm.send(new GetCalendarStateCommand({ CalendarNames: names, AtTime: time }));
      expect(await at(["freeze"], "2029-12-31T12:00:00Z")).to.deep.include({
        State: "OPEN",
        AtTime: "2029-12-31T12:00:00Z",
        NextTransitionTime: "2030-01-01T00:00:00Z",
      });
      expect((await at(["freeze"], "2030-01-01T06:00:00Z")).State).to.equal("CLOSED");
      expect((await at(["window"], "2030-01-02T12:30:00Z")).State).to.equal("OPEN");
      expect((await at(["window"], "2030-01-02T14:00:00Z")).NextTransitionTime).to.equal("2030-01-03T12:00:00Z");
      expect((await at(["window"], "2030-01-05T12:30:00Z")).State).to.equal("CLOSED");
      // Several calendars: OPEN only when all are open.
      expect((await at(["freeze", "window"], "2030-01-01T12:30:00Z")).State).to.equal("CLOSED");
      expect((await at(["freeze", "window"], "2030-01-02T12:30:00Z")).State).to.equal("OPEN");
      await expectSsmError(at(["missing-calendar"], "2030-01-01T00:00:00Z"), "InvalidDocument");
      await expectSsmError(at(["AWS-RunShellScript"], "2030-01-01T00:00:00Z"), "InvalidDocumentType");
    });

    it("an association gated by a closed calendar does not run; the execution is recorded as Skipped", async () => {
      await createCalendar("always-closed", calendar("DEFAULT_CLOSED", ""));
      const id = await associate(h.ssm, { CalendarNames: ["always-closed"] });
      const execution = await newestExecution(h.ssm, id);
      expect(execution).to.deep.include({ Status: "Skipped", DetailedStatus: "ChangeCalendarClosed" });
      expect(
        (await h.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: WEB_1 })))
          .InstanceAssociationStatusInfos,
      ).to.deep.equal([]);
      await createCalendar("always-open", calendar("DEFAULT_OPEN", ""));
      const open = await associate(h.ssm, { CalendarNames: ["always-open"] });
      expect((await newestExecution(h.ssm, open)).Status).to.equal("Success");
    });
  });
});
