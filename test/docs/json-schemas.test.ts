// The versioned JSON forms other tools rely on — `plan --json`, diagnostics (`validate --json`)
// and the state file — checked against the JSON Schemas published in docs/, on real outputs:
// plans of every action made by the engine against the local endpoint, the CLI's own stdout,
// and a state file written by a real apply.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { UpdateAssociationCommand, type SSMClient } from "@aws-sdk/client-ssm";
import {
  createLocalSsmClient,
  diagnosticsToJson,
  MemoryStateStorage,
  planToJson,
  runApply,
  runPlan,
  startLocalEndpoint,
  type LocalEndpoint,
} from "../../src/index.js";
import { behindTheBack, run } from "../cli/helpers.js";
import { CONFIG as STATUS_CONFIG } from "../cli/status-config.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const schemaText = (name: string) => JSON.parse(readFileSync(join(repoRoot, "docs", name), "utf8")) as { $id: string };

const SCHEMAS = [
  "diagnostics.schema.json",
  "plan.schema.json",
  "apply.schema.json",
  "state-file.schema.json",
  "status.schema.json",
  "run.schema.json",
  "schedule.schema.json",
];
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
for (const name of SCHEMAS) ajv.addSchema(schemaText(name));
const validator = (name: string): ValidateFunction => ajv.getSchema(schemaText(name).$id)!;

