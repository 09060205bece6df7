/**
 * What every operation handler sees: the store, the clock, the hooks areas use to talk to each
 * other, the behaviour settings, and the account/region the endpoint pretends to be.
 */
import type { DataStore } from "./store.js";
import type { SsmError } from "./errors.js";
import type { Executor } from "./execution.js";
import type { AssociationRecord, ExecutionRecord } from "./simulator.js";

/** Input as the wire delivers it: a JSON object (members validated by the handler). */
export type Input = Record<string, unknown>;

/** `(input, ctx) => output`; throw `SsmError` for an AWS error. May be async, but must not await
 * between reading and changing the store (handlers run one at a time, awaits break that). */
export type Handler = (input: Input, ctx: OperationContext) => unknown;

/**
 * An area of the API (documents, tags, associations, fleet …): its operations and the set-up it
 * needs (register hooks, seed data). Areas are listed once, in operations.ts.
 */
export interface Area {
  name: string;
  operations: Record<string, Handler>;
  /** Runs once when the endpoint starts, after the store is loaded, in the order of the table. */
  setup?(core: EndpointCore): void | Promise<void>;
  /** Runs when the endpoint stops (e.g. to stop timers), in reverse order. */
  teardown?(core: EndpointCore): void | Promise<void>;
}

/** Time as the endpoint sees it: real by default; the clock area may swap in a virtual one. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

/** What uses a document, as answered by the associations area. */
export interface DocumentUsage {
  /** Associations (by id) whose document is this one. */
  associationIds: string[];
  /** Managed instances with a legacy InstanceId association to it (these make DeleteDocument fail). */
  legacyInstanceIds: string[];
}

/** How the tags area finds out whether a tagged resource exists, one per ResourceType. */
export interface TagResourceType {
  /** Throws SsmError (ValidationException) for an id of the wrong form for this type, before it is looked up. */
  checkId?(resourceId: string): void;
  /** The canonical id for `resourceId` if the resource exists, else undefined (→ InvalidResourceId). */
  resolve(core: EndpointCore, resourceId: string): string | undefined;
}

export interface EndpointHooks {
  /** Asked before a document (or version) is deleted and by anyone wanting to know. */
  documentUsage: Array<(core: EndpointCore, documentName: string) => DocumentUsage>;
  /** Told after a whole document is deleted (associations cascade here). */
  documentDeleted: Array<(core: EndpointCore, documentName: string) => void>;
  /** Told after UpdateDocumentDefaultVersion moves the default. */
  documentDefaultVersionChanged: Array<(core: EndpointCore, documentName: string, version: string) => void>;
  /** ResourceType (Document, Association, ManagedInstance, …) → how to check the resource exists. */
  tagResourceTypes: Map<string, TagResourceType>;
  /** Told after an association ran (or a closed calendar skipped it); compliance reports here. */
  associationExecuted: Array<(core: EndpointCore, association: AssociationRecord, execution: ExecutionRecord) => void>;
  /** Told after an association is deleted. */
  associationDeleted: Array<(core: EndpointCore, associationId: string) => void>;
  /** Whether every named change calendar is OPEN at a time (epoch ms); the calendar area answers. */
  calendarsOpen: Array<(core: EndpointCore, names: readonly string[], at: number) => boolean>;
}

/** Behaviour switches where the spec leaves a choice; docs/local-endpoint.md explains each. */
export interface EndpointSettings {
  /** DeleteDocument on a document that associations use: delete them too ("cascade", as AWS's API
   * reference describes) or refuse with AssociatedInstances ("refuse"). Legacy InstanceId
   * associations always refuse. */
  deleteDocumentInUse: "cascade" | "refuse";
  /** Command documents accept only String and StringList parameters (the user guide's rule). */
  strictCommandParameterTypes: boolean;
  /** Milliseconds a new document version reports Creating/Updating before Active (endpoint clock). */
  documentActivationDelayMs: number;
  /** Service quotas (lower them in tests to reach the limit errors quickly). */
  limits: { documents: number; documentVersions: number };
  /** CreateAssociation refuses a second association with the same document and Targets
   * (AssociationAlreadyExists). AWS documents no such rule, so it is off by default. */
  rejectDuplicateAssociations: boolean;
  /** The account this endpoint pretends to be; Owner of your own documents. */
  accountId: string;
  region: string;
}

export const defaultSettings: EndpointSettings = {
  deleteDocumentInUse: "cascade",
  strictCommandParameterTypes: false,
  // Small but not zero: a client must wait for Active, as on AWS, without slowing tests.
  documentActivationDelayMs: 20,
  limits: { documents: 500, documentVersions: 1000 },
  rejectDuplicateAssociations: false,
  accountId: "123456789012",
  region: "us-east-1",
};

/** Execution (opt-in): the endpoint's executor, and where this partition's instance disks are kept under it. */
export interface CoreExecution {
  readonly executor: Executor;
  /** "" for the endpoint's own account and region, else "ACCOUNT-REGION/". */
  readonly diskPrefix: string;
}

export interface EndpointCore {
  readonly store: DataStore;
  /** Set when the endpoint executes documents (startLocalEndpoint({ execute })). */
  readonly execution?: CoreExecution;
  clock: Clock;
  readonly hooks: EndpointHooks;
  readonly settings: EndpointSettings;
  /**
   * Record that the store changed at `section` → `keys` (the entry touched, e.g. "simulation",
   * "associations", id; or anything above it), so the response waits for it to be written. The
   * write serialises only what was marked (store.ts).
   */
  changed(section: string, ...keys: string[]): void;
  /** Now, as wire time: epoch seconds with a fraction. */
  wireNow(): number;
  /** Runs `fn` with no handler running at the same time (for timers and library controls), then
   * waits until its store changes are on disk. Handlers themselves already run this way. */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T>;
}

export interface OperationContext extends EndpointCore {
  readonly operation: string;
  readonly requestId: string;
}

export function newHooks(): EndpointHooks {
  return {
    documentUsage: [],
    documentDeleted: [],
    documentDefaultVersionChanged: [],
    tagResourceTypes: new Map(),
    associationExecuted: [],
    associationDeleted: [],
    calendarsOpen: [],
  };
}

/** A map keyed by user-chosen names: no prototype, so "__proto__" or "constructor" are just names. */
export function nameMap<T>(from?: Record<string, T>): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  if (from)
    for (const key of Object.keys(from))
      Object.defineProperty(map, key, { value: from[key], enumerable: true, writable: true, configurable: true });
  return map;
}

/** Removes `key` from a map keyed by names or ids (a dictionary: deleting a key is how it forgets one). */
export function removeKey(map: Record<string, unknown>, key: string): void {
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a dictionary keyed by names or ids, never an object with a fixed shape
  delete map[key];
}

/** Makes `map` prototype-free in place and returns it: maps read back from disk are ordinary objects. */
export function asNameMap<T>(map: Record<string, T>): Record<string, T> {
  if (Object.getPrototypeOf(map) !== null) Object.setPrototypeOf(map, null);
  return map;
}

/** Epoch milliseconds → the wire's epoch seconds with a fraction (e.g. 1550505828.548). */
export function wireTime(ms: number): number {
  return ms / 1000;
}

export type { SsmError };
