import { chevrotain } from "./chevrotain.js";
import { getParser } from "./parse.js";

/**
 * The railroad diagrams of the grammar as a standalone HTML page (grammar/diagrams.html),
 * generated from the parser's own rules so they can't drift from what is parsed.
 */
export function grammarDiagramsHtml(): string {
  return chevrotain.createSyntaxDiagramsCode(getParser().getSerializedGastProductions());
}
