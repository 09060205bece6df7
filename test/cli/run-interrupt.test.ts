// Ctrl-C during `statectl run --wait`, through the built CLI against a standalone local endpoint
// whose DescribeAssociationExecutions answers slowly (the latency knob), so the wait is still
// going when the signal comes: the command stops waiting, names each association with its
// execution and what was left running, points at `status`, and exits 130 (143 for SIGTERM).
import { expect } from "chai";
import { standaloneWorkspace, startCli } from "./kill-helpers.js";

const config = (url: string): string => `provider "ssm" {
  endpoint = "${url}"
  region   = "us-east-1"
}

association "hello" {
  name     = "run-interrupt-hello"
  document = "AWS-RunShellScript"
  parameters = {
    commands = ["echo hello"]
  }
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
}
`;

describe("cli: Ctrl-C during run --wait", function () {
  this.timeout(90_000);
  const ws = standaloneWorkspace("statectl-run-interrupt-", { each: true, config });

  for (const [signal, code, label] of [
    ["SIGINT", 130, "Interrupt"],
    ["SIGTERM", 143, "SIGTERM"],
  ] as const) {
    it(`${signal}: says which executions were left running and exits ${code}`, async () => {
      const applied = startCli(ws.dir, ["apply", "-auto-approve"]);
      expect((await applied.exit).code, applied.lines.join("\n")).to.equal(0);
      ws.endpoint.setKnobs({ latencyByOperation: { DescribeAssociationExecutions: 1500 } });
      const started = ws.endpoint.counters()["StartAssociationsOnce"]?.calls ?? 0;
      const run = startCli(ws.dir, ["run", "association.hello", "--wait", "60"]);
      const since = Date.now();
      while ((ws.endpoint.counters()["StartAssociationsOnce"]?.calls ?? 0) === started && Date.now() - since < 30_000)
        await new Promise((r) => setTimeout(r, 50));
      run.child.kill(signal);
      const exit = await run.exit;
      const out = run.lines.join("\n");
      expect(exit.code, out).to.equal(code);
      expect(out).to.contain(
        `${label}: stopped waiting. The runs were started with StartAssociationsOnce and go on in SSM; what was left running:`,
      );
      expect(out).to.match(/ {2}association\.hello \(association [0-9a-f-]{36}\): execution [0-9a-f-]{36}, /);
      expect(out).to.contain("Follow them with: statectl status association.hello");
    });
  }
});
