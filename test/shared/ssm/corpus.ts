// The shared SSM document corpus (../shared/corpus/ssm-documents) and its index, SOURCES.tsv,
// as both corpus tests read them.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import type { DocumentFormat } from "../../../src/ssm/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const corpus = path.resolve(repoRoot, "../shared/corpus/ssm-documents");

export interface CorpusRow {
  file: string;
  type: string;
  format: DocumentFormat;
  notes: string;
}

export function corpusRows(): CorpusRow[] {
  const lines = readFileSync(path.join(corpus, "SOURCES.tsv"), "utf8").trim().split("\n");
  const header = lines[0]!.split("\t");
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const cells = line.split("\t");
    return {
      file: cells[col("file")]!,
      type: cells[col("document_type")]!,
      format: cells[col("format")] as DocumentFormat,
      notes: cells[col("notes")] ?? "",
    };
  });
}
