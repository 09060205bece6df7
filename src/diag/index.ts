/**
 * diag/ — the bottom room: source positions and ranges, diagnostics as data, the registry of
 * source texts, the renderers (human text with a caret snippet, versioned JSON) and "did you
 * mean" suggestions. Every later stage reports problems through these types; nothing here knows
 * about `.state` syntax, SSM or the CLI.
 */
export * from "./range.js";
export * from "./diagnostic.js";
export * from "./codes.js";
export * from "./suggest.js";
export * from "./sources.js";
export * from "./render.js";
export * from "./json.js";
export * from "./redact.js";
export * from "./safe-text.js";
export * from "./invariant.js";
