// import --generate's naming and selection rules (the round trip itself is test/cli/import-generate.test.ts).
import { expect } from "chai";
import { globToRegExp, sanitizeLabel } from "../../src/engine/index.js";
import { parseFilter } from "../../src/engine/generate.js";

describe("engine/generate: labels and filters", () => {
  it("turns SSM names into snake_case labels the language accepts", () => {
    const cases: [string, string][] = [
      ["WebBootstrap", "web_bootstrap"],
      ["AWS-UpdateSSMAgent", "aws_update_ssm_agent"],
      ["Drift.Motd-v1", "drift_motd_v1"],
      ["web-bootstrap", "web_bootstrap"],
      ["already_snake", "already_snake"],
      ["2024-Patching", "_2024_patching"],
      ["---", "unnamed"],
      ["Ünïcode Näme", "unicode_name"],
    ];
    for (const [name, label] of cases) expect(sanitizeLabel(name), name).to.equal(label);
    for (const [name] of cases) expect(sanitizeLabel(name)).to.match(/^[a-z_][a-z0-9_]*$/);
  });

  it("matches globs against the whole name: * any run, ? one character, the rest literally", () => {
    expect(globToRegExp("web-*").test("web-bootstrap")).to.equal(true);
    expect(globToRegExp("web-*").test("my-web-bootstrap")).to.equal(false);
    expect(globToRegExp("AWS-?pdate*").test("AWS-UpdateSSMAgent")).to.equal(true);
    expect(globToRegExp("a.b").test("axb")).to.equal(false);
    expect(globToRegExp("a.b").test("a.b")).to.equal(true);
    expect(globToRegExp("(x)+").test("(x)+")).to.equal(true);
  });

  it("reads name=, document= and tag:KEY= filters and refuses anything else", () => {
    expect(parseFilter("name=web-*")).to.include({ key: "name" });
    expect(parseFilter("document=AWS-*")).to.include({ key: "document" });
    expect(parseFilter("tag:Team=web")).to.include({ key: "tag", tag: "Team" });
    for (const bad of ["owner=me", "web-*", "tag:=x", "=x"]) {
      const f = parseFilter(bad);
      expect("severity" in f && f.code, bad).to.equal("import/invalid-filter");
    }
  });
});
