// How many managed instances an association's targets select right now, for the plan's impact
// line. Resolved through DescribeInstanceInformation: tag targets become server-side filters
// (several keys AND, values OR — the same rule State Manager applies), instance-id targets are
// matched on our side, because SSM refuses tag filters mixed with other filter kinds and fails
// the whole call when a filtered id is not a managed node.
import type { DescribeInstanceInformationCommandOutput, InstanceInformationStringFilter } from "@aws-sdk/client-ssm";
import type { CallOptions, ProviderContext } from "./context.js";
import type { AssociationTarget } from "./model.js";

export type TargetCount =
  /** `windows`: the matched instances whose platform is Windows (for Linux-only documents). */
  | { known: true; count: number; instance_ids: string[]; windows?: string[] }
  | { known: false; reason: string };

export async function countTargets(
  ctx: ProviderContext,
  targets: readonly AssociationTarget[] | undefined,
  call?: CallOptions,
): Promise<TargetCount> {
  if (targets === undefined || targets.length === 0) return { known: true, count: 0, instance_ids: [] };
  const filters: InstanceInformationStringFilter[] = [];
  let idSets: Set<string>[] = [];
  for (const target of targets) {
    const key = target.key;
    if (key.toLowerCase() === "instanceids") {
      if (!target.values.includes("*")) idSets.push(new Set(target.values));
    } else if (key.startsWith("tag:") || key === "tag-key") {
      filters.push({ Key: key, Values: [...target.values] });
    } else {
      return { known: false, reason: `targets with key "${key}" cannot be resolved through DescribeInstanceInformation` };
    }
  }
  // An empty id list can match nothing; no need to ask.
  if (idSets.some((set) => set.size === 0)) return { known: true, count: 0, instance_ids: [] };
  if (idSets.length > 1) idSets = [intersect(idSets)];
  const { paginateDescribeInstanceInformation } = await ctx.sdk();
  const ids: string[] = [];
  const windows = new Set<string>();
  try {
    for await (const page of paginateDescribeInstanceInformation(
      { client: ctx.client, pageSize: 50 },
      filters.length > 0 ? { Filters: filters } : {},
    )) {
      for (const info of (page as DescribeInstanceInformationCommandOutput).InstanceInformationList ?? []) {
        const id = info.InstanceId;
        // Inactive nodes (deregistered, long offline) never run associations; ConnectionLost ones
        // will when they reconnect, so they count.
        if (id === undefined || info.PingStatus === "Inactive") continue;
        if (idSets.length === 0 || idSets[0]!.has(id)) {
          ids.push(id);
          if (info.PlatformType === "Windows") windows.add(id);
        }
      }
      if (call?.signal?.aborted) break;
    }
  } catch (error) {
    throw ctx.wrap(error, "DescribeInstanceInformation", undefined);
  }
  const unique = [...new Set(ids)].sort();
  return { known: true, count: unique.length, instance_ids: unique, ...(windows.size > 0 ? { windows: [...windows].sort() } : {}) };
}

function intersect(sets: Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((id) => rest.every((s) => s.has(id))));
}
