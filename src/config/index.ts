/**
 * config/ — decoding the AST into blocks with meaning. Loads every `*.state` file of a
 * directory (or an in-memory file set), applies the schema of each block type, and reports
 * unknown, duplicate and missing items with "did you mean". Checks references between blocks
 * statically (undeclared variables, locals, resources; local and resource cycles) and gathers
 * variable values from the command line, var files and the environment. Evaluates nothing:
 * eval/ takes the Config from here.
 */
export * from "./model.js";
export * from "./schema.js";
export * from "./schemas.js";
export {
  readConfigurationDir,
  CONFIG_EXTENSION,
  AUTO_VARS_SUFFIX,
  type ConfigurationDir,
  type ConfigurationText,
  type ReadProblem,
} from "./read-dir.js";
export {
  loadConfig,
  VARS_EXTENSION,
  ENV_VAR_PREFIX,
  type ConfigSource,
  type ParsedSource,
  type LoadOptions,
  type LoadResult,
} from "./load.js";
export {
  BACKEND_TYPES,
  checkStandaloneExpression,
  decodeFiles,
  findCycles,
  newDecodeMemo,
  type DecodeMemo,
  resourceDependencies,
  resourceRefFromReference,
  staticResourceRef,
} from "./decode.js";
export {
  readSourceFile,
  decodeUtf8,
  InputBudget,
  MAX_SOURCE_FILE_BYTES,
  MAX_TOTAL_INPUT_BYTES,
  type SourceFileRead,
} from "./source-file.js";
