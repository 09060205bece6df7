// backend/wrong-region: moto_server (5.2.1) serves a bucket to a client of any region, so the
// answers AWS gives for a region mismatch (301 PermanentRedirect with x-amz-bucket-region, 400
// AuthorizationHeaderMalformed) cannot be produced over the wire here (docs/backends.md). What is
// tested is the decision on those answers, built as the SDK builds them (S3ServiceException).
import { expect } from "chai";
import { S3ServiceException } from "@aws-sdk/client-s3";
import { s3Diagnostic } from "../../src/state-s3/s3.js";

function sdkError(name: string, status: number, headers: Record<string, string> = {}): S3ServiceException {
  const e = new S3ServiceException({ name, message: name, $fault: "client", $metadata: { httpStatusCode: status } });
  // The SDK's deserializer attaches the raw HTTP response to the error after building it.
  return Object.assign(e, { $response: { statusCode: status, headers, body: undefined } as never });
}

describe("state-s3: a bucket in another region", () => {
  it("a 301 PermanentRedirect names the bucket's region and suggests it", () => {
    const d = s3Diagnostic(
      sdkError("PermanentRedirect", 301, { "x-amz-bucket-region": "eu-west-1" }),
      "read the state",
      "acme",
      "prod/s.json",
      "us-east-1",
    );
    expect(d.code).to.equal("backend/wrong-region");
    expect(d.detail)
      .to.contain("s3://acme/prod/s.json")
      .and.contain("not in us-east-1")
      .and.contain("S3 says it is in eu-west-1")
      .and.contain("Nothing was written");
    expect(d.hint).to.equal('set region = "eu-west-1" in the backend block');
  });

  it("AuthorizationHeaderMalformed without the region header still says which setting to fix", () => {
    const d = s3Diagnostic(
      sdkError("AuthorizationHeaderMalformed", 400),
      "create the lock",
      "acme",
      "prod/s.json.lock",
      "us-east-1",
    );
    expect(d.code).to.equal("backend/wrong-region");
    expect(d.hint).to.contain("set `region` in the backend block");
  });

  it("a 403 is access-denied, not a region problem", () => {
    expect(s3Diagnostic(sdkError("AccessDenied", 403), "write the state", "acme", "k", "us-east-1").code).to.equal(
      "backend/access-denied",
    );
  });
});
