/**
 * `statectl lsp` and modules, end to end over stdio: diagnostics in a module's files found while
 * validating the calling folder, completion of a module's inputs (in its block) and outputs
 * (after `module.NAME.`), and go to definition from `module.NAME.OUTPUT` into the module's files;
 * a module folder opened alone is validated as a module (no "missing variable" for its inputs)
 * when a configuration in the workspace calls it, and as a root otherwise.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompletionRequest, DefinitionRequest, type Location } from "vscode-languageserver-protocol/node";
import { endOf, positionOf, TestClient } from "./client.js";

const MODULE = `variable "environment" {
  type        = string
  description = "The Env tag value."
}

variable "schedule" {
  type    = string
  default = "rate(1 day)"
}

association "patch" {
  name     = "patch-\${var.environment}"
  document = "AWS-RunPatchBaseline"
  schedule = var.schedule
  parameters = {
    Operation = "Scan"
  }
  targets {
    key    = "tag:Env"
    values = [var.environment]
  }
}

output "patch_name" {
  value = association.patch.name
}
`;

const MAIN = `module "baseline" {
  source      = "./modules/baseline"
  environment = "dev"
}

output "name" {
  value = module.baseline.patch_name
}
`;

describe("lsp: modules", function () {
  this.timeout(30_000);
  let dir: string;
  let client: TestClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-lsp-modules-"));
    mkdirSync(join(dir, "modules", "baseline"), { recursive: true });
    writeFileSync(join(dir, "modules", "baseline", "main.state"), MODULE);
    writeFileSync(join(dir, "main.state"), MAIN);
    client = new TestClient(dir);
    await client.initialize();
    await client.open("main.state", MAIN);
  });
  after(() => {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  async function completeAt(text: string, position: { line: number; character: number }): Promise<string[]> {
    await client.change("main.state", text);
    const r = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: client.uri("main.state") },
      position,
    });
    return (Array.isArray(r) ? r : (r?.items ?? [])).map((i) => i.label);
  }

  it("publishes diagnostics across the module boundary: a missing input at the module block, a wrong output in the caller", async () => {
    const wrong = MAIN.replace('  environment = "dev"\n', "").replace("patch_name", "patch_nme");
    await client.change("main.state", wrong);
    const ds = await client.diagnosticsFor("main.state", (list) => list.length >= 2);
    expect(ds.map((d) => d.code).sort()).to.deep.equal([
      "config/module-missing-input",
      "config/undeclared-module-output",
    ]);
    expect(ds.find((d) => d.code === "config/undeclared-module-output")!.message).to.contain(
      'did you mean "patch_name"?',
    );
    await client.change("main.state", MAIN);
    expect(await client.diagnosticsFor("main.state", (list) => list.length === 0)).to.deep.equal([]);
  });

  it("reports a problem inside the module's files on the module's file", async () => {
    const withTypo = MAIN.replace('environment = "dev"', 'environment = "dev"\n  schedule    = 5');
    writeFileSync(
      join(dir, "modules", "baseline", "main.state"),
      MODULE.replace("  schedule = var.schedule\n", "  schedul = var.schedule\n"),
    );
    await client.change("main.state", withTypo);
    try {
      const ds = await client.diagnosticsFor("modules/baseline/main.state", (list) => list.length > 0);
      expect(ds.map((d) => d.code)).to.deep.equal(["config/unsupported-argument"]);
    } finally {
      writeFileSync(join(dir, "modules", "baseline", "main.state"), MODULE);
    }
  });

  it("completes a module's inputs in its block, and its outputs after module.NAME.", async () => {
    const inBlock = 'module "baseline" {\n  source = "./modules/baseline"\n  \n}\n';
    const inputs = await completeAt(inBlock, { line: 2, character: 2 });
    expect(inputs).to.include.members(["environment", "schedule", "count", "for_each"]);
    expect(inputs).to.not.include("source");
    const outputs = await completeAt(
      MAIN + 'output "x" {\n  value = module.baseline.',
      endOf(MAIN + 'output "x" {\n  value = module.baseline.'),
    );
    expect(outputs).to.deep.equal(["patch_name"]);
    const calls = await completeAt(
      MAIN + 'output "x" {\n  value = module.',
      endOf(MAIN + 'output "x" {\n  value = module.'),
    );
    expect(calls).to.deep.equal(["baseline"]);
  });

  it("goes to the definition of a module output in the module's file, and of a module call", async () => {
    await client.change("main.state", MAIN);
    const at = async (needle: string, delta: number) =>
      (await client.connection.sendRequest(DefinitionRequest.type, {
        textDocument: { uri: client.uri("main.state") },
        position: positionOf(MAIN, needle, delta),
      })) as Location | null;
    expect(await at("module.baseline.patch_name", 20)).to.deep.equal({
      uri: client.uri("modules/baseline/main.state"),
      range: {
        start: positionOf(MODULE, '"patch_name"'),
        end: positionOf(MODULE, '"patch_name"', '"patch_name"'.length),
      },
    });
    const whole = MAIN + 'output "all" {\n  value = module.baseline\n}\n';
    await client.change("main.state", whole);
    const call = await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: client.uri("main.state") },
      position: positionOf(whole, "module.baseline\n", 9),
    });
    expect(call).to.deep.equal({
      uri: client.uri("main.state"),
      range: { start: positionOf(MAIN, '"baseline"'), end: positionOf(MAIN, '"baseline"', '"baseline"'.length) },
    });
  });
});

describe("lsp: a module folder opened alone", function () {
  this.timeout(30_000);
  let dir: string;
  let client: TestClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-lsp-module-alone-"));
    // Called from the workspace root, and from a sibling branch (envs/prod → ../../modules/shared).
    mkdirSync(join(dir, "modules", "baseline"), { recursive: true });
    mkdirSync(join(dir, "modules", "shared"), { recursive: true });
    mkdirSync(join(dir, "envs", "prod"), { recursive: true });
    mkdirSync(join(dir, "lonely"), { recursive: true });
    writeFileSync(join(dir, "main.state"), MAIN);
    writeFileSync(
      join(dir, "envs", "prod", "main.state"),
      'module "shared" {\n  source      = "../../modules/shared"\n  environment = "prod"\n}\n',
    );
    writeFileSync(join(dir, "modules", "baseline", "main.state"), MODULE);
    writeFileSync(join(dir, "modules", "shared", "main.state"), MODULE);
    writeFileSync(join(dir, "lonely", "main.state"), MODULE);
    client = new TestClient(dir);
    await client.initialize();
  });
  after(() => {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is validated as a module when the workspace calls it: no missing-variable errors, real mistakes still reported", async () => {
    await client.open("modules/baseline/main.state", MODULE);
    expect(await client.diagnosticsFor("modules/baseline/main.state", () => true)).to.deep.equal([]);
    await client.open("modules/shared/main.state", MODULE);
    expect(await client.diagnosticsFor("modules/shared/main.state", () => true)).to.deep.equal([]);
    await client.change(
      "modules/baseline/main.state",
      MODULE.replace("  schedule = var.schedule\n", "  schedul = var.schedule\n"),
    );
    const ds = await client.diagnosticsFor("modules/baseline/main.state", (list) => list.length > 0);
    expect(ds.map((d) => d.code)).to.deep.equal(["config/unsupported-argument"]);
  });

  it("is validated as a root when nothing calls it: its required variable needs a value", async () => {
    await client.open("lonely/main.state", MODULE);
    const ds = await client.diagnosticsFor("lonely/main.state", (list) => list.length > 0);
    expect(ds.map((d) => d.code)).to.deep.equal(["eval/missing-variable"]);
  });
});
