#!/usr/bin/env node
/**
 * cli/ — the thin shell over the library: argument parsing (commander), views (human and
 * `--json`), and the only place that chooses exit codes. Each command lives in
 * `commands/<name>.ts` and loads the heavy parts of the engine only when it runs, so
 * `statectl --help` and `validate` start fast. The installed command (package.json's bin,
 * dist/bin/statectl.js) is this file bundled by esbuild (`npm run bundle`), split at each lazy
 * import, so start-up reads a few files instead of resolving every module (docs/performance.md).
 */
import { Command, CommanderError } from "commander";
import { CliExit, ExitCode } from "./exit-codes.js";
import { err, stopWhenOutputCloses } from "./io.js";
import { registerCommands } from "./commands/index.js";
import { readFileSync } from "node:fs";
import { acceptTerraformOptions } from "./terraform-args.js";
import { suggestCommands } from "./suggest-command.js";
import { installDefaultStopHandlers } from "./signals.js";

// The SDK warns on every run under Node 20 about a future release; statectl supports Node 20,
// and every command that talks to SSM (plan, apply, status, run, import …) would print it.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

/**
 * statectl's version from its package.json, read here rather than through state/ so that
 * `statectl validate` and `--help` load no engine module (test/cli/startup.test.ts).
 */
function ownVersion(): string {
  // From dist/bin/ (the bundle) or dist/src/cli/ the package root is two or three levels up.
  for (const rel of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "statectl" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "0.0.0";
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("statectl")
    .description("Keep fleets of servers in a declared state through AWS SSM State Manager.")
    .version(ownVersion(), "-V, --version")
    .option("-C, --chdir <dir>", "run as if started in <dir> (like git -C)")
    .option("--no-color", "disable colour (also: NO_COLOR=1)")
    .showHelpAfterError("(run 'statectl --help' for usage)")
    .exitOverride();
  program.hook("preAction", (cmd) => {
    const dir = cmd.opts().chdir as string | undefined;
    if (dir) {
      try {
        process.chdir(dir);
      } catch {
        throw new CliExit(ExitCode.Usage, `statectl: cannot change to directory "${dir}"`);
      }
    }
  });
  registerCommands(program);
  explainUsageErrors(program);
  return program;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * A usage error shows the usage of the command that was typed (not only "see statectl --help"),
 * and an unknown (sub)command names the closest commands: `stat` → status, state.
 */
function explainUsageErrors(cmd: Command): void {
  if (cmd.parent)
    cmd.showHelpAfterError(
      `Usage: ${cmd.createHelp().commandUsage(cmd)}\n(run '${commandPath(cmd)} --help' for every option)`,
    );
  if (cmd.commands.length > 0) {
    cmd.on("command:*", (operands: string[]) => {
      const word = operands[0] ?? "";
      const names = cmd
        .createHelp()
        .visibleCommands(cmd)
        .flatMap((c) => [c.name(), ...c.aliases()]);
      const close = suggestCommands(word, names);
      const suggestion = close.length === 0 ? "" : ` Did you mean ${close.map((n) => `'${n}'`).join(" or ")}?`;
      cmd.error(`error: unknown command '${word}'${cmd.parent ? ` for '${commandPath(cmd)}'` : ""}.${suggestion}`, {
        code: "commander.unknownCommand",
        exitCode: ExitCode.Usage,
      });
    });
  }
  for (const sub of cmd.commands) explainUsageErrors(sub);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(acceptTerraformOptions(program, argv), { from: "user" });
    return process.exitCode === undefined ? ExitCode.Ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CliExit) {
      if (e.message) err(e.message);
      return e.code;
    }
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help")
        return ExitCode.Ok;
      return ExitCode.Usage;
    }
    // A bug in statectl, not in the user's input: say so plainly, without a stack trace unless asked.
    const message = e instanceof Error ? e.message : String(e);
    err(`statectl: internal error: ${message}`);
    if (process.env.STATECTL_DEBUG) err(e instanceof Error && e.stack ? e.stack : "");
    else err("(set STATECTL_DEBUG=1 for details; please report this as a bug)");
    return ExitCode.Error;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  import.meta.url === new URL(`file://${(await import("node:fs")).realpathSync(process.argv[1])}`).href;
if (invokedDirectly) {
  stopWhenOutputCloses();
  installDefaultStopHandlers();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
