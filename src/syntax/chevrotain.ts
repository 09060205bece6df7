/**
 * Loads Chevrotain from its minified single-file ESM bundle (lib/chevrotain.min.mjs, shipped in
 * the package; 140 KB to compile instead of the plain bundle's 350 KB)
 * instead of its package entry, which pulls in hundreds of lodash-es modules: on a cold start
 * that is ~0.05 s instead of ~0.8 s, and `statectl validate` should start fast. The bundle is the
 * same version built from the same source; if it is ever missing, the package entry is used.
 * Every syntax module takes Chevrotain from here so token types and parser share one instance.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";

type Chevrotain = typeof import("chevrotain");

async function load(): Promise<Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve("chevrotain");
    for (const file of ["chevrotain.min.mjs", "chevrotain.mjs"]) {
      const bundle = join(dirname(entry), "..", file);
      if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as Chevrotain;
    }
  } catch {
    // fall through to the package entry
  }
  return await import("chevrotain");
}

export const chevrotain: Chevrotain = await load();
