/**
 * The document rules (src/ssm/document-model.ts) against ../shared/corpus/ssm-documents: every
 * document the corpus notes mark as valid must be accepted, and every one marked INVALID /
 * LIKELY INVALID / NOT A VALID SSM DOCUMENT must be rejected.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { analyzeDocument, parseDocumentContent } from "../../../src/ssm/index.js";
import { corpus, corpusRows } from "./corpus.js";

describe("ssm/document-model against the shared document corpus", () => {
  const all = corpusRows();

  it("reads the corpus index", () => {
    expect(all.length).to.be.greaterThan(50);
  });

  for (const row of all) {
    const invalid = /INVALID|NOT A VALID/.test(row.notes);
    it(`${invalid ? "rejects" : "accepts"} ${row.file}`, () => {
      const text = readFileSync(path.join(corpus, row.file), "utf8");
      let problem: string | undefined;
      try {
        const body = parseDocumentContent(text, row.format);
        if (body) analyzeDocument(body, row.type);
      } catch (e) {
        problem = (e as Error).message;
      }
      if (invalid) expect(problem, row.notes).to.be.a("string");
      else expect(problem, row.notes).to.equal(undefined);
    });
  }
});
