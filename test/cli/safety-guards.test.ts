// Issue 15, safety guards: each wrong move an operator can make is refused with a diagnostic
// code, a non-zero exit, and nothing changed — through the built CLI against the local endpoint.
import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListAssociationsCommand, ListDocumentsCommand } from "@aws-sdk/client-ssm";
import { decodeState, FileStateStorage, type State } from "../../src/index.js";
import { behindTheBack, run } from "./helpers.js";
import { standaloneWorkspace, startCli, type RunningCli } from "./kill-helpers.js";

const CONTENT = JSON.stringify({
  schemaVersion: "2.2",
  description: "Say hello",
  mainSteps: [{ action: "aws:runShellScript", name: "hello", inputs: { runCommand: ["echo hello"] } }],
});

function config(extra = ""): string {
  return `provider "ssm" {
  endpoint = "local"
}

variable "greeting" {
  type = string
}

variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2-secret"
}

document "hello" {
  name    = "Hello-\${var.greeting}"
  content = ${JSON.stringify(CONTENT)}
}

association "web" {
  name     = "HelloWeb"
  document = document.hello.name
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  schedule = "rate(1 day)"
}

output "doc" {
  value = document.hello.name
}
${extra}`;
}

function readStateFile(path: string): State {
  return JSON.parse(readFileSync(path, "utf8")) as State;
}

