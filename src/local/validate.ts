/**
 * Input validation with AWS's wording. AWS checks every member against the model (required,
 * length, pattern, enum, range, list size) before an operation runs and reports all failures in
 * one `ValidationException`:
 *   "2 validation errors detected: Value 'x' at 'name' failed to satisfy constraint: …; Value …"
 * A member of the wrong JSON type is a `SerializationException`, as from AWS's deserializer.
 */
import { SsmError, ErrorCode } from "./errors.js";

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** A Java-style pattern as AWS publishes it; matched against the whole value. */
  pattern?: string;
  enum?: readonly string[];
  /** Sensitive members (document content, parameters) are not echoed in messages. */
  sensitive?: boolean;
}

export interface NumberRule {
  required?: boolean;
  min?: number;
  max?: number;
}

export interface ListRule {
  required?: boolean;
  min?: number;
  max?: number;
}

const compiled = new Map<string, RegExp>();

/** AWS patterns are Java regexes that must match the whole value; `(?i)` becomes the `i` flag. */
export function awsPattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  let source = pattern;
  let flags = "";
  if (source.startsWith("(?i)")) {
    source = source.slice(4);
    flags += "i";
  }
  try {
    re = new RegExp(`^(?:${source})$`, flags + "u");
  } catch {
    re = new RegExp(`^(?:${source})$`, flags);
  }
  compiled.set(pattern, re);
  return re;
}

export function matchesPattern(value: string, pattern: string): boolean {
  return awsPattern(pattern).test(value);
}

/** `DocumentVersion` → `documentVersion`: the member spelling AWS uses in validation messages. */
export function memberPath(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

/** What a request's JSON holds that is not an object or a list. */
type JsonScalar = string | number | boolean;

function show(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value))
    return `'[${(value as unknown[]).map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v as JsonScalar))).join(", ")}]'`;
  if (typeof value === "object") return `'${JSON.stringify(value)}'`;
  const scalar = value as JsonScalar;
  return `'${String(scalar)}'`;
}

function typeName(value: unknown): string {
  if (value === null) return "NULL_VALUE";
  if (Array.isArray(value)) return "START_ARRAY";
  switch (typeof value) {
    case "string":
      return "VALUE_STRING";
    case "number":
      return "VALUE_NUMBER";
    case "boolean":
      return "VALUE_BOOLEAN";
    default:
      return "START_OBJECT";
  }
}

/**
 * Collects validation failures for one request. Each accessor returns the value (typed) or
 * `undefined`; call `done()` once to throw the combined `ValidationException` if anything failed.
 */
export class Checker {
  constructor(
    private readonly input: Record<string, unknown>,
    private readonly prefix = "",
    private readonly problems: string[] = [],
  ) {}

  /** Record a failure in AWS's words, e.g. fail('name', value, 'Member must not be null'). */
  fail(path: string, value: unknown, constraint: string, sensitive = false): void {
    const at = this.prefix + path;
    this.problems.push(
      sensitive
        ? `Value at '${at}' failed to satisfy constraint: ${constraint}`
        : `Value ${show(value)} at '${at}' failed to satisfy constraint: ${constraint}`,
    );
  }

  get failed(): boolean {
    return this.problems.length > 0;
  }

  raw(member: string): unknown {
    return this.input[member];
  }

  /**
   * A required string member, for the object a check() callback returns: when the member is
   * missing the request fails (check() throws once the callback returns), so the "" given back
   * then is never seen. Do not use the value inside the callback.
   */
  requiredString(member: string, rule: Omit<StringRule, "required"> = {}): string {
    return this.string(member, { ...rule, required: true }) ?? "";
  }

  /** A required string list member, for the object a check() callback returns (as requiredString). */
  requiredStringList(member: string, rule: Omit<ListRule, "required"> & { item?: StringRule } = {}): string[] {
    return this.stringList(member, { ...rule, required: true }) ?? [];
  }

