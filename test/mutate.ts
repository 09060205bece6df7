/**
 * Mutation fuzzing for property tests: fast-check arbitraries that take a real, valid input (an
 * example configuration, a state file) and damage it the way editors, disks and copies do —
 * deleting, inserting, duplicating or overwriting a span, truncating. Positions are drawn as
 * plain numbers and taken modulo the input's length, so fast-check shrinks a failure to a small
 * edit of the original.
 */
import fc from "fast-check";

export type Edit =
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "duplicate"; at: number; length: number; to: number }
  | { kind: "overwrite"; at: number; text: string }
  | { kind: "truncate"; at: number };

export function edits(fragments: readonly string[], maxEdits = 4): fc.Arbitrary<Edit[]> {
  const text = fc.oneof(fc.constantFrom(...fragments), fc.string({ unit: "binary", maxLength: 4 }));
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 24 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text }),
    fc.record({
      kind: fc.constant("duplicate" as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 40 }),
      to: fc.nat(),
    }),
    fc.record({ kind: fc.constant("overwrite" as const), at: fc.nat(), text }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  );
  return fc.array(edit, { minLength: 1, maxLength: maxEdits });
}

export function applyEdits(input: string, list: readonly Edit[]): string {
  let s = input;
  for (const e of list) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    switch (e.kind) {
      case "delete":
        s = s.slice(0, at) + s.slice(at + e.length);
        break;
      case "insert":
        s = s.slice(0, at) + e.text + s.slice(at);
        break;
      case "duplicate": {
        const span = s.slice(at, at + e.length);
        const to = e.to % (s.length + 1);
        s = s.slice(0, to) + span + s.slice(to);
        break;
      }
      case "overwrite":
        s = s.slice(0, at) + e.text + s.slice(at + e.text.length);
        break;
      case "truncate":
        s = s.slice(0, at);
        break;
    }
  }
  return s;
}

/** The same edits on bytes, where a fragment is written as UTF-8 and may split a character. */
export function applyByteEdits(input: Uint8Array, list: readonly Edit[]): Uint8Array {
  let s = Buffer.from(input);
  for (const e of list) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    const bytes = (t: string) => Buffer.from(t, "latin1");
    switch (e.kind) {
      case "delete":
        s = Buffer.concat([s.subarray(0, at), s.subarray(at + e.length)]);
        break;
      case "insert":
        s = Buffer.concat([s.subarray(0, at), bytes(e.text), s.subarray(at)]);
        break;
      case "duplicate": {
        const span = s.subarray(at, at + e.length);
        const to = e.to % (s.length + 1);
        s = Buffer.concat([s.subarray(0, to), span, s.subarray(to)]);
        break;
      }
      case "overwrite": {
        const b = bytes(e.text);
        s = Buffer.concat([s.subarray(0, at), b, s.subarray(at + b.length)]);
        break;
      }
      case "truncate":
        s = s.subarray(0, at);
        break;
    }
  }
  return s;
}

/** The number of runs for a fuzz property: `n` in CI; `FUZZ_RUNS=<n>` explores more by hand (with `FC_SEED=random`). */
export function fuzzRuns(n: number): number {
  const wanted = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : n;
}
