// Bad input, table-driven, through the built CLI: every broken input gives a clear diagnostic
// (file:line:col and a caret when it is about source text), the documented exit code
// (src/cli/exit-codes.ts, docs/cli.md), changes nothing — neither a file in the directory (the
// state, its backup, the local endpoint's data) nor SSM — and never prints a stack trace.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  cpSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ListAssociationsCommand, ListDocumentsCommand } from "@aws-sdk/client-ssm";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { behindTheBack, run, runAsync } from "./helpers.js";

const CONFIG = `provider "ssm" {
  endpoint = "local"
}

variable "schedule" {
  type    = string
  default = "rate(1 day)"
}

document "hello" {
  name    = "Hello-Bad-Input"
  content = file("hello.json")
}

association "hello" {
  name     = "Hello-Bad-Input"
  document = document.hello.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  schedule = var.schedule
}
`;

const HELLO = JSON.stringify({
  schemaVersion: "2.2",
  description: "hello",
  mainSteps: [{ action: "aws:runShellScript", name: "hello", inputs: { runCommand: ["echo hello"] } }],
});

/** Every file under `dir` (the configuration, the state, its backup, the local endpoint's data) with a digest of its bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const st = statSync(p);
        // Large files (the 100 MB input) by size, inode and time; everything else by content.
        out.set(
          relative(dir, p),
          st.size > 1024 * 1024
            ? `${st.size}:${st.ino}:${st.mtimeMs}`
            : createHash("sha256").update(readFileSync(p)).digest("hex"),
        );
      } else out.set(relative(dir, p), "(link or special file)");
    }
  };
  walk(dir);
  return out;
}

/** A stack trace line (`    at fn (file.js:1:2)`), or the CLI's fallback for a bug. */
const STACK = /^\s+at .*:\d+:\d+\)?$|internal error|\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/m;

interface Row {
  name: string;
  /** Files written into the configuration directory for this row (removed afterwards); a function may do more. */
  files?: Record<string, string | Buffer>;
  setup?: (dir: string) => void;
  args: string[];
  code: number;
  /** Texts the output must contain (stderr and stdout together). */
  says: (string | RegExp)[];
  /** Texts the output must not contain. */
  never?: string[];
  /** `file:line:col` of a diagnostic about source text; a caret line must follow it. */
  at?: string;
}

