/**
 * lsp/ — editor support: a Language Server (`statectl lsp`, LSP over stdio on
 * vscode-languageserver). Owns the connection and the open buffers (server.ts), what the cursor
 * is in while text is half typed (cursor.ts), the folder's declarations (symbols.ts), and the
 * answers: completion, hover, go to definition (completion.ts, hover.ts, definition.ts, docs.ts).
 * Diagnostics are exactly `statectl validate`'s (engine/validate.ts) on the buffers' texts;
 * formatting is syntax/'s formatter. Sits between engine/ and cli/: it imports the library rooms
 * and is driven only by src/cli/commands/lsp.ts. Never prints outside the protocol, never exits.
 */
export {
  runLanguageServer,
  toLspDiagnostic,
  toLspRange,
  type LanguageServerOptions,
  type InitializationOptions,
} from "./server.js";
export { complete, associationDocument, type FolderKnowledge, type CompletionOptions } from "./completion.js";
export { cursorContext, type CursorContext, type Frame } from "./cursor.js";
export { hoverAt, type HoverResult } from "./hover.js";
export { definitionAt } from "./definition.js";
export { collectDeclarations, emptyDeclarations, type Declaration, type Declarations } from "./symbols.js";