describe("cli: safety guards (issue 15)", function () {
  this.timeout(120_000);
  let dir: string;
  const vars = ["--var", "greeting=world"];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-guards-"));
    writeFileSync(join(dir, "main.state"), config());
    const r = run(dir, ["apply", "--auto-approve", ...vars]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses plan and apply in a directory with no configuration whose state manages resources", async () => {
    const empty = mkdtempSync(join(tmpdir(), "statectl-guards-empty-"));
    try {
      // The state (and the endpoint's data) of the configured directory, but no .state files.
      writeFileSync(join(empty, "statectl.state.json"), readFileSync(join(dir, "statectl.state.json")));
      const before = readFileSync(join(empty, "statectl.state.json"), "utf8");
      for (const args of [["plan"], ["apply", "--auto-approve"]]) {
        const r = run(empty, args);
        expect(r.code, r.stdout + r.stderr).to.equal(1);
        expect(r.stderr).to.contain("error[plan/no-configuration]");
        expect(r.stderr).to.contain("statectl destroy");
        expect(r.stdout).not.to.contain("to destroy");
        // One clear error, not a refresh error per resource.
        expect(r.stderr).not.to.contain("Region is missing");
      }
      expect(readFileSync(join(empty, "statectl.state.json"), "utf8")).to.equal(before);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    // Nothing was deleted in SSM either.
    const names = await behindTheBack(dir, async (c) =>
      (
        await c.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }))
      ).DocumentIdentifiers!.map((d) => d.Name),
    );
    expect(names).to.include("Hello-world");
  });

  it("refuses --replace and --target addresses that match nothing, with did you mean", () => {
    const replace = run(dir, ["plan", ...vars, "--replace", "association.webb"]);
    expect(replace.code, replace.stdout + replace.stderr).to.equal(1);
    expect(replace.stderr).to.contain("error[plan/replace-not-found]");
    expect(replace.stderr).to.contain("did you mean association.web?");
    const target = run(dir, ["apply", "--auto-approve", ...vars, "--target", "document.helo"]);
    expect(target.code).to.equal(1);
    expect(target.stderr).to.contain("error[plan/target-not-found]");
    expect(target.stderr).to.contain("did you mean document.hello?");
  });

  it("refuses to import an id already managed at another address, naming it", () => {
    writeFileSync(
      join(dir, "extra.state"),
      `association "copy" {\n  name     = "HelloWeb"\n  document = document.hello.name\n  targets {\n    key    = "tag:Role"\n    values = ["web"]\n  }\n  schedule = "rate(1 day)"\n}\n`,
    );
    try {
      const id = readStateFile(join(dir, "statectl.state.json")).resources.find(
        (r) => r.address === "association.web",
      )!.id;
      const r = run(dir, ["import", ...vars, "association.copy", id]);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr).to.contain("error[import/already-managed]");
      expect(r.stderr).to.contain("already managed as association.web");
      expect(r.stderr).to.contain("statectl state mv association.web association.copy");
    } finally {
      rmSync(join(dir, "extra.state"));
    }
  });

  it("refuses a state that records one id at two addresses, and state rm repairs it", () => {
    const other = mkdtempSync(join(tmpdir(), "statectl-guards-dup-"));
    try {
      writeFileSync(join(other, "main.state"), config());
      const s = readStateFile(join(dir, "statectl.state.json")) as unknown as {
        resources: { address: string; dependencies: string[] }[];
      };
      const web = s.resources.find((r) => r.address === "association.web")!;
      s.resources.push({ ...web, address: "association.zz_copy" });
      writeFileSync(join(other, "statectl.state.json"), JSON.stringify(s, null, 2));
      const r = run(other, ["plan", ...vars]);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr).to.contain("error[state/duplicate-id]");
      expect(r.stderr).to.contain("association.web and association.zz_copy");
      expect(r.stderr).to.contain("statectl state rm association.zz_copy");
      expect(run(other, ["state", "rm", "association.zz_copy"]).code).to.equal(0);
      expect(run(other, ["state", "list"]).stdout).not.to.contain("zz_copy");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("applies a saved plan with the variable values it was made with, and refuses a different one", () => {
    const planFile = join(dir, "saved.plan");
    writeFileSync(
      join(dir, "extra.state"),
      `document "second" {\n  name    = "Second-\${var.greeting}"\n  content = ${JSON.stringify(CONTENT)}\n}\n`,
    );
    try {
      const p = run(dir, ["plan", ...vars, "--out", planFile]);
      expect(p.code, p.stdout + p.stderr).to.equal(0);
      // The sensitive default is in the (private) file, and printed nowhere.
      expect(p.stdout + p.stderr).not.to.contain("hunter2-secret");
      const differs = run(dir, ["apply", planFile, "--var", "greeting=mars"]);
      expect(differs.code).to.equal(1);
      expect(differs.stderr).to.contain("error[plan/variable-differs]");
      expect(differs.stderr).to.contain('Variable "greeting"');
      const same = run(dir, ["apply", planFile, "--var", "greeting=world"]);
      expect(same.code, same.stdout + same.stderr).to.equal(0);
      expect(same.stdout).to.contain("1 added");
      expect(same.stdout + same.stderr).not.to.contain("hunter2-secret");
      // Again, without any --var: a fresh plan file needs none.
      writeFileSync(
        join(dir, "extra.state"),
        `document "second" {\n  name    = "Second-\${var.greeting}"\n  content = ${JSON.stringify(CONTENT)}\n  tags = { a = "b" }\n}\n`,
      );
      expect(run(dir, ["plan", ...vars, "--out", planFile]).code).to.equal(0);
      const bare = run(dir, ["apply", planFile]);
      expect(bare.code, bare.stdout + bare.stderr).to.equal(0);
      expect(bare.stdout).to.contain("1 changed");
    } finally {
      rmSync(join(dir, "extra.state"));
      const cleanup = run(dir, ["apply", "--auto-approve", ...vars]);
      expect(cleanup.code, cleanup.stdout + cleanup.stderr).to.equal(0);
    }
  });

  it("refuses a plan file without its configuration digest, even with a recomputed checksum", async () => {
    const planFile = join(dir, "nodigest.plan");
    writeFileSync(
      join(dir, "extra.state"),
      `document "third" {\n  name    = "Third"\n  content = ${JSON.stringify(CONTENT)}\n}\n`,
    );
    try {
      expect(run(dir, ["plan", ...vars, "--out", planFile]).code).to.equal(0);
      const file = JSON.parse(readFileSync(planFile, "utf8")) as { plan: { configHash?: string }; plan_sha256: string };
      delete file.plan.configHash;
      const { createHash } = await import("node:crypto");
      file.plan_sha256 = createHash("sha256").update(JSON.stringify(file.plan)).digest("hex");
      writeFileSync(planFile, JSON.stringify(file));
      const r = run(dir, ["apply", planFile]);
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr).to.contain("error[plan/no-config-digest]");
      expect(r.stdout).not.to.contain("Creation complete");
    } finally {
      rmSync(join(dir, "extra.state"));
    }
  });

  it("apply --json without --auto-approve is an explicit error, not a silent cancel", () => {
    const r = run(dir, ["apply", "--json", ...vars]);
    expect(r.code).to.equal(64);
    expect(r.stderr).to.contain("error[cli/json-needs-auto-approve]");
    expect(JSON.parse(r.stdout).diagnostics[0].code).to.equal("cli/json-needs-auto-approve");
  });

  it("output reads the state without demanding required variables", () => {
    const r = run(dir, ["output", "doc"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('"Hello-world"');
  });

  it("state list/show/mv/rm and force-unlock use the configuration's state { path }", () => {
    const other = mkdtempSync(join(tmpdir(), "statectl-guards-path-"));
    try {
      writeFileSync(join(other, "main.state"), config(`\nstate {\n  path = "states/prod.json"\n}\n`));
      mkdirSync(join(other, "states"));
      writeFileSync(join(other, "states", "prod.json"), readFileSync(join(dir, "statectl.state.json")));
      expect(existsSync(join(other, "statectl.state.json"))).to.equal(false);
      const list = run(other, ["state", "list"]);
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.contain("association.web");
      expect(run(other, ["state", "show", "document.hello"]).stdout).to.contain("Hello-world");
      const mv = run(other, ["state", "mv", "association.web", "association.moved"]);
      expect(mv.code, mv.stderr).to.equal(0);
      expect(readFileSync(join(other, "states", "prod.json"), "utf8")).to.contain("association.moved");
      const rm = run(other, ["state", "rm", "association.moved"]);
      expect(rm.code, rm.stderr).to.equal(0);
      expect(readFileSync(join(other, "states", "prod.json"), "utf8")).not.to.contain("association.moved");
      writeFileSync(
        join(other, "states", "prod.json.lock"),
        JSON.stringify({
          id: "abc-123",
          who: "x@elsewhere",
          pid: 1,
          operation: "apply",
          created: new Date().toISOString(),
          version: "",
          path: "states/prod.json",
        }),
      );
      const unlock = run(other, ["force-unlock", "abc-123"]);
      expect(unlock.code, unlock.stderr).to.equal(0);
      expect(existsSync(join(other, "states", "prod.json.lock"))).to.equal(false);
      expect(existsSync(join(other, "statectl.state.json"))).to.equal(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("writes a symlinked state through to its target and locks the resolved path", async () => {
    const other = mkdtempSync(join(tmpdir(), "statectl-guards-link-"));
    try {
      mkdirSync(join(other, "real"));
      writeFileSync(join(other, "real", "state.json"), readFileSync(join(dir, "statectl.state.json")));
      symlinkSync(join(other, "real", "state.json"), join(other, "link.json"));
      const viaLink = new FileStateStorage(join(other, "link.json"));
      const direct = new FileStateStorage(join(other, "real", "state.json"));
      const held = await viaLink.lock({ operation: "test" });
      expect(held.lock).to.not.equal(undefined);
      const refused = await direct.lock({ operation: "test" });
      expect(refused.diagnostics.map((d) => d.code)).to.deep.equal(["state/locked"]);
      const r = await viaLink.read();
      const w = await viaLink.write(r.state!);
      expect(w.diagnostics).to.deep.equal([]);
      await viaLink.unlock(held.lock!.id);
      // The link is still a link, and the target holds the new serial.
      const { lstatSync } = await import("node:fs");
      expect(lstatSync(join(other, "link.json")).isSymbolicLink()).to.equal(true);
      expect(readStateFile(join(other, "real", "state.json")).serial).to.equal(r.state!.serial + 1);
      expect(existsSync(join(other, "real", "state.json.backup"))).to.equal(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("without the lock, a write never overwrites another process's write (compare-and-swap)", async () => {
    const other = mkdtempSync(join(tmpdir(), "statectl-guards-cas-"));
    try {
      const path = join(other, "state.json");
      writeFileSync(path, readFileSync(join(dir, "statectl.state.json")));
      const a = new FileStateStorage(path);
      const b = new FileStateStorage(path);
      const ra = await a.read();
      const rb = await b.read();
      const wa = await a.write(ra.state!);
      expect(wa.diagnostics).to.deep.equal([]);
      const wb = await b.write(rb.state!);
      expect(wb.state).to.equal(undefined);
      expect(wb.diagnostics.map((d) => d.code)).to.deep.equal(["state/changed-concurrently"]);
      expect(readStateFile(path).serial).to.equal(wa.state!.serial);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe("cli: two apply --no-lock at once (issue 15)", function () {
  this.timeout(120_000);
  const ws = standaloneWorkspace("statectl-nolock-", {
    config: (url) => `provider "ssm" {
  endpoint = "${url}"
}

association "race" {
  name     = "Race"
  document = "AWS-RunShellScript"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = { commands = ["echo race"] }
}
`,
  });

  it("the one whose write would lose the other's stops with state/changed-concurrently: nothing untracked goes unsaid", async () => {
    // The first one's create takes seconds; the second plans, records and creates meanwhile.
    ws.endpoint.setKnobs({ latencyByOperation: { CreateAssociation: 4000 } });
    const first = startCli(ws.dir, ["apply", "--auto-approve", "--no-lock"]);
    expect(await first.waitForLine((l) => l.startsWith("association.race: Creating..."))).to.equal(true);
    const second = startCli(ws.dir, ["apply", "--auto-approve", "--no-lock"]);
    const [f, s2] = await Promise.all([first.exit, second.exit]);
    const text = (r: { lines: string[] }) => r.lines.join("\n");
    const state = decodeState(readFileSync(ws.statePath), "state").state!;
    const tracked = new Set(state.resources.map((r) => r.id));
    const remote = ((await ws.client.send(new ListAssociationsCommand({}))).Associations ?? []).map(
      (a) => a.AssociationId!,
    );
    const untracked = remote.filter((id) => !tracked.has(id));
    // Whoever ran into the other's write said so and failed; the serial never went backwards.
    const failed = [
      [f, first],
      [s2, second],
    ]
      .filter(([e]) => (e as { code: number | null }).code !== 0)
      .map(([, r]) => text(r as RunningCli));
    expect(failed.length, `${text(first)}\n---\n${text(second)}`).to.be.greaterThan(0);
    for (const out of failed) expect(out).to.contain("error[state/changed-concurrently]");
    expect(untracked.length).to.be.at.most(failed.length);
    expect(state.resources.filter((r) => r.address === "association.race")).to.have.length(1);
  });
});
