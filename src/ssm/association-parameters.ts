/**
 * Checking the Parameters an association (or a command) passes against the parameters its
 * document declares: undeclared names, missing required values, types, allowedValues,
 * allowedPattern and the item/character limits (InvalidParameters on AWS). Pure.
 */

/** One entry of a document's `parameters` block, as written in the document content. */
export interface DeclaredParameter {
  readonly type?: string;
  readonly default?: unknown;
  readonly allowedValues?: readonly unknown[];
  readonly allowedPattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minChars?: number;
  readonly maxChars?: number;
}

export interface ParameterProblem {
  /** The parameter at fault. */
  readonly name: string;
  /** One sentence, in the style of AWS's InvalidParameters messages. */
  readonly message: string;
}

/** Values that State Manager resolves later (Parameter Store references) are not checked now. */
function isReference(value: string): boolean {
  return /^\s*\{\{\s*(ssm|ssm-secure|resolve:ssm|resolve:ssm-secure):/.test(value);
}

/**
 * Reads an allowedPattern (SSM matches with Java's regular expressions) as a JavaScript RegExp:
 * inline flag groups `(?i:…)` and a leading `(?i)` become plain groups and flags, possessive
 * quantifiers become greedy ones. Undefined when JavaScript cannot read it even then.
 */
export function compileAllowedPattern(pattern: string, whole = false): RegExp | undefined {
  let flags = "";
  let source = pattern.replace(/^\(\?([imsx]+)\)/, (_, f: string) => {
    if (f.includes("i")) flags += "i";
    if (f.includes("s")) flags += "s";
    return "";
  });
  source = source.replace(/\(\?[imsx]+(-[imsx]+)?:/g, "(?:").replace(/([*+?}])\+/g, "$1");
  if (whole) source = `^(?:${source})$`;
  for (const extra of ["u", ""]) {
    try {
      return new RegExp(source, flags + extra);
    } catch {
      // Java patterns often escape characters that JavaScript's unicode mode rejects: retry without it.
    }
  }
  return undefined;
}

/** Compiles an allowedPattern with whole-value semantics; undefined when JavaScript cannot read it. */
function wholeMatch(pattern: string): RegExp | undefined {
  return compileAllowedPattern(pattern, true);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads the `parameters` block of parsed document content (missing or malformed → none). */
export function declaredParameters(content: unknown): Record<string, DeclaredParameter> {
  if (!isRecord(content) || !isRecord(content["parameters"])) return {};
  const out: Record<string, DeclaredParameter> = {};
  for (const [name, decl] of Object.entries(content["parameters"])) out[name] = isRecord(decl) ? decl : {};
  return out;
}

/**
 * The declarations as an Automation association (or a rate-controlled StartAutomationExecution)
 * sees them: its target parameter (AutomationTargetParameterName) gets each target's id at run
 * time, so it needs no value of its own.
 */
export function withTargetParameter(
  declared: Readonly<Record<string, DeclaredParameter>>,
  targetParameter: string | undefined,
): Readonly<Record<string, DeclaredParameter>> {
  const decl =
    targetParameter !== undefined && Object.hasOwn(declared, targetParameter) ? declared[targetParameter] : undefined;
  if (targetParameter === undefined || decl === undefined || decl.default !== undefined) return declared;
  return { ...declared, [targetParameter]: { ...decl, default: "" } };
}

/**
 * Checks `given` against `declared`. Returns every problem found, first the names the document
 * does not declare, then each declared parameter in declaration order.
 */
export function checkParameters(
  declared: Readonly<Record<string, DeclaredParameter>>,
  given: Readonly<Record<string, readonly string[]>> | undefined,
): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const values = given ?? {};
  for (const name of Object.keys(values)) {
    if (!Object.prototype.hasOwnProperty.call(declared, name))
      problems.push({ name, message: `Parameter "${name}" is not defined in the document.` });
  }
  for (const [name, decl] of Object.entries(declared)) {
    const list = values[name];
    if (list === undefined) {
      if (decl.default === undefined) problems.push({ name, message: `Parameter "${name}" requires a value.` });
      continue;
    }
    const type = decl.type ?? "String";
    const checked = list.filter((v) => !isReference(v));
    if ((type === "String" || type === "Integer" || type === "Boolean" || type === "StringMap") && list.length > 1) {
      problems.push({
        name,
        message: `Parameter "${name}" is of type ${type} and takes one value, not ${list.length}.`,
      });
      continue;
    }
    if (type === "StringList" || type === "MapList") {
      if (decl.minItems !== undefined && list.length < decl.minItems)
        problems.push({ name, message: `Parameter "${name}" needs at least ${decl.minItems} item(s).` });
      if (decl.maxItems !== undefined && list.length > decl.maxItems)
        problems.push({ name, message: `Parameter "${name}" takes at most ${decl.maxItems} item(s).` });
    }
    for (const value of checked) {
      const problem = checkValue(name, type, decl, value);
      if (problem) {
        problems.push({ name, message: problem });
        break;
      }
    }
  }
  return problems;
}

function checkValue(name: string, type: string, decl: DeclaredParameter, value: string): string | undefined {
  if (type === "Integer" && !/^-?[0-9]+$/.test(value))
    return `Parameter "${name}" is of type Integer; "${value}" is not a whole number.`;
  if (type === "Boolean" && value !== "true" && value !== "false")
    return `Parameter "${name}" is of type Boolean; "${value}" is neither true nor false.`;
  if (type === "StringMap" || type === "MapList") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (!isRecord(parsed)) return `Parameter "${name}" is of type ${type}; each value must be a JSON object.`;
    } catch {
      return `Parameter "${name}" is of type ${type}; "${value}" is not valid JSON.`;
    }
  }
  if (decl.minChars !== undefined && value.length < decl.minChars)
    return `Parameter "${name}" needs at least ${decl.minChars} character(s).`;
  if (decl.maxChars !== undefined && value.length > decl.maxChars)
    return `Parameter "${name}" takes at most ${decl.maxChars} character(s).`;
  if (decl.allowedValues && !decl.allowedValues.map(String).includes(value)) {
    return `Parameter "${name}" has value "${value}", which is not one of the allowed values: ${decl.allowedValues.map(String).join(", ")}.`;
  }
  if (decl.allowedPattern !== undefined) {
    const re = wholeMatch(decl.allowedPattern);
    if (re && !re.test(value))
      return `Parameter "${name}" has value "${value}", which does not match the allowed pattern ${decl.allowedPattern}.`;
  }
  return undefined;
}
