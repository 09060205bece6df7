// Go to definition: from a reference (`var.x`, `local.y`, `document.z.name`, `association.w`) to
// the block or local that declares it, in whichever file of the folder that is.
import type { Range } from "../diag/index.js";
import type { Body } from "../syntax/index.js";
import { nodesAt } from "./locate.js";
import type { Declarations } from "./symbols.js";

/** The declaration's name range (its label, or the local's name), or undefined when the cursor is on no known reference. */
export function definitionAt(body: Body, offset: number, declarations: Declarations): Range | undefined {
  const ref = nodesAt(body, offset).findLast((n) => n.type === "ScopeTraversal");
  if (ref?.type !== "ScopeTraversal") return undefined;
  const first = ref.traversal[0];
  if (first?.type !== "AttrStep") return undefined;
  const table = { var: declarations.variables, local: declarations.locals, document: declarations.documents, association: declarations.associations }[ref.root];
  return table?.get(first.name)?.nameRange;
}
