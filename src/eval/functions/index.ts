/** The built-in function table. `can` and `try` are not here: they take unevaluated expressions, so the evaluator owns them. */
import { collectionFunctions } from "./collections.js";
import { encodingFunctions } from "./encoding.js";
import { extraFunctions } from "./extra.js";
import { fileFunctions } from "./files.js";
import type { FunctionSpec } from "./framework.js";
import { stringFunctions } from "./strings.js";

export * from "./framework.js";
export { formatString, graphemes } from "./strings.js";

export const BUILTIN_FUNCTIONS: Readonly<Record<string, FunctionSpec>> = Object.freeze({
  ...stringFunctions,
  ...collectionFunctions,
  ...encodingFunctions,
  ...fileFunctions,
  ...extraFunctions,
});

/** Functions the evaluator implements itself because they need unevaluated arguments. */
export const SPECIAL_FUNCTIONS = ["can", "try"] as const;

export function functionNames(): string[] {
  return [...Object.keys(BUILTIN_FUNCTIONS), ...SPECIAL_FUNCTIONS].sort();
}
