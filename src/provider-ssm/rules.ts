// What a change to each attribute costs, read from the resource schemas (ssm/resource-schema.ts):
// the planner reads these tables to choose between update-in-place, a new document version and
// replacement, and prints `reason` when it must replace. The type checks below keep the
// provider's model (model.ts) and the schemas naming the same attributes.
import {
  ASSOCIATION_RESOURCE,
  conformsTo,
  conformsToResource,
  DOCUMENT_RESOURCE,
  type ResourceAttribute,
  type ResourceSchema,
} from "../ssm/index.js";
import type {
  AssociationSpec,
  AssociationState,
  AssociationTarget,
  DocumentSpec,
  DocumentState,
  RecordedAssociation,
  RecordedDocument,
  Tags,
} from "./model.js";

type AttributeRule = Pick<
  ResourceAttribute,
  "change" | "reason" | "default" | "via" | "readable" | "keptWhenUnset" | "unordered" | "compare"
>;

type RulesOf<S extends ResourceSchema> = { readonly [K in keyof S["attributes"]]: AttributeRule };

function rulesOf<S extends ResourceSchema>(schema: S): RulesOf<S> {
  const rules: Record<string, AttributeRule> = {};
  for (const [name, a] of Object.entries(schema.attributes)) {
    rules[name] = {
      change: a.change,
      ...pick(a, "reason", "default", "via", "readable", "keptWhenUnset", "unordered", "compare"),
    };
  }
  return rules as RulesOf<S>;
}

function pick<K extends keyof ResourceAttribute>(
  a: ResourceAttribute,
  ...keys: K[]
): Partial<Pick<ResourceAttribute, K>> {
  const out: Partial<Pick<ResourceAttribute, K>> = {};
  for (const k of keys) if (a[k] !== undefined) out[k] = a[k];
  return out;
}

export const documentAttributeRules = rulesOf(DOCUMENT_RESOURCE);
export const associationAttributeRules = rulesOf(ASSOCIATION_RESOURCE);

// The schemas and the model name the same attributes (association's wait_for_success is
// statectl's own and never reaches the provider): a mismatch is a compile error here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<keyof typeof DOCUMENT_RESOURCE.attributes, keyof DocumentState>;
true satisfies Same<Exclude<keyof typeof ASSOCIATION_RESOURCE.attributes, "wait_for_success">, keyof AssociationState>;

/** Whether a provider input (ssm providerInput) is a document the schema allows. */
export function isDocumentSpec(
  input: Readonly<Record<string, unknown>>,
): input is Readonly<Record<string, unknown>> & DocumentSpec {
  return conformsToResource(DOCUMENT_RESOURCE, input);
}

/** Whether a provider input (ssm providerInput) is an association the schema allows. */
export function isAssociationSpec(
  input: Readonly<Record<string, unknown>>,
): input is Readonly<Record<string, unknown>> & AssociationSpec {
  return conformsToResource(ASSOCIATION_RESOURCE, input);
}

/** Whether attributes recorded in the state are a document as the provider reads it. */
export function isDocumentState(
  attrs: Readonly<Record<string, unknown>>,
): attrs is Readonly<Record<string, unknown>> & RecordedDocument {
  return conformsToResource(DOCUMENT_RESOURCE, attrs);
}

/** Whether attributes recorded in the state are an association as the provider reads it. */
export function isAssociationState(
  attrs: Readonly<Record<string, unknown>>,
): attrs is Readonly<Record<string, unknown>> & RecordedAssociation {
  return conformsToResource(ASSOCIATION_RESOURCE, attrs);
}

/** Whether a value is an association's `targets` list. */
export function isTargetList(value: unknown): value is AssociationTarget[] {
  return conformsTo(ASSOCIATION_RESOURCE.attributes.targets.type, value);
}

/** Whether a value is a tag map (key → value). */
export function isTagMap(value: unknown): value is Tags {
  return conformsTo(ASSOCIATION_RESOURCE.attributes.tags.type, value);
}

/** Attributes whose change alone makes SSM run the association again (all UpdateAssociation ones). */
export function associationChangeRunsNow(
  changed: readonly (keyof AssociationState)[],
  applyOnlyAtCronInterval: boolean,
): boolean {
  if (applyOnlyAtCronInterval) return false;
  return changed.some((attribute) => associationAttributeRules[attribute].via === "UpdateAssociation");
}
