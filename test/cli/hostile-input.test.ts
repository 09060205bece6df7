// Hostile file text in diagnostics, through the built CLI (issue 16): what a configuration holds
// reaches the terminal only escaped — no control or escape sequence (ESC, BEL), no bidi override
// or zero-width character — quoted excerpts are capped, and strings that look like AWS
// credentials are scrubbed, in text and --json alike.
import { expect } from "chai";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { yamlAliasBomb } from "../support/yaml-bomb.js";
import { run } from "./helpers.js";

const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/** Recolours, retitles the window (OSC … BEL), reverses what follows (RLO), hides a break (ZWSP). */
const HOSTILE = "\u001b[31mRED\u001b]0;pwned\u0007\u202eevil\u200bzw\u009b2J";
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

const CONFIG = `variable "hostile" {
  type    = number
  default = "${HOSTILE} ${ACCESS_KEY_ID}"
}

locals {
  aws_secret_access_key = "${SECRET_KEY}"
  twice = local.aws_secret_access_key * 2
  long  = "${"x".repeat(5000)}" * 2
  named = "aws_secret_access_key=${SECRET_KEY}" * 2
}
`;

describe("cli: hostile file text in diagnostics", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-hostile-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("escapes control, escape, bidi and zero-width characters in messages and snippets", () => {
    const r = run(dir, ["validate"]);
    expect(r.code).to.equal(1);
    const shown = r.stdout + r.stderr;
    expect(shown).to.contain("error[eval/invalid-default]");
    expect(shown).not.to.match(RAW_UNSAFE);
    // The message shows what is there, as escapes: ESC, BEL, the override, the zero-width space.
    expect(shown).to.contain("\\u001B[31mRED\\u001B]0;pwned\\u0007\\u202Eevil\\u200Bzw\\u009B2J");
    // The snippet keeps its caret under the value although each invisible character became six.
    const lines = shown.split("\n");
    const snippet = lines.findIndex((l) => l.startsWith("3 |"));
    const caret = lines[snippet + 1]!;
    expect(caret.indexOf("^") - 4).to.equal(lines[snippet]!.indexOf('"') - 4);
    expect(caret.lastIndexOf("^")).to.equal(lines[snippet]!.lastIndexOf('"'));
  });

  it("scrubs access key ids and secret keys from text and --json", () => {
    for (const args of [["validate"], ["validate", "--json"], ["plan"], ["plan", "--json"]]) {
      const r = run(dir, args);
      const shown = r.stdout + r.stderr;
      expect(r.code, args.join(" ")).to.equal(1);
      expect(shown, args.join(" ")).to.contain("invalid-operand");
      expect(shown, args.join(" ")).not.to.contain(ACCESS_KEY_ID);
      expect(shown, args.join(" ")).not.to.contain(SECRET_KEY);
      expect(shown, args.join(" ")).not.to.contain("EXAMPLEKEY");
    }
    const validate = run(dir, ["validate"]);
    const text = validate.stdout + validate.stderr;
    // A snippet keeps the credential's width (so the caret still lines up) and its kind.
    expect(text).to.contain("AKIA****************");
    expect(text).to.contain('"[redacted]" is not a number');
  });

  it("caps a quoted excerpt and says how long it was", () => {
    const r = run(dir, ["validate"]);
    expect(r.stdout + r.stderr).to.contain(`"${"x".repeat(100)}…" (5000 characters) is not a number`);
    expect(r.stdout + r.stderr).not.to.contain("x".repeat(200));
    const json = JSON.parse(run(dir, ["validate", "--json"]).stdout) as { diagnostics: { detail?: string }[] };
    expect(json.diagnostics.some((d) => d.detail?.includes("(5000 characters)"))).to.equal(true);
    expect(JSON.stringify(json)).not.to.contain("x".repeat(200));
  });
});

