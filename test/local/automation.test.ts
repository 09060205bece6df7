/**
 * Automation, simulated (issue 20): StartAutomationExecution with and without rate control,
 * GetAutomationExecution, DescribeAutomationExecutions, and the executions that Automation
 * associations start — through @aws-sdk/client-ssm, boto3, and `statectl run --wait`.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAssociationCommand,
  CreateDocumentCommand,
  DescribeAssociationCommand,
  DescribeAssociationExecutionsCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeAutomationExecutionsCommand,
  GetAutomationExecutionCommand,
  StartAutomationExecutionCommand,
  StopAutomationExecutionCommand,
} from "@aws-sdk/client-ssm";
import { expectSsmError, useEndpoint } from "./helpers.js";
import { run } from "../cli/helpers.js";

const RESTART = JSON.stringify({
  schemaVersion: "0.3",
  description: "Restart instances",
  assumeRole: "{{ AutomationAssumeRole }}",
  parameters: {
    AutomationAssumeRole: { type: "String", default: "" },
    InstanceId: { type: "StringList", description: "(Required) Instances to restart" },
  },
  mainSteps: [
    {
      name: "stopInstances",
      action: "aws:changeInstanceState",
      inputs: { InstanceIds: "{{ InstanceId }}", DesiredState: "stopped" },
    },
    {
      name: "startInstances",
      action: "aws:changeInstanceState",
      inputs: { InstanceIds: "{{ InstanceId }}", DesiredState: "running" },
    },
  ],
});
const WEB_1 = "i-0web00000000000a1";
const WEB_2 = "i-0web00000000000a2";

describe("local/automation: Automation executions", function () {
  this.timeout(60_000);
  const h = useEndpoint();
  beforeEach(async () => {
    await h.ssm.send(new CreateDocumentCommand({ Name: "Restart-It", DocumentType: "Automation", Content: RESTART }));
  });

  it("StartAutomationExecution runs every step at once; Get and Describe report it", async () => {
    const { AutomationExecutionId: id } = await h.ssm.send(
      new StartAutomationExecutionCommand({ DocumentName: "Restart-It", Parameters: { InstanceId: [WEB_1] } }),
    );
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    const got = (await h.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id })))
      .AutomationExecution!;
    expect(got).to.include({
      AutomationExecutionId: id,
      DocumentName: "Restart-It",
      DocumentVersion: "1",
      AutomationExecutionStatus: "Success",
      Mode: "Auto",
    });
    expect(got.Parameters).to.deep.equal({ InstanceId: [WEB_1] });
    expect(got.StepExecutions?.map((s) => [s.StepName, s.Action, s.StepStatus])).to.deep.equal([
      ["stopInstances", "aws:changeInstanceState", "Success"],
      ["startInstances", "aws:changeInstanceState", "Success"],
    ]);
    expect(got.ExecutionStartTime).to.be.instanceOf(Date);
    const listed = await h.ssm.send(
      new DescribeAutomationExecutionsCommand({ Filters: [{ Key: "DocumentNamePrefix", Values: ["Restart"] }] }),
    );
    expect(
      listed.AutomationExecutionMetadataList?.map((m) => [m.AutomationExecutionId, m.AutomationExecutionStatus]),
    ).to.deep.equal([[id, "Success"]]);
    await expectSsmError(
      h.ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id })),
      "InvalidAutomationStatusUpdateException",
    );
  });

  it("answers AWS's errors: unknown execution, unknown or non-Automation document, bad parameters", async () => {
    await expectSsmError(
      h.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: "00000000-0000-0000-0000-000000000000" })),
      "AutomationExecutionNotFoundException",
    );
    await expectSsmError(
      h.ssm.send(new StartAutomationExecutionCommand({ DocumentName: "No-Such-Runbook" })),
      "AutomationDefinitionNotFoundException",
    );
    await expectSsmError(
      h.ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: "Restart-It",
          DocumentVersion: "7",
          Parameters: { InstanceId: [WEB_1] },
        }),
      ),
      "AutomationDefinitionVersionNotFoundException",
    );
    await expectSsmError(
      h.ssm.send(
        new StartAutomationExecutionCommand({ DocumentName: "AWS-RunShellScript", Parameters: { commands: ["id"] } }),
      ),
      "InvalidAutomationExecutionParametersException",
    );
    const missing = await expectSsmError(
      h.ssm.send(new StartAutomationExecutionCommand({ DocumentName: "Restart-It" })),
      "InvalidAutomationExecutionParametersException",
    );
    expect(missing.message).to.include("InstanceId");
    await expectSsmError(
      h.ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: "Restart-It",
          Parameters: { InstanceId: [WEB_1], Nope: ["x"] },
        }),
      ),
      "InvalidAutomationExecutionParametersException",
    );
    await expectSsmError(
      h.ssm.send(new DescribeAutomationExecutionsCommand({ Filters: [{ Key: "Nope" as never, Values: ["x"] }] })),
      "ValidationException",
    );
  });

  it("rate control: a parent and one child per target, batches of MaxConcurrency, stopping after MaxErrors", async () => {
    await h.endpoint.failDocument("web-1", "Restart-It");
    const { AutomationExecutionId: parentId } = await h.ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: "Restart-It",
        TargetParameterName: "InstanceId",
        Targets: [{ Key: "tag:Role", Values: ["web"] }],
        MaxConcurrency: "1",
        MaxErrors: "0",
      }),
    );
    const parent = (await h.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: parentId })))
      .AutomationExecution!;
    expect(parent).to.include({
      AutomationExecutionStatus: "Failed",
      TargetParameterName: "InstanceId",
      MaxConcurrency: "1",
      MaxErrors: "0",
    });
    expect(parent.ResolvedTargets).to.deep.equal({ ParameterValues: [WEB_1, WEB_2], Truncated: false });
    const children = (
      await h.ssm.send(
        new DescribeAutomationExecutionsCommand({ Filters: [{ Key: "ParentExecutionId", Values: [parentId!] }] }),
      )
    ).AutomationExecutionMetadataList!;
    // web-1 fails in the first batch of one; MaxErrors 0 leaves web-2 unstarted.
    expect(children.map((c) => [c.Target, c.AutomationExecutionStatus])).to.deep.equal([[WEB_1, "Failed"]]);
    const child = (
      await h.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: children[0]!.AutomationExecutionId }))
    ).AutomationExecution!;
    expect(child.Parameters).to.deep.equal({ InstanceId: [WEB_1] });
    expect(child.StepExecutions?.map((s) => s.StepStatus)).to.deep.equal(["Failed", "Pending"]);

    await h.endpoint.failDocument("web-1", "Restart-It", false);
    const ok = await h.ssm.send(
      new StartAutomationExecutionCommand({
        DocumentName: "Restart-It",
        TargetParameterName: "InstanceId",
        Targets: [{ Key: "ParameterValues", Values: [WEB_1, WEB_2] }],
      }),
    );
    const okChildren = (
      await h.ssm.send(
        new DescribeAutomationExecutionsCommand({
          Filters: [
            { Key: "ParentExecutionId", Values: [ok.AutomationExecutionId!] },
            { Key: "ExecutionStatus", Values: ["Success"] },
          ],
        }),
      )
    ).AutomationExecutionMetadataList!;
    expect(okChildren.map((c) => c.Target).sort()).to.deep.equal([WEB_1, WEB_2]);
  });

  it("an Automation association with rate control starts an execution per target on create, and its overview follows the run", async () => {
    const created = (
      await h.ssm.send(
        new CreateAssociationCommand({
          Name: "Restart-It",
          Targets: [{ Key: "tag:Role", Values: ["web"] }],
          AutomationTargetParameterName: "InstanceId",
          MaxConcurrency: "1",
          MaxErrors: "1",
        }),
      )
    ).AssociationDescription!;
    const executions = (
      await h.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: created.AssociationId }))
    ).AssociationExecutions!;
    expect(executions.map((e) => [e.Status, e.ResourceCountByStatus])).to.deep.equal([["Success", "{Success=2}"]]);
    const targets = (
      await h.ssm.send(
        new DescribeAssociationExecutionTargetsCommand({
          AssociationId: created.AssociationId,
          ExecutionId: executions[0]!.ExecutionId,
        }),
      )
    ).AssociationExecutionTargets!;
    expect(targets.map((t) => [t.ResourceType, t.Status, t.OutputSource?.OutputSourceType])).to.deep.equal([
      ["AutomationExecution", "Success", "AutomationExecution"],
      ["AutomationExecution", "Success", "AutomationExecution"],
    ]);
    const child = (
      await h.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: targets[0]!.ResourceId }))
    ).AutomationExecution!;
    expect(child).to.include({ DocumentName: "Restart-It", Target: WEB_1 });
    expect(child.ParentAutomationExecutionId).to.match(/^[0-9a-f-]{36}$/);
    const overview = (await h.ssm.send(new DescribeAssociationCommand({ AssociationId: created.AssociationId })))
      .AssociationDescription!.Overview;
    expect(overview).to.deep.equal({
      Status: "Success",
      DetailedStatus: "Success",
      AssociationStatusAggregatedCount: { Success: 2 },
    });
    // A new instance that matches is bootstrapped: one more execution, for it alone.
    const web3 = await h.endpoint.addInstance({ name: "web-3", tags: { Role: "web" } });
    const after = (await h.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: created.AssociationId })))
      .AssociationExecutions!;
    expect(after).to.have.length(2);
    expect(after[0]!.ResourceCountByStatus).to.equal("{Success=1}");
    const parents = (
      await h.ssm.send(new DescribeAutomationExecutionsCommand({}))
    ).AutomationExecutionMetadataList!.filter((m) => m.ParentAutomationExecutionId === undefined);
    expect(parents[0]!.ResolvedTargets?.ParameterValues).to.deep.equal([web3.instanceId]);
  });

  it("an Automation association without targets runs once with its parameters", async () => {
    const created = (
      await h.ssm.send(new CreateAssociationCommand({ Name: "Restart-It", Parameters: { InstanceId: [WEB_2] } }))
    ).AssociationDescription!;
    const executions = (
      await h.ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: created.AssociationId }))
    ).AssociationExecutions!;
    expect(executions.map((e) => e.ResourceCountByStatus)).to.deep.equal(["{Success=1}"]);
    const runs = (await h.ssm.send(new DescribeAutomationExecutionsCommand({}))).AutomationExecutionMetadataList!;
    expect(runs).to.have.length(1);
    const got = (
      await h.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: runs[0]!.AutomationExecutionId }))
    ).AutomationExecution!;
    expect(got.Parameters).to.deep.equal({ InstanceId: [WEB_2] });
  });

  it("boto3 starts an execution and reads it back", async () => {
    const script = [
      "import boto3, json, sys",
      "ssm = boto3.client('ssm', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')",
      "eid = ssm.start_automation_execution(DocumentName='Restart-It', Parameters={'InstanceId': ['i-0web00000000000a1']})['AutomationExecutionId']",
      "e = ssm.get_automation_execution(AutomationExecutionId=eid)['AutomationExecution']",
      "listed = ssm.describe_automation_executions(Filters=[{'Key': 'ExecutionId', 'Values': [eid]}])['AutomationExecutionMetadataList']",
      "print(json.dumps({'status': e['AutomationExecutionStatus'], 'steps': [s['StepStatus'] for s in e['StepExecutions']], 'listed': [m['AutomationExecutionId'] == eid for m in listed]}))",
    ].join("\n");
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        "python3",
        ["-c", script, h.endpoint.url],
        {
          env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? "/tmp",
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    expect(JSON.parse(out)).to.deep.equal({ status: "Success", steps: ["Success", "Success"], listed: [true] });
  });
});

describe("cli: statectl run --wait on an Automation association", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-automation-run-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("applies a rate-control Automation association and follows a run to Success", () => {
    writeFileSync(
      join(dir, "main.state"),
      `provider "ssm" {\n  endpoint = "local"\n}\n\ndocument "restart" {\n  name    = "Restart-Web"\n  type    = "Automation"\n  content = ${JSON.stringify(RESTART)}\n}\n\nassociation "restart_web" {\n  document                         = document.restart.name\n  automation_target_parameter_name = "InstanceId"\n  max_concurrency                  = "1"\n  max_errors                       = "0"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n}\n`,
    );
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    const ran = run(dir, ["run", "association.restart_web", "--wait", "30", "--json"]);
    expect(ran.code, ran.stdout + ran.stderr).to.equal(0);
    const result = JSON.parse(ran.stdout) as { runs: Array<{ outcome: string; counts: Record<string, number> }> };
    expect(result.runs.map((r) => [r.outcome, r.counts])).to.deep.equal([["Success", { Success: 2 }]]);
    // The human form of the same: the run's outcome.
    const human = run(dir, ["run", "association.restart_web", "--wait", "30"]);
    expect(human.code, human.stdout + human.stderr).to.equal(0);
    expect(human.stdout).to.include("Success");
  });
});
