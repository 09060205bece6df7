/**
 * syntax/ — the `.state` language front end: token types (tokens.ts), the scanner (lexer.ts),
 * the Chevrotain grammar that builds the AST (parser.ts), the AST types and helpers (ast.ts), and
 * the front door (parse.ts). Reports problems as `syntax/*` diagnostics (docs/diagnostics.md).
 * Imports only diag/. Later rooms (config, eval) consume the AST; the formatter also uses
 * lexFile for comments and exact token positions.
 */
export * from "./ast.js";
export * from "./parse.js";
export { lexFile, tokenRange, type LexResult } from "./lexer.js";
export { TOP_LEVEL_BLOCK_TYPES, MAX_NESTING } from "./parser.js";
export * as tokens from "./tokens.js";
