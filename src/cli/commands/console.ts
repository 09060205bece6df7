import type { Command } from "commander";
import { dirname } from "node:path";
import { CliExit, ExitCode } from "../exit-codes.js";
import { err, out, useColor, type GlobalOptions } from "../io.js";
import { collect } from "../validate-config.js";

interface ConsoleOptions {
  var?: string[];
  varFile?: string[];
  state?: string;
  history?: boolean;
}

/** Where the interactive console keeps what was typed, beside the local endpoint's data. */
export const CONSOLE_HISTORY = ".statectl/console_history";
const HISTORY_SIZE = 500;

/**
 * `statectl console`: evaluate expressions against the configuration, with the attributes the
 * state records (so `association.web.association_id` is known after an apply), like `terraform
 * console`. Interactive on a terminal (history kept in .statectl/console_history); otherwise
 * each line of stdin is one expression and each result one line of stdout.
 */
export function registerConsole(program: Command): void {
  program
    .command("console")
    .description(
      "evaluate expressions against the configuration and the state (interactive on a terminal; else one expression per line of stdin)",
    )
    .option("--state <path>", "the state file (default: the configuration's state { path }, else statectl.state.json)")
    .option("--var <name=value>", "set a variable (repeatable)", collect, [])
    .option("--var-file <file>", "read variables from a .statevars file (repeatable)", collect, [])
    .option("--no-history", `do not read or write ${CONSOLE_HISTORY}`)
    .addHelpText(
      "after",
      `
Names: var.NAME, local.NAME, document.NAME, association.NAME (attributes from the state where
it has them, else "(known after apply)"), path.module, and every built-in function. Type exit
or press Ctrl-D to leave. Exit code: with stdin not a terminal, 1 if any expression failed.`,
    )
    .action(async (opts: ConsoleOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const { loadConfig, checkStandaloneExpression } = await import("../../config/index.js");
      const { evaluateConfig, formatValue } = await import("../../eval/index.js");
      const { renderDiagnostics, SourceRegistry } = await import("../../diag/index.js");
      const { parseExpression } = await import("../../syntax/index.js");
      const { FileStateStorage, findInstance } = await import("../../state/index.js");
      const color = useColor(process.stderr, globals);
      const loaded = loadConfig(
        { dir: process.cwd() },
        { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env: process.env },
      );
      if (loaded.diagnostics.some((d) => d.severity === "error")) {
        err(renderDiagnostics(loaded.diagnostics, loaded.config.sources, { color }));
        throw new CliExit(ExitCode.Error);
      }
      const statePath = opts.state ?? evaluateConfig(loaded.config).state.absolutePath;
      const read = await new FileStateStorage(statePath).read();
      if (read.diagnostics.some((d) => d.severity === "error")) {
        err(renderDiagnostics(read.diagnostics, loaded.config.sources, { color }));
        throw new CliExit(ExitCode.Error);
      }
      const state = read.state;
      const evaluated = evaluateConfig(
        loaded.config,
        state ? { instanceAttributes: (address) => findInstance(state, address)?.attributes } : {},
      );
      const errors = evaluated.diagnostics.filter((d) => d.severity === "error");
      // The console stays usable with a broken part of the configuration: say so once.
      if (errors.length > 0) err(renderDiagnostics(errors, loaded.config.sources, { color }));

      /** One line typed: its value, or the diagnostics that explain why it has none. */
      const answer = (line: string): { text?: string; failed: boolean } => {
        const sources = new SourceRegistry();
        sources.add("<console>", line);
        const parsed = parseExpression(line, "<console>");
        if (!parsed.expr || parsed.diagnostics.some((d) => d.severity === "error")) {
          err(renderDiagnostics(parsed.diagnostics, sources, { color }));
          return { failed: true };
        }
        const names = checkStandaloneExpression(parsed.expr, loaded.config);
        if (names.some((d) => d.severity === "error")) {
          err(renderDiagnostics(names, sources, { color }));
          return { failed: true };
        }
        const r = evaluated.evaluateExpression(parsed.expr);
        if (r.diagnostics.some((d) => d.severity === "error")) {
          err(renderDiagnostics(r.diagnostics, sources, { color }));
          return { failed: true };
        }
        return { text: formatValue(r.value), failed: false };
      };

      const { createInterface } = await import("node:readline");
      if (!process.stdin.isTTY) {
        let failed = false;
        const rl = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
        for await (const raw of rl) {
          const line = raw.trim();
          if (line === "" || line.startsWith("#")) continue;
          if (line === "exit") break;
          const r = answer(line);
          if (r.text !== undefined) out(r.text);
          failed ||= r.failed;
        }
        if (failed) throw new CliExit(ExitCode.Error);
        return;
      }
      const { readFileSync, writeFileSync, mkdirSync } = await import("node:fs");
      let history: string[] = [];
      if (opts.history !== false) {
        try {
          // readline wants the newest first.
          history = readFileSync(CONSOLE_HISTORY, "utf8").split("\n").filter(Boolean).reverse().slice(0, HISTORY_SIZE);
        } catch {
          // no history yet
        }
      }
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: true,
        history,
        historySize: HISTORY_SIZE,
        removeHistoryDuplicates: true,
        prompt: "> ",
      });
      const saveHistory = (lines: readonly string[]): void => {
        if (opts.history === false) return;
        try {
          mkdirSync(dirname(CONSOLE_HISTORY), { recursive: true });
          writeFileSync(CONSOLE_HISTORY, [...lines].reverse().join("\n") + "\n", { mode: 0o600 });
        } catch {
          // history is a convenience; a read-only directory must not break the console
        }
      };
      rl.on("history", (h: string[]) => saveHistory(h));
      // Ctrl-C clears the line, as in a shell; Ctrl-D (or "exit") leaves.
      rl.on("SIGINT", () => {
        rl.write(null, { ctrl: true, name: "u" });
        process.stdout.write("\n");
        rl.prompt();
      });
      rl.prompt();
      for await (const raw of rl) {
        const line = raw.trim();
        if (line === "exit") break;
        if (line !== "") {
          const r = answer(line);
          if (r.text !== undefined) out(r.text);
        }
        rl.prompt();
      }
      rl.close();
      process.stdout.write("\n");
    });
}
