// What the planner needs from a provider. plan/ sits before provider-ssm/ in the room order, so
// it states its needs as an interface; the engine adapts SsmProvider to it (engine/ssm-adapter.ts).
import type { JsonValue } from "../state/index.js";
import type { DesiredValue } from "../graph/index.js";

export type PlanChangeKind = "update" | "new_version" | "replace" | "local" | "computed";

/** How a change to one attribute is carried out and compared. */
export interface PlanAttributeRule {
  change: PlanChangeKind;
  /** For "replace": why, phrased to follow "must be replaced because". */
  reason?: string;
  /** The value used when the attribute is left out; equal values are no change. */
  default?: unknown;
  via?: string;
  /** False when the remote cannot report the value: the last applied value is kept, no drift shown. */
  readable?: boolean;
  /** Left out of the configuration, the attribute is whatever exists (SSM cannot take it away: a version keeps its name). */
  keptWhenUnset?: boolean;
  /** Compare as an unordered set. */
  unordered?: boolean;
  /** Compare document bodies by meaning (JSON/YAML parsing to the same document is no change). */
  compare?: "document-content";
}

/** `windows`: the matched instances whose platform is Windows. */
export type PlanTargetCount =
  { known: true; count: number; instance_ids: string[]; windows?: string[] } | { known: false; reason: string };

/** One resource a bulk refresh reads: its id, what the state recorded, and what the configuration wants (if it is configured). */
export interface PlanReadRequest {
  id: string;
  prior: { [name: string]: JsonValue };
  desired?: { [name: string]: DesiredValue };
}

/** What a bulk read found for one id: the attributes, undefined when it no longer exists, or the error reading it. */
export type PlanReadResult = { [name: string]: JsonValue } | undefined | Error;

export interface PlanReadManyOptions {
  signal?: AbortSignal;
  /** Concurrent detail reads; default 10. */
  parallelism?: number;
}

export interface PlanProvider {
  /** Change rules per attribute for a resource kind. */
  rules(kind: string): Readonly<Record<string, PlanAttributeRule>>;
  /**
   * Turns configured arguments into what the provider will send: defaults are left out,
   * native document content serialised, the format inferred. Unknown parts stay unknown.
   */
  normalize(kind: string, attrs: { [name: string]: DesiredValue }): { [name: string]: DesiredValue };
  /** The remote identity a created resource will have if it can be told before apply (a document's name). */
  idFromConfig?(kind: string, attrs: { [name: string]: DesiredValue }): string | undefined;
  /** Reads what exists now; undefined when it no longer exists (decided by error code). */
  read(
    kind: string,
    id: string,
    prior: { [name: string]: JsonValue },
    signal?: AbortSignal,
  ): Promise<{ [name: string]: JsonValue } | undefined>;
  /**
   * Reads many resources of one kind at once: list calls first, details only for what the lists
   * cannot vouch for. Must find every change `read` would find in the attributes the plan
   * compares. Absent: the planner calls `read` per resource.
   */
  readMany?(
    kind: string,
    requests: readonly PlanReadRequest[],
    options?: PlanReadManyOptions,
  ): Promise<Map<string, PlanReadResult>>;
  /** How many managed instances targets select (for the impact line). */
  countTargets?(targets: JsonValue, signal?: AbortSignal): Promise<PlanTargetCount>;
  /**
   * Counts for many target lists at once (in order), sharing reads of the fleet between them; a
   * list that cannot be counted comes back `known: false` with the reason. The planner prefers it
   * to `countTargets`.
   */
  countTargetsMany?(
    targets: readonly JsonValue[],
    options?: { signal?: AbortSignal; parallelism?: number },
  ): Promise<PlanTargetCount[]>;
  /**
   * The associations that run a document (ListAssociations by document name): deleting the
   * document deletes them too, so the plan names those it does not manage.
   */
  associationsOfDocument?(name: string, signal?: AbortSignal): Promise<{ id: string; name?: string }[]>;
  /** Whether a version of a document exists (an association's `document_version`); cached per run. */
  documentVersionExists?(name: string, version: string, signal?: AbortSignal): Promise<boolean>;
}
