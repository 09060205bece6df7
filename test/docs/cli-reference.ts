// docs/cli.md's reference parts, generated from the CLI's own commander definitions (every
// command, subcommand, argument, option and default) and from src/cli/exit-codes.ts (the exit
// code table). Hand-written prose stays: only the text between
//   <!-- BEGIN GENERATED: <part> -->  and  <!-- END GENERATED: <part> -->
// is replaced. A command without a generated part gets one under its `## name` heading, or a new
// section at the end.
//
//   npm run docs:cli        rewrites docs/cli.md
//   test/docs/cli-reference.test.ts fails when docs/cli.md is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Help, type Argument, type Command, type Option } from "commander";
import ts from "typescript";
import { buildProgram } from "../../src/cli/main.js";

export const REGENERATE = "npm run docs:cli";
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CLI_DOC = join(repoRoot, "docs", "cli.md");

const help = new Help();

/** Markdown for plain text: characters Markdown would take as markup are escaped outside `code`. */
function md(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((piece, i) =>
      i % 2 === 1 ? piece : piece.replace(/[\\*_<>|]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : `\\${c}`)),
    )
    .join("")
    .replace(/\n/g, " ");
}

function cell(text: string): string {
  return md(text);
}

function visibleSubcommands(cmd: Command): Command[] {
  return help.visibleCommands(cmd).filter((c) => c.name() !== "help");
}

function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function usage(cmd: Command): string {
  return help.commandUsage(cmd);
}

function defaultText(value: unknown, description?: string): string {
  if (description) return description;
  if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) return "";
  return `\`${JSON.stringify(value)}\``;
}

function argumentsTable(args: readonly Argument[]): string[] {
  if (args.length === 0) return [];
  const rows = args.map((a) => {
    const name = `${a.required ? "<" : "["}${a.name()}${a.variadic ? "..." : ""}${a.required ? ">" : "]"}`;
    const choices = a.argChoices ? ` (one of: ${a.argChoices.join(", ")})` : "";
    return `| \`${name}\` | ${cell(a.description + choices)} | ${defaultText(a.defaultValue, a.defaultValueDescription)} |`;
  });
  return ["| argument | meaning | default |", "|---|---|---|", ...rows, ""];
}

function optionsTable(options: readonly Option[]): string[] {
  const visible = options.filter((o) => !o.hidden && o.long !== "--help");
  if (visible.length === 0) return [];
  const rows = visible.map((o) => {
    const choices = o.argChoices ? ` (one of: ${o.argChoices.join(", ")})` : "";
    const env = o.envVar ? ` (env: \`${o.envVar}\`)` : "";
    const dflt = o.negate ? "" : defaultText(o.defaultValue, o.defaultValueDescription);
    return `| \`${o.flags}\` | ${cell(o.description + choices + env)} | ${dflt} |`;
  });
  return ["| option | meaning | default |", "|---|---|---|", ...rows, ""];
}

/** Usage, description, arguments and options of one command, then each subcommand the same way. */
export function commandReference(cmd: Command, depth = 0): string[] {
  const lines: string[] = [];
  if (depth > 0) lines.push(`#### \`${fullName(cmd)}\``, "");
  lines.push("```text", usage(cmd), "```", "");
  const description = cmd.description();
  if (description)
    lines.push(
      md(description.charAt(0).toUpperCase() + description.slice(1) + (/[.!?]$/.test(description) ? "" : ".")),
      "",
    );
  lines.push(...argumentsTable(cmd.registeredArguments), ...optionsTable(cmd.options));
  const subs = visibleSubcommands(cmd);
  if (subs.length > 0 && depth === 0) lines.push(`Subcommands: ${subs.map((s) => `\`${s.name()}\``).join(", ")}.`, "");
  for (const sub of subs) lines.push(...commandReference(sub, depth + 1));
  return lines;
}

/** The exit codes with the TSDoc comment of each member of `ExitCode` in src/cli/exit-codes.ts. */
export function exitCodeTable(): string[] {
  const path = join(repoRoot, "src", "cli", "exit-codes.ts");
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const rows: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === "ExitCode" &&
      node.initializer
    ) {
      let init: ts.Expression = node.initializer;
      while (ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (ts.isObjectLiteralExpression(init)) {
        for (const p of init.properties) {
          if (!ts.isPropertyAssignment(p) || !ts.isNumericLiteral(p.initializer)) continue;
          const doc = ts
            .getJSDocCommentsAndTags(p)
            .map((d) => (typeof d.comment === "string" ? d.comment : ""))
            .join(" ")
            .trim();
          rows.push(`| \`${p.initializer.text}\` | \`${p.name.getText(source)}\` | ${cell(doc)} |`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (rows.length === 0) throw new Error(`no ExitCode members found in ${path}`);
  return ["| code | name | meaning |", "|---|---|---|", ...rows, ""];
}

function globalOptions(program: Command): string[] {
  return ["```text", `${program.name()} [global options] <command> …`, "```", "", ...optionsTable(program.options)];
}

/** Every generated part by name: `global-options`, `exit-codes`, `command NAME`. */
export function generatedParts(program: Command = buildProgram()): Map<string, string> {
  const parts = new Map<string, string>();
  parts.set("global-options", globalOptions(program).join("\n"));
  parts.set("exit-codes", exitCodeTable().join("\n"));
  for (const cmd of visibleSubcommands(program)) parts.set(`command ${cmd.name()}`, commandReference(cmd).join("\n"));
  return parts;
}

const PART = /<!-- BEGIN GENERATED: ([^>]+?) -->\n[\s\S]*?<!-- END GENERATED: \1 -->/g;

function block(name: string, body: string): string {
  return `<!-- BEGIN GENERATED: ${name} -->\n<!-- Generated from the CLI's definitions; edit them (src/cli/), not this part, then run ${REGENERATE}. -->\n\n${body.trimEnd()}\n\n<!-- END GENERATED: ${name} -->`;
}

/**
 * docs/cli.md with every generated part brought up to date: parts in the document are
 * replaced (parts for commands that no longer exist are removed), and commands without a
 * part get a new section at the end.
 */
export function updateCliDoc(text: string, parts: Map<string, string> = generatedParts()): string {
  const seen = new Set<string>();
  let out = text.replace(PART, (_all, name: string) => {
    const body = parts.get(name);
    if (body === undefined) return "";
    seen.add(name);
    return block(name, body);
  });
  const missing = [...parts.keys()].filter((name) => !seen.has(name));
  for (const name of missing) {
    const heading = name.startsWith("command ") ? name.slice("command ".length) : name;
    // A hand-written section for the command gets the part right under its heading.
    const existing = new RegExp(`^## ${heading.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ \\t]*\n`, "m").exec(out);
    if (existing)
      out = `${out.slice(0, existing.index + existing[0].length)}\n${block(name, parts.get(name)!)}\n${out.slice(existing.index + existing[0].length)}`;
    else out = `${out.trimEnd()}\n\n## ${heading}\n\n${block(name, parts.get(name)!)}\n`;
  }
  return out;
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const before = readFileSync(CLI_DOC, "utf8");
  const after = updateCliDoc(before);
  if (after !== before) writeFileSync(CLI_DOC, after);
  process.stdout.write(after === before ? "docs/cli.md is up to date.\n" : "docs/cli.md regenerated.\n");
}
