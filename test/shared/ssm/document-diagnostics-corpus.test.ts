/**
 * `statectl validate`'s document checks (src/ssm/document-checks.ts) against
 * ../shared/corpus/ssm-documents: documents the corpus notes call valid produce no error; those
 * marked INVALID / UNPARSEABLE / NOT A VALID fail with the code naming their real mistake, and
 * LIKELY INVALID ones get at least a warning with it (the table below). Broken variants of the
 * valid documents — one mistake each, made here — fail with the right code.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { checkDocumentContent } from "../../../src/ssm/index.js";
import { corpus, corpusRows } from "./corpus.js";

/** The mistake each document marked invalid really has, as the diagnostic code that names it. */
const EXPECTED: Record<string, string> = {
  "awslabs__aws-systems-manager__Documents_Automation_StartInstance_Design_schema.json": "ssm/no-steps",
  "aws-samples__aws-systems-manager-cloudformation-samples__systems-manager-samples_windowsdeployjoindomain.yaml":
    "ssm/document-parse-error",
  "aws-solutions__aws-security-hub-automated-response-and-remediation__source_test_test_data_tstest-runbook.yaml":
    "ssm/unknown-action",
  "aws__amazon-ssm-agent__agent_framework_docparser_testdata_sampleMessage.json": "ssm/invalid-parameter-type",
  "aws__amazon-ssm-agent__agent_plugins_rundocument_testdata_yamldoc.yaml": "ssm/invalid-parameter-type",
  "aws__amazon-ssm-agent__agent_framework_docparser_testdata_sampleMessageWithInvalidParamPrecondition.json":
    "ssm/undeclared-parameter",
  "aws__amazon-ssm-agent__agent_framework_docparser_testdata_schemaVersion9999.json": "ssm/invalid-schema-version",
  "aws__amazon-ssm-agent__agent_longrunning_manager_testdata_cwdocument_invalid_format1.json": "ssm/unknown-action",
  "aws__amazon-ssm-agent__agent_longrunning_manager_testdata_cwdocument_invalid_format2.json":
    "ssm/unknown-document-key",
  "aws__amazon-ssm-agent__agent_plugins_configurepackage_localpackages_testdata_SsmTest_0.0.14_install.json":
    "ssm/invalid-schema-version",
  "aws__amazon-ssm-agent__agent_plugins_configurepackage_localpackages_testdata_SsmTest_0.0.11_install.json":
    "ssm/document-parse-error",
  "esabitova__aws-digito-artifacts-gameday__artifact_generator_src_templates_AutomationDocumentForSop.yml":
    "ssm/document-parse-error",
  "esabitova__aws-digito-artifacts-gameday__documents_rds_test_force_aurora_failover_2020-04-01_Design_schema.json":
    "ssm/no-steps",
  "aws__amazon-ssm-agent__agent_inventory_Sample_Inventory_Policy_Doc.json": "ssm/invalid-schema-version",
};

type Verdict = "valid" | "invalid" | "likely-invalid";
function verdict(notes: string): Verdict {
  if (/UNPARSEABLE|NOT A VALID/.test(notes)) return "invalid";
  if (/LIKELY INVALID/.test(notes)) return "likely-invalid";
  return /INVALID/.test(notes) ? "invalid" : "valid";
}

const describeProblems = (problems: ReturnType<typeof checkDocumentContent>["problems"]) =>
  problems.map((p) => `${p.severity} ${p.code} at ${p.path.join("/")}: ${p.detail}`).join("\n");

describe("ssm/document-checks against the shared document corpus", () => {
  const all = corpusRows();

  it("has an expected code for exactly the documents marked invalid", () => {
    const marked = all
      .filter((r) => verdict(r.notes) !== "valid")
      .map((r) => r.file)
      .sort();
    expect(marked).to.deep.equal(Object.keys(EXPECTED).sort());
  });

  for (const row of all) {
    const v = verdict(row.notes);
    it(`${v === "valid" ? "passes" : v === "invalid" ? "fails" : "warns on"} ${row.file}`, () => {
      const text = readFileSync(path.join(corpus, row.file), "utf8");
      const { problems } = checkDocumentContent(text, row.format, row.type);
      const errors = problems.filter((p) => p.severity === "error");
      if (v === "valid") expect(errors, describeProblems(errors)).to.deep.equal([]);
      else if (v === "invalid")
        expect(
          errors.map((p) => p.code),
          describeProblems(problems),
        ).to.include(EXPECTED[row.file]);
      else
        expect(
          problems.map((p) => p.code),
          describeProblems(problems),
        ).to.include(EXPECTED[row.file]);
    });
  }
});

