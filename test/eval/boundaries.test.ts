import { expect } from "chai";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Rooms import only earlier rooms: diag → addrs → ssm (the resource schema) → … → syntax → config → eval (test/architecture has the whole order). */
const rooms: Record<string, { rooms: string[]; packages: RegExp[] }> = {
  addrs: { rooms: ["diag"], packages: [] },
  config: { rooms: ["diag", "addrs", "ssm", "syntax"], packages: [/^node:/] },
  eval: { rooms: ["diag", "addrs", "ssm", "syntax", "config"], packages: [/^node:/, /^yaml$/] },
};

describe("addrs/, config/, eval/ room boundaries", () => {
  for (const [room, allowed] of Object.entries(rooms)) {
    it(`${room}/ imports only ${allowed.rooms.join(", ")}${allowed.packages.length ? " and its libraries" : ""}`, () => {
      const dir = join(root, "src", room);
      let seen = 0;
      for (const file of files(dir)) {
        const text = readFileSync(file, "utf8");
        const specs = [
          ...text.matchAll(/\bfrom\s+"([^"]+)";/g),
          ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
          ...text.matchAll(/^import\s+"([^"]+)";/gm),
        ].map((m) => m[1]!);
        seen += specs.length;
        for (const spec of specs) {
          if (spec.startsWith(".")) {
            const target = relative(join(root, "src"), join(file, "..", spec)).split("/")[0]!;
            expect(
              target === room || allowed.rooms.includes(target),
              `${relative(root, file)} imports ${spec}`,
            ).to.equal(true);
          } else {
            expect(
              allowed.packages.some((re) => re.test(spec)),
              `${relative(root, file)} imports ${spec}`,
            ).to.equal(true);
          }
        }
      }
      expect(seen, "imports found").to.be.greaterThan(0);
    });
  }
});
