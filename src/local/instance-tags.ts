/**
 * Where a simulated instance's tags live. On AWS an EC2 instance's tags belong to EC2 (State
 * Manager's `tag:` targets read them from there), while SSM's own tags — AddTagsToResource with
 * ResourceType ManagedInstance — exist only for hybrid managed nodes (`mi-…` ids); an `i-…` id
 * there is a ValidationException. So here: an `mi-` instance's tags are kept by the tags area
 * (section "tags", like every SSM tag); an `i-` instance's simulated EC2 tags are kept on the
 * instance in the fleet, and change only through statectl's own controls (`tagInstance`,
 * `StatectlTagInstance`). `syncFleetTags` copies the SSM tags onto the fleet before targets
 * resolve.
 */
import { removeKey, type EndpointCore } from "./core.js";
import { SsmError, ErrorCode } from "./errors.js";
import type { ManagedInstance } from "./fleet.js";
import { addTags, deleteAllTags, getTags, removeTags } from "./tags.js";

/** True for ids SSM's ManagedInstance resource type accepts (hybrid nodes registered with an activation). */
export function isManagedInstanceId(id: string): boolean {
  return id.startsWith("mi-");
}

/** ValidationException for an id the ManagedInstance resource type does not take. */
export function checkManagedInstanceId(id: string): void {
  if (!isManagedInstanceId(id))
    throw new SsmError(
      ErrorCode.Validation,
      `Resource ID ${id} is not a valid managed node ID: the ManagedInstance resource type is only for on-premises managed nodes, whose IDs have the format mi-ID_number. Tags of EC2 instances come from Amazon EC2.`,
    );
}

/** The instance's tags as targets see them: SSM's tags for an `mi-` node, its EC2 tags for an `i-` instance. */
export function syncInstanceTags(core: EndpointCore, fleet: ManagedInstance[]): void {
  for (const instance of fleet) {
    const ssmTags = getTags(core, "ManagedInstance", instance.instanceId);
    if (isManagedInstanceId(instance.instanceId)) {
      const tags = Object.fromEntries(ssmTags.map((t) => [t.Key, t.Value]));
      // Every step copies them; only a copy that differs is a change to write.
      if (JSON.stringify(tags) !== JSON.stringify(instance.tags)) {
        instance.tags = tags;
        core.changed("simulation", "fleet");
      }
    } else if (ssmTags.length > 0) {
      // Data written before EC2 and SSM tags were kept apart: the EC2 instance's tags move onto it.
      instance.tags = Object.fromEntries(ssmTags.map((t) => [t.Key, t.Value]));
      deleteAllTags(core, "ManagedInstance", instance.instanceId);
      core.changed("simulation", "fleet");
    }
  }
}

/** Records a new instance's tags where they belong. */
export function storeNewInstanceTags(core: EndpointCore, instance: ManagedInstance): void {
  if (!isManagedInstanceId(instance.instanceId)) return;
  const tags = Object.entries(instance.tags).map(([Key, Value]) => ({ Key, Value }));
  if (tags.length > 0) addTags(core, "ManagedInstance", instance.instanceId, tags);
}

/** Sets and removes tags: SSM tags of an `mi-` node, simulated EC2 tags of an `i-` instance. */
export function changeInstanceTags(
  core: EndpointCore,
  instance: ManagedInstance,
  set: Record<string, string>,
  remove: readonly string[],
): void {
  if (isManagedInstanceId(instance.instanceId)) {
    const entries = Object.entries(set).map(([Key, Value]) => ({ Key, Value }));
    if (entries.length > 0) addTags(core, "ManagedInstance", instance.instanceId, entries);
    if (remove.length > 0) removeTags(core, "ManagedInstance", instance.instanceId, remove);
    return;
  }
  const tags = { ...instance.tags, ...set };
  for (const key of remove) removeKey(tags, key);
  instance.tags = tags;
  core.changed("simulation", "fleet");
}

/** Forgets a removed instance's SSM tags (EC2 tags leave with the instance). */
export function forgetInstanceTags(core: EndpointCore, instance: ManagedInstance): void {
  deleteAllTags(core, "ManagedInstance", instance.instanceId);
}
