/**
 * The AWS-owned document catalog (issue 20): the documents State Manager users run, with their
 * document types, platforms and parameter schemas — as the local endpoint serves them over the
 * real SDK, and as `validate` checks associations against them.
 */
import { expect } from "chai";
import { CreateAssociationCommand, DescribeDocumentCommand, ListDocumentsCommand } from "@aws-sdk/client-ssm";
import { loadConfig } from "../../src/config/index.js";
import { renderDiagnostics, sortDiagnostics, type Diagnostic } from "../../src/diag/index.js";
import { evaluateConfig } from "../../src/eval/configeval.js";
import { checkResources } from "../../src/engine/ssm-validation.js";
import { AWS_OWNED_DOCUMENTS, findAwsOwnedDocument } from "../../src/ssm/index.js";
import { expectSsmError, useEndpoint } from "../local/helpers.js";

const EXPECTED: Record<string, string> = {
  "AWS-RunShellScript": "Command",
  "AWS-RunPowerShellScript": "Command",
  "AWS-ConfigureAWSPackage": "Command",
  "AWS-UpdateSSMAgent": "Command",
  "AWS-RunPatchBaseline": "Command",
  "AWS-GatherSoftwareInventory": "Policy",
  "AWS-ApplyAnsiblePlaybooks": "Command",
  "AWS-RunRemoteScript": "Command",
  "AWS-ConfigureCloudWatch": "Command",
  "AmazonCloudWatch-ManageAgent": "Command",
  "AWS-RunAnsiblePlaybook": "Command",
  "AWS-InstallApplication": "Command",
  "AWS-ApplyChefRecipes": "Command",
  "AWS-ApplyDSCMofs": "Command",
  "AWS-ConfigureDocker": "Command",
  "AWS-InstallWindowsUpdates": "Command",
  "AWS-ConfigureWindowsUpdate": "Command",
  "AWS-RefreshAssociation": "Command",
  "AWS-RunInspecChecks": "Command",
  "AWS-UpdateEC2Config": "Command",
  "AWS-RestartEC2Instance": "Automation",
  "AWS-StopEC2Instance": "Automation",
  "AWS-StartEC2Instance": "Automation",
  "AWS-CreateImage": "Automation",
  "AWS-PatchInstanceWithRollback": "Automation",
};

function validate(text: string): Diagnostic[] {
  const loaded = loadConfig({ files: { "main.state": text }, dir: "/catalog" });
  const evaluated = evaluateConfig(loaded.config);
  expect(
    [...loaded.diagnostics, ...evaluated.diagnostics],
    renderDiagnostics([...loaded.diagnostics, ...evaluated.diagnostics], loaded.config.sources),
  ).to.deep.equal([]);
  return sortDiagnostics(
    checkResources(evaluated.resources, loaded.config.resources, {
      sources: loaded.config.sources,
      dir: loaded.config.dir,
      evaluated,
    }),
  );
}

const association = (document: string, parameters: string, extra = "") =>
  `association "a" {\n  document = "${document}"\n  parameters = {\n${parameters}\n  }\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n${extra}}\n`;

