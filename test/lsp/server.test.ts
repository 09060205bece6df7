/**
 * `statectl lsp` end to end: the built CLI is spawned and driven with real LSP messages over
 * stdio (initialize, didOpen/didChange/didClose, completion, hover, definition, formatting,
 * shutdown/exit), as an editor would, and the answers are checked in full.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompletionRequest,
  DefinitionRequest,
  DidChangeWatchedFilesNotification,
  DocumentFormattingRequest,
  HoverRequest,
  type CompletionItem,
  type Location,
  type MarkupContent,
} from "vscode-languageserver-protocol/node";
import { formatSource } from "../../src/syntax/format.js";
import { endOf, positionOf, TestClient } from "./client.js";

const VARIABLES = `variable "env" {
  type        = string
  description = "Which environment: dev or prod."
  default     = "dev"
}

locals {
  role = "web-\${var.env}"
}
`;

const MAIN = `document "install" {
  name    = "install-\${var.env}"
  content = file("doc.json")
}

association "web" {
  document = document.install.name
  schedule = "rate(30 minutes)"
  targets {
    key    = "tag:Role"
    values = [local.role]
  }
  parameters = {
    packageName = "nginx"
  }
}

association "patch" {
  document   = "AWS-RunShellScript"
  parameters = {
    commands = ["echo hi"]
  }
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
}
`;

const DOC_JSON = JSON.stringify({
  schemaVersion: "2.2",
  description: "Installs a package.",
  parameters: {
    packageName: { type: "String", description: "The package to install." },
    restart: { type: "String", default: "no" },
  },
  mainSteps: [
    { action: "aws:runShellScript", name: "install", inputs: { runCommand: ["apt-get install -y {{ packageName }}"] } },
  ],
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "statectl-lsp-"));
  writeFileSync(join(dir, "variables.state"), VARIABLES);
  writeFileSync(join(dir, "main.state"), MAIN);
  writeFileSync(join(dir, "doc.json"), DOC_JSON);
  return dir;
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

describe("lsp: statectl lsp over stdio", function () {
  this.timeout(30_000);

  describe("diagnostics as you type", () => {
    let dir: string;
    let client: TestClient;
    before(async () => {
      dir = folder();
      client = new TestClient(dir);
      const init = await client.initialize();
      expect(init.capabilities).to.include({
        hoverProvider: true,
        definitionProvider: true,
        documentFormattingProvider: true,
      });
      expect(init.capabilities.completionProvider?.triggerCharacters).to.deep.equal([".", '"']);
    });
    after(() => {
      client.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it("publishes nothing wrong for a valid folder, for every file of it", async () => {
      await client.open("main.state", MAIN);
      expect(await client.diagnosticsFor("main.state", () => true)).to.deep.equal([]);
      expect(await client.diagnosticsFor("variables.state", () => true)).to.deep.equal([]);
    });

    it("reports a config error on the exact range, with code and severity, and clears it when fixed", async () => {
      const typo = MAIN.replace('  schedule = "rate', '  schedul = "rate');
      await client.change("main.state", typo);
      const [d, ...rest] = await client.diagnosticsFor("main.state", (ds) => ds.length > 0);
      expect(rest).to.deep.equal([]);
      expect(d).to.deep.include({ severity: 1, code: "config/unsupported-argument", source: "statectl" });
      expect(d!.range).to.deep.equal({
        start: positionOf(typo, "schedul ="),
        end: positionOf(typo, "schedul =", "schedul".length),
      });
      expect(d!.message)
        .to.match(/^Unsupported argument\n/)
        .and.to.contain('did you mean "schedule"?');
      await client.change("main.state", MAIN);
      expect(await client.diagnosticsFor("main.state", (ds) => ds.length === 0)).to.deep.equal([]);
    });

    it("reports syntax errors with their code while the text does not parse", async () => {
      const broken = MAIN.replace('  schedule = "rate(30 minutes)"', "  schedule = ");
      await client.change("main.state", broken);
      const ds = await client.diagnosticsFor("main.state", (list) => list.length > 0);
      expect(ds.map((d) => d.code)).to.deep.equal(["syntax/unexpected-token"]);
      expect(ds[0]!.severity).to.equal(1);
      // At the line break where the value should be, as `statectl validate` puts it.
      expect(ds[0]!.range.start).to.deep.equal(positionOf(broken, "schedule = ", "schedule = ".length));
    });

    it("runs the SSM checks: an unknown parameter of an AWS-owned document is marked on its key", async () => {
      const wrong = MAIN.replace(
        '    commands = ["echo hi"]',
        '    commands = ["echo hi"]\n    executionTimeoutt = "60"',
      );
      await client.change("main.state", wrong);
      const ds = await client.diagnosticsFor("main.state", (list) =>
        list.some((d) => d.code === "ssm/unknown-parameter"),
      );
      expect(ds).to.have.length(1);
      expect(ds[0]!.range).to.deep.equal({
        start: positionOf(wrong, "executionTimeoutt"),
        end: positionOf(wrong, "executionTimeoutt", "executionTimeoutt".length),
      });
      expect(ds[0]!.message).to.contain("Unknown document parameter");
    });

    it("checks the whole folder: a file on disk that is not open gets diagnostics, and an open buffer overrides its file on disk", async () => {
      await client.change("main.state", MAIN);
      writeFileSync(join(dir, "extra.state"), 'output "x" {\n  value = var.region\n}\n');
      await client.change("main.state", MAIN + "\n");
      const extra = await client.diagnosticsFor("extra.state", (ds) => ds.length > 0);
      expect(extra.map((d) => d.code)).to.deep.equal(["config/undeclared-variable"]);
      expect(extra[0]!.range.start).to.deep.equal({ line: 1, character: 10 });
      // The buffer declares the variable; the file on disk (still without it) no longer counts.
      await client.change("main.state", MAIN + '\nvariable "region" {\n  default = "eu-west-1"\n}\n');
      expect(await client.diagnosticsFor("extra.state", (ds) => ds.length === 0)).to.deep.equal([]);
      // Closing the buffer brings back the file on disk.
      await client.close("main.state");
      expect((await client.diagnosticsFor("extra.state", (ds) => ds.length > 0)).map((d) => d.code)).to.deep.equal([
        "config/undeclared-variable",
      ]);
      rmSync(join(dir, "extra.state"));
    });

    it("places problems inside a document file read by file() in that file, and follows changes on disk it is told about", async () => {
      await client.open("main.state", MAIN);
      expect(await client.diagnosticsFor("main.state", (list) => list.length === 0)).to.deep.equal([]);
      const broken = JSON.stringify(JSON.parse(DOC_JSON.replace("aws:runShellScript", "aws:runShellScrpt")), null, 2);
      writeFileSync(join(dir, "doc.json"), broken);
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: client.uri("doc.json"), type: 2 }],
      });
      const ds = await client.diagnosticsFor("doc.json", (list) => list.length > 0);
      expect(ds.map((d) => d.code)).to.deep.equal(["ssm/unknown-action"]);
      expect(ds[0]!.range).to.deep.equal({
        start: positionOf(broken, '"aws:runShellScrpt"'),
        end: positionOf(broken, '"aws:runShellScrpt"', 19),
      });
      expect(ds[0]!.message).to.contain('did you mean "aws:runShellScript"?');
      writeFileSync(join(dir, "doc.json"), DOC_JSON);
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: client.uri("doc.json"), type: 2 }],
      });
      expect(await client.diagnosticsFor("doc.json", (list) => list.length === 0)).to.deep.equal([]);
    });

    it("never shows a sensitive value in a message, as validate does not", async () => {
      const text = MAIN + '\nvariable "sev" {\n  default   = "SUPERSECRET"\n  sensitive = true\n}\n';
      await client.change(
        "main.state",
        text.replace(
          '  schedule = "rate(30 minutes)"',
          '  schedule = "rate(30 minutes)"\n  compliance_severity = var.sev',
        ),
      );
      const ds = await client.diagnosticsFor("main.state", (list) =>
        list.some((d) => d.code === "ssm/invalid-compliance-severity"),
      );
      expect(ds.map((d) => d.code)).to.deep.equal(["ssm/invalid-compliance-severity"]);
      expect(ds[0]!.message).to.contain('"(sensitive)" is not').and.not.to.contain("SUPERSECRET");
      await client.change("main.state", MAIN);
      expect(await client.diagnosticsFor("main.state", (list) => list.length === 0)).to.deep.equal([]);
    });

    it("takes variables from initializationOptions like --var", async () => {
      const dir2 = mkdtempSync(join(tmpdir(), "statectl-lsp-vars-"));
      const text = 'variable "env" {\n  type = string\n}\noutput "e" {\n  value = var.env\n}\n';
      writeFileSync(join(dir2, "main.state"), text);
      const without = new TestClient(dir2);
      const withVars = new TestClient(dir2);
      try {
        await without.initialize();
        await without.open("main.state", text);
        expect((await without.diagnosticsFor("main.state", () => true)).map((d) => d.code)).to.deep.equal([
          "eval/missing-variable",
        ]);
        await withVars.initialize({ vars: ["env=prod"] });
        await withVars.open("main.state", text);
        expect(await withVars.diagnosticsFor("main.state", () => true)).to.deep.equal([]);
      } finally {
        without.kill();
        withVars.kill();
        rmSync(dir2, { recursive: true, force: true });
      }
    });
  });

  describe("completion, hover, definition, formatting", () => {
    let dir: string;
    let client: TestClient;
    before(async () => {
      dir = folder();
      client = new TestClient(dir);
      await client.initialize();
      // A full validation first, so the configuration's own documents (and their parameters) are known.
      await client.open("main.state", MAIN);
      await client.diagnosticsFor("main.state", () => true);
    });
    after(() => {
      client.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    async function completeAtEnd(text: string): Promise<CompletionItem[]> {
      await client.change("main.state", text);
      const r = await client.connection.sendRequest(CompletionRequest.type, {
        textDocument: { uri: client.uri("main.state") },
        position: endOf(text),
      });
      return Array.isArray(r) ? r : (r?.items ?? []);
    }

    it("completes block types at the top level, as snippets", async () => {
      const items = await completeAtEnd(MAIN + "\nass");
      expect(labels(items)).to.have.members([
        "document",
        "association",
        "variable",
        "locals",
        "output",
        "provider",
        "state",
        "import",
        "moved",
        "module",
      ]);
      const doc = items.find((i) => i.label === "document")!;
      expect(doc.insertText).to.equal('document "${1:name}" {\n\t$0\n}');
      expect(doc.insertTextFormat).to.equal(2);
      expect(items.find((i) => i.label === "provider")!.insertText).to.equal('provider "${1:ssm}" {\n\t$0\n}');
    });

    it("completes the arguments and nested blocks of the enclosing block, required ones first", async () => {
      const items = await completeAtEnd(MAIN + '\nassociation "x" {\n  ');
      expect(labels(items)).to.include.members([
        "document",
        "schedule",
        "parameters",
        "targets",
        "output_location",
        "count",
        "for_each",
        "lifecycle",
      ]);
      const sorted = [...items].sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1));
      expect(sorted[0]!.label).to.equal("document");
      expect(items.find((i) => i.label === "schedule")!.insertText).to.equal("schedule = ");
      const nested = await completeAtEnd(MAIN + '\nassociation "x" {\n  targets {\n    ');
      expect(labels(nested)).to.have.members(["key", "values"]);
      // Arguments the block already sets, before or after the cursor, are not offered again.
      const before = MAIN + '\nassociation "x" {\n  document = "AWS-RunShellScript"\n  ';
      await client.change(
        "main.state",
        before + '\n  schedule = "rate(1 day)"\n  targets {\n    key = "InstanceIds"\n  }\n}\n',
      );
      const again = (await client.connection.sendRequest(CompletionRequest.type, {
        textDocument: { uri: client.uri("main.state") },
        position: endOf(before),
      })) as CompletionItem[];
      expect(labels(again))
        .to.include.members(["parameters", "targets", "max_errors"])
        .and.not.to.include.members(["document"]);
      expect(labels(again)).not.to.include("schedule");
    });

    it("completes references: variables, locals, resources and their attributes", async () => {
      const base = MAIN + '\noutput "o" {\n  value = ';
      expect(labels(await completeAtEnd(base + "var."))).to.deep.equal(["env"]);
      expect(labels(await completeAtEnd(base + "local.ro"))).to.deep.equal(["role"]);
      expect(labels(await completeAtEnd(base + "document."))).to.deep.equal(["install"]);
      expect(labels(await completeAtEnd(base + "association."))).to.have.members(["web", "patch"]);
      const attrs = labels(await completeAtEnd(base + "document.install."));
      expect(attrs).to.include.members(["name", "content", "arn", "latest_version", "default_version"]);
      expect(attrs).not.to.include("for_each");
      expect(labels(await completeAtEnd(base + "each."))).to.deep.equal(["key", "value"]);
    });

    it("completes function names with their signatures, and the reference roots", async () => {
      const items = await completeAtEnd(MAIN + '\noutput "o" {\n  value = up');
      const upper = items.find((i) => i.label === "upper")!;
      expect(upper.detail).to.equal("upper(str string) string");
      expect(upper.insertText).to.equal("upper(");
      expect(labels(items)).to.include.members([
        "var",
        "local",
        "document",
        "association",
        "file",
        "jsonencode",
        "try",
        "can",
        "true",
        "null",
      ]);
    });

    it('completes AWS-owned document names inside document = "…"', async () => {
      const items = await completeAtEnd(MAIN + '\nassociation "x" {\n  document = "AWS-R');
      expect(labels(items)).to.include.members(["AWS-RunShellScript", "AWS-RunPatchBaseline", "AWS-UpdateSSMAgent"]);
      expect(items.find((i) => i.label === "AWS-RunShellScript")!.detail).to.equal("AWS-owned Command document");
      expect(labels(await completeAtEnd(MAIN + '\nassociation "x" {\n  compliance_severity = "'))).to.deep.equal([
        "CRITICAL",
        "HIGH",
        "MEDIUM",
        "LOW",
        "UNSPECIFIED",
      ]);
      expect(labels(await completeAtEnd(MAIN + '\ndocument "d" {\n  format = "Y'))).to.deep.equal([
        "JSON",
        "YAML",
        "TEXT",
      ]);
      // A parameter's allowed values, from the association's document.
      const patch =
        MAIN + '\nassociation "x" {\n  document   = "AWS-RunPatchBaseline"\n  parameters = {\n    Operation = "';
      expect(labels(await completeAtEnd(patch))).to.deep.equal(["Scan", "Install"]);
    });

    it("completes the parameter names of the association's document, AWS-owned or the configuration's own", async () => {
      const aws = await completeAtEnd(
        MAIN + '\nassociation "x" {\n  document   = "AWS-RunShellScript"\n  parameters = {\n    ',
      );
      expect(labels(aws)).to.have.members(["commands", "workingDirectory", "executionTimeout"]);
      const commands = aws.find((i) => i.label === "commands")!;
      expect(commands.detail).to.equal("StringList parameter (required)");
      expect(commands.insertText).to.equal("commands = [$0]");
      // The document argument may come after the cursor.
      const text = MAIN + '\nassociation "x" {\n  parameters = {\n    ';
      await client.change("main.state", text + "\n  }\n  document = document.install.name\n}\n");
      const r = (await client.connection.sendRequest(CompletionRequest.type, {
        textDocument: { uri: client.uri("main.state") },
        position: endOf(text),
      })) as CompletionItem[];
      expect(labels(r)).to.have.members(["packageName", "restart"]);
      expect(r.find((i) => i.label === "packageName")!.detail).to.equal("String parameter (required)");
    });

    async function hover(text: string, needle: string, delta = 1): Promise<string | undefined> {
      await client.change("main.state", text);
      const r = await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri: client.uri("main.state") },
        position: positionOf(text, needle, delta),
      });
      return r ? (r.contents as MarkupContent).value : undefined;
    }

    it("hovers: arguments from the schemas, functions from the function table, references, AWS documents, parameters", async () => {
      expect(await hover(MAIN, "content =")).to.equal(
        "**content** `any` — required\n\nA string (usually file(...)) or an object serialised by statectl.",
      );
      expect(await hover(MAIN, "file(")).to.contain("```statectl\nfile(path string) string\n```");
      const v = await hover(MAIN, "var.env}", 5);
      expect(v)
        .to.contain("**var.env** `string` — variable, declared in variables.state:1")
        .and.to.contain("Which environment: dev or prod.")
        .and.to.contain('Default: `"dev"`');
      expect(await hover(MAIN, "local.role", 7)).to.contain('role = "web-${var.env}"');
      expect(await hover(MAIN, '"AWS-RunShellScript"', 3))
        .to.contain("**AWS-RunShellScript** — AWS-owned Command document")
        .and.to.contain("- `commands` (StringList, required)");
      expect(await hover(MAIN, "commands =")).to.match(/^\*\*commands\*\* `StringList` — required/);
      expect(await hover(MAIN, "targets {"))
        .to.contain("**targets** { … } — block")
        .and.to.contain("Arguments: `key`, `values`");
      expect((await hover(MAIN, "document.install.name", 18))?.split("\n")[0]).to.equal(
        "**document.install.name** `string` — required",
      );
    });

    it("goes to the definition of variables, locals and resources, across files", async () => {
      await client.change("main.state", MAIN);
      const at = async (needle: string, delta: number) =>
        (await client.connection.sendRequest(DefinitionRequest.type, {
          textDocument: { uri: client.uri("main.state") },
          position: positionOf(MAIN, needle, delta),
        })) as Location | null;
      expect(await at("var.env}", 5)).to.deep.equal({
        uri: client.uri("variables.state"),
        range: { start: { line: 0, character: 9 }, end: { line: 0, character: 14 } },
      });
      expect(await at("local.role", 8)).to.deep.equal({
        uri: client.uri("variables.state"),
        range: { start: { line: 7, character: 2 }, end: { line: 7, character: 6 } },
      });
      expect(await at("document.install.name", 10)).to.deep.equal({
        uri: client.uri("main.state"),
        range: { start: { line: 0, character: 9 }, end: { line: 0, character: 18 } },
      });
      expect(await at("schedule", 2)).to.equal(null);
      // An association naming one of the configuration's documents by its SSM name.
      const literal =
        MAIN +
        '\ndocument "plain" {\n  name    = "Plain-Doc"\n  content = file("doc.json")\n}\n\nassociation "lit" {\n  document = "Plain-Doc"\n}\n';
      await client.change("main.state", literal);
      const target = await client.connection.sendRequest(DefinitionRequest.type, {
        textDocument: { uri: client.uri("main.state") },
        position: positionOf(literal, 'document = "Plain-Doc"', 14),
      });
      expect(target).to.deep.equal({
        uri: client.uri("main.state"),
        range: { start: positionOf(literal, '"plain"'), end: positionOf(literal, '"plain"', 7) },
      });
    });

    it("formats through fmt, and leaves a file that does not parse alone", async () => {
      const messy = 'locals {\nzone="a"\n    answer   = 42\n}\n';
      await client.open("messy.state", messy);
      const edits = await client.connection.sendRequest(DocumentFormattingRequest.type, {
        textDocument: { uri: client.uri("messy.state") },
        options: { tabSize: 2, insertSpaces: true },
      });
      const expected = 'locals {\n  zone   = "a"\n  answer = 42\n}\n';
      expect(formatSource(messy, "messy.state").formatted).to.equal(expected);
      expect(edits).to.deep.equal([
        { range: { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } }, newText: expected },
      ]);
      await client.change("messy.state", "locals {\n  zone = \n");
      expect(
        await client.connection.sendRequest(DocumentFormattingRequest.type, {
          textDocument: { uri: client.uri("messy.state") },
          options: { tabSize: 2, insertSpaces: true },
        }),
      ).to.deep.equal([]);
      await client.close("messy.state");
    });

    it("exits with 0 after shutdown and exit", async () => {
      expect(await client.stop()).to.equal(0);
    });
  });

  it("exits with 1 when told to exit without a shutdown first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "statectl-lsp-exit-"));
    const client = new TestClient(dir);
    try {
      await client.initialize();
      await client.connection.sendNotification("exit");
      expect(await client.exited).to.equal(1);
    } finally {
      client.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits with 1 when the client closes the connection without shutdown", async () => {
    const dir = mkdtempSync(join(tmpdir(), "statectl-lsp-close-"));
    const client = new TestClient(dir);
    try {
      await client.initialize();
      client.child.stdin.end();
      expect(await client.exited).to.equal(1);
    } finally {
      client.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
