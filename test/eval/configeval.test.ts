import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type LoadOptions } from "../../src/config/index.js";
import { evaluateConfig } from "../../src/eval/configeval.js";
import { toNative, type Value } from "../../src/eval/value.js";

function run(files: Record<string, string>, opts: LoadOptions = {}) {
  const loaded = loadConfig({ files, dir: "/cfg" }, opts);
  const evaluated = evaluateConfig(loaded.config);
  return { ...evaluated, diagnostics: [...loaded.diagnostics, ...evaluated.diagnostics], config: loaded.config };
}

const native = (v: Value) => toNative(v, { unknown: "(known after apply)", redact: "(sensitive)" });
const attr = (r: ReturnType<typeof run>, address: string, name: string) =>
  native(
    r.resources
      .find((x) => x.addressText === address)!
      .attrs.entries()
      .get(name)!,
  );

describe("eval/configeval: variables", () => {
  const decl =
    'variable "env" {\n  type = string\n}\nvariable "n" {\n  type    = number\n  default = 1\n}\noutput "env" {\n  value = var.env\n}\n';

  it("takes values by precedence: env < *.auto.statevars < --var-file < --var", () => {
    const files = { "main.state": decl, "a.auto.statevars": 'env = "auto"\n', "b.statevars": 'env = "file"\n' };
    const env = { STATECTL_VAR_env: "environment" };
    expect(native(run({ "main.state": decl }, { env }).variables.get("env")!)).to.equal("environment");
    expect(native(run(files, { env }).variables.get("env")!)).to.equal("auto");
    expect(native(run(files, { env, varFiles: ["b.statevars"] }).variables.get("env")!)).to.equal("file");
    expect(native(run(files, { env, varFiles: ["b.statevars"], vars: ["env=cli"] }).variables.get("env")!)).to.equal(
      "cli",
    );
    expect(native(run(files, { vars: ["env=first", "env=second"] }).variables.get("env")!)).to.equal("second");
  });

  it("converts command-line text to the declared type", () => {
    const r = run({ "main.state": decl }, { vars: ["env=x", "n=42"] });
    expect(r.diagnostics).to.deep.equal([]);
    expect(native(r.variables.get("n")!)).to.equal(42);
    const bad = run({ "main.state": decl }, { vars: ["env=x", "n=many"] });
    expect(bad.diagnostics.map((d) => d.code)).to.deep.equal(["eval/invalid-variable-value"]);
    expect(bad.diagnostics[0]!.detail).to.contain("--var n").and.contain('"many" is not a number');
  });

  it("reads complex types from --var and the environment in the language's syntax", () => {
    const src = 'variable "tags" {\n  type = map(string)\n}\nvariable "ids" {\n  type = list(number)\n}\n';
    const r = run(
      { "main.state": src },
      { vars: ['tags={env = "prod", team = "ops"}'], env: { STATECTL_VAR_ids: "[1, 2]" } },
    );
    expect(r.diagnostics).to.deep.equal([]);
    expect(native(r.variables.get("tags")!)).to.deep.equal({ env: "prod", team: "ops" });
    expect(native(r.variables.get("ids")!)).to.deep.equal([1, 2]);
  });

  it("names a required variable without a value and says how to set it", () => {
    const r = run({ "main.state": decl });
    expect(r.diagnostics.map((d) => d.code)).to.deep.equal(["eval/missing-variable"]);
    expect(r.diagnostics[0]!.detail).to.contain('"env"');
    expect(r.diagnostics[0]!.hint).to.contain("--var env=").and.contain("STATECTL_VAR_env");
  });

  it("rejects --var for undeclared variables, warns for var files, ignores the environment", () => {
    const r = run(
      { "main.state": decl, "x.auto.statevars": 'env = "a"\nextra = 1\n' },
      { vars: ["nope=1"], env: { STATECTL_VAR_other: "x" } },
    );
    expect(r.diagnostics.map((d) => `${d.severity}:${d.code}`).sort()).to.deep.equal([
      "error:config/undeclared-variable-input",
      "warning:config/undeclared-variable-input",
    ]);
  });

  it("reports malformed --var options and unreadable var files", () => {
    const r = run(
      { "main.state": 'variable "a" {\n  default = 1\n}\n' },
      { vars: ["novalue"], varFiles: ["missing.statevars"] },
    );
    expect(r.diagnostics.map((d) => d.code).sort()).to.deep.equal([
      "config/invalid-var-option",
      "config/unreadable-var-file",
    ]);
  });

  it("applies nullable = false and keeps sensitive values marked", () => {
    const src =
      'variable "a" {\n  default  = "d"\n  nullable = false\n}\nvariable "pw" {\n  sensitive = true\n  default = "x"\n}\ndocument "d" {\n  name    = "n-${var.pw}"\n  content = var.a\n}\n';
    const r = run({ "main.state": src, "v.statevars": "a = null\n" }, { varFiles: ["v.statevars"] });
    // The marking carries into the name, which is why a sensitive name is refused.
    expect(r.diagnostics.map((d) => d.code)).to.deep.equal(["eval/sensitive-name"]);
    expect(native(r.variables.get("a")!)).to.equal("d");
    expect(attr(r, "document.d", "name")).to.equal("(sensitive)");
    expect(attr(r, "document.d", "content")).to.equal("d");
  });

  it("checks validation rules against the given value", () => {
    const src =
      'variable "port" {\n  type = number\n  validation {\n    condition     = var.port > 0 && var.port < 65536\n    error_message = "port must be 1-65535, got ${var.port}."\n  }\n}\n';
    expect(run({ "main.state": src }, { vars: ["port=80"] }).diagnostics).to.deep.equal([]);
    const bad = run({ "main.state": src }, { vars: ["port=0"] });
    expect(bad.diagnostics.map((d) => d.code)).to.deep.equal(["eval/variable-validation"]);
    expect(bad.diagnostics[0]!.detail).to.contain("port must be 1-65535, got 0.").and.contain("--var port");
  });
});

