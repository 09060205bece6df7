import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { decodeState, FileStateStorage } from "../../src/state/index.js";
import { cliMain, expectGolden, fixturesDir, tempDir } from "../state/helpers/paths.js";

const goldens = join(fixturesDir, "cli");

/** Runs the built CLI in `cwd`, as a user would. */
function statectl(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliMain, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fixtureDir(): string {
  const dir = tempDir("statectl-cli-state-");
  copyFileSync(join(fixturesDir, "roundtrip", "full.out.json"), join(dir, "statectl.state.json"));
  return dir;
}

function serialOf(path: string): number {
  return decodeState(readFileSync(path), path).state!.serial;
}

describe("cli: statectl state … and force-unlock", function () {
  this.timeout(30_000);

  it("state list prints addresses, filters, and has a --json form", () => {
    const dir = fixtureDir();
    const all = statectl(dir, "state", "list");
    expect(all).to.deep.equal({
      code: 0,
      stderr: "",
      stdout: 'association.patch[0] (tainted)\nassociation.web["dev"]\nassociation.web["prod"]\ndocument.nginx\n',
    });
    expect(statectl(dir, "state", "list", "association.web").stdout).to.equal(
      'association.web["dev"]\nassociation.web["prod"]\n',
    );
    expect(statectl(dir, "state", "list", "--id", "statectl-install-nginx").stdout).to.equal("document.nginx\n");
    const json = JSON.parse(statectl(dir, "state", "list", "--json").stdout) as {
      serial: number;
      resources: { address: string }[];
    };
    expect(json.serial).to.equal(7);
    expect(json.resources.map((r) => r.address)).to.have.length(4);
    const none = statectl(dir, "state", "list", "document.other");
    expect(none.code).to.equal(1);
  });

  it("state show renders one instance with sensitive values masked (human and --json)", () => {
    const dir = fixtureDir();
    const human = statectl(dir, "state", "show", 'association.web["prod"]');
    expect(human.code).to.equal(0);
    expect(human.stdout).to.not.include("s3cr3t");
    expectGolden(join(goldens, "show-web-prod.txt"), human.stdout);
    const json = statectl(dir, "state", "show", "--json", 'association.web["prod"]');
    expect(json.code).to.equal(0);
    expect(json.stdout).to.not.include("s3cr3t");
    expectGolden(join(goldens, "show-web-prod.json"), json.stdout);
    expectGolden(join(goldens, "show-document.txt"), statectl(dir, "state", "show", "document.nginx").stdout);
  });

  it("state show explains a missing or ambiguous address", () => {
    const dir = fixtureDir();
    const typo = statectl(dir, "state", "show", "document.ngnix");
    expect(typo.code).to.equal(1);
    expect(typo.stdout).to.equal("");
    expect(typo.stderr).to.include("error[state/not-in-state]").and.include('did you mean "document.nginx"?');
    const whole = statectl(dir, "state", "show", "association.web");
    expect(whole.stderr).to.include('show one of: association.web["dev"], association.web["prod"]');
    const bad = statectl(dir, "state", "show", "web");
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include("error[state/invalid-address]");
  });

  it("state mv renames instances, keeps a backup, and bumps the serial", () => {
    const dir = fixtureDir();
    const path = join(dir, "statectl.state.json");
    const dry = statectl(dir, "state", "mv", "--dry-run", "association.web", "association.site");
    expect(dry.stdout).to.equal(
      'Would move association.web["dev"] to association.site["dev"]\nWould move association.web["prod"] to association.site["prod"]\n',
    );
    expect(serialOf(path)).to.equal(7);
    const mv = statectl(dir, "state", "mv", "association.web", "association.site");
    expect(mv).to.deep.equal({
      code: 0,
      stderr: "",
      stdout:
        'Moved association.web["dev"] to association.site["dev"]\nMoved association.web["prod"] to association.site["prod"]\n',
    });
    expect(serialOf(path)).to.equal(8);
    expect(serialOf(`${path}.backup`)).to.equal(7);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(statectl(dir, "state", "list", "association.site").stdout).to.equal(
      'association.site["dev"]\nassociation.site["prod"]\n',
    );
    const clash = statectl(dir, "state", "mv", "document.nginx", "association.nginx");
    expect(clash.code).to.equal(1);
    expect(clash.stderr).to.include("error[state/move-kind-mismatch]");
    expect(serialOf(path)).to.equal(8);
    expect(existsSync(`${path}.lock`)).to.equal(false);
  });

  it("state rm forgets instances, all or nothing", () => {
    const dir = fixtureDir();
    const path = join(dir, "statectl.state.json");
    const partial = statectl(dir, "state", "rm", "document.nginx", "document.gone");
    expect(partial.code).to.equal(1);
    expect(serialOf(path)).to.equal(7);
    const rm = statectl(dir, "state", "rm", "document.nginx", "association.patch");
    expect(rm).to.deep.equal({
      code: 0,
      stderr: "",
      stdout: "Removed association.patch[0]\nRemoved document.nginx\nSuccessfully removed 2 resource instances.\n",
    });
    expect(statectl(dir, "state", "list").stdout).to.equal('association.web["dev"]\nassociation.web["prod"]\n');
    expect(existsSync(`${path}.lock`)).to.equal(false);
  });

  it("a locked state makes rm fail with the holder's details; force-unlock releases it", async () => {
    const dir = fixtureDir();
    const path = join(dir, "statectl.state.json");
    const other = new FileStateStorage(path);
    const lock = (await other.lock({ operation: "apply" })).lock!;
    const blocked = statectl(dir, "state", "rm", "--lock-timeout", "200ms", "document.nginx");
    expect(blocked.code).to.equal(1);
    expect(blocked.stderr)
      .to.include("error[state/locked]")
      .and.include(lock.id)
      .and.include("Operation: apply")
      .and.include(`Since:     ${lock.created}`)
      .and.include("after waiting 200ms");
    expect(serialOf(path)).to.equal(7);
    const wrong = statectl(dir, "force-unlock", "not-the-id");
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.include("error[state/lock-id-mismatch]");
    const ok = statectl(dir, "force-unlock", lock.id);
    expect(ok.code).to.equal(0);
    expect(ok.stdout).to.include(`Released the lock on statectl.state.json (held by ${lock.who}`);
    expect(statectl(dir, "force-unlock", lock.id).stderr).to.include("error[state/not-locked]");
    expect(statectl(dir, "state", "rm", "document.nginx").code).to.equal(0);
  });

  it("reports a missing, corrupt or truncated state file without a stack trace", () => {
    const dir = tempDir("statectl-cli-state-");
    const missing = statectl(dir, "state", "list");
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include("error[state/no-state]: No state file at statectl.state.json");
    for (const [fixture, code] of [
      ["truncated.json", "state/truncated"],
      ["binary.json", "state/corrupt"],
      ["future-version.json", "state/unsupported-version"],
    ] as const) {
      const r = statectl(dir, "state", "list", "--state", join(fixturesDir, "errors", fixture));
      expect(r.code, fixture).to.equal(1);
      expect(r.stderr, fixture).to.include(`error[${code}]`);
      expect(r.stderr, fixture).to.not.match(/\n\s+at /);
    }
    expect(statectl(dir, "state", "rm", "--lock-timeout", "soon", "document.x").code).to.equal(64);
  });
});
