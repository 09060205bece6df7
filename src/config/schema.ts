/**
 * Schemas: which arguments and nested blocks each block type accepts, and decoding a generic
 * AST body against one. Decoding reports unknown arguments and blocks (with "did you mean"),
 * arguments written as blocks and blocks written as arguments, duplicates, missing required
 * items, and wrong label counts — each at the range of the offending item.
 */
import { defined, didYouMean, error, joinRanges, type Diagnostic, type Range } from "../diag/index.js";
import type { Attribute, Block, Body } from "../syntax/ast.js";

import type { ValueType } from "../ssm/resource-schema.js";

/** A type for an argument, spelled structurally (ssm/resource-schema.ts) so config/ need not depend on eval/'s types. */
export type SchemaType = ValueType;

export interface AttributeSchema {
  required?: boolean;
  type?: SchemaType;
  description?: string;
}

export interface BlockSchema {
  /** Names of the labels the block takes (`["name"]` for `variable "name"`). */
  labels?: readonly string[];
  min?: number;
  max?: number;
  body: BodySchema;
  description?: string;
}

export interface BodySchema {
  attributes: Readonly<Record<string, AttributeSchema>>;
  blocks?: Readonly<Record<string, BlockSchema>>;
  /** Any argument name is accepted (e.g. `locals`). */
  anyAttributes?: boolean;
}

export interface DecodedBody {
  attributes: Map<string, Attribute>;
  blocks: Map<string, Block[]>;
}

/** "a document", "an association": the indefinite article for a word. */
export function an(word: string, capital = false): string {
  const a = /^[aeiou]/i.test(word) ? "an" : "a";
  return `${capital ? a.charAt(0).toUpperCase() + a.slice(1) : a} ${word}`;
}

/** Where a "missing" diagnostic points: the block's header (type and labels). */
export function blockHeaderRange(b: Block): Range {
  const last = b.labels.at(-1)?.range ?? b.typeRange;
  return joinRanges(b.typeRange, last);
}

/**
 * Decodes `body` against `schema`. `where` names the container for messages ("a document
 * block", "the top level"); `owner` is the enclosing block (for missing-item ranges).
 */
