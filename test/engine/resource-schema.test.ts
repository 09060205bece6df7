// The one resource schema (src/ssm/resource-schema.ts) against what really happens: every
// attribute the provider stores for a document and an association is in the schema, and every
// computed one can be referenced from the configuration (an output per attribute, applied
// against the local endpoint) and hovered in the language server.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ASSOCIATION_RESOURCE,
  DOCUMENT_RESOURCE,
  computedAttributes,
  runApply,
  parseFile,
  type ResourceSchema,
} from "../../src/index.js";
import { hoverAt } from "../../src/lsp/hover.js";
import { collectDeclarations } from "../../src/lsp/symbols.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";

const RESOURCES: readonly [string, ResourceSchema][] = [
  ["document.d", DOCUMENT_RESOURCE],
  ["association.a", ASSOCIATION_RESOURCE],
];

/** An object type's absent optional members read as null in the language: compare without them. */
function withoutNullMembers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNullMembers);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, e]) => e !== null)
      .map(([k, e]) => [k, withoutNullMembers(e)]),
  );
}

const outputName = (address: string, attribute: string) => `${address.replace(".", "_")}_${attribute}`;

const CONFIG = `provider "ssm" {
  endpoint = "local"
}

document "d" {
  name    = "SchemaProof"
  content = jsonencode({
    schemaVersion = "2.2"
    description   = "proof"
    parameters    = { greeting = { type = "String", default = "hi" } }
    mainSteps     = [{ action = "aws:runShellScript", name = "say", inputs = { runCommand = ["echo {{ greeting }}"] } }]
  })
}

association "a" {
  name     = "schema-proof"
  document = document.d.name
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
}

output "x" {
  value = document.d.status_information
}
${RESOURCES.flatMap(([address, schema]) => computedAttributes(schema).map((n) => `output "${outputName(address, n)}" {\n  value = ${address}.${n}\n}\n`)).join("\n")}`;

describe("one resource schema: computed attributes can be referenced and hovered", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "statectl-schema-"));
    writeFileSync(join(dir, "main.state"), CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("applies a configuration whose outputs read every computed attribute, and stores nothing the schema does not know", async () => {
    const run = await runApply({ dir });
    expect(run.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code}: ${d.summary}`)).to.deep.equal(
      [],
    );
    const outputs = new Map((run.outputs ?? []).map((o) => [o.name, o.value]));
    expect(outputs.has("x"), "output x = document.d.status_information").to.equal(true);
    for (const [address, schema] of RESOURCES) {
      const stored = run.result!.state.resources.find((r) => r.address === address)!.attributes;
      expect(
        Object.keys(stored).filter((n) => !(n in schema.attributes)),
        `${address}: stored attributes the schema lacks`,
      ).to.deep.equal([]);
      const computed = computedAttributes(schema);
      for (const name of Object.keys(stored).filter((n) => computed.includes(n))) {
        expect(withoutNullMembers(outputs.get(outputName(address, name))), `${address}.${name}`).to.deep.equal(
          stored[name],
        );
      }
      // The attributes SSM always reports are stored, so the loop above checked real values.
      expect(Object.keys(stored)).to.include.members(
        address.startsWith("document")
          ? ["hash", "latest_version", "parameters", "status"]
          : ["association_id", "association_version", "status"],
      );
    }
  });

  it("hovers every computed attribute where it is referenced", () => {
    const body = parseFile(CONFIG, "main.state").body!;
    const folder = { declarations: collectDeclarations([body]), managedParameters: new Map() };
    for (const [address, schema] of RESOURCES) {
      for (const name of computedAttributes(schema)) {
        const reference = `${address}.${name}\n`;
        const offset = CONFIG.indexOf(reference) + address.length + 2;
        const hover = hoverAt(body, offset, folder, new Map([["main.state", CONFIG]]));
        expect(hover?.markdown, `${address}.${name}`)
          .to.include(`**${address}.${name}**`)
          .and.to.include("computed by SSM");
      }
    }
  });
});
