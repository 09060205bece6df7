// Issue 15, convergence: after apply, a second plan shows no changes — and a failed gate is not
// forgotten. Through the built CLI against the local endpoint.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AddTagsToResourceCommand,
  ModifyDocumentPermissionCommand,
  UpdateDocumentDefaultVersionCommand,
} from "@aws-sdk/client-ssm";
import { behindTheBack, run } from "./helpers.js";

const config = (targetRole: string, wait: string) => `provider "ssm" {
  endpoint = "local"
}

association "gate" {
  name     = "Gate"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Role"
    values = ["${targetRole}"]
  }
  parameters = { commands = ["echo gate"] }
${wait}}
`;

describe("cli: convergence at the edges (issue 15)", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-converge-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a failed wait_for_success taints the association: the next plan replaces it and says why", () => {
    // The shell script fails on the Windows instance (InvalidPlatform), so the wait fails.
    writeFileSync(join(dir, "main.state"), config("app", "  wait_for_success = 60\n"));
    const first = run(dir, ["apply", "--auto-approve"]);
    expect(first.code, first.stdout + first.stderr).to.equal(1);
    expect(first.stderr).to.contain("wait_for_success");
    expect(first.stderr).to.contain("marked tainted");
    const state = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8")) as {
      resources: { address: string; tainted?: boolean }[];
    };
    expect(state.resources.find((r) => r.address === "association.gate")!.tainted).to.equal(true);
    expect(run(dir, ["state", "list"]).stdout).to.contain("association.gate (tainted)");
    // A CI retry does not pass the gate by accident: the plan re-creates it.
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(2);
    expect(plan.stdout).to.contain("# association.gate must be replaced");
    expect(plan.stdout).to.contain("its wait_for_success failed");
    // Aimed where it succeeds, the replacement clears the taint and the next plan is empty.
    writeFileSync(join(dir, "main.state"), config("web", "  wait_for_success = 60\n"));
    const fixed = run(dir, ["apply", "--auto-approve"]);
    expect(fixed.code, fixed.stdout + fixed.stderr).to.equal(0);
    const after = run(dir, ["plan", "--detailed-exitcode"]);
    expect(after.code, after.stdout + after.stderr).to.equal(0);
  });

  it("removing wait_for_success converges (no permanent '- wait_for_success -> null')", () => {
    writeFileSync(join(dir, "main.state"), config("web", "  wait_for_success = 60\n"));
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    writeFileSync(join(dir, "main.state"), config("web", ""));
    const removed = run(dir, ["apply", "--auto-approve"]);
    expect(removed.code, removed.stdout + removed.stderr).to.equal(0);
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    expect(plan.stdout).to.contain("No changes.");
  });

  it("version_name: restoring a default version someone else promoted, and removing the argument, converge", async () => {
    const doc = (echo: string, versionName: string) => `provider "ssm" {
  endpoint = "local"
}

document "d" {
  name    = "Versioned"
  content = jsonencode({ schemaVersion = "2.2", description = "x", mainSteps = [{ action = "aws:runShellScript", name = "r", inputs = { runCommand = ["echo ${echo}"] } }] })
${versionName}}
`;
    writeFileSync(join(dir, "main.state"), doc("one", '  version_name = "v1"\n'));
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    writeFileSync(join(dir, "main.state"), doc("two", '  version_name = "v2"\n'));
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    // Someone makes version 1 the default again.
    await behindTheBack(dir, (c) =>
      c.send(new UpdateDocumentDefaultVersionCommand({ Name: "Versioned", DocumentVersion: "1" })),
    );
    const restore = run(dir, ["apply", "--auto-approve"]);
    expect(restore.code, restore.stdout + restore.stderr).to.equal(0);
    expect(restore.stderr).not.to.contain("DuplicateDocumentVersionName");
    const settled = run(dir, ["plan", "--detailed-exitcode"]);
    expect(settled.code, settled.stdout + settled.stderr).to.equal(0);
    // A version keeps its name: removing the argument stops managing it, without a permanent diff.
    writeFileSync(join(dir, "main.state"), doc("two", ""));
    const removed = run(dir, ["plan", "--detailed-exitcode"]);
    expect(removed.code, removed.stdout + removed.stderr).to.equal(0);
  });

  it("promote false -> true makes the declared version the default in one apply", () => {
    const doc = (echo: string, versionName: string, promote: string) =>
      `provider "ssm" {\n  endpoint = "local"\n}\n\ndocument "d" {\n  name         = "Promoted"\n  content      = jsonencode({ schemaVersion = "2.2", description = "x", mainSteps = [{ action = "aws:runShellScript", name = "r", inputs = { runCommand = ["echo ${echo}"] } }] })\n  version_name = "${versionName}"\n  promote      = ${promote}\n}\n`;
    writeFileSync(join(dir, "main.state"), doc("one", "v1", "true"));
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    writeFileSync(join(dir, "main.state"), doc("two", "v2", "false"));
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    expect(run(dir, ["plan", "--detailed-exitcode"]).code).to.equal(0);
    writeFileSync(join(dir, "main.state"), doc("two", "v2", "true"));
    const toggled = run(dir, ["apply", "--auto-approve"]);
    expect(toggled.code, toggled.stdout + toggled.stderr).to.equal(0);
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
  });

  it("sharing a document publicly behind statectl's back is found by the default plan, and apply removes it", async () => {
    writeFileSync(
      join(dir, "main.state"),
      `provider "ssm" {\n  endpoint = "local"\n}\n\ndocument "d" {\n  name    = "Private-Doc"\n  content = jsonencode({ schemaVersion = "2.2", description = "x", mainSteps = [{ action = "aws:runShellScript", name = "r", inputs = { runCommand = ["echo x"] } }] })\n}\n`,
    );
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    await behindTheBack(dir, async (c) => {
      await c.send(
        new ModifyDocumentPermissionCommand({ Name: "Private-Doc", PermissionType: "Share", AccountIdsToAdd: ["All"] }),
      );
      await c.send(
        new AddTagsToResourceCommand({
          ResourceType: "Document",
          ResourceId: "Private-Doc",
          Tags: [{ Key: "added", Value: "outside" }],
        }),
      );
    });
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(2);
    expect(plan.stdout).to.match(/- permissions = \[\s+"all",\s+\] -> null/);
    expect(plan.stdout).to.contain('added = "outside"');
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    const after = run(dir, ["plan", "--detailed-exitcode"]);
    expect(after.code, after.stdout + after.stderr).to.equal(0);
  });

  it("Automation with rate control: the target parameter needs no value (AWS fills it); ParameterValues targets on a Command document are refused", () => {
    const runbook = `provider "ssm" {
  endpoint = "local"
}

document "rb" {
  name    = "Restart-Runbook"
  type    = "Automation"
  content = jsonencode({ schemaVersion = "0.3", parameters = { InstanceId = { type = "String" } }, mainSteps = [{ action = "aws:sleep", name = "a", inputs = { Duration = "PT1S" } }] })
}

association "restart" {
  name                             = "RestartWeb"
  document                         = document.rb.name
  automation_target_parameter_name = "InstanceId"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  max_concurrency = "1"
  max_errors      = "1"
}
`;
    writeFileSync(join(dir, "main.state"), runbook);
    expect(run(dir, ["validate"]).code).to.equal(0);
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    // import --generate of it writes a configuration that plans no changes (so it re-creates it).
    rmSync(join(dir, "statectl.state.json"));
    writeFileSync(join(dir, "main.state"), `provider "ssm" {\n  endpoint = "local"\n}\n`);
    const generated = run(dir, ["import", "--generate", "gen.state", "--all"]);
    expect(generated.code, generated.stdout + generated.stderr).to.equal(0);
    expect(readFileSync(join(dir, "gen.state"), "utf8")).to.contain('automation_target_parameter_name = "InstanceId"');
    const regenerated = run(dir, ["plan", "--detailed-exitcode"]);
    expect(regenerated.code, regenerated.stdout + regenerated.stderr).to.equal(0);
    writeFileSync(
      join(dir, "extra.state"),
      `association "pv" {\n  name     = "CommandByParameterValues"\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "ParameterValues"\n    values = ["i-0web00000000000a1"]\n  }\n  parameters = { commands = ["echo hi"] }\n}\n`,
    );
    const refused = run(dir, ["validate"]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("error[ssm/invalid-target-key]");
    expect(refused.stderr).to.contain("--> extra.state:5:14");
    expect(refused.stderr).to.contain("ParameterValues targets run an Automation runbook once per value");
  });

  it("Automation by target_maps: the mapped parameter needs no value, SSM's placeholder target is not drift, import --generate re-creates it; targets beside target_maps is refused", () => {
    const byMaps = `provider "ssm" {
  endpoint = "local"
}

association "restart" {
  name        = "RestartByMap"
  document    = "AWS-RestartEC2Instance"
  schedule    = "rate(1 day)"
  target_maps = [{ InstanceId = ["i-0123456789abcdef0"] }, { InstanceId = ["i-0fedcba9876543210"] }]
}
`;
    writeFileSync(join(dir, "main.state"), byMaps);
    const validated = run(dir, ["validate"]);
    expect(validated.code, validated.stdout + validated.stderr).to.equal(0);
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    expect(applied.stderr).to.not.contain("plan/no-targets");
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    expect(plan.stdout).to.not.contain("aws:NoOpAutomationTag");
    rmSync(join(dir, "statectl.state.json"));
    writeFileSync(join(dir, "main.state"), `provider "ssm" {\n  endpoint = "local"\n}\n`);
    const generated = run(dir, ["import", "--generate", "gen.state", "--all"]);
    expect(generated.code, generated.stdout + generated.stderr).to.equal(0);
    const text = readFileSync(join(dir, "gen.state"), "utf8");
    expect(text)
      .to.contain("target_maps = [")
      .and.contain('InstanceId = ["i-0fedcba9876543210"]')
      .and.not.contain("targets {");
    const regenerated = run(dir, ["plan", "--detailed-exitcode"]);
    expect(regenerated.code, regenerated.stdout + regenerated.stderr).to.equal(0);
    writeFileSync(
      join(dir, "gen.state"),
      text.replace(
        "target_maps = [",
        'targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  target_maps = [',
      ),
    );
    const refused = run(dir, ["plan"]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("error[ssm/invalid-target-maps]").and.contain("both Targets and TargetMaps");
  });
});