/** One mistake each, applied to a copy of a valid document's content; undefined when it does not apply. */
const BREAKERS: Record<string, { code: string; apply(doc: Record<string, unknown>): boolean }> = {
  "misspelt action": {
    code: "ssm/unknown-action",
    apply(doc) {
      const step = firstStep(doc);
      if (!step || typeof step["action"] !== "string") return false;
      step["action"] = step["action"].replace(/:(\w)/, ":$1$1");
      return true;
    },
  },
  "duplicate step name": {
    code: "ssm/duplicate-step-name",
    apply(doc) {
      const steps = doc["mainSteps"];
      if (!Array.isArray(steps) || steps.length < 2) return false;
      (steps[1] as Record<string, unknown>)["name"] = (steps[0] as Record<string, unknown>)["name"];
      return true;
    },
  },
  "unsupported schemaVersion": {
    code: "ssm/invalid-schema-version",
    apply(doc) {
      doc["schemaVersion"] = "9.9";
      return true;
    },
  },
  "undeclared parameter reference": {
    code: "ssm/undeclared-parameter",
    apply(doc) {
      const step = firstStep(doc);
      if (!step) return false;
      step["description"] = "runs with {{ NotDeclaredAnywhere }}";
      return true;
    },
  },
  "output of a step that does not exist": {
    code: "ssm/unknown-step-reference",
    apply(doc) {
      const step = firstStep(doc);
      if (!step || doc["schemaVersion"] !== "0.3") return false;
      step["description"] = "uses {{ NoSuchStep.Output }}";
      return true;
    },
  },
  "misspelt parameter type": {
    code: "ssm/invalid-parameter-type",
    apply(doc) {
      const params = doc["parameters"] as Record<string, Record<string, unknown>> | undefined;
      const first = params && Object.values(params)[0];
      if (!first || typeof first !== "object") return false;
      first["type"] = "Strnig";
      return true;
    },
  },
  "misspelt top-level key": {
    code: "ssm/unknown-document-key",
    apply(doc) {
      if (!("mainSteps" in doc)) return false;
      doc["mainStep"] = doc["mainSteps"];
      delete doc["mainSteps"];
      return true;
    },
  },
  "step without a name": {
    code: "ssm/missing-document-key",
    apply(doc) {
      const step = firstStep(doc);
      if (!step) return false;
      delete step["name"];
      return true;
    },
  },
};

function firstStep(doc: Record<string, unknown>): Record<string, unknown> | undefined {
  const steps = doc["mainSteps"];
  return Array.isArray(steps) && typeof steps[0] === "object" && steps[0] !== null
    ? (steps[0] as Record<string, unknown>)
    : undefined;
}

describe("ssm/document-checks: broken variants of the corpus's valid documents", () => {
  const valid = corpusRows().filter(
    (r) => verdict(r.notes) === "valid" && ["Command", "Automation", "Policy"].includes(r.type),
  );
  for (const [name, breaker] of Object.entries(BREAKERS)) {
    it(`${name} → ${breaker.code}`, () => {
      let tried = 0;
      for (const row of valid) {
        const text = readFileSync(path.join(corpus, row.file), "utf8");
        const { value } = checkDocumentContent(text, row.format, row.type);
        if (!value) continue;
        const copy = structuredClone(value);
        if (!breaker.apply(copy)) continue;
        tried++;
        const { problems } = checkDocumentContent(JSON.stringify(copy, null, 2), "JSON", row.type);
        expect(
          problems.filter((p) => p.severity === "error").map((p) => p.code),
          `${row.file}\n${describeProblems(problems)}`,
        ).to.include(breaker.code);
      }
      expect(tried, "documents the mistake applies to").to.be.greaterThan(5);
    });
  }
});
