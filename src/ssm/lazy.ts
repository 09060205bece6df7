/**
 * Libraries loaded on first use. `yaml` and `cron-parser` cost tens of milliseconds to import,
 * and most runs of `statectl validate` need neither (no YAML content, no next-run computation),
 * so the modules that use them ask here when they need them instead of importing them at the top.
 * Both are CommonJS packages, so a synchronous require works from ESM.
 */
import { createRequire } from "node:module";

const requireCjs = createRequire(import.meta.url);

let yamlModule: typeof import("yaml") | undefined;
let cronParserModule: typeof import("cron-parser") | undefined;

export function yaml(): typeof import("yaml") {
  return (yamlModule ??= requireCjs("yaml") as typeof import("yaml"));
}

/**
 * yaml's guard against alias bombs ("billion laughs": a few hundred bytes of anchors and aliases
 * that expand to gigabytes): `toJS` counts how many nodes each alias stands for and throws once
 * the expansion passes `maxAliasCount`. Ordinary reuse (`<<: *defaults`, a list named twice)
 * stays far below it.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

export const YAML_ALIAS_BOMB = `its aliases expand too far (a YAML alias bomb: more than ${MAX_YAML_ALIAS_COUNT} expansions, counting the aliases inside what an alias names); write the repeated parts out, or nest fewer aliases`;

/** A parsed YAML document's plain value, or `aliasBomb` when its aliases expand without bound. */
export function yamlValue(doc: {
  toJS(options: { maxAliasCount: number }): unknown;
}): { value: unknown } | { aliasBomb: true } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) };
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) return { aliasBomb: true };
    throw e;
  }
}

export function cronParser(): typeof import("cron-parser") {
  return (cronParserModule ??= requireCjs("cron-parser") as typeof import("cron-parser"));
}
