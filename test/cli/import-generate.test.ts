// End to end: resources created with the real SDK against the local endpoint, then
// `statectl import --generate` writes configuration + state for them, and the next plan shows
// no changes; the generated file is `statectl fmt`-clean.
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAssociationCommand,
  CreateDocumentCommand,
  ModifyDocumentPermissionCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { behindTheBack, run } from "./helpers.js";

const PROVIDER = `provider "ssm" {\n  endpoint = "local"\n}\n`;

const bootstrap = (version: number) =>
  JSON.stringify(
    {
      schemaVersion: "2.2",
      description: `Bootstrap web servers (v${version})`,
      parameters: { packages: { type: "String", default: "nginx", description: "What to install" } },
      mainSteps: [
        {
          action: "aws:runShellScript",
          name: "install",
          inputs: { runCommand: [`yum install -y {{ packages }} # v${version}`] },
        },
      ],
    },
    null,
    2,
  );

const DRIFT_YAML = `schemaVersion: "2.2"
description: Keep /etc/motd as written
mainSteps:
  - action: aws:runShellScript
    name: motd
    inputs:
      runCommand:
        - echo 'Managed by statectl' > /etc/motd
`;

/** Documents with versions, tags and a YAML body; associations with varied settings. */
async function createExisting(client: SSMClient): Promise<{ webBootstrap: string; agent: string; nightly: string }> {
  await client.send(
    new CreateDocumentCommand({
      Name: "WebBootstrap",
      Content: bootstrap(1),
      DocumentType: "Command",
      DocumentFormat: "JSON",
      Tags: [{ Key: "Team", Value: "web" }],
    }),
  );
  await client.send(
    new UpdateDocumentCommand({ Name: "WebBootstrap", Content: bootstrap(2), DocumentVersion: "$LATEST" }),
  );
  await client.send(
    new UpdateDocumentCommand({ Name: "WebBootstrap", Content: bootstrap(3), DocumentVersion: "$LATEST" }),
  );
  // Version 3 exists, but version 2 is the one running.
  await client.send(new UpdateDocumentDefaultVersionCommand({ Name: "WebBootstrap", DocumentVersion: "2" }));
  await client.send(
    new CreateDocumentCommand({
      Name: "web_bootstrap",
      Content: bootstrap(9),
      DocumentType: "Command",
      DocumentFormat: "JSON",
    }),
  );
  await client.send(
    new CreateDocumentCommand({
      Name: "Drift.Motd-v1",
      Content: DRIFT_YAML,
      DocumentType: "Command",
      DocumentFormat: "YAML",
      VersionName: "first",
    }),
  );
  await client.send(
    new ModifyDocumentPermissionCommand({
      Name: "Drift.Motd-v1",
      PermissionType: "Share",
      AccountIdsToAdd: ["111122223333", "444455556666"],
    }),
  );
  const web = await client.send(
    new CreateAssociationCommand({
      Name: "WebBootstrap",
      AssociationName: "web-bootstrap",
      Targets: [{ Key: "tag:Role", Values: ["web", "edge"] }],
      Parameters: { packages: ["nginx jq"] },
      ScheduleExpression: "cron(0 2 ? * SUN *)",
      OutputLocation: { S3Location: { OutputS3BucketName: "ops-logs", OutputS3KeyPrefix: "bootstrap/" } },
      MaxConcurrency: "50%",
      MaxErrors: "1",
      ComplianceSeverity: "HIGH",
      Tags: [{ Key: "Owner", Value: "platform" }],
    }),
  );
  const agent = await client.send(
    new CreateAssociationCommand({
      Name: "AWS-UpdateSSMAgent",
      Targets: [{ Key: "InstanceIds", Values: ["*"] }],
      ScheduleExpression: "rate(7 days)",
    }),
  );
  const nightly = await client.send(
    new CreateAssociationCommand({
      Name: "Drift.Motd-v1",
      Targets: [{ Key: "tag:Env", Values: ["prod"] }],
      ScheduleExpression: "cron(30 1 ? * * *)",
      ApplyOnlyAtCronInterval: true,
      SyncCompliance: "MANUAL",
    }),
  );
  return {
    webBootstrap: web.AssociationDescription!.AssociationId!,
    agent: agent.AssociationDescription!.AssociationId!,
    nightly: nightly.AssociationDescription!.AssociationId!,
  };
}

