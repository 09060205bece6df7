// What apply needs from a provider (apply/ sits before provider-ssm/ in the room order; the
// engine adapts SsmProvider to this).
import type { JsonValue } from "../state/index.js";

export type Attributes = { [name: string]: JsonValue };

export interface ApplyProvider {
  /** Creates the resource; returns its identity and every attribute as it now exists. */
  create(kind: string, desired: Attributes, signal?: AbortSignal): Promise<{ id: string; attributes: Attributes }>;
  /** Brings an existing resource to `desired`; returns its attributes as they now exist. */
  update(kind: string, id: string, prior: Attributes, desired: Attributes, signal?: AbortSignal): Promise<{ attributes: Attributes }>;
  /** Deletes it; resolves also when it was already gone. */
  delete(kind: string, id: string, prior: Attributes, signal?: AbortSignal): Promise<void>;
  /** Waits up to `seconds` for an association's runs to succeed (wait_for_success). */
  waitForSuccess?(kind: string, id: string, seconds: number, signal?: AbortSignal): Promise<{ ok: boolean; detail: string }>;
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
  ) {
    super(message);
    this.name = "ChangeFailure";
  }
}
