/**
 * statectl as a library: `import { … } from "statectl"`.
 *
 * One front door per stage (docs/library.md has runnable examples of each):
 *
 * | stage | front door |
 * |---|---|
 * | parse a file or source text | {@link parseStateFile}, {@link parseSource} |
 * | load and evaluate a configuration (a directory or in-memory `files`) | {@link evaluateConfiguration} |
 * | plan against a state | {@link runPlan} |
 * | render a plan for people or as JSON | {@link formatPlan} (also `renderPlan`, `planToJson`) |
 * | apply a plan (or plan and apply) | {@link runApply} |
 * | read and write state | {@link readState}, {@link writeState}, {@link FileStateStorage}, {@link MemoryStateStorage}, {@link S3StateStorage}, the {@link StateStorage} interface |
 * | start and stop the local SSM endpoint | {@link startLocalEndpoint}, `LocalEndpoint.stop()`, {@link createLocalSsmClient} |
 *
 * The library never prints and never exits: results carry diagnostics as data (render them
 * with {@link renderDiagnostics} or {@link diagnosticsToJson}), and progress goes to the
 * `onEvent` callback. Embedders pass their own `SSMClient` (`ssmClient`), their own state
 * storage (`storage`), and in-memory configuration (`files`).
 *
 * Below the front doors, a deliberate list of each room's API: what docs/library.md names, the
 * types of the front doors' arguments and results, and what the CLI uses. Anything else is
 * internal: import it from its room only inside this package.
 */
export {
  createLocalSsmClient,
  evaluateConfiguration,
  formatPlan,
  parseSource,
  parseStateFile,
  readState,
  writeState,
} from "./engine/api.js";
export {
  allDiagnosticCodes,
  describeCode,
  type Diagnostic,
  type DiagnosticCode,
  type DiagnosticJson,
  type DiagnosticsJson,
  diagnosticsToJson,
  diagnosticToJson,
  hasErrors,
  JSON_FORMAT_VERSION,
  type Position,
  type Range,
  renderDiagnostics,
  type Severity,
  SourceRegistry,
} from "./diag/index.js";
export { ASSOCIATION_RESOURCE, computedAttributes, DOCUMENT_RESOURCE, type ResourceSchema } from "./ssm/index.js";
export { type Body, parseFile } from "./syntax/index.js";
export { loadConfig } from "./config/index.js";
export { evaluateConfig } from "./eval/index.js";
export {
  decodeState,
  emptyState,
  encodeStateBytes,
  FileStateStorage,
  type LockOptions,
  MemoryStateStorage,
  moveInstances,
  pendingCreateLines,
  removeInstances,
  setInstance,
  type State,
  stateListJson,
  StatePersister,
  type StateStorage,
} from "./state/index.js";
export { S3StateStorage, s3WorkspaceKey } from "./state-s3/index.js";
export { buildGraph, orderedNodes, dotToSvg, toDot, UNKNOWN } from "./graph/index.js";
export {
  type Drift,
  hasChanges,
  makePlan,
  type Plan,
  type PlanJson,
  planToJson,
  readPlanFile,
  renderPlan,
  renderPlanMarkdown,
  sameDocumentContent,
  sameValue,
  summarize,
  writePlanFile,
} from "./plan/index.js";
export { applyPlan, buildApplyGraph } from "./apply/index.js";
export {
  type AssociationSpec,
  type AssociationState,
  createSsmClient,
  type DocumentState,
  LOCAL_ENDPOINT_CREDENTIALS,
  ProviderError,
  SsmProvider,
  type SsmProviderOptions,
} from "./provider-ssm/index.js";
export {
  type Counters,
  type Knobs,
  LocalEndpoint,
  type LocalEndpointOptions,
  startLocalEndpoint,
} from "./local/index.js";
export {
  type ApplyRequest,
  type ApplyRun,
  type AssociationHistory,
  type AssociationStatus,
  type ComplianceReport,
  type EngineEvent,
  type EngineOutput,
  type FleetStatus,
  type HistoryRequest,
  type ImportRequest,
  type OperateRequest,
  type PlanRequest,
  type PlanRun,
  type ReportData,
  runApply,
  runAssociationsOnce,
  runCompliance,
  runFleetStatus,
  runGenerate,
  runGraph,
  runHistory,
  runImport,
  runPlan,
  runReport,
  type RunResult,
  runStatus,
} from "./engine/index.js";
