// What apply needs from a provider (apply/ sits before provider-ssm/ in the room order; the
// engine adapts SsmProvider to this).
import type { JsonValue } from "../state/index.js";

export type Attributes = { [name: string]: JsonValue };

export interface CreateOptions {
  /** The address being created, for messages and hints. */
  address?: string;
  /** Ids the state already tracks for this kind: an existing object with one of them is never adopted. */
  exclude?: ReadonlySet<string>;
}

export interface Created {
  id: string;
  attributes: Attributes;
  /** It already existed (e.g. made by a create whose response was lost) and was taken over. */
  adopted?: string;
}

export interface ApplyProvider {
  /** Creates the resource; returns its identity and every attribute as it now exists. */
  create(kind: string, desired: Attributes, signal?: AbortSignal, options?: CreateOptions): Promise<Created>;
  /**
   * False for kinds whose create makes a new object on every call (an association gets a new id
   * each time). Apply then records the create in the state before sending it (State.pendingCreates)
   * and never sends it again after a failure that may have made it without asking `findCreated`.
   */
  createIsIdempotent?(kind: string): boolean;
  /** What a create of `desired` sent at `since` may have made, not counting the ids in `exclude`. */
  findCreated?(
    kind: string,
    desired: Attributes,
    options: { since: Date; exclude: ReadonlySet<string>; signal?: AbortSignal },
  ): Promise<{ id: string; attributes: Attributes }[]>;
  /**
   * How many creates like this one the provider sends in one call (e.g. CreateAssociationBatch
   * takes 10). Apply lets that many such creates be under way together, so they can share calls.
   * Absent or 1: one call per create.
   */
  createBatchSize?(kind: string, desired: Attributes): number;
  /**
   * Which creates can share a call: apply gathers batched creates with the same group (and kind)
   * together. Absent: all batched creates of a kind can (e.g. CreateAssociationBatch takes one
   * dispatch role for the whole call, so associations are grouped by role).
   */
  createBatchGroup?(kind: string, desired: Attributes): string;
  /** Brings an existing resource to `desired`; returns its attributes as they now exist. */
  update(
    kind: string,
    id: string,
    prior: Attributes,
    desired: Attributes,
    signal?: AbortSignal,
  ): Promise<{ attributes: Attributes }>;
  /** Deletes it; resolves also when it was already gone. */
  delete(kind: string, id: string, prior: Attributes, signal?: AbortSignal): Promise<void>;
  /** Waits up to `seconds` for an association's runs to succeed (wait_for_success). */
  waitForSuccess?(
    kind: string,
    id: string,
    seconds: number,
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; detail: string }>;
}

/**
 * A failed change. When part of it happened (a document created, then sharing it failed),
 * `partial` is what really exists now, so the state can record it.
 */
export class ChangeFailure extends Error {
  constructor(
    message: string,
    readonly partial?: { id: string; attributes: Attributes },
    /** The provider's error code (e.g. the AWS error code), when known. */
    readonly code?: string,
    readonly more: {
      /** The call may have been carried out although it failed (HTTP 5xx, dropped connection). */
      outcomeUnknown?: boolean;
      /** What the user can do about it. */
      hint?: string;
    } = {},
  ) {
    super(message);
    this.name = "ChangeFailure";
  }
}
