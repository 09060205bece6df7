/**
 * Asking for required variables that have no value, as Terraform does — only when a person can
 * answer: stdin is a terminal, `--input=false` was not given, and the output is not `--json`.
 * Answers are read like `--var` values (by the variable's type); sensitive ones are not echoed.
 */
import type { VariableDecl } from "../config/index.js";
import { nextLine, out } from "./io.js";

export interface InputOptions {
  input?: boolean;
  json?: boolean;
  var?: string[];
  varFile?: string[];
}

export function mayPrompt(opts: InputOptions): boolean {
  return opts.input !== false && opts.json !== true && process.stdin.isTTY;
}

/** The required variables no default, file, environment variable or --var gives a value. */
export async function missingVariables(opts: InputOptions): Promise<VariableDecl[]> {
  const { loadConfig } = await import("../config/index.js");
  const loaded = loadConfig(
    { dir: process.cwd() },
    { vars: opts.var ?? [], varFiles: opts.varFile ?? [], env: process.env },
  );
  // With errors in the configuration, the command reports them; asking first would only delay that.
  if (loaded.diagnostics.some((d) => d.severity === "error")) return [];
  const given = new Set(loaded.config.variableInputs.map((i) => i.name));
  return [...loaded.config.variables.values()]
    .filter((v) => v.default === undefined && !given.has(v.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

async function ask(v: VariableDecl): Promise<string | undefined> {
  const { createInterface } = await import("node:readline");
  out(`var.${v.name}${v.description ? `\n  ${v.description}` : ""}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (v.sensitive) {
    // Echo nothing of what is typed after the prompt.
    const internal = rl as unknown as { _writeToOutput: (s: string) => void };
    const write = internal._writeToOutput.bind(rl);
    let prompted = false;
    internal._writeToOutput = (s: string) => {
      if (!prompted) write(s);
      else if (s.includes("\n")) write("\n");
    };
    rl.setPrompt("  Enter a value: ");
    rl.prompt();
    prompted = true;
  } else {
    rl.setPrompt("  Enter a value: ");
    rl.prompt();
  }
  const answer = await nextLine(rl, (close) => rl.once("SIGINT", close));
  out("");
  return answer;
}

/**
 * `opts.var` with an answer for each missing required variable, when prompting is allowed;
 * unchanged otherwise (the command then reports eval/missing-variable). Ctrl-C or end of input
 * at a prompt stops asking.
 */
export async function promptForMissingVariables<T extends InputOptions>(opts: T): Promise<T> {
  if (!mayPrompt(opts)) return opts;
  const missing = await missingVariables(opts);
  const vars = [...(opts.var ?? [])];
  for (const v of missing) {
    const answer = await ask(v);
    if (answer === undefined) break;
    vars.push(`${v.name}=${answer}`);
  }
  return { ...opts, var: vars };
}