  string(member: string, rule: StringRule = {}): string | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rule.required) this.fail(memberPath(member), null, "Member must not be null");
      return undefined;
    }
    if (typeof value !== "string") throw wrongType(member, value, "String");
    this.checkString(memberPath(member), value, rule);
    return value;
  }

  /** Validates a string found anywhere (list item, nested member) under an explicit path. */
  checkString(path: string, value: string, rule: StringRule): boolean {
    const before = this.problems.length;
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- AWS measures a string's length in code points, which is what spreading counts
    const length = [...value].length;
    if (rule.min !== undefined && length < rule.min)
      this.fail(path, value, `Member must have length greater than or equal to ${rule.min}`, rule.sensitive);
    if (rule.max !== undefined && length > rule.max)
      this.fail(path, value, `Member must have length less than or equal to ${rule.max}`, rule.sensitive);
    if (rule.pattern !== undefined && !matchesPattern(value, rule.pattern))
      this.fail(path, value, `Member must satisfy regular expression pattern: ${rule.pattern}`, rule.sensitive);
    if (rule.enum !== undefined && !rule.enum.includes(value))
      this.fail(path, value, `Member must satisfy enum value set: [${rule.enum.join(", ")}]`, rule.sensitive);
    return this.problems.length === before;
  }

  number(member: string, rule: NumberRule = {}): number | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rule.required) this.fail(memberPath(member), null, "Member must not be null");
      return undefined;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(member, value, "Integer");
    const path = memberPath(member);
    if (rule.min !== undefined && value < rule.min)
      this.fail(path, value, `Member must have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value > rule.max)
      this.fail(path, value, `Member must have value less than or equal to ${rule.max}`);
    return value;
  }

  boolean(member: string, rule: { required?: boolean } = {}): boolean | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rule.required) this.fail(memberPath(member), null, "Member must not be null");
      return undefined;
    }
    if (typeof value !== "boolean") throw wrongType(member, value, "Boolean");
    return value;
  }

  list(member: string, rule: ListRule = {}): unknown[] | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rule.required) this.fail(memberPath(member), null, "Member must not be null");
      return undefined;
    }
    if (!Array.isArray(value)) throw wrongType(member, value, "List");
    const list = value as unknown[];
    this.checkListSize(memberPath(member), list, rule);
    return list;
  }

  checkListSize(path: string, value: unknown[], rule: ListRule): void {
    if (rule.min !== undefined && value.length < rule.min)
      this.fail(path, value, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value.length > rule.max)
      this.fail(path, value, `Member must have length less than or equal to ${rule.max}`);
  }

  /** A list of strings; item failures are reported on the list, as AWS does for member constraints. */
  stringList(member: string, rule: ListRule & { item?: StringRule } = {}): string[] | undefined {
    const value = this.list(member, rule);
    if (value === undefined) return undefined;
    const item = rule.item ?? {};
    const inner: string[] = [];
    for (const v of value) {
      if (typeof v !== "string") throw wrongType(member, v, "String");
      const probe = new Checker({});
      probe.checkString("x", v, item);
      if (probe.failed) {
        for (const c of constraintsOf(item, v)) if (!inner.includes(c)) inner.push(c);
      }
    }
    if (inner.length > 0) this.fail(memberPath(member), value, `Member must satisfy constraint: [${inner.join(", ")}]`);
    return value as string[];
  }

  /** A nested structure; returns a checker for its members with paths like 'tags.1.member.key'. */
  structure(member: string, rule: { required?: boolean } = {}): Record<string, unknown> | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rule.required) this.fail(memberPath(member), null, "Member must not be null");
      return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) throw wrongType(member, value, "Structure");
    return value as Record<string, unknown>;
  }

  /**
   * A checker for one nested structure whose failures join this request's message. `value` is
   * what the wire delivered: a list's item may be JSON null whatever the list should hold (then
   * every member is missing).
   */
  nested(path: string, value: unknown): Checker {
    return new Checker((value ?? {}) as Record<string, unknown>, `${this.prefix}${path}.`, this.problems);
  }

  /** Throws the combined ValidationException if any member failed. */
  done(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw new SsmError(
      ErrorCode.Validation,
      `${n} validation error${n === 1 ? "" : "s"} detected: ${this.problems.join("; ")}`,
    );
  }
}

function constraintsOf(rule: StringRule, value: string): string[] {
  const out: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- AWS measures a string's length in code points, which is what spreading counts
  const length = [...value].length;
  if (rule.min !== undefined && length < rule.min)
    out.push(`Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && length > rule.max)
    out.push(`Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern !== undefined && !matchesPattern(value, rule.pattern))
    out.push(`Member must satisfy regular expression pattern: ${rule.pattern}`);
  if (rule.enum !== undefined && !rule.enum.includes(value))
    out.push(`Member must satisfy enum value set: [${rule.enum.join(", ")}]`);
  return out;
}

function wrongType(member: string, value: unknown, expected: string): SsmError {
  return new SsmError(
    ErrorCode.Serialization,
    `${typeName(value)} can not be converted to ${expected} (member '${member}')`,
  );
}

/** Validates the top-level input of a request in one go: `check(input, c => { … })`. */
export function check<T>(input: Record<string, unknown>, body: (c: Checker) => T): T {
  const c = new Checker(input);
  const result = body(c);
  c.done();
  return result;
}
