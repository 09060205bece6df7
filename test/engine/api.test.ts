// The library's front doors as an embedder uses them: in-memory configuration, memory state
// storage and the embedder's own SSMClient (the real SDK over HTTP against the in-process local
// endpoint), with nothing written to disk.
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetDocumentCommand, type SSMClient } from "@aws-sdk/client-ssm";
import {
  createLocalSsmClient,
  evaluateConfiguration,
  formatPlan,
  hasChanges,
  MemoryStateStorage,
  parseSource,
  parseStateFile,
  readState,
  renderDiagnostics,
  runApply,
  runAssociationsOnce,
  runImport,
  runPlan,
  runStatus,
  startLocalEndpoint,
  writeState,
  FileStateStorage,
  type EngineEvent,
  type LocalEndpoint,
} from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const FILES = {
  "main.state": `variable "env" {
  type    = string
  default = "dev"
}

document "hello" {
  name    = "Hello-\${var.env}"
  content = file("hello.yaml")
}

association "hello" {
  name     = "hello-\${var.env}"
  document = document.hello.name
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  schedule = "rate(1 day)"
}

output "document_name" {
  value = document.hello.name
}
`,
  "hello.yaml":
    'schemaVersion: "2.2"\ndescription: hello\nmainSteps:\n  - action: aws:runShellScript\n    name: hello\n    inputs:\n      runCommand:\n        - echo hello\n',
};

