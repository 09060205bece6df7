/**
 * Tags on any resource type: AddTagsToResource, RemoveTagsFromResource, ListTagsForResource.
 * Tags live here (section "tags"), keyed by resource type and id; each resource type plugs in
 * through `core.hooks.tagResourceTypes` to say whether an id exists (documents register
 * "Document"; associations and the fleet register "Association" and "ManagedInstance").
 * A resource type nobody registered answers `InvalidResourceType`.
 */
import { SsmError, ErrorCode } from "./errors.js";
import { check, type Checker } from "./validate.js";
import { nameMap, removeKey, type Area, type EndpointCore } from "./core.js";

export interface Tag {
  Key: string;
  Value: string;
}

/** The most tags one resource may carry (the TagList shape allows more; the service does not). */
export const MAX_TAGS_PER_RESOURCE = 50;

export const RESOURCE_TYPES = [
  "Document",
  "ManagedInstance",
  "MaintenanceWindow",
  "Parameter",
  "PatchBaseline",
  "OpsItem",
  "OpsMetadata",
  "Automation",
  "Association",
] as const;

const TAG_PATTERN = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";

type TagSection = Record<string, Record<string, Tag[]>>;

function section(core: EndpointCore): TagSection {
  const s = core.store.section<TagSection>("tags", () => ({}));
  // Resource ids are user-chosen names (a document may be called "__proto__"): prototype-free maps.
  for (const type of Object.keys(s)) if (Object.getPrototypeOf(s[type]) !== null) s[type] = nameMap(s[type]);
  return s;
}

function ownEntry<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** The tags of one resource, in the order they were first added ([] when none). */
export function getTags(core: EndpointCore, resourceType: string, resourceId: string): Tag[] {
  const byType = ownEntry(section(core), resourceType);
  return (byType ? (ownEntry(byType, resourceId) ?? []) : []).map((t) => ({ ...t }));
}

/** Adds or overwrites tags on a resource; TooManyTagsError if it would end up with more than 50. */
export function addTags(core: EndpointCore, resourceType: string, resourceId: string, tags: readonly Tag[]): void {
  const all = section(core);
  const byType = (Object.hasOwn(all, resourceType) ? all[resourceType] : undefined) ?? (all[resourceType] = nameMap());
  const merged = [...(ownEntry(byType, resourceId) ?? [])];
  for (const tag of tags) {
    const existing = merged.find((t) => t.Key === tag.Key);
    if (existing) existing.Value = tag.Value;
    else merged.push({ Key: tag.Key, Value: tag.Value });
  }
  if (merged.length > MAX_TAGS_PER_RESOURCE)
    throw new SsmError(
      ErrorCode.TooManyTagsError,
      "The Targets parameter includes too many tags. Remove one or more tags and try the command again.",
    );
  byType[resourceId] = merged;
  core.changed("tags", resourceType, resourceId);
}

export function removeTags(
  core: EndpointCore,
  resourceType: string,
  resourceId: string,
  keys: readonly string[],
): void {
  const byType = ownEntry(section(core), resourceType);
  const current = byType && ownEntry(byType, resourceId);
  if (!byType || !current) return;
  const kept = current.filter((t) => !keys.includes(t.Key));
  if (kept.length === 0) removeKey(byType, resourceId);
  else byType[resourceId] = kept;
  core.changed("tags", resourceType, resourceId);
}

/** Forget every tag of a resource (when the resource is deleted). */
export function deleteAllTags(core: EndpointCore, resourceType: string, resourceId: string): void {
  const byType = ownEntry(section(core), resourceType);
  if (byType && Object.hasOwn(byType, resourceId)) {
    removeKey(byType, resourceId);
    core.changed("tags", resourceType, resourceId);
  }
}

/**
 * Validates a `Tags` list member (Key 1–128, Value 0–256, AWS's tag pattern; `aws:` keys are
 * reserved) and returns it; for CreateDocument, CreateAssociation and AddTagsToResource alike.
 */
export function checkTagList(
  c: Checker,
  member: string,
  rule: { required?: boolean; min?: number } = {},
): Tag[] | undefined {
  const list = c.list(member, { ...rule, max: 1000 });
  if (!list) return undefined;
  const path = member.charAt(0).toLowerCase() + member.slice(1);
  const tags: Tag[] = [];
  list.forEach((raw, i) => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new SsmError(ErrorCode.Serialization, `Each member of ${member} must be a {Key, Value} structure`);
    }
    const t = c.nested(`${path}.${i + 1}.member`, raw);
    const key = t.string("Key", { required: true, min: 1, max: 128, pattern: TAG_PATTERN });
    const value = t.string("Value", { required: true, min: 0, max: 256, pattern: TAG_PATTERN });
    if (key !== undefined && value !== undefined) tags.push({ Key: key, Value: value });
  });
  return tags;
}

/** `aws:`-prefixed keys belong to AWS; users may not set them. */
export function rejectReservedTagKeys(tags: readonly Tag[]): void {
  const reserved = tags.find((t) => t.Key.toLowerCase().startsWith("aws:"));
  if (reserved)
    throw new SsmError(
      ErrorCode.Validation,
      `Tag keys starting with "aws:" are reserved for AWS system tags: ${reserved.Key}`,
    );
}

function checkResource(c: Checker): { type: string; id: string } {
  const type = c.string("ResourceType", { required: true, enum: RESOURCE_TYPES });
  const id = c.string("ResourceId", { required: true });
  return { type: type ?? "", id: id ?? "" };
}

/** Canonical id of an existing resource, or the right error for a missing one / an unhandled type. */
function existingResource(core: EndpointCore, type: string, id: string): string {
  const handler = core.hooks.tagResourceTypes.get(type);
  if (!handler)
    throw new SsmError(
      ErrorCode.InvalidResourceType,
      `The statectl local endpoint does not keep ${type} resources, so they cannot be tagged.`,
    );
  handler.checkId?.(id);
  const canonical = handler.resolve(core, id);
  if (canonical === undefined)
    throw new SsmError(
      ErrorCode.InvalidResourceId,
      "The resource ID isn't valid. Verify that you entered the correct ID and try again.",
    );
  return canonical;
}

export const tagsArea: Area = {
  name: "tags",
  operations: {
    AddTagsToResource(input, ctx) {
      const { type, id, tags } = check(input, (c) => ({
        ...checkResource(c),
        tags: checkTagList(c, "Tags", { required: true }) ?? [],
      }));
      rejectReservedTagKeys(tags);
      addTags(ctx, type, existingResource(ctx, type, id), tags);
      return {};
    },
    RemoveTagsFromResource(input, ctx) {
      const { type, id, keys } = check(input, (c) => ({
        ...checkResource(c),
        keys: c.stringList("TagKeys", { required: true, item: { min: 1, max: 128, pattern: TAG_PATTERN } }) ?? [],
      }));
      removeTags(ctx, type, existingResource(ctx, type, id), keys);
      return {};
    },
    ListTagsForResource(input, ctx) {
      const { type, id } = check(input, checkResource);
      return { TagList: getTags(ctx, type, existingResource(ctx, type, id)) };
    },
  },
};
