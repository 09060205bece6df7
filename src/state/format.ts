/**
 * The state file format: canonical JSON, versioned by `format_version`, documented in
 * docs/state-file.md and described by docs/state-file.schema.json.
 *
 * Reading never throws on bad input: a file that is empty, cut short, not UTF-8, not JSON, of an
 * unknown version, or of the wrong shape yields diagnostics with a stable code and the line and
 * column of the problem. Diagnostics never quote the file's content, since it may hold secrets.
 */
import { parseTree, findNodeAtLocation, type ParseError, ParseErrorCode } from "jsonc-parser";
import { error, rangeFromOffsets, type Diagnostic, type Range } from "../diag/index.js";
import { formatAddress, parseAddress, ADDRESS_EXAMPLES, RESOURCE_KINDS, type ResourceKind } from "./address.js";
import type { AttributePath, JsonValue, OutputState, PendingCreate, ResourceInstanceState, State } from "./model.js";

/** The format this statectl writes. Bump it for any change a previous reader would misread. */
export const STATE_FORMAT_VERSION = 1;

/** The file's JSON shape, field for field (docs/state-file.md). */
export interface StateFileV1 {
  format_version: 1;
  statectl_version: string;
  serial: number;
  lineage: string;
  resources: {
    address: string;
    kind: ResourceKind;
    provider: string;
    id: string;
    tainted?: true;
    attributes: { [key: string]: JsonValue };
    sensitive_attributes: AttributePath[];
    dependencies: string[];
  }[];
  outputs: { [name: string]: { value: JsonValue; sensitive: boolean } };
  /** Only present while a create is in flight or unresolved (docs/state-file.md, "Creates in flight"). */
  pending_creates?: {
    address: string;
    kind: ResourceKind;
    provider: string;
    started: string;
    attributes: { [key: string]: JsonValue };
    sensitive_attributes: AttributePath[];
    dependencies: string[];
  }[];
}

/** Sorts object keys at every depth, so equal states always serialise to identical text. */
export function canonicalJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value !== null && typeof value === "object") {
    // fromEntries (not assignment) so a key named "__proto__" stays an ordinary key.
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonicalJson(v)]),
    );
  }
  return value;
}

function resourceToFile(r: ResourceInstanceState): StateFileV1["resources"][number] {
  return {
    address: r.address,
    kind: r.kind,
    provider: r.provider,
    id: r.id,
    ...(r.tainted ? { tainted: true as const } : {}),
    attributes: canonicalJson(r.attributes) as { [key: string]: JsonValue },
    sensitive_attributes: r.sensitiveAttributes.map((p) => [...p]),
    dependencies: [...new Set(r.dependencies)].sort(),
  };
}

export function stateToFile(state: State): StateFileV1 {
  return {
    format_version: STATE_FORMAT_VERSION,
    statectl_version: state.statectlVersion,
    serial: state.serial,
    lineage: state.lineage,
    resources: state.resources.map(resourceToFile),
    outputs: Object.fromEntries(
      Object.entries(state.outputs)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, output]) => [name, { value: canonicalJson(output.value), sensitive: output.sensitive }]),
    ),
    // Written only when there is one, so a state without creates in flight is byte-for-byte what
    // earlier statectl versions wrote and read.
    ...(state.pendingCreates && state.pendingCreates.length > 0
      ? {
          pending_creates: state.pendingCreates.map((p) => ({
            address: p.address,
            kind: p.kind,
            provider: p.provider,
            started: p.started,
            attributes: canonicalJson(p.attributes) as { [key: string]: JsonValue },
            sensitive_attributes: p.sensitiveAttributes.map((x) => [...x]),
            dependencies: [...new Set(p.dependencies)].sort(),
          })),
        }
      : {}),
  };
}

