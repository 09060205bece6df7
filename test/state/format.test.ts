import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { SourceRegistry, renderDiagnostics } from "../../src/diag/index.js";
import { canonicalAddress } from "../../src/addrs/index.js";
import {
  decodeState,
  encodeState,
  stateToFile,
  STATE_FORMAT_VERSION,
  emptyState,
  setInstance,
  setPendingCreate,
  type JsonValue,
  type State,
} from "../../src/state/index.js";
import { expectGolden, fixturesDir, repoRoot } from "./helpers/paths.js";

const roundtripDir = join(fixturesDir, "roundtrip");
const errorsDir = join(fixturesDir, "errors");
const schema = JSON.parse(readFileSync(join(repoRoot, "docs", "state-file.schema.json"), "utf8")) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe("state/format", () => {
  describe("round trip (.in → canonical .out)", () => {
    for (const name of readdirSync(roundtripDir).filter((f) => f.endsWith(".in.json"))) {
      const base = name.slice(0, -".in.json".length);
      it(base, () => {
        const r = decodeState(readFileSync(join(roundtripDir, name)), name);
        expect(r.diagnostics).to.deep.equal([]);
        const text = encodeState(r.state!);
        expectGolden(join(roundtripDir, `${base}.out.json`), text);
        // The canonical form is a fixed point and conforms to the published schema.
        expect(encodeState(decodeState(text, "out").state!)).to.equal(text);
        expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).to.equal(true);
      });
    }
  });

  describe("broken files give diagnostics, never exceptions", () => {
    for (const name of readdirSync(errorsDir).filter((f) => f.endsWith(".json"))) {
      const base = name.slice(0, -".json".length);
      it(base, () => {
        const bytes = readFileSync(join(errorsDir, name));
        const r = decodeState(bytes, name);
        expect(r.state).to.equal(undefined);
        expect(r.diagnostics.length).to.be.greaterThan(0);
        for (const d of r.diagnostics)
          expect(d.code).to.match(/^state\/(corrupt|truncated|invalid|unsupported-version)$/);
        // Rendered as the CLI does: the location, never the (possibly secret) content of the file.
        expectGolden(
          join(errorsDir, `${base}.golden.txt`),
          renderDiagnostics(r.diagnostics, new SourceRegistry()) + "\n",
        );
      });
    }

    it("the schema rejects the broken files that are JSON objects, except what only the reader can check", () => {
      const readerOnly = new Set(["duplicate-address.json", "kind-mismatch.json"]);
      for (const name of readdirSync(errorsDir).filter((f) => f.endsWith(".json"))) {
        let value: unknown;
        try {
          value = JSON.parse(readFileSync(join(errorsDir, name), "utf8"));
        } catch {
          continue;
        }
        expect(validate(value), name).to.equal(readerOnly.has(name));
      }
    });

    it("every prefix of a valid file is reported as truncated or corrupt", () => {
      const text = readFileSync(join(roundtripDir, "full.out.json"), "utf8");
      for (let n = 0; n < text.length - 1; n += 7) {
        const r = decodeState(text.slice(0, n), "cut.json");
        expect(r.state, `prefix of ${n} characters`).to.equal(undefined);
        expect(r.diagnostics.map((d) => d.code)).to.satisfy((codes: string[]) =>
          codes.every((c) => c === "state/truncated" || c === "state/corrupt" || c === "state/invalid"),
        );
      }
    });

    it("never throws on arbitrary bytes or text (fuzz)", () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 }), fc.json()), (input) => {
          const r = decodeState(input, "fuzz.json");
          expect(r.state === undefined || r.diagnostics.length === 0).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });

    it("mutating one character of a valid file never throws and never yields an unreadable state", () => {
      const text = readFileSync(join(roundtripDir, "full.out.json"), "utf8");
      fc.assert(
        fc.property(fc.nat(text.length - 1), fc.string({ minLength: 0, maxLength: 2 }), (at, ch) => {
          const r = decodeState(text.slice(0, at) + ch + text.slice(at + 1), "mutated.json");
          if (r.state) expect(decodeState(encodeState(r.state), "again").state).to.deep.equal(r.state);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe("encoding", () => {
    const jsonValue: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;
    it("encode ∘ decode is the identity on states (property)", () => {
      const instance = fc.record({
        name: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/),
        key: fc.option(fc.oneof(fc.nat(5), fc.string({ maxLength: 6 })), { nil: undefined }),
        kind: fc.constantFrom("document" as const, "association" as const),
        attributes: fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 4 }),
        id: fc.string({ minLength: 1, maxLength: 10 }),
      });
      fc.assert(
        fc.property(fc.array(instance, { maxLength: 5 }), fc.nat(1000), (items, serial) => {
          let s: State = { ...emptyState({ statectlVersion: "0.1.0" }), serial };
          for (const it of items) {
            const address =
              `${it.kind}.${it.name}` +
              (it.key === undefined ? "" : typeof it.key === "number" ? `[${it.key}]` : `[${JSON.stringify(it.key)}]`);
            s = setInstance(s, {
              address,
              kind: it.kind,
              provider: "ssm",
              id: it.id,
              attributes: it.attributes,
              sensitiveAttributes: [],
              dependencies: [],
            });
          }
          const text = encodeState(s);
          const back = decodeState(text, "p.json");
          expect(back.diagnostics).to.deep.equal([]);
          expect(encodeState(back.state!)).to.equal(text);
          expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).to.equal(true);
        }),
        { numRuns: 200 },
      );
    });

    it("writes what JSON.stringify of the file shape writes, also with resources reused from an earlier encoding (property)", () => {
      const instance = fc.record({
        name: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/),
        attributes: fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 4 }),
        id: fc.string({ minLength: 1, maxLength: 10 }),
        tainted: fc.boolean(),
        sensitive: fc.boolean(),
      });
      const plain = (s: State) => JSON.stringify(stateToFile(s), null, 2) + "\n";
      fc.assert(
        fc.property(
          fc.array(instance, { maxLength: 6 }),
          fc.dictionary(fc.string({ maxLength: 4 }), jsonValue, { maxKeys: 2 }),
          fc.boolean(),
          fc.nat(5),
          (items, outputs, pending, changed) => {
            let s: State = {
              ...emptyState({ statectlVersion: "0.1.0" }),
              outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, sensitive: false }])),
            };
            for (const it of items) {
              s = setInstance(s, {
                address: `association.${it.name}`,
                kind: "association",
                provider: "ssm",
                id: it.id,
                attributes: it.attributes,
                sensitiveAttributes: it.sensitive ? [["x"]] : [],
                dependencies: [],
                ...(it.tainted ? { tainted: true } : {}),
              });
            }
            if (pending)
              s = setPendingCreate(s, {
                address: "association.p",
                kind: "association",
                provider: "ssm",
                started: "2026-01-01T00:00:00.000Z",
                attributes: { b: 1, a: [2] },
                sensitiveAttributes: [],
                dependencies: [],
              });
            expect(encodeState(s)).to.equal(plain(s));
            // The same instances again (their text reused), one of them replaced.
            const target = s.resources[changed % Math.max(1, s.resources.length)];
            const next = target
              ? setInstance(s, {
                  ...target,
                  id: `${target.id}-new`,
                  attributes: { ...target.attributes, added: [1, { z: null }] },
                })
              : s;
            expect(encodeState(next)).to.equal(plain(next));
          },
        ),
        { numRuns: 200 },
      );
    });

    it("stores addresses canonically, so they survive a round trip (regression: fast-check seed 1799665187)", () => {
      const s = setInstance(emptyState({ lineage: "l", statectlVersion: "1" }), {
        address: 'document.a["%{"]',
        kind: "document",
        provider: "ssm",
        id: " ",
        attributes: {},
        sensitiveAttributes: [],
        dependencies: ['document.b[ "${x}" ]'],
      });
      expect(s.resources[0]!.address).to.equal('document.a["%%{"]');
      expect(s.resources[0]!.dependencies).to.deep.equal([canonicalAddress('document.b["${x}"]')]);
      const text = encodeState(s);
      expect(encodeState(decodeState(text, "r.json").state!)).to.equal(text);
    });

    it("writes the current format version and sorts keys", () => {
      const s = setInstance(emptyState({ lineage: "l", statectlVersion: "1" }), {
        address: "document.d",
        kind: "document",
        provider: "ssm",
        id: "d",
        attributes: { z: 1, a: { y: 2, b: 3 } },
        sensitiveAttributes: [],
        dependencies: [],
      });
      const file = stateToFile(s);
      expect(file.format_version).to.equal(STATE_FORMAT_VERSION);
      expect(Object.keys(file.resources[0]!.attributes)).to.deep.equal(["a", "z"]);
      expect(encodeState(s)).to.match(/\n$/);
    });
  });
});
