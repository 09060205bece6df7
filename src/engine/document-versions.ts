/**
 * While planning: an association's numeric `document_version` must exist. For a document managed
 * in the same configuration the plan knows its versions (the refreshed state's latest version,
 * plus the one a content update or a create makes); for any other document the provider asks SSM
 * (DescribeDocument, cached per run). `$LATEST`, `$DEFAULT` and unknown values are not checked.
 */
import { error, type Diagnostic } from "../diag/index.js";
import type { ConfigInstance } from "../graph/index.js";
import type { Plan, PlanProvider } from "../plan/index.js";

export async function checkDocumentVersions(
  plan: Plan,
  instances: readonly ConfigInstance[],
  provider: (key: string) => PlanProvider,
  signal?: AbortSignal,
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const ranges = new Map(instances.map((i) => [i.address, i.ranges]));
  for (const change of plan.changes) {
    if (change.kind !== "association" || !change.after || !["create", "update", "replace"].includes(change.action))
      continue;
    const version = change.after["document_version"];
    const name = change.after["document"];
    if (typeof version !== "string" || !/^[1-9][0-9]*$/.test(version) || typeof name !== "string") continue;
    const r = ranges.get(change.address);
    const range = r?.attributes?.["document_version"] ?? r?.block;
    const report = (detail: string, hint: string) =>
      diagnostics.push(
        error("ssm/document-version-not-found", "Document version does not exist", {
          detail,
          hint,
          ...(range ? { range } : {}),
        }),
      );
    const managed = plan.changes.find(
      (c) => c.kind === "document" && c.action !== "delete" && c.after?.["name"] === name,
    );
    if (managed) {
      const latest = Number(managed.before?.["latest_version"] ?? 0) || 0;
      const rules = provider(managed.provider).rules("document");
      const newVersion =
        managed.action === "update" && managed.changes.some((c) => rules[c.name]?.change === "new_version");
      const after = managed.action === "create" || managed.action === "replace" ? 1 : newVersion ? latest + 1 : latest;
      if (Number(version) > after)
        report(
          `${change.address} runs version ${version} of the document "${name}", which this configuration manages: after this plan it has ${after === 1 ? "version 1 only" : `versions 1 to ${after}`}.`,
          `use "$DEFAULT", "$LATEST" or a version up to ${after}`,
        );
      continue;
    }
    const p = provider(change.provider);
    if (!p.documentVersionExists) continue;
    let exists: boolean;
    try {
      exists = await p.documentVersionExists(name, version, signal);
    } catch {
      continue; // the plan's own reads report connection problems
    }
    if (!exists)
      report(
        `SSM has no version ${version} of the document "${name}" (DescribeDocument).`,
        'use "$DEFAULT", "$LATEST" or an existing version (aws ssm list-document-versions)',
      );
  }
  return diagnostics;
}
