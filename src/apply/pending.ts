// Creates in flight left in the state by an apply that never saw their outcome (killed, or the
// response lost): before planning, each one is resolved against what really exists, so a rerun
// adopts what the interrupted create made instead of creating a duplicate.
import { error, warning, type Diagnostic } from "../diag/index.js";
import { findInstance, removePendingCreate, setInstance, type PendingCreate, type State } from "../state/index.js";
import type { ApplyProvider } from "./provider.js";

export interface PendingResolution {
  /** The state with adopted instances recorded and resolved entries removed. */
  state: State;
  /** Instances taken over: the interrupted create had made them. */
  adopted: { address: string; id: string }[];
  /** Entries dropped because the create had made nothing: the plan creates them. */
  dropped: string[];
  /** Errors for entries that stay unresolved (several matches, or the lookup failed): planning must not go on. */
  diagnostics: Diagnostic[];
}

/** Resolves every create in flight recorded in `state` (see PendingCreate). Never throws. */
export async function resolvePendingCreates(
  state: State,
  provider: (key: string) => ApplyProvider,
  options: { signal?: AbortSignal } = {},
): Promise<PendingResolution> {
  const result: PendingResolution = { state, adopted: [], dropped: [], diagnostics: [] };
  for (const pending of state.pendingCreates ?? []) {
    const p = provider(pending.provider);
    if (!p.findCreated) {
      result.state = removePendingCreate(result.state, pending.address);
      result.dropped.push(pending.address);
      continue;
    }
    const exclude = new Set(result.state.resources.filter((r) => r.kind === pending.kind).map((r) => r.id));
    let found: { id: string; attributes: PendingCreate["attributes"] }[];
    try {
      found = await p.findCreated(pending.kind, pending.attributes, {
        since: new Date(pending.started),
        exclude,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (e) {
      result.diagnostics.push(
        error("apply/lost-create-lookup-failed", `${pending.address}: cannot check what an interrupted create made`, {
          detail: `A create of ${pending.address} was sent at ${pending.started} and its outcome was never seen. Looking for what it made failed: ${e instanceof Error ? e.message : String(e)}. Planning stops here, because creating it again could make a duplicate.`,
          hint: "run the command again once SSM answers",
        }),
      );
      continue;
    }
    const [made] = found;
    if (made === undefined) {
      result.state = removePendingCreate(result.state, pending.address);
      result.dropped.push(pending.address);
      continue;
    }
    if (found.length > 1) {
      result.diagnostics.push(
        error(
          "apply/lost-create-ambiguous",
          `${pending.address}: an interrupted create may have made ${found.length} ${pending.kind}s`,
          {
            detail: `A create of ${pending.address} was sent at ${pending.started} and its outcome was never seen. ${found.length} ${pending.kind}s that match it exactly were made since and none is in the state: ${found.map((f) => f.id).join(", ")}. statectl cannot tell which one is its own, so it adopts none and creates nothing.`,
            hint: `keep one with \`statectl import ${pending.address} ID\` and delete the others (aws ssm delete-association --association-id ID)`,
          },
        ),
      );
      continue;
    }
    const previous = findInstance(result.state, pending.address);
    if (previous && previous.id !== made.id) {
      result.diagnostics.push(
        warning("apply/lost-create-replaced", `${pending.address}: ${previous.id} is no longer tracked`, {
          detail: `An interrupted create_before_destroy replacement of ${pending.address} had made ${made.id}, which is now recorded at that address; the ${pending.kind} it was replacing, ${previous.id}, is no longer in the state and still exists.`,
          hint: `delete ${previous.id} if it is no longer needed`,
        }),
      );
    }
    result.state = setInstance(removePendingCreate(result.state, pending.address), {
      address: pending.address,
      kind: pending.kind,
      provider: pending.provider,
      id: made.id,
      attributes: made.attributes,
      sensitiveAttributes: pending.sensitiveAttributes,
      dependencies: pending.dependencies,
    });
    result.adopted.push({ address: pending.address, id: made.id });
  }
  return result;
}
