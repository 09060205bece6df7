import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import type { Body } from "./ast.js";

export interface ParseResult {
  /** The parsed body; present even when there are errors (items that failed to parse are left out). */
  body?: Body;
  diagnostics: Diagnostic[];
}

/** Parses one `.state` file. Never throws for any input. (Stub until the parser lands.) */
export function parseFile(_text: string, fileName: string): ParseResult {
  return { diagnostics: [error("syntax/not-implemented", `Parsing ${fileName}: the parser is not built yet`)] };
}
