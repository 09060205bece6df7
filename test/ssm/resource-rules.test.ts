/**
 * The SSM checks of `statectl validate`. `fixtures/errors/*.state`: one mistake per file, the
 * offending line marked `# ERROR: <summary>`, the rendered diagnostics in `<name>.golden`; each
 * file is named after the code it must produce. `fixtures/valid/*`: configurations that use every
 * rule correctly (and values unknown until apply) and must pass. `UPDATE_GOLDENS=1 npm test`
 * rewrites the goldens (review the diff).
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { renderDiagnostics, sortDiagnostics, type Diagnostic } from "../../src/diag/index.js";
import { evaluateConfig } from "../../src/eval/configeval.js";
import { checkResources } from "../../src/engine/ssm-validation.js";
import { golden } from "../support/golden.js";

const root = fileURLToPath(new URL("../../../test/ssm/fixtures/", import.meta.url));

function check(loaded: ReturnType<typeof loadConfig>): Diagnostic[] {
  const evaluated = evaluateConfig(loaded.config);
  const earlier = [...loaded.diagnostics, ...evaluated.diagnostics];
  expect(earlier, renderDiagnostics(earlier, loaded.config.sources)).to.deep.equal([]);
  return sortDiagnostics(
    checkResources(evaluated.resources, loaded.config.resources, {
      sources: loaded.config.sources,
      dir: loaded.config.dir,
      evaluated,
    }),
  );
}

describe("ssm/validate fixtures: one mistake per file", () => {
  const dir = join(root, "errors");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".state"))
    .sort()) {
    it(file, () => {
      const text = readFileSync(join(dir, file), "utf8");
      const loaded = loadConfig({ files: { [file]: text }, dir: "/fixtures" });
      const diags = check(loaded);
      const marked = text.split("\n").flatMap((l, i) => (l.includes("# ERROR:") ? [i + 1] : []));
      expect(marked.length, "the fixture marks its offending line").to.be.greaterThan(0);
      const code = `ssm/${file.replace(/\.state$/, "").replace(/^managed-document-parameter$/, "invalid-parameter-value")}`;
      // A fixture named after a warning's code shows that warning; every error is marked either way.
      const errors = diags.filter((d) => d.severity === "error");
      const shown = diags.filter((d) => d.severity === "error" || d.code === code);
      const shownLines = shown.map((d) => d.range?.start.line);
      for (const line of marked) expect(shownLines, `a diagnostic on marked line ${line}`).to.include(line);
      for (const line of errors.map((d) => d.range?.start.line))
        expect(marked, `error on line ${line} is marked`).to.include(line);
      expect(shown.map((d) => d.code)).to.include(code);
      golden(join(dir, file.replace(/\.state$/, ".golden")), renderDiagnostics(diags, loaded.config.sources) + "\n");
    });
  }
});

describe("ssm/validate fixtures: valid configurations", () => {
  const dir = join(root, "valid");
  for (const name of readdirSync(dir).sort()) {
    it(name, () => {
      const loaded = loadConfig({ dir: join(dir, name) });
      const diags = check(loaded);
      expect(diags, renderDiagnostics(diags, loaded.config.sources)).to.deep.equal([]);
    });
  }
});

describe("ssm/validate: the caret points inside the schedule string", () => {
  it("underlines the hours field of a cron expression", () => {
    const text =
      'association "a" {\n  document = "AWS-RunPatchBaseline"\n  parameters = { Operation = "Scan" }\n  schedule = "cron(0 25 * * ? *)"\n  targets {\n    key = "tag:a"\n    values = ["b"]\n  }\n}\n';
    const diags = check(loadConfig({ files: { "m.state": text }, dir: "/x" }));
    expect(diags).to.have.length(1);
    const r = diags[0]!.range!;
    expect(text.slice(r.start.offset, r.end.offset)).to.equal("25");
  });
});

describe("ssm/validate: content problems point inside the content", () => {
  // Each folder's golden is the rendered diagnostics; `file` is where the first one must point.
  const cases: Record<string, { file: string; code: string }> = {
    "file-yaml": { file: "documents/install.yaml", code: "ssm/unknown-action" },
    "file-json": { file: "hello.json", code: "ssm/document-parse-error" },
    "object-key": { file: "main.state", code: "ssm/unknown-document-key" },
  };
  const dir = join(root, "content");
  it("has a case for every folder", () => {
    expect(
      readdirSync(dir)
        .filter((f) => !f.endsWith(".golden"))
        .sort(),
    ).to.deep.equal(Object.keys(cases).sort());
  });
  for (const [name, want] of Object.entries(cases)) {
    it(name, () => {
      const loaded = loadConfig({ dir: join(dir, name) });
      const diags = check(loaded);
      const found = diags.find((d) => d.code === want.code);
      expect(found, renderDiagnostics(diags, loaded.config.sources)).to.not.equal(undefined);
      expect(found!.range!.file).to.equal(want.file);
      golden(join(dir, `${name}.golden`), renderDiagnostics(diags, loaded.config.sources) + "\n");
    });
  }
});

describe("ssm/validate as a library: validateSsm on in-memory sources (for editors)", () => {
  it("checks files given as text, document files read by file() included, and registers them for rendering", async () => {
    const { validateSsm } = await import("../../src/engine/ssm-validation.js");
    const { diagnostics, sources } = validateSsm({
      dir: "/project",
      files: {
        "main.state": 'document "d" {\n  name    = "Doc"\n  content = file("docs/d.yaml")\n}\n',
        "docs/d.yaml":
          'schemaVersion: "2.2"\nmainSteps:\n  - name: a\n    action: aws:runShellScript\n    inputs:\n      runCommand: ["echo {{ missing }}"]\n',
      },
    });
    expect(diagnostics.map((d) => [d.code, d.range?.file, d.range?.start.line, d.range?.start.column])).to.deep.equal([
      ["ssm/undeclared-parameter", "docs/d.yaml", 6, 26],
    ]);
    expect(renderDiagnostics(diagnostics, sources)).to.contain('6 |       runCommand: ["echo {{ missing }}"]');
  });
});

describe("ssm/validate: positions inside heredocs with interpolations and escapes", () => {
  it("places an error after an interpolation on its own line and column", () => {
    const text = [
      'variable "step" {',
      '  default = "a-much-longer-step-name"',
      "}",
      'document "d" {',
      '  name    = "Doc"',
      '  format  = "YAML"',
      "  content = <<-EOT",
      '    schemaVersion: "2.2"',
      "    mainSteps:",
      "      - name: ${var.step}",
      "        action: aws:runShellScrpt",
      "        inputs: { runCommand: [pwd] }",
      "  EOT",
      "}",
      "",
    ].join("\n");
    const diags = check(loadConfig({ files: { "m.state": text }, dir: "/x" }));
    expect(diags.map((d) => [d.code, d.range?.start.line, d.range?.start.column])).to.deep.equal([
      ["ssm/unknown-action", 11, 17],
    ]);
  });

  it("places an error inside a quoted string with escapes", () => {
    const text =
      'document "d" {\n  name    = "Doc"\n  content = "{\\"schemaVersion\\": \\"2.2\\", \\"mainSteps\\": [{\\"name\\": \\"a\\", \\"action\\": \\"aws:nope\\"}]}"\n}\n';
    const diags = check(loadConfig({ files: { "m.state": text }, dir: "/x" }));
    const r = diags[0]!.range!;
    expect(diags[0]!.code).to.equal("ssm/unknown-action");
    expect(text.slice(r.start.offset, r.end.offset)).to.equal('\\"aws:nope\\"');
  });
});
