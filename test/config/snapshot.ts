import { relative } from "node:path";
import { formatAddress } from "../../src/addrs/index.js";
import type { EvaluatedConfig } from "../../src/eval/configeval.js";
import { toNative } from "../../src/eval/value.js";

const shown = { unknown: "(known after apply)", redact: "(sensitive)" };

/** A stable, readable JSON form of an evaluated configuration for goldens. */
export function snapshotEvaluated(e: EvaluatedConfig, dir: string): unknown {
  return {
    resources: e.resources.map((r) => ({
      address: r.addressText,
      provider: r.provider.key,
      attrs: Object.fromEntries(
        Object.entries(toNative(r.attrs, shown) as Record<string, unknown>).filter(([, v]) => v !== null),
      ),
      references: r.references.map(
        (x) =>
          `${x.kind}.${x.name}${x.attribute ? "." + x.attribute : ""} @${x.range.start.line}:${x.range.start.column}`,
      ),
      depends_on: r.dependsOn.map((x) => `${x.kind}.${x.name}`),
      lifecycle: {
        ...r.lifecycle,
        range: undefined,
        replaceTriggeredBy: r.lifecycle.replaceTriggeredBy.map((x) => `${x.kind}.${x.name}`),
      },
    })),
    outputs: Object.fromEntries(e.outputs.map((o) => [o.name, toNative(o.value, shown)])),
    variables: Object.fromEntries([...e.variables].map(([k, v]) => [k, toNative(v, shown)])),
    providers: Object.fromEntries([...e.providers].map(([k, p]) => [k, { ...p, range: undefined }])),
    state: { path: e.state.path, absolutePath: relative(dir, e.state.absolutePath), configured: e.state.configured },
    imports: e.imports.map((i) => ({ to: formatAddress(i.to), id: toNative(i.id, shown) })),
    moved: e.moved.map((m) => ({ from: formatAddress(m.from), to: formatAddress(m.to) })),
  };
}