export function decodeBody(
  body: Body,
  schema: BodySchema,
  where: string,
  owner: Block | undefined,
  diags: Diagnostic[],
): DecodedBody {
  const attributes = new Map<string, Attribute>();
  const blocks = new Map<string, Block[]>();
  const blockSchemas = schema.blocks ?? {};
  const names = () => [...Object.keys(schema.attributes), ...Object.keys(blockSchemas)];
  for (const item of body.items) {
    if (item.type === "Attribute") {
      if (!schema.anyAttributes && !(item.name in schema.attributes)) {
        if (item.name in blockSchemas) {
          diags.push(
            error("config/unsupported-argument", "Unsupported argument", {
              detail: `"${item.name}" is a block here, not an argument.`,
              range: item.nameRange,
              context: item.range,
              hint: `write it as a block: ${item.name} { … }`,
            }),
          );
        } else {
          const near = didYouMean(item.name, names());
          diags.push(
            error("config/unsupported-argument", "Unsupported argument", {
              detail: `An argument named "${item.name}" is not expected in ${where}.`,
              range: item.nameRange,
              context: item.range,
              hint: near
                ? `did you mean "${near}"?`
                : `${where} accepts: ${Object.keys(schema.attributes).join(", ") || "no arguments"}`,
            }),
          );
        }
        continue;
      }
      const prev = attributes.get(item.name);
      if (prev) {
        diags.push(
          error("config/duplicate-argument", "Duplicate argument", {
            detail: `The argument "${item.name}" was already set at ${prev.nameRange.file}:${prev.nameRange.start.line}; each argument may be set only once.`,
            range: item.nameRange,
            context: item.range,
          }),
        );
        continue;
      }
      attributes.set(item.name, item);
      continue;
    }
    const bs = blockSchemas[item.blockType];
    if (!bs) {
      if (item.blockType in schema.attributes || schema.anyAttributes) {
        diags.push(
          error("config/unsupported-block", "Unsupported block type", {
            detail: `"${item.blockType}" is an argument here, not a block.`,
            range: item.typeRange,
            context: item.range,
            hint: `write it as an argument: ${item.blockType} = …`,
          }),
        );
      } else if (item.blockType === "dynamic") {
        diags.push(
          error("config/unsupported-block", "Unsupported block type", {
            detail: `statectl has no "dynamic" blocks (Terraform's way of generating nested blocks).`,
            range: item.typeRange,
            context: item.range,
            hint: `write the ${item.labels[0] ? `"${item.labels[0].value}" ` : ""}blocks out (there are at most a few), or use for_each on the resource itself`,
          }),
        );
      } else {
        const near = didYouMean(item.blockType, names());
        const blockNames = Object.keys(blockSchemas);
        diags.push(
          error("config/unsupported-block", "Unsupported block type", {
            detail: `Blocks of type "${item.blockType}" are not expected in ${where}.`,
            range: item.typeRange,
            context: item.range,
            hint: near
              ? `did you mean "${near}"?`
              : blockNames.length > 0
                ? `${where} accepts blocks: ${blockNames.join(", ")}`
                : undefined,
          }),
        );
      }
      continue;
    }
    if (!checkLabels(item, bs.labels ?? [], diags)) continue;
    const list = blocks.get(item.blockType) ?? [];
    if (bs.max !== undefined && list.length >= bs.max) {
      diags.push(
        error("config/too-many-blocks", bs.max === 1 ? "Duplicate block" : "Too many blocks", {
          detail:
            bs.max === 1
              ? `Only one "${item.blockType}" block is allowed in ${where}; another was declared at line ${defined(list[0], "the block declared first").typeRange.start.line}.`
              : `At most ${bs.max} "${item.blockType}" blocks are allowed in ${where}.`,
          range: item.typeRange,
          context: item.range,
        }),
      );
      continue;
    }
    list.push(item);
    blocks.set(item.blockType, list);
  }
  const { required, minimums } = demandsOf(schema);
  const missingAt = () => (owner ? { range: blockHeaderRange(owner), context: owner.range } : undefined);
  for (const name of required) {
    if (!attributes.has(name)) {
      diags.push(
        error("config/missing-argument", "Missing required argument", {
          detail: `The argument "${name}" is required in ${where}, but it is not set.`,
          ...missingAt(),
          hint: `add ${name} = …`,
        }),
      );
    }
  }
  for (const [name, min] of minimums) {
    const n = blocks.get(name)?.length ?? 0;
    if (n < min) {
      diags.push(
        error("config/missing-block", `Missing ${name} block`, {
          detail: `At least ${min} "${name}" block${min === 1 ? " is" : "s are"} required in ${where}.`,
          ...missingAt(),
        }),
      );
    }
  }
  return { attributes, blocks };
}

/** What a body must contain: its required arguments, and the blocks it needs at least some of. */
interface BodyDemands {
  required: readonly string[];
  minimums: readonly (readonly [string, number])[];
}

/** Listed once per schema: decoding 50,000 associations asks 150,000 times. */
const demands = new WeakMap<BodySchema, BodyDemands>();

function demandsOf(schema: BodySchema): BodyDemands {
  let d = demands.get(schema);
  if (!d) {
    d = {
      required: Object.keys(schema.attributes).filter((name) => schema.attributes[name]?.required),
      minimums: Object.entries(schema.blocks ?? {}).flatMap(([name, b]) =>
        b.min !== undefined ? [[name, b.min] as const] : [],
      ),
    };
    demands.set(schema, d);
  }
  return d;
}

/** Checks a block's label count; returns false (with a diagnostic) when it is wrong. */
export function checkLabels(b: Block, wanted: readonly string[], diags: Diagnostic[]): boolean {
  if (b.labels.length === wanted.length) return true;
  const missing = wanted[b.labels.length];
  if (missing !== undefined) {
    diags.push(
      error("config/missing-label", `Missing ${missing} for ${b.blockType}`, {
        detail: `${an(b.blockType, true)} block needs ${wanted.length === 1 ? "a label" : `${wanted.length} labels`}: ${b.blockType} ${wanted.map((w) => `"${w}"`).join(" ")} { … }.`,
        range: blockHeaderRange(b),
        context: b.range,
      }),
    );
    return false;
  }
  const extra = defined(b.labels[wanted.length], "the first label past the wanted ones");
  diags.push(
    error("config/extraneous-label", `Extraneous label for ${b.blockType}`, {
      detail:
        wanted.length === 0
          ? `${an(b.blockType, true)} block takes no labels.`
          : `${an(b.blockType, true)} block takes ${wanted.length === 1 ? "one label" : `${wanted.length} labels`} (${wanted.join(", ")}); remove "${extra.value}".`,
      range: extra.range,
      context: b.range,
    }),
  );
  return false;
}
