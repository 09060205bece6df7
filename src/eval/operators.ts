/**
 * The operators, on values: arithmetic and comparison convert operands to numbers, logic to
 * bools, `==`/`!=` compare exactly (no conversion). Unknown operands give unknown results
 * (except where the answer is already decided: `false && x`, `true || x`); a sensitive operand
 * makes the result sensitive; null operands are errors.
 */
import { convert, conversionMessage } from "./convert.js";
import { T, type Type } from "./types.js";
import { Value, rawEquals } from "./value.js";

export type BinaryOperator = "+" | "-" | "*" | "/" | "%" | "<" | ">" | "<=" | ">=" | "==" | "!=" | "&&" | "||";
export type UnaryOperator = "!" | "-";

/** Which operand an error is about, so the evaluator can point at it. */
export type OperandSide = "left" | "right" | "both";

export type OperatorResult =
  | { value: Value; error?: undefined }
  | { value?: undefined; error: { side: OperandSide; summary: string; detail: string } };

const ARITH = new Set(["+", "-", "*", "/", "%"]);
const COMPARE = new Set(["<", ">", "<=", ">="]);

function operandType(op: string): Type {
  return op === "&&" || op === "||" ? T.bool : T.number;
}

function prepare(v: Value, want: Type, side: "left" | "right", op: string): { value: Value } | OperatorResult {
  if (v.isNull) {
    return {
      error: {
        side,
        summary: "Invalid operand",
        detail: `The ${side} operand of "${op}" is null; ${want.kind === "bool" ? "a bool" : "a number"} is required.`,
      },
    };
  }
  const c = convert(v, want);
  if (c.error)
    return {
      error: {
        side,
        summary: "Invalid operand",
        detail: `Unsuitable value for the ${side} operand of "${op}": ${conversionMessage(c.error)}`,
      },
    };
  return { value: c.value };
}

export function binaryOp(op: BinaryOperator, left: Value, right: Value): OperatorResult {
  const sensitive = left.sensitive || right.sensitive;
  if (op === "==" || op === "!=") {
    if (!left.isWhollyKnown() || !right.isWhollyKnown()) {
      // Null compared with a known-type unknown is still decidable only if the unknown cannot be null; it can, so unknown.
      return { value: Value.unknown(T.bool).mark(sensitive || left.containsSensitive() || right.containsSensitive()) };
    }
    const eq = rawEquals(left.unmarkDeep().value, right.unmarkDeep().value);
    return { value: Value.bool(op === "==" ? eq : !eq).mark(left.containsSensitive() || right.containsSensitive()) };
  }
  const want = operandType(op);
  const l = prepare(left, want, "left", op);
  if ("error" in l && l.error) return l;
  const r = prepare(right, want, "right", op);
  if ("error" in r && r.error) return r;
  const lv = l.value;
  const rv = r.value;
  if (op === "&&" || op === "||") {
    const decisive = op === "&&" ? false : true;
    if (lv.isKnown && lv.asBool() === decisive) return { value: Value.bool(decisive).mark(lv.sensitive) };
    if (rv.isKnown && rv.asBool() === decisive && lv.isKnown) return { value: Value.bool(decisive).mark(sensitive) };
    if (!lv.isKnown || !rv.isKnown) {
      if (rv.isKnown && rv.asBool() === decisive) return { value: Value.bool(decisive).mark(rv.sensitive) };
      return { value: Value.unknown(T.bool).mark(sensitive) };
    }
    return { value: Value.bool(op === "&&" ? lv.asBool() && rv.asBool() : lv.asBool() || rv.asBool()).mark(sensitive) };
  }
  const resultType = COMPARE.has(op) ? T.bool : T.number;
  if (!lv.isKnown || !rv.isKnown) return { value: Value.unknown(resultType).mark(sensitive) };
  const a = lv.asNumber();
  const b = rv.asNumber();
  if (ARITH.has(op)) {
    if ((op === "/" || op === "%") && b === 0) {
      return {
        error: {
          side: "right",
          summary: "Division by zero",
          detail: `The right operand of "${op}" is zero; dividing by zero has no result.`,
        },
      };
    }
    let n: number;
    switch (op) {
      case "+":
        n = a + b;
        break;
      case "-":
        n = a - b;
        break;
      case "*":
        n = a * b;
        break;
      case "/":
        n = a / b;
        break;
      default:
        n = a % b;
    }
    if (!Number.isFinite(n))
      return {
        error: {
          side: "both",
          summary: "Arithmetic overflow",
          detail: `The result of "${op}" is too large to represent.`,
        },
      };
    return { value: Value.number(n).mark(sensitive) };
  }
  let res: boolean;
  switch (op) {
    case "<":
      res = a < b;
      break;
    case ">":
      res = a > b;
      break;
    case "<=":
      res = a <= b;
      break;
    default:
      res = a >= b;
  }
  return { value: Value.bool(res).mark(sensitive) };
}

export function unaryOp(op: UnaryOperator, operand: Value): OperatorResult {
  const want = op === "!" ? T.bool : T.number;
  if (operand.isNull)
    return {
      error: {
        side: "right",
        summary: "Invalid operand",
        detail: `The operand of "${op}" is null; ${op === "!" ? "a bool" : "a number"} is required.`,
      },
    };
  const c = convert(operand, want);
  if (c.error)
    return {
      error: {
        side: "right",
        summary: "Invalid operand",
        detail: `Unsuitable value for "${op}": ${conversionMessage(c.error)}`,
      },
    };
  const v = c.value;
  if (!v.isKnown) return { value: Value.unknown(want).mark(v.sensitive) };
  return {
    value: (op === "!" ? Value.bool(!v.asBool()) : Value.number(v.asNumber() === 0 ? 0 : -v.asNumber())).mark(
      v.sensitive,
    ),
  };
}
