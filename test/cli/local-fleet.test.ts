import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import {
  CreateAssociationCommand,
  DescribeAssociationExecutionsCommand,
  DescribeInstanceAssociationsStatusCommand,
  ListTagsForResourceCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { clientFor, expectSsmError } from "../local/helpers.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const cliMain = join(repoRoot, "dist", "src", "cli", "main.js");

function statectl(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliMain, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cli: statectl local fleet … and local advance", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-cli-local-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("changes the fleet in the data dir when no server runs", () => {
    const list = statectl(dir, "local", "fleet", "list");
    expect(list.code).to.equal(0);
    expect(list.stdout.split("\n")[0]).to.match(/^INSTANCE\s+NAME\s+PLATFORM\s+PING\s+TAGS$/);
    expect(list.stdout)
      .to.include("i-0web00000000000a1   web-1  Linux (Amazon Linux 2023)")
      .and.include("Name=win-1,Role=app,Env=dev");
    // Listing creates nothing (issue 22): the fleet shown is the one a new endpoint starts with.
    expect(existsSync(join(dir, ".statectl"))).to.equal(false);

    expect(
      statectl(
        dir,
        "local",
        "fleet",
        "add",
        "mac-1",
        "--platform",
        "MacOS",
        "--id",
        "i-0123456789abcdef0",
        "--tag",
        "Role=build",
      ),
    ).to.deep.equal({
      code: 0,
      stdout: "Added i-0123456789abcdef0 (mac-1, MacOS).\n",
      stderr: "",
    });
    expect(statectl(dir, "local", "fleet", "tag", "mac-1", "Env=ci", "--remove", "Role").code).to.equal(0);
    expect(statectl(dir, "local", "fleet", "fail", "mac-1", "AWS-RunShellScript").stdout).to.equal(
      "AWS-RunShellScript now fails on mac-1.\n",
    );
    const json = JSON.parse(statectl(dir, "local", "fleet", "list", "--json").stdout) as Array<{
      name: string;
      tags: Record<string, string>;
      failDocuments: string[];
    }>;
    expect(json.find((i) => i.name === "mac-1")).to.deep.include({
      tags: { Env: "ci" },
      failDocuments: ["AWS-RunShellScript"],
    });
    expect(statectl(dir, "local", "fleet", "remove", "mac-1").code).to.equal(0);
    expect(JSON.parse(statectl(dir, "local", "fleet", "list", "--json").stdout)).to.have.length(4);

    const advanced = statectl(dir, "local", "advance", "1d", "--json");
    expect(advanced.code).to.equal(0);
    const { now } = JSON.parse(advanced.stdout) as { now: string };
    expect(Date.parse(now) - Date.now()).to.be.greaterThan(86_000_000);
  });

  it("without a server: --region adds to that region's fleet, list shows every region, advance moves every clock", () => {
    expect(
      statectl(dir, "local", "fleet", "add", "edge-1", "--region", "eu-west-1", "--account", "111122223333").stdout,
    ).to.match(/^Added i-[0-9a-f]+ \(edge-1, Linux\) in 111122223333\/eu-west-1\.\n$/);
    const list = statectl(dir, "local", "fleet", "list", "--json");
    const rows = JSON.parse(list.stdout) as { name: string; accountId: string; region: string }[];
    expect(rows.filter((r) => r.name === "edge-1").map((r) => `${r.accountId}/${r.region}`)).to.deep.equal([
      "111122223333/eu-west-1",
    ]);
    expect(rows.filter((r) => r.name === "web-1").map((r) => `${r.accountId}/${r.region}`)).to.deep.equal([
      "123456789012/us-east-1",
      "111122223333/eu-west-1",
    ]);
    expect(statectl(dir, "local", "advance", "1h").stdout).to.match(/^Clock advanced by 1h in 2 accounts\/regions;/);
    expect(statectl(dir, "local", "advance", "1h", "--region", "us-east-1").stdout).to.match(
      /^Clock advanced by 1h in us-east-1;/,
    );
  });

  it("explains bad input with the usage or error exit code", () => {
    const badDuration = statectl(dir, "local", "advance", "1y");
    expect(badDuration.code).to.equal(64);
    expect(badDuration.stderr).to.include('"1y" is not a duration');
    const badPlatform = statectl(dir, "local", "fleet", "add", "x", "--platform", "Solaris");
    expect(badPlatform.code).to.equal(1);
    expect(badPlatform.stderr).to.include("Unknown platform type Solaris");
    const missing = statectl(dir, "local", "fleet", "remove", "nobody");
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include("No instance nobody in the fleet");
    expect(statectl(dir, "local", "fleet", "tag", "web-1", "novalue").code).to.equal(64);
  });

  describe("with a server running on the data dir", () => {
    let server: ChildProcess;
    let url: string;
    beforeEach(async () => {
      server = spawn(process.execPath, [cliMain, "local", "serve", "--json"], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      url = await new Promise<string>((resolve, reject) => {
        let buffer = "";
        server.stdout!.on("data", (chunk: Buffer) => {
          buffer += chunk.toString();
          if (buffer.includes("\n")) resolve((JSON.parse(buffer.split("\n")[0]!) as { url: string }).url);
        });
        server.once("exit", (code) => reject(new Error(`server exited early (${code})`)));
      });
    });
    afterEach(async () => {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    });

    it("sends fleet changes and clock moves to the running server", async () => {
      const ssm = clientFor(url);
      try {
        const d = (
          await ssm.send(
            new CreateAssociationCommand({
              Name: "AWS-RunShellScript",
              Targets: [{ Key: "tag:Role", Values: ["web"] }],
              Parameters: { commands: ["id"] },
              ScheduleExpression: "rate(1 hour)",
            }),
          )
        ).AssociationDescription!;
        const added = statectl(
          dir,
          "local",
          "fleet",
          "add",
          "web-3",
          "--id",
          "i-0123456789abcdef3",
          "--tag",
          "Role=web",
        );
        expect(added.code, added.stderr).to.equal(0);
        const status = await ssm.send(
          new DescribeInstanceAssociationsStatusCommand({ InstanceId: "i-0123456789abcdef3" }),
        );
        expect(status.InstanceAssociationStatusInfos?.map((s) => [s.AssociationId, s.Status])).to.deep.equal([
          [d.AssociationId, "Success"],
        ]);

        const advanced = statectl(dir, "local", "advance", "3h");
        expect(advanced.code, advanced.stderr).to.equal(0);
        expect(advanced.stdout).to.match(/^Clock advanced by 3h; it is now .*Z\. 3 scheduled execution\(s\) ran\.\n$/);
        const runs = await ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: d.AssociationId }));
        // create, bootstrap of web-3, three hourly runs.
        expect(runs.AssociationExecutions).to.have.length(5);
        expect(statectl(dir, "local", "fleet", "list").stdout).to.include("web-3");
      } finally {
        ssm.destroy();
      }
    });

    it("reaches every account and region the server keeps apart: list shows each, --region/--account pick one, advance moves every clock", async () => {
      const west = new SSMClient({
        endpoint: url,
        region: "us-west-2",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
      const east = clientFor(url);
      try {
        // us-west-2 exists once something was made there.
        const d = (
          await west.send(
            new CreateAssociationCommand({
              Name: "AWS-RunShellScript",
              Targets: [{ Key: "tag:Role", Values: ["edge"] }],
              Parameters: { commands: ["id"] },
              ScheduleExpression: "rate(1 hour)",
            }),
          )
        ).AssociationDescription!;
        const added = statectl(
          dir,
          "local",
          "fleet",
          "add",
          "edge-1",
          "--id",
          "i-0123456789abcdef9",
          "--tag",
          "Role=edge",
          "--region",
          "us-west-2",
        );
        expect(added.code, added.stderr).to.equal(0);
        expect(added.stdout).to.equal("Added i-0123456789abcdef9 (edge-1, Linux) in us-west-2.\n");
        // Only in us-west-2: the association there applied to it; us-east-1 has no such instance.
        const status = await west.send(
          new DescribeInstanceAssociationsStatusCommand({ InstanceId: "i-0123456789abcdef9" }),
        );
        expect(status.InstanceAssociationStatusInfos?.map((x) => [x.AssociationId, x.Status])).to.deep.equal([
          [d.AssociationId, "Success"],
        ]);
        expect(
          (await east
            .send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: "i-0123456789abcdef9" }))
            .catch((e: Error) => e)) instanceof Error,
        ).to.equal(true);
        const list = statectl(dir, "local", "fleet", "list");
        expect(list.stdout.split("\n")[0]).to.match(/^ACCOUNT\s+REGION\s+INSTANCE\s+NAME/);
        expect(list.stdout).to.match(/123456789012\s+us-west-2\s+i-0123456789abcdef9\s+edge-1/);
        expect(list.stdout).to.match(/123456789012\s+us-east-1\s+i-0web00000000000a1\s+web-1/);
        const onlyWest = JSON.parse(
          statectl(dir, "local", "fleet", "list", "--region", "us-west-2", "--json").stdout,
        ) as { instanceId: string; region: string }[];
        expect(new Set(onlyWest.map((i) => i.region))).to.deep.equal(new Set(["us-west-2"]));
        expect(onlyWest.map((i) => i.instanceId)).to.include("i-0123456789abcdef9");
        // advance moves both regions' clocks: the hourly association in us-west-2 runs.
        const advanced = statectl(dir, "local", "advance", "2h");
        expect(advanced.code, advanced.stderr).to.equal(0);
        expect(advanced.stdout).to.match(
          /^Clock advanced by 2h in 2 accounts\/regions; it is now .*Z\. 2 scheduled execution\(s\) ran\.\n$/,
        );
        const runs = await west.send(new DescribeAssociationExecutionsCommand({ AssociationId: d.AssociationId }));
        // bootstrap of edge-1 (at create nothing matched), two hourly runs.
        expect(runs.AssociationExecutions).to.have.length(3);
        expect(statectl(dir, "local", "fleet", "remove", "edge-1", "--region", "us-west-2").stdout).to.equal(
          "Removed edge-1 in us-west-2.\n",
        );
        expect(statectl(dir, "local", "fleet", "list", "--region", "us-west-2").stdout).to.not.include("edge-1");
      } finally {
        west.destroy();
        east.destroy();
      }
    });

    it("tags an EC2 instance through statectl's own control (its EC2 tags), an mi- node's SSM tags likewise", async () => {
      const ssm = clientFor(url);
      try {
        const d = (
          await ssm.send(
            new CreateAssociationCommand({
              Name: "AWS-RunShellScript",
              Targets: [{ Key: "tag:Team", Values: ["blue"] }],
              Parameters: { commands: ["id"] },
            }),
          )
        ).AssociationDescription!;
        const tagged = statectl(dir, "local", "fleet", "tag", "db-1", "Team=blue");
        expect(tagged.code, tagged.stderr).to.equal(0);
        const status = await ssm.send(
          new DescribeInstanceAssociationsStatusCommand({ InstanceId: "i-0db000000000000b1" }),
        );
        expect(status.InstanceAssociationStatusInfos?.map((s) => s.AssociationId)).to.include(d.AssociationId);
        // SSM's tags are only for mi- nodes: the EC2 instance's tags are not there.
        await expectSsmError(
          ssm.send(
            new ListTagsForResourceCommand({ ResourceType: "ManagedInstance", ResourceId: "i-0db000000000000b1" }),
          ),
          "ValidationException",
        );
        expect(statectl(dir, "local", "fleet", "tag", "win-1", "Team=green").code).to.equal(0);
        const winTags = (
          await ssm.send(
            new ListTagsForResourceCommand({ ResourceType: "ManagedInstance", ResourceId: "mi-0win00000000000c1" }),
          )
        ).TagList;
        expect(winTags).to.deep.include({ Key: "Team", Value: "green" });
        const missing = statectl(dir, "local", "fleet", "tag", "nope-1", "Team=x");
        expect(missing.code).to.not.equal(0);
        expect(missing.stderr).to.include("nope-1");
      } finally {
        ssm.destroy();
      }
    });
  });
});