describe("cli: YAML alias bombs", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-yaml-bomb-"));
    writeFileSync(join(dir, "bomb.yaml"), yamlAliasBomb());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("validate refuses a document whose content is one, pointing at the first alias", () => {
    writeFileSync(
      join(dir, "main.state"),
      `document "bomb" {\n  name    = "Bomb"\n  format  = "YAML"\n  content = file("bomb.yaml")\n}\n`,
    );
    const r = run(dir, ["validate"]);
    expect(r.code).to.equal(1);
    expect(r.stdout + r.stderr)
      .to.contain("error[ssm/invalid-document-content]: Document content expands without bound")
      .and.contain("bomb.yaml:4:8")
      .and.contain("alias bomb");
    expect(r.stdout + r.stderr).not.to.contain("internal error");
  });

  it("yamldecode() refuses one with a clear error", () => {
    writeFileSync(join(dir, "main.state"), `output "steps" {\n  value = yamldecode(file("bomb.yaml"))\n}\n`);
    const r = run(dir, ["validate"]);
    expect(r.code).to.equal(1);
    expect(r.stdout + r.stderr)
      .to.contain("error[eval/function-argument]")
      .and.contain("alias bomb");
    expect(r.stdout + r.stderr).not.to.contain("internal error");
  });
});

describe("cli: the total input budget of a configuration", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-budget-"));
    // Sparse files: 9.6 MB each as far as statectl can tell, next to nothing on disk.
    for (let i = 0; i < 7; i++) {
      writeFileSync(join(dir, `data-${i}.bin`), "");
      truncateSync(join(dir, `data-${i}.bin`), 9_600_000);
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses the file that takes file() reads past 64 MiB together, each file under the 10 MiB limit", () => {
    const outputs = Array.from(
      { length: 7 },
      (_, i) => `output "size_${i}" {\n  value = sha256(file("data-${i}.bin"))\n}\n`,
    ).join("\n");
    writeFileSync(join(dir, "main.state"), outputs);
    const r = run(dir, ["validate"]);
    expect(r.code).to.equal(1);
    const shown = r.stdout + r.stderr;
    expect(shown).to.contain("error[eval/function-argument]").and.contain("larger than 64 MiB together");
    // Six files (57.6 MB) fit; the seventh is the one refused, and only it.
    expect(shown.match(/error\[/g)).to.have.length(1);
    expect(shown).to.contain('file("data-6.bin")');
  });

  it("counts a file named many times once", () => {
    const outputs = Array.from(
      { length: 12 },
      (_, i) => `output "again_${i}" {\n  value = sha256(file("data-0.bin"))\n}\n`,
    ).join("\n");
    writeFileSync(join(dir, "main.state"), outputs);
    const r = run(dir, ["validate"]);
    expect(r.stdout + r.stderr).to.contain("The configuration is valid");
    expect(r.code).to.equal(0);
  });
});

describe("cli: hostile text that SSM hands back", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-hostile-state-"));
    // A document whose shell line prints escape sequences: its content comes back from SSM into
    // the state, and `state show` prints it.
    const content = JSON.stringify({
      schemaVersion: "2.2",
      description: `desc ${HOSTILE}`,
      mainSteps: [{ action: "aws:runShellScript", name: "paint", inputs: { runCommand: [`printf '${HOSTILE}'`] } }],
    });
    writeFileSync(join(dir, "paint.json"), content);
    writeFileSync(
      join(dir, "main.state"),
      `provider "ssm" {\n  endpoint = "local"\n}\n\ndocument "paint" {\n  name    = "Paint"\n  content = file("paint.json")\n}\n`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("state show shows a stored value's escape sequences instead of sending them to the terminal", () => {
    const applied = run(dir, ["apply", "-auto-approve"]);
    expect(applied.code, applied.stderr).to.equal(0);
    const r = run(dir, ["state", "show", "document.paint"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("Paint");
    expect(r.stdout).not.to.match(RAW_UNSAFE);
    expect(r.stdout).to.contain("\\u202Eevil");
  });
});
