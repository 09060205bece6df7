/**
 * The `--var` / `--var-file` options that `statectl validate` and the commands that evaluate the
 * configuration share. The checks themselves live in the library (src/engine/validate.ts).
 */

export interface VariableOptions {
  var?: string[];
  varFile?: string[];
}

/** commander collector for repeatable options (`--var a=1 --var b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
