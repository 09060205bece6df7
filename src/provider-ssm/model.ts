// The resource model the engine plans with: plain objects with the .state language's snake_case
// attribute names. SDK shapes (PascalCase, `| undefined` everywhere, Date objects) never leave this
// room; documents.ts and associations.ts translate at the boundary.

/** Tags as the language writes them: key → value. */
export type Tags = Record<string, string>;

export interface DocumentRequirement {
  name: string;
  version?: string;
  require_type?: string;
  version_name?: string;
}

export interface DocumentAttachment {
  /** SourceUrl | S3FileUrl | AttachmentReference */
  key: string;
  values: string[];
  name?: string;
}

/** What a `document` block declares. Optional members left out mean "not set". */
export interface DocumentSpec {
  name: string;
  /** The document body exactly as it will be sent (the engine serialises native objects first). */
  content: string;
  /** Default "Command". */
  type?: string;
  /** JSON | YAML | TEXT; default "JSON". */
  format?: string;
  target_type?: string;
  version_name?: string;
  display_name?: string;
  requires?: DocumentRequirement[];
  attachments?: DocumentAttachment[];
  /** Account ids the document is shared with (or "all"); left out = not shared. */
  permissions?: string[];
  /** Left out = no tags. */
  tags?: Tags;
  /** Make each new version the default version. Default true. */
  promote?: boolean;
}

export interface DocumentParameterInfo {
  name: string;
  type: string;
  description?: string;
  default_value?: string;
}

/**
 * A document as SSM reports it. The version-specific attributes (content, format, display_name,
 * …) describe the version statectl manages: the default version when `promote` is on, the latest
 * version otherwise (see readDocument).
 */
export interface DocumentState extends DocumentSpec {
  type: string;
  format: string;
  permissions: string[];
  tags: Tags;
  /** The version number the version-specific attributes were read from. */
  document_version: string;
  default_version: string;
  latest_version: string;
  /** Hex SHA-256 of the content, as SSM computes it. */
  hash: string;
  status: string;
  status_information?: string;
  owner: string;
  schema_version?: string;
  platform_types: string[];
  parameters: DocumentParameterInfo[];
  /**
   * When the version the attributes were read from was created (ISO 8601). A bulk refresh uses
   * it to tell a document deleted and created again (same name, version "1" again) from the one
   * the state recorded.
   */
  created_date?: string;
  /** Unknown when the owning account cannot be determined (see SsmProviderOptions.accountId). */
  arn?: string;
}

/**
 * A document as a state file recorded it (what isDocumentState checks): the spec, and whichever
 * attributes were read back. The check lets an attribute that is not required be missing, so a
 * state written by hand or by another version may lack any computed one.
 */
export type RecordedDocument = DocumentSpec & Partial<DocumentState>;

export interface AssociationTarget {
  key: string;
  values: string[];
}

export interface AlarmConfigurationSpec {
  ignore_poll_alarm_failure?: boolean;
  alarms: { name: string }[];
}

export interface OutputLocationSpec {
  s3_bucket: string;
  s3_key_prefix?: string;
  s3_region?: string;
}

export interface TargetLocationSpec {
  accounts?: string[];
  regions?: string[];
  target_location_max_concurrency?: string;
  target_location_max_errors?: string;
  execution_role_name?: string;
  target_location_alarm_configuration?: AlarmConfigurationSpec;
  include_child_organization_units?: boolean;
  exclude_accounts?: string[];
  targets?: AssociationTarget[];
  targets_max_concurrency?: string;
  targets_max_errors?: string;
}

/** What an `association` block declares. Optional members left out mean "not set". */
export interface AssociationSpec {
  /** AssociationName. */
  name?: string;
  /** The document's name or ARN (SSM's `Name`). */
  document: string;
  /** Default "$DEFAULT". */
  document_version?: string;
  /** At most 5. */
  targets?: AssociationTarget[];
  parameters?: Record<string, string[]>;
  schedule?: string;
  schedule_offset?: number;
  /** Default false. */
  apply_only_at_cron_interval?: boolean;
  compliance_severity?: string;
  max_concurrency?: string;
  max_errors?: string;
  /** AUTO | MANUAL; SSM's default is AUTO. */
  sync_compliance?: string;
  output_location?: OutputLocationSpec;
  calendar_names?: string[];
  duration?: number;
  automation_target_parameter_name?: string;
  target_maps?: Record<string, string[]>[];
  target_locations?: TargetLocationSpec[];
  alarm_configuration?: AlarmConfigurationSpec;
  dispatch_assume_role?: string;
  /** Left out = no tags. */
  tags?: Tags;
}

export interface AssociationState extends AssociationSpec {
  association_id: string;
  association_version: string;
  document_version: string;
  apply_only_at_cron_interval: boolean;
  tags: Tags;
  /** Overview status: Pending | Success | Failed (or whatever SSM reports). */
  status: string;
  detailed_status?: string;
  /** Unknown when the owning account cannot be determined (see SsmProviderOptions.accountId). */
  arn?: string;
}

/**
 * An association as a state file recorded it (what isAssociationState checks): the spec, and
 * whichever attributes were read back. As for documents, a computed attribute may be missing.
 */
export type RecordedAssociation = AssociationSpec & Partial<AssociationState>;

/** One ListDocuments entry: describes the document's *default* version. */
export interface DocumentSummary {
  name: string;
  owner?: string;
  document_version?: string;
  version_name?: string;
  display_name?: string;
  type?: string;
  format?: string;
  schema_version?: string;
  target_type?: string;
  platform_types: string[];
  tags: Tags;
  /** When the default version was created (ISO 8601). */
  created_date?: string;
}

/** One ListAssociations entry: enough to tell whether an association changed (association_version). */
export interface AssociationSummary {
  association_id: string;
  association_version?: string;
  name?: string;
  document: string;
  document_version?: string;
  targets?: AssociationTarget[];
  schedule?: string;
  schedule_offset?: number;
  duration?: number;
  target_maps?: Record<string, string[]>[];
  status?: string;
  detailed_status?: string;
  last_execution_date?: string;
}
