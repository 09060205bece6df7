/**
 * What `statectl validate` loads (issue 10: start-up ≤ 150 ms). The speed itself is measured by
 * `npm run bench -- --only cli`; this test guards its causes without timing anything: the command
 * runs with a preload that records every module the process loads (ESM through a loader hook,
 * CommonJS through the require cache at exit), and the lists must leave out the heavy parts that
 * validate does not need — node:crypto, the AWS SDK, the engine's SSM client, state, plan, apply, the local
 * endpoint, the language server, yaml/cron-parser/diff/graphlib, Chevrotain's package entry.
 * The installed command (package.json's bin) is the bundle `npm run bundle` builds; its chunks are
 * mapped back to their source modules through the bundle's metafile (dist/bin/meta.json).
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureBundle } from "./helpers.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(
  repoRoot,
  (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { bin: { statectl: string } }).bin.statectl,
);
const unbundledMain = join(repoRoot, "dist", "src", "cli", "main.js");

/** Packages validate must not load (each costs from a few to hundreds of milliseconds). */
const HEAVY_PACKAGES = [
  "@aws-sdk/",
  "@smithy/",
  "yaml",
  "cron-parser",
  "diff",
  "@dagrejs/graphlib",
  "vscode-languageserver",
  "lodash-es",
  "chevrotain/lib/src/",
];

/** Source modules validate may run: parse, decode, evaluate, check against SSM's rules, print. */
function allowedSource(module: string): boolean {
  const [room, file] = module.split("/");
  if (["diag", "addrs", "ssm", "syntax", "config", "eval", "cli"].includes(room!)) return true;
  return room === "engine" && (file === "validate.js" || file === "ssm-validation.js");
}

// A configuration like the bench's: a JSON document, associations with a cron schedule that surely fires.
const CONFIG = `document "d" {
  name    = "Startup-Doc"
  content = jsonencode({
    schemaVersion = "2.2"
    parameters    = { greeting = { type = "String", default = "hello" } }
    mainSteps     = [{ action = "aws:runShellScript", name = "say", inputs = { runCommand = ["echo {{ greeting }}"] } }]
  })
}

association "a" {
  name       = "startup-a"
  document   = document.d.name
  parameters = { greeting = ["hi"] }
  schedule   = "cron(0 2 ? * SUN *)"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
}
`;

describe("cli: what statectl validate loads", function () {
  this.timeout(60_000);
  let dir: string;
  let log: string;
  before(() => {
    ensureBundle();
    dir = mkdtempSync(join(tmpdir(), "statectl-startup-"));
    log = join(dir, "loaded.txt");
    writeFileSync(
      join(dir, "hooks.mjs"),
      'import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) {\n  appendFileSync(process.env.STATECTL_TEST_LOADED, url + "\\n");\n  return next(url, context);\n}\n',
    );
    writeFileSync(
      join(dir, "preload.mjs"),
      'import { register, createRequire } from "node:module";\nimport { appendFileSync } from "node:fs";\nimport { pathToFileURL } from "node:url";\nregister("./hooks.mjs", import.meta.url);\nconst cache = createRequire(import.meta.url).cache;\nprocess.on("exit", () => appendFileSync(process.env.STATECTL_TEST_LOADED, Object.keys(cache).map((f) => pathToFileURL(f).href + "\\n").join("")));\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The Node.js modules the last run imported (as ESM: `import … from "node:…"`). */
  let builtins: string[] = [];

  /** Runs the CLI in a configuration directory; returns the files it loaded, relative to the repository. */
  function loadedBy(main: string, config: Record<string, string>, args: string[]): string[] {
    const cwd = mkdtempSync(join(dir, "config-"));
    for (const [name, text] of Object.entries(config)) writeFileSync(join(cwd, name), text);
    writeFileSync(log, "");
    const r = spawnSync(
      process.execPath,
      ["--import", pathToFileURL(join(dir, "preload.mjs")).href, main, "-C", cwd, ...args],
      {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", STATECTL_TEST_LOADED: log },
      },
    );
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    const loaded = readFileSync(log, "utf8").split("\n");
    builtins = loaded.filter((u) => u.startsWith("node:"));
    const files = loaded
      .filter((u) => u.startsWith("file:"))
      .map((u) => relative(repoRoot, fileURLToPath(u)).split("\\").join("/"));
    return [...new Set(files)].filter((f) => !f.startsWith("..") || f.includes("node_modules"));
  }

  const heavy = (files: string[]) => files.filter((f) => HEAVY_PACKAGES.some((p) => f.includes(`node_modules/${p}`)));

  it("the installed command (the bundle) loads only validate's own modules, and no heavy package", () => {
    const files = loadedBy(bin, { "main.state": CONFIG }, ["validate"]);
    expect(heavy(files)).to.deep.equal([]);
    // node:crypto (~4 ms) is loaded by the hash functions when they run, not on start-up.
    expect(builtins).to.not.include("node:crypto");
    // Everything of statectl comes from the bundle, none from dist/src (that would be the slow path).
    expect(files.filter((f) => f.startsWith("dist/src/"))).to.deep.equal([]);
    const meta = JSON.parse(readFileSync(join(repoRoot, "dist", "bin", "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };
    const chunks = files.filter((f) => f.startsWith("dist/bin/"));
    expect(chunks).to.include(relative(repoRoot, bin));
    const sources = chunks.flatMap((c) => {
      const output = meta.outputs[c];
      expect(output, `${c} is not in dist/bin/meta.json (a stale bundle?)`).to.not.equal(undefined);
      return Object.keys(output!.inputs);
    });
    expect(sources).to.include("dist/src/engine/validate.js");
    expect(
      sources.filter((s) => s.startsWith("dist/src/") && !allowedSource(s.slice("dist/src/".length))),
    ).to.deep.equal([]);
    expect(heavy(sources)).to.deep.equal([]);
  });

  it("dist/src/cli/main.js (unbundled) loads the same rooms: the commands import the engine lazily", () => {
    const files = loadedBy(unbundledMain, { "main.state": CONFIG }, ["validate"]);
    expect(heavy(files)).to.deep.equal([]);
    expect(builtins).to.not.include("node:crypto");
    expect(files).to.include("dist/src/engine/validate.js");
    expect(files.filter((f) => f.startsWith("dist/src/") && !allowedSource(f.slice("dist/src/".length)))).to.deep.equal(
      [],
    );
  });

  it("the recording sees what a command does load: YAML content loads yaml, plan loads the SDK", () => {
    // YAML document content needs the yaml package; without this the test above could pass blind.
    const yamlDoc =
      'document "d" {\n  name    = "Startup-Yaml"\n  format  = "YAML"\n  content = "schemaVersion: \'2.2\'\\nmainSteps:\\n  - action: aws:runShellScript\\n    name: run\\n    inputs:\\n      runCommand: [\'true\']\\n"\n}\n';
    const files = loadedBy(bin, { "main.state": yamlDoc }, ["validate"]);
    expect(files.some((f) => f.includes("node_modules/yaml/"))).to.equal(true);
    const plan = loadedBy(bin, { "main.state": 'provider "ssm" {\n  endpoint = "local"\n}\n' }, ["plan"]);
    expect(plan.some((f) => f.includes("node_modules/@aws-sdk/"))).to.equal(true);
  });
});