/**
 * Each resource's encoded bytes, by instance. An apply writes the whole state after its changes,
 * and each write changes few of its (perhaps thousands of) resources: those are encoded again,
 * the others reused. Instances are never modified in place (the state model replaces them), so
 * an instance's bytes never go stale.
 */
const encodedResources = new WeakMap<ResourceInstanceState, Buffer>();
const BETWEEN_RESOURCES = Buffer.from(`,\n    `);

/** JSON.stringify(value, null, 2) as it appears nested `depth` levels deep. */
function nestedJson(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${"  ".repeat(depth)}`);
}

/**
 * The exact bytes statectl writes (UTF-8): two-space indented canonical JSON with a final newline,
 * equal to JSON.stringify(stateToFile(state), null, 2) + "\n", but with the bytes of unchanged
 * resources reused (see encodedResources).
 */
export function encodeStateBytes(state: State): Buffer {
  const parts: Buffer[] = [];
  const members = Object.entries(stateToFile({ ...state, resources: [] })).filter(([, value]) => value !== undefined);
  let text = "{\n";
  members.forEach(([name, value], i) => {
    const after = i < members.length - 1 ? ",\n" : "\n";
    if (name !== "resources" || state.resources.length === 0) {
      text += `  ${JSON.stringify(name)}: ${nestedJson(value, 1)}${after}`;
      return;
    }
    parts.push(Buffer.from(`${text}  "resources": [\n    `));
    state.resources.forEach((r, j) => {
      let bytes = encodedResources.get(r);
      if (bytes === undefined) {
        bytes = Buffer.from(nestedJson(resourceToFile(r), 2));
        encodedResources.set(r, bytes);
      }
      if (j > 0) parts.push(BETWEEN_RESOURCES);
      parts.push(bytes);
    });
    text = `\n  ]${after}`;
  });
  parts.push(Buffer.from(`${text}}\n`));
  return Buffer.concat(parts);
}

/** The exact text statectl writes: encodeStateBytes as a string. */
export function encodeState(state: State): string {
  return encodeStateBytes(state).toString("utf8");
}

export interface DecodeResult {
  /** Present only when there are no error diagnostics. */
  state?: State;
  diagnostics: Diagnostic[];
  /** The format version the file declared, when it could be read. */
  formatVersion?: number;
}

const SYNTAX_MESSAGES: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: "an unexpected character",
  [ParseErrorCode.InvalidNumberFormat]: "a malformed number",
  [ParseErrorCode.PropertyNameExpected]: "a property name was expected",
  [ParseErrorCode.ValueExpected]: "a value was expected",
  [ParseErrorCode.ColonExpected]: 'a ":" was expected',
  [ParseErrorCode.CommaExpected]: 'a "," was expected',
  [ParseErrorCode.CloseBraceExpected]: 'a "}" was expected',
  [ParseErrorCode.CloseBracketExpected]: 'a "]" was expected',
  [ParseErrorCode.EndOfFileExpected]: "the file should end here",
  [ParseErrorCode.InvalidCommentToken]: "comments are not allowed",
  [ParseErrorCode.UnexpectedEndOfComment]: "comments are not allowed",
  [ParseErrorCode.UnexpectedEndOfString]: "a string is not closed",
  [ParseErrorCode.UnexpectedEndOfNumber]: "a number is cut short",
  [ParseErrorCode.InvalidUnicode]: "an invalid \\u escape",
  [ParseErrorCode.InvalidEscapeCharacter]: "an invalid escape",
  [ParseErrorCode.InvalidCharacter]: "a control character inside a string",
};

const RESTORE_HINT =
  "if a backup exists beside it (the same name ending in .backup), check it with `statectl state list --state FILE.backup` and copy it over the state file";

/**
 * Decodes a state file. `file` names it in diagnostics. Accepts every format version that has a
 * reader in READERS and returns the state in the current model.
 */
export function decodeState(input: string | Uint8Array, file: string): DecodeResult {
  let text: string;
  if (typeof input === "string") text = input;
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(input);
    } catch {
      return {
        diagnostics: [
          error("state/corrupt", "The state file is not valid UTF-8 text", {
            detail: `${file} contains bytes that are not UTF-8, so it is not a statectl state file or it has been damaged.`,
            hint: RESTORE_HINT,
          }),
        ],
      };
    }
  }
  if (text.trim() === "") {
    return {
      diagnostics: [
        error("state/truncated", "The state file is empty", {
          detail: `${file} exists but holds no data; a state file is never written empty by statectl, so it was truncated by something else.`,
          hint: RESTORE_HINT + ", or delete the empty file if nothing has been applied yet",
        }),
      ],
    };
  }

  // Checked before any (recursive) JSON walk, so a hostile or damaged file cannot overflow the stack.
  const tooDeep = nestingBeyond(text, MAX_STATE_NESTING);
  if (tooDeep !== undefined) {
    return {
      diagnostics: [
        error("state/corrupt", "The state file nests too deeply", {
          detail: `${file} nests arrays and objects more than ${MAX_STATE_NESTING} levels deep; statectl never writes such a file, so it is not a statectl state file or it has been damaged.`,
          range: rangeFromOffsets(file, text, tooDeep, tooDeep + 1),
          hint: RESTORE_HINT,
        }),
      ],
    };
  }

  let raw: unknown;
  try {
    // -0 would not survive a write (JSON.stringify(-0) is "0"); read it as the 0 it will become.
    raw = text.includes("-0") ? JSON.parse(text, (_key, v: unknown) => (Object.is(v, -0) ? 0 : v)) : JSON.parse(text);
  } catch {
    return { diagnostics: [syntaxDiagnostic(text, file)] };
  }

  const at = locator(text, file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return {
      diagnostics: [
        error("state/invalid", "The state file is not a JSON object", {
          detail: `${file} holds JSON, but a state file is an object with "format_version", "serial", "lineage", "resources" and "outputs".`,
          range: at([]),
        }),
      ],
    };
  }
  const obj = raw as { [key: string]: unknown };
  const version = obj.format_version;
  if (typeof version !== "number" || !Number.isInteger(version)) {
    return {
      diagnostics: [
        error("state/invalid", 'The state file has no valid "format_version"', {
          detail: `${file} must have an integer "format_version"; it is ${version === undefined ? "missing" : "not an integer"}. This is not a statectl state file, or it has been damaged.`,
          range: at(version === undefined ? [] : ["format_version"]),
        }),
      ],
    };
  }
  const reader = READERS.get(version);
  if (!reader) {
    const newer = version > STATE_FORMAT_VERSION;
    return {
      formatVersion: version,
      diagnostics: [
        error("state/unsupported-version", `State format version ${version} is not supported`, {
          detail: newer
            ? `${file} was written by a newer statectl (format version ${version}); this statectl reads format versions up to ${STATE_FORMAT_VERSION}. It has not been changed.`
            : `${file} declares format version ${version}, which no statectl release has written; this statectl reads format versions ${[...READERS.keys()].join(", ")}.`,
          range: at(["format_version"]),
          ...(newer ? { hint: "upgrade statectl to the version that wrote this state" } : {}),
        }),
      ],
    };
  }
  const diagnostics: Diagnostic[] = [];
  const state = reader(obj, { file, at, report: (d) => diagnostics.push(d) });
  if (diagnostics.length > 0) return { diagnostics, formatVersion: version };
  return { state, diagnostics, formatVersion: version };
}

/** Far deeper than any state statectl writes (attribute values nest a few levels), far shallower than the stack. */
export const MAX_STATE_NESTING = 512;

/** The offset of the first bracket that opens level `limit + 1` (outside strings), if any. */
function nestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \\ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > limit) return i;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--;
  }
  return undefined;
}

function syntaxDiagnostic(text: string, file: string): Diagnostic {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  const offset = first ? first.offset : text.length;
  // Cut short: the first error is at the very end, or is a string that runs unclosed to the end.
  const atEnd =
    offset >= text.trimEnd().length ||
    (first?.error === ParseErrorCode.UnexpectedEndOfString && !text.slice(offset).includes("\n"));
  const what = first ? (SYNTAX_MESSAGES[first.error] ?? "invalid JSON") : "invalid JSON";
  if (atEnd) {
    return error("state/truncated", "The state file is cut short", {
      detail: `${file} ends in the middle of its JSON (${what} at the end). statectl replaces the state file atomically, so this happens only when something else truncated or copied it partially.`,
      range: rangeFromOffsets(file, text, offset, offset),
      hint: RESTORE_HINT,
    });
  }
  return error("state/corrupt", "The state file is not valid JSON", {
    detail: `${file} is damaged: ${what}.`,
    range: rangeFromOffsets(file, text, offset, offset + Math.max(1, first?.length ?? 1)),
    hint: RESTORE_HINT,
  });
}

type Locate = (path: (string | number)[]) => Range | undefined;

/** Finds where a JSON path sits in the text, so shape errors point at a line (parsed lazily, only on error). */
function locator(text: string, file: string): Locate {
  let root: ReturnType<typeof parseTree> | undefined;
  return (path) => {
    root ??= parseTree(text);
    if (!root) return undefined;
    let p = path;
    // A missing property points at its parent object.
    while (p.length > 0 && !findNodeAtLocation(root, p)) p = p.slice(0, -1);
    const node = p.length === 0 ? root : findNodeAtLocation(root, p);
    if (!node) return undefined;
    // Point at the property's name when there is one: shorter, and never a (possibly secret) value.
    const target = (node.parent?.type === "property" ? node.parent.children?.[0] : undefined) ?? node;
    const end = target.type === "object" || target.type === "array" ? target.offset + 1 : target.offset + target.length;
    return rangeFromOffsets(file, text, target.offset, end);
  };
}

interface ReadContext {
  file: string;
  at: Locate;
  report(d: Diagnostic): void;
}

type Reader = (raw: { [key: string]: unknown }, ctx: ReadContext) => State;

/**
 * One reader per format version that was ever written. A reader for an older version returns the
 * state in today's model (upgrading on the way); the next write stores the current version.
 * Add `[2, readV2]` here, and keep readV1, when the format changes.
 */
const READERS = new Map<number, Reader>([[1, readV1]]);

/** The format versions this statectl can read. */
export function readableFormatVersions(): number[] {
  return [...READERS.keys()];
}

function pathText(path: (string | number)[]): string {
  return path
    .map((p, i) =>
      typeof p === "number"
        ? `[${p}]`
        : i === 0
          ? p
          : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)
            ? `.${p}`
            : `[${JSON.stringify(p)}]`,
    )
    .join("");
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  return `a ${typeof v}`;
}

const MAX_SHAPE_ERRORS = 10;

function readV1(raw: { [key: string]: unknown }, ctx: ReadContext): State {
  let count = 0;
  const fail = (path: (string | number)[], summary: string, detail: string): void => {
    count++;
    if (count > MAX_SHAPE_ERRORS) return;
    ctx.report(error("state/invalid", summary, { detail: `${ctx.file}: ${detail}`, range: ctx.at(path) }));
  };
  const expect = (
    path: (string | number)[],
    v: unknown,
    want: "string" | "number" | "boolean" | "object" | "array",
  ): boolean => {
    const ok =
      want === "array"
        ? Array.isArray(v)
        : want === "object"
          ? v !== null && typeof v === "object" && !Array.isArray(v)
          : typeof v === want;
    if (!ok)
      fail(
        path,
        `Invalid "${pathText(path)}" in the state file`,
        `"${pathText(path)}" must be ${want === "array" || want === "object" ? "an" : "a"} ${want}, but it is ${v === undefined ? "missing" : describe(v)}.`,
      );
    return ok;
  };
  const onlyKeys = (path: (string | number)[], obj: { [key: string]: unknown }, allowed: readonly string[]): void => {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k))
        fail(
          [...path, k],
          `Unknown field "${pathText([...path, k])}" in the state file`,
          `format version 1 has no field "${k}" here; the fields are ${allowed.map((a) => `"${a}"`).join(", ")}.`,
        );
    }
  };

  onlyKeys([], raw, [
    "format_version",
    "statectl_version",
    "serial",
    "lineage",
    "resources",
    "outputs",
    "pending_creates",
  ]);
  const statectlVersion = expect(["statectl_version"], raw.statectl_version, "string")
    ? (raw.statectl_version as string)
    : "";
  let serial = 0;
  if (expect(["serial"], raw.serial, "number")) {
    serial = raw.serial as number;
    if (!Number.isSafeInteger(serial) || serial < 0)
      fail(["serial"], 'Invalid "serial" in the state file', '"serial" must be a whole number, 0 or more.');
  }
  let lineage = "";
  if (expect(["lineage"], raw.lineage, "string")) {
    lineage = raw.lineage as string;
    if (lineage.trim() === "")
      fail(
        ["lineage"],
        'Empty "lineage" in the state file',
        '"lineage" identifies this state (a UUID) and cannot be empty.',
      );
  }

  const resources: ResourceInstanceState[] = [];
  const seen = new Map<string, number>();
  if (expect(["resources"], raw.resources, "array")) {
    (raw.resources as unknown[]).forEach((item, i) => {
      const base: (string | number)[] = ["resources", i];
      if (!expect(base, item, "object")) return;
      const r = item as { [key: string]: unknown };
      onlyKeys(base, r, [
        "address",
        "kind",
        "provider",
        "id",
        "tainted",
        "attributes",
        "sensitive_attributes",
        "dependencies",
      ]);
      const okAddress = expect([...base, "address"], r.address, "string");
      const parsed = okAddress ? parseAddress(r.address as string) : undefined;
      // Stored canonically by statectl; normalised here so hand-edited spellings still match.
      const address = parsed ? formatAddress(parsed) : okAddress ? (r.address as string) : "";
      if (okAddress && !parsed)
        fail(
          [...base, "address"],
          `Invalid resource address in the state file`,
          `"${pathText([...base, "address"])}" is not a resource address; addresses look like ${ADDRESS_EXAMPLES}.`,
        );
      if (okAddress && parsed) {
        const previous = seen.get(address);
        if (previous !== undefined)
          fail(
            [...base, "address"],
            `Duplicate resource address "${address}" in the state file`,
            `"${address}" appears at resources[${previous}] and resources[${i}]; each instance must appear once.`,
          );
        else seen.set(address, i);
      }
      let kind: ResourceKind = parsed?.kind ?? "document";
      if (expect([...base, "kind"], r.kind, "string")) {
        if (!(RESOURCE_KINDS as readonly string[]).includes(r.kind as string))
          fail(
            [...base, "kind"],
            `Unknown resource kind in the state file`,
            `"${pathText([...base, "kind"])}" must be one of ${RESOURCE_KINDS.map((k) => `"${k}"`).join(", ")}.`,
          );
        else if (parsed && parsed.kind !== r.kind)
          fail(
            [...base, "kind"],
            `Resource kind does not match its address`,
            `the instance "${address}" is ${/^[aeiou]/.test(parsed.kind) ? "an" : "a"} ${parsed.kind}, but its "kind" says "${String(r.kind)}".`,
          );
        else kind = r.kind as ResourceKind;
      }
      if (
        expect([...base, "provider"], r.provider, "string") &&
        !/^ssm(\.[A-Za-z_][A-Za-z0-9_-]*)?$/.test(r.provider as string)
      ) {
        fail(
          [...base, "provider"],
          "Invalid provider in the state file",
          `"${pathText([...base, "provider"])}" must be "ssm" or "ssm.ALIAS".`,
        );
      }
      if (expect([...base, "id"], r.id, "string") && (r.id as string) === "")
        fail(
          [...base, "id"],
          "Empty resource id in the state file",
          `"${pathText([...base, "id"])}" must name the remote object (a document name or an association id).`,
        );
      if (r.tainted !== undefined && expect([...base, "tainted"], r.tainted, "boolean") && r.tainted !== true) {
        fail(
          [...base, "tainted"],
          'Invalid "tainted" in the state file',
          '"tainted" is written only as true; leave it out otherwise.',
        );
      }
      expect([...base, "attributes"], r.attributes, "object");
      const sensitive: AttributePath[] = [];
      if (expect([...base, "sensitive_attributes"], r.sensitive_attributes, "array")) {
        (r.sensitive_attributes as unknown[]).forEach((p, j) => {
          const at = [...base, "sensitive_attributes", j];
          if (
            !Array.isArray(p) ||
            p.length === 0 ||
            !p.every((s) => typeof s === "string" || (typeof s === "number" && Number.isInteger(s) && s >= 0))
          ) {
            fail(
              at,
              "Invalid sensitive attribute path in the state file",
              `"${pathText(at)}" must be a non-empty array of attribute names (strings) and list indexes (whole numbers).`,
            );
          } else sensitive.push(p as AttributePath);
        });
      }
      const dependencies: string[] = [];
      if (expect([...base, "dependencies"], r.dependencies, "array")) {
        (r.dependencies as unknown[]).forEach((d, j) => {
          const at = [...base, "dependencies", j];
          const dep = typeof d === "string" ? parseAddress(d) : undefined;
          if (!dep)
            fail(
              at,
              "Invalid dependency in the state file",
              `"${pathText(at)}" must be a resource address such as ${ADDRESS_EXAMPLES}.`,
            );
          else dependencies.push(formatAddress(dep));
        });
      }
      resources.push({
        address,
        kind,
        provider: typeof r.provider === "string" ? r.provider : "ssm",
        id: typeof r.id === "string" ? r.id : "",
        attributes: (r.attributes ?? {}) as { [key: string]: JsonValue },
        sensitiveAttributes: sensitive,
        dependencies,
        ...(r.tainted === true ? { tainted: true } : {}),
      });
    });
  }

  const outputs: { [name: string]: OutputState } = {};
  if (expect(["outputs"], raw.outputs, "object")) {
    for (const [name, o] of Object.entries(raw.outputs as { [key: string]: unknown })) {
      const base = ["outputs", name];
      if (!expect(base, o, "object")) continue;
      const out = o as { [key: string]: unknown };
      onlyKeys(base, out, ["value", "sensitive"]);
      if (!("value" in out))
        fail(base, `Output "${name}" has no value in the state file`, `"${pathText(base)}" must have a "value".`);
      const okSensitive = expect([...base, "sensitive"], out.sensitive, "boolean");
      Object.defineProperty(outputs, name, {
        value: { value: (out.value ?? null) as JsonValue, sensitive: okSensitive ? (out.sensitive as boolean) : true },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }

  const pendingCreates: PendingCreate[] = [];
  if (raw.pending_creates !== undefined && expect(["pending_creates"], raw.pending_creates, "array")) {
    const pendingSeen = new Set<string>();
    (raw.pending_creates as unknown[]).forEach((item, i) => {
      const base: (string | number)[] = ["pending_creates", i];
      if (!expect(base, item, "object")) return;
      const p = item as { [key: string]: unknown };
      onlyKeys(base, p, [
        "address",
        "kind",
        "provider",
        "started",
        "attributes",
        "sensitive_attributes",
        "dependencies",
      ]);
      const parsed = expect([...base, "address"], p.address, "string") ? parseAddress(p.address as string) : undefined;
      if (typeof p.address === "string" && !parsed)
        fail(
          [...base, "address"],
          "Invalid resource address in the state file",
          `"${pathText([...base, "address"])}" is not a resource address; addresses look like ${ADDRESS_EXAMPLES}.`,
        );
      const address = parsed ? formatAddress(parsed) : "";
      if (parsed && pendingSeen.has(address))
        fail(
          [...base, "address"],
          `Duplicate create in flight for "${address}" in the state file`,
          `"${address}" appears twice in "pending_creates".`,
        );
      pendingSeen.add(address);
      if (expect([...base, "kind"], p.kind, "string") && parsed && parsed.kind !== p.kind)
        fail(
          [...base, "kind"],
          "Resource kind does not match its address",
          `the create in flight at "${address}" is ${parsed.kind === "association" ? "an" : "a"} ${parsed.kind}, but its "kind" says "${String(p.kind)}".`,
        );
      if (
        expect([...base, "provider"], p.provider, "string") &&
        !/^ssm(\.[A-Za-z_][A-Za-z0-9_-]*)?$/.test(p.provider as string)
      )
        fail(
          [...base, "provider"],
          "Invalid provider in the state file",
          `"${pathText([...base, "provider"])}" must be "ssm" or "ssm.ALIAS".`,
        );
      if (expect([...base, "started"], p.started, "string") && Number.isNaN(Date.parse(p.started as string)))
        fail(
          [...base, "started"],
          'Invalid "started" in the state file',
          `"${pathText([...base, "started"])}" must be a date and time (ISO 8601).`,
        );
      expect([...base, "attributes"], p.attributes, "object");
      const sensitive: AttributePath[] = [];
      if (expect([...base, "sensitive_attributes"], p.sensitive_attributes, "array")) {
        (p.sensitive_attributes as unknown[]).forEach((x, j) => {
          if (
            !Array.isArray(x) ||
            x.length === 0 ||
            !x.every((s) => typeof s === "string" || (typeof s === "number" && Number.isInteger(s) && s >= 0))
          )
            fail(
              [...base, "sensitive_attributes", j],
              "Invalid sensitive attribute path in the state file",
              `"${pathText([...base, "sensitive_attributes", j])}" must be a non-empty array of attribute names (strings) and list indexes (whole numbers).`,
            );
          else sensitive.push(x as AttributePath);
        });
      }
      const dependencies: string[] = [];
      if (expect([...base, "dependencies"], p.dependencies, "array")) {
        (p.dependencies as unknown[]).forEach((d, j) => {
          const dep = typeof d === "string" ? parseAddress(d) : undefined;
          if (!dep)
            fail(
              [...base, "dependencies", j],
              "Invalid dependency in the state file",
              `"${pathText([...base, "dependencies", j])}" must be a resource address such as ${ADDRESS_EXAMPLES}.`,
            );
          else dependencies.push(formatAddress(dep));
        });
      }
      if (
        parsed &&
        typeof p.provider === "string" &&
        typeof p.started === "string" &&
        p.attributes !== null &&
        typeof p.attributes === "object" &&
        !Array.isArray(p.attributes)
      ) {
        pendingCreates.push({
          address,
          kind: parsed.kind,
          provider: p.provider,
          started: p.started,
          attributes: p.attributes as { [key: string]: JsonValue },
          sensitiveAttributes: sensitive,
          dependencies,
        });
      }
    });
  }

  if (count > MAX_SHAPE_ERRORS)
    ctx.report(
      error("state/invalid", `…and ${count - MAX_SHAPE_ERRORS} more problems in the state file`, {
        detail: `Only the first ${MAX_SHAPE_ERRORS} problems are listed.`,
      }),
    );
  resources.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  pendingCreates.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return {
    serial,
    lineage,
    statectlVersion,
    resources,
    outputs,
    ...(pendingCreates.length > 0 ? { pendingCreates } : {}),
  };
}
