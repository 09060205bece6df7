/**
 * eval/ — values (known, unknown, null; the sensitive mark), the type system and conversion,
 * operators, built-in functions, and evaluation of expressions and whole configurations.
 * Reads the AST (syntax/) and decoded blocks (config/); hands the planner evaluated resources.
 */
export * from "./types.js";
export * from "./value.js";
export * from "./convert.js";
export * from "./operators.js";
export * from "./filesource.js";
export {
  BUILTIN_FUNCTIONS,
  SPECIAL_FUNCTIONS,
  callFunction,
  functionNames,
  FunctionError,
  type FunctionSpec,
  type FunctionContext,
  type FileSource,
  type Param,
  type CallResult,
} from "./functions/index.js";
export { evaluate, type EvalContext, type EvalResult } from "./evaluate.js";
export { typeFromExpression, type TypeExprResult } from "./typeexpr.js";
export { renderTemplate } from "./template.js";
export {
  evaluateConfig,
  schemaTypeToType,
  type EvaluatedConfig,
  type EvaluatedResource,
  type EvaluatedOutput,
  type EvaluatedProvider,
  type EvaluateOptions,
  type EvaluationMemo,
  type ResourceEvaluation,
} from "./configeval.js";
export { sensitiveStrings } from "./secrets.js";