describe("eval/configeval: resources", () => {
  it("expands for_each over a set and a map, and count, with instance addresses", () => {
    const src = [
      'association "set" {',
      '  for_each = toset(["b", "a"])',
      '  document = "doc-${each.key}-${each.value}"',
      "}",
      'association "map" {',
      "  for_each = { x = 1, y = 2 }",
      '  document = "d${each.value}"',
      "}",
      'association "counted" {',
      "  count    = 2",
      '  document = "c${count.index}"',
      "}",
      'association "none" {',
      "  count    = 0",
      '  document = "never"',
      "}",
      "",
    ].join("\n");
    const r = run({ "main.state": src });
    expect(r.diagnostics).to.deep.equal([]);
    expect(r.resources.map((x) => x.addressText)).to.deep.equal([
      "association.counted[0]",
      "association.counted[1]",
      'association.map["x"]',
      'association.map["y"]',
      'association.set["a"]',
      'association.set["b"]',
    ]);
    expect(attr(r, 'association.set["a"]', "document")).to.equal("doc-a-a");
    expect(attr(r, 'association.map["y"]', "document")).to.equal("d2");
    expect(attr(r, "association.counted[1]", "document")).to.equal("c1");
  });

  it("resolves references to other resources: configured values known, computed ones unknown", () => {
    const src =
      'document "d" {\n  name    = "Doc"\n  content = "{}"\n}\nassociation "a" {\n  document         = document.d.name\n  document_version = document.d.latest_version\n}\n';
    const r = run({ "main.state": src });
    expect(r.diagnostics).to.deep.equal([]);
    expect(attr(r, "association.a", "document")).to.equal("Doc");
    expect(attr(r, "association.a", "document_version")).to.equal("(known after apply)");
    const a = r.resources.find((x) => x.addressText === "association.a")!;
    expect(
      a.references.map((x) => [
        x.kind,
        x.name,
        x.attribute,
        x.range.start.line,
        x.range.start.column,
        x.range.end.column,
      ]),
    ).to.deep.equal([
      ["document", "d", "name", 6, 22, 37],
      ["document", "d", "latest_version", 7, 22, 47],
    ]);
  });

  it("references instances of counted and for_each resources", () => {
    const src =
      'document "d" {\n  for_each = toset(["a", "b"])\n  name     = "D-${each.key}"\n  content  = "{}"\n}\nassociation "x" {\n  document = document.d["b"].name\n}\noutput "names" {\n  value = [for d in document.d : d.name]\n}\n';
    const r = run({ "main.state": src });
    expect(r.diagnostics).to.deep.equal([]);
    expect(attr(r, "association.x", "document")).to.equal("D-b");
    expect(native(r.outputs[0]!.value)).to.deep.equal(["D-a", "D-b"]);
  });

  it("rejects for_each values that are lists, null, sensitive or unknown, and bad counts", () => {
    const cases: [string, string][] = [
      ['["a"]', "toset"],
      ["null", "not null"],
      ['sensitive(toset(["a"]))', "sensitive"],
      ["toset([document.d.arn])", "known only after apply"],
      ['"abc"', "map or a set of strings"],
    ];
    for (const [expr, msg] of cases) {
      const src = `document "d" {\n  name    = "D"\n  content = "{}"\n}\nassociation "a" {\n  for_each = ${expr}\n  document = "x"\n}\n`;
      const r = run({ "main.state": src });
      expect(
        r.diagnostics.map((d) => d.code),
        expr,
      ).to.deep.equal(["eval/invalid-for-each"]);
      expect(`${r.diagnostics[0]!.detail ?? ""}${r.diagnostics[0]!.hint ?? ""}`, expr).to.contain(msg);
    }
    for (const expr of ["-1", "1.5", '"x"', "null"]) {
      const r = run({ "main.state": `association "a" {\n  count    = ${expr}\n  document = "x"\n}\n` });
      expect(
        r.diagnostics.map((d) => d.code),
        expr,
      ).to.deep.equal(["eval/invalid-count"]);
    }
  });

  it("normalises association parameters: a plain string is a one-item list", () => {
    const src =
      'association "a" {\n  document   = "x"\n  parameters = {\n    one  = "x"\n    many = ["a", "b"]\n    num  = 5\n  }\n}\n';
    const r = run({ "main.state": src });
    expect(r.diagnostics).to.deep.equal([]);
    expect(attr(r, "association.a", "parameters")).to.deep.equal({ many: ["a", "b"], num: ["5"], one: ["x"] });
    const bad = run({ "main.state": 'association "a" {\n  document   = "x"\n  parameters = { x = { y = 1 } }\n}\n' });
    expect(bad.diagnostics.map((d) => d.code)).to.deep.equal(["eval/invalid-argument-type"]);
  });

  it("decodes provider aliases, the state path default, depends_on and lifecycle", () => {
    const src = [
      'provider "ssm" {\n  alias  = "west"\n  region = "us-west-2"\n}',
      'document "d" {\n  name    = "D"\n  content = "{}"\n}',
      'association "a" {\n  document   = "x"\n  provider   = ssm.west\n  depends_on = [document.d]\n  lifecycle {\n    create_before_destroy = true\n    replace_triggered_by  = [document.d]\n    ignore_changes        = all\n  }\n}',
      "",
    ].join("\n");
    const r = run({ "main.state": src });
    expect(r.diagnostics).to.deep.equal([]);
    const a = r.resources.find((x) => x.addressText === "association.a")!;
    expect(a.provider).to.deep.equal({ name: "ssm", alias: "west", key: "ssm.west" });
    expect(a.dependsOn.map((d) => `${d.kind}.${d.name}`)).to.deep.equal(["document.d"]);
    expect(a.lifecycle.createBeforeDestroy).to.equal(true);
    expect(a.lifecycle.ignoreChanges).to.equal("all");
    expect(a.lifecycle.replaceTriggeredBy.map((d) => d.name)).to.deep.equal(["d"]);
    expect(r.providers.get("ssm.west")!.region).to.equal("us-west-2");
    expect(r.state).to.deep.include({ path: "statectl.state.json", configured: false });
  });

  it("reads file() relative to the configuration directory on disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "statectl-cfg-"));
    writeFileSync(
      join(dir, "main.state"),
      'document "d" {\n  name    = "D"\n  content = file("doc.json")\n  format  = fileexists("doc.yaml") ? "YAML" : "JSON"\n}\n',
    );
    writeFileSync(join(dir, "doc.json"), '{"schemaVersion":"2.2"}');
    const loaded = loadConfig({ dir });
    const r = evaluateConfig(loaded.config);
    expect([...loaded.diagnostics, ...r.diagnostics]).to.deep.equal([]);
    expect(native(r.resources[0]!.attrs.entries().get("content")!)).to.equal('{"schemaVersion":"2.2"}');
    expect(native(r.resources[0]!.attrs.entries().get("format")!)).to.equal("JSON");
  });

  it("evaluates locals in dependency order across files and reports cycles by name", () => {
    const r = run({
      "b.state": 'locals {\n  full = "${local.prefix}-x"\n}\n',
      "a.state": 'locals {\n  prefix = upper("p")\n}\noutput "o" {\n  value = local.full\n}\n',
    });
    expect(r.diagnostics).to.deep.equal([]);
    expect(native(r.outputs[0]!.value)).to.equal("P-x");
    const cyc = run({ "main.state": "locals {\n  a = local.c\n  b = local.a\n  c = local.b\n}\n" });
    expect(cyc.diagnostics.map((d) => d.code)).to.deep.equal(["config/local-cycle"]);
    expect(cyc.diagnostics[0]!.detail).to.contain("local.a → local.c → local.b → local.a");
  });

  it("takes computed attributes from known instance attributes (e.g. the state after apply)", () => {
    const src =
      'document "d" {\n  count   = 1\n  name    = "Doc"\n  content = "{}"\n}\nassociation "a" {\n  document         = document.d[0].name\n  document_version = document.d[0].latest_version\n}\noutput "arn" {\n  value = document.d[0].arn\n}\n';
    const loaded = loadConfig({ files: { "main.state": src } });
    const known: Record<string, Record<string, unknown>> = {
      "document.d[0]": { latest_version: "3", arn: "arn:aws:ssm:doc/Doc", name: "Stale" },
    };
    const r = evaluateConfig(loaded.config, { instanceAttributes: (a) => known[a] });
    expect(r.diagnostics).to.deep.equal([]);
    expect(
      native(
        r.resources
          .find((x) => x.addressText === "association.a")!
          .attrs.entries()
          .get("document_version")!,
      ),
    ).to.equal("3");
    expect(
      native(
        r.resources
          .find((x) => x.addressText === "association.a")!
          .attrs.entries()
          .get("document")!,
      ),
    ).to.equal("Doc");
    expect(native(r.outputs[0]!.value)).to.equal("arn:aws:ssm:doc/Doc");
  });

  it("reports a mistake shared by every instance once", () => {
    const r = run({
      "main.state":
        'association "a" {\n  for_each        = toset(["x", "y", "z"])\n  document        = "d"\n  schedule_offset = "two"\n  name            = substr(each.key, 5, 1)\n}\n',
    });
    expect(r.diagnostics.map((d) => d.code).sort()).to.deep.equal([
      "eval/function-argument",
      "eval/invalid-argument-type",
    ]);
  });
});

