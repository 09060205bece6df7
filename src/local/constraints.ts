/**
 * Collecting model-constraint violations (required, length, pattern, range, enum, list size) for
 * the association and fleet operations, worded as AWS words its ValidationException:
 * "1 validation error detected: Value 'x' at 'member' failed to satisfy constraint: Member must …".
 */

export class Violations {
  readonly #items: string[] = [];

  get count(): number {
    return this.#items.length;
  }

  add(value: unknown, path: string, constraint: string): void {
    const shown = value === undefined || value === null ? "null" : `'${typeof value === "string" ? value : JSON.stringify(value)}'`;
    this.#items.push(`Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** The ValidationException message, or undefined when nothing was violated. */
  message(): string | undefined {
    if (this.#items.length === 0) return undefined;
    const n = this.#items.length;
    return `${n} validation error${n === 1 ? "" : "s"} detected: ${this.#items.join("; ")}`;
  }

  required(value: unknown, path: string): boolean {
    if (value === undefined || value === null) {
      this.add(value, path, "Member must not be null");
      return false;
    }
    return true;
  }

  string(value: unknown, path: string, rules: { min?: number; max?: number; pattern?: string } = {}): void {
    if (value === undefined || value === null) return;
    if (typeof value !== "string") {
      this.add(value, path, "Member must be a string");
      return;
    }
    if (rules.min !== undefined && value.length < rules.min) this.add(value, path, `Member must have length greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && value.length > rules.max) this.add(value, path, `Member must have length less than or equal to ${rules.max}`);
    if (rules.pattern !== undefined && !new RegExp(rules.pattern, "u").test(value)) {
      this.add(value, path, `Member must satisfy regular expression pattern: ${rules.pattern}`);
    }
  }

  integer(value: unknown, path: string, min: number, max: number): void {
    if (value === undefined || value === null) return;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.add(value, path, "Member must be an integer");
      return;
    }
    if (value < min) this.add(value, path, `Member must have value greater than or equal to ${min}`);
    if (value > max) this.add(value, path, `Member must have value less than or equal to ${max}`);
  }

  boolean(value: unknown, path: string): void {
    if (value !== undefined && value !== null && typeof value !== "boolean") this.add(value, path, "Member must be a boolean");
  }

  oneOf(value: unknown, path: string, allowed: readonly string[]): void {
    if (value === undefined || value === null) return;
    if (typeof value !== "string" || !allowed.includes(value)) this.add(value, path, `Member must satisfy enum value set: [${allowed.join(", ")}]`);
  }

  /** Checks a list's size; returns the list (or []) so callers can check each member. */
  list<T>(value: unknown, path: string, min: number, max: number): T[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.add(value, path, "Member must be a list");
      return [];
    }
    if (value.length < min) this.add(value, path, `Member must have length greater than or equal to ${min}`);
    if (value.length > max) this.add(value, path, `Member must have length less than or equal to ${max}`);
    return value as T[];
  }
}

/** Patterns from the SSM model (spec section 1). */
export const PATTERNS = {
  documentArn: "^[a-zA-Z0-9_\\-.:/]{3,128}$",
  documentVersion: "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)",
  instanceId: "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)",
  associationName: "^[a-zA-Z0-9_\\-.]{3,128}$",
  associationId: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
  associationVersion: "([$]LATEST)|([1-9][0-9]*)",
  targetKey: "^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name",
  maxConcurrency: "^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$",
  maxErrors: "^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$",
  assumeRole: "arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+",
  tag: "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
} as const;

export const COMPLIANCE_SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"] as const;
export const SYNC_COMPLIANCE = ["AUTO", "MANUAL"] as const;
