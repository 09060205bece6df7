import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createTwoFilesPatch } from "diff";
import { Command } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { CLI_DOC, generatedParts, REGENERATE, updateCliDoc } from "./cli-reference.js";

function allCommands(cmd: Command, prefix = ""): string[] {
  return cmd.commands
    .filter((c) => c.name() !== "help")
    .flatMap((c) => [`${prefix}${c.name()}`, ...allCommands(c, `${prefix}${c.name()} `)]);
}

describe("docs/cli.md: generated from the CLI's definitions", () => {
  const text = readFileSync(CLI_DOC, "utf8");

  it("is up to date", () => {
    const expected = updateCliDoc(text);
    if (expected !== text) {
      const patch = createTwoFilesPatch("docs/cli.md", "docs/cli.md (regenerated)", text, expected, "", "", {
        context: 1,
      });
      expect.fail(
        `docs/cli.md is out of date with the CLI's commander definitions. Run\n\n    ${REGENERATE}\n\nand commit docs/cli.md (then add prose for a new command under its "## name" heading, outside the generated part). The difference:\n\n${patch.slice(0, 4000)}`,
      );
    }
  });

  it("documents every command and subcommand, and every exit code", () => {
    for (const name of allCommands(buildProgram())) expect(text, `statectl ${name}`).to.include(`statectl ${name}`);
    for (const [name, code] of Object.entries(ExitCode)) expect(text, name).to.include(`| \`${code}\` | \`${name}\` |`);
  });

  it("fills a new command's part under its hand-written heading, appends one without a heading, and drops parts of removed commands", () => {
    const program = new Command("statectl");
    program.command("alpha").description("first").option("--flag", "a flag").argument("<x>", "an argument");
    program.command("beta").description("second");
    const parts = generatedParts(program);
    const doc =
      "# cli\n\n## alpha\n\nProse about alpha.\n\n<!-- BEGIN GENERATED: command gone -->\nold\n<!-- END GENERATED: command gone -->\n";
    const updated = updateCliDoc(doc, parts);
    expect(updated).to.not.include("command gone");
    expect(updated.indexOf("<!-- BEGIN GENERATED: command alpha -->")).to.be.within(
      updated.indexOf("## alpha"),
      updated.indexOf("Prose about alpha."),
    );
    expect(updated).to.include("## beta\n\n<!-- BEGIN GENERATED: command beta -->");
    expect(updated).to.include("| `--flag` | a flag |  |");
    expect(updated).to.include("| `<x>` | an argument |  |");
    expect(updateCliDoc(updated, parts)).to.equal(updated);
  });
});
