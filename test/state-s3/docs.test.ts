import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("docs for the S3 backend and workspaces", () => {
  const sources = [
    "src/state-s3/s3.ts",
    "src/engine/backend.ts",
    "src/cli/commands/workspace.ts",
    "src/cli/commands/state-transfer.ts",
    "src/config/decode.ts",
  ].map((f) => join(root, f));
  const codes = new Set(
    sources.flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/"((?:backend|workspace)\/[a-z-]*[a-z])"/g)].map((m) => m[1]!),
    ),
  );

  it("docs/diagnostics.md has a section for every backend/* and workspace/* code", () => {
    expect(codes.size).to.be.greaterThan(12);
    const docs = readFileSync(join(root, "docs", "diagnostics.md"), "utf8");
    expect([...codes].filter((c) => !docs.includes("### `" + c + "`"))).to.deep.equal([]);
  });

  it("docs/backends.md shows the IAM policy with every S3 action the backend calls", () => {
    const docs = readFileSync(join(root, "docs", "backends.md"), "utf8");
    const code = readFileSync(join(root, "src/state-s3/s3.ts"), "utf8");
    const actions: Record<string, string> = {
      GetObjectCommand: "s3:GetObject",
      PutObjectCommand: "s3:PutObject",
      DeleteObjectCommand: "s3:DeleteObject",
      ListObjectsV2Command: "s3:ListBucket",
      GetBucketVersioningCommand: "s3:GetBucketVersioning",
    };
    const used = [...new Set([...code.matchAll(/new sdk\.(\w+Command)\(/g)].map((m) => m[1]!))];
    expect(used.filter((c) => !(c in actions))).to.deep.equal([]);
    const policy = /```json\n([\s\S]*?)```/.exec(docs.slice(docs.indexOf("## IAM policy")))![1]!;
    const parsed = JSON.parse(policy) as { Statement: { Action: string | string[] }[] };
    const granted = new Set(parsed.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
    expect(used.map((c) => actions[c]!).filter((a) => !granted.has(a))).to.deep.equal([]);
  });
});
