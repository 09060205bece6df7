/**
 * Text from files and from other programs, made safe to print: what a terminal would act on
 * (escape sequences that recolour, move the cursor, retitle the window or hide text), what
 * changes how the text around it reads without being seen (bidirectional overrides — "Trojan
 * Source" — and zero-width characters), quoted excerpts too long to read, and anything that looks
 * like an AWS credential. The diagnostic renderers and the plan renderer share these.
 */

/**
 * Characters that change how text around them reads without being seen — bidirectional
 * overrides and isolates, zero-width spaces and joiners, the BOM — shown as `\uXXXX` escapes, so
 * a value cannot look like something it is not.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** C0 controls but tab and line feed, DEL, and the C1 controls (U+009B is a one-character CSI). */
// eslint-disable-next-line no-control-regex -- finding control characters is what this expression is for
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

const UNSAFE = new RegExp(`${CONTROL.source}|${INVISIBLE.source}`, "g");

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, escapeChar);
}

/** Control and invisible characters as `\uXXXX` escapes (ESC is `\u001B`); tabs and line breaks stay. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * A line of source for a snippet, with a caret to place under it: tabs become one space and
 * control characters `·` (one cell each, so columns still line up), invisible characters their
 * `\uXXXX` escape; `column` maps a 1-based column of the original line to the shown one.
 */
export function displaySourceLine(line: string): { text: string; column: (original: number) => number } {
  const shifts: number[] = [];
  let text = "";
  let shift = 0;
  for (let i = 0; i < line.length; i++) {
    shifts.push(shift);
    const c = line.charAt(i);
    if (c === "\t") text += " ";
    else if (CONTROL.test(c)) text += "\u00b7";
    else if (INVISIBLE.test(c)) {
      const e = escapeChar(c);
      text += e;
      shift += e.length - 1;
    } else text += c;
    CONTROL.lastIndex = 0;
    INVISIBLE.lastIndex = 0;
  }
  shifts.push(shift);
  return {
    text: maskCredentials(text),
    column: (original) => original + (shifts[Math.min(Math.max(original - 1, 0), shifts.length - 1)] ?? shift),
  };
}

/** Quoted excerpts longer than this are cut in messages: a 5,000-character value says nothing more than its start. */
export const MAX_QUOTED_EXCERPT = 100;

/** Lines of a message longer than this are cut (after the excerpts are). */
export const MAX_MESSAGE_LINE = 1000;

/** `"…"` excerpts in `text` longer than MAX_QUOTED_EXCERPT cut, saying how long they were. */
export function capQuotedExcerpts(text: string, max = MAX_QUOTED_EXCERPT): string {
  return text.replace(/"((?:[^"\\\n]|\\.)*)"/g, (quoted, inner: string) => {
    if (inner.length <= max) return quoted;
    let cut = inner.slice(0, max);
    // Neither half an escape sequence nor half a surrogate pair.
    const lastBackslash = cut.lastIndexOf("\\");
    if (lastBackslash >= max - 6) cut = cut.slice(0, lastBackslash);
    if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    return `"${cut}…" (${inner.length} characters)`;
  });
}

/**
 * A message (summary, detail, hint) as every diagnostic shows it, text and JSON alike: credentials
 * scrubbed, then long excerpts and lines cut. Terminal escaping is the text renderer's own step.
 */
export function safeMessage(text: string): string {
  return capLines(capQuotedExcerpts(scrubCredentials(text)));
}

/** Each line of `text` cut at `max` characters. */
export function capLines(text: string, max = MAX_MESSAGE_LINE): string {
  return text
    .split("\n")
    .map((l) => (l.length <= max ? l : `${l.slice(0, max)}… (${l.length - max} more characters)`))
    .join("\n");
}

/**
 * What looks like an AWS credential. Access key ids (long-term AKIA, temporary ASIA) and IAM
 * unique ids are 20 capitals and digits; a secret access key is 40 characters of base 64, found
 * after a name such as `aws_secret_access_key`, or alone when it mixes capitals, small letters
 * and digits or `/`/`+` (a hex SHA-1 does not); signed requests carry `Credential=`,
 * `Signature=` and the session token.
 */
const ACCESS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA|AROA|AIDA|ANPA|AGPA)[A-Z0-9]{12,}(?![A-Z0-9])/g;
const NAMED_SECRET_KEY =
  /((?:aws_?)?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi;
const LOOSE_SECRET_KEY = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const SIGNED_REQUEST = [
  /(x-amz-security-token\s*[:=]\s*)([^\s,;"']+)/gi,
  /(Credential=)([^,\s"']+)/g,
  /(Signature=)([0-9a-f]+)/g,
];

function looksLikeSecretKey(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9/+]/.test(s) && !s.startsWith("/");
}

/**
 * `text` with what looks like a credential replaced, keeping its width (so a caret under a
 * source line still points at the right column): an access key id keeps its kind
 * (`AKIA****************`), a secret key becomes forty `*`.
 */
export function maskCredentials(text: string): string {
  return scrub(text, (kept, secret) => kept + "*".repeat(secret.length));
}

/** `text` with what looks like a credential replaced by `[redacted]` (messages, where width does not matter). */
export function scrubCredentials(text: string): string {
  return scrub(text, (kept) => `${kept}[redacted]`);
}

/** `replace(kept, secret)`: `kept` is what may stay (a name before the secret), `secret` what may not. */
function scrub(text: string, replace: (kept: string, secret: string) => string): string {
  // An access key id's first four characters say only what kind it is; a width-keeping mask keeps them.
  let out = text.replace(ACCESS_KEY_ID, (m: string) => replace("", m).replace(/^\*{4}/, m.slice(0, 4)));
  out = out.replace(NAMED_SECRET_KEY, (_m, name: string, key: string) => replace(name, key));
  out = out.replace(LOOSE_SECRET_KEY, (m) => (looksLikeSecretKey(m) ? replace("", m) : m));
  for (const pattern of SIGNED_REQUEST)
    out = out.replace(pattern, (_m, name: string, value: string) => replace(name, value));
  return out;
}
