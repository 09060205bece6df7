// Modules through the built CLI on the local endpoint: module calls with count, for_each,
// nested modules, depends_on and providers; every address form (plan, state, --target,
// --replace, state mv/rm/show, moved and import blocks, graph, output); and every bad input,
// each of which must leave nothing applied.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { ListAssociationsCommand, ListDocumentsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_ENDPOINT_CREDENTIALS } from "../../src/index.js";
import { behindTheBack, run } from "./helpers.js";

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

const PROVIDERS = `
provider "ssm" {
  endpoint = "local"
}
provider "ssm" {
  alias    = "west"
  endpoint = "local"
  region   = "us-west-2"
}
`;

/** A baseline module: a document and the association that runs it, per environment. */
const BASELINE = `
variable "environment" {
  type = string
  validation {
    condition     = contains(["prod", "dev", "test"], var.environment)
    error_message = "environment must be prod, dev or test."
  }
}
variable "schedule" {
  type    = string
  default = "rate(1 day)"
}
variable "token" {
  type      = string
  default   = "t0ken"
  sensitive = true
}
document "close_ssh" {
  name    = "Close-SSH-\${var.environment}"
  content = {
    schemaVersion = "2.2"
    description   = "Close port 22"
    mainSteps = [{
      action = "aws:runShellScript"
      name   = "close"
      inputs = { runCommand = ["echo closing 22"] }
    }]
  }
}
association "close_ssh" {
  name     = "close-ssh-\${var.environment}"
  document = document.close_ssh.name
  schedule = var.schedule
  targets {
    key    = "tag:Environment"
    values = [var.environment]
  }
}
module "patching" {
  source = "../patching"
  label  = var.environment
}
output "doc_name" {
  value = document.close_ssh.name
}
output "patch_name" {
  value = module.patching.name
}
`;

const PATCHING = `
variable "label" {
  type = string
}
association "patch" {
  name     = "patch-\${var.label}"
  document = "AWS-RunPatchBaseline"
  parameters = { Operation = "Scan" }
  targets {
    key    = "tag:Environment"
    values = [var.label]
  }
}
output "name" {
  value = association.patch.name
}
`;

const ROOT = `${PROVIDERS}
module "prod" {
  source      = "./modules/baseline"
  environment = "prod"
}
module "env" {
  source      = "./modules/baseline"
  for_each    = toset(["dev", "test"])
  environment = each.key
  providers = {
    ssm = ssm.west
  }
  depends_on = [module.prod]
}
module "extra" {
  source = "./modules/patching"
  count  = 2
  label  = "extra\${count.index}"
}
association "report" {
  name     = "report-\${module.prod.doc_name}"
  document = "AWS-RunShellScript"
  parameters = { commands = ["echo \${module.prod.patch_name}"] }
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
}
output "docs" {
  value = { for k, m in module.env : k => m.doc_name }
}
output "extra" {
  value = module.extra[*].name
}
`;

const INSTANCES = [
  "association.report",
  'module.env["dev"].association.close_ssh',
  'module.env["dev"].document.close_ssh',
  'module.env["dev"].module.patching.association.patch',
  'module.env["test"].association.close_ssh',
  'module.env["test"].document.close_ssh',
  'module.env["test"].module.patching.association.patch',
  "module.extra[0].association.patch",
  "module.extra[1].association.patch",
  "module.prod.association.close_ssh",
  "module.prod.document.close_ssh",
  "module.prod.module.patching.association.patch",
];

