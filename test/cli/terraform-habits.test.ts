// Terraform habits beyond the flags, through the built command: import by an association's
// name, asking for missing variables only on a terminal, shell completion, and the small
// consistency items of issue 22.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateAssociationCommand } from "@aws-sdk/client-ssm";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { HELLO_CONFIG, HELLO_CONTENT } from "../support/hello.js";
import { behindTheBack, run } from "./helpers.js";

const bin = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));

/** Runs the command on a pseudo-terminal (python3's pty), answering each prompt in `answers`. */
function onTerminal(dir: string, args: string[], answers: string[]): { code: number | null; output: string } {
  const script = `
import os, pty, sys, time, select, json
answers = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(sys.argv[2], sys.argv[2:], dict(os.environ, NO_COLOR="1"))
out = b""
closed = False
def read_some(timeout):
    global out, closed
    r, _, _ = select.select([fd], [], [], timeout)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            closed = True
        out += chunk
deadline = time.time() + 90
for a in answers:
    want = out.count(b"Enter a value:") + 1
    while not closed and out.count(b"Enter a value:") < want and time.time() < deadline:
        read_some(0.2)
    if closed:
        break
    os.write(fd, a.encode() + b"\\r")
while not closed and time.time() < deadline:
    read_some(0.2)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
`;
  const r = spawnSync("python3", ["-c", script, JSON.stringify(answers), process.execPath, bin, "-C", dir, ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, output: r.stdout + r.stderr };
}

describe("cli: Terraform habits (import by name, prompts, completion, consistency)", function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-tf-habits-"));
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
    writeFileSync(
      join(dir, "main.state"),
      HELLO_CONFIG.replace('schedule = "rate(1 day)"', "schedule = var.schedule") +
        '\nvariable "schedule" {\n  type        = string\n  description = "How often the association runs"\n}\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("never asks when stdin is not a terminal: the missing variable is an error", () => {
    const r = run(dir, ["plan"]);
    expect(r.code).to.equal(ExitCode.Error);
    expect(r.stderr).to.contain("error[eval/missing-variable]");
    expect(r.stdout).to.not.contain("Enter a value");
  });

  it("asks for a missing variable on a terminal, and uses the answer", () => {
    const r = onTerminal(dir, ["plan"], ["rate(2 days)"]);
    expect(r.output).to.contain("var.schedule\r\n  How often the association runs");
    expect(r.output).to.contain("Enter a value:");
    expect(r.output).to.match(/schedule\s+= "rate\(2 days\)"/);
    expect(r.code, r.output).to.equal(0);
  });

  it("does not ask on a terminal with -input=false or --json", () => {
    const r = onTerminal(dir, ["plan", "-input=false"], []);
    expect(r.output).to.not.contain("Enter a value");
    expect(r.output).to.contain("eval/missing-variable");
    expect(r.code).to.equal(ExitCode.Error);
    const j = onTerminal(dir, ["plan", "--json"], []);
    expect(j.output).to.not.contain("Enter a value");
    expect(j.code).to.equal(ExitCode.Error);
  });

  it("import takes an association's name, and refuses a name several associations share", async () => {
    await behindTheBack(dir, async (client) => {
      const { CreateDocumentCommand } = await import("@aws-sdk/client-ssm");
      await client.send(
        new CreateDocumentCommand({
          Name: "Hello",
          Content: HELLO_CONTENT,
          DocumentType: "Command",
          DocumentFormat: "JSON",
        }),
      );
      for (const name of ["HelloWeb", "Twin", "Twin"]) {
        await client.send(
          new CreateAssociationCommand({
            Name: "Hello",
            AssociationName: name,
            Targets: [{ Key: "tag:Role", Values: ["web"] }],
            ScheduleExpression: "rate(1 day)",
          }),
        );
      }
    });
    const vars = ["-var", "schedule=rate(1 day)"];
    const r = run(dir, ["import", ...vars, "association.hello", "HelloWeb"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/Imported association\.hello \(id [0-9a-f-]{36}\)/);
    const state = JSON.parse(readFileSync(join(dir, "statectl.state.json"), "utf8"));
    expect(state.resources[0].id).to.match(/^[0-9a-f-]{36}$/);
    expect(state.resources[0].attributes.name).to.equal("HelloWeb");
    run(dir, ["state", "rm", "association.hello"]);
    const twin = run(dir, ["import", ...vars, "association.hello", "Twin"]);
    expect(twin.code).to.equal(ExitCode.Error);
    expect(twin.stderr).to.contain("error[import/ambiguous-name]");
    expect(twin.stderr).to.contain('2 associations are named "Twin"');
    const none = run(dir, ["import", ...vars, "association.hello", "Nobody"]);
    expect(none.code).to.equal(ExitCode.Error);
    expect(none.stderr).to.contain("error[import/not-found]");
    expect(run(dir, ["import", ...vars, "association.hello", "HelloWeb"]).code).to.equal(0);
  });

  it("completion bash: commands, options and addresses from the state", () => {
    const shims = mkdtempSync(join(tmpdir(), "statectl-completion-bin-"));
    try {
      writeFileSync(join(shims, "statectl"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
      chmodSync(join(shims, "statectl"), 0o755);
      const script = run(dir, ["completion", "bash"]);
      expect(script.code).to.equal(0);
      writeFileSync(join(shims, "completion.bash"), script.stdout);
      const complete = (line: string) => {
        const words = line.split(" ");
        const r = spawnSync(
          "bash",
          [
            "-c",
            `source ${join(shims, "completion.bash")}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _statectl; printf '%s\\n' "\${COMPREPLY[@]}"`,
          ],
          { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${shims}:${process.env.PATH}` } },
        );
        return r.stdout.split("\n").filter(Boolean);
      };
      expect(complete("statectl pl")).to.deep.equal(["plan"]);
      expect(complete("statectl sta")).to.include.members(["state", "status"]);
      expect(complete("statectl state s")).to.deep.equal(["show"]);
      expect(complete("statectl plan --ta")).to.deep.equal(["--target"]);
      expect(complete("statectl apply --auto")).to.deep.equal(["--auto-approve"]);
      expect(complete("statectl plan --target ")).to.deep.equal(["association.hello"]);
      expect(complete("statectl state show ")).to.deep.equal(["association.hello"]);
    } finally {
      rmSync(shims, { recursive: true, force: true });
    }
  });

  it("completion zsh and fish are generated from the same definitions; an unknown shell is a usage error", () => {
    const zsh = run(dir, ["completion", "zsh"]);
    expect(zsh.stdout).to.match(/^#compdef statectl/);
    expect(zsh.stdout).to.contain("bashcompinit");
    const fish = run(dir, ["completion", "fish"]);
    expect(fish.stdout).to.contain("complete -c statectl -n 'not __fish_seen_subcommand_from");
    expect(fish.stdout).to.match(
      /-n '__fish_seen_subcommand_from plan' -l target -r -xa '\(statectl state list 2>\/dev\/null\)'/,
    );
    expect(fish.stdout).to.contain("-a console");
    const bad = run(dir, ["completion", "tcsh"]);
    expect(bad.code).to.equal(ExitCode.Usage);
  });

  it("consistency: --lock-timeout states its default once; an empty destroy says so; fleet list creates nothing; output NAME --json is the value", () => {
    const help = run(dir, ["plan", "--help"]).stdout.replace(/\s+/g, " ");
    expect(help).to.contain("fail at once)");
    expect(help).to.not.contain("(default: 0)");
    const empty = mkdtempSync(join(tmpdir(), "statectl-tf-empty-"));
    try {
      writeFileSync(
        join(empty, "main.state"),
        'provider "ssm" {\n  endpoint = "local"\n}\n\noutput "greeting" {\n  value = ["hello", "world"]\n}\n',
      );
      const d = run(empty, ["destroy", "-auto-approve"]);
      expect(d.code, d.stderr).to.equal(0);
      expect(d.stdout).to.contain("Nothing to destroy");
      rmSync(join(empty, ".statectl"), { recursive: true, force: true });
      const list = run(empty, ["local", "fleet", "list"]);
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.contain("INSTANCE");
      expect(existsSync(join(empty, ".statectl"))).to.equal(false);
      expect(run(empty, ["apply", "-auto-approve"]).code).to.equal(0);
      expect(JSON.parse(run(empty, ["output", "greeting", "-json"]).stdout)).to.deep.equal(["hello", "world"]);
      const applied = run(empty, ["apply", "-auto-approve"]).stdout;
      const shown = run(empty, ["output"]).stdout;
      expect(applied).to.contain(shown.trimEnd());
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("consistency: a 5-field cron names the missing year, and its hint agrees", () => {
    const bad = mkdtempSync(join(tmpdir(), "statectl-tf-cron-"));
    try {
      mkdirSync(join(bad, "x"));
      writeFileSync(
        join(bad, "main.state"),
        'association "a" {\n  name     = "Cron5"\n  document = "AWS-RunShellScript"\n  parameters = { commands = ["true"] }\n  targets {\n    key    = "InstanceIds"\n    values = ["*"]\n  }\n  schedule = "cron(0 12 * * ?)"\n}\n',
      );
      const r = run(bad, ["validate"]);
      expect(r.code).to.equal(ExitCode.Error);
      expect(r.stderr).to.contain("this one has 5: add the year field (* for every year)");
      expect(r.stderr).to.contain("cron(minutes hours day-of-month month day-of-week year)");
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
