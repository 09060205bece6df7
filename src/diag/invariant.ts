/**
 * Invariants: the places where the code knows more than the type checker (an index inside its
 * array's bounds, a key just set in a map). `defined()` states that knowledge at run time instead
 * of a silent `!`: if the reasoning is ever wrong, the CLI reports an internal error naming what
 * was missing, rather than letting `undefined` travel on and fail somewhere unrelated.
 */

/** Thrown when an invariant does not hold: always a bug in statectl, never the user's input. */
export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

/** `value`, which the caller knows is present; `what` names it for the bug report if it is not. */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new InvariantError(`${what} is missing`);
  return value;
}
