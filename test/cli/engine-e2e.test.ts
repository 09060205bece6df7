// End to end: the built CLI against the in-process local endpoint, in a temporary directory.
// Changes "behind statectl's back" go through the real SDK to a local endpoint started on the
// same data directory between runs.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteAssociationCommand,
  ListAssociationsCommand,
  ListDocumentsCommand,
  UpdateAssociationCommand,
} from "@aws-sdk/client-ssm";
import { behindTheBack, run } from "./helpers.js";

const CONFIG = `provider "ssm" {
  endpoint = "local"
}

document "hello" {
  name    = "HelloWorld"
  content = file("hello.json")
}

association "hello" {
  name     = "Hello"
  document = document.hello.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  schedule = "rate(1 day)"
}

association "configure_cw_agent" {
  name     = "Configure-CloudWatch-Agent"
  document = "AWS-ConfigureAWSPackage"

  targets {
    key    = "InstanceIds"
    values = ["*"]
  }

  parameters = {
    action = ["Install"]
    name   = ["AmazonCloudWatchAgent"]
  }

  schedule = "cron(0 2 ? * SUN *)"
}

association "close_port_22" {
  name     = "ClosePort22"
  document = "AWS-RunShellScript"
  # The Linux roles: on the Windows instance the shell script would fail (plan warns).
  targets {
    key    = "tag:Role"
    values = ["web", "db"]
  }
  parameters = {
    commands = [
      "iptables -A INPUT -p tcp --dport 22 -j DROP",
      "service iptables save",
    ]
  }
  schedule = "rate(1 day)"
}
`;

const HELLO = {
  schemaVersion: "2.2",
  description: "Say hello",
  mainSteps: [{ action: "aws:runShellScript", name: "hello", inputs: { runCommand: ["echo hello"] } }],
};

