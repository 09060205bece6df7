// What a change to each attribute costs, decided from what the SSM API can update. The planner
// reads this table to choose between update-in-place, a new document version and replacement,
// and prints `reason` when it must replace.
import type { AssociationState, DocumentState } from "./model.js";

export type ChangeKind =
  /** Changed by an API call on the existing resource. */
  | "update"
  /** Documents only: UpdateDocument adds a version carrying the new value. */
  | "new_version"
  /** No API can change it: delete and create again. `reason` says why. */
  | "replace"
  /** statectl's own setting; no SSM call by itself. */
  | "local"
  /** Reported by SSM, never declared. */
  | "computed";

export interface AttributeRule {
  change: ChangeKind;
  /** For "replace": why, phrased to follow "must be replaced because". */
  reason?: string;
  /** The value SSM (or statectl) uses when the attribute is left out; equal values are no change. */
  default?: unknown;
  /** The SSM operation that carries a change. */
  via?: string;
  /**
   * False when SSM cannot report the value back (e.g. attachment sources): the planner keeps
   * the last applied value and shows no drift for it.
   */
  readable?: boolean;
  /** Left out of the configuration, the attribute is whatever exists (SSM cannot take it away). */
  keptWhenUnset?: boolean;
  /** Compare as an unordered set. */
  unordered?: boolean;
}

export const documentAttributeRules: Readonly<Record<keyof DocumentState, AttributeRule>> = {
  name: { change: "replace", reason: "SSM has no operation that renames a document" },
  type: {
    change: "replace",
    reason: "UpdateDocument cannot change a document's type",
    default: "Command",
  },
  requires: { change: "replace", reason: "UpdateDocument cannot change a document's requires list" },
  content: { change: "new_version", via: "UpdateDocument" },
  format: { change: "new_version", via: "UpdateDocument", default: "JSON" },
  target_type: { change: "new_version", via: "UpdateDocument" },
  // A version keeps its name; removing the argument stops managing it rather than diffing forever.
  version_name: { change: "new_version", via: "UpdateDocument", keptWhenUnset: true },
  display_name: { change: "new_version", via: "UpdateDocument" },
  attachments: { change: "new_version", via: "UpdateDocument", readable: false },
  permissions: { change: "update", via: "ModifyDocumentPermission", default: [], unordered: true },
  tags: { change: "update", via: "AddTagsToResource/RemoveTagsFromResource", default: {} },
  promote: { change: "local", default: true, via: "UpdateDocumentDefaultVersion" },
  document_version: { change: "computed" },
  default_version: { change: "computed" },
  latest_version: { change: "computed" },
  hash: { change: "computed" },
  status: { change: "computed" },
  status_information: { change: "computed" },
  owner: { change: "computed" },
  schema_version: { change: "computed" },
  platform_types: { change: "computed" },
  parameters: { change: "computed" },
  created_date: { change: "computed" },
  arn: { change: "computed" },
};

const viaUpdate = { change: "update", via: "UpdateAssociation" } as const;

export const associationAttributeRules: Readonly<Record<keyof AssociationState, AttributeRule>> = {
  document: {
    change: "replace",
    reason: "an association cannot be moved to another document (UpdateAssociation only changes its version)",
  },
  name: viaUpdate,
  document_version: { ...viaUpdate, default: "$DEFAULT" },
  targets: viaUpdate,
  parameters: { ...viaUpdate, default: {} },
  schedule: viaUpdate,
  schedule_offset: viaUpdate,
  apply_only_at_cron_interval: { ...viaUpdate, default: false },
  compliance_severity: viaUpdate,
  max_concurrency: viaUpdate,
  max_errors: viaUpdate,
  sync_compliance: { ...viaUpdate, default: "AUTO" },
  output_location: viaUpdate,
  calendar_names: viaUpdate,
  duration: viaUpdate,
  automation_target_parameter_name: viaUpdate,
  target_maps: viaUpdate,
  target_locations: viaUpdate,
  alarm_configuration: viaUpdate,
  dispatch_assume_role: viaUpdate,
  tags: { change: "update", via: "AddTagsToResource/RemoveTagsFromResource", default: {} },
  association_id: { change: "computed" },
  association_version: { change: "computed" },
  status: { change: "computed" },
  detailed_status: { change: "computed" },
  arn: { change: "computed" },
};

/** Attributes whose change alone makes SSM run the association again (all UpdateAssociation ones). */
export function associationChangeRunsNow(changed: readonly (keyof AssociationState)[], applyOnlyAtCronInterval: boolean): boolean {
  if (applyOnlyAtCronInterval) return false;
  return changed.some((attribute) => associationAttributeRules[attribute].via === "UpdateAssociation");
}
