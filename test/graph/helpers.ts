import type { ConfigInstance, DesiredValue } from "../../src/graph/index.js";
import { pos, type Range } from "../../src/diag/index.js";

export function range(line: number, file = "main.state"): Range {
  return { file, start: pos(line, 1, 0), end: pos(line, 10, 9) };
}

/** A configured instance with sensible defaults for graph tests. */
export function inst(
  address: string,
  extra: Partial<ConfigInstance> & { attrs?: Record<string, DesiredValue> } = {},
): ConfigInstance {
  const kind = address.startsWith("document") ? "document" : "association";
  return {
    address,
    kind,
    provider: "ssm",
    attrs: {},
    sensitivePaths: [],
    references: [],
    dependsOn: [],
    lifecycle: {},
    ...extra,
  };
}
