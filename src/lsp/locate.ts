// Finding what is under the cursor in a parsed file: the chain of AST nodes whose ranges hold the
// offset, outermost first. Generic over the node shapes (every node has a `type` and a `range`),
// so new expression kinds in syntax/ are walked without changes here.
import type { Range } from "../diag/index.js";
import type { Block, Body, Node } from "../syntax/index.js";

export function contains(r: Range, offset: number): boolean {
  return r.start.offset <= offset && offset <= r.end.offset;
}

function isNode(v: unknown): v is Node {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { type?: unknown }).type === "string" &&
    typeof (v as { range?: unknown }).range === "object"
  );
}

/** Every node containing `offset`, from the body down to the innermost. */
export function nodesAt(body: Body, offset: number): Node[] {
  const out: Node[] = [];
  let current: Node | undefined = body;
  while (current) {
    out.push(current);
    let next: Node | undefined;
    for (const value of Object.values(current)) {
      const candidates: unknown[] = Array.isArray(value) ? value : [value];
      next = candidates.find((c): c is Node => isNode(c) && contains(c.range, offset));
      if (next) break;
    }
    current = next;
  }
  return out;
}

/** The blocks among `nodes`, outermost first. */
export function enclosingBlocks(nodes: readonly Node[]): Block[] {
  return nodes.filter((n): n is Block => n.type === "Block");
}