describe("eval/configeval: outputs only (issue 23)", () => {
  it("evaluates the outputs and what they refer to, with the values a full evaluation gives", () => {
    const src =
      'locals {\n  suffix = upper("x")\n}\ndocument "d" {\n  for_each = toset(["a", "b"])\n  name     = "D-${each.key}-${local.suffix}"\n  content  = "{}"\n}\nassociation "x" {\n  document = document.d["b"].name\n  name     = 1 + "not a number"\n}\noutput "names" {\n  value = [for d in document.d : d.name]\n}\noutput "arn" {\n  value = document.d["a"].arn\n}\n';
    const loaded = loadConfig({ files: { "main.state": src }, dir: "/cfg" });
    const full = evaluateConfig(loaded.config, {
      instanceAttributes: (a) =>
        a === 'document.d["a"]' ? { arn: "arn:aws:ssm:us-east-1:111122223333:document/D-a-X" } : undefined,
    });
    const only = evaluateConfig(loaded.config, {
      outputsOnly: true,
      instanceAttributes: (a) =>
        a === 'document.d["a"]' ? { arn: "arn:aws:ssm:us-east-1:111122223333:document/D-a-X" } : undefined,
    });
    expect(only.outputs.map((o) => [o.name, native(o.value)])).to.deep.equal(
      full.outputs.map((o) => [o.name, native(o.value)]),
    );
    expect(only.outputs.map((o) => native(o.value))).to.deep.equal([
      "arn:aws:ssm:us-east-1:111122223333:document/D-a-X",
      ["D-a-X", "D-b-X"],
    ]);
    // The association (and its mistake) is not evaluated: no output refers to it.
    expect(only.resources).to.deep.equal([]);
    expect(full.diagnostics.length).to.be.greaterThan(0);
    expect(only.diagnostics).to.deep.equal([]);
  });
});
