/**
 * `{{ name }}` in a Command document's step inputs, replaced as SSM does before the agent sees
 * them: the association's Parameters, else each declaration's default. A StringList that is a
 * whole list element or the whole value (`runCommand: "{{ commands }}"`) becomes its items; inside
 * a longer string it is joined with commas. `{{ssm:…}}` (Parameter Store) cannot be resolved by
 * the local endpoint and is refused by name.
 */
import type { ParameterDeclaration } from "../ssm/document-model.js";

export class UnresolvableParameter extends Error {}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.:/-]+)\s*\}\}/g;
const WHOLE = /^\s*\{\{\s*([A-Za-z0-9_.:/-]+)\s*\}\}\s*$/;

/** Each declared parameter's value for this run: what the association passed, else the default. */
export function parameterValues(
  declarations: Readonly<Record<string, ParameterDeclaration>>,
  given: Readonly<Record<string, readonly string[]>>,
): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [name, decl] of Object.entries(declarations)) {
    const passed = Object.hasOwn(given, name) ? given[name] : undefined;
    if (passed !== undefined) values.set(name, [...passed]);
    else if (Array.isArray(decl.default)) values.set(name, decl.default.map(String));
    else if (decl.default !== undefined)
      values.set(name, [typeof decl.default === "string" ? decl.default : JSON.stringify(decl.default)]);
  }
  for (const [name, list] of values) for (const v of list) refuseParameterStore(v, `parameter ${name}`);
  return values;
}

function refuseParameterStore(text: string, where: string): void {
  const m = /\{\{\s*(ssm(?:-secure)?:[^}]*?)\s*\}\}/.exec(text);
  if (m) {
    throw new UnresolvableParameter(
      `${where} refers to {{${m[1]}}}, a Parameter Store value; the local endpoint has no Parameter Store, so the step cannot run. Pass the value itself in the association's parameters.`,
    );
  }
}

function lookup(values: ReadonlyMap<string, string[]>, name: string, where: string): string[] | undefined {
  if (name.startsWith("ssm:") || name.startsWith("ssm-secure:")) refuseParameterStore(`{{${name}}}`, where);
  return values.get(name);
}

function inString(text: string, values: ReadonlyMap<string, string[]>, where: string): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = lookup(values, name, where);
    return value === undefined ? whole : value.join(",");
  });
}

/** A step input with its placeholders replaced; a string that is one StringList placeholder becomes a list. */
export function substitute(input: unknown, values: ReadonlyMap<string, string[]>, where: string): unknown {
  if (typeof input === "string") {
    const [, name]: (string | undefined)[] = WHOLE.exec(input) ?? [];
    if (name !== undefined) {
      const value = lookup(values, name, where);
      if (value !== undefined) return value.length === 1 ? value[0] : value;
    }
    return inString(input, values, where);
  }
  if (Array.isArray(input)) {
    return (input as unknown[]).flatMap((item) => {
      const replaced = substitute(item, values, where);
      return typeof item === "string" && Array.isArray(replaced) ? (replaced as unknown[]) : [replaced];
    });
  }
  if (typeof input === "object" && input !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) out[k] = substitute(v, values, where);
    return out;
  }
  return input;
}

/** runCommand (a string or a list, after substitution) as the script's lines. */
export function commandLines(runCommand: unknown): string[] {
  if (typeof runCommand === "string") return [runCommand];
  if (Array.isArray(runCommand)) return runCommand.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  return [];
}