describe("cli: import --generate (end to end, local endpoint)", function () {
  this.timeout(90_000);
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), "statectl-generate-"));
    dirs.push(dir);
    writeFileSync(join(dir, "provider.state"), PROVIDER);
    return dir;
  };
  after(() => (process.env["KEEP"] ? undefined : dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))));

  it("--all: writes readable configuration and the state; the next plan shows no changes and fmt has nothing to do", async () => {
    const dir = fresh();
    const ids = await behindTheBack(dir, createExisting);
    const gen = run(dir, ["import", "--generate", "existing.state", "--all"]);
    expect(gen.code, gen.stdout + gen.stderr).to.equal(0);
    expect(gen.stderr).to.equal("");
    expect(gen.stdout).to.contain("Generated document.web_bootstrap (id WebBootstrap)");
    expect(gen.stdout).to.contain("Generated document.web_bootstrap_2 (id web_bootstrap)");
    expect(gen.stdout).to.contain("Generated document.drift_motd_v1 (id Drift.Motd-v1)");
    expect(gen.stdout).to.contain(`Generated association.web_bootstrap (id ${ids.webBootstrap})`);
    expect(gen.stdout).to.contain(`Generated association.aws_update_ssm_agent (id ${ids.agent})`);
    expect(gen.stdout).to.contain(`Generated association.drift_motd_v1 (id ${ids.nightly})`);

    const text = readFileSync(join(dir, "existing.state"), "utf8");
    expect(text).to.contain(`content = file("web_bootstrap.json")`);
    expect(text).to.contain(`document = document.web_bootstrap.name`);
    expect(text).to.match(/document\s+= document\.drift_motd_v1\.name\n/);
    expect(text).to.contain(`document = "AWS-UpdateSSMAgent"`);
    expect(text).to.contain(`format       = "YAML"`);
    expect(text).to.contain(`version_name = "first"`);
    expect(text).to.contain(`permissions  = ["111122223333", "444455556666"]`);
    expect(text).to.match(/output_location \{\n\s+s3_bucket\s+= "ops-logs"\n\s+s3_key_prefix = "bootstrap\/"\n\s+\}/);
    expect(text).to.match(/targets \{\n\s+key\s+= "tag:Role"\n\s+values = \["web", "edge"\]\n\s+\}/);
    expect(text).to.contain(`apply_only_at_cron_interval = true`);
    // The default version's body (2), not the latest (3).
    expect(readFileSync(join(dir, "web_bootstrap.json"), "utf8")).to.equal(bootstrap(2));
    expect(readFileSync(join(dir, "drift_motd_v1.yaml"), "utf8")).to.equal(DRIFT_YAML);

    const fmt = run(dir, ["fmt", "--check"]);
    expect(fmt.code, fmt.stdout + fmt.stderr).to.equal(0);
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    expect(plan.stdout).to.contain("No changes.");
    const list = run(dir, ["state", "list"]).stdout.trim().split("\n").sort();
    expect(list).to.deep.equal([
      "association.aws_update_ssm_agent",
      "association.drift_motd_v1",
      "association.web_bootstrap",
      "document.drift_motd_v1",
      "document.web_bootstrap",
      "document.web_bootstrap_2",
    ]);

    // A second run finds everything managed and writes nothing.
    const again = run(dir, ["import", "--generate", "more.state", "--all"]);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain("Already managed: document.web_bootstrap (id WebBootstrap)");
    expect(again.stderr).to.contain("Nothing to generate");
    expect(existsSync(join(dir, "more.state"))).to.equal(false);
  });

  it("--filter: name= selects associations (bringing the account's document they run) and documents; refuses bad input", async () => {
    const dir = fresh();
    const ids = await behindTheBack(dir, createExisting);
    const gen = run(dir, ["import", "--generate", "web.state", "--filter", "name=web-*"]);
    expect(gen.code, gen.stdout + gen.stderr).to.equal(0);
    expect(
      gen.stdout
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("Generated")),
    ).to.deep.equal([
      `Generated document.web_bootstrap (id WebBootstrap)`,
      `Generated association.web_bootstrap (id ${ids.webBootstrap})`,
    ]);
    expect(run(dir, ["plan", "--detailed-exitcode"]).code).to.equal(0);

    const byDocument = run(dir, [
      "import",
      "--generate",
      "agent.state",
      "--filter",
      "document=AWS-*",
      "--filter",
      "tag:Team=nobody",
    ]);
    expect(byDocument.code, byDocument.stderr).to.equal(0);
    expect(byDocument.stdout).to.contain(`Generated association.aws_update_ssm_agent (id ${ids.agent})`);
    expect(byDocument.stdout).not.to.contain("document.");
    expect(run(dir, ["plan", "--detailed-exitcode"]).code).to.equal(0);

    const exists = run(dir, ["import", "--generate", "web.state", "--all"]);
    expect(exists.code).to.equal(1);
    expect(exists.stderr).to.contain("web.state already exists");
    const bad = run(dir, ["import", "--generate", "x.state", "--filter", "owner=me"]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain(`Invalid filter "owner=me"`);
    const none = run(dir, ["import", "--generate", "x.state"]);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.contain("--all, or --filter");
  });
});
