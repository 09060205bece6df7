// What a configuration folder declares, gathered from each file's own parse so that one file
// that does not parse yet (someone is typing in it) does not hide the names the others declare.
// Completion offers these names after `var.`, `local.`, `document.` and `association.`;
// go to definition jumps to them.
import type { Range } from "../diag/index.js";
import type { Attribute, Block, Body, Expression } from "../syntax/index.js";

export interface Declaration {
  name: string;
  /** Where go to definition lands: the label, or the local's name. */
  nameRange: Range;
  /** The whole block (or `name = value` for a local). */
  range: Range;
  block?: Block;
  attribute?: Attribute;
}

export interface Declarations {
  variables: Map<string, Declaration>;
  locals: Map<string, Declaration>;
  documents: Map<string, Declaration>;
  associations: Map<string, Declaration>;
  outputs: Map<string, Declaration>;
  /** `module "NAME"` blocks. */
  modules: Map<string, Declaration>;
}

export function emptyDeclarations(): Declarations {
  return {
    variables: new Map(),
    locals: new Map(),
    documents: new Map(),
    associations: new Map(),
    outputs: new Map(),
    modules: new Map(),
  };
}

/** The first declaration of each name wins (a duplicate is a diagnostic elsewhere). */
export function collectDeclarations(bodies: Iterable<Body>): Declarations {
  const d = emptyDeclarations();
  const add = (map: Map<string, Declaration>, decl: Declaration) => {
    if (!map.has(decl.name)) map.set(decl.name, decl);
  };
  for (const body of bodies) {
    for (const item of body.items) {
      if (item.type !== "Block") continue;
      if (item.blockType === "locals") {
        for (const a of item.body.items)
          if (a.type === "Attribute")
            add(d.locals, { name: a.name, nameRange: a.nameRange, range: a.range, attribute: a });
        continue;
      }
      const label = item.labels[0];
      if (!label) continue;
      const decl = { name: label.value, nameRange: label.range, range: item.range, block: item };
      if (item.blockType === "variable") add(d.variables, decl);
      else if (item.blockType === "document") add(d.documents, decl);
      else if (item.blockType === "association") add(d.associations, decl);
      else if (item.blockType === "output") add(d.outputs, decl);
      else if (item.blockType === "module") add(d.modules, decl);
    }
  }
  return d;
}

/** An argument of a block, if it is set directly in its body. */
export function blockAttribute(block: Block, name: string): Attribute | undefined {
  return block.body.items.find((i): i is Attribute => i.type === "Attribute" && i.name === name);
}

/** The value of a plain string (`"abc"`, or a template of text only). */
export function staticString(e: Expression | undefined): string | undefined {
  while (e?.type === "Parenthesis") e = e.expr;
  if (!e) return undefined;
  if (e.type === "Literal") return typeof e.value === "string" ? e.value : undefined;
  if (e.type === "Template" && e.parts.every((p) => p.type === "TemplateLiteral"))
    return e.parts.map((p) => (p as { value: string }).value).join("");
  return undefined;
}
