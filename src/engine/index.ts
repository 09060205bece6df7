/**
 * engine/ — composition. Owns: loading and evaluating the configuration (config/ + eval/)
 * and adapting it for the graph (load.ts), choosing the endpoint (`endpoint = "local"` starts
 * the in-process local endpoint with its data under `.statectl/local/` beside the
 * configuration; otherwise a URL or the SDK's standard chain), opening and locking the state
 * file, planning, asking for approval through a callback, applying, and closing everything.
 * Adapts provider-ssm/ to plan/'s and apply/'s provider interfaces (ssm-adapter.ts).
 *
 * Also the library's stage-by-stage front doors that runPlan/runApply do not cover (api.ts:
 * parse, evaluate, render a plan, read/write state, a client for the local endpoint), which
 * src/index.ts exports first.
 *
 * Returns results and diagnostics; never prints, never exits. Progress goes to `onEvent`.
 * cli/ is its only caller in statectl; embedders call it through src/index.ts.
 */
export * from "./engine.js";
export { loadConfiguration, adaptInstance, valueToDesired } from "./load.js";
export * from "./backend.js";
export { SsmResourceProvider, normalizeDocument } from "./ssm-adapter.js";
export {
  runStatus,
  runFleetStatus,
  runAssociationsOnce,
  runImport,
  type ImportRequest,
  type AssociationStatus,
  type AssociationCompliance,
  type FailedInstance,
  type FleetStatus,
  type RunResult,
  type OperateRequest,
  type RunRequest,
} from "./operate.js";
export {
  runHistory,
  runCompliance,
  runReport,
  versionChanges,
  type ReportData,
  type AssociationHistory,
  type ComplianceCell,
  type ComplianceReport,
  type FieldChange,
  type HistoryRequest,
  type TargetWithOutput,
  type VersionHistoryEntry,
} from "./visibility.js";
export { validateSsm, checkResources, type SsmCheckOptions } from "./ssm-validation.js";
export { runSchedule, type ScheduleRequest, type ScheduleResult } from "./schedule.js";
export {
  runGenerate,
  sanitizeLabel,
  globToRegExp,
  type GenerateRequest,
  type GenerateResult,
  type GeneratedResource,
} from "./generate.js";
export { validateConfiguration, type ValidateRequest, type ValidateResult } from "./validate.js";
