// The provider object the engine holds: one SSM client plus the operations on it.
import type { SSMClient } from "@aws-sdk/client-ssm";
import {
  deleteAssociation,
  createAssociation,
  findAssociationCandidates,
  findCreatedAssociations,
  type FindCreatedOptions,
  listAssociations,
  readAssociation,
  updateAssociation,
  waitForSuccess,
  type ListAssociationsFilter,
  type UpdateAssociationOptions,
  type WaitResult,
} from "./associations.js";
import { createSsmClient, type SsmClientOptions } from "./client.js";
import { ProviderContext, type CallOptions, type ProviderContextOptions } from "./context.js";
import {
  applyPermissions,
  createDocument,
  deleteDocument,
  documentVersionExists,
  listDocuments,
  readDocument,
  readPermissions,
  setDefaultVersion,
  updateDocument,
  type DocumentUpdateResult,
  type ListDocumentsFilter,
  type ReadDocumentOptions,
} from "./documents.js";
import { countTargets, TargetCounter, type TargetCount } from "./fleet.js";
import { AssociationBatcher, batchable, batchGroup } from "./association-batch.js";
import { readTags, type TaggableResource } from "./tags.js";
import {
  failedExecutionTargets,
  listAssociationExecutions,
  localEndpointNow,
  readAssociationOverview,
  startAssociationsOnce,
  type AssociationOverview,
  type ExecutionSummary,
  type InstanceFailure,
} from "./runs.js";
import {
  associationExecutionHistory,
  associationVersions,
  commandOutput,
  complianceItems,
  complianceSummaries,
  executionTargets,
  instanceAssociationResults,
  listManagedInstances,
  type AssociationVersionSnapshot,
  type CommandOutput,
  type ComplianceItemInfo,
  type ComplianceTypeSummary,
  type ExecutionTargetInfo,
  type InstanceAssociationResult,
  type ManagedInstanceInfo,
} from "./visibility.js";
import type {
  AssociationSpec,
  AssociationState,
  AssociationSummary,
  AssociationTarget,
  DocumentSpec,
  DocumentState,
  DocumentSummary,
  RecordedAssociation,
  RecordedDocument,
} from "./model.js";

export interface SsmProviderOptions extends SsmClientOptions, ProviderContextOptions {
  /** An SSMClient the embedder configured; the client options above are then ignored. */
  client?: SSMClient;
}

export class SsmProvider {
  private readonly ctx: ProviderContext;
  private readonly batcher: AssociationBatcher;

  /** Build the client (see createSsmClient) unless one is given. */
  static async create(options: SsmProviderOptions = {}): Promise<SsmProvider> {
    const client = options.client ?? (await createSsmClient(options));
    const provider = new SsmProvider(client, options);
    if (options.client === undefined && options.endpoint !== undefined) provider.endpointUrl = options.endpoint;
    return provider;
  }

  /** The endpoint URL the client was built for, when one was given (not the SDK's default). */
  private endpointUrl: string | undefined;

  constructor(client: SSMClient, options: ProviderContextOptions = {}) {
    this.ctx = new ProviderContext(client, options);
    this.batcher = new AssociationBatcher(this.ctx);
  }

  get client(): SSMClient {
    return this.ctx.client;
  }

  /**
   * What the SDK's standard chain cannot find before any call: a region, or credentials. Every
   * call would fail the same way, so the engine says it once instead of once per resource.
   */
  async missingConfiguration(): Promise<{ what: "region" | "credentials"; message: string } | undefined> {
    try {
      const region = await this.ctx.client.config.region();
      if (!region) return { what: "region", message: "no region is configured" };
    } catch (e) {
      return { what: "region", message: e instanceof Error ? e.message : String(e) };
    }
    try {
      await this.ctx.client.config.credentials();
    } catch (e) {
      return { what: "credentials", message: e instanceof Error ? e.message : String(e) };
    }
    return undefined;
  }

  readDocument(name: string, options?: ReadDocumentOptions): Promise<DocumentState | undefined> {
    return readDocument(this.ctx, name, options);
  }
  documentVersionExists(name: string, version: string, call?: CallOptions): Promise<boolean> {
    return documentVersionExists(this.ctx, name, version, call);
  }
  createDocument(spec: DocumentSpec, call?: CallOptions): Promise<DocumentState> {
    return createDocument(this.ctx, spec, call);
  }
  updateDocument(prior: RecordedDocument, desired: DocumentSpec, call?: CallOptions): Promise<DocumentUpdateResult> {
    return updateDocument(this.ctx, prior, desired, call);
  }
  deleteDocument(name: string, call?: CallOptions): Promise<boolean> {
    return deleteDocument(this.ctx, name, call);
  }
  setDocumentDefaultVersion(name: string, version: string, call?: CallOptions): Promise<void> {
    return setDefaultVersion(this.ctx, name, version, call);
  }
  /** Returns the number of ModifyDocumentPermission calls made. */
  setDocumentPermissions(
    name: string,
    current: readonly string[],
    desired: readonly string[],
    call?: CallOptions,
  ): Promise<number> {
    return applyPermissions(this.ctx, name, current, desired, call);
  }
  listDocuments(filter?: ListDocumentsFilter): Promise<DocumentSummary[]> {
    return listDocuments(this.ctx, filter);
  }
  /** Account ids the document is shared with (DescribeDocumentPermission); undefined when it does not exist. */
  readDocumentPermissions(name: string, call?: CallOptions): Promise<string[] | undefined> {
    return readPermissions(this.ctx, name, call);
  }
  /** A document's or association's tags (ListTagsForResource). */
  readTags(type: TaggableResource, id: string, call?: CallOptions): Promise<Record<string, string>> {
    return readTags(this.ctx, type, id, call);
  }

