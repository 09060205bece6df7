// One test over the whole diagnostic registry (src/diag/codes.ts): every registered code has its
// own section in docs/diagnostics.md, every section names a registered code, and every code the
// sources spell out is registered (the type of `error()` enforces this for calls; this also
// catches codes kept in plain strings, such as comparisons).
import { expect } from "chai";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { allDiagnosticCodes, describeCode, docAnchor, isDiagnosticCode } from "../../src/diag/index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const docs = readFileSync(join(root, "docs/diagnostics.md"), "utf8");

/** GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces to -. */
function githubSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("diag: the registry of diagnostic codes", () => {
  const registered = allDiagnosticCodes();
  const headings = docs
    .split("\n")
    .filter((l) => l.startsWith("### "))
    .map((l) => l.slice(4).trim());

  it("registers codes of every room that reports problems, each with a summary", () => {
    const rooms = new Set(registered.map((c) => c.code.split("/")[0]));
    for (const room of [
      "syntax",
      "config",
      "eval",
      "addrs",
      "ssm",
      "state",
      "graph",
      "plan",
      "apply",
      "engine",
      "import",
      "operate",
      "validate",
      "output",
      "fmt",
    ])
      expect(rooms, room).to.include(room);
    for (const c of registered) expect(c.summary.length, c.code).to.be.greaterThan(3);
  });

  it("gives every registered code its own heading in docs/diagnostics.md, where its doc anchor points", () => {
    const anchors = new Set(headings.map(githubSlug));
    const undocumented = registered.filter((c) => !headings.includes("`" + c.code + "`")).map((c) => c.code);
    expect(undocumented).to.deep.equal([]);
    expect(registered.filter((c) => !anchors.has(docAnchor(c.code))).map((c) => c.code)).to.deep.equal([]);
    expect(describeCode("syntax/unexpected-token").doc).to.equal("docs/diagnostics.md#syntaxunexpected-token");
  });

  it("documents no code that is not registered", () => {
    const stale = headings
      .filter((h) => /^`[a-z]+\/[a-z0-9-]+`$/.test(h))
      .map((h) => h.slice(1, -1))
      .filter((c) => !isDiagnosticCode(c));
    expect(stale).to.deep.equal([]);
  });

  it("registers every code the sources spell out", () => {
    const prefixes = [...new Set(registered.map((c) => c.code.split("/")[0]!))].join("|");
    const pattern = new RegExp(`["'\`]((?:${prefixes})/[a-z0-9-]*[a-z0-9])["'\`]`, "g");
    const spelt = new Set(
      sources(join(root, "src")).flatMap((f) => [...readFileSync(f, "utf8").matchAll(pattern)].map((m) => m[1]!)),
    );
    const unregistered = [...spelt].filter((c) => !isDiagnosticCode(c));
    expect(unregistered).to.deep.equal([]);
  });
});
