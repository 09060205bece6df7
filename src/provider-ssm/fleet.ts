// How many managed instances an association's targets select right now, for the plan's impact
// line. Resolved through DescribeInstanceInformation: tag targets become server-side filters
// (several keys AND, values OR — the same rule State Manager applies), instance-id targets are
// matched on our side, because SSM refuses tag filters mixed with other filter kinds and fails
// the whole call when a filtered id is not a managed node.
//
// A TargetCounter reads each distinct filter set once (the instance list carries no tags, so tag
// targets cannot be matched locally; instance-id targets all share one unfiltered read of the
// fleet). A plan with hundreds of changed associations over a few target sets makes a few reads,
// not one per association (issue 23).
import type { InstanceInformationStringFilter } from "@aws-sdk/client-ssm";
import type { CallOptions, ProviderContext } from "./context.js";
import type { AssociationTarget } from "./model.js";

export type TargetCount =
  /** `windows`: the matched instances whose platform is Windows (for Linux-only documents). */
  { known: true; count: number; instance_ids: string[]; windows?: string[] } | { known: false; reason: string };

/** One managed instance as a target count needs it. */
interface FleetMember {
  id: string;
  windows: boolean;
}

/** Counts targets with fresh reads of the fleet (each call reads again). */
export async function countTargets(
  ctx: ProviderContext,
  targets: readonly AssociationTarget[] | undefined,
  call?: CallOptions,
): Promise<TargetCount> {
  return new TargetCounter(ctx).count(targets, call);
}

/**
 * Counts targets, reading the fleet once per distinct server-side filter set for as long as it
 * lives (one plan): concurrent counts of the same set wait for the same read.
 */
export class TargetCounter {
  private readonly reads = new Map<string, Promise<FleetMember[]>>();
  /** DescribeInstanceInformation scans started (one per distinct filter set). */
  scans = 0;

  constructor(private readonly ctx: ProviderContext) {}

  async count(targets: readonly AssociationTarget[] | undefined, call?: CallOptions): Promise<TargetCount> {
    if (targets === undefined || targets.length === 0) return { known: true, count: 0, instance_ids: [] };
    const filters: (InstanceInformationStringFilter & { Key: string })[] = [];
    const idSets: Set<string>[] = [];
    for (const target of targets) {
      const key = target.key;
      if (key.toLowerCase() === "instanceids") {
        if (!target.values.includes("*")) idSets.push(new Set(target.values));
      } else if (key.startsWith("tag:") || key === "tag-key") {
        filters.push({ Key: key, Values: [...new Set(target.values)].sort() });
      } else {
        return {
          known: false,
          reason: `targets with key "${key}" cannot be resolved through DescribeInstanceInformation`,
        };
      }
    }
    // An empty id list can match nothing; no need to ask.
    if (idSets.some((set) => set.size === 0)) return { known: true, count: 0, instance_ids: [] };
    const onlyIds = idSets.length > 1 ? intersect(idSets) : idSets[0];
    filters.sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
    const members = await this.read(filters, call);
    const ids = new Set<string>();
    const windows = new Set<string>();
    for (const m of members) {
      if (onlyIds !== undefined && !onlyIds.has(m.id)) continue;
      ids.add(m.id);
      if (m.windows) windows.add(m.id);
    }
    const unique = [...ids].sort();
    return {
      known: true,
      count: unique.length,
      instance_ids: unique,
      ...(windows.size > 0 ? { windows: [...windows].sort() } : {}),
    };
  }

  private read(filters: InstanceInformationStringFilter[], call?: CallOptions): Promise<FleetMember[]> {
    const key = JSON.stringify(filters.map((f) => [f.Key, f.Values]));
    let read = this.reads.get(key);
    if (read === undefined) {
      this.scans++;
      read = scanFleet(this.ctx, filters, call);
      // A failed read is not kept: the next count asks again.
      read.catch(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }
}

async function scanFleet(
  ctx: ProviderContext,
  filters: InstanceInformationStringFilter[],
  call?: CallOptions,
): Promise<FleetMember[]> {
  const { paginateDescribeInstanceInformation } = await ctx.sdk();
  const members: FleetMember[] = [];
  try {
    for await (const page of paginateDescribeInstanceInformation(
      { client: ctx.client, pageSize: 50 },
      filters.length > 0 ? { Filters: filters } : {},
    )) {
      for (const info of page.InstanceInformationList ?? []) {
        const id = info.InstanceId;
        // Inactive nodes (deregistered, long offline) never run associations; ConnectionLost ones
        // will when they reconnect, so they count.
        if (id === undefined || info.PingStatus === "Inactive") continue;
        members.push({ id, windows: info.PlatformType === "Windows" });
      }
      if (call?.signal?.aborted) break;
    }
  } catch (error) {
    throw ctx.wrap(error, "DescribeInstanceInformation", undefined);
  }
  return members;
}

function intersect(sets: Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((id) => rest.every((s) => s.has(id))));
}
