/**
 * The association and fleet operations through a second, independent client: the AWS CLI
 * (botocore) against `statectl local serve`, with `statectl local advance` moving that server's
 * clock from another process.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { aws, CLI_MAIN, startServe } from "./processes.js";

describe("local/associations-aws-cli: the AWS CLI on associations, executions and the fleet", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "statectl-assoc-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates, runs, schedules and describes associations; reads the fleet", async () => {
    const dataDir = path.join(dir, "data");
    const server = await startServe(["--data-dir", dataDir]);
    try {
      const created = await aws(server.url, [
        "create-association",
        "--name",
        "AWS-RunShellScript",
        "--targets",
        "Key=tag:Role,Values=web",
        "--parameters",
        "commands=uptime",
        "--schedule-expression",
        "rate(1 day)",
        "--association-name",
        "uptime",
      ]);
      expect(created.code, created.stderr).to.equal(0);
      const description = JSON.parse(created.stdout).AssociationDescription;
      expect(description).to.deep.include({
        Name: "AWS-RunShellScript",
        AssociationVersion: "1",
        DocumentVersion: "$DEFAULT",
        AssociationName: "uptime",
      });
      expect(description.Overview).to.deep.equal({ Status: "Pending", DetailedStatus: "Creating" });
      expect(description.Date).to.be.a("number");
      const id = description.AssociationId as string;

      const described = JSON.parse(
        (await aws(server.url, ["describe-association", "--association-id", id])).stdout,
      ).AssociationDescription;
      expect(described.Overview).to.deep.equal({
        Status: "Success",
        DetailedStatus: "Success",
        AssociationStatusAggregatedCount: { Success: 2 },
      });

      // Another process moves the running server's clock.
      const advanced = spawnSync(process.execPath, [CLI_MAIN, "local", "advance", "2d", "--data-dir", dataDir], {
        encoding: "utf8",
      });
      expect(advanced.status, advanced.stderr).to.equal(0);
      expect(advanced.stdout).to.include("2 scheduled execution(s) ran.");

      const executions = JSON.parse(
        (await aws(server.url, ["describe-association-executions", "--association-id", id])).stdout,
      ).AssociationExecutions;
      expect(executions.map((e: { ResourceCountByStatus: string }) => e.ResourceCountByStatus)).to.deep.equal([
        "{Success=2}",
        "{Success=2}",
        "{Success=2}",
      ]);
      const targets = JSON.parse(
        (
          await aws(server.url, [
            "describe-association-execution-targets",
            "--association-id",
            id,
            "--execution-id",
            executions[0].ExecutionId,
          ])
        ).stdout,
      );
      expect(targets.AssociationExecutionTargets.map((t: { ResourceId: string }) => t.ResourceId)).to.deep.equal([
        "i-0web00000000000a1",
        "i-0web00000000000a2",
      ]);

      const updated = await aws(server.url, [
        "update-association",
        "--association-id",
        id,
        "--parameters",
        "commands=df",
      ]);
      expect(updated.code, updated.stderr).to.equal(0);
      const u = JSON.parse(updated.stdout).AssociationDescription;
      expect([u.AssociationVersion, u.AssociationName, u.ScheduleExpression]).to.deep.equal([
        "2",
        undefined,
        undefined,
      ]);

      const windows = JSON.parse(
        (await aws(server.url, ["describe-instance-information", "--filters", "Key=PlatformType,Values=Windows"]))
          .stdout,
      ).InstanceInformationList;
      expect(windows.map((i: { Name: string; PlatformType: string }) => [i.Name, i.PlatformType])).to.deep.equal([
        ["win-1", "Windows"],
      ]);
      const status = JSON.parse(
        (await aws(server.url, ["describe-instance-associations-status", "--instance-id", "i-0web00000000000a1"]))
          .stdout,
      ).InstanceAssociationStatusInfos;
      expect(status[0]).to.deep.include({ AssociationId: id, Status: "Success", DocumentVersion: "1" });

      const bad = await aws(server.url, [
        "create-association",
        "--name",
        "AWS-RunShellScript",
        "--targets",
        "Key=tag:Role,Values=web",
        "--parameters",
        "commands=x",
        "--schedule-expression",
        "rate(5 hour)",
      ]);
      expect(bad.code).to.not.equal(0);
      expect(bad.stderr).to.contain(
        "An error occurred (InvalidSchedule) when calling the CreateAssociation operation: The schedule is invalid. Verify your cron or rate expression and try again.",
      );
      const gone = await aws(server.url, [
        "describe-association",
        "--association-id",
        "00000000-0000-4000-8000-000000000000",
      ]);
      expect(gone.stderr).to.contain("(AssociationDoesNotExist)");
    } finally {
      expect(await server.stop()).to.equal(0);
    }
  });
});