function expectValid(schema: string, value: unknown): void {
  const validate = validator(schema);
  const ok = validate(value);
  const why = (validate.errors ?? [])
    .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`)
    .join("\n");
  expect(
    ok,
    `does not match docs/${schema} — if the JSON form changed on purpose, update the schema (and bump format_version for an incompatible change):\n${why}\n${JSON.stringify(value, null, 2).slice(0, 3000)}`,
  ).to.equal(true);
}

const DOC =
  'schemaVersion: "2.2"\ndescription: hello\nparameters:\n  token:\n    type: String\nmainSteps:\n  - action: aws:runShellScript\n    name: hello\n    inputs:\n      runCommand:\n        - echo hello\n';

function config(opts: { docName: string; schedule: string; extra?: string }): Record<string, string> {
  return {
    "hello.yaml": DOC,
    "main.state": `variable "token" {
  type      = string
  default   = "s3cret"
  sensitive = true
}

document "hello" {
  name    = "${opts.docName}"
  content = file("hello.yaml")
}

association "hello" {
  name             = "hello"
  document         = document.hello.name
  document_version = document.hello.latest_version
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  parameters = {
    token = var.token
  }
  schedule = "${opts.schedule}"
}
${opts.extra ?? ""}`,
  };
}

describe("docs: JSON Schemas of the versioned JSON forms", function () {
  this.timeout(60_000);

  it("every schema is valid JSON Schema 2020-12 with an $id, and names its format version", () => {
    for (const name of SCHEMAS) {
      expect(validator(name), name).to.be.a("function");
      expect(readFileSync(join(repoRoot, "docs", name), "utf8")).to.include("format_version");
    }
  });

  it("every document but the state file shares one format_version and one diagnostic shape, from diagnostics.schema.json", () => {
    for (const name of SCHEMAS.filter((n) => n !== "state-file.schema.json" && n !== "diagnostics.schema.json")) {
      const text = readFileSync(join(repoRoot, "docs", name), "utf8");
      expect(text, name).to.include('"format_version": { "$ref": "diagnostics.v1.json#/$defs/formatVersion" }');
      expect(text, name).to.include('"$ref": "diagnostics.v1.json#/$defs/diagnostic"');
      // A diagnostic's own severity is "error" or "warning" (status's compliance severity is another field).
      expect(text, `${name} describes a diagnostic of its own`).not.to.match(
        /"severity": \{ "enum": \["error", "warning"\] \}/,
      );
    }
  });

  it("schedule --json matches docs/schedule.schema.json, overlaps and unscheduled associations included", () => {
    const dir = mkdtempSync(join(tmpdir(), "statectl-schema-schedule-"));
    try {
      const association = (name: string, schedule?: string) =>
        `association "${name}" {\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  parameters = { commands = ["echo"] }\n${schedule ? `  schedule = "${schedule}"\n` : ""}}\n`;
      writeFileSync(
        join(dir, "main.state"),
        association("a", "cron(0 2 ? * MON *)") +
          association("b", "cron(0 2 ? * * *)") +
          association("c", "rate(1 day)") +
          association("once"),
      );
      const r = run(dir, ["schedule", "--json", "--count", "7", "--from", "2026-03-02T10:00:00Z"]);
      expect(r.code, r.stderr).to.equal(0);
      const json = JSON.parse(r.stdout) as { overlaps: unknown[]; unscheduled: string[] };
      expect(json.overlaps.length).to.be.greaterThan(0);
      expect(json.unscheduled).to.deep.equal(["association.once"]);
      expectValid("schedule.schema.json", json);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("plans made by the engine", () => {
    let endpoint: LocalEndpoint;
    let client: SSMClient;
    before(async () => {
      endpoint = await startLocalEndpoint();
      client = await createLocalSsmClient(endpoint);
    });
    after(async () => {
      client.destroy();
      await endpoint.stop();
    });

    it("create (with unknown and sensitive values), drift, update, replace, no-op, refresh-only and destroy plans match docs/plan.schema.json", async () => {
      const storage = new MemoryStateStorage();
      const common = { storage, ssmClient: client, dir: join(tmpdir(), `statectl-schema-${process.pid}`) };
      const created = await runPlan({ ...common, files: config({ docName: "Hello", schedule: "rate(1 day)" }) });
      expect(created.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
      const createdJson = planToJson(created.plan!) as {
        resource_changes: { action: string; after_unknown: unknown[]; sensitive_paths: unknown[] }[];
      };
      expectValid("plan.schema.json", createdJson);
      expect(
        createdJson.resource_changes.some((c) => c.after_unknown.length > 0 && c.sensitive_paths.length > 0),
      ).to.equal(true);

      const other = (label: string) =>
        `document "${label}" {\n  name    = "Other"\n  content = file("hello.yaml")\n}\n`;
      await runApply({ ...common, files: config({ docName: "Hello", schedule: "rate(1 day)", extra: other("old") }) });
      const state = (await storage.read()).state!;
      const id = state.resources.find((r) => r.address === "association.hello")!.id;
      await client.send(
        new UpdateAssociationCommand({
          AssociationId: id,
          ScheduleExpression: "rate(3 days)",
          Parameters: { token: ["s3cret"] },
        }),
      );

      const changed = await runPlan({
        ...common,
        files: config({
          docName: "Hello2",
          schedule: "rate(2 days)",
          extra: other("new") + "moved {\n  from = document.old\n  to   = document.new\n}\n",
        }),
      });
      expect(changed.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
      const changedJson = planToJson(changed.plan!) as {
        resource_changes: { action: string }[];
        resource_drift: unknown[];
        moved: unknown[];
      };
      expect(changedJson.moved).to.deep.equal([{ from: "document.old", to: "document.new" }]);
      expectValid("plan.schema.json", changedJson);
      expect(changedJson.resource_drift.length).to.be.greaterThan(0);
      expect(changedJson.resource_changes.map((c) => c.action)).to.include("replace");

      const same = await runPlan({ ...common, files: config({ docName: "Hello", schedule: "rate(3 days)" }) });
      expectValid("plan.schema.json", planToJson(same.plan!));
      const refreshOnly = await runPlan({
        ...common,
        mode: "refresh-only",
        files: config({ docName: "Hello", schedule: "rate(1 day)" }),
      });
      expectValid("plan.schema.json", planToJson(refreshOnly.plan!));
      const destroy = await runPlan({
        ...common,
        mode: "destroy",
        files: config({ docName: "Hello", schedule: "rate(1 day)" }),
      });
      const destroyJson = planToJson(destroy.plan!) as { resource_changes: { action: string }[] };
      expectValid("plan.schema.json", destroyJson);
      expect(destroyJson.resource_changes.map((c) => c.action)).to.deep.equal(["delete", "delete", "delete"]);
      // The state storage holds the state file's exact text: it matches the state schema too.
      expectValid("state-file.schema.json", JSON.parse(storage.contents ?? ""));
    });
  });

  describe("the CLI's own output", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "statectl-schema-cli-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("plan --json (a plan, and a failure before any plan), apply and destroy --json, and the state file apply writes", () => {
      for (const [name, text] of Object.entries(config({ docName: "Hello", schedule: "rate(1 day)" })))
        writeFileSync(
          join(dir, name),
          name === "main.state" ? 'provider "ssm" {\n  endpoint = "local"\n}\n' + text : text,
        );
      const planned = run(dir, ["plan", "--json"]);
      expect(planned.code, planned.stderr).to.equal(0);
      expectValid("plan.schema.json", JSON.parse(planned.stdout));
      const applied = run(dir, ["apply", "--auto-approve", "--json"]);
      expect(applied.code, applied.stderr).to.equal(0);
      const appliedJson = JSON.parse(applied.stdout) as { result: { added: number } };
      expectValid("apply.schema.json", appliedJson);
      expect(appliedJson.result.added).to.equal(2);
      expectValid("state-file.schema.json", JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8")));
      writeFileSync(join(dir, "broken.state"), 'document "x" {\n  nmae = "X"\n}\n');
      const failed = run(dir, ["plan", "--json"]);
      expect(failed.code).to.equal(1);
      const failedJson = JSON.parse(failed.stdout) as { errored: boolean };
      expect(failedJson.errored).to.equal(true);
      expectValid("plan.schema.json", failedJson);
      rmSync(join(dir, "broken.state"));
      const destroyed = run(dir, ["destroy", "--auto-approve", "--json"]);
      expect(destroyed.code, destroyed.stderr).to.equal(0);
      expectValid("apply.schema.json", JSON.parse(destroyed.stdout));
    });

    it("status --json and run --json, with a failing instance, match docs/status.schema.json and docs/run.schema.json", async () => {
      writeFileSync(join(dir, "main.state"), STATUS_CONFIG);
      expect(run(dir, ["apply", "--auto-approve"]).code).to.equal(0);
      await behindTheBack(dir, (_client, endpoint) => endpoint.failDocument("web-2", "AWS-RunShellScript"));
      const started = run(dir, ["run", "association.db", "--json"]);
      expect(started.code, started.stderr).to.equal(0);
      expectValid("run.schema.json", JSON.parse(started.stdout));
      const waited = run(dir, ["run", "association.web", "--wait", "60", "--json"]);
      expect(waited.code).to.equal(1);
      const runs = JSON.parse(waited.stdout) as { runs: { failed_instances: unknown[] }[] };
      expect(runs.runs[0]!.failed_instances).to.have.length(1);
      expectValid("run.schema.json", runs);
      const status = JSON.parse(run(dir, ["status", "--json"]).stdout) as {
        compliant: boolean;
        associations: { last_execution?: unknown; next_run?: string }[];
      };
      expect(status.compliant).to.equal(false);
      expect(status.associations.some((a) => a.last_execution !== undefined && a.next_run !== undefined)).to.equal(
        true,
      );
      expectValid("status.schema.json", status);
    });

    it("validate --json, clean and with errors and warnings, matches docs/diagnostics.schema.json", () => {
      writeFileSync(join(dir, "main.state"), 'document "x" {\n  name = "X"\n  content = "{}"\n}\n');
      const clean = run(dir, ["validate", "--json"]);
      expectValid("diagnostics.schema.json", JSON.parse(clean.stdout));
      writeFileSync(join(dir, "main.state"), 'document "x" {\n  nmae = "X"\n}\nassociation "a" {\n  targets }\n');
      const broken = run(dir, ["validate", "--json"]);
      expect(broken.code).to.equal(1);
      const json = JSON.parse(broken.stdout) as { valid: boolean; diagnostics: unknown[] };
      expect(json.valid).to.equal(false);
      expect(json.diagnostics.length).to.be.greaterThan(0);
      expectValid("diagnostics.schema.json", json);
    });

    it("diagnosticsToJson with every optional member matches", () => {
      const range = {
        file: "a.state",
        start: { line: 1, column: 1, offset: 0 },
        end: { line: 1, column: 4, offset: 3 },
      };
      expectValid(
        "diagnostics.schema.json",
        diagnosticsToJson([
          {
            severity: "warning",
            code: "config/invalid-argument",
            summary: "s",
            detail: "d",
            hint: "h",
            range,
            context: range,
          },
        ]),
      );
    });
  });
});
