// Issue 15, "the plan tells the whole truth": what apply will do (and what SSM does with it) is
// in the plan, what validate knows stops plan before any call, and waits that cannot end return
// at once — through the built CLI against the local endpoint.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateAssociationCommand, CreateDocumentCommand, ListAssociationsCommand } from "@aws-sdk/client-ssm";
import { behindTheBack, run } from "./helpers.js";

const CONTENT = JSON.stringify({
  schemaVersion: "2.2",
  description: "Say hello",
  mainSteps: [{ action: "aws:runShellScript", name: "hello", inputs: { runCommand: ["echo hello"] } }],
});

const PROVIDER = `provider "ssm" {
  endpoint = "local"
}
`;

function workspace(prefix: string, config: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, "main.state"), PROVIDER + config);
  return dir;
}

describe("cli: the plan tells the whole truth (issue 15)", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("replacing a document plans the replacement of its associations, warns about unmanaged ones, counts destroyed + added, and converges", async () => {
    const dir = workspace(
      "statectl-cascade-",
      `
document "hello" {
  name    = "Hello"
  content = ${JSON.stringify(CONTENT)}
}

association "web" {
  name     = "HelloWeb"
  document = document.hello.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  schedule = "rate(1 day)"
}
`,
    );
    dirs.push(dir);
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    const unmanaged = await behindTheBack(
      dir,
      async (c) =>
        (
          await c.send(
            new CreateAssociationCommand({
              Name: "Hello",
              AssociationName: "SomeoneElses",
              Targets: [{ Key: "tag:Role", Values: ["db"] }],
            }),
          )
        ).AssociationDescription!.AssociationId!,
    );

    const plan = run(dir, ["plan", "--replace", "document.hello"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    expect(plan.stdout).to.contain("# association.web must be replaced");
    expect(plan.stdout).to.contain(
      "document.hello will be replaced, and SSM deletes the associations of a deleted document",
    );
    expect(plan.stdout).to.contain("Plan: 2 to add, 0 to change, 2 to destroy.");
    expect(plan.stderr).to.contain("warning[plan/cascade-unmanaged]");
    expect(plan.stderr).to.contain(`${unmanaged} (SomeoneElses)`);

    const apply = run(dir, ["apply", "--auto-approve", "--json", "--replace", "document.hello"]);
    expect(apply.code, apply.stderr).to.equal(0);
    const result = JSON.parse(apply.stdout).result;
    expect([result.added, result.changed, result.destroyed]).to.deep.equal([2, 0, 2]);
    // Converged: the association SSM deleted with the document was re-created in the same apply.
    const again = run(dir, ["plan", "--detailed-exitcode"]);
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    const left = await behindTheBack(dir, async (c) =>
      ((await c.send(new ListAssociationsCommand({}))).Associations ?? []).map((a) => a.AssociationName),
    );
    expect(left).to.include("HelloWeb");
    expect(left).not.to.include("SomeoneElses");
  });

  it("runs validate's SSM checks before any call: an unknown AWS-owned document gets did you mean", () => {
    const dir = workspace(
      "statectl-ssmcheck-",
      `
association "typo" {
  name     = "Typo"
  document = "AWS-RunShelScript"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = { commands = ["echo hi"] }
}
`,
    );
    dirs.push(dir);
    for (const args of [["plan"], ["apply", "--auto-approve"]]) {
      const r = run(dir, args);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr).to.contain("error[ssm/unknown-aws-document]");
      expect(r.stderr).to.contain('did you mean "AWS-RunShellScript"?');
      expect(r.stderr).to.contain("--> main.state:7:14");
      expect(r.stdout).not.to.contain("Creating...");
    }
    // An association name SSM would reject fails plan at its file:line:col.
    writeFileSync(
      join(dir, "main.state"),
      PROVIDER +
        `\nassociation "bad" {\n  name     = "no spaces allowed"\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  parameters = { commands = ["echo hi"] }\n}\n`,
    );
    const bad = run(dir, ["plan"]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain("error[ssm/invalid-association-name]");
    expect(bad.stderr).to.contain("--> main.state:6:14");
  });

  it("warns when an association targets no managed instance; wait_for_success and run --wait return at once", () => {
    const dir = workspace(
      "statectl-notargets-",
      `
association "nobody" {
  name     = "Nobody"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Role"
    values = ["no-such-role"]
  }
  parameters       = { commands = ["echo hi"] }
  wait_for_success = 3600
}
`,
    );
    dirs.push(dir);
    const plan = run(dir, ["plan"]);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stderr).to.contain("warning[plan/no-targets]: association.nobody targets no managed instance");
    // The mocha timeout (120 s) is far below the hour wait_for_success asks for: it returned at once.
    const apply = run(dir, ["apply", "--auto-approve"]);
    expect(apply.code).to.equal(1);
    expect(apply.stderr).to.contain("its targets match no managed instance");
    const wait = run(dir, ["run", "association.nobody", "--wait", "3600"]);
    expect(wait.code).to.equal(1);
    expect(wait.stdout).to.contain("association.nobody  NoTargets");
    expect(wait.stderr).to.contain("no run started and there is nothing to wait for");
  });

  it("warns when a Linux-only document is aimed at targets that include Windows instances, naming them", () => {
    const dir = workspace(
      "statectl-linuxwin-",
      `
association "all" {
  name     = "EveryDevBox"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Env"
    values = ["dev"]
  }
  parameters = { commands = ["uptime"] }
}

association "linux" {
  name     = "WebOnly"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = { commands = ["uptime"] }
}
`,
    );
    dirs.push(dir);
    const plan = run(dir, ["plan"]);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stderr).to.contain(
      "warning[plan/linux-document-on-windows]: association.all runs a Linux-only document on Windows instances",
    );
    expect(plan.stderr).to.contain("mi-0win00000000000c1");
    expect(plan.stderr).not.to.contain("association.linux runs a Linux-only");
  });

  it("points an apply-time error at the resource block in the configuration", async () => {
    const dir = workspace(
      "statectl-applyerr-",
      `
document "taken" {
  name    = "Taken"
  content = ${JSON.stringify(CONTENT)}
}
`,
    );
    dirs.push(dir);
    // Someone else made a different document of that name: CreateDocument fails at apply time.
    await behindTheBack(dir, async (c) =>
      c.send(
        new CreateDocumentCommand({
          Name: "Taken",
          Content: JSON.stringify({
            schemaVersion: "2.2",
            description: "other",
            mainSteps: [{ action: "aws:runShellScript", name: "x", inputs: { runCommand: ["echo other"] } }],
          }),
          DocumentType: "Command",
        }),
      ),
    );
    const r = run(dir, ["apply", "--auto-approve"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/error\[apply\/[a-z-]+\]: document\.taken: creating failed\n --> main\.state:5:10/);
  });

  it("missing region or credentials: one clear error, no plan", () => {
    const dir = mkdtempSync(join(tmpdir(), "statectl-noregion-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "main.state"),
      `provider "ssm" {}\n\nassociation "a" {\n  name     = "Alpha"\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  parameters = { commands = ["echo hi"] }\n}\n`,
    );
    const isolated = {
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_ENDPOINT_URL_SSM: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const region = run(dir, ["plan"], "", isolated);
    expect(region.code).to.equal(1);
    expect(region.stderr).to.contain("error[engine/no-region]");
    expect(region.stderr.match(/error\[/g)).to.have.length(1);
    expect(region.stdout).not.to.contain("Plan:");
    const creds = run(dir, ["plan"], "", { ...isolated, AWS_REGION: "eu-west-1" });
    expect(creds.code).to.equal(1);
    expect(creds.stderr).to.contain("error[engine/no-credentials]");
    expect(creds.stderr.match(/error\[/g)).to.have.length(1);
    expect(creds.stdout).not.to.contain("Plan:");
  });
});
