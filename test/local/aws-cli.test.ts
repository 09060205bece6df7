/**
 * A second, independent client: the AWS CLI (botocore) against `statectl local serve` running as
 * its own process. Proves the wire format is not just what @aws-sdk/client-ssm happens to accept.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { aws, startServe } from "./processes.js";

describe("local/aws-cli: the AWS CLI against `statectl local serve`", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-serve-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists, creates and describes documents, gets AWS errors, and keeps data across a restart", async () => {
    const dataDir = path.join(dir, "data");
    let server = await startServe(["--data-dir", dataDir]);
    try {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const listed = await aws(server.url, ["list-documents", "--filters", "Key=Owner,Values=Amazon"]);
      expect(listed.code, listed.stderr).to.equal(0);
      const names = (
        JSON.parse(listed.stdout) as { DocumentIdentifiers: Array<{ Name: string; Owner: string }> }
      ).DocumentIdentifiers.map((d) => d.Name);
      expect(names).to.include.members(["AWS-RunShellScript", "AWS-RunPatchBaseline", "AWS-ApplyAnsiblePlaybooks"]);

      const contentFile = path.join(dir, "doc.yaml");
      writeFileSync(
        contentFile,
        "schemaVersion: '2.2'\ndescription: from the CLI\nparameters:\n  who:\n    type: String\n    default: world\nmainSteps:\n  - action: aws:runShellScript\n    name: hello\n    inputs:\n      runCommand: ['echo hello {{ who }}']\n",
      );
      const created = await aws(server.url, [
        "create-document",
        "--name",
        "cli-doc",
        "--document-format",
        "YAML",
        "--content",
        `file://${contentFile}`,
        "--tags",
        "Key=team,Value=web",
      ]);
      expect(created.code, created.stderr).to.equal(0);
      const desc = JSON.parse(created.stdout).DocumentDescription;
      expect(desc).to.include({
        Name: "cli-doc",
        DocumentVersion: "1",
        DocumentFormat: "YAML",
        Description: "from the CLI",
      });
      expect(desc.Parameters).to.deep.equal([{ Name: "who", Type: "String", DefaultValue: "world" }]);
      // AWS CLI v1 prints timestamps as received: epoch seconds with a fraction.
      expect(desc.CreatedDate).to.be.a("number");
      expect(Math.abs(desc.CreatedDate - Date.now() / 1000)).to.be.lessThan(600);

      const missing = await aws(server.url, ["describe-document", "--name", "no-such-doc"]);
      expect(missing.code).to.not.equal(0);
      expect(missing.stderr).to.contain(
        "An error occurred (InvalidDocument) when calling the DescribeDocument operation: No matching value was found for Name.",
      );

      const invalid = await aws(server.url, ["create-document", "--name", "x", "--content", "{}"]);
      expect(invalid.stderr).to.contain("(ValidationException)");
      expect(invalid.stderr).to.contain("Value 'x' at 'name' failed to satisfy constraint");
    } finally {
      expect(await server.stop()).to.equal(0);
    }

    server = await startServe(["--data-dir", dataDir]);
    try {
      const json = await aws(server.url, ["get-document", "--name", "cli-doc", "--document-format", "JSON"]);
      expect(json.code, json.stderr).to.equal(0);
      expect(JSON.parse(JSON.parse(json.stdout).Content).parameters.who.default).to.equal("world");
      const tags = await aws(server.url, [
        "list-tags-for-resource",
        "--resource-type",
        "Document",
        "--resource-id",
        "cli-doc",
      ]);
      expect(JSON.parse(tags.stdout).TagList).to.deep.equal([{ Key: "team", Value: "web" }]);
    } finally {
      expect(await server.stop()).to.equal(0);
    }
  });
});
