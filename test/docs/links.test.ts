// Every relative link in README.md and docs/*.md points at a file that exists (and, with a
// #fragment into a Markdown file, at a heading that exists), and the README links every doc.
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Markdown with fenced code blocks and code spans blanked out (links there are examples). */
function withoutCode(markdown: string): string {
  return withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, "");
}

function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(```+)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "");
}

/** Link targets: inline links and images `[text](target)` and reference definitions `[id]: target`. */
export function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets: string[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1]!);
  return targets;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const m of withoutCodeBlocks(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]!
      .toLowerCase()
      .replace(/<[^>]+>/g, "")
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = counts.get(slug) ?? 0;
    counts.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function documents(): string[] {
  const docs = readdirSync(join(repoRoot, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(repoRoot, "docs", f));
  return [join(repoRoot, "README.md"), ...docs];
}

describe("docs: links", () => {
  it("every relative link in README.md and docs/*.md resolves, fragments included", () => {
    const broken: string[] = [];
    for (const file of documents()) {
      const markdown = readFileSync(file, "utf8");
      for (const target of linkTargets(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
        const [pathPart, fragment] = target.split("#", 2) as [string, string | undefined];
        const resolved = pathPart === "" ? file : resolve(dirname(file), decodeURIComponent(pathPart));
        const where = `${relative(repoRoot, file)}: (${target})`;
        if (!existsSync(resolved)) {
          broken.push(`${where} — no such file`);
          continue;
        }
        if (
          fragment &&
          resolved.endsWith(".md") &&
          !headingAnchors(readFileSync(resolved, "utf8")).has(fragment.toLowerCase())
        )
          broken.push(`${where} — no heading #${fragment}`);
      }
    }
    expect(broken).to.deep.equal([]);
  });

  it("the README links every document in docs/", () => {
    const readme = linkTargets(readFileSync(join(repoRoot, "README.md"), "utf8")).map((t) => t.split("#")[0]);
    const missing = readdirSync(join(repoRoot, "docs"))
      .filter((f) => f.endsWith(".md"))
      .filter((f) => !readme.includes(`docs/${f}`));
    expect(missing, "add a line for each to the README's Documentation list").to.deep.equal([]);
  });

  it("finds links outside code only, and GitHub's anchors", () => {
    const md = "See [a](a.md#x-y) and ![i](img.png).\n`[no](code.md)`\n```\n[no](block.md)\n```\n[ref]: ref.md\n";
    expect(linkTargets(md)).to.deep.equal(["a.md#x-y", "img.png", "ref.md"]);
    expect([...headingAnchors("# Plan & apply\n## `plan` options\n## Plan & apply\n")]).to.deep.equal([
      "plan--apply",
      "plan-options",
      "plan--apply-1",
    ]);
  });
});
