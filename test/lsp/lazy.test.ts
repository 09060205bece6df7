/**
 * The language server is loaded only by `statectl lsp`: other commands (validate first) start
 * without it. A module-loader hook reports every lsp module and vscode-languageserver file the
 * built CLI loads.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

describe("lsp: loaded only by statectl lsp", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-lsp-lazy-"));
    // Written with writeSync: on Node 22 and later the hooks run on a thread of their own, whose
    // process.stderr is piped through the main thread and loses what is in flight when a server
    // with nothing on stdin exits at once (1 run in 5 on Node 24).
    writeFileSync(
      join(dir, "hook.mjs"),
      'import { writeSync } from "node:fs";\nexport async function load(url, context, next) {\n  if (url.includes("/src/lsp/") || url.includes("vscode-languageserver")) writeSync(2, `LOADED ${url}\\n`);\n  return next(url, context);\n}\n',
    );
    writeFileSync(
      join(dir, "register.mjs"),
      'import { register } from "node:module";\nregister("./hook.mjs", import.meta.url);\n',
    );
    writeFileSync(join(dir, "main.state"), 'variable "x" {\n  default = 1\n}\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) =>
    spawnSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, main, "-C", dir, ...args], {
      encoding: "utf8",
      input: "",
      env: { ...process.env, NO_COLOR: "1" },
    });

  it("statectl validate and --help load none of it", () => {
    const validate = run(["validate"]);
    expect(validate.status, validate.stderr).to.equal(0);
    expect(validate.stderr).not.to.contain("LOADED");
    const help = run(["--help"]);
    expect(help.stdout).to.contain("lsp");
    expect(help.stderr).not.to.contain("LOADED");
  });

  it("statectl lsp loads the server (the hook does see it)", () => {
    const lsp = run(["lsp"]);
    expect(lsp.stderr).to.contain("/src/lsp/index.js").and.to.contain("vscode-languageserver");
  });
});
