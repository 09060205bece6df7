// Keeps `npm run bench` working: every section runs at tiny sizes and yields its figures. Not a
// performance test — no assertion here depends on time.
import { expect } from "chai";
import { runBench } from "./sections.js";
import { findMotoServer } from "./throughput.js";

describe("bench: every section runs at tiny sizes", function () {
  this.timeout(120_000);

  it("produces the summary table and every figure", async () => {
    const report = await runBench({
      parseBlocks: 50,
      parseRuns: 1,
      parseWarmup: 0,
      cliRuns: 1,
      lsp: [20],
      planSizes: [10, 20],
      fleet: { associations: 12, documents: 2, taggedEvery: 5 },
      throttled: 12,
      impact: { associations: 14, latencyMs: 1 },
      retryCalls: 10,
      persist: 12,
      store: { associations: 5, executionsPerAssociation: 3, writes: 2 },
      throughput: 30,
      s3Fleet: { associations: 6, documents: 1, taggedEvery: 3 },
      s3Runs: 1,
    });
    for (const name of [
      "parse.mbPerSecond",
      "parse.hcl2jsonMbPerSecond",
      "parse.peakMb",
      "cli.validateMs",
      "plan.noRefresh10Ms",
      "plan.noRefresh20Ms",
      "plan.noRefresh20CpuMs",
      "plan.cli20Ms",
      "plan.cli20CpuMs",
      "plan.cli20MaxRssMb",
      "impact.planMs",
      "lsp.edit20Ms",
      "lsp.completion20P95Ms",
      "lsp.formatting20Ms",
      "refresh.bulkCalls",
      "refresh.perResourceCalls",
      "apply.associationCreateCalls",
      "apply.stateWrites",
      "apply.documentCreateCalls",
      "apply.throttledMs",
      "apply.throttledBoundMs",
      "retry.adaptiveFailed",
      "retry.statectlFailed",
      "persist.ms",
      "persist.bytesWritten",
      "store.writeMs",
      "store.fullComparisonWriteMs",
      "s3.localPlanMs",
      "s3.s3PlanMs",
      "s3.planRequests",
      "s3.applyRequests",
    ]) {
      expect(report.figures[name], name).to.be.a("number");
    }
    // Counted figures (not timed): the bulk refresh reads the lists (associations, own documents,
    // public documents — issue 15) plus the tags of 3 tagged associations.
    expect(report.figures["refresh.bulkCalls"]).to.equal(1 + 1 + 1 + 3);
    expect(report.figures["refresh.perResourceCalls"]).to.equal(12 * 2 + 2 * 3);
    expect(report.figures["retry.adaptiveFailed"]).to.equal(0);
    expect(report.figures["retry.statectlFailed"]).to.equal(0);
    // The impact preview reads the fleet once per distinct target set (7 tag roles), not per association.
    expect(report.figures["impact.describeInstanceInformation"]).to.equal(7);
    // 3 tagged associations one by one; the 9 others in one batch, or two if their two documents
    // were created at different moments.
    expect(report.figures["apply.associationCreateCalls"]).to.be.within(3 + 1, 3 + 2);
    // CreateDocument and one DescribeDocument while it reports Creating, for each of the 2 documents.
    expect(report.figures["apply.documentCreateCalls"]).to.be.at.most(2 * 2);
    // The language server's edits re-evaluate the edited file's 20 associations, not the 3 documents;
    // with incremental: false every run evaluates all 23 resources.
    expect(report.figures["lsp.evaluated20"]).to.equal(20);
    expect(report.figures["lsp.evaluated20Full"]).to.equal(23);
    // moto_server is part of the machine image; without it the row says the comparison was skipped.
    if (findMotoServer() !== undefined) {
      expect(report.figures["throughput.oursPerSecond"]).to.be.a("number");
      expect(report.figures["throughput.motoPerSecond"]).to.be.a("number");
    } else expect(report.lines.join("\n")).to.include("skipped: moto_server is not installed");
    // A plan's state costs four S3 requests: take the lock, read the state, read and delete the lock.
    expect(report.figures["s3.planRequests"]).to.equal(4);
    // A small write serialises the association it changed and its history, not all five (issue 16).
    expect(report.figures["store.entriesPerWrite"]).to.be.within(1, 3);
    expect(report.lines[0]).to.match(/^\| measure \|/);
  });
});
