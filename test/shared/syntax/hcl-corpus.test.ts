/**
 * Conformance against HashiCorp's own HCL parser: every Terraform file in
 * ../shared/corpus/terraform-ssm must parse with no syntax errors other than the (expected)
 * unknown Terraform block types, and give the same structure — block types, labels, nesting,
 * argument names and literal values — as @cdktf/hcl2json (the Go HCL parser compiled to
 * WebAssembly). Non-literal expressions are compared only as "an expression".
 */
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { parse as hcl2json } from "@cdktf/hcl2json";
import { parseFile, type Body, type Expression } from "../../../src/syntax/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const corpus = path.resolve(repoRoot, "../shared/corpus/terraform-ssm");

const EXPR = "<expression>";

function tfFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? tfFiles(path.join(dir, e.name)) : e.name.endsWith(".tf") ? [path.join(dir, e.name)] : [],
    )
    .sort();
}

/** Our AST in hcl2json's JSON shape. */
function valueShape(e: Expression): unknown {
  switch (e.type) {
    case "Literal":
      return e.value;
    case "Template":
      return e.parts.every((p) => p.type === "TemplateLiteral") ? e.parts.map((p) => p.value).join("") : EXPR;
    case "Tuple":
      return e.items.map(valueShape);
    case "Object": {
      const o: Record<string, unknown> = {};
      for (const i of e.items) {
        if (i.key.type !== "Literal") return EXPR;
        o[String(i.key.value)] = valueShape(i.value);
      }
      return o;
    }
    default:
      return EXPR;
  }
}

function bodyShape(b: Body): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const item of b.items) {
    if (item.type === "Attribute") {
      o[item.name] = valueShape(item.expr);
      continue;
    }
    const keys = [item.blockType, ...item.labels.map((l) => l.value)];
    let target = o;
    for (const k of keys.slice(0, -1)) target = (target[k] ??= {}) as Record<string, unknown>;
    ((target[keys[keys.length - 1]!] ??= []) as unknown[]).push(bodyShape(item.body));
  }
  return o;
}

/** hcl2json's output with every interpolated string reduced to "an expression". */
function normalise(v: unknown): unknown {
  if (typeof v === "string") return v.includes("${") ? EXPR : v;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

describe("syntax: Terraform corpus against HashiCorp's HCL parser (hcl2json)", () => {
  const files = tfFiles(corpus);

  it("finds the corpus", () => {
    expect(files.length).to.be.greaterThan(10);
  });

  for (const file of files) {
    const name = path.relative(corpus, file);
    it(name, async () => {
      const text = readFileSync(file, "utf8");
      const result = parseFile(text, name);
      expect(result.diagnostics.filter((d) => d.code !== "syntax/unknown-block-type")).to.deep.equal([]);
      const theirs = normalise(await hcl2json(name, text));
      expect(normalise(bodyShape(result.body!))).to.deep.equal(theirs);
    });
  }
});