describe("cli: bad input changes nothing and is explained (table-driven)", function () {
  this.timeout(120_000);
  let base: string;
  let outside: string;
  let stateBytes: Buffer;

  const rows: Row[] = [
    // Source text
    {
      name: "a syntax error (and no follow-on errors about the half-parsed block)",
      files: { "bad.state": 'document "x" {\n  name = \n}\n' },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[syntax/unexpected-token]", "expected an expression"],
      never: ["config/missing-argument"],
      at: "bad.state:2:10",
    },
    {
      name: "an unclosed block",
      files: { "bad.state": "locals {\n  a = 1\n" },
      args: ["plan"],
      code: ExitCode.Error,
      says: ["error[syntax/unclosed-block]"],
      at: "bad.state:1:8",
    },
    {
      name: "a value of the wrong type",
      files: {
        "bad.state":
          'association "x" {\n  name     = "Wrong-Type"\n  document = "AWS-RunShellScript"\n  targets {\n    key    = "InstanceIds"\n    values = "i-0123456789abcdef0"\n  }\n}\n',
      },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[eval/invalid-argument-type]", "a list of string is required"],
      at: "bad.state:6:14",
    },
    {
      name: "a variable value of the wrong type",
      files: { "bad.state": 'variable "n" {\n  type = number\n}\n' },
      args: ["apply", "--auto-approve", "--var", "n=abc"],
      code: ExitCode.Error,
      says: ["error[eval/invalid-variable-value]", '"abc" is not a number'],
      at: "bad.state:1:10",
    },
    {
      name: "an unknown reference, with a suggestion",
      files: { "bad.state": "locals {\n  x = document.helo.name\n}\n" },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[config/undeclared-resource]", "did you mean hello?"],
      at: "bad.state:2:7",
    },
    {
      name: "an unknown variable",
      files: { "bad.state": "locals {\n  x = var.schedul\n}\n" },
      args: ["plan"],
      code: ExitCode.Error,
      says: ["error[config/undeclared-variable]"],
      at: "bad.state:2:7",
    },
    {
      name: "a cycle between locals",
      files: { "bad.state": "locals {\n  a = local.b\n  b = local.a\n}\n" },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[config/local-cycle]", "local.a → local.b → local.a"],
      at: "bad.state:2:3",
    },
    {
      name: "a cycle between resources",
      files: {
        "bad.state":
          'document "a" {\n  name       = "Cycle-A"\n  content    = "{}"\n  depends_on = [document.b]\n}\ndocument "b" {\n  name       = "Cycle-B"\n  content    = "{}"\n  depends_on = [document.a]\n}\n',
      },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: [/cycle/i, "document.a", "document.b"],
    },
    {
      name: "a missing file()",
      files: { "bad.state": 'document "m" {\n  name    = "Missing-File"\n  content = file("nope.json")\n}\n' },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[eval/function-argument]", 'cannot read "nope.json"', "no such file"],
      at: "bad.state:3:18",
    },
    {
      name: "a missing --var-file",
      args: ["apply", "--auto-approve", "--var-file", "nope.statevars"],
      code: ExitCode.Error,
      says: ["error[config/unreadable-var-file]", "--var-file nope.statevars: no such file"],
    },
    {
      name: "a malformed --var",
      args: ["apply", "--auto-approve", "--var", "schedule"],
      code: ExitCode.Error,
      says: ["error[config/invalid-var-option]", "name=value"],
    },
    {
      name: "a --var for an undeclared variable",
      args: ["apply", "--auto-approve", "--var", "schedul=rate(2 days)"],
      code: ExitCode.Error,
      says: ["error[config/undeclared-variable-input]", 'did you mean "schedule"?'],
    },
    // Files that are not configuration text
    {
      name: "a binary file that is not UTF-8",
      files: {
        "bad.state": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]),
      },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[config/invalid-encoding]", "0x89, is at byte 0"],
      at: "bad.state:1:1",
    },
    {
      name: "a binary file that happens to be UTF-8 (control characters)",
      files: { "bad.state": Buffer.from('document "x" {\x00\x01\x02\x03 }\n') },
      args: ["plan"],
      code: ExitCode.Error,
      says: ["error[syntax/invalid-character]", "U+0000"],
      at: "bad.state:1:15",
    },
    {
      name: "Latin-1 text (invalid UTF-8) in the middle of a file",
      files: {
        "bad.state": Buffer.concat([
          Buffer.from('locals {\n  greeting = "caf'),
          Buffer.from([0xe9]),
          Buffer.from('"\n}\n'),
        ]),
      },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[config/invalid-encoding]", "0xe9, is at byte 26"],
      at: "bad.state:2:18",
    },
    {
      name: "an invalid UTF-8 --var-file",
      files: {
        "latin1.statevars": Buffer.from([
          0x73, 0x63, 0x68, 0x65, 0x64, 0x75, 0x6c, 0x65, 0x20, 0x3d, 0x20, 0x22, 0xe9, 0x22, 0x0a,
        ]),
      },
      args: ["plan", "--var-file", "latin1.statevars"],
      code: ExitCode.Error,
      says: ["error[config/invalid-encoding]"],
      at: "latin1.statevars:1:13",
    },
    {
      name: "a 100 MB .state file",
      setup: (d) => linkSync(join(outside, "huge.state"), join(d, "huge.state")),
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: [
        "error[config/file-too-large]",
        "huge.state is 100 MiB; statectl reads configuration files of at most 10 MiB",
      ],
    },
    {
      name: "an endless .state file (a link to /dev/zero)",
      setup: (d) => symlinkSync("/dev/zero", join(d, "endless.state")),
      args: ["plan"],
      code: ExitCode.Error,
      says: ["error[config/file-too-large]", "larger than 10 MiB"],
    },
    // A named pipe has no end until a writer closes it: opening one used to hang validate and plan (Ctrl-C and SIGTERM ignored).
    {
      name: "a named pipe (FIFO) as a .state file",
      setup: (d) => execFileSync("mkfifo", [join(d, "pipe.state")]),
      args: ["validate"],
      code: ExitCode.Error,
      says: ["error[config/unreadable-file]", "pipe.state", "named pipe (FIFO), not a regular file"],
    },
    {
      name: "a named pipe (FIFO) in the folder, to plan",
      setup: (d) => execFileSync("mkfifo", [join(d, "pipe.state")]),
      args: ["plan"],
      code: ExitCode.Error,
      says: [
        "error[config/unreadable-file]",
        "Cannot read pipe.state",
        "it is a named pipe (FIFO), not a regular file",
      ],
    },
    {
      name: "a .state link to a named pipe",
      setup: (d) => {
        execFileSync("mkfifo", [join(d, "pipe")]);
        symlinkSync("pipe", join(d, "linked.state"));
      },
      args: ["validate"],
      code: ExitCode.Error,
      says: ["error[config/unreadable-file]", "linked.state", "named pipe (FIFO)"],
    },
    {
      name: "file() of a named pipe",
      files: { "bad.state": 'document "p" {\n  name    = "Pipe-Content"\n  content = file("pipe.json")\n}\n' },
      setup: (d) => execFileSync("mkfifo", [join(d, "pipe.json")]),
      args: ["plan"],
      code: ExitCode.Error,
      says: ["error[eval/function-argument]", "named pipe (FIFO)"],
      at: "bad.state:3:18",
    },
    {
      name: "a named pipe as --var-file",
      setup: (d) => execFileSync("mkfifo", [join(d, "vars.statevars")]),
      args: ["plan", "--var-file", "vars.statevars"],
      code: ExitCode.Error,
      says: ["error[config/unreadable-var-file]", "named pipe (FIFO)"],
    },
    {
      name: "a 100 MB --var-file",
      args: ["plan", "--var-file", "HUGE"],
      code: ExitCode.Error,
      says: ["error[config/file-too-large]", "is 100 MiB"],
    },
    {
      name: "file() of a 100 MB file",
      files: { "bad.state": 'document "big" {\n  name    = "Big-Content"\n  content = file("huge.json")\n}\n' },
      setup: (d) => linkSync(join(outside, "huge.state"), join(d, "huge.json")),
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[eval/function-argument]", "larger than 10 MiB"],
      at: "bad.state:3:18",
    },
    {
      name: "a 100 MB file to validate",
      setup: (d) => linkSync(join(outside, "huge.state"), join(d, "huge.state")),
      args: ["validate"],
      code: ExitCode.Error,
      says: ["error[config/file-too-large]"],
    },
    {
      name: "a 100 MB file to fmt (left untouched)",
      setup: (d) => linkSync(join(outside, "huge.state"), join(d, "huge.state")),
      args: ["fmt"],
      code: ExitCode.Error,
      says: ["error[config/file-too-large]", "huge.state: not formatted"],
    },
    {
      name: "invalid UTF-8 to fmt (never rewritten lossily)",
      files: {
        "bad.state": Buffer.concat([
          Buffer.from('locals {\n    x   =   "'),
          Buffer.from([0xe9]),
          Buffer.from('"\n}\n'),
        ]),
      },
      args: ["fmt"],
      code: ExitCode.Error,
      says: ["error[config/invalid-encoding]", "bad.state: not formatted"],
      at: "bad.state:2:14",
    },
    {
      name: "deep nesting",
      files: { "bad.state": `locals {\n  x = ${"[".repeat(5000)}${"]".repeat(5000)}\n}\n` },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[syntax/too-deep]", "nest at most 100 levels"],
      at: "bad.state:2:106",
    },
    {
      name: "deep nesting of parentheses to validate",
      files: { "bad.state": `locals {\n  x = ${"(".repeat(50000)}1${")".repeat(50000)}\n}\n` },
      args: ["validate"],
      code: ExitCode.Error,
      says: ["error[syntax/too-deep]"],
      at: "bad.state:2:106",
    },
    // The state file
    {
      name: "a corrupt state file",
      files: { "statectl.state.json": '{\n  "format_version": 1,\n  "serial": 3,\n  "lineage": @@@\n}\n' },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[state/corrupt]", "The state file is not valid JSON", "statectl.state.json.backup"],
      at: "statectl.state.json:4:14",
    },
    {
      name: "a truncated state file",
      setup: (d) =>
        writeFileSync(join(d, "statectl.state.json"), stateBytes.subarray(0, Math.floor(stateBytes.length / 2))),
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[state/truncated]", "The state file is cut short", "to restore it: cp"],
    },
    {
      name: "an empty state file",
      files: { "statectl.state.json": "" },
      args: ["plan"],
      code: ExitCode.Error,
      says: ["error[state/truncated]", "The state file is empty"],
    },
    {
      name: "a binary state file",
      files: { "statectl.state.json": Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]) },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[state/corrupt]", "not valid UTF-8"],
    },
    {
      name: "a state file nested too deeply",
      files: { "statectl.state.json": "[".repeat(1_000_000) },
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[state/corrupt]", "nests arrays and objects more than 512 levels"],
    },
    {
      name: "a state file of the wrong shape",
      setup: (d) =>
        writeFileSync(
          join(d, "statectl.state.json"),
          stateBytes.toString("utf8").replace('"serial": ', '"serial": "x", "was": '),
        ),
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[state/invalid]"],
    },
    {
      name: "a state file from a newer statectl",
      setup: (d) =>
        writeFileSync(
          join(d, "statectl.state.json"),
          stateBytes.toString("utf8").replace('"format_version": 1', '"format_version": 99'),
        ),
      args: ["apply", "--auto-approve"],
      code: ExitCode.Error,
      says: ["error[state/unsupported-version]", "upgrade statectl"],
    },
    // Plan files
    {
      name: "a plan file from another configuration",
      setup: (d) => copyFileSync(join(outside, "other", "other.plan"), join(d, "other.plan")),
      args: ["apply", "other.plan"],
      code: ExitCode.Error,
      says: ["error[plan/config-changed]", "The configuration changed since the plan was made"],
    },
    {
      name: "a plan file that is not JSON",
      files: { "bad.plan": "PK\x03\x04 not a plan" },
      args: ["apply", "bad.plan"],
      code: ExitCode.Error,
      says: ["error[plan/invalid-plan-file]", "It is not JSON"],
    },
    {
      name: "a plan file that was edited",
      setup: (d) =>
        writeFileSync(
          join(d, "edited.plan"),
          readFileSync(join(outside, "other", "other.plan"), "utf8").replace('"mode": "normal"', '"mode": "destroy"'),
        ),
      args: ["apply", "edited.plan"],
      code: ExitCode.Error,
      says: ["error[plan/invalid-plan-file]", "does not match its checksum"],
    },
    {
      name: "a plan file with the right header and nothing else",
      files: { "bare.plan": '{"format": "statectl-plan", "version": 1, "plan": {}}' },
      args: ["apply", "bare.plan"],
      code: ExitCode.Error,
      says: ["error[plan/invalid-plan-file]"],
    },
    {
      name: "a plan file that does not exist",
      args: ["apply", "nope.plan"],
      code: ExitCode.Error,
      says: ["error[plan/io-error]", "There is no such file."],
    },
    // The command line
    {
      name: "an unknown option",
      args: ["plan", "--bogus"],
      code: ExitCode.Usage,
      says: ["unknown option '--bogus'", "Usage: statectl plan [options]", "statectl plan --help"],
    },
    { name: "an unknown command", args: ["frobnicate"], code: ExitCode.Usage, says: ["unknown command 'frobnicate'"] },
    {
      name: "a --parallelism that is not a number",
      args: ["apply", "--auto-approve", "--parallelism", "many"],
      code: ExitCode.Usage,
      says: ['"many" is not a whole number of at least 1'],
    },
    {
      name: "a --parallelism of 0",
      args: ["apply", "--auto-approve", "--parallelism", "0"],
      code: ExitCode.Usage,
      says: ['"0" is not a whole number of at least 1'],
    },
    {
      name: "a --lock-timeout that is not a duration",
      args: ["plan", "--lock-timeout", "soon"],
      code: ExitCode.Usage,
      says: ['"soon" is not a duration'],
    },
    { name: "a missing option argument", args: ["plan", "--target"], code: ExitCode.Usage, says: ["argument missing"] },
    { name: "a missing command argument", args: ["import"], code: ExitCode.Usage, says: ["missing required argument"] },
    {
      name: "-C to a directory that does not exist",
      args: ["-C", "/nonexistent/statectl-bad-input", "plan"],
      code: ExitCode.Usage,
      says: ['cannot change to directory "/nonexistent/statectl-bad-input"'],
    },
    {
      name: "an invalid --target address",
      args: ["apply", "--auto-approve", "--target", "document["],
      code: ExitCode.Error,
      says: ["error[plan/invalid-target]"],
    },
    {
      name: "an invalid local serve --port",
      args: ["local", "serve", "--port", "70000"],
      code: ExitCode.Usage,
      says: ["--port must be 0–65535"],
    },
  ];

  interface Outcome {
    code: number | null;
    output: string;
    before: Map<string, string>;
    after: Map<string, string>;
    dir: string;
  }
  const outcomes = new Map<string, Outcome>();

  before(async () => {
    base = mkdtempSync(join(tmpdir(), "statectl-bad-input-"));
    outside = mkdtempSync(join(tmpdir(), "statectl-bad-input-outside-"));
    const config = join(base, "config");
    mkdirSync(config);
    writeFileSync(join(config, "main.state"), CONFIG);
    writeFileSync(join(config, "hello.json"), HELLO);
    const applied = run(config, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stdout + applied.stderr).to.equal(0);
    stateBytes = readFileSync(join(config, "statectl.state.json"));
    // One 100 MB configuration-like file (real text, not a sparse file), outside the directory;
    // rows hard-link it, so it is written once.
    const block = Buffer.from(
      `locals {\n${Array.from({ length: 1000 }, (_, i) => `  value_${i} = "${"x".repeat(40)}"\n`).join("")}}\n`,
    );
    const fd = openSync(join(outside, "huge.state"), "w");
    for (let written = 0; written < 100 * 1024 * 1024; written += block.length)
      writeSync(fd, block, 0, Math.min(block.length, 100 * 1024 * 1024 - written));
    closeSync(fd);
    expect(statSync(join(outside, "huge.state")).size).to.equal(100 * 1024 * 1024);
    // A plan made by another configuration (another directory, another state).
    mkdirSync(join(outside, "other"));
    writeFileSync(join(outside, "other", "main.state"), CONFIG.replace(/Hello-Bad-Input/g, "Other-Config"));
    writeFileSync(join(outside, "other", "hello.json"), HELLO);
    expect(run(join(outside, "other"), ["plan", "--out", "other.plan"]).code).to.equal(0);
    // Each row runs in its own copy of the applied configuration (with its state and the local
    // endpoint's data), so rows are independent and can run a few at a time.
    const prepared = rows.map((row, i) => {
      const dir = join(base, `row-${i}`);
      cpSync(config, dir, { recursive: true });
      for (const [name, content] of Object.entries(row.files ?? {})) writeFileSync(join(dir, name), content);
      row.setup?.(dir);
      return { row, dir, before: snapshot(dir) };
    });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < prepared.length) {
        const { row, dir, before } = prepared[next++]!;
        const args = row.args.map((a) => (a === "HUGE" ? join(outside, "huge.state") : a));
        const r = await runAsync(dir, args);
        outcomes.set(row.name, { code: r.code, output: r.stderr + r.stdout, before, after: snapshot(dir), dir });
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  });
  after(() => {
    rmSync(base, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  for (const row of rows) {
    it(row.name, () => {
      const { code, output, before, after } = outcomes.get(row.name)!;
      expect(code, output).to.equal(row.code);
      for (const s of row.says) {
        if (typeof s === "string") expect(output).to.contain(s);
        else expect(output).to.match(s);
      }
      for (const s of row.never ?? []) expect(output).to.not.contain(s);
      if (row.at) {
        const at = output.search(new RegExp(`--> (\\S*/)?${row.at.replace(/\./g, "\\.")}\\n`));
        expect(at, `${row.at} in\n${output}`).to.be.greaterThan(-1);
        // The snippet: the source line, then a caret under it (never for the state file, whose content may be secret).
        if (!row.at.startsWith("statectl.state.json"))
          expect(output.slice(at), output).to.match(/^\s*\d+ \| .*\n\s*\| *\^/m);
      }
      expect(output, "no stack trace").not.to.match(STACK);
      expect(after, "nothing changed").to.deep.equal(before);
    });
  }

  it("leaves SSM (the local endpoint) as the first apply left it, after every row", async () => {
    for (const { dir } of outcomes.values()) {
      await behindTheBack(dir, async (client) => {
        const docs = await client.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
        expect((docs.DocumentIdentifiers ?? []).map((d) => d.Name)).to.deep.equal(["Hello-Bad-Input"]);
        const assocs = await client.send(new ListAssociationsCommand({}));
        expect((assocs.Associations ?? []).map((a) => a.AssociationName)).to.deep.equal(["Hello-Bad-Input"]);
      });
    }
  });
});