describe("cli: modules", function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-modules-"));
    write(dir, {
      "main.state": ROOT,
      "modules/baseline/main.state": BASELINE,
      "modules/patching/main.state": PATCHING,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("plans and applies module instances at module addresses, with outputs through modules", () => {
    const plan = run(dir, ["plan"]);
    expect(plan.code, plan.stderr).to.equal(0);
    for (const a of INSTANCES) expect(plan.stdout).to.include(`# ${a} will be created`);
    expect(plan.stdout).to.include('"report-Close-SSH-prod"');
    expect(plan.stdout).to.include("Plan: 12 to add, 0 to change, 0 to destroy.");
    const apply = run(dir, ["apply", "--auto-approve"]);
    expect(apply.code, apply.stderr).to.equal(0);
    expect(apply.stdout).to.include("Apply complete! Resources: 12 added, 0 changed, 0 destroyed.");
    const list = run(dir, ["state", "list"]);
    expect(list.stdout.trim().split("\n")).to.deep.equal(INSTANCES);
    const again = run(dir, ["plan", "--detailed-exitcode"]);
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    expect(again.stdout).to.include("No changes.");
  });

  it("prints outputs that come from modules, and keeps a module's sensitive input out of plans", () => {
    const out = run(dir, ["output", "--json"]);
    expect(out.code, out.stderr).to.equal(0);
    const values = JSON.parse(out.stdout) as Record<string, { value: unknown }>;
    expect(values["docs"]!.value).to.deep.equal({ dev: "Close-SSH-dev", test: "Close-SSH-test" });
    expect(values["extra"]!.value).to.deep.equal(["patch-extra0", "patch-extra1"]);
    expect(run(dir, ["plan"]).stdout).to.not.include("t0ken");
  });

  it("output shows the root module's outputs only, as Terraform does; module.NAME[.OUTPUT] says how to pass it up, and console evaluates it", () => {
    const one = run(dir, ["output", "module.prod.doc_name"]);
    expect(one.code).to.equal(1);
    expect(one.stderr).to.include('error[output/not-found]: No output named "module.prod.doc_name"');
    expect(one.stderr).to.include('module "prod" has the outputs doc_name, patch_name. The outputs are: docs, extra.');
    expect(one.stderr).to.include('output "prod_doc_name" { value = module.prod.doc_name }');
    // A module with for_each: all its instances, or the one named.
    expect(run(dir, ["output", "module.env"]).stderr).to.include(
      "output \"env\" { value = module.env }; or look at it now: echo 'module.env' | statectl console",
    );
    expect(run(dir, ["output", 'module.env["dev"].doc_name']).stderr).to.include(
      'value = module.env["dev"].doc_name }',
    );
    expect(
      run(dir, ["console"], 'module.prod.doc_name\nmodule.env["test"].doc_name\n').stdout.trim().split("\n"),
    ).to.deep.equal(['"Close-SSH-prod"', '"Close-SSH-test"']);
  });

  it("passes provider configurations to modules: providers = { ssm = ssm.west }", () => {
    const show = run(dir, ["state", "show", 'module.env["dev"].association.close_ssh']);
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.include('# module.env["dev"].association.close_ssh:').and.include("# provider: ssm.west");
    expect(run(dir, ["state", "show", "module.prod.association.close_ssh"]).stdout).to.not.include("# provider:");
    // Nested modules inherit their caller's provider configuration.
    expect(run(dir, ["state", "show", 'module.env["test"].module.patching.association.patch']).stdout).to.include(
      "# provider: ssm.west",
    );
  });

  it("orders module resources by references to module outputs and depends_on on modules (graph)", () => {
    const graph = run(dir, ["graph"]);
    expect(graph.code, graph.stderr).to.equal(0);
    expect(graph.stdout).to.include('"module.prod.module.patching.association.patch" -> "association.report"');
    expect(graph.stdout).to.include('"module.prod.document.close_ssh" -> "association.report"');
    expect(graph.stdout).to.include(
      '"module.prod.association.close_ssh" -> "module.env[\\"dev\\"].document.close_ssh" [label = "depends_on"]',
    );
    expect(graph.stdout).to.include(
      '"module.env[\\"test\\"].document.close_ssh" -> "module.env[\\"test\\"].association.close_ssh"',
    );
  });

  it("targets a module, a module instance and an instance inside a module", () => {
    const whole = run(dir, ["plan", "--target", "module.env"]);
    expect(whole.code, whole.stderr).to.equal(0);
    expect(whole.stdout)
      .to.include('module.env["dev"].document.close_ssh: Refreshing')
      .and.include('module.env["test"].document.close_ssh: Refreshing');
    expect(whole.stdout).to.not.include("module.extra[0].association.patch: Refreshing");
    const one = run(dir, ["plan", "--target", 'module.env["dev"]']);
    expect(one.stdout)
      .to.include('module.env["dev"].document.close_ssh: Refreshing')
      .and.not.include('module.env["test"]');
    const inst = run(dir, ["plan", "--target", "module.extra[1].association.patch"]);
    expect(inst.stdout).to.include("module.extra[1].association.patch: Refreshing").and.not.include("module.extra[0]");
  });

  it("replaces an instance inside a module with --replace", () => {
    const r = run(dir, ["plan", "--replace", "module.prod.module.patching.association.patch"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include("# module.prod.module.patching.association.patch must be replaced");
    expect(r.stdout).to.include("Plan: 1 to add, 0 to change, 1 to destroy.");
  });

  it("moves, shows and removes state at module addresses (state mv/show/rm)", () => {
    const mv = run(dir, ["state", "mv", "module.extra[1].association.patch", "association.moved_out"]);
    expect(mv.code, mv.stderr).to.equal(0);
    expect(mv.stdout).to.include("Moved module.extra[1].association.patch to association.moved_out");
    const plan = run(dir, ["plan"]);
    expect(plan.stdout)
      .to.include("# association.moved_out will be destroyed")
      .and.include("# module.extra[1].association.patch will be created");
    const back = run(dir, ["state", "mv", "association.moved_out", "module.extra[1].association.patch"]);
    expect(back.code, back.stderr).to.equal(0);
    const bad = run(dir, ["state", "show", "module.extra[7].association.patch"]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include("module.extra[7].association.patch");
    const invalid = run(dir, ["state", "show", "module.extra[1]"]);
    expect(invalid.code).to.equal(1);
    expect(invalid.stderr)
      .to.include("error[state/invalid-address]")
      .and.include('module.NAME["key"].association.NAME');
  });

  it("moved blocks move resources into and out of modules", () => {
    // Out of a module: module.extra[1]'s association becomes a root resource.
    write(dir, {
      "main.state":
        ROOT.replace("count  = 2", "count  = 1") +
        `
association "patch_out" {
  name     = "patch-extra1"
  document = "AWS-RunPatchBaseline"
  parameters = { Operation = "Scan" }
  targets {
    key    = "tag:Environment"
    values = ["extra1"]
  }
}
moved {
  from = module.extra[1].association.patch
  to   = association.patch_out
}
`,
    });
    const out = run(dir, ["apply", "--auto-approve"]);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.include("# module.extra[1].association.patch has moved to association.patch_out");
    expect(out.stdout).to.include("Resources: 0 added, 0 changed, 0 destroyed.");
    // And back into it.
    write(dir, {
      "main.state": ROOT + `\nmoved {\n  from = association.patch_out\n  to   = module.extra[1].association.patch\n}\n`,
    });
    const into = run(dir, ["apply", "--auto-approve"]);
    expect(into.code, into.stderr).to.equal(0);
    expect(into.stdout).to.include("# association.patch_out has moved to module.extra[1].association.patch");
    expect(into.stdout).to.include("Resources: 0 added, 0 changed, 0 destroyed.");
    write(dir, { "main.state": ROOT });
  });

  it("imports an existing object to a module address with an import block", async () => {
    const rm = run(dir, ["state", "rm", "module.extra[0].association.patch"]);
    expect(rm.code, rm.stderr).to.equal(0);
    const id = await behindTheBack(dir, async (client) => {
      const list = await client.send(
        new ListAssociationsCommand({ AssociationFilterList: [{ key: "AssociationName", value: "patch-extra0" }] }),
      );
      return list.Associations![0]!.AssociationId!;
    });
    write(dir, { "main.state": ROOT + `\nimport {\n  to = module.extra[0].association.patch\n  id = "${id}"\n}\n` });
    const r = run(dir, ["apply", "--auto-approve"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include("Resources: 1 imported, 0 added, 0 changed, 0 destroyed.");
    expect(run(dir, ["state", "list"]).stdout).to.include("module.extra[0].association.patch");
    write(dir, { "main.state": ROOT });
  });

  it("imports an existing object to a module address with the import command", () => {
    expect(run(dir, ["state", "rm", 'module.env["test"].document.close_ssh']).code).to.equal(0);
    const r = run(dir, ["import", 'module.env["test"].document.close_ssh', "Close-SSH-test"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('Imported module.env["test"].document.close_ssh (id Close-SSH-test)');
    const plan = run(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
  });

  it("destroys every module instance", () => {
    const r = run(dir, ["destroy", "--auto-approve"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include("Destroy complete! Resources: 12 destroyed.");
    expect(run(dir, ["state", "list"]).stdout).to.equal("");
  });
});

describe("cli: bad module input", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-modules-bad-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Applies `files`; expects exit 1, the diagnostic code at `at` (file:line:col), and nothing applied. */
  function expectRefused(files: Record<string, string>, code: string, at: string, ...texts: string[]): void {
    write(dir, {
      "providers.state": 'provider "ssm" {\n  endpoint = "local"\n}\n',
      "root.state":
        'association "root" {\n  document = "AWS-RunShellScript"\n  parameters = { commands = ["echo"] }\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n}\n',
      ...files,
    });
    const r = run(dir, ["apply", "--auto-approve"]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.include(`error[${code}]`);
    expect(r.stderr).to.include(`--> ${at}`);
    for (const t of texts) expect(r.stderr).to.include(t);
    expect(existsSync(join(dir, "statectl.state.json")), "nothing applied").to.equal(false);
  }

  const PATCH_MODULE = { "modules/patching/main.state": PATCHING };

  it("a source folder that does not exist", () => {
    expectRefused(
      { "main.state": 'module "p" {\n  source = "./modules/patchin"\n  label  = "x"\n}\n', ...PATCH_MODULE },
      "config/module-source-missing",
      "main.state:2:12",
      "there is no folder modules/patchin",
      'did you mean "modules/patching"?',
    );
  });

  it("a source that is not a local path", () => {
    expectRefused(
      { "main.state": 'module "p" {\n  source = "modules/patching"\n  label  = "x"\n}\n', ...PATCH_MODULE },
      "config/module-source-not-local",
      "main.state:2:12",
      "starts with ./ or ../",
    );
  });

  it("a module that calls itself, directly and through another module", () => {
    expectRefused(
      {
        "main.state": 'module "a" {\n  source = "./modules/a"\n}\n',
        "modules/a/main.state": 'module "again" {\n  source = "./"\n}\n',
      },
      "config/module-cycle",
      "modules/a/main.state:2:12",
      "modules/a → modules/a",
    );
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    expectRefused(
      {
        "main.state": 'module "a" {\n  source = "./modules/a"\n}\n',
        "modules/a/main.state": 'module "b" {\n  source = "../b"\n}\n',
        "modules/b/main.state": 'module "a" {\n  source = "../a"\n}\n',
      },
      "config/module-cycle",
      "modules/b/main.state:2:12",
      "modules/a → modules/b → modules/a",
    );
  });

  it("a folder without .state files", () => {
    expectRefused(
      { "main.state": 'module "p" {\n  source = "./modules/empty"\n}\n', "modules/empty/README.md": "nothing\n" },
      "config/module-no-files",
      "main.state:2:12",
      "modules/empty has no .state files",
    );
  });

  it("an unknown input, with did you mean, and a missing one, at the module block", () => {
    expectRefused(
      { "main.state": 'module "p" {\n  source = "./modules/patching"\n  lable  = "x"\n}\n', ...PATCH_MODULE },
      "config/module-unknown-input",
      "main.state:3:3",
      'module "p" sets "lable"',
      'did you mean "label"?',
    );
    expectRefused(
      { "main.state": 'module "p" {\n  source = "./modules/patching"\n}\n', ...PATCH_MODULE },
      "config/module-missing-input",
      "main.state:1:1",
      'module "p" does not set "label"',
    );
  });

  it("an input of the wrong type, and one that fails the module's validation", () => {
    expectRefused(
      { "main.state": 'module "p" {\n  source = "./modules/patching"\n  label  = ["x"]\n}\n', ...PATCH_MODULE },
      "eval/invalid-variable-value",
      "main.state:3:12",
      'the argument label of module "p"',
    );
    expectRefused(
      {
        "main.state": 'module "b" {\n  source      = "./modules/baseline"\n  environment = "staging"\n}\n',
        "modules/baseline/main.state": BASELINE,
        ...PATCH_MODULE,
      },
      "eval/variable-validation",
      "main.state:3:17",
      "environment must be prod, dev or test.",
    );
  });

  it("an output the module does not declare, and a module call that is not declared", () => {
    expectRefused(
      {
        "main.state":
          'module "p" {\n  source = "./modules/patching"\n  label  = "x"\n}\noutput "o" {\n  value = module.p.nme\n}\n',
        ...PATCH_MODULE,
      },
      "config/undeclared-module-output",
      "main.state:6:11",
      'did you mean "name"?',
    );
    expectRefused(
      {
        "main.state":
          'module "p" {\n  source = "./modules/patching"\n  label  = "x"\n}\noutput "o" {\n  value = module.q.name\n}\n',
        ...PATCH_MODULE,
      },
      "config/undeclared-module",
      "main.state:6:11",
      'did you mean "p"?',
    );
  });

  it("import --generate into a module's folder says it cannot, and writes nothing", () => {
    write(dir, {
      "providers.state": 'provider "ssm" {\n  endpoint = "local"\n}\n',
      "main.state": 'module "p" {\n  source = "./modules/patching"\n  label  = "x"\n}\n',
      ...PATCH_MODULE,
    });
    const r = run(dir, ["import", "--generate", "modules/patching/existing.state", "--all"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(
      "error[import/module-folder]: import --generate cannot write into the folder of module.p",
    );
    expect(r.stderr).to.include("moved { from = association.x, to = module.p.association.x }");
    expect(existsSync(join(dir, "modules/patching/existing.state"))).to.equal(false);
    expect(existsSync(join(dir, "statectl.state.json"))).to.equal(false);
  });

  it("a provider configuration the module uses but is not given, and one inside a module", () => {
    const usesWest = PATCHING.replace(
      'document = "AWS-RunPatchBaseline"',
      'document = "AWS-RunPatchBaseline"\n  provider = ssm.west',
    );
    expectRefused(
      {
        "main.state": 'module "p" {\n  source = "./modules/patching"\n  label  = "x"\n}\n',
        "modules/patching/main.state": usesWest,
      },
      "config/module-provider-not-passed",
      "modules/patching/main.state:8:14",
      'module "p" does not pass it',
    );
    expectRefused(
      {
        "main.state": 'module "p" {\n  source = "./modules/patching"\n  label  = "x"\n}\n',
        "modules/patching/main.state": PATCHING + 'provider "ssm" {\n  region = "eu-west-1"\n}\n',
      },
      "config/module-root-only-block",
      "modules/patching/main.state:17:1",
      "provider configurations belong in the root module",
    );
  });
});

describe("examples/org-baseline", function () {
  this.timeout(120_000);
  const example = fileURLToPath(new URL("../../../examples/org-baseline/", import.meta.url));

  it("its README shows the graph statectl prints", () => {
    const r = run(example, ["graph"]);
    expect(r.code, r.stderr).to.equal(0);
    const readme = readFileSync(join(example, "README.md"), "utf8");
    const dot = /```dot\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(dot).to.equal(r.stdout.trimEnd());
    expect(readme).to.include("![The dependency graph of org-baseline](graph.svg)");
    expect(existsSync(join(example, "graph.svg"))).to.equal(true);
  });

  it("applies, plans no changes and destroys across two regions, each region's objects visible only there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "statectl-org-baseline-"));
    try {
      cpSync(example, dir, { recursive: true });
      const plan0 = run(dir, ["plan"]);
      expect(plan0.stdout).to.include(
        "Plan: 16 to add, 0 to change, 0 to destroy.\n  ssm (us-east-1): 8 to add, 0 to change, 0 to destroy\n  ssm.west (us-west-2): 8 to add, 0 to change, 0 to destroy",
      );
      const apply = run(dir, ["apply", "--auto-approve"]);
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      const seen = await behindTheBack(dir, async (east, endpoint) => {
        const west = new SSMClient({
          endpoint: endpoint.url,
          region: "us-west-2",
          credentials: { ...LOCAL_ENDPOINT_CREDENTIALS },
        });
        try {
          const names = async (c: SSMClient) =>
            (
              (await c.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] })))
                .DocumentIdentifiers ?? []
            )
              .map((d) => d.Name)
              .sort();
          return { east: await names(east), west: await names(west) };
        } finally {
          west.destroy();
        }
      });
      expect(seen).to.deep.equal({
        east: ["Baseline-CloseSSH-dev-east", "Baseline-CloseSSH-prod-east"],
        west: ["Baseline-CloseSSH-dev-west", "Baseline-CloseSSH-prod-west"],
      });
      expect(apply.stdout).to.include("Apply complete! Resources: 16 added, 0 changed, 0 destroyed.");
      expect(apply.stdout).to.include('dev  = "Baseline-CloseSSH-dev-west"');
      const plan = run(dir, ["plan", "--detailed-exitcode"]);
      expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
      const destroy = run(dir, ["destroy", "--auto-approve"]);
      expect(destroy.code, destroy.stderr).to.equal(0);
      expect(destroy.stdout).to.include("Destroy complete! Resources: 16 destroyed.");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
