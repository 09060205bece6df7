// Security, end to end through the built CLI (docs/security.md): a sentinel secret in a sensitive
// variable must not appear in anything statectl prints — plan, `--json` plan, apply progress,
// errors (including SSM's own error texts, which echo the values they reject), outputs, state
// commands — and appears on disk only in the files documented to hold it (state, backup, plan
// file), all mode 0600. AWS credentials and session tokens must appear nowhere: not in output,
// not in any file, also when calls fail.
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalEndpoint, type LocalEndpoint } from "../../src/index.js";
import { FileStateStorage } from "../../src/state/index.js";
import { ExitCode } from "../../src/cli/exit-codes.js";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const SECRET = "SENTINEL-s3cr3t-7f3a9c";

function cli(dir: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [main, "-C", dir, ...args], {
    encoding: "utf8",
    input: "",
    env: { ...process.env, NO_COLOR: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  return { code: r.status, output: r.stdout + r.stderr };
}

/** As cli(), without blocking the event loop: needed when the endpoint runs in this process. */
function cliAsync(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, "-C", dir, ...args], {
      env: { ...process.env, NO_COLOR: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end();
  });
}

/** Every file under `dir` whose bytes contain `needle`, relative to `dir`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && readFileSync(p).includes(needle)) found.push(relative(dir, p));
    }
  };
  walk(dir);
  return found.sort();
}

const mode = (p: string) => statSync(p).mode & 0o777;

const SENSITIVE_CONFIG = (endpoint: string) => `provider "ssm" {
  endpoint = ${endpoint}
}

variable "token" {
  type      = string
  sensitive = true
}

association "secret" {
  name     = "Uses-A-Secret"
  document = "AWS-RunShellScript"
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  parameters = {
    commands         = ["curl -H 'Authorization: \${var.token}' https://example.com", "echo done"]
    workingDirectory = ["/tmp"]
  }
}

output "token" {
  value     = var.token
  sensitive = true
}
`;

describe("cli: secrets are masked in every output, and files holding them are private", function () {
  this.timeout(120_000);
  let dir: string;
  const outputs: string[] = [];
  const env = { STATECTL_VAR_token: SECRET };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-security-"));
    writeFileSync(join(dir, "main.state"), SENSITIVE_CONFIG('"local"'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("plan masks only the sensitive element of the parameters map", () => {
    const r = cli(dir, ["plan"], env);
    outputs.push(r.output);
    expect(r.code, r.output).to.equal(0);
    expect(r.output).to.contain(
      'commands         = [\n                (sensitive),\n                "echo done",\n            ]',
    );
    expect(r.output).to.contain('workingDirectory = [\n                "/tmp",');
  });

  it("plan --json masks it too, and lists its path", () => {
    const r = cli(dir, ["plan", "--json"], env);
    outputs.push(r.output);
    const change = JSON.parse(r.output).resource_changes[0];
    expect(change.after.parameters.commands).to.deep.equal(["(sensitive)", "echo done"]);
    expect(change.sensitive_paths).to.deep.include(["parameters", "commands", 0]);
  });

  it("plan --out writes the plan file with mode 0600", () => {
    const r = cli(dir, ["plan", "--out", "saved.plan"], env);
    outputs.push(r.output);
    expect(r.code, r.output).to.equal(0);
    expect(mode(join(dir, "saved.plan"))).to.equal(0o600);
  });

  it("apply (progress and outputs) shows no secret; state and backup are 0600", () => {
    const r = cli(dir, ["apply", "--auto-approve"], env);
    outputs.push(r.output);
    expect(r.code, r.output).to.equal(0);
    expect(r.output).to.contain("token = (sensitive)");
    // A second apply with a changed secret writes a backup.
    const again = cli(dir, ["apply", "--auto-approve", "--json"], { STATECTL_VAR_token: SECRET + "-2" });
    outputs.push(again.output);
    expect(again.code, again.output).to.equal(0);
    expect(mode(join(dir, "statectl.state.json"))).to.equal(0o600);
    expect(mode(join(dir, "statectl.state.json.backup"))).to.equal(0o600);
  });

  it("output, output --json, state show, state list and status show no secret", () => {
    for (const args of [
      ["output"],
      ["output", "token"],
      ["output", "--json"],
      ["state", "show", "association.secret"],
      ["state", "list"],
      ["status"],
    ]) {
      const r = cli(dir, args, env);
      outputs.push(r.output);
      expect(r.code, `${args.join(" ")}: ${r.output}`).to.equal(0);
    }
  });

  it("the lock file is 0600", async () => {
    const storage = new FileStateStorage(join(dir, "statectl.state.json"));
    const l = await storage.lock({ operation: "test", timeoutMs: 0 });
    expect(l.lock, JSON.stringify(l.diagnostics)).to.not.equal(undefined);
    try {
      expect(mode(storage.lockPath)).to.equal(0o600);
    } finally {
      await storage.unlock(l.lock!.id);
    }
  });

  it("errors show no secret, even SSM's own error texts that echo the rejected value", () => {
    // SSM answers "Invalid instance id <value>" and "Value '<value>' at 'documentVersion' failed …".
    writeFileSync(
      join(dir, "bad.state"),
      'association "bad" {\n  name             = "Bad-Secret"\n  document         = "AWS-RunShellScript"\n  document_version = var.token\n  targets {\n    key    = "InstanceIds"\n    values = [var.token]\n  }\n  max_concurrency = var.token\n}\n',
    );
    try {
      const v = cli(dir, ["validate"], env);
      outputs.push(v.output);
      expect(v.code).to.equal(ExitCode.Error);
      expect(v.output).to.contain('The document version "(sensitive)"');
      // plan and apply stop on the same checks before any call, masked the same way.
      const refused = cli(dir, ["apply", "--auto-approve", "--var", `token=${SECRET}`], {});
      outputs.push(refused.output);
      expect(refused.code).to.equal(ExitCode.Error);
      expect(refused.output).to.contain('The document version "(sensitive)"');
      // A mistake only SSM knows (no such instance), whose error text echoes the value.
      writeFileSync(
        join(dir, "bad.state"),
        'association "bad" {\n  name     = "Bad-Secret"\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "InstanceIds"\n    values = [var.token]\n  }\n  parameters = { commands = ["echo hi"] }\n}\n',
      );
      const a = cli(dir, ["apply", "--auto-approve", "--var", `token=${SECRET}`], {});
      outputs.push(a.output);
      expect(a.code).to.equal(ExitCode.Error);
      expect(a.output).to.match(/CreateAssociation failed: \w+: .*\(sensitive\)/);
      const j = cli(dir, ["apply", "--auto-approve", "--json"], env);
      outputs.push(j.output);
      expect(j.code).to.equal(ExitCode.Error);
    } finally {
      rmSync(join(dir, "bad.state"));
    }
  });

  it("nothing printed held the secret", () => {
    expect(outputs.length).to.be.greaterThan(10);
    for (const o of outputs) {
      expect(o).to.not.contain(SECRET);
      expect(o).to.not.contain("s3cr3t");
    }
  });

  it("on disk, only the state, its backup, the plan file and SSM's own data (the local endpoint) hold it", () => {
    expect(filesContaining(dir, SECRET)).to.deep.equal([
      ".statectl/local/endpoint.json",
      "saved.plan",
      "statectl.state.json",
      "statectl.state.json.backup",
    ]);
    expect(mode(join(dir, ".statectl/local/endpoint.json"))).to.equal(0o600);
  });
});

describe("cli: AWS credentials and session tokens appear nowhere", function () {
  this.timeout(120_000);
  const CREDENTIALS = {
    AWS_ACCESS_KEY_ID: "AKIASENTINELKEYID0001",
    AWS_SECRET_ACCESS_KEY: "SENTINEL/secret/AccessKey+0001",
    AWS_SESSION_TOKEN: "SENTINEL-session-token-0001",
    AWS_REGION: "us-east-1",
  };
  const secrets = Object.values(CREDENTIALS).filter((v) => v !== "us-east-1");
  let dir: string;
  let endpoint: LocalEndpoint;
  const outputs: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "statectl-credentials-"));
    endpoint = await startLocalEndpoint({});
  });
  after(async () => {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("plan, apply and a plan file against an endpoint URL, with credentials from the environment", async () => {
    writeFileSync(
      join(dir, "main.state"),
      SENSITIVE_CONFIG(JSON.stringify(endpoint.url))
        .replace(/\nvariable "token"[\s\S]*?\n}\n/, "\n")
        .replace("${var.token}", "x")
        .replace(/\noutput "token"[\s\S]*$/, "\n"),
    );
    for (const args of [
      ["plan"],
      ["plan", "--json"],
      ["plan", "--out", "saved.plan"],
      ["apply", "--auto-approve"],
      ["status"],
    ]) {
      const r = await cliAsync(dir, args, CREDENTIALS);
      outputs.push(r.output);
      expect(r.code, `${args.join(" ")}: ${r.output}`).to.equal(0);
    }
  });

  it("failing calls: an SSM error, and an endpoint that does not answer", async () => {
    writeFileSync(
      join(dir, "bad.state"),
      'association "bad" {\n  name     = "Bad-Target"\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "InstanceIds"\n    values = ["not-an-instance"]\n  }\n  parameters = { commands = ["echo hi"] }\n}\n',
    );
    const r = await cliAsync(dir, ["apply", "--auto-approve"], CREDENTIALS);
    outputs.push(r.output);
    expect(r.code).to.equal(ExitCode.Error);
    expect(r.output).to.contain("InvalidTarget");
    rmSync(join(dir, "bad.state"));
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    const main = readFileSync(join(dir, "main.state"), "utf8");
    writeFileSync(
      join(dir, "main.state"),
      main
        .replace(JSON.stringify(endpoint.url), '"http://127.0.0.1:9"')
        .replace('provider "ssm" {', 'provider "ssm" {\n  max_retries = 1'),
    );
    const down = await cliAsync(dir, ["plan"], CREDENTIALS);
    outputs.push(down.output);
    expect(down.code).to.equal(ExitCode.Error);
    writeFileSync(join(dir, "main.state"), main);
  });

  it("no credential in anything printed, nor in any file (state, backup, plan file)", () => {
    for (const o of outputs) for (const s of secrets) expect(o).to.not.contain(s);
    for (const s of secrets) expect(filesContaining(dir, s), s).to.deep.equal([]);
    expect(readdirSync(dir)).to.include.members(["statectl.state.json", "saved.plan"]);
  });
});

describe("cli: the local endpoint is loopback only", () => {
  it("`local serve` has no --host: it always listens on 127.0.0.1", () => {
    const r = cli(tmpdir(), ["local", "serve", "--host", "0.0.0.0", "--in-memory"]);
    expect(r.code).to.equal(ExitCode.Usage);
    expect(r.output).to.contain("unknown option '--host'");
  });
});
