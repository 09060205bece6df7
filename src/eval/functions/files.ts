/** File functions: file, fileexists, templatefile. Paths are relative to the configuration directory. */
import { isAbsolute, resolve } from "node:path";
import { T } from "../types.js";
import { Value } from "../value.js";
import { builtin, FunctionError, type FunctionContext, type FunctionSpec } from "./framework.js";

export function resolvePath(ctx: FunctionContext, p: string): string {
  return isAbsolute(p) ? p : resolve(ctx.baseDir, p);
}

function readOrFail(ctx: FunctionContext, p: string): string {
  const r = ctx.files.read(resolvePath(ctx, p));
  if (r.error !== undefined)
    throw new FunctionError(`cannot read "${p}" (relative to the configuration directory): ${r.error}.`, 0);
  return r.text;
}

export const fileFunctions: Record<string, FunctionSpec> = {
  file: builtin({
    description: "The contents of a UTF-8 text file, relative to the configuration directory.",
    params: [{ name: "path", type: T.string }],
    returns: T.string,
    impl: ([p], ctx) => Value.string(readOrFail(ctx, p.asString())),
  }),
  fileexists: builtin({
    description: "Whether a file exists, relative to the configuration directory.",
    params: [{ name: "path", type: T.string }],
    returns: T.bool,
    impl: ([p], ctx) => Value.bool(ctx.files.exists(resolvePath(ctx, p.asString()))),
  }),
  templatefile: builtin({
    description: "Renders a template file with the given variables.",
    params: [
      { name: "path", type: T.string },
      { name: "vars", type: T.dynamic, allowPartiallyUnknown: true },
    ],
    returns: T.string,
    impl: ([p, vars], ctx) => {
      const text = readOrFail(ctx, p.asString());
      if (!vars.isMapping) throw new FunctionError("a map or object of template variables is required.", 1);
      for (const k of vars.entries().keys()) {
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k))
          throw new FunctionError(`"${k}" cannot be a template variable name.`, 1);
      }
      if (!ctx.renderTemplate) throw new FunctionError("templates cannot be rendered here.");
      return ctx.renderTemplate(text, resolvePath(ctx, p.asString()), vars.entries());
    },
  }),
};
