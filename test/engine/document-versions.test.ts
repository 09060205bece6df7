// While planning, an association's numeric document_version must exist: for a document of the same
// configuration the plan knows its versions; for others SSM is asked (DescribeDocument), here the
// local endpoint over HTTP with the real SDK.
import { expect } from "chai";
import { golden } from "../support/golden.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderDiagnostics, runApply, runPlan, SourceRegistry } from "../../src/index.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const goldens = fileURLToPath(new URL("../../../test/engine/fixtures/", import.meta.url));
const expectGolden = (name: string, actual: string) => golden(join(goldens, name), actual);

const PROVIDER = 'provider "ssm" {\n  endpoint = "local"\n}\n';
const DOC = `document "hello" {
  name    = "Hello"
  content = jsonencode({ schemaVersion = "2.2", mainSteps = [{ action = "aws:runShellScript", name = "hello", inputs = { runCommand = ["echo hello"] } }] })
}
`;
const association = (name: string, document: string, version: string) => `association "${name}" {
  document         = ${document}
  document_version = "${version}"
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
}
`;

describe("engine: document_version must exist (plan)", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-docversions-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => writeFileSync(join(dir, "main.state"), PROVIDER + text);
  const render = (p: Awaited<ReturnType<typeof runPlan>>) => {
    const sources = new SourceRegistry();
    sources.add("main.state", readFileSync(join(dir, "main.state"), "utf8"));
    const errors = p.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => ({ ...d, ...(d.range ? { range: { ...d.range, file: "main.state" } } : {}) }));
    return renderDiagnostics(errors, sources) + "\n";
  };

  it("knows the versions of a document the configuration manages: a new one has version 1 only", async () => {
    write(DOC + association("a", "document.hello.name", "2"));
    const p = await runPlan({ dir });
    expect(p.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).to.deep.equal([
      "ssm/document-version-not-found",
    ]);
    expectGolden("document-version-not-found-managed.golden", render(p));
    write(DOC + association("a", "document.hello.name", "1"));
    const ok = await runPlan({ dir });
    expect(ok.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
  });

  it("counts the version an update of the managed document makes", async () => {
    write(DOC);
    const applied = await runApply({ dir });
    expect(applied.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
    // Version 1 exists; changing the content makes version 2, so 2 is fine and 3 is not.
    const changed = DOC.replace("echo hello", "echo changed");
    write(changed + association("a", "document.hello.name", "2"));
    expect((await runPlan({ dir })).diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
    write(changed + association("a", "document.hello.name", "3"));
    expect((await runPlan({ dir })).diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).to.deep.equal(
      ["ssm/document-version-not-found"],
    );
    // Unchanged content: version 2 does not exist.
    write(DOC + association("a", "document.hello.name", "2"));
    expect((await runPlan({ dir })).diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).to.deep.equal(
      ["ssm/document-version-not-found"],
    );
  });

  it("asks SSM about other documents (DescribeDocument)", async () => {
    write(
      association("a", '"AWS-UpdateSSMAgent"', "7") +
        association("b", '"AWS-UpdateSSMAgent"', "7") +
        association("c", '"AWS-UpdateSSMAgent"', "1"),
    );
    const p = await runPlan({ dir });
    const errors = p.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.code)).to.deep.equal([
      "ssm/document-version-not-found",
      "ssm/document-version-not-found",
    ]);
    expectGolden("document-version-not-found-ssm.golden", render(p));
  });
});
