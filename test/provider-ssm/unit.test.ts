import { expect } from "chai";
import {
  associationAttributeRules,
  associationRequest,
  documentAttributeRules,
  planPermissionBatches,
  ProviderError,
  redactSecrets,
  sameApiSpec,
  type AssociationSpec,
} from "../../src/provider-ssm/index.js";
import { toProviderError } from "../../src/provider-ssm/errors.js";
import { parseResourceCounts } from "../../src/provider-ssm/associations.js";
import { diffTags } from "../../src/provider-ssm/context.js";

const accounts = (n: number, from = 0): string[] =>
  Array.from({ length: n }, (_, i) => String(100000000000 + from + i));

describe("provider-ssm pure rules", () => {
  describe("planPermissionBatches", () => {
    it("shares 45 accounts in 3 calls of at most 20", () => {
      const batches = planPermissionBatches([], accounts(45));
      expect(batches.map((b) => b.add.length)).to.deep.equal([20, 20, 5]);
      expect(batches.every((b) => b.remove.length === 0)).to.equal(true);
    });

    it("adds and removes in the same calls and leaves unchanged accounts alone", () => {
      const current = accounts(30); // 0..29
      const desired = accounts(30, 10); // 10..39
      const batches = planPermissionBatches(current, desired);
      expect(batches).to.have.length(1);
      expect(batches[0]!.add).to.deep.equal(accounts(10, 30));
      expect(batches[0]!.remove).to.deep.equal(accounts(10, 0));
    });

    it("makes no call when nothing changes", () => {
      expect(planPermissionBatches(accounts(3), [...accounts(3)].reverse())).to.deep.equal([]);
    });
  });

  describe("diffTags", () => {
    it("sets new and changed keys and removes dropped ones", () => {
      expect(diffTags({ a: "1", b: "2", c: "3" }, { a: "1", b: "20", d: "4" })).to.deep.equal({
        set: { b: "20", d: "4" },
        remove: ["c"],
      });
    });
  });

  describe("associationRequest", () => {
    const spec: AssociationSpec = {
      document: "AWS-RunShellScript",
      name: "web",
      targets: [{ key: "tag:Role", values: ["web"] }],
      parameters: { commands: ["echo hi"] },
      schedule: "rate(30 minutes)",
      max_errors: "1",
      output_location: { s3_bucket: "logs", s3_key_prefix: "ssm/" },
    };

    it("spells out the members SSM would otherwise reset on update", () => {
      const request = associationRequest(spec);
      expect(request).to.deep.equal({
        Name: "AWS-RunShellScript",
        DocumentVersion: "$DEFAULT",
        AssociationName: "web",
        Targets: [{ Key: "tag:Role", Values: ["web"] }],
        Parameters: { commands: ["echo hi"] },
        ScheduleExpression: "rate(30 minutes)",
        ApplyOnlyAtCronInterval: false,
        MaxErrors: "1",
        OutputLocation: { S3Location: { OutputS3BucketName: "logs", OutputS3KeyPrefix: "ssm/" } },
      });
    });

    it("refuses more than five targets", () => {
      const targets = Array.from({ length: 6 }, (_, i) => ({ key: `tag:k${i}`, values: ["v"] }));
      expect(() => associationRequest({ ...spec, targets })).to.throw(RangeError, /at most 5/);
    });

    it("treats a tags-only change as no UpdateAssociation", () => {
      expect(sameApiSpec(spec, { ...spec, tags: { a: "b" } })).to.equal(true);
      expect(sameApiSpec(spec, { ...spec, max_errors: "2" })).to.equal(false);
      expect(sameApiSpec(spec, { ...spec, document_version: "$DEFAULT", apply_only_at_cron_interval: false })).to.equal(
        true,
      );
    });
  });

  describe("parseResourceCounts", () => {
    it("reads SSM's {Status=n, …} strings", () => {
      expect(parseResourceCounts("{Failed=1, Success=12}")).to.deep.equal({ Failed: 1, Success: 12 });
      expect(parseResourceCounts("{}")).to.deep.equal({});
    });
  });

  describe("attribute rules", () => {
    it("explain every replacement", () => {
      for (const rules of [documentAttributeRules, associationAttributeRules]) {
        for (const [attribute, rule] of Object.entries(rules)) {
          if (rule.change === "replace") expect(rule.reason, attribute).to.be.a("string").and.not.equal("");
        }
      }
    });

    it("replace a document on name, type or requires, add a version on content, and move associations in place", () => {
      expect(documentAttributeRules.name.change).to.equal("replace");
      expect(documentAttributeRules.type.change).to.equal("replace");
      expect(documentAttributeRules.requires.change).to.equal("replace");
      expect(documentAttributeRules.content.change).to.equal("new_version");
      expect(documentAttributeRules.permissions.change).to.equal("update");
      expect(associationAttributeRules.document.change).to.equal("replace");
      expect(associationAttributeRules.name.change).to.equal("update");
      expect(associationAttributeRules.schedule.change).to.equal("update");
    });
  });

  describe("ProviderError", () => {
    it("reads the code from the SDK exception's name and formats address, operation, code, message", () => {
      const sdkError = Object.assign(new Error('Parameter "commands" requires a value.'), {
        name: "InvalidParameters",
        $fault: "client",
        $metadata: { httpStatusCode: 400, requestId: "r-1" },
      });
      const error = toProviderError(sdkError, "CreateAssociation").at("association.web");
      expect(error).to.be.instanceOf(ProviderError);
      expect(error.code).to.equal("InvalidParameters");
      expect(error.retryable).to.equal(false);
      expect(error.message).to.equal(
        'association.web: CreateAssociation failed: InvalidParameters: Parameter "commands" requires a value.',
      );
      expect(JSON.parse(JSON.stringify(error))).to.include({
        code: "InvalidParameters",
        httpStatus: 400,
        operation: "CreateAssociation",
      });
    });

    it("marks throttling and server faults retryable", () => {
      const throttled = toProviderError(
        Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $fault: "client" }),
        "ListDocuments",
      );
      expect(throttled.retryable).to.equal(true);
      const network = toProviderError(
        Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
        "ListDocuments",
      );
      expect(network.code).to.equal("ECONNREFUSED");
      expect(network.fault).to.equal("network");
    });
  });

  describe("redactSecrets", () => {
    it("removes access key ids, session tokens and signatures", () => {
      const text =
        "Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/ssm/aws4_request, Signature=0123abcdef x-amz-security-token:FwoGZXIvYXdzEJr ASIAY34FZKBOKMUTVV7A";
      const clean = redactSecrets(text);
      expect(clean).not.to.match(/AKIA|ASIA|FwoGZX|0123abcdef/);
      expect(clean).to.contain("[redacted]");
    });
  });
});

describe("provider-ssm start-up cost", () => {
  it("imports the AWS SDK only on first use (no static runtime import survives compilation)", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const { fileURLToPath } = await import("node:url");
    const dir = fileURLToPath(new URL("../../src/provider-ssm/", import.meta.url));
    const files = (await readdir(dir)).filter((f) => f.endsWith(".js"));
    expect(files.length).to.be.greaterThan(5);
    for (const file of files) {
      const text = await readFile(dir + file, "utf8");
      expect(text, file).not.to.match(/^\s*import\s[^;]*from\s*["']@aws-sdk\//m);
    }
  });
});
