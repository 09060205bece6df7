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
 * Below the front doors, every room's public API is exported too (the CLI uses nothing else);
 * those are stable only as far as docs/library.md says.
 */
export { parseSource, parseStateFile, evaluateConfiguration, formatPlan, readState, writeState, createLocalSsmClient, type ParsedSourceResult, type EvaluateRequest, type Evaluation, type PlanFormat } from "./engine/api.js";
export * from "./diag/index.js";
export * from "./addrs/index.js";
export * from "./ssm/index.js";
export * from "./syntax/index.js";
export * from "./config/index.js";
export * from "./eval/index.js";
export * from "./state/index.js";
export * from "./state-s3/index.js";
export * from "./provider-ssm/index.js";
export * from "./local/index.js";
export * from "./graph/index.js";
export * from "./plan/index.js";
export * from "./apply/index.js";
export * from "./engine/index.js";
