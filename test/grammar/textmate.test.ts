import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

// The grammar is data for editors; these tests run it through the same engine VS Code uses
// (vscode-textmate on the Oniguruma regex library) and check the scopes of the tokens that matter.

const require = createRequire(import.meta.url);
const grammarPath = fileURLToPath(new URL("../../../grammar/state.tmLanguage.json", import.meta.url));

interface Token {
  line: number;
  text: string;
  scopes: string[];
}

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== "source.state") return null;
      return vsctm.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath);
    },
  });
  const g = await registry.loadGrammar("source.state");
  if (!g) throw new Error("grammar did not load");
  return g;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let stack = vsctm.INITIAL;
  text.split("\n").forEach((lineText, i) => {
    const r = grammar.tokenizeLine(lineText, stack);
    for (const t of r.tokens)
      tokens.push({ line: i + 1, text: lineText.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    stack = r.ruleStack;
  });
  return tokens;
}

/** The scopes of the `nth` token (0-based) whose trimmed text is exactly `text`. */
function scopesOf(tokens: Token[], text: string, nth = 0): string[] {
  const found = tokens.filter((t) => t.text.trim() === text);
  const t = found[nth];
  if (!t)
    throw new Error(
      `no token ${JSON.stringify(text)} (#${nth}); tokens: ${tokens.map((x) => JSON.stringify(x.text)).join(" ")}`,
    );
  return t.scopes;
}

const sample = `# top comment
// slash comment
/* block
   comment */
provider "ssm" {
  endpoint = "local"
}

association "close_port_22" {
  name     = "ClosePort22-\${var.env}"
  document = document.shell.name
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  parameters = {
    commands = [
      "iptables -A INPUT -p tcp --dport 22 -j DROP\\n",
      "echo $\${HOME}",
    ]
    "quoted key" = 1
  }
  max_errors  = count.index + 1.5e3
  enabled     = true && !false
  compliance  = null
  tags        = { for k, v in local.tags : upper(k) => v if v != "" }
  ids         = [for a in association.all[*].id : a]
  merged      = concat(var.a, each.value...)
  script      = <<-EOT
    echo "\${each.key}"
    EOT
}
`;

describe("TextMate grammar (grammar/state.tmLanguage.json)", () => {
  let tokens: Token[];
  before(async () => {
    grammar = await loadGrammar();
    tokens = tokenize(sample);
  });

  it("has the scope name source.state", () => {
    const raw = JSON.parse(readFileSync(grammarPath, "utf8")) as { scopeName: string };
    expect(raw.scopeName).to.equal("source.state");
  });

  it("scopes all three comment forms", () => {
    expect(scopesOf(tokens, "top comment")).to.include("comment.line.number-sign.state");
    expect(scopesOf(tokens, "slash comment")).to.include("comment.line.double-slash.state");
    expect(scopesOf(tokens, "comment")).to.include("comment.block.state");
    expect(scopesOf(tokens, "block")).to.include("comment.block.state");
  });

  it("scopes block types and labels", () => {
    expect(scopesOf(tokens, "provider")).to.include("entity.name.type.block.state");
    expect(scopesOf(tokens, "association")).to.include("entity.name.type.block.state");
    expect(scopesOf(tokens, "targets")).to.include("entity.name.type.block.state");
    expect(scopesOf(tokens, "close_port_22")).to.include("entity.name.label.state");
    expect(scopesOf(tokens, "ssm")).to.include("entity.name.label.state");
  });

  it("scopes attribute names and object keys", () => {
    for (const name of ["endpoint", "name", "key", "values", "parameters", "max_errors", "script"]) {
      expect(scopesOf(tokens, name), name).to.include("entity.other.attribute-name.state");
    }
    expect(scopesOf(tokens, "commands")).to.include("entity.other.attribute-name.state");
    expect(scopesOf(tokens, "commands")).to.include("meta.object-key.state");
  });

  it("scopes strings, escapes and interpolation", () => {
    expect(scopesOf(tokens, "ClosePort22-")).to.include("string.quoted.double.state");
    expect(scopesOf(tokens, "${")).to.include("punctuation.section.interpolation.begin.state");
    expect(scopesOf(tokens, "var")).to.include("variable.language.state");
    expect(scopesOf(tokens, "var")).to.include("meta.interpolation.state");
    expect(scopesOf(tokens, "\\n")).to.include("constant.character.escape.state");
    expect(scopesOf(tokens, "$${")).to.include("constant.character.escape.state");
    expect(scopesOf(tokens, "HOME}")).to.include("string.quoted.double.state");
    expect(scopesOf(tokens, "HOME}")).not.to.include("meta.interpolation.state");
  });

  it("scopes heredocs with their interpolation, and resumes after the closing marker", () => {
    expect(scopesOf(tokens, "<<-")).to.include("keyword.operator.heredoc.state");
    expect(scopesOf(tokens, "EOT", 0)).to.include("keyword.control.heredoc-token.state");
    expect(scopesOf(tokens, 'echo "')).to.include("string.unquoted.heredoc.state");
    expect(scopesOf(tokens, "each", 1)).to.include("meta.interpolation.state");
    expect(scopesOf(tokens, "EOT", 1)).to.include("keyword.control.heredoc-token.state");
    const closing = tokens.filter((t) => t.line === sample.split("\n").length - 1);
    expect(closing.map((t) => t.text)).to.deep.equal(["}"]);
    expect(closing[0]!.scopes).to.include("punctuation.section.block.end.state");
  });

  it("scopes numbers, language constants and operators", () => {
    expect(scopesOf(tokens, "1.5e3")).to.include("constant.numeric.state");
    expect(scopesOf(tokens, "true")).to.include("constant.language.state");
    expect(scopesOf(tokens, "false")).to.include("constant.language.state");
    expect(scopesOf(tokens, "null")).to.include("constant.language.state");
    expect(scopesOf(tokens, "&&")).to.include("keyword.operator.logical.state");
    expect(scopesOf(tokens, "!")).to.include("keyword.operator.logical.state");
    expect(scopesOf(tokens, "!=")).to.include("keyword.operator.comparison.state");
    expect(scopesOf(tokens, "+")).to.include("keyword.operator.arithmetic.state");
    expect(scopesOf(tokens, "=>")).to.include("keyword.operator.state");
  });

  it("scopes function calls, references and for-expressions", () => {
    expect(scopesOf(tokens, "upper")).to.include("support.function.state");
    expect(scopesOf(tokens, "concat")).to.include("support.function.state");
    expect(scopesOf(tokens, "...")).to.include("keyword.operator.expand.state");
    // [name, occurrence]: earlier occurrences are block types or string contents.
    const refs: [string, number][] = [
      ["document", 1],
      ["count", 0],
      ["local", 1],
      ["each", 0],
      ["association", 1],
    ];
    for (const [ref, nth] of refs) {
      expect(scopesOf(tokens, ref, nth), ref).to.include("variable.language.state");
    }
    expect(scopesOf(tokens, "local", 0)).to.include("string.quoted.double.state");
    expect(scopesOf(tokens, "index")).to.include("variable.other.member.state");
    expect(scopesOf(tokens, "for")).to.include("keyword.control.for.state");
    expect(scopesOf(tokens, "in")).to.include("keyword.control.in.state");
    expect(scopesOf(tokens, "if")).to.include("keyword.control.if.state");
    expect(scopesOf(tokens, "*", 1)).to.include("keyword.operator.splat.state");
  });

  it("returns to the top level after every block closes", () => {
    const t = tokenize(`a "x" {\n  b = { c = [1, {d = 2}] }\n}\nlocals {\n}\n`);
    expect(scopesOf(t, "locals")).to.deep.equal(["source.state", "meta.block.state", "entity.name.type.block.state"]);
  });
});
