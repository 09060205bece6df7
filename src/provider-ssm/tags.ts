// Tag changes for documents and associations: one AddTagsToResource for everything new or
// changed, one RemoveTagsFromResource for keys that went away (each skipped when empty).
import type { ListTagsForResourceCommandOutput } from "@aws-sdk/client-ssm";
import { diffTags, tagsFromList, tagsToList, type CallOptions, type ProviderContext } from "./context.js";
import type { Tags } from "./model.js";

export type TaggableResource = "Document" | "Association";

export async function readTags(
  ctx: ProviderContext,
  type: TaggableResource,
  id: string,
  call?: CallOptions,
): Promise<Tags> {
  const out = await ctx.send<ListTagsForResourceCommandOutput>(
    "ListTagsForResource",
    id,
    (sdk) => new sdk.ListTagsForResourceCommand({ ResourceType: type, ResourceId: id }),
    call,
  );
  return tagsFromList(out.TagList);
}

/** Apply the difference between `current` and `desired`; returns the number of calls made. */
export async function applyTagDiff(
  ctx: ProviderContext,
  type: TaggableResource,
  id: string,
  current: Tags,
  desired: Tags,
  call?: CallOptions,
): Promise<number> {
  const { set, remove } = diffTags(current, desired);
  let calls = 0;
  if (remove.length > 0) {
    await ctx.send(
      "RemoveTagsFromResource",
      id,
      (sdk) => new sdk.RemoveTagsFromResourceCommand({ ResourceType: type, ResourceId: id, TagKeys: remove }),
      call,
    );
    calls++;
  }
  if (Object.keys(set).length > 0) {
    await ctx.send(
      "AddTagsToResource",
      id,
      (sdk) => new sdk.AddTagsToResourceCommand({ ResourceType: type, ResourceId: id, Tags: tagsToList(set) }),
      call,
    );
    calls++;
  }
  return calls;
}
