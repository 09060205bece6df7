/** Encoding functions: JSON, YAML, base64, sha256, and the sensitive marks. */
import type { Hash } from "node:crypto";
import { createRequire } from "node:module";
import { T } from "../types.js";
import { Value, fromNative, toNative } from "../value.js";
import { YAML_ALIAS_BOMB, yamlValue } from "../../ssm/lazy.js";
import { builtin, FunctionError, type FunctionSpec } from "./framework.js";

// yaml is loaded when yamlencode/yamldecode first run: most configurations never call them, and
// importing it costs tens of milliseconds of every start (a CommonJS package: require works).
const requireCjs = createRequire(import.meta.url);
let yamlModule: typeof import("yaml") | undefined;
const yaml = (): typeof import("yaml") => (yamlModule ??= requireCjs("yaml") as typeof import("yaml"));

// node:crypto too (~4 ms to load): only the hash functions need it.
let cryptoModule: typeof import("node:crypto") | undefined;
export function createHash(algorithm: string): Hash {
  return (cryptoModule ??= requireCjs("node:crypto") as typeof import("node:crypto")).createHash(algorithm);
}

const anyValue = { name: "val", type: T.dynamic, allowNull: true };

export const encodingFunctions: Record<string, FunctionSpec> = {
  jsonencode: builtin({
    description: "Encodes a value as JSON.",
    params: [anyValue],
    returns: T.string,
    impl: ([v]) => Value.string(JSON.stringify(toNative(v))),
  }),
  jsondecode: builtin({
    description: "Decodes a JSON string into a value.",
    params: [{ name: "str", type: T.string }],
    returns: T.dynamic,
    impl: ([s]) => {
      try {
        return fromNative(JSON.parse(s.asString()));
      } catch (e) {
        throw new FunctionError(`the string is not valid JSON: ${(e as Error).message}`, 0);
      }
    },
  }),
  yamlencode: builtin({
    description: "Encodes a value as YAML.",
    params: [anyValue],
    returns: T.string,
    impl: ([v]) => Value.string(yaml().stringify(toNative(v), { lineWidth: 0 })),
  }),
  yamldecode: builtin({
    description: "Decodes a YAML string (one document) into a value.",
    params: [{ name: "src", type: T.string }],
    returns: T.dynamic,
    impl: ([s]) => {
      const docs = yaml().parseAllDocuments(s.asString());
      if (!Array.isArray(docs)) return Value.NULL;
      if (docs.length > 1)
        throw new FunctionError(`the string holds ${docs.length} YAML documents; only one is allowed.`, 0);
      const [doc] = docs;
      if (doc === undefined) return Value.NULL;
      const [problem] = doc.errors;
      if (problem !== undefined)
        throw new FunctionError(`the string is not valid YAML: ${problem.message.split("\n")[0] ?? ""}`, 0);
      const plain = yamlValue(doc);
      if ("aliasBomb" in plain) throw new FunctionError(`the YAML is not accepted: ${YAML_ALIAS_BOMB}.`, 0);
      return fromNative(plain.value);
    },
  }),
  sha256: builtin({
    description: "The SHA-256 hash of a string's UTF-8 bytes, in hexadecimal.",
    params: [{ name: "str", type: T.string }],
    returns: T.string,
    impl: ([s]) => Value.string(createHash("sha256").update(s.asString(), "utf8").digest("hex")),
  }),
  base64encode: builtin({
    description: "Encodes a string's UTF-8 bytes in base64.",
    params: [{ name: "str", type: T.string }],
    returns: T.string,
    impl: ([s]) => Value.string(Buffer.from(s.asString(), "utf8").toString("base64")),
  }),
  base64decode: builtin({
    description: "Decodes base64 into a UTF-8 string.",
    params: [{ name: "str", type: T.string }],
    returns: T.string,
    impl: ([s]) => {
      const text = s.asString();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
        throw new FunctionError("the string is not valid base64.", 0);
      const bytes = Buffer.from(text, "base64");
      try {
        return Value.string(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch {
        throw new FunctionError("the decoded bytes are not valid UTF-8 text.", 0);
      }
    },
  }),
  sensitive: builtin({
    description: "Marks a value as sensitive: it is shown as (sensitive) in plans and outputs.",
    params: [{ ...anyValue, name: "value", allowPartiallyUnknown: true }],
    returns: (args) => args[0]?.type ?? T.dynamic,
    handlesMarks: true,
    impl: ([v]) => v.mark(),
  }),
  nonsensitive: builtin({
    description: "Removes the sensitive mark from a value that is safe to show.",
    params: [{ ...anyValue, name: "value", allowPartiallyUnknown: true }],
    returns: (args) => args[0]?.type ?? T.dynamic,
    handlesMarks: true,
    impl: ([v]) => {
      if (!v.sensitive) throw new FunctionError("the value is not sensitive, so nonsensitive() is not needed here.", 0);
      return v.unmark();
    },
  }),
};
