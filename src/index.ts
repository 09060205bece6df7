/**
 * statectl's library front door. Each stage of the pipeline (text → tokens → AST → evaluated
 * configuration → graph → plan → apply → state) is exported from here; the CLI uses nothing else.
 */
export * from "./diag/index.js";
export * from "./addrs/index.js";
export * from "./ssm/index.js";
export * from "./syntax/index.js";
export * from "./config/index.js";
export * from "./eval/index.js";
export * from "./state/index.js";
export * from "./provider-ssm/index.js";
export * from "./local/index.js";
export * from "./graph/index.js";
export * from "./plan/index.js";
export * from "./apply/index.js";
export * from "./engine/index.js";
