/**
 * Every expression in the Terraform files of ../shared/corpus/terraform-ssm evaluates without
 * throwing, with every reference unknown (as before apply), and without calling a function
 * statectl does not have. Real-world expressions (try, lookup, conditionals, for_each sets,
 * jsonencode of nested objects) are the shapes users will bring from Terraform.
 */
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { evaluate } from "../../../src/eval/evaluate.js";
import { memoryFileSource } from "../../../src/eval/filesource.js";
import { Value } from "../../../src/eval/value.js";
import { parseFile, references, type Body, type Expression } from "../../../src/syntax/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const corpus = path.resolve(repoRoot, "../shared/corpus/terraform-ssm");

function expressions(body: Body): Expression[] {
  return body.items.flatMap((i) => (i.type === "Attribute" ? [i.expr] : expressions(i.body)));
}

describe("eval: Terraform SSM corpus expressions", () => {
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith(".tf"))
    .sort();
  it("has files to check", () => expect(files.length).to.be.greaterThan(10));
  for (const file of files) {
    it(file, () => {
      const parsed = parseFile(readFileSync(path.join(corpus, file), "utf8"), file);
      expect(parsed.body, "parsed").to.not.equal(undefined);
      let evaluated = 0;
      for (const expr of expressions(parsed.body!)) {
        const vars = new Map<string, Value>();
        for (const r of references(expr)) vars.set(r.root, Value.UNKNOWN);
        const r = evaluate(expr, {
          variables: vars,
          functionContext: { baseDir: corpus, files: memoryFileSource({}, corpus) },
        });
        evaluated++;
        for (const d of r.diagnostics) {
          expect(d.code, `${d.summary}: ${d.detail}`).to.not.equal("eval/unknown-function");
          // Only file() reading a file that is not in the corpus may fail.
          expect(
            d.code === "eval/function-argument" && /cannot read/.test(d.detail ?? ""),
            `${d.code}: ${d.detail}`,
          ).to.equal(true);
        }
      }
      expect(evaluated).to.be.greaterThan(0);
    });
  }
});
