// Hover: documentation for the argument, block type, function, reference, AWS-owned document or
// document parameter under the cursor.
import { defined, type Range } from "../diag/index.js";
import type { Block, Body, Node, ObjectItem, ScopeTraversal } from "../syntax/index.js";
import { findAwsOwnedDocument, resourceSchema } from "../ssm/index.js";
import type { FolderKnowledge } from "./completion.js";
import {
  attributeMarkdown,
  awsDocumentMarkdown,
  blockMarkdown,
  blockSchemaAt,
  bodySchemaAt,
  documentParameters,
  functionMarkdown,
  parameterMarkdown,
  resourceAttributeMarkdown,
} from "./docs.js";
import { contains, enclosingBlocks, nodesAt } from "./locate.js";
import { blockAttribute, staticString, type Declaration } from "./symbols.js";

export interface HoverResult {
  markdown: string;
  range: Range;
}

/** `texts` gives the source of every file of the folder, for quoting a variable's type or a local's value. */
export function hoverAt(
  body: Body,
  offset: number,
  folder: FolderKnowledge,
  texts: ReadonlyMap<string, string>,
): HoverResult | undefined {
  const nodes = nodesAt(body, offset);
  const blocks = enclosingBlocks(nodes);
  const path = blocks.map((b) => b.blockType);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = defined(nodes[i], "node on the path to the cursor");
    switch (node.type) {
      case "FunctionCall":
        if (contains(node.nameRange, offset)) {
          const markdown = functionMarkdown(node.name);
          if (markdown) return { markdown, range: node.nameRange };
        }
        break;
      case "ScopeTraversal": {
        const markdown = referenceMarkdown(node, folder, texts);
        if (markdown) return { markdown, range: node.range };
        return undefined;
      }
      case "Literal":
      case "Template": {
        const parent = nodes[i - 1];
        const value = staticString(node);
        if (parent?.type === "Attribute" && parent.name === "document" && path.join(".") === "association" && value) {
          const markdown = awsDocumentMarkdown(value);
          if (markdown) return { markdown, range: node.range };
        }

        if (parent?.type === "ObjectItem" && parent.key === node) {
          const markdown = parameterHover(parent, nodes, i, blocks, folder);
          if (markdown) return { markdown, range: node.range };
        }
        break;
      }
      case "Attribute":
        if (contains(node.nameRange, offset)) {
          const schema = bodySchemaAt(path)?.attributes[node.name];
          if (schema) return { markdown: attributeMarkdown(node.name, schema), range: node.nameRange };
        }
        return undefined;
      case "Block":
        if (contains(node.typeRange, offset)) {
          const own = path.slice(0, blocks.indexOf(node) + 1);
          return { markdown: blockMarkdown(node.blockType, blockSchemaAt(own)), range: node.typeRange };
        }
        break;
    }
  }
  return undefined;
}

/** A key of `parameters = { … }` in an association. */
function parameterHover(
  item: ObjectItem,
  nodes: readonly Node[],
  index: number,
  blocks: readonly Block[],
  folder: FolderKnowledge,
): string | undefined {
  const object = nodes[index - 2];
  const attribute = nodes[index - 3];
  const block = blocks[blocks.length - 1];
  if (
    object?.type !== "Object" ||
    attribute?.type !== "Attribute" ||
    attribute.name !== "parameters" ||
    blocks.length !== 1 ||
    block?.blockType !== "association"
  )
    return undefined;
  const key = staticString(item.key);
  if (!key) return undefined;
  const document = blockAttribute(block, "document")?.expr;
  const awsName = staticString(document);
  let params;
  if (awsName) params = documentParameters(findAwsOwnedDocument(awsName)?.content);
  else if (
    document?.type === "ScopeTraversal" &&
    document.root === "document" &&
    document.traversal[0]?.type === "AttrStep"
  )
    params = folder.managedParameters.get(document.traversal[0].name);
  const p = params?.get(key);
  return p ? parameterMarkdown(key, p) : undefined;
}

function sourceOf(range: Range, texts: ReadonlyMap<string, string>): string | undefined {
  return texts.get(range.file)?.slice(range.start.offset, range.end.offset);
}

function referenceMarkdown(
  ref: ScopeTraversal,
  folder: FolderKnowledge,
  texts: ReadonlyMap<string, string>,
): string | undefined {
  const first = ref.traversal[0];
  const name = first?.type === "AttrStep" ? first.name : undefined;
  const d = folder.declarations;
  const where = (decl: Declaration) => `declared in ${decl.nameRange.file}:${decl.nameRange.start.line}`;
  if (!name) return undefined;
  switch (ref.root) {
    case "var": {
      const decl = d.variables.get(name);
      if (!decl?.block) return undefined;
      const type = blockAttribute(decl.block, "type");
      const description = staticString(blockAttribute(decl.block, "description")?.expr);
      const def = blockAttribute(decl.block, "default");
      const lines = [
        `**var.${name}** \`${type ? (sourceOf(type.expr.range, texts) ?? "any") : "any"}\` — variable, ${where(decl)}`,
      ];
      if (description) lines.push("", description);
      // The default of a sensitive variable is a secret written into the file; hover does not repeat it.
      const sensitive = blockAttribute(decl.block, "sensitive")?.expr;
      if (def && sensitive?.type === "Literal" && sensitive.value === true) lines.push("", "Default: (sensitive)");
      else if (def) lines.push("", `Default: \`${sourceOf(def.expr.range, texts) ?? ""}\``);
      else lines.push("", "Required: no default.");
      return lines.join("\n");
    }
    case "local": {
      const decl = d.locals.get(name);
      if (!decl?.attribute) return undefined;
      return [
        `**local.${name}** — local value, ${where(decl)}`,
        "",
        "```statectl",
        `${name} = ${sourceOf(decl.attribute.expr.range, texts) ?? "…"}`,
        "```",
      ].join("\n");
    }
    case "document":
    case "association": {
      const decl = (ref.root === "document" ? d.documents : d.associations).get(name);
      const attr = ref.traversal.find((s, i) => i > 0 && s.type === "AttrStep");
      if (attr?.type === "AttrStep") {
        const a = resourceSchema(ref.root).attributes[attr.name];
        if (a) return resourceAttributeMarkdown(`${ref.root}.${name}.${attr.name}`, a);
      }
      if (!decl) return undefined;
      const ssmName = decl.block ? staticString(blockAttribute(decl.block, "name")?.expr) : undefined;
      return [
        `**${ref.root}.${name}** — ${ref.root}, ${where(decl)}`,
        ...(ssmName ? ["", `SSM name: \`${ssmName}\``] : []),
      ].join("\n");
    }
  }
  return undefined;
}
