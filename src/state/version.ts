import { readFileSync } from "node:fs";

let cached: string | undefined;

/** statectl's own version, recorded in each state it writes; read once from package.json. */
export function statectlVersion(): string {
  if (cached !== undefined) return cached;
  cached = "0.0.0";
  // From dist/src/state/ (built) or src/state/ (sources) the package root is a few levels up.
  for (const rel of ["../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "statectl" && typeof pkg.version === "string") {
        cached = pkg.version;
        break;
      }
    } catch {
      // try the next candidate
    }
  }
  return cached;
}
