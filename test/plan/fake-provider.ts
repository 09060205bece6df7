// An in-memory provider for planner and apply unit tests: documents keyed by name, associations
// by generated id, with SSM-like rules (document name/type replace; association document replaces).
import type { ApplyProvider, Attributes } from "../../src/apply/index.js";
import { ChangeFailure } from "../../src/apply/index.js";
import type { DesiredValue } from "../../src/graph/index.js";
import type { PlanAttributeRule, PlanProvider, PlanTargetCount } from "../../src/plan/index.js";
import type { JsonValue } from "../../src/state/index.js";

export const FAKE_RULES: Record<string, Record<string, PlanAttributeRule>> = {
  document: {
    name: { change: "replace", reason: "SSM has no operation that renames a document" },
    type: { change: "replace", reason: "UpdateDocument cannot change a document's type", default: "Command" },
    content: { change: "new_version", compare: "document-content" },
    tags: { change: "update", default: {} },
    permissions: { change: "update", default: [], unordered: true },
    default_version: { change: "computed" },
  },
  association: {
    document: { change: "replace", reason: "an association cannot be moved to another document" },
    name: { change: "update", via: "UpdateAssociation" },
    schedule: { change: "update", via: "UpdateAssociation" },
    targets: { change: "update", via: "UpdateAssociation" },
    document_version: { change: "update", via: "UpdateAssociation", default: "$DEFAULT" },
    apply_only_at_cron_interval: { change: "update", via: "UpdateAssociation", default: false },
    tags: { change: "update", via: "AddTagsToResource", default: {} },
    wait_for_success: { change: "local" },
    association_id: { change: "computed" },
  },
};

export class FakeProvider implements PlanProvider, ApplyProvider {
  readonly remote = new Map<string, { kind: string; attributes: Attributes }>();
  readonly calls: string[] = [];
  private nextId = 1;
  /** Addresses-by-name whose create/update/delete fails (key: `${op}:${id or name}`). */
  readonly failures = new Set<string>();
  /** Ops that take this long (ms), to observe parallelism. */
  delayMs = 0;
  running = 0;
  peak = 0;

  rules(kind: string): Record<string, PlanAttributeRule> {
    return FAKE_RULES[kind]!;
  }
  normalize(_kind: string, attrs: { [name: string]: DesiredValue }): { [name: string]: DesiredValue } {
    const out: { [name: string]: DesiredValue } = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== null) out[k] = v;
    return out;
  }
  async read(_kind: string, id: string): Promise<{ [name: string]: JsonValue } | undefined> {
    this.calls.push(`read:${id}`);
    const r = this.remote.get(id);
    return r ? structuredClone(r.attributes) : undefined;
  }
  async countTargets(targets: JsonValue): Promise<PlanTargetCount> {
    const n = Array.isArray(targets) ? targets.length : 0;
    return { known: true, count: n * 2, instance_ids: [] };
  }
  private async op<T>(name: string, fn: () => T): Promise<T> {
    this.calls.push(name);
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      else await new Promise((r) => setImmediate(r));
      if (this.failures.has(name))
        throw new ChangeFailure(
          `${name.split(":")[0]} failed: InvalidParameters: injected`,
          undefined,
          "InvalidParameters",
        );
      return fn();
    } finally {
      this.running--;
    }
  }
  create(kind: string, desired: Attributes): Promise<{ id: string; attributes: Attributes }> {
    const name = typeof desired["name"] === "string" ? desired["name"] : undefined;
    const id = kind === "document" ? String(name) : `assoc-${this.nextId++}`;
    return this.op(`create:${kind === "document" ? id : (name ?? id)}`, () => {
      const attributes = {
        ...structuredClone(desired),
        ...(kind === "document" ? { default_version: "1" } : { association_id: id }),
      };
      this.remote.set(id, { kind, attributes });
      return { id, attributes: structuredClone(attributes) };
    });
  }
  update(kind: string, id: string, _prior: Attributes, desired: Attributes): Promise<{ attributes: Attributes }> {
    return this.op(`update:${id}`, () => {
      const attributes = {
        ...structuredClone(desired),
        ...(kind === "document" ? { default_version: "2" } : { association_id: id }),
      };
      this.remote.set(id, { kind, attributes });
      return { attributes: structuredClone(attributes) };
    });
  }
  delete(_kind: string, id: string): Promise<void> {
    return this.op(`delete:${id}`, () => {
      this.remote.delete(id);
    });
  }
}
