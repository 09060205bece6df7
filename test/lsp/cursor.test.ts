/**
 * The cursor's context in half-typed text (what completion decides from). `|` marks the cursor;
 * everything after it is ignored by the context, as when someone is typing in the middle of a file.
 */
import { expect } from "chai";
import { associationDocument, cursorContext, type CursorContext } from "../../src/lsp/index.js";

function at(source: string): Omit<CursorContext, "frames"> & { frames: string[] } {
  const offset = source.indexOf("|");
  const ctx = cursorContext(source.replace("|", ""), offset);
  return {
    ...ctx,
    frames: ctx.frames.map((f) =>
      f.kind === "block" ? `block:${f.type}` : "key" in f && f.key ? `${f.kind}:${f.key}` : f.kind,
    ),
  };
}

describe("lsp/cursor: the context at the cursor", () => {
  const cases: Array<[string, Partial<ReturnType<typeof at>>]> = [
    ["|", { position: "item-start", blockPath: [], prefix: "" }],
    ["docu|", { position: "item-start", blockPath: [], prefix: "docu" }],
    ['document "x" {\n  na|\n}', { position: "item-start", blockPath: ["document"], prefix: "na" }],
    [
      'association "a" {\n  targets {\n    |',
      { position: "item-start", blockPath: ["association", "targets"], frames: ["block:association", "block:targets"] },
    ],
    ["provider |", { position: "block-label", attribute: "provider" }],
    [
      'association "a" {\n  document = "AWS-Ru|"\n}',
      { position: "string", prefix: "AWS-Ru", attribute: "document", blockPath: ["association"] },
    ],
    ['association "a" {\n  document = "|', { position: "string", prefix: "", attribute: "document" }],
    [
      'association "a" {\n  parameters = {\n    com|',
      { position: "object-key", prefix: "com", frames: ["block:association", "object:parameters"] },
    ],
    [
      'association "a" {\n  parameters = {\n    commands = [var.|',
      { position: "value", traversal: ["var"], attribute: "parameters" },
    ],
    [
      "locals {\n  a = document.web.na|\n}",
      { position: "value", traversal: ["document", "web"], prefix: "na", attribute: "a" },
    ],
    [
      'locals {\n  a = "x-${local.|}"\n}',
      { position: "value", traversal: ["local"], frames: ["block:locals", "string:a", "interp"] },
    ],
    ["locals {\n  a = upper(|", { position: "value", frames: ["block:locals", "paren"], attribute: undefined }],
    ["locals {\n  a = 1 # comment {\n  |", { position: "item-start", blockPath: ["locals"] }],
    ["locals {\n  a = <<-EOT\n  }\n  EOT\n  |", { position: "item-start", blockPath: ["locals"] }],
    ['document "x" {\n  tags = { env = "a" }\n  |', { position: "item-start", blockPath: ["document"] }],
  ];
  for (const [source, expected] of cases) {
    it(JSON.stringify(source), () => {
      const ctx = at(source);
      for (const [k, v] of Object.entries(expected)) expect((ctx as Record<string, unknown>)[k], k).to.deep.equal(v);
    });
  }

  it("finds the association's document argument anywhere in its body, and only at its top level", () => {
    const text =
      'association "a" {\n  parameters = {\n    document = "nope"\n  }\n  document = "AWS-RunShellScript"\n}\n';
    expect(associationDocument(text, text.indexOf("{"))).to.deep.equal({ kind: "aws", name: "AWS-RunShellScript" });
    const managed = 'association "a" {\n  document = document.setup.name\n}\n';
    expect(associationDocument(managed, managed.indexOf("{"))).to.deep.equal({ kind: "managed", name: "setup" });
    const none = 'association "a" {\n  schedule = "rate(1 day)"\n}\ndocument "d" {\n  document = "x"\n}\n';
    expect(associationDocument(none, none.indexOf("{"))).to.equal(undefined);
  });
});
