// Secrets never leave in clear: a configuration full of sentinel secrets (sensitive variables of
// each type, a secret default inside a document's jsonencode'd content, association parameters,
// a sensitive output) is validated, planned, applied, shown, statused, run, output, graphed and
// hovered in the language server, in text and --json; not one output contains the sentinel. A
// second configuration makes the checks fail on sensitive values (a type error, a schedule SSM
// rules reject, a validation rule) and a third uses a secret as a name, which validate refuses.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HoverRequest, type MarkupContent } from "vscode-languageserver-protocol/node";
import { run } from "./helpers.js";
import { positionOf, TestClient } from "../lsp/client.js";

const SENTINEL = "SNTNL7Q";

const CONFIG = `provider "ssm" {
  endpoint = "local"
}

variable "token" {
  type      = string
  sensitive = true
  default   = "${SENTINEL}-token-value"
}

variable "port" {
  type      = number
  sensitive = true
}

variable "api" {
  type      = object({ key = string })
  sensitive = true
  default   = { key = "${SENTINEL}-api-key" }
}

document "app" {
  name    = "secret-app"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "configure the app"
    parameters    = { token = { type = "String", default = var.token, description = "the token" } }
    mainSteps     = [{ action = "aws:runShellScript", name = "run", inputs = { runCommand = ["echo {{ token }} \${var.port}"] } }]
  })
}

association "web" {
  name       = "secret-web"
  document   = document.app.name
  parameters = { token = [var.api.key] }
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
}

output "token" {
  value     = var.token
  sensitive = true
}

output "doc" {
  value = document.app.name
}
`;

describe("cli: sensitive values never leave in clear (sentinel secrets through every output)", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-secrets-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a command; its stdout and stderr must not contain the sentinel. */
  function clean(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string } {
    const r = run(dir, args, undefined, { STATECTL_VAR_port: "8443", ...env });
    const out = r.stdout + r.stderr;
    expect(out, `statectl ${args.join(" ")} shows a secret:\n${out}`).to.not.contain(SENTINEL);
    return { code: r.code, out };
  }

  it("validate, plan, apply, state, status, run, output, graph and plan -destroy, text and --json", () => {
    writeFileSync(join(dir, "main.state"), CONFIG);
    expect(clean(["validate"]).code).to.equal(0);
    clean(["validate", "--json"]);
    expect(clean(["plan"]).code).to.equal(0);
    clean(["plan", "--json"]);
    const applied = clean(["apply", "--auto-approve"]);
    expect(applied.code, applied.out).to.equal(0);
    // Each resource in the state holds the secrets (the state is private, mode 0600) — masked in every view.
    for (const address of ["document.app", "association.web"]) {
      clean(["state", "show", address]);
      clean(["state", "show", "--json", address]);
    }
    clean(["state", "list"]);
    clean(["status"]);
    clean(["status", "--json"]);
    clean(["run", "--json", "association.web"]);
    clean(["output"]);
    clean(["output", "--json"]);
    clean(["graph"]);
    // A change to the content (and so to the parameters SSM reads back from it) is planned masked.
    writeFileSync(join(dir, "main.state"), CONFIG.replace("configure the app", "configure the app again"));
    clean(["plan"]);
    clean(["plan", "--json"]);
    const again = clean(["apply", "--auto-approve", "--json"]);
    expect(again.code, again.out).to.equal(0);
    clean(["plan", "--destroy", "--json"]);
    expect(clean(["destroy", "--auto-approve"]).code).to.equal(0);
  });

  it("failing checks on sensitive values never quote them or a part of them", () => {
    writeFileSync(
      join(dir, "main.state"),
      CONFIG.replace(
        `default   = "${SENTINEL}-token-value"`,
        `default   = "${SENTINEL}-token-value"\n  validation {\n    condition     = length(var.token) > 100\n    error_message = "The token must be long."\n  }`,
      ).replace('name       = "secret-web"', 'name       = "secret-web"\n  schedule   = var.sched') +
        `\nvariable "sched" {\n  type      = string\n  sensitive = true\n  default   = "rate(${SENTINEL}x minutes)"\n}\n`,
    );
    const typeError = clean(["validate"], { STATECTL_VAR_port: `${SENTINEL}99` });
    expect(typeError.code).to.equal(1);
    expect(typeError.out).to.contain("eval/invalid-variable-value").and.contain("(sensitive) is not a number");
    // The validation rule fails first (and on its own: the SSM checks wait for a valid configuration).
    const validation = clean(["validate", "--json"]);
    expect(validation.out).to.contain("eval/variable-validation");
    writeFileSync(
      join(dir, "main.state"),
      readFileSync(join(dir, "main.state"), "utf8").replace("length(var.token) > 100", "length(var.token) > 10"),
    );
    const schedule = clean(["validate"]);
    expect(schedule.out).to.contain("ssm/invalid-schedule").and.contain("(sensitive) is not a positive whole number");
    clean(["validate", "--json"]);
    clean(["plan"]);
    writeFileSync(join(dir, "p.statevars"), `port = "${SENTINEL}-in-a-file"\n`);
    const fromFile = clean(["validate", "--var-file", "p.statevars"], { STATECTL_VAR_port: undefined });
    expect(fromFile.out).to.contain("eval/invalid-variable-value");
  });

  it("a sensitive value in a name is refused at validate (names are identities, never secret)", () => {
    writeFileSync(
      join(dir, "main.state"),
      CONFIG.replace('name       = "secret-web"', 'name       = "web-${var.token}"').replace(
        'name    = "secret-app"',
        "name    = var.api.key",
      ),
    );
    for (const args of [["validate"], ["plan"], ["apply", "--auto-approve"]]) {
      const r = clean(args);
      expect(r.code).to.equal(1);
      expect(r.out)
        .to.contain("eval/sensitive-name")
        .and.contain('The name of association "web" comes from a sensitive value')
        .and.contain('The name of document "app" comes from a sensitive value');
    }
  });

  it("the language server's hover does not show a sensitive variable's default", async () => {
    writeFileSync(join(dir, "main.state"), CONFIG);
    const client = new TestClient(dir);
    try {
      await client.initialize();
      await client.open("main.state", CONFIG);
      await client.diagnosticsFor("main.state", () => true);
      for (const needle of ["var.token", "var.api.key", "var.port"]) {
        const r = await client.connection.sendRequest(HoverRequest.type, {
          textDocument: { uri: client.uri("main.state") },
          position: positionOf(CONFIG, needle, 5),
        });
        const text = r ? (r.contents as MarkupContent).value : "";
        expect(text).to.contain(`**${needle.split(".").slice(0, 2).join(".")}**`);
        expect(text).to.not.contain(SENTINEL);
      }
    } finally {
      client.kill();
    }
  });
});
