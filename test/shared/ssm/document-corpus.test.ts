/**
 * The document rules (src/ssm/document-model.ts) against ../shared/corpus/ssm-documents: every
 * document the corpus notes mark as valid must be accepted, and every one marked INVALID /
 * LIKELY INVALID / NOT A VALID SSM DOCUMENT must be rejected.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { analyzeDocument, parseDocumentContent, type DocumentFormat } from "../../../src/ssm/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const corpus = path.resolve(repoRoot, "../shared/corpus/ssm-documents");

interface Row {
  file: string;
  type: string;
  format: DocumentFormat;
  notes: string;
}

function rows(): Row[] {
  const lines = readFileSync(path.join(corpus, "SOURCES.tsv"), "utf8").trim().split("\n");
  const header = lines[0]!.split("\t");
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const cells = line.split("\t");
    return { file: cells[col("file")]!, type: cells[col("document_type")]!, format: cells[col("format")] as DocumentFormat, notes: cells[col("notes")] ?? "" };
  });
}

describe("ssm/document-model against the shared document corpus", () => {
  const all = rows();

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
