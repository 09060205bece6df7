// `statectl report` (issue 19): the HTML is self-contained, and a real browser — Debian's chromium
// driven headless by playwright-core, with every non-file request refused — shows the heat map's
// cells, the timeline and the dependency graph's nodes. The screenshot is kept as an artefact
// (dist/test-artifacts/report.png) for a person to look at. Also `graph --format svg` and
// `plan --out-md`.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./helpers.js";

const CONFIG = `provider "ssm" {
  endpoint = "local"
}

document "check" {
  name          = "NginxCheck"
  type          = "Command"
  content = {
    schemaVersion = "2.2"
    description   = "Check nginx"
    mainSteps = [{
      action = "aws:runShellScript"
      name   = "check"
      inputs = { runCommand = ["systemctl is-active nginx"] }
    }]
  }
}

association "web" {
  name                = "WebCheck"
  document            = document.check.name
  compliance_severity = "CRITICAL"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  schedule = "rate(1 day)"
}

association "everywhere" {
  name     = "Everywhere"
  document = "AWS-RunShellScript"
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  parameters = {
    commands = ["echo hello from statectl"]
  }
  schedule = "rate(12 hours)"
}
`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const REPORT_SCREENSHOT = join(repoRoot, "dist", "test-artifacts", "report.png");

describe("cli: report, graph --format svg and plan --out-md", function () {
  this.timeout(180_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-report-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
    const applied = run(dir, ["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr + applied.stdout).to.equal(0);
    expect(run(dir, ["local", "fleet", "fail", "web-2", "NginxCheck"]).code).to.equal(0);
    expect(run(dir, ["local", "advance", "2d"]).code).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes one self-contained HTML file: no scripts, stylesheets or images fetched from anywhere", () => {
    const r = run(dir, ["report", "--out", "report.html"]);
    expect(r.code, r.stderr).to.equal(0);
    // web-2 fails the nginx check; the shell script cannot run on the Windows instance (InvalidPlatform).
    expect(r.stdout).to.contain("Wrote report.html: 2 associations, 4 instances, 2 failing instance results.");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).to.match(/^<!doctype html>/);
    expect(html).not.to.match(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html.match(/(?:src|href)\s*=\s*"[^"#]/gi) ?? []).to.deep.equal([]);
    expect(html).to.contain("failed to run commands: exit status 1");
    expect(html).to.contain("association.web failed on i-0web00000000000a2");
    expect(html).to.contain("The document AWS-RunShellScript does not support the platform Windows");
  });

  it("opens in headless chromium without network: heat-map cells, timeline runs and graph nodes are there; saves a screenshot", async () => {
    const { chromium } = await import("playwright-core");
    const profile = mkdtempSync(join(tmpdir(), "statectl-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const fetched: string[] = [];
    try {
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:")) return route.continue();
        fetched.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      await page.goto(`file://${join(dir, "report.html")}`);
      // 4 instances × 2 associations.
      expect(await page.locator("#heatmap td.cell").count()).to.equal(8);
      const failing = page.locator(
        '#heatmap td.cell[data-instance="i-0web00000000000a2"][data-association="association.web"]',
      );
      expect(await failing.getAttribute("data-status")).to.equal("NON_COMPLIANT");
      expect(await failing.evaluate((el) => getComputedStyle(el).backgroundColor)).to.equal("rgb(166, 30, 30)");
      expect(await page.locator('#heatmap td.cell[data-status="COMPLIANT"]').count()).to.equal(4);
      expect(
        await page
          .locator('#heatmap td.cell[data-instance="mi-0win00000000000c1"][data-association="association.everywhere"]')
          .getAttribute("data-status"),
      ).to.equal("NON_COMPLIANT");
      expect(
        await page
          .locator('#heatmap td.cell[data-instance="i-0db000000000000b1"][data-association="association.web"]')
          .getAttribute("data-status"),
      ).to.equal("none");
      expect(await page.locator("#timeline circle.run").count()).to.be.greaterThan(4);
      expect(await page.locator("#timeline circle.run.bad").count()).to.be.greaterThan(0);
      const nodes = await page.locator("#graph svg g.node title").allTextContents();
      expect(nodes.sort()).to.deep.equal(["association.everywhere", "association.web", "document.check"]);
      expect(await page.locator("#graph svg g.edge").count()).to.equal(1);
      expect(await page.locator("#failures .failure").count()).to.equal(2);
      mkdirSync(dirname(REPORT_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: REPORT_SCREENSHOT, fullPage: true });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
    expect(fetched).to.deep.equal([]);
    expect(readFileSync(REPORT_SCREENSHOT).subarray(1, 4).toString()).to.equal("PNG");
  });

  it("graph --format svg draws the dependency graph without a system graphviz", () => {
    const r = run(dir, ["graph", "--format", "svg"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("<svg");
    expect(r.stdout).to.contain("<title>document.check&#45;&gt;association.web</title>");
    expect(run(dir, ["graph", "--format", "png"]).code).to.equal(64);
  });

  it("plan --out-md writes the counts, each change with its impact, and its detail for a pull-request comment", () => {
    writeFileSync(
      join(dir, "main.state"),
      CONFIG.replace('compliance_severity = "CRITICAL"', 'compliance_severity = "HIGH"').replace(
        '"echo hello from statectl"',
        '"echo hello again"',
      ),
    );
    const r = run(dir, ["plan", "--out-md", "plan.md"]);
    expect(r.code, r.stderr).to.equal(0);
    const md = readFileSync(join(dir, "plan.md"), "utf8");
    expect(md).to.contain("## statectl plan");
    expect(md).to.contain("**Plan:** 0 to add, 2 to change, 0 to destroy.");
    expect(md).to.contain("| `~` | `association.web` | update in place | runs now on 2 instances |");
    expect(md).to.contain("| `~` | `association.everywhere` | update in place | runs now on 4 instances |");
    expect(md).to.contain("```diff");
    expect(md).to.match(/^! +compliance_severity += "CRITICAL" -> "HIGH"$/m);
  });
});
