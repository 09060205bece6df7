import { expect } from "chai";
import {
  SourceRegistry,
  capQuotedExcerpts,
  error,
  maskCredentials,
  rangeFromOffsets,
  renderDiagnostic,
  scrubCredentials,
} from "../../src/diag/index.js";

describe("diag/safe-text", () => {
  it("scrubs access key ids and secret keys, and leaves hashes and ordinary words alone", () => {
    expect(scrubCredentials("key AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A.")).to.equal(
      "key [redacted] and [redacted].",
    );
    expect(scrubCredentials('aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"')).to.equal(
      'aws_secret_access_key = "[redacted]"',
    );
    expect(scrubCredentials("SecretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).to.equal(
      "SecretAccessKey: [redacted]",
    );
    const sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    const sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    expect(scrubCredentials(`commit ${sha1}, hash ${sha256}, name AKIAS`)).to.equal(
      `commit ${sha1}, hash ${sha256}, name AKIAS`,
    );
    expect(maskCredentials("id AKIAIOSFODNN7EXAMPLE")).to.equal("id AKIA****************");
  });

  it("caps long quoted excerpts without splitting an escape", () => {
    expect(capQuotedExcerpts(`"${"a".repeat(150)}" is wrong`)).to.equal(
      `"${"a".repeat(100)}…" (150 characters) is wrong`,
    );
    expect(capQuotedExcerpts('"short" stays')).to.equal('"short" stays');
    const escaped = capQuotedExcerpts(`"${"a".repeat(97)}\\u0041${"b".repeat(50)}"`);
    expect(escaped.startsWith(`"${"a".repeat(97)}…"`)).to.equal(true);
  });

  it("keeps the caret under its range when invisible characters before it are shown as escapes", () => {
    const text = 'x = "\u202e\u200b" + 1\n';
    const sources = new SourceRegistry();
    sources.add("main.state", text);
    const at = text.indexOf("+");
    const out = renderDiagnostic(
      error("eval/invalid-operand", "Invalid operand", { range: rangeFromOffsets("main.state", text, at, at + 1) }),
      sources,
    );
    const lines = out.split("\n");
    expect(lines[3]).to.equal('1 | x = "\\u202E\\u200B" + 1');
    expect(lines[4]!.indexOf("^")).to.equal(lines[3]!.indexOf("+"));
  });
});
