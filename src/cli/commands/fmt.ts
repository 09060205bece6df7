import type { Command } from "commander";
import { CliExit, ExitCode } from "../exit-codes.js";
import type { GlobalOptions } from "../io.js";

interface FmtOptions {
  check?: boolean;
  diff?: boolean;
  recursive?: boolean;
}

/**
 * `statectl fmt [PATH…]`: rewrites files into canonical style. Files with syntax errors are never
 * touched; their diagnostics are printed and the command exits 1. `--check` writes nothing and
 * exits 3 when something would change.
 */
export function registerFmt(program: Command): void {
  program
    .command("fmt")
    .description("rewrite .state files into canonical style")
    .argument("[paths...]", 'files or directories (default: the working directory); "-" reads stdin and writes stdout')
    .option("--check", "write nothing; list the files that would change and exit 3 if there are any")
    .option("--diff", "print a unified diff of each change (files are still rewritten unless --check)")
    .option("-r, --recursive", "also format files in subdirectories")
    .addHelpText(
      "after",
      `
Without PATH, formats every *.state and *.statevars file in the working directory
(-C DIR picks another). Exit codes: 0 success, 1 syntax errors or unreadable files,
3 with --check when some file is not canonically formatted.`,
    )
    .action(async (paths: string[], opts: FmtOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const { runFmt } = await import("../fmt-run.js");
      const code = runFmt(paths, opts, globals);
      if (code !== ExitCode.Ok) throw new CliExit(code);
    });
}