describe("library front doors", function () {
  this.timeout(60_000);

  describe("parse", () => {
    it("parseSource returns the body and diagnostics with the text to render them", () => {
      const ok = parseSource('document "a" {\n  name = "A"\n}\n', "a.state");
      expect(ok.diagnostics).to.deep.equal([]);
      expect(ok.body!.items.map((i) => i.type)).to.deep.equal(["Block"]);
      const bad = parseSource('document "a" {\n  name "A"\n}\n', "bad.state");
      expect(bad.diagnostics[0]!.code).to.match(/^syntax\//);
      expect(bad.diagnostics[0]!.range!.file).to.equal("bad.state");
      expect(renderDiagnostics(bad.diagnostics, bad.sources)).to.include('2 |   name "A"');
    });

    it("parseStateFile reads a file, and a missing file is a diagnostic, not an exception", async () => {
      const dir = mkdtempSync(join(tmpdir(), "statectl-api-"));
      try {
        writeFileSync(join(dir, "x.state"), 'document "x" {\n  name = "X"\n}\n');
        expect((await parseStateFile(join(dir, "x.state"))).diagnostics).to.deep.equal([]);
        const missing = await parseStateFile(join(dir, "nope.state"));
        expect(missing.diagnostics.map((d) => d.code)).to.deep.equal(["config/unreadable-file"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("evaluate", () => {
    it("evaluates in-memory files (file() reads them too) without a directory on disk", async () => {
      const dir = join(tmpdir(), `statectl-api-absent-${process.pid}`);
      const ev = await evaluateConfiguration({ dir, files: FILES, vars: ["env=prod"] });
      expect(ev.diagnostics).to.deep.equal([]);
      expect(ev.instances.map((i) => i.address)).to.have.members(["document.hello", "association.hello"]);
      const doc = ev.instances.find((i) => i.address === "document.hello")!;
      expect(doc.attrs["name"]).to.equal("Hello-prod");
      expect(doc.attrs["content"]).to.include("echo hello");
      expect(ev.outputs.map((o) => [o.name, o.value])).to.deep.equal([["document_name", "Hello-prod"]]);
      expect(existsSync(dir)).to.equal(false);
    });

    it("reports configuration errors as diagnostics", async () => {
      const ev = await evaluateConfiguration({ files: { "main.state": 'document "x" {\n  nmae = "X"\n}\n' } });
      expect(ev.diagnostics.some((d) => d.severity === "error" && d.code.startsWith("config/"))).to.equal(true);
    });
  });

  describe("plan and apply with the embedder's client, memory storage and in-memory files", () => {
    let endpoint: LocalEndpoint;
    let client: SSMClient;
    const dir = join(tmpdir(), `statectl-api-nodisk-${process.pid}`);
    before(async () => {
      endpoint = await startLocalEndpoint();
      client = await createLocalSsmClient(endpoint);
    });
    after(async () => {
      client.destroy();
      await endpoint.stop();
    });

    it("plans, applies the plan object, reports progress through onEvent, and leaves the client open", async () => {
      const storage = new MemoryStateStorage();
      const events: EngineEvent[] = [];
      const common = { dir, files: FILES, storage, ssmClient: client, onEvent: (e: EngineEvent) => events.push(e) };
      const planned = await runPlan(common);
      expect(planned.diagnostics).to.deep.equal([]);
      expect(planned.plan!.changes.map((c) => `${c.action} ${c.address}`)).to.have.members([
        "create document.hello",
        "create association.hello",
      ]);
      expect(formatPlan(planned.plan!)).to.include("Plan: 2 to add, 0 to change, 0 to destroy.");
      const json = JSON.parse(formatPlan(planned.plan!, "json")) as {
        format_version: string;
        summary: { add: number };
      };
      expect(json.format_version).to.equal("1.0");
      expect(json.summary.add).to.equal(2);

      const applied = await runApply({ ...common, plan: planned.plan! });
      expect(applied.diagnostics).to.deep.equal([]);
      expect(applied.result!.added).to.equal(2);
      expect(applied.outputs!.map((o) => o.value)).to.deep.equal(["Hello-dev"]);
      expect(
        events
          .filter((e) => e.kind === "apply" && e.event.type === "done")
          .map((e) => (e.kind === "apply" ? e.event.address : "")),
      ).to.have.members(["document.hello", "association.hello"]);
      expect(storage.writes).to.be.greaterThan(1);

      // The client is still the embedder's: usable after the engine is done.
      const doc = await client.send(new GetDocumentCommand({ Name: "Hello-dev" }));
      expect(doc.Content).to.include("echo hello");
      const again = await runPlan(common);
      expect(hasChanges(again.plan!)).to.equal(false);
      expect(existsSync(dir)).to.equal(false);
    });

    it("asks confirm with the plan; answering no changes neither SSM nor the state", async () => {
      const storage = new MemoryStateStorage();
      const files = { ...FILES, "main.state": FILES["main.state"].replace('default = "dev"', 'default = "declined"') };
      let asked = 0;
      const run = await runApply({
        dir,
        files,
        storage,
        ssmClient: client,
        confirm: async (plan) => ((asked += plan.changes.length), false),
      });
      expect(asked).to.equal(2);
      expect(run.cancelled).to.equal(true);
      expect(run.result).to.equal(undefined);
      expect(storage.writes).to.equal(0);
      const planned = await runPlan({ dir, files, storage, ssmClient: client });
      expect(planned.plan!.changes.every((c) => c.action === "create")).to.equal(true);
    });

    it("status, run and import take the same storage, client and in-memory files", async () => {
      const storage = new MemoryStateStorage();
      const files = { ...FILES, "main.state": FILES["main.state"].replace('default = "dev"', 'default = "ops"') };
      const common = { dir, files, storage, ssmClient: client };
      expect((await runApply(common)).result!.added).to.equal(2);
      const id = (await storage.read()).state!.resources.find((r) => r.kind === "association")!.id;

      const status = await runStatus(common);
      expect(status.diagnostics).to.deep.equal([]);
      expect(status.value!.map((a) => [a.address, a.association_id, a.name])).to.deep.equal([
        ["association.hello", id, "hello-ops"],
      ]);
      const ran = await runAssociationsOnce(common);
      expect(ran.diagnostics).to.deep.equal([]);
      expect(ran.value!.map((r) => r.address)).to.deep.equal(["association.hello"]);

      // Import the same document into a second, empty storage.
      const other = new MemoryStateStorage();
      const imported = await runImport({ ...common, storage: other, address: "document.hello", id: "Hello-ops" });
      expect(imported.diagnostics).to.deep.equal([]);
      expect((await other.read()).state!.resources.map((r) => [r.address, r.id])).to.deep.equal([
        ["document.hello", "Hello-ops"],
      ]);
      expect(existsSync(dir)).to.equal(false);
      // The client is still the embedder's.
      expect((await client.send(new GetDocumentCommand({ Name: "Hello-ops" }))).Content).to.include("echo hello");
    });

    it("refuses a plan object once the state moved on", async () => {
      const storage = new MemoryStateStorage();
      const files = { ...FILES, "main.state": FILES["main.state"].replace('default = "dev"', 'default = "stale"') };
      const common = { dir, files, storage, ssmClient: client };
      const first = await runPlan(common);
      await runApply({ ...common, plan: first.plan! });
      const second = await runApply({ ...common, plan: first.plan! });
      expect(second.result).to.equal(undefined);
      expect(second.diagnostics.map((d) => d.code)).to.include("plan/stale-plan");
    });

    it("records the configuration digest in a plan object, and computes none for an apply that plans and applies at once", async () => {
      const storage = new MemoryStateStorage();
      const files = { ...FILES, "main.state": FILES["main.state"].replace('default = "dev"', 'default = "digest"') };
      const common = { dir, files, storage, ssmClient: client };
      const planned = await runPlan(common);
      expect(planned.plan?.configHash).to.match(/^[0-9a-f]{64}$/);
      const applied = await runApply(common);
      expect(applied.result?.added).to.equal(2);
      expect(applied.plan).to.not.equal(undefined);
      expect(applied.plan?.configHash).to.equal(undefined);
    });

    it("computes a plan object's digest when first read, from the configuration it was planned from", async () => {
      const storage = new MemoryStateStorage();
      const files = { ...FILES, "main.state": FILES["main.state"].replace('default = "dev"', 'default = "lazy"') };
      const common = { dir, files, storage, ssmClient: client };
      const readAtOnce = (await runPlan(common)).plan!.configHash;
      const later = (await runPlan(common)).plan!;
      // Not hashed while planning: a plan only shown never pays for it.
      expect(typeof Object.getOwnPropertyDescriptor(later, "configHash")?.get).to.equal("function");
      const other = await runPlan({
        ...common,
        files: { ...files, "main.state": files["main.state"].replace('default = "lazy"', 'default = "other"') },
      });
      expect(other.plan!.configHash).to.not.equal(readAtOnce);
      // Read after another configuration was loaded: still the digest of its own.
      expect(later.configHash).to.equal(readAtOnce);
      expect((JSON.parse(JSON.stringify(later)) as { configHash?: string }).configHash).to.equal(readAtOnce);
      expect(Object.keys(later).slice(0, 3)).to.deep.equal(["mode", "prior", "configHash"]);
      const applied = await runApply({ ...common, plan: later });
      expect(applied.diagnostics).to.deep.equal([]);
      expect(applied.result?.added).to.equal(2);
    });
  });

  describe("state", () => {
    it("readState and writeState work over a file path or a storage", async () => {
      const dir = mkdtempSync(join(tmpdir(), "statectl-api-state-"));
      try {
        const path = join(dir, "statectl.state.json");
        expect((await readState(path)).state).to.equal(undefined);
        const storage = new FileStateStorage(path);
        const written = await writeState(storage, {
          serial: 0,
          lineage: "11111111-2222-3333-4444-555555555555",
          statectlVersion: "",
          resources: [],
          outputs: { x: { value: "y", sensitive: false } },
        });
        expect(written.diagnostics).to.deep.equal([]);
        expect(written.state!.serial).to.equal(1);
        const back = await readState(path);
        expect(back.state!.outputs["x"]!.value).to.equal("y");
        expect((await readState(new MemoryStateStorage())).state).to.equal(undefined);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
