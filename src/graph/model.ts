// What the graph and the planner need to know about one resource instance of the evaluated
// configuration. The engine adapts eval's output to this shape, so graph/, plan/ and apply/ stay
// independent of how evaluation represents values.
import type { Range } from "../diag/index.js";
import type { ResourceKind } from "../addrs/index.js";
import type { AttributePath, JsonValue } from "../state/index.js";

/** Marks a value that is known only after apply (a computed attribute of another resource). */
export interface UnknownValue {
  readonly $unknown: true;
}

export const UNKNOWN: UnknownValue = Object.freeze({ $unknown: true as const });

export function isUnknown(v: unknown): v is UnknownValue {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as { $unknown?: unknown }).$unknown === true &&
    Object.keys(v).length === 1
  );
}

/** A configured value: JSON, where any part may be unknown until apply. */
export type DesiredValue =
  null | boolean | number | string | UnknownValue | DesiredValue[] | { [key: string]: DesiredValue };

/**
 * An object built key by key (`out[key] = value`), copied once it has more than a few keys. V8
 * turns an object that is given more than about a dozen properties by computed keys into a hash
 * table ("dictionary mode"): five times larger and several times slower to read. A resource's
 * attributes have 20 to 30, and a plan keeps 50,000 of them alive; the copy by spread has the
 * compact layout, and the table it was copied from dies young.
 */
export function withFastProperties<O extends object>(built: O, keys: number): O {
  return keys > 8 ? { ...built } : built;
}

/** True when no part of `v` is unknown. */
export function isWhollyKnown(v: DesiredValue | undefined): v is JsonValue {
  if (v === undefined || v === null || typeof v !== "object") return true;
  if (isUnknown(v)) return false;
  if (Array.isArray(v)) return v.every(isWhollyKnown);
  return Object.values(v).every(isWhollyKnown);
}

/** A reference from one instance to a resource (`document.x`) or to one of its instances (`document.x["a"]`). */
export interface InstanceReference {
  /** A resource address (all of its instances) or an instance address. */
  target: string;
  /** The attribute referred to, e.g. `name` in `document.x.name`. */
  attribute?: string;
  range?: Range;
}

export interface InstanceLifecycle {
  preventDestroy?: boolean;
  createBeforeDestroy?: boolean;
  /** Argument names to ignore when comparing, or "all". */
  ignoreChanges?: string[] | "all";
  /** Resources or instances whose replacement or update replaces this one. */
  replaceTriggeredBy?: InstanceReference[];
}

/** One resource instance as the configuration wants it. */
export interface ConfigInstance {
  /** Canonical instance address: `association.web["prod"]`. */
  address: string;
  kind: ResourceKind;
  /** `ssm` or `ssm.ALIAS`. */
  provider: string;
  /** Arguments by name (snake_case); null or absent = not set. */
  attrs: { [name: string]: DesiredValue };
  /** Paths inside attrs that hold sensitive values. */
  sensitivePaths: AttributePath[];
  /** References in the arguments (not depends_on). */
  references: InstanceReference[];
  dependsOn: InstanceReference[];
  lifecycle: InstanceLifecycle;
  ranges?: { block?: Range; name?: Range; attributes?: Record<string, Range> };
}
