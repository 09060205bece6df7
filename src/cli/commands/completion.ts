import type { Command } from "commander";
import { defined } from "../../diag/index.js";
import { CliExit, ExitCode } from "../exit-codes.js";
import { out } from "../io.js";

/** Options whose value is a resource address, completed from the state. */
const ADDRESS_OPTIONS = ["--target", "--replace"];
/** Commands whose arguments are addresses in the state. */
const ADDRESS_COMMANDS = ["state show", "state rm", "state mv", "import", "output"];

interface Node {
  path: string;
  subcommands: { name: string; description: string }[];
  options: { flag: string; description: string; takesValue: boolean }[];
}

/** Every command of the program with its subcommands and long options, read from commander. */
function commandTree(program: Command): Node[] {
  const nodes: Node[] = [];
  const visit = (cmd: Command, path: string, inherited: Node["options"]): void => {
    const own = cmd.options.flatMap((o) =>
      o.long && !o.hidden ? [{ flag: o.long, description: o.description, takesValue: o.required || o.optional }] : [],
    );
    const options = [...own, ...inherited, { flag: "--help", description: "show help", takesValue: false }];
    const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden && c.name() !== "help");
    nodes.push({ path, subcommands: subs.map((c) => ({ name: c.name(), description: c.description() })), options });
    // The program's own options are global: every command accepts them.
    for (const c of subs) visit(c, path === "" ? c.name() : `${path} ${c.name()}`, path === "" ? own : inherited);
  };
  visit(program, "", []);
  return nodes;
}

function shellWords(words: readonly string[]): string {
  return words.join(" ").replace(/'/g, "");
}

function bashScript(nodes: Node[]): string {
  const subs = nodes
    .map((n) => `    "${n.path}") echo '${shellWords(n.subcommands.map((s) => s.name))}' ;;`)
    .join("\n");
  const opts = nodes.map((n) => `    "${n.path}") echo '${shellWords(n.options.map((o) => o.flag))}' ;;`).join("\n");
  return `# statectl completion for bash. Load it with:  source <(statectl completion bash)
_statectl_subcommands() {
  case "$1" in
${subs}
  esac
}
_statectl_options() {
  case "$1" in
${opts}
  esac
}
_statectl_addresses() {
  local cmd=statectl
  command -v statectl >/dev/null 2>&1 || cmd="\${COMP_WORDS[0]}"
  "$cmd" state list 2>/dev/null
}
_statectl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" i w args=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      -C|--chdir) ((i++)) ;;
      -*) ;;
      *)
        if [[ " $(_statectl_subcommands "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; else ((args++)); fi ;;
    esac
  done
  case "\${prev#-}" in
    ${ADDRESS_OPTIONS.map((o) => o.slice(1)).join("|")})
      local IFS=$'\\n'
      COMPREPLY=($(compgen -W "$(_statectl_addresses)" -- "$cur"))
      return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_statectl_options "$path")" -- "$cur"))
    return
  fi
  local subs
  subs="$(_statectl_subcommands "$path")"
  if [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return
  fi
  case "$path" in
    ${ADDRESS_COMMANDS.map((c) => `"${c}"`).join("|")})
      local IFS=$'\\n'
      COMPREPLY=($(compgen -W "$(_statectl_addresses)" -- "$cur"))
      return ;;
  esac
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o default -F _statectl statectl
`;
}

function zshScript(nodes: Node[]): string {
  return `#compdef statectl
# statectl completion for zsh. Load it with:  source <(statectl completion zsh)
# (zsh's bash-completion emulation runs the bash completion below)
autoload -U +X bashcompinit && bashcompinit
${bashScript(nodes).replace(/^# statectl completion for bash.*\n/, "")}`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function fishScript(nodes: Node[]): string {
  const lines = [
    "# statectl completion for fish. Load it with:  statectl completion fish | source",
    "complete -c statectl -f",
  ];
  const topNames = defined(
    nodes.find((n) => n.path === ""),
    "the program's own node",
  ).subcommands.map((s) => s.name);

  for (const n of nodes) {
    const words = n.path === "" ? [] : n.path.split(" ");
    // "after exactly these command words": the last one seen, and none of its own subcommands yet.
    const condition =
      words.length === 0
        ? `not __fish_seen_subcommand_from ${topNames.join(" ")}`
        : `__fish_seen_subcommand_from ${words[words.length - 1]}${n.subcommands.length > 0 ? `; and not __fish_seen_subcommand_from ${n.subcommands.map((s) => s.name).join(" ")}` : ""}`;
    for (const s of n.subcommands)
      lines.push(`complete -c statectl -n ${fishQuote(condition)} -a ${s.name} -d ${fishQuote(s.description)}`);
    for (const o of n.options) {
      const address = ADDRESS_OPTIONS.includes(o.flag);
      lines.push(
        `complete -c statectl -n ${fishQuote(condition)} -l ${o.flag.slice(2)}${o.takesValue ? " -r" : ""}${address ? " -xa '(statectl state list 2>/dev/null)'" : ""} -d ${fishQuote(o.description)}`,
      );
    }
    if (ADDRESS_COMMANDS.includes(n.path))
      lines.push(`complete -c statectl -n ${fishQuote(condition)} -xa '(statectl state list 2>/dev/null)'`);
  }
  return lines.join("\n") + "\n";
}

/**
 * `statectl completion bash|zsh|fish`: a completion script for the shell — commands, their
 * options, and resource addresses from the state (for --target, --replace and the state
 * commands), generated from the CLI's own definitions so new commands and options are included.
 */
export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script: commands, options, and addresses from the state")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      `
Load it in the current shell, or add the line to your shell's start-up file:
  bash:  source <(statectl completion bash)
  zsh:   source <(statectl completion zsh)
  fish:  statectl completion fish | source`,
    )
    .action((shell: string) => {
      const nodes = commandTree(program);
      if (shell === "bash") out(bashScript(nodes));
      else if (shell === "zsh") out(zshScript(nodes));
      else if (shell === "fish") out(fishScript(nodes));
      else
        throw new CliExit(
          ExitCode.Usage,
          `statectl completion: "${shell}" is not a shell statectl completes; use bash, zsh or fish`,
        );
    });
}
