export * from "./range.js";
export * from "./diagnostic.js";
export * from "./suggest.js";
export * from "./sources.js";
export * from "./render.js";
