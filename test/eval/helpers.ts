import { T, type Type } from "../../src/eval/types.js";
import { Value } from "../../src/eval/value.js";

export const s = (x: string) => Value.string(x);
export const n = (x: number) => Value.number(x);
export const b = (x: boolean) => Value.bool(x);
export const nul = (t: Type = T.dynamic) => Value.null(t);
export const unk = (t: Type = T.dynamic) => Value.unknown(t);
export const strs = (...xs: string[]) =>
  Value.list(
    xs.map((x) => Value.string(x)),
    T.string,
  );
export const nums = (...xs: number[]) =>
  Value.list(
    xs.map((x) => Value.number(x)),
    T.number,
  );

export const tup = (...xs: Value[]) => Value.tuple(xs);
export const list = (t: Type, ...xs: Value[]) => Value.list(xs, t);
export const obj = (o: Record<string, Value>) => Value.object(o);
export const map = (t: Type, o: Record<string, Value>) => Value.map(o, t);
export const secret = (v: Value) => v.mark();
