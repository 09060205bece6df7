import { expect } from "chai";
import { binaryOp, unaryOp, type BinaryOperator, type UnaryOperator } from "../../src/eval/operators.js";
import { T } from "../../src/eval/types.js";
import { Value, toNative } from "../../src/eval/value.js";
import { b, n, nul, nums, s, secret, strs, tup, unk } from "./helpers.js";

/** The expected result: a plain value, `{ unknown: true }`, or `{ error, side }`. */
type Want = unknown;

const binary: [BinaryOperator, Value, Value, Want][] = [
  ["+", n(1), n(2), 3],
  ["+", s("1"), n(2), 3],
  ["-", n(1), n(2.5), -1.5],
  ["*", n(3), n(4), 12],
  ["/", n(7), n(2), 3.5],
  ["%", n(7), n(3), 1],
  ["/", n(1), n(0), { error: "dividing by zero", side: "right" }],
  ["%", n(1), n(0), { error: "dividing by zero", side: "right" }],
  ["+", s("a"), n(1), { error: '"a" is not a number', side: "left" }],
  ["+", n(1), strs("a"), { error: "a number is required, not a list of string", side: "right" }],
  ["+", nul(), n(1), { error: "left operand", side: "left" }],
  ["+", unk(T.number), n(1), { unknown: true }],
  ["<", n(1), n(2), true],
  [">", n(1), n(2), false],
  ["<=", n(2), n(2), true],
  [">=", s("10"), n(9), true],
  ["<", s("a"), n(1), { error: "not a number", side: "left" }],
  ["==", n(1), n(1), true],
  ["==", n(1), s("1"), false],
  ["==", strs("a"), strs("a"), true],
  ["==", strs("a"), tup(s("a")), false],
  ["!=", s("a"), s("b"), true],
  ["==", nul(), nul(), true],
  ["==", nul(), s("x"), false],
  ["==", unk(), s("x"), { unknown: true }],
  ["&&", b(true), b(false), false],
  ["&&", b(true), s("true"), true],
  ["||", b(false), b(true), true],
  ["&&", b(false), unk(T.bool), false],
  ["&&", unk(T.bool), b(false), false],
  ["||", b(true), unk(T.bool), true],
  ["&&", b(true), unk(T.bool), { unknown: true }],
  ["&&", n(1), b(true), { error: "a bool is required, not a number", side: "left" }],
  ["||", b(false), nul(), { error: "right operand", side: "right" }],
];

const unary: [UnaryOperator, Value, Want][] = [
  ["!", b(true), false],
  ["!", s("false"), true],
  ["-", n(5), -5],
  ["-", s("5"), -5],
  ["-", unk(T.number), { unknown: true }],
  ["-", b(true), { error: "a number is required, not a bool", side: "right" }],
  ["!", nul(), { error: "null", side: "right" }],
];

function check(r: ReturnType<typeof binaryOp>, want: Want) {
  if (want && typeof want === "object" && "error" in want) {
    expect(r.error?.detail).to.contain((want as { error: string }).error);
    expect(r.error?.side).to.equal((want as unknown as { side: string }).side);
  } else if (want && typeof want === "object" && "unknown" in want) {
    expect(r.error).to.equal(undefined);
    expect(r.value!.isKnown).to.equal(false);
  } else {
    expect(r.error, r.error?.detail).to.equal(undefined);
    expect(toNative(r.value!)).to.deep.equal(want);
  }
}

describe("eval/operators", () => {
  for (const [op, l, r, want] of binary) {
    it(`${JSON.stringify(toNative(l, { unknown: "?" }))} ${op} ${JSON.stringify(toNative(r, { unknown: "?" }))} → ${JSON.stringify(want)}`, () =>
      check(binaryOp(op, l, r), want));
  }
  for (const [op, v, want] of unary) {
    it(`${op}${JSON.stringify(toNative(v, { unknown: "?" }))} → ${JSON.stringify(want)}`, () =>
      check(unaryOp(op, v), want));
  }
  it("marks results of sensitive operands", () => {
    expect(binaryOp("+", secret(n(1)), n(2)).value!.sensitive).to.equal(true);
    expect(binaryOp("==", nums(1), tup(secret(n(1)))).value!.sensitive).to.equal(true);
    expect(unaryOp("!", secret(b(true))).value!.sensitive).to.equal(true);
  });
});
