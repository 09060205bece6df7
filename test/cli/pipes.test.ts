// Anonymous pipes are read, named FIFOs are refused (issue 16): `--var-file /dev/stdin` after a
// `|` and bash's process substitution `--var-file <(…)` are how Terraform users pass generated
// variables, and their writer ends; a named FIFO lying in a folder may never get a writer.
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./helpers.js";

const main = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));

const CONFIG = `variable "x" {
  type = number
}

output "x" {
  value = var.x
}
`;

function outputAfter(planJson: string): unknown {
  return (JSON.parse(planJson) as { output_changes: { name: string; after: unknown }[] }).output_changes.find(
    (o) => o.name === "x",
  )?.after;
}

describe("cli: pipes as --var-file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-pipes-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads --var-file /dev/stdin when stdin is a shell pipe", () => {
    const script = `echo 'x = 41' | exec "${process.execPath}" "${main}" -C "$1" plan --json --var-file /dev/stdin`;
    const r = spawnSync("bash", ["-c", script, "bash", dir], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(outputAfter(r.stdout)).to.equal(41);
  });

  it("reads --var-file /dev/stdin when stdin is a socket pair (how Node.js and some CI runners give it)", () => {
    const r = run(dir, ["validate", "--var-file", "/dev/stdin"], "x = 41\n");
    expect(r.stderr).to.equal("");
    expect(r.stdout).to.contain("The configuration is valid");
    expect(r.code).to.equal(0);
    const plan = run(dir, ["plan", "--json", "--var-file", "/dev/stdin"], "x = 42\n");
    expect(plan.code, plan.stderr).to.equal(0);
    expect(outputAfter(plan.stdout)).to.equal(42);
  });

  it("reads a process substitution <(…) (a /dev/fd/N pipe) whose writer is still busy", function () {
    this.timeout(20_000);
    // The writer waits before writing: the read must wait for it rather than take an empty pipe.
    const script = `exec "${process.execPath}" "${main}" -C "$1" plan --json --var-file <(sleep 0.5; echo 'x = 43')`;
    const r = spawnSync("bash", ["-c", script, "bash", dir], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(outputAfter(r.stdout)).to.equal(43);
  });

  it("still refuses a named FIFO given as --var-file, at once", () => {
    execFileSync("mkfifo", [join(dir, "vars.statevars")]);
    const r = run(dir, ["validate", "--var-file", "vars.statevars"]);
    expect(r.code).to.equal(1);
    expect(r.stdout + r.stderr).to.contain("named pipe (FIFO), not a regular file");
  });
});