  readAssociation(id: string, call?: CallOptions): Promise<AssociationState | undefined> {
    return readAssociation(this.ctx, id, call);
  }
  createAssociation(spec: AssociationSpec, call?: CallOptions): Promise<AssociationState> {
    return createAssociation(this.ctx, spec, call);
  }
  /**
   * Like createAssociation, but creates that arrive together go out ten per
   * CreateAssociationBatch call, those of the same dispatch role together (those with tags go
   * one by one: batch entries carry no tags).
   */
  createAssociationBatched(spec: AssociationSpec, call?: CallOptions): Promise<AssociationState> {
    return batchable(spec) ? this.batcher.create(spec, call) : createAssociation(this.ctx, spec, call);
  }
  /** Whether createAssociationBatched may send `spec` in a batch. */
  canBatch(spec: Pick<AssociationSpec, "tags">): boolean {
    return batchable(spec);
  }
  /** Batched creates with the same group can share a CreateAssociationBatch call. */
  batchGroup(spec: Pick<AssociationSpec, "dispatch_assume_role">): string {
    return batchGroup(spec);
  }
  /** CreateAssociationBatch calls made so far. */
  get associationBatches(): number {
    return this.batcher.batches;
  }
  updateAssociation(
    prior: RecordedAssociation & { association_id: string },
    desired: AssociationSpec,
    options?: UpdateAssociationOptions,
  ): Promise<AssociationState> {
    return updateAssociation(this.ctx, prior, desired, options);
  }
  deleteAssociation(id: string, call?: CallOptions): Promise<boolean> {
    return deleteAssociation(this.ctx, id, call);
  }
  waitForSuccess(associationId: string, seconds: number, call?: CallOptions): Promise<WaitResult> {
    return waitForSuccess(this.ctx, associationId, seconds, call);
  }
  listAssociations(filter?: ListAssociationsFilter): Promise<AssociationSummary[]> {
    return listAssociations(this.ctx, filter);
  }
  /** Existing associations matching what `spec` would create (to adopt after a lost create response). */
  findAssociationCandidates(spec: AssociationSpec): Promise<AssociationSummary[]> {
    return findAssociationCandidates(this.ctx, spec);
  }

  /** What a create of `spec` whose outcome was not seen may have made (see findCreatedAssociations). */
  findCreatedAssociations(spec: AssociationSpec, options: FindCreatedOptions): Promise<AssociationState[]> {
    return findCreatedAssociations(this.ctx, spec, options);
  }

  countTargets(targets: readonly AssociationTarget[] | undefined, call?: CallOptions): Promise<TargetCount> {
    return countTargets(this.ctx, targets, call);
  }

  /** A counter that reads each distinct target filter set once for as long as it is kept (one plan). */
  targetCounter(): TargetCounter {
    return new TargetCounter(this.ctx);
  }

  /** The association's overview; undefined when it no longer exists. */
  readAssociationOverview(id: string, call?: CallOptions): Promise<AssociationOverview | undefined> {
    return readAssociationOverview(this.ctx, id, call);
  }
  /** Recent executions, newest first. */
  listAssociationExecutions(id: string, call?: CallOptions): Promise<ExecutionSummary[]> {
    return listAssociationExecutions(this.ctx, id, call);
  }
  failedExecutionTargets(id: string, executionId: string, call?: CallOptions): Promise<InstanceFailure[]> {
    return failedExecutionTargets(this.ctx, id, executionId, call);
  }
  startAssociationsOnce(ids: readonly string[], call?: CallOptions): Promise<void> {
    return startAssociationsOnce(this.ctx, ids, call);
  }
  /** "Now" for schedules: the local endpoint's virtual clock, else this machine's clock (AWS runs on real time). */
  async now(call?: CallOptions): Promise<Date> {
    return (await localEndpointNow(this.endpointUrl, call)) ?? new Date();
  }

  // What status --instances, history, compliance and report read (visibility.ts).
  listManagedInstances(): Promise<ManagedInstanceInfo[]> {
    return listManagedInstances(this.ctx);
  }
  instanceAssociationResults(instanceId: string): Promise<InstanceAssociationResult[]> {
    return instanceAssociationResults(this.ctx, instanceId);
  }
  associationExecutionHistory(id: string, max: number): Promise<ExecutionSummary[]> {
    return associationExecutionHistory(this.ctx, id, max);
  }
  executionTargets(id: string, executionId: string): Promise<ExecutionTargetInfo[]> {
    return executionTargets(this.ctx, id, executionId);
  }
  commandOutput(commandId: string, instanceId: string, call?: CallOptions): Promise<CommandOutput | undefined> {
    return commandOutput(this.ctx, commandId, instanceId, call);
  }
  associationVersions(id: string): Promise<AssociationVersionSnapshot[]> {
    return associationVersions(this.ctx, id);
  }
  complianceItems(complianceType?: string): Promise<ComplianceItemInfo[]> {
    return complianceItems(this.ctx, complianceType);
  }
  complianceSummaries(): Promise<ComplianceTypeSummary[]> {
    return complianceSummaries(this.ctx);
  }

  /** Close the client's connections. */
  destroy(): void {
    this.ctx.client.destroy();
  }
}
