/**
 * provider-ssm — statectl's SSM provider, built on @aws-sdk/client-ssm.
 *
 * Owns: building the SSM client (endpoint URL or the SDK's region/profile/credential chain,
 * standard retry with each operation paced to the rate SSM admits, pacing.ts); the resource model the engine plans with (DocumentSpec/State,
 * AssociationSpec/State: plain snake_case objects, never SDK shapes); every SSM call statectl
 * makes for documents, sharing, tags, associations, runs and the fleet; the per-attribute change
 * rules (update, new version, replace and why); one error shape (ProviderError) naming the
 * operation and the AWS error code.
 *
 * Talks to: SSM over HTTP only. It never imports the local endpoint (src/local) or the engine;
 * the engine hands it an endpoint URL (the local endpoint's included) or nothing.
 *
 * Rules kept here: not-found is decided by error code (InvalidDocument, AssociationDoesNotExist),
 * never by message text; UpdateAssociation always carries the full desired spec because AWS
 * clears omitted members; CreateAssociation is never retried blindly after a failure that may
 * have made it (outcomeUnknown), since a second call makes a second association; sharing changes go 20 accounts per call; the SDK is imported on first
 * use so importing statectl stays cheap; credentials never reach a message or a state.
 */
export { createSsmClient, DEFAULT_MAX_RETRIES, LOCAL_ENDPOINT_CREDENTIALS, type SsmClientOptions } from "./client.js";
export type { CallOptions, ProviderContextOptions } from "./context.js";
export { ProviderError, awsErrorCode, redactSecrets, type FaultKind } from "./errors.js";
export {
  PERMISSION_BATCH_SIZE,
  planPermissionBatches,
  needsNewVersion,
  type DocumentUpdateResult,
  type ListDocumentsFilter,
  type PermissionBatch,
  type ReadDocumentOptions,
} from "./documents.js";
export {
  MAX_TARGETS,
  CREATED_CLOCK_SKEW_MS,
  associationRequest,
  sameApiSpec,
  type FailedTarget,
  type FindCreatedOptions,
  type ListAssociationsFilter,
  type UpdateAssociationOptions,
  type WaitResult,
} from "./associations.js";
export type { TargetCount, TargetCounter } from "./fleet.js";
export type {
  AssociationVersionSnapshot,
  CommandOutput,
  ComplianceItemInfo,
  ComplianceTypeSummary,
  ExecutionTargetInfo,
  InstanceAssociationResult,
  ManagedInstanceInfo,
} from "./visibility.js";
export { localEndpointNow, type AssociationOverview, type ExecutionSummary, type InstanceFailure } from "./runs.js";
export { ASSOCIATION_BATCH_SIZE } from "./association-batch.js";
export * from "./model.js";
export {
  associationAttributeRules,
  associationChangeRunsNow,
  documentAttributeRules,
  isAssociationSpec,
  isAssociationState,
  isDocumentSpec,
  isDocumentState,
  isTagMap,
  isTargetList,
} from "./rules.js";
export { SsmProvider, type SsmProviderOptions } from "./provider.js";
export { assumeRole, AssumeRoleError, type AssumedRole, type AssumeRoleSettings } from "./assume-role.js";
