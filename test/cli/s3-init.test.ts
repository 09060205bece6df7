// `statectl init` and `show` with the S3 backend, through the built CLI against moto_server on
// loopback: init copies the state when the state block moved it (local → S3, S3 key → another
// key with every workspace, S3 → local), asks on a terminal, needs -migrate-state -force-copy in
// a script, refuses a target holding another state, records the backend it saw in
// .statectl/backend.json; plan stops until the state is copied; init reports an unreachable
// bucket; show renders the state kept in S3.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { decodeState, emptyState, encodeStateBytes, type State } from "../../src/index.js";
import { HELLO_CONFIG, HELLO_CONTENT } from "../support/hello.js";
import { motoServer, S3_TEST_CREDENTIALS } from "../state-s3/moto.js";
import { run } from "./helpers.js";

const bin = fileURLToPath(new URL("../../../dist/bin/statectl.js", import.meta.url));
const ENV = {
  AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
  AWS_REGION: "us-east-1",
};

describe("cli: init moves the state between backends, and init/show with the S3 backend (moto_server)", function () {
  this.timeout(180_000);
  const moto = motoServer();
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function backendBlock(bucket: string, key: string): string {
    return `
state {
  backend "s3" {
    bucket           = "${bucket}"
    key              = "${key}"
    endpoint         = "${moto.url}"
    force_path_style = true
  }
}
`;
  }

  function helloDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "statectl-s3-init-"));
    dirs.push(dir);
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG);
    writeFileSync(join(dir, "hello.json"), HELLO_CONTENT);
    return dir;
  }

  function cli(dir: string, args: string[], code = 0): string {
    const r = run(dir, args, "", ENV);
    expect(r.code, `${args.join(" ")}:\n${r.stdout}${r.stderr}`).to.equal(code);
    return r.stdout + r.stderr;
  }

  async function stored(bucket: string, key: string): Promise<State | undefined> {
    try {
      const r = await moto.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return decodeState(await r.Body!.transformToString(), key).state;
    } catch {
      return undefined;
    }
  }

  async function keys(bucket: string): Promise<string[]> {
    const r = await moto.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  const recorded = (dir: string): { type: string; path?: string; s3?: { bucket: string; key: string } } =>
    JSON.parse(readFileSync(join(dir, ".statectl", "backend.json"), "utf8"));
  const localState = (dir: string, file = "statectl.state.json"): State =>
    decodeState(readFileSync(join(dir, file)), file).state!;

  it("local → S3: without a terminal init copies nothing until -migrate-state -force-copy; then the bucket holds the same state, the local file stays, and plan has no changes", async () => {
    const bucket = await moto.bucket();
    const dir = helloDir();
    expect(cli(dir, ["init"])).to.contain("- local file statectl.state.json: not created yet");
    expect(recorded(dir)).to.deep.equal({ format_version: 1, type: "local", path: "statectl.state.json" });
    cli(dir, ["apply", "-auto-approve"]);
    const before = localState(dir);
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backendBlock(bucket, "hello/statectl.state.json"));
    // plan stops rather than plan against the empty bucket, and says init copies the state.
    const stopped = cli(dir, ["plan"], 1);
    expect(stopped).to.contain("error[backend/migration-needed]");
    expect(stopped).to.contain("statectl init -migrate-state -force-copy");
    // No terminal and no flag: init refuses, copies and records nothing.
    const refused = cli(dir, ["init"], 1);
    expect(refused).to.contain("error[backend/migration-needed]");
    expect(refused).to.contain(`from the local file statectl.state.json to s3://${bucket}/hello/statectl.state.json`);
    expect(refused).to.contain("the state (2 resource instances, serial");
    expect(refused).to.contain("statectl init -reconfigure");
    expect(await keys(bucket)).to.deep.equal([]);
    expect(recorded(dir).type).to.equal("local");
    // -migrate-state alone still asks, and there is no terminal to ask on.
    expect(cli(dir, ["init", "-migrate-state"], 1)).to.contain("error[backend/migration-needed]");
    const copied = cli(dir, ["init", "-migrate-state", "-force-copy"]);
    expect(copied).to.contain('Initializing the backend "s3"...');
    expect(copied).to.contain(`copied the state (2 resource instances) to s3://${bucket}/hello/statectl.state.json`);
    expect(copied).to.contain("the local file statectl.state.json was left as it was");
    const inS3 = (await stored(bucket, "hello/statectl.state.json"))!;
    expect(inS3.lineage).to.equal(before.lineage);
    expect(inS3.resources).to.deep.equal(before.resources);
    expect(localState(dir)).to.deep.equal(before);
    expect(recorded(dir)).to.deep.include({ type: "s3" });
    expect(recorded(dir).s3).to.include({ bucket, key: "hello/statectl.state.json" });
    expect(cli(dir, ["plan", "-detailed-exitcode"])).to.contain("No changes.");
    // Run again: nothing moves.
    const again = cli(dir, ["init"]);
    expect(again).to.not.contain("moved the state");
    expect(again).to.contain(`- s3://${bucket}/hello/statectl.state.json: serial ${inS3.serial}, 2 resource instances`);
  });

  it("an S3 key change copies every workspace's state; back to a local file; a target holding another state is refused and nothing is recorded; -reconfigure starts empty", async () => {
    const bucket = await moto.bucket();
    const dir = helloDir();
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backendBlock(bucket, "one/statectl.state.json"));
    cli(dir, ["init"]);
    cli(dir, ["apply", "-auto-approve"]);
    cli(dir, ["workspace", "new", "staging"]);
    cli(dir, ["workspace", "select", "default"]);
    const first = (await stored(bucket, "one/statectl.state.json"))!;
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backendBlock(bucket, "two/statectl.state.json"));
    const moved = cli(dir, ["init", "-force-copy"]);
    expect(moved).to.contain(
      `moved the state from s3://${bucket}/one/statectl.state.json to s3://${bucket}/two/statectl.state.json`,
    );
    expect(moved).to.contain(`copied the state (2 resource instances) to s3://${bucket}/two/statectl.state.json`);
    expect(moved).to.contain(
      `copied workspace "staging" (0 resource instances) to s3://${bucket}/workspaces/staging/two/statectl.state.json`,
    );
    expect((await stored(bucket, "two/statectl.state.json"))!.resources).to.deep.equal(first.resources);
    expect(await stored(bucket, "workspaces/staging/two/statectl.state.json")).to.not.equal(undefined);
    // The old objects stay.
    expect((await stored(bucket, "one/statectl.state.json"))!.serial).to.equal(first.serial);
    expect(cli(dir, ["plan", "-detailed-exitcode"])).to.contain("No changes.");

    // S3 → local: plan stops first, init copies back.
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG);
    const stopped = cli(dir, ["plan"], 1);
    expect(stopped).to.contain("error[backend/migration-needed]");
    expect(stopped).to.contain(`s3://${bucket}/two/statectl.state.json manages 2 resource instances`);
    const back = cli(dir, ["init", "-force-copy"]);
    expect(back).to.contain("copied the state (2 resource instances) to statectl.state.json");
    expect(back).to.contain('copied workspace "staging"');
    expect(localState(dir).resources).to.deep.equal(first.resources);
    expect(existsSync(join(dir, "statectl.state.d", "staging", "statectl.state.json"))).to.equal(true);
    expect(recorded(dir)).to.deep.equal({ format_version: 1, type: "local", path: "statectl.state.json" });
    expect(cli(dir, ["plan", "-detailed-exitcode"])).to.contain("No changes.");

    // A bucket holding another state at the key: refused, the target untouched, nothing recorded.
    const other = await moto.bucket();
    const otherBytes = encodeStateBytes({ ...emptyState(), serial: 3 });
    await moto.client.send(new PutObjectCommand({ Bucket: other, Key: "one/statectl.state.json", Body: otherBytes }));
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backendBlock(other, "one/statectl.state.json"));
    const refused = cli(dir, ["init", "-force-copy"], 1);
    expect(refused).to.contain("error[backend/migrate-target-not-empty]");
    expect(refused).to.contain("Nothing was written.");
    expect(
      Buffer.from(
        await (
          await moto.client.send(new GetObjectCommand({ Bucket: other, Key: "one/statectl.state.json" }))
        ).Body!.transformToByteArray(),
      ).equals(otherBytes),
    ).to.equal(true);
    expect(recorded(dir).type).to.equal("local");
    // -reconfigure: use the new location as it is; the local state stays.
    const reconfigured = cli(dir, ["init", "-reconfigure"]);
    expect(reconfigured).to.contain("not copied (--reconfigure)");
    expect(recorded(dir).s3).to.include({ bucket: other });
    expect(localState(dir).resources).to.deep.equal(first.resources);
    expect(cli(dir, ["init", "-reconfigure", "-force-copy"], 64)).to.contain("exclude each other");
  });

  it("on a terminal init asks before copying, and copies on yes", async function () {
    const bucket = await moto.bucket();
    const dir = helloDir();
    cli(dir, ["apply", "-auto-approve"]);
    writeFileSync(join(dir, "main.state"), HELLO_CONFIG + backendBlock(bucket, "tty/statectl.state.json"));
    const script = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(sys.argv[1], sys.argv[1:], dict(os.environ, NO_COLOR="1"))
out = b""
def read_until(token, timeout=60):
    global out
    end = time.time() + timeout
    while token not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
read_until(b"Enter a value: ")
os.write(fd, b"yes\\r")
read_until(b"successfully initialized")
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
`;
    const r = spawnSync("python3", ["-c", script, process.execPath, bin, "-C", dir, "init"], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, ...ENV },
    });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.contain("Do you want to copy existing state to the new backend?");
    expect(r.stdout).to.contain(
      `Pre-existing state was found while moving the state from the local file statectl.state.json to s3://${bucket}/tty/statectl.state.json`,
    );
    expect(r.stdout).to.contain(`copied the state (2 resource instances) to s3://${bucket}/tty/statectl.state.json`);
    expect((await stored(bucket, "tty/statectl.state.json"))!.resources).to.deep.equal(localState(dir).resources);
  });

  it("init reports a missing bucket naming it, records nothing; show and output read the state kept in S3 (text and --json, per workspace)", async () => {
    const dir = helloDir();
    writeFileSync(
      join(dir, "main.state"),
      HELLO_CONFIG + backendBlock("statectl-init-no-such-bucket", "x/statectl.state.json"),
    );
    const missing = cli(dir, ["init"], 1);
    expect(missing).to.contain("error[backend/no-such-bucket]: The state bucket does not exist");
    expect(missing).to.contain("s3://statectl-init-no-such-bucket/x/statectl.state.json");
    expect(existsSync(join(dir, ".statectl", "backend.json"))).to.equal(false);
    expect(cli(dir, ["show"], 1)).to.contain("error[backend/no-such-bucket]");

    const bucket = await moto.bucket();
    writeFileSync(
      join(dir, "main.state"),
      HELLO_CONFIG + backendBlock(bucket, "x/statectl.state.json") + 'output "greeting" {\n  value = "hi"\n}\n',
    );
    expect(cli(dir, ["init"])).to.contain(`- s3://${bucket}/x/statectl.state.json: not created yet`);
    expect(cli(dir, ["show"])).to.contain("No state.");
    cli(dir, ["apply", "-auto-approve"]);
    expect(existsSync(join(dir, "statectl.state.json"))).to.equal(false);
    const shown = cli(dir, ["show"]);
    expect(shown).to.match(/# association\.hello:\n(#.*\n)*association "hello" \{/);
    expect(shown).to.match(/# document\.hello:\n(#.*\n)*document "hello" \{/);
    expect(shown).to.contain('greeting = "hi"');
    const json = JSON.parse(run(dir, ["show", "-json"], "", ENV).stdout) as {
      serial: number;
      resources: { address: string }[];
      outputs: Record<string, unknown>;
    };
    expect(json.serial).to.equal((await stored(bucket, "x/statectl.state.json"))!.serial);
    expect(json.resources.map((r) => r.address)).to.deep.equal(["association.hello", "document.hello"]);
    expect(json.outputs).to.deep.equal({ greeting: { sensitive: false, value: "hi" } });
    expect(cli(dir, ["output", "greeting", "-raw"]).trim()).to.equal("hi");
    cli(dir, ["workspace", "new", "blue"]);
    expect(cli(dir, ["show"])).to.contain("The state is empty.");
  });
});
