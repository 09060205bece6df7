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

export function cronParser(): typeof import("cron-parser") {
  return (cronParserModule ??= requireCjs("cron-parser") as typeof import("cron-parser"));
}
