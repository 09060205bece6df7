import { expect } from "chai";
import { documentPlatforms, documentSteps, runDocumentOn } from "../../src/local/agent.js";
import { defaultFleet, type ManagedInstance } from "../../src/local/fleet.js";

const [web, , , win] = defaultFleet(0) as [ManagedInstance, ManagedInstance, ManagedInstance, ManagedInstance];

const runShellScript12 = {
  schemaVersion: "1.2",
  runtimeConfig: { "aws:runShellScript": { properties: [{ id: "0.aws:runShellScript" }] } },
};
const patchBaseline22 = {
  schemaVersion: "2.2",
  mainSteps: [
    {
      action: "aws:runPowerShellScript",
      name: "PatchWindows",
      precondition: { StringEquals: ["platformType", "Windows"] },
    },
    { action: "aws:runShellScript", name: "PatchLinux", precondition: { StringEquals: ["platformType", "Linux"] } },
    { action: "aws:runShellScript", name: "PatchMacOS", precondition: { StringEquals: ["platformType", "MacOS"] } },
  ],
};
const unguarded22 = {
  schemaVersion: "2.2",
  mainSteps: [
    { action: "aws:runShellScript", name: "a" },
    { action: "aws:runPowerShellScript", name: "b" },
  ],
};

describe("local/agent", () => {
  it("reads steps from 1.2 runtimeConfig and 2.x mainSteps, with platform preconditions", () => {
    expect(documentSteps(runShellScript12)).to.deep.equal([
      { name: "aws:runShellScript", action: "aws:runShellScript", inputs: [{ id: "0.aws:runShellScript" }] },
    ]);
    expect(documentSteps(patchBaseline22).map((s) => s.platformPrecondition)).to.deep.equal([
      "Windows",
      "Linux",
      "MacOS",
    ]);
    expect(documentPlatforms(documentSteps(runShellScript12))).to.deep.equal(["Linux", "MacOS"]);
    expect(documentPlatforms(documentSteps(patchBaseline22))).to.deep.equal(["Linux", "Windows", "MacOS"]);
  });

  it("runs a shell script on Linux and refuses it on Windows as InvalidPlatform", () => {
    const steps = documentSteps(runShellScript12);
    expect(runDocumentOn(web, "AWS-RunShellScript", steps)).to.include({
      status: "Success",
      executionSummary: "1 out of 1 plugin processed, 1 success, 0 failed, 0 timedout, 0 skipped.",
    });
    const onWindows = runDocumentOn(win, "AWS-RunShellScript", steps);
    expect(onWindows).to.include({ status: "Failed", detailedStatus: "InvalidPlatform", countsAsError: false });
  });

  it("skips steps whose precondition names another platform", () => {
    const result = runDocumentOn(win, "AWS-RunPatchBaseline", documentSteps(patchBaseline22));
    expect(result).to.include({
      status: "Success",
      executionSummary: "3 out of 3 plugins processed, 1 success, 0 failed, 0 timedout, 2 skipped.",
    });
  });

  it("fails an unguarded step whose plugin the platform lacks", () => {
    const result = runDocumentOn(win, "Mixed", documentSteps(unguarded22));
    expect(result).to.include({ status: "Failed", detailedStatus: "Failed", countsAsError: true });
    expect(result.errorCode).to.match(/aws:runShellScript is not supported on Windows/);
  });

  describe("schema 2.2 step flow", () => {
    // aws:applications runs on Windows only, so on web-1 (Linux) it fails: a step that fails in the simulation.
    const flow = (first: Record<string, unknown>) => ({
      schemaVersion: "2.2",
      mainSteps: [
        { action: "aws:applications", name: "first", ...first },
        { action: "aws:runShellScript", name: "second" },
        { action: "aws:runShellScript", name: "third" },
      ],
    });
    const run = (first: Record<string, unknown>) => runDocumentOn(web, "Flow", documentSteps(flow(first)));

    it("goes on after a failing step by default, and the run fails", () => {
      const result = run({});
      expect(result.plugins.map((p) => `${p.name}:${p.status}`)).to.deep.equal([
        "first:Failed",
        "second:Success",
        "third:Success",
      ]);
      expect(result).to.include({
        status: "Failed",
        executionSummary: "3 out of 3 plugins processed, 2 success, 1 failed, 0 timedout, 0 skipped.",
      });
    });

    it("stops at a failing step with onFailure: exit; successAndExit makes the run a success", () => {
      const exit = run({ onFailure: "exit" });
      expect(exit.plugins.map((p) => p.name)).to.deep.equal(["first"]);
      expect(exit).to.include({
        status: "Failed",
        executionSummary: "3 out of 3 plugins processed, 0 success, 1 failed, 0 timedout, 2 skipped.",
      });
      expect(run({ onFailure: "successAndExit" })).to.include({ status: "Success", countsAsError: false });
    });

    it("stops after a step with isEnd, and jumps with nextStep", () => {
      expect(run({ isEnd: true }).plugins.map((p) => p.name)).to.deep.equal(["first"]);
      const jumped = run({ nextStep: "third" });
      expect(jumped.plugins.map((p) => p.name)).to.deep.equal(["first", "third"]);
      expect(jumped.executionSummary).to.equal(
        "3 out of 3 plugins processed, 1 success, 1 failed, 0 timedout, 1 skipped.",
      );
    });
  });

  it("fails a document the instance is marked to fail", () => {
    const marked = { ...web, failDocuments: ["AWS-RunShellScript"] };
    expect(runDocumentOn(marked, "AWS-RunShellScript", documentSteps(runShellScript12))).to.include({
      status: "Failed",
      countsAsError: true,
    });
    expect(runDocumentOn(marked, "Other", documentSteps(runShellScript12)).status).to.equal("Success");
  });
});
