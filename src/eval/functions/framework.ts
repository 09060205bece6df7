/**
 * How built-in functions are declared and called. Each function lists its parameters with a
 * type; the caller converts arguments before the implementation runs, so implementations see
 * only values of the declared type. Unknown arguments give an unknown result of the declared
 * return type, and sensitive arguments mark the result — unless a parameter says it handles
 * those itself (collection functions keep per-element marks and unknowns).
 */
import { defined } from "../../diag/index.js";
import { convert, conversionMessage } from "../convert.js";
import { T, type Type } from "../types.js";
import { Value } from "../value.js";

export interface Param {
  name: string;
  type: Type;
  /** Null is an acceptable argument (otherwise it is an error). */
  allowNull?: boolean;
  /** The implementation copes with unknown elements inside the argument (the argument itself is never unknown). */
  allowPartiallyUnknown?: boolean;
  /** The implementation keeps element marks itself; the argument's own mark still propagates. */
  keepsElementMarks?: boolean;
}

/** Where file functions read from: the real filesystem, or an in-memory file set. */
export interface FileSource {
  /** The text of a UTF-8 file, or an error message ("no such file", "not valid UTF-8"). */
  read(path: string): { text: string; error?: undefined } | { text?: undefined; error: string };
  exists(path: string): boolean;
}

export interface FunctionContext {
  /** The configuration directory; relative paths in file functions start here. */
  baseDir: string;
  files: FileSource;
  /** Renders a template file with variables; provided by the evaluator (needs the parser). */
  renderTemplate?: (text: string, fileName: string, vars: ReadonlyMap<string, Value>) => Value;
}

/** What an implementation receives: one value per declared parameter, then any variadic ones. */
export type ArgsOf<P extends readonly Param[]> = readonly [...{ [K in keyof P]: Value }, ...Value[]];

export interface FunctionSpec<P extends readonly Param[] = readonly Param[]> {
  description: string;
  params: P;
  variadic?: Param;
  /** The result type when it can be told from the argument types (used for unknown results). */
  returns: Type | ((args: readonly Value[]) => Type);
  /**
   * A method (not a function property), so a spec with a parameter list of its own is a
   * FunctionSpec: callFunction checks the count before calling, which is what makes ArgsOf true.
   */
  impl(args: ArgsOf<P>, ctx: FunctionContext): Value;
  /** Arguments arrive with their marks and the result is not re-marked (sensitive/nonsensitive). */
  handlesMarks?: boolean;
}

/** Declares a built-in function: its implementation sees one argument per declared parameter, typed as such. */
export function builtin<const P extends readonly Param[]>(spec: FunctionSpec<P>): FunctionSpec<P> {
  return spec;
}

/** A problem with one argument (index into the call's arguments) or with the call as a whole. */
export class FunctionError extends Error {
  constructor(
    message: string,
    readonly argIndex?: number,
  ) {
    super(message);
  }
}

export interface CallResult {
  value: Value;
  error?: { argIndex?: number; summary: string; detail: string };
}

function paramFor(spec: FunctionSpec, i: number): Param | undefined {
  return i < spec.params.length ? spec.params[i] : spec.variadic;
}

/** Calls a function on evaluated arguments, checking count and types first. */
export function callFunction(
  name: string,
  spec: FunctionSpec,
  rawArgs: readonly Value[],
  ctx: FunctionContext,
): CallResult {
  const returnType = (args: readonly Value[]) =>
    typeof spec.returns === "function" ? safeReturns(spec.returns, args) : spec.returns;
  const fail = (summary: string, detail: string, argIndex?: number): CallResult => ({
    value: Value.unknown(T.dynamic),
    error: argIndex === undefined ? { summary, detail } : { argIndex, summary, detail },
  });
  const min = spec.params.length;
  const missing = spec.params[rawArgs.length];
  if (missing !== undefined) {
    return fail(
      "Not enough function arguments",
      `Function "${name}" expects ${spec.variadic ? "at least " : ""}${min} argument${min === 1 ? "" : "s"}; missing the "${missing.name}" argument.`,
    );
  }
  if (!spec.variadic && rawArgs.length > min) {
    return fail(
      "Too many function arguments",
      `Function "${name}" expects only ${min} argument${min === 1 ? "" : "s"}.`,
      min,
    );
  }
  const args: Value[] = [];
  let sensitive = false;
  let unknown = false;
  for (let i = 0; i < rawArgs.length; i++) {
    const p = defined(paramFor(spec, i), "the parameter of a counted argument");
    let a = defined(rawArgs[i], "an argument within the count");
    if (a.isNull && !p.allowNull) {
      return fail(
        "Invalid function argument",
        `Invalid value for "${p.name}" parameter: argument must not be null.`,
        i,
      );
    }
    const c = convert(a, p.type);
    if (c.error)
      return fail(
        "Invalid function argument",
        `Invalid value for "${p.name}" parameter: ${conversionMessage(c.error)}`,
        i,
      );
    a = c.value;
    if (spec.handlesMarks) {
      // marks pass through untouched
    } else if (p.keepsElementMarks) {
      sensitive ||= a.sensitive;
      a = a.unmark();
    } else {
      const u = a.unmarkDeep();
      sensitive ||= u.sensitive;
      a = u.value;
    }
    if (!a.isKnown || (!p.allowPartiallyUnknown && !a.isWhollyKnown())) unknown = true;
    args.push(a);
  }
  if (unknown && !spec.handlesMarks) return { value: Value.unknown(returnType(args)).mark(sensitive) };
  try {
    return { value: spec.impl(args, ctx).mark(sensitive) };
  } catch (e) {
    if (e instanceof FunctionError) {
      return {
        value: Value.unknown(returnType(args)),
        error:
          e.argIndex === undefined
            ? { summary: "Error in function call", detail: `Call to function "${name}" failed: ${e.message}` }
            : {
                argIndex: e.argIndex,
                summary: "Invalid function argument",
                detail: `Invalid value for "${paramFor(spec, e.argIndex)?.name ?? "?"}" parameter: ${e.message}`,
              },
      };
    }
    throw e;
  }
}

function safeReturns(f: (args: readonly Value[]) => Type, args: readonly Value[]): Type {
  try {
    return f(args);
  } catch {
    return T.dynamic;
  }
}
