/**
 * Terraform's command-line habits, accepted as they are typed: `-out=x`, `-auto-approve`,
 * `-var k=v`, `-refresh=false`, `-input=false`, `-help`. Terraform spells every option with one
 * dash and booleans as `-flag=true|false`; statectl documents `--` (commander's form). Rather than
 * listing aliases, the arguments are rewritten before commander sees them, from the options each
 * command actually declares, so an option added to any command gets its single-dash spelling too.
 */
import { defined } from "../diag/index.js";
import type { Command, Option } from "commander";

/** Options that commander answers itself and are not in `cmd.options` under their Terraform spelling. */
const BUILT_IN: Record<string, string> = { help: "--help", version: "--version" };

function longName(option: Option): string | undefined {
  return option.long?.replace(/^--/, "");
}

/** The options in force in `chain` (a command and its ancestors), by long name without dashes. */
function optionsOf(chain: readonly Command[]): Map<string, Option> {
  const byName = new Map<string, Option>();
  for (const cmd of chain)
    for (const o of cmd.options) {
      const name = longName(o);
      if (name !== undefined && !byName.has(name)) byName.set(name, o);
    }
  return byName;
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function subcommand(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, "1": true, "0": false };

/**
 * Rewrites one argument that looks like an option into commander's spelling, or returns it as
 * it is. `[]` drops it (`-refresh=true` is the default already). `consumesNext` says whether the
 * option takes the following argument as its value.
 */
function rewriteOption(
  arg: string,
  options: Map<string, Option>,
  isRoot: boolean,
): { args: string[]; consumesNext: boolean } {
  const m = /^--?([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(arg);
  const single = !arg.startsWith("--");
  // A single letter after one dash is a short option (-C, -r); commander handles those.
  const name = m?.[1];
  if (m === null || name === undefined || (single && name.length < 2)) return { args: [arg], consumesNext: false };
  const value = m[2];
  const option = options.get(name);
  if (option) {
    if (takesValue(option))
      return {
        args: [value === undefined ? `--${name}` : `--${name}=${value}`],
        consumesNext: value === undefined && option.required,
      };
    if (value === undefined) return { args: [`--${name}`], consumesNext: false };
    const on = BOOLEAN_WORDS[value.toLowerCase()];
    // `--json=maybe`: leave it for commander to refuse.
    if (on === undefined) return { args: [arg], consumesNext: false };
    if (on) return { args: [`--${name}`], consumesNext: false };
    // `-auto-approve=false`: the option's absence; `-color=false` style goes through --no-NAME.
    return { args: options.has(`no-${name}`) ? [`--no-${name}`] : [], consumesNext: false };
  }
  const negated = options.get(`no-${name}`);
  if (negated) {
    // `-refresh=false` → `--no-refresh`; `-refresh` / `-refresh=true` is the default.
    const on = value === undefined ? true : BOOLEAN_WORDS[value.toLowerCase()];
    if (on === undefined) return { args: [arg], consumesNext: false };
    return { args: on ? [] : [`--no-${name}`], consumesNext: false };
  }
  if (single && value === undefined && (name === "help" || (isRoot && name === "version")))
    return { args: [defined(BUILT_IN[name], `the built-in option --${name}`)], consumesNext: false };
  return { args: [arg], consumesNext: false };
}

/**
 * `argv` (without node and the script) with Terraform-style options rewritten for `program`.
 * Walks the words the way commander will: global options and subcommand names first, then the
 * chosen command's options; the value of an option that takes one is never rewritten, and
 * nothing after `--` is.
 */
export function acceptTerraformOptions(program: Command, argv: readonly string[]): string[] {
  const chain: Command[] = [program];
  let options = optionsOf(chain);
  let choosingCommand = true;
  const result: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = defined(argv[i], "an argument");
    if (arg === "--") {
      result.push(...argv.slice(i));
      break;
    }
    if (arg.length > 1 && arg.startsWith("-")) {
      const rewritten = rewriteOption(arg, options, chain.length === 1);
      result.push(...rewritten.args);
      const following = argv[i + 1];
      if (rewritten.consumesNext && following !== undefined) {
        result.push(following);
        i++;
      } else if (rewritten.args[0] === arg && /^-[A-Za-z]$/.test(arg)) {
        // A known short option that takes a value (-C DIR): its value is not an option.
        const short = chain.flatMap((c) => c.options).find((o) => o.short === arg);
        if (short?.required && following !== undefined) {
          result.push(following);
          i++;
        }
      }
      continue;
    }
    const current = defined(chain.at(-1), "the command being chosen");

    const next = choosingCommand ? subcommand(current, arg) : undefined;
    if (next) {
      chain.push(next);
      options = optionsOf([...chain].reverse());
    } else {
      choosingCommand = false;
    }
    result.push(arg);
  }
  return result;
}
