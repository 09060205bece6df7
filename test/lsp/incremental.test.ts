/**
 * Issue 23: the language server re-parses only the files that changed since its last run,
 * evaluates and SSM-checks again only the resources an edit can affect (the edited file's blocks
 * and what depends on them), and a run that a newer edit made stale is dropped. Whatever the
 * order of edits, the diagnostics it ends with must be exactly those of a fresh server that
 * checks the final texts in full; and the work it did again is counted.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Diagnostic } from "vscode-languageserver-protocol/node";
import { VALIDATED_NOTIFICATION, type ValidatedParams } from "../../src/lsp/server.js";
import { TestClient } from "./client.js";

const MAIN = `document "install" {
  name    = "install-doc"
  content = jsonencode({ schemaVersion = "2.2", parameters = { packageName = { type = "String" } }, mainSteps = [{ action = "aws:runShellScript", name = "go", inputs = { runCommand = ["echo {{ packageName }}"] } }] })
}

locals {
  role = "web"
}
`;

const association = (name: string, extra = "") => `association "${name}" {
  document = document.install.name
  schedule = "rate(30 minutes)"
  targets {
    key    = "tag:Role"
    values = [local.role]
  }
  parameters = {
    packageName = "nginx"
  }
${extra}}
`;

/** Edits to a.state, in order; some break it, some break what b.state refers to, the last ones mend part of it. */
const EDITS = [
  association("a") + association("a2", "  schedule_offset = 3\n"),
  association("a") + association("a2", "  bogus = 1\n"),
  association("a").replace("rate(30 minutes)", "rate(0 minutes)") + association("a2"),
  association("a").replace("document.install.name", "document.missing.name"),
  association("a") + 'association "a3" {\n  document = \n}\n',
  association("a").replace('packageName = "nginx"', 'packageNam = "nginx"'),
  // A name b.state declares too, then a cycle: the checks across blocks see the unchanged files' blocks.
  association("a") + association("b"),
  association("a").replace('packageName = "nginx"', "packageName = association.a2.name") +
    association("a2").replace('packageName = "nginx"', "packageName = association.a.name"),
  association("a") + association("a2"),
];

async function settled(client: TestClient, names: string[]): Promise<Map<string, Diagnostic[]>> {
  // Let any run that is due finish and publish: the debounce, then the run itself.
  let last = "";
  for (let quiet = 0; quiet < 2;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = JSON.stringify(names.map((n) => client.diagnostics.get(client.uri(n)) ?? null));
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return new Map(names.map((n) => [n, client.diagnostics.get(client.uri(n)) ?? []]));
}

describe("lsp: incremental checks give the diagnostics of a full check (issue 23)", function () {
  this.timeout(60_000);
  let dir: string;
  const clients: TestClient[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-lsp-incremental-"));
    writeFileSync(join(dir, "main.state"), MAIN);
    writeFileSync(join(dir, "a.state"), association("a"));
    writeFileSync(join(dir, "b.state"), association("b") + 'output "doc" {\n  value = document.install.name\n}\n');
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("after each edit, typed quickly or slowly, the published diagnostics equal a fresh server's on the same texts", async () => {
    const names = ["main.state", "a.state", "b.state"];
    const editor = new TestClient(dir);
    clients.push(editor);
    await editor.initialize();
    await editor.open("a.state", association("a"));
    await editor.diagnosticsFor("a.state", () => true);
    let compared = 0;
    for (const [i, text] of EDITS.entries()) {
      // Every other edit comes in a burst of partial texts (typing), so runs are cut short.
      if (i % 2 === 1)
        for (let cut = 1; cut < 4; cut++)
          await editor.change("a.state", text.slice(0, Math.floor((text.length * cut) / 4)));
      await editor.change("a.state", text);
      const incremental = await settled(editor, names);

      const fresh = new TestClient(dir);
      clients.push(fresh);
      await fresh.initialize();
      await fresh.open("a.state", text);
      const full = await settled(fresh, names);
      await fresh.stop();
      expect([...incremental], `after edit ${i}`).to.deep.equal([...full]);
      compared += [...full.values()].reduce((n, d) => n + d.length, 0);
    }
    // The edits did break things, so the comparison was not of empty lists only.
    expect(compared).to.be.at.least(EDITS.length - 1);
    await editor.stop();
  });

  it("evaluates and checks again only the edited file's blocks and what depends on their values", async () => {
    // c depends on a (its parameter is a's name); d.state depends on nothing in a.state.
    writeFileSync(join(dir, "a.state"), association("a") + association("a2"));
    writeFileSync(
      join(dir, "c.state"),
      association("c").replace('packageName = "nginx"', "packageName = association.a.name"),
    );
    writeFileSync(join(dir, "d.state"), association("d1") + association("d2"));
    const names = ["main.state", "a.state", "b.state", "c.state", "d.state"];
    const editor = new TestClient(dir);
    clients.push(editor);
    const runs: ValidatedParams[] = [];
    let waiting: ((p: ValidatedParams) => void) | undefined;
    editor.connection.onNotification(VALIDATED_NOTIFICATION, (p: ValidatedParams) => {
      runs.push(p);
      waiting?.(p);
    });
    const after = async (edit: () => Promise<void>): Promise<ValidatedParams> => {
      const next = new Promise<ValidatedParams>((resolve) => (waiting = resolve));
      await edit();
      return next;
    };
    await editor.initialize({ statistics: true });
    const a = association("a") + association("a2");
    const first = await after(() => editor.open("a.state", a));
    // 1 document and 6 associations, all evaluated and checked on the first run.
    expect(first).to.include({ resources: 7, evaluatedResources: 7, checkedAssociations: 6 });

    // a's schedule changes a's value: a and a2 (the re-parsed file's blocks) and c (reads a) again.
    const aSchedule = association("a").replace("rate(30 minutes)", "rate(1 hour)") + association("a2");
    expect(await after(() => editor.change("a.state", aSchedule))).to.include({
      evaluatedResources: 3,
      checkedAssociations: 3,
    });
    // a2 changes and a is written the same: c keeps its results (a's value is the same).
    const a2Schedule =
      association("a").replace("rate(30 minutes)", "rate(1 hour)") + association("a2", "  schedule_offset = 2\n");
    expect(await after(() => editor.change("a.state", a2Schedule))).to.include({
      evaluatedResources: 2,
      checkedAssociations: 2,
    });
    // A mistake SSM finds in a2: only a.state's blocks again, and the diagnostic is published.
    const broken = association("a") + association("a2").replace("rate(30 minutes)", "rate(0 minutes)");
    expect(await after(() => editor.change("a.state", broken))).to.include({
      evaluatedResources: 3,
      checkedAssociations: 3,
    });
    const published = await settled(editor, names);
    expect(published.get("a.state") ?? []).to.have.lengthOf.above(0);

    // The document's content changes every association's input: everything again.
    await editor.open("main.state", MAIN);
    const changedDocument = MAIN.replace('name = "go"', 'name = "run"');
    const documentRun = await after(() => editor.change("main.state", changedDocument));
    expect(documentRun).to.include({ evaluatedResources: 7, checkedAssociations: 6 });

    // And the diagnostics are those of a fresh server on the same texts.
    const incremental = await settled(editor, names);
    const fresh = new TestClient(dir);
    clients.push(fresh);
    await fresh.initialize();
    await fresh.open("a.state", broken);
    await fresh.open("main.state", changedDocument);
    expect([...incremental]).to.deep.equal([...(await settled(fresh, names))]);
    await fresh.stop();
    await editor.stop();
  });
});