describe("cli: plan, apply, destroy and graph end to end (local endpoint)", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-e2e-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    writeFileSync(join(dir, "hello.json"), JSON.stringify(HELLO));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("plans the creation of everything, with the impact of each association", () => {
    const r = run(dir, ["plan", "--detailed-exitcode"]);
    expect(r.stderr).to.equal("");
    expect(r.code).to.equal(2);
    expect(r.stdout).to.contain('  # association.close_port_22 will be created\n  + association "close_port_22" {');
    expect(r.stdout).to.contain("# Runs now on 4 managed instances");
    expect(r.stdout).to.contain("Plan: 4 to add, 0 to change, 0 to destroy.");
  });

  it("applies it, writing a 0600 state file with every instance", () => {
    const r = run(dir, ["apply", "--auto-approve"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("document.hello: Creation complete after");
    expect(r.stdout.indexOf("document.hello: Creation complete")).to.be.lessThan(
      r.stdout.indexOf("association.hello: Creating..."),
    );
    expect(r.stdout).to.contain("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
    const statePath = join(dir, "statectl.state.json");
    expect(statSync(statePath).mode & 0o777).to.equal(0o600);
    const state = JSON.parse(readFileSync(statePath, "utf8"));
    expect(state.resources.map((r: { address: string }) => r.address)).to.deep.equal([
      "association.close_port_22",
      "association.configure_cw_agent",
      "association.hello",
      "document.hello",
    ]);
    expect(
      state.resources.find((r: { address: string }) => r.address === "association.hello").dependencies,
    ).to.deep.equal(["document.hello"]);
  });

  it("a second plan shows no changes (--detailed-exitcode 0)", () => {
    const r = run(dir, ["plan", "--detailed-exitcode"]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.contain("No changes. SSM matches the configuration.");
  });

  it("reformatting the document's JSON is no change; editing an attribute plans exactly that update", () => {
    writeFileSync(join(dir, "hello.json"), JSON.stringify(HELLO, null, 4));
    expect(run(dir, ["plan", "--detailed-exitcode"]).code).to.equal(0);
    writeFileSync(
      join(dir, "main.state"),
      CONFIG.replace(
        'schedule = "rate(1 day)"\n}\n\nassociation "configure_cw_agent"',
        'schedule = "rate(2 days)"\n}\n\nassociation "configure_cw_agent"',
      ),
    );
    const r = run(dir, ["plan", "--detailed-exitcode"]);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.contain(
      '  # association.hello will be updated in place\n  ~ association "hello" {\n      ~ schedule = "rate(1 day)" -> "rate(2 days)"\n',
    );
    expect(r.stdout).to.contain("Plan: 0 to add, 1 to change, 0 to destroy.");
    const a = run(dir, ["apply", "--auto-approve"]);
    expect(a.stdout).to.contain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
  });

  it("shows a content change as a unified diff", () => {
    writeFileSync(
      join(dir, "hello.json"),
      JSON.stringify({ ...HELLO, mainSteps: [{ ...HELLO.mainSteps[0], inputs: { runCommand: ["echo bye"] } }] }),
    );
    const r = run(dir, ["plan"]);
    expect(r.stdout).to.contain("~ content = <<-DIFF");
    expect(r.stdout).to.contain('-          "echo hello"\n');
    expect(r.stdout).to.contain('+          "echo bye"\n');
    writeFileSync(join(dir, "hello.json"), JSON.stringify(HELLO));
  });

  it("sees changes made behind its back: drift attribute by attribute, deletion → re-creation", async () => {
    const state = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8"));
    const idOf = (address: string) =>
      state.resources.find((r: { address: string }) => r.address === address).id as string;
    await behindTheBack(dir, async (client) => {
      await client.send(
        new UpdateAssociationCommand({
          AssociationId: idOf("association.configure_cw_agent"),
          Name: "AWS-ConfigureAWSPackage",
          AssociationName: "Configure-CloudWatch-Agent",
          Targets: [{ Key: "InstanceIds", Values: ["*"] }],
          Parameters: { action: ["Install"], name: ["AmazonCloudWatchAgent"] },
          ScheduleExpression: "rate(7 days)",
        }),
      );
      await client.send(new DeleteAssociationCommand({ AssociationId: idOf("association.close_port_22") }));
    });
    const r = run(dir, ["plan", "--detailed-exitcode"]);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.contain("Note: Objects have changed outside of statectl");
    expect(r.stdout).to.contain(
      '  # association.configure_cw_agent has changed outside statectl\n  ~ association "configure_cw_agent" {\n      ~ schedule = "cron(0 2 ? * SUN *)" -> "rate(7 days)"\n',
    );
    expect(r.stdout).to.contain("  # association.close_port_22 has been deleted outside statectl");
    expect(r.stdout).to.contain("  # association.close_port_22 will be created");
    expect(r.stdout).to.contain('~ schedule = "rate(7 days)" -> "cron(0 2 ? * SUN *)"');
    expect(r.stdout).to.contain("Plan: 1 to add, 1 to change, 0 to destroy.");
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
    expect(run(dir, ["plan", "--detailed-exitcode"]).code).to.equal(0);
  });

  it("asks for confirmation and does nothing unless the answer is yes", () => {
    writeFileSync(join(dir, "main.state"), CONFIG.replace("ClosePort22", "ClosePort22-v2"));
    const no = run(dir, ["apply"], "no\n");
    expect(no.code).to.equal(1);
    expect(no.stdout).to.contain("Do you want to perform these actions?");
    expect(no.stdout).to.contain("Apply cancelled.");
    expect(run(dir, ["plan", "--detailed-exitcode"]).code).to.equal(2);
    const yes = run(dir, ["apply"], "yes\n");
    expect(yes.code, yes.stderr).to.equal(0);
    expect(yes.stdout).to.contain("Apply complete! Resources: 0 added, 2 changed, 0 destroyed.");
    writeFileSync(join(dir, "main.state"), CONFIG);
    expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
  });

  it("prints a machine-readable plan with --json", () => {
    writeFileSync(
      join(dir, "main.state"),
      CONFIG.replace('schedule = "cron(0 2 ? * SUN *)"', 'schedule = "cron(0 3 ? * SUN *)"'),
    );
    const r = run(dir, ["plan", "--json"]);
    expect(r.code).to.equal(0);
    const j = JSON.parse(r.stdout);
    expect(j.format_version).to.equal("1.0");
    expect(j.summary).to.deep.equal({ add: 0, change: 1, destroy: 0 });
    const change = j.resource_changes.find((c: { action: string }) => c.action === "update");
    expect(change.address).to.equal("association.configure_cw_agent");
    expect(change.changes).to.deep.equal([
      { name: "schedule", before: "cron(0 2 ? * SUN *)", after: "cron(0 3 ? * SUN *)" },
    ]);
    expect(change.impact.managed_instances).to.equal(4);
    writeFileSync(join(dir, "main.state"), CONFIG);
  });

  it("prints the dependency graph in DOT", () => {
    const r = run(dir, ["graph"]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^digraph statectl \{/);
    expect(r.stdout).to.contain('"document.hello" -> "association.hello";');
  });

  it("destroy removes everything, dependents first, and leaves nothing behind", async () => {
    const r = run(dir, ["destroy", "--auto-approve"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.indexOf("association.hello: Destruction complete")).to.be.lessThan(
      r.stdout.indexOf("document.hello: Destroying..."),
    );
    expect(r.stdout).to.contain("Destroy complete! Resources: 4 destroyed.");
    const state = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8"));
    expect(state.resources).to.deep.equal([]);
    const left = await behindTheBack(dir, async (client) => ({
      associations: (await client.send(new ListAssociationsCommand({}))).Associations ?? [],
      documents: (
        (await client.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] })))
          .DocumentIdentifiers ?? []
      ).map((d) => d.Name),
    }));
    expect(left.associations).to.deep.equal([]);
    expect(left.documents).to.deep.equal([]);
    expect(run(dir, ["plan", "--detailed-exitcode"]).code).to.equal(2);
  });
});
