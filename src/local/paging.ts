/**
 * Paging as SSM does it: `MaxResults` bounded per operation, an opaque, stable `NextToken` that is absent
 * on the last page, and `InvalidNextToken` for a token we did not issue (or issued for another
 * operation). A token remembers the position and the key of the last item returned, so a page
 * boundary survives items being added or removed between calls.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac } from "node:crypto";
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

// Tokens are opaque, as AWS's are: the position is encrypted (AES-256-CBC), so a client can
// neither read the key of the last item (a document name, say) nor make up a token. They are
// also stable: the IV is derived from the content (an HMAC), so the same page boundary always
// gives the same token, and the fixed key keeps tokens valid across restarts of the endpoint.
// A token that does not decrypt to what its IV promises was not issued here: InvalidNextToken.
const TOKEN_KEY = createHash("sha256").update("statectl local endpoint: NextToken encryption").digest();
const TOKEN_MAC_KEY = createHash("sha256").update("statectl local endpoint: NextToken integrity").digest();

function tokenIv(plain: Buffer): Buffer {
  return createHmac("sha256", TOKEN_MAC_KEY).update(plain).digest().subarray(0, 16);
}

export function encodeToken(operation: string, index: number, key: string): string {
  const token: Token = { op: operation, i: index, k: key };
  const plain = Buffer.from(JSON.stringify(token), "utf8");
  const iv = tokenIv(plain);
  const cipher = createCipheriv("aes-256-cbc", TOKEN_KEY, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final()]).toString("base64url");
}

function decodeToken(operation: string, token: string): Token {
  try {
    const raw = Buffer.from(token, "base64url");
    if (raw.length >= 32 && raw.length % 16 === 0) {
      const iv = raw.subarray(0, 16);
      const decipher = createDecipheriv("aes-256-cbc", TOKEN_KEY, iv);
      const plain = Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]);
      if (tokenIv(plain).equals(iv)) {
        const parsed = JSON.parse(plain.toString("utf8")) as Token;
        if (parsed.op === operation && Number.isInteger(parsed.i) && parsed.i >= 0 && typeof parsed.k === "string")
          return parsed;
      }
    }
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
    const before = token.i > 0 ? items[token.i - 1] : undefined;
    if (before !== undefined && keyOf(before) === token.k) start = token.i;
    else {
      const at = items.findIndex((item) => keyOf(item) === token.k);
      start = at >= 0 ? at + 1 : Math.min(token.i, items.length);
    }
  }
  const page = items.slice(start, start + maxResults);
  const end = start + page.length;
  const last = page.at(-1);
  return {
    items: page,
    nextToken: end < items.length && last !== undefined ? encodeToken(operation, end, keyOf(last)) : undefined,
  };
}
