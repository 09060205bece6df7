// Go to definition: from a reference (`var.x`, `local.y`, `document.z.name`, `association.w`) to
// the block or local that declares it, in whichever file of the folder that is — and from an
// association's `document = "NAME"` to the configuration's document with that SSM name.
import type { Range } from "../diag/index.js";
import type { Body } from "../syntax/index.js";
import { enclosingBlocks, nodesAt } from "./locate.js";
import { blockAttribute, staticString, type Declaration, type Declarations } from "./symbols.js";

/** The declaration's name range (its label, or the local's name), or undefined when the cursor is on no known reference. */
export function definitionAt(
  body: Body,
  offset: number,
  declarations: Declarations,
  moduleAt?: (source: string) => Declarations | undefined,
): Range | undefined {
  const nodes = nodesAt(body, offset);
  const ref = nodes.findLast((n) => n.type === "ScopeTraversal");
  if (ref?.type === "ScopeTraversal") {
    const first = ref.traversal[0];
    if (first?.type !== "AttrStep") return undefined;
    if (ref.root === "module") {
      // module.NAME → the module block; module.NAME.OUTPUT → the output in the module's files.
      const call = declarations.modules.get(first.name);
      const out = ref.traversal.slice(1).find((s) => s.type === "AttrStep");
      const source = call?.block ? staticString(blockAttribute(call.block, "source")?.expr) : undefined;
      const inner =
        source !== undefined && out?.type === "AttrStep" ? moduleAt?.(source)?.outputs.get(out.name) : undefined;
      return inner?.nameRange ?? call?.nameRange;
    }
    const tables: Readonly<Record<string, ReadonlyMap<string, Declaration>>> = {
      var: declarations.variables,
      local: declarations.locals,
      document: declarations.documents,
      association: declarations.associations,
    };
    return tables[ref.root]?.get(first.name)?.nameRange;
  }
  const last = nodes[nodes.length - 1];
  const parent = nodes[nodes.length - 2];
  const blocks = enclosingBlocks(nodes);
  if (
    last &&
    parent?.type === "Attribute" &&
    parent.name === "document" &&
    parent.expr === last &&
    blocks.length === 1 &&
    blocks[0]?.blockType === "association"
  ) {
    const name = staticString(last.type === "Literal" || last.type === "Template" ? last : undefined);
    if (name === undefined) return undefined;
    for (const d of declarations.documents.values())
      if (d.block && staticString(blockAttribute(d.block, "name")?.expr) === name) return d.nameRange;
  }
  return undefined;
}
