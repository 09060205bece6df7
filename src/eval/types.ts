/**
 * The type system of the language, after HCL's (cty's): three primitive types, three collection
 * types with one element type, two structural types with per-attribute / per-position types,
 * and `any` (dynamic), which stands for "not decided yet" in values and "anything" in constraints.
 */
import type { Value } from "./value.js";

export type Type =
  | { readonly kind: "string" }
  | { readonly kind: "number" }
  | { readonly kind: "bool" }
  | { readonly kind: "dynamic" }
  | { readonly kind: "list"; readonly element: Type }
  | { readonly kind: "set"; readonly element: Type }
  | { readonly kind: "map"; readonly element: Type }
  | ObjectType
  | { readonly kind: "tuple"; readonly elements: readonly Type[] };

export interface ObjectType {
  readonly kind: "object";
  readonly attributes: ReadonlyMap<string, Type>;
  /**
   * Only in type constraints: attributes declared `optional(T[, default])`. The key is the
   * attribute name; the value is its default (undefined means null).
   */
  readonly optional?: ReadonlyMap<string, Value | undefined>;
}

export const T = {
  string: { kind: "string" } as Type,
  number: { kind: "number" } as Type,
  bool: { kind: "bool" } as Type,
  dynamic: { kind: "dynamic" } as Type,
  list: (element: Type): Type => ({ kind: "list", element }),
  set: (element: Type): Type => ({ kind: "set", element }),
  map: (element: Type): Type => ({ kind: "map", element }),
  tuple: (elements: readonly Type[]): Type => ({ kind: "tuple", elements }),
  object: (
    attributes: Record<string, Type> | ReadonlyMap<string, Type>,
    optional?: ReadonlyMap<string, Value | undefined>,
  ): Type => {
    const attrs = attributes instanceof Map ? attributes : new Map(Object.entries(attributes));
    return optional && optional.size > 0
      ? { kind: "object", attributes: attrs, optional }
      : { kind: "object", attributes: attrs };
  },
  /** The type of an object value: its attribute types are listed when first asked for (see ValueObjectType). */
  objectOf: (values: ReadonlyMap<string, { readonly type: Type }>): Type => new ValueObjectType(values),
  emptyObject: { kind: "object", attributes: new Map() } as Type,
  emptyTuple: { kind: "tuple", elements: [] } as Type,
};

/**
 * An object value's type, whose attribute types are read from the value's own attributes on first
 * use. Most object values (every resource's attributes, 50,000 of them in the largest fleets) are
 * never asked for their type's attributes; building the map for each was a large part of
 * evaluation's allocation, and kept alive as long as the values.
 */
class ValueObjectType implements ObjectType {
  readonly kind = "object";
  private listed: ReadonlyMap<string, Type> | undefined;
  constructor(private readonly values: ReadonlyMap<string, { readonly type: Type }>) {}
  get attributes(): ReadonlyMap<string, Type> {
    if (!this.listed) {
      const types = new Map<string, Type>();
      this.values.forEach((v, k) => types.set(k, v.type));
      this.listed = types;
    }
    return this.listed;
  }

  /** typeEquals for two object values' types, without listing either: lists of blocks (`targets`) compare their elements' types. */
  sameAttributeTypes(other: ValueObjectType): boolean {
    if (this.values.size !== other.values.size) return false;
    for (const [k, v] of this.values) {
      const u = other.values.get(k);
      if (u === undefined || !typeEquals(v.type, u.type)) return false;
    }
    return true;
  }
}

export function isPrimitive(t: Type): boolean {
  return t.kind === "string" || t.kind === "number" || t.kind === "bool";
}

export function isCollection(t: Type): t is Extract<Type, { element: Type }> {
  return t.kind === "list" || t.kind === "set" || t.kind === "map";
}

export function typeEquals(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "list":
    case "set":
    case "map":
      return typeEquals(a.element, (b as typeof a).element);
    case "tuple": {
      const be = (b as typeof a).elements;
      return (
        a.elements.length === be.length &&
        a.elements.every((t, i) => {
          const other = be[i];
          return other !== undefined && typeEquals(t, other);
        })
      );
    }
    case "object": {
      const bo = b as ObjectType;
      if (a instanceof ValueObjectType && bo instanceof ValueObjectType) return a.sameAttributeTypes(bo);
      if (a.attributes.size !== bo.attributes.size) return false;
      for (const [k, t] of a.attributes) {
        const u = bo.attributes.get(k);
        if (!u || !typeEquals(t, u)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

/** Whether the type mentions `any` anywhere (a constraint rather than an exact type). */
export function hasDynamic(t: Type): boolean {
  switch (t.kind) {
    case "dynamic":
      return true;
    case "list":
    case "set":
    case "map":
      return hasDynamic(t.element);
    case "tuple":
      return t.elements.some(hasDynamic);
    case "object":
      return [...t.attributes.values()].some(hasDynamic);
    default:
      return false;
  }
}

/** The type as a user would write it in a `type =` constraint. */
export function typeString(t: Type): string {
  switch (t.kind) {
    case "string":
    case "number":
    case "bool":
      return t.kind;
    case "dynamic":
      return "any";
    case "list":
    case "set":
    case "map":
      return `${t.kind}(${typeString(t.element)})`;
    case "tuple":
      return `tuple([${t.elements.map(typeString).join(", ")}])`;
    case "object": {
      const parts = [...t.attributes].map(([k, v]) => {
        const inner = typeString(v);
        return `${k} = ${t.optional?.has(k) ? `optional(${inner})` : inner}`;
      });
      return `object({${parts.join(", ")}})`;
    }
  }
}

/** A short phrase for messages: "a string", "a list of string", "an object". */
export function typeFriendly(t: Type): string {
  switch (t.kind) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "bool":
      return "a bool";
    case "dynamic":
      return "a value of any type";
    case "list":
      return `a list of ${typeString(t.element)}`;
    case "set":
      return `a set of ${typeString(t.element)}`;
    case "map":
      return `a map of ${typeString(t.element)}`;
    case "tuple":
      return "a tuple";
    case "object":
      return "an object";
  }
}
