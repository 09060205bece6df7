import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatSource } from "../../src/syntax/format.js";
import { lexFile } from "../../src/syntax/lexer.js";
import { parseFile } from "../../src/syntax/parse.js";
import { stripRanges } from "../../src/syntax/ast.js";
import { golden } from "../support/golden.js";

// Golden fixtures: test/syntax/fmt/<case>/in.state → out.state (UPDATE_GOLDENS=1 rewrites out.state).
const fixturesDir = fileURLToPath(new URL("../../../test/syntax/fmt/", import.meta.url));

function comments(text: string): string[] {
  return lexFile(text, "x.state").comments.map((c) => c.image.replace(/[ \t\r]+$/, ""));
}

describe("syntax/format (statectl fmt)", () => {
  describe("golden fixtures", () => {
    for (const name of readdirSync(fixturesDir).sort()) {
      it(name, () => {
        const input = readFileSync(`${fixturesDir}${name}/in.state`, "utf8");
        const goldenPath = `${fixturesDir}${name}/out.state`;
        const result = formatSource(input, `${name}.state`);
        expect(result.diagnostics, "diagnostics").to.deep.equal([]);
        const formatted = result.formatted!;
        golden(goldenPath, formatted);
        // Every golden is itself canonical, means what the input meant, and keeps every comment.
        expect(formatSource(formatted, `${name}.state`).formatted, "idempotent").to.equal(formatted);
        expect(stripRanges(parseFile(formatted, "x.state").body)).to.deep.equal(
          stripRanges(parseFile(input, "x.state").body),
        );
        expect(comments(formatted)).to.deep.equal(comments(input));
      });
    }
  });

  describe("every valid parser fixture (test/syntax/fixtures/valid)", () => {
    const validDir = fileURLToPath(new URL("../../../test/syntax/fixtures/valid/", import.meta.url));
    for (const file of readdirSync(validDir)
      .filter((f) => f.endsWith(".state"))
      .sort()) {
      it(`${file}: same meaning, same comments, idempotent`, () => {
        const input = readFileSync(validDir + file, "utf8");
        const result = formatSource(input, file);
        expect(result.diagnostics).to.deep.equal([]);
        const formatted = result.formatted!;
        expect(stripRanges(parseFile(formatted, file).body)).to.deep.equal(stripRanges(parseFile(input, file).body));
        expect(comments(formatted)).to.deep.equal(comments(input));
        expect(formatSource(formatted, file).formatted).to.equal(formatted);
      });
    }
  });

  it("leaves canonical text byte for byte", () => {
    const input = readFileSync(`${fixturesDir}canonical/in.state`, "utf8");
    expect(formatSource(input, "c.state").formatted).to.equal(input);
  });

  it("accepts top-level attributes in .statevars files only", () => {
    expect(formatSource('env   = "prod"\n', "prod.statevars").formatted).to.equal('env = "prod"\n');
    expect(formatSource('env   = "prod"\n', "<stdin>", { varsFile: true }).formatted).to.equal('env = "prod"\n');
    const r = formatSource('env   = "prod"\n', "main.state");
    expect(r.formatted).to.equal(undefined);
    expect(r.diagnostics.map((d) => d.code)).to.deep.equal(["syntax/unexpected-attribute"]);
  });

  it("returns diagnostics and no text for a file with syntax errors", () => {
    const result = formatSource('association "a" {\n  name = \n}\n', "bad.state");
    expect(result.formatted).to.equal(undefined);
    expect(result.diagnostics.length).to.be.greaterThan(0);
    expect(result.diagnostics[0]!.severity).to.equal("error");
    expect(result.diagnostics[0]!.range?.file).to.equal("bad.state");
  });

  it("formats an empty file to an empty file, and a blank one too", () => {
    expect(formatSource("", "e.state").formatted).to.equal("");
    expect(formatSource("\n\n  \n", "e.state").formatted).to.equal("");
  });

  it("ends the file with exactly one newline", () => {
    expect(formatSource("locals {}", "e.state").formatted).to.equal("locals {}\n");
    expect(formatSource("locals {}\n\n\n", "e.state").formatted).to.equal("locals {}\n");
  });

  it("aligns = within a run of single-line attributes only", () => {
    const out = formatSource("locals {\n  a = 1\n  bbb = 2\n  cc = [\n    1,\n  ]\n  d = 3\n}\n", "a.state").formatted;
    expect(out).to.equal("locals {\n  a   = 1\n  bbb = 2\n  cc = [\n    1,\n  ]\n  d = 3\n}\n");
  });

  it("puts one blank line between sibling blocks, above the comments that lead into the second", () => {
    const out = formatSource("locals {\n}\n# about b\nlocals {\n}\n", "b.state").formatted;
    expect(out).to.equal("locals {\n}\n\n# about b\nlocals {\n}\n");
  });
});
