/**
 * Paging as SSM does it: `MaxResults` bounded per operation, an opaque `NextToken` that is absent
 * on the last page, and `InvalidNextToken` for a token we did not issue (or issued for another
 * operation). A token remembers the position and the key of the last item returned, so a page
 * boundary survives items being added or removed between calls.
 */
import { SsmError, ErrorCode } from "./errors.js";
import { Checker } from "./validate.js";

export interface PageLimits {
  /** Used when MaxResults is omitted. */
  defaultMax: number;
  min: number;
  max: number;
}

export interface PageInput {
  NextToken?: unknown;
  MaxResults?: unknown;
}

interface Token {
  op: string;
  i: number;
  k: string;
}

export function encodeToken(operation: string, index: number, key: string): string {
  const token: Token = { op: operation, i: index, k: key };
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
}

function decodeToken(operation: string, token: string): Token {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Token;
    if (parsed.op === operation && Number.isInteger(parsed.i) && parsed.i >= 0 && typeof parsed.k === "string") return parsed;
  } catch {
    // Falls through to the error below.
  }
  throw new SsmError(ErrorCode.InvalidNextToken, "The specified token isn't valid.");
}

/** Validates MaxResults/NextToken members into the request's checker (call before `c.done()`). */
export function checkPaging(c: Checker, limits: PageLimits): { maxResults: number; nextToken: string | undefined } {
  const maxResults = c.number("MaxResults", { min: limits.min, max: limits.max }) ?? limits.defaultMax;
  const nextToken = c.string("NextToken");
  return { maxResults, nextToken };
}

/**
 * One page of `items` (already filtered and in their final order); `keyOf` gives each item a
 * unique stable key. Returns the page and the token for the next one, if any.
 */
export function paginate<T>(
  operation: string,
  items: readonly T[],
  keyOf: (item: T) => string,
  maxResults: number,
  nextToken: string | undefined,
): { items: T[]; nextToken: string | undefined } {
  let start = 0;
  if (nextToken !== undefined && nextToken !== "") {
    const token = decodeToken(operation, nextToken);
    if (token.i > 0 && token.i <= items.length && keyOf(items[token.i - 1]!) === token.k) start = token.i;
    else {
      const at = items.findIndex((item) => keyOf(item) === token.k);
      start = at >= 0 ? at + 1 : Math.min(token.i, items.length);
    }
  }
  const page = items.slice(start, start + maxResults);
  const end = start + page.length;
  return {
    items: page,
    nextToken: end < items.length && page.length > 0 ? encodeToken(operation, end, keyOf(page[page.length - 1]!)) : undefined,
  };
}
