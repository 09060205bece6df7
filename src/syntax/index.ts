/**
 * syntax/ — the `.state` language front end: tokens and lexer, the Chevrotain parser, the typed
 * AST it produces, and syntax diagnostics (`syntax/*` codes). Imports only diag/. Later rooms
 * (config, eval, fmt) consume the AST and never see tokens, except the formatter via lexFile.
 */
export * from "./ast.js";
export * from "./parse.js";