describe("ssm/aws-catalog: the AWS-owned documents", () => {
  it("has the 25 documents State Manager users run, each with its type and the source of its schema", () => {
    for (const [name, type] of Object.entries(EXPECTED)) {
      const doc = findAwsOwnedDocument(name);
      expect(doc, name).to.not.equal(undefined);
      expect(doc!.documentType, name).to.equal(type);
      expect(doc!.source.length, `${name} says where its schema came from`).to.be.greaterThan(20);
    }
    expect(AWS_OWNED_DOCUMENTS.length).to.be.at.least(25);
    expect(new Set(AWS_OWNED_DOCUMENTS.map((d) => d.name)).size).to.equal(AWS_OWNED_DOCUMENTS.length);
  });

  it("validate checks their parameters: allowed values, required ones, unknown names", () => {
    const bad = validate(
      association("AWS-ApplyDSCMofs", '    MofsToApply = ["s3:bucket:web.mof"]\n    RebootBehavior = "Sometimes"'),
    );
    expect(bad.map((d) => d.code)).to.deep.equal(["ssm/invalid-parameter-value"]);
    expect(bad[0]!.detail).to.include("Sometimes");
    const missing = validate(association("AWS-ConfigureWindowsUpdate", '    scheduledInstallDay = "Sunday"'));
    expect(missing.map((d) => d.code)).to.deep.equal(["ssm/missing-parameter"]);
    expect(missing[0]!.detail).to.include("updateLevel");
    const unknown = validate(
      association("AmazonCloudWatch-ManageAgent", '    action = "configure"\n    optionalConfigSource = "ssm"'),
    );
    expect(unknown.map((d) => d.code)).to.deep.equal(["ssm/unknown-parameter"]);
    const chef = validate(
      association(
        "AWS-ApplyChefRecipes",
        '    SourceType = "S3"\n    SourceInfo = "{\\"path\\":\\"https://s3.amazonaws.com/b/c.zip\\"}"\n    RunList = "recipe[web::default]"\n    ChefClientVersion = "9"',
      ),
    );
    expect(chef.map((d) => d.code)).to.deep.equal(["ssm/invalid-parameter-value"]);
    expect(
      validate(association("AWS-InstallWindowsUpdates", '    Action = "Scan"\n    Categories = "SecurityUpdates"')),
    ).to.deep.equal([]);
  });

  it("validate accepts an Automation association whose target parameter comes from its targets", () => {
    const ok = validate(
      association(
        "AWS-RestartEC2Instance",
        "",
        '  automation_target_parameter_name = "InstanceId"\n  max_concurrency = "1"\n  max_errors = "0"\n',
      ),
    );
    expect(ok).to.deep.equal([]);
    const without = validate(
      association("AWS-CreateImage", '    NoReboot = "maybe"', '  automation_target_parameter_name = "InstanceId"\n'),
    );
    expect(without.map((d) => d.code)).to.deep.equal(["ssm/invalid-parameter-value"]);
  });
});

describe("ssm/aws-catalog: served by the local endpoint", function () {
  this.timeout(60_000);
  const h = useEndpoint();

  it("lists them as Amazon's and describes their types, platforms and parameters", async () => {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await h.ssm.send(
        new ListDocumentsCommand({
          Filters: [{ Key: "Owner", Values: ["Amazon"] }],
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      names.push(...page.DocumentIdentifiers!.map((d) => d.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(names).to.include.members(Object.keys(EXPECTED));
    const dsc = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-ApplyDSCMofs" }))).Document!;
    expect(dsc).to.include({ Owner: "Amazon", DocumentType: "Command", SchemaVersion: "2.2", Status: "Active" });
    expect(dsc.PlatformTypes).to.deep.equal(["Windows"]);
    expect(dsc.Parameters!.find((p) => p.Name === "RebootBehavior")).to.deep.include({
      Type: "String",
      DefaultValue: "AfterMof",
    });
    const restart = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-RestartEC2Instance" }))).Document!;
    expect(restart).to.include({ DocumentType: "Automation", SchemaVersion: "0.3" });
    expect(restart.PlatformTypes).to.deep.equal(["Windows", "Linux", "MacOS"]);
    expect(restart.Parameters!.map((p) => [p.Name, p.Type])).to.deep.include(["InstanceId", "StringList"]);
    const chef = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AWS-ApplyChefRecipes" }))).Document!;
    expect(chef.PlatformTypes).to.deep.equal(["Linux"]);
    const cw = (await h.ssm.send(new DescribeDocumentCommand({ Name: "AmazonCloudWatch-ManageAgent" }))).Document!;
    expect(cw.PlatformTypes).to.deep.equal(["Windows", "Linux", "MacOS"]);
  });

  it("CreateAssociation checks parameters against them (InvalidParameters)", async () => {
    const e = await expectSsmError(
      h.ssm.send(
        new CreateAssociationCommand({
          Name: "AWS-ApplyChefRecipes",
          Targets: [{ Key: "tag:Role", Values: ["web"] }],
          Parameters: { SourceType: ["S3"], SourceInfo: ['{"path":"x"}'] },
        }),
      ),
      "InvalidParameters",
    );
    expect(e.message).to.include("RunList");
    const ok = await h.ssm.send(
      new CreateAssociationCommand({
        Name: "AWS-StopEC2Instance",
        Targets: [{ Key: "tag:Role", Values: ["db"] }],
        AutomationTargetParameterName: "InstanceId",
        MaxConcurrency: "1",
        MaxErrors: "0",
      }),
    );
    expect(ok.AssociationDescription?.AutomationTargetParameterName).to.equal("InstanceId");
  });
});
