// SsmProvider seen through the planner's and apply's provider interfaces: attribute sets in,
// attribute sets out, ProviderError turned into ChangeFailure (keeping what really exists).
import { createHash } from "node:crypto";
import {
  ChangeFailure,
  type ApplyProvider,
  type Attributes,
  type CreateOptions,
  type Created,
} from "../apply/index.js";
import { forEachBounded, isUnknown, withFastProperties, type DesiredValue } from "../graph/index.js";
import {
  parseDocumentBody,
  type PlanAttributeRule,
  type PlanProvider,
  type PlanReadManyOptions,
  type PlanReadRequest,
  type PlanReadResult,
  type PlanTargetCount,
} from "../plan/index.js";
import {
  ASSOCIATION_BATCH_SIZE,
  associationAttributeRules,
  documentAttributeRules,
  isAssociationSpec,
  isAssociationState,
  isDocumentSpec,
  isDocumentState,
  isTagMap,
  isTargetList,
  ProviderError,
  type AssociationSpec,
  type AssociationState,
  type AssociationSummary,
  type DocumentSpec,
  type DocumentState,
  type DocumentSummary,
  type SsmProvider,
} from "../provider-ssm/index.js";
import type { JsonValue } from "../state/index.js";
import { ASSOCIATION_RESOURCE, DOCUMENT_RESOURCE, providerInput, type ResourceSchema } from "../ssm/index.js";
import { yaml } from "../ssm/lazy.js";

const DOCUMENT_RULES: Readonly<Record<string, PlanAttributeRule>> = documentAttributeRules;
const ASSOCIATION_RULES: Readonly<Record<string, PlanAttributeRule>> = associationAttributeRules;

/** JSON copy without undefined members (provider objects leave optional members undefined). */
function toJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v ?? null)) as JsonValue;
}

/** Drops null members of objects, recursively: null means "not set". */
function withoutNulls(v: DesiredValue): DesiredValue {
  if (v === null || typeof v !== "object" || isUnknown(v)) return v;
  if (Array.isArray(v)) return v.map(withoutNulls);
  const out: { [k: string]: DesiredValue } = {};
  // Objects built in code can carry undefined members (optional fields), which mean "not set" too.
  const members: { [k: string]: DesiredValue | undefined } = v;
  let kept = 0;
  for (const k of Object.keys(members)) {
    const e = members[k];
    if (e === null || e === undefined) continue;
    out[k] = withoutNulls(e);
    kept++;
  }
  return withFastProperties(out, kept);
}

/** Serialises native document content and infers the format when the configuration left it out. */
export function normalizeDocument(attrs: { [name: string]: DesiredValue }): { [name: string]: DesiredValue } {
  const out = withoutNulls(attrs) as { [name: string]: DesiredValue };
  const content = out["content"];
  const format = typeof out["format"] === "string" ? out["format"].toUpperCase() : undefined;
  if (content !== undefined && typeof content === "object" && content !== null && !isUnknown(content)) {
    out["content"] = format === "YAML" ? yaml().stringify(content) : JSON.stringify(content, null, 2);
    if (!format) out["format"] = "JSON";
  } else if (typeof content === "string" && !format) {
    try {
      JSON.parse(content);
      out["format"] = "JSON";
    } catch {
      if (parseDocumentBody(content) !== undefined) out["format"] = "YAML";
    }
  }
  if (format) out["format"] = format;
  return out;
}

function failure(e: unknown, partial?: (state: unknown) => { id: string; attributes: Attributes }): Error {
  if (e instanceof ProviderError) {
    const p = e.partialState !== undefined && partial ? partial(e.partialState) : undefined;
    return new ChangeFailure(e.message, p, e.code, e.outcomeUnknown ? { outcomeUnknown: true } : {});
  }
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * What SSM cannot report back (attachment sources) and statectl's own settings (`promote`,
 * `wait_for_success`): kept from what was applied, as the schema marks them.
 */
function keptFromConfiguration(schema: ResourceSchema, desired: Attributes): Attributes {
  const out: Attributes = {};
  for (const [n, a] of Object.entries(schema.attributes)) {
    if ((a.change === "local" || a.readable === false) && desired[n] !== undefined && desired[n] !== null)
      out[n] = desired[n];
  }
  return out;
}

function documentAttributes(state: DocumentState, desired: Attributes | undefined): Attributes {
  const attrs = toJson(state) as Attributes;
  if (desired) Object.assign(attrs, keptFromConfiguration(DOCUMENT_RESOURCE, desired));
  return attrs;
}

function associationAttributes(state: AssociationState, desired: Attributes | undefined): Attributes {
  const attrs = toJson(state) as Attributes;
  if (desired) {
    // wait_for_success is statectl's: what was applied now, not what an earlier apply left (a
    // removed argument must leave the state, or the plan shows "- wait_for_success" forever).
    delete attrs["wait_for_success"];
    Object.assign(attrs, keptFromConfiguration(ASSOCIATION_RESOURCE, desired));
  }
  return attrs;
}

function associationSpec(desired: Attributes): AssociationSpec {
  const spec = providerInput(ASSOCIATION_RESOURCE, desired);
  if (!isAssociationSpec(spec))
    throw new Error(`The association's attributes do not match its schema: ${JSON.stringify(spec)}`);
  return spec;
}

function documentSpec(desired: Attributes): DocumentSpec {
  const spec = providerInput(DOCUMENT_RESOURCE, desired);
  if (!isDocumentSpec(spec))
    throw new Error(`The document's attributes do not match its schema: ${JSON.stringify(spec)}`);
  return spec;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function nonEmptyObject(v: JsonValue | undefined): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0;
}

function nonEmptyList(v: JsonValue | undefined): boolean {
  return Array.isArray(v) && v.length > 0;
}

/**
 * Whether the configuration or the state says statectl manages `name`: it is configured, or the
 * state holds a non-empty value for it. Attributes nobody manages are not read in bulk refresh
 * when the list calls cannot show them (association tags, document sharing).
 */
function manages(request: PlanReadRequest, name: string, nonEmpty: (v: JsonValue | undefined) => boolean): boolean {
  return (request.desired !== undefined && request.desired[name] !== undefined) || nonEmpty(request.prior[name]);
}

/**
 * Whether a ListAssociations entry still describes the association the state recorded. Every
 * UpdateAssociation bumps AssociationVersion, so an equal version means the configurable members
 * are as recorded; the members the list also carries are compared as a second check.
 */
function associationUnchanged(prior: Attributes, listed: AssociationSummary): boolean {
  if (typeof prior["association_version"] !== "string" || listed.association_version !== prior["association_version"])
    return false;
  return (
    listed.document === prior["document"] &&
    (listed.document_version ?? "$DEFAULT") === (prior["document_version"] ?? "$DEFAULT") &&
    listed.name === prior["name"] &&
    listed.schedule === prior["schedule"] &&
    listed.schedule_offset === prior["schedule_offset"] &&
    listed.duration === prior["duration"] &&
    sameJson(
      listed.targets !== undefined && listed.targets.length > 0 ? listed.targets : undefined,
      prior["targets"],
    ) &&
    sameJson(
      listed.target_maps !== undefined && listed.target_maps.length > 0 ? listed.target_maps : undefined,
      prior["target_maps"],
    )
  );
}

/**
 * Whether a ListDocuments entry (which describes the default version) vouches for a document the
 * state recorded with `promote` on: the same default version, created at the same moment (a
 * document deleted and created again starts at version 1 again), with the same metadata. A
 * version's content never changes, so the content is then as recorded.
 */
function documentUnchanged(prior: Attributes, listed: DocumentSummary): boolean {
  if (prior["promote"] === false) return false;
  if (typeof prior["created_date"] !== "string" || listed.created_date !== prior["created_date"]) return false;
  if (
    listed.document_version === undefined ||
    listed.document_version !== prior["default_version"] ||
    prior["document_version"] !== prior["default_version"]
  )
    return false;
  return (
    listed.format === prior["format"] &&
    listed.type === prior["type"] &&
    listed.version_name === prior["version_name"] &&
    listed.display_name === prior["display_name"] &&
    listed.target_type === prior["target_type"] &&
    listed.schema_version === prior["schema_version"] &&
    sameJson([...listed.platform_types].sort(), [...((prior["platform_types"] as string[] | undefined) ?? [])].sort())
  );
}

/** One object serving both interfaces. */
export class SsmResourceProvider implements PlanProvider, ApplyProvider {
  constructor(readonly ssm: SsmProvider) {}

  rules(kind: string): Readonly<Record<string, PlanAttributeRule>> {
    return kind === "document" ? DOCUMENT_RULES : ASSOCIATION_RULES;
  }

  private readonly versionChecks = new Map<string, Promise<boolean>>();

  /** DescribeDocument once per document version for the provider's life (one run). */
  documentVersionExists(name: string, version: string, signal?: AbortSignal): Promise<boolean> {
    const key = JSON.stringify([name, version]);
    let found = this.versionChecks.get(key);
    if (!found) {
      found = this.ssm.documentVersionExists(name, version, signal ? { signal } : {});
      this.versionChecks.set(key, found);
      found.catch(() => this.versionChecks.delete(key));
    }
    return found;
  }

  normalize(kind: string, attrs: { [name: string]: DesiredValue }): { [name: string]: DesiredValue } {
    return kind === "document" ? normalizeDocument(attrs) : (withoutNulls(attrs) as { [name: string]: DesiredValue });
  }

  async read(
    kind: string,
    id: string,
    prior: { [name: string]: JsonValue },
    signal?: AbortSignal,
  ): Promise<{ [name: string]: JsonValue } | undefined> {
    const call = signal ? { signal } : {};
    if (kind === "document") {
      const promote = prior["promote"] !== false;
      const s = await this.ssm.readDocument(id, { promote, ...call });
      return s ? documentAttributes(s, prior) : undefined;
    }
    const s = await this.ssm.readAssociation(id, call);
    return s ? associationAttributes(s, prior) : undefined;
  }

  /**
   * Bulk refresh: one ListAssociations or ListDocuments scan, then details only where the list
   * cannot vouch for the state (a new version, metadata that differs, an id the list lacks — which
   * a per-resource read then confirms as gone) and, for attributes the lists do not carry,
   * one read per resource that manages them (association tags, document sharing).
   */
  async readMany(
    kind: string,
    requests: readonly PlanReadRequest[],
    options: PlanReadManyOptions = {},
  ): Promise<Map<string, PlanReadResult>> {
    const out = new Map<string, PlanReadResult>();
    const call = options.signal ? { signal: options.signal } : {};
    const detail: PlanReadRequest[] = [];
    const extra: { request: PlanReadRequest; read: () => Promise<PlanReadResult> }[] = [];
    if (kind === "association") {
      const listed = new Map((await this.ssm.listAssociations()).map((a) => [a.association_id, a]));
      for (const request of requests) {
        const entry = listed.get(request.id);
        if (entry === undefined || !associationUnchanged(request.prior, entry)) {
          detail.push(request);
          continue;
        }
        const attrs: Attributes = { ...request.prior, status: entry.status ?? "" };
        if (entry.detailed_status !== undefined) attrs["detailed_status"] = entry.detailed_status;
        else delete attrs["detailed_status"];
        if (manages(request, "tags", nonEmptyObject)) {
          extra.push({
            request,
            read: async () => ({ ...attrs, tags: toJson(await this.ssm.readTags("Association", request.id, call)) }),
          });
        } else out.set(request.id, attrs);
      }
    } else {
      const listed = new Map((await this.ssm.listDocuments({ owner: "Self" })).map((d) => [d.name, d]));
      // A document shared publicly is a security event even where the configuration sets no
      // sharing: one listing of public documents finds ours among them (matched by owner too,
      // since another account may publish a document of the same name).
      const publicNames = new Set(
        (await this.ssm.listDocuments({ owner: "Public" }))
          .filter((d) => d.owner === undefined || d.owner === listed.get(d.name)?.owner)
          .map((d) => d.name),
      );
      for (const request of requests) {
        const entry = listed.get(request.id);
        if (entry === undefined || !documentUnchanged(request.prior, entry)) {
          detail.push(request);
          continue;
        }
        const attrs: Attributes = { ...request.prior, tags: toJson(entry.tags) };
        if (manages(request, "permissions", nonEmptyList) || publicNames.has(request.id)) {
          extra.push({
            request,
            read: async () => {
              const permissions = await this.ssm.readDocumentPermissions(request.id, call);
              return permissions === undefined ? undefined : { ...attrs, permissions: [...permissions].sort() };
            },
          });
        } else out.set(request.id, attrs);
      }
    }
    const jobs = [
      ...detail.map((request) => ({ request, read: () => this.read(kind, request.id, request.prior, options.signal) })),
      ...extra,
    ];
    await forEachBounded(jobs, options.parallelism ?? 10, async (job) => {
      try {
        out.set(job.request.id, await job.read());
      } catch (e) {
        out.set(job.request.id, asError(e));
      }
    });
    return out;
  }

  async associationsOfDocument(name: string): Promise<{ id: string; name?: string }[]> {
    return (await this.ssm.listAssociations({ document: name })).map((a) => ({
      id: a.association_id,
      ...(a.name ? { name: a.name } : {}),
    }));
  }

  async countTargets(targets: JsonValue, signal?: AbortSignal): Promise<PlanTargetCount> {
    if (!isTargetList(targets)) throw new Error(`Not a list of targets: ${JSON.stringify(targets)}`);
    return this.ssm.countTargets(targets, signal ? { signal } : {});
  }

  async countTargetsMany(
    targets: readonly JsonValue[],
    options: { signal?: AbortSignal; parallelism?: number } = {},
  ): Promise<PlanTargetCount[]> {
    const counter = this.ssm.targetCounter();
    const call = options.signal ? { signal: options.signal } : {};
    const out = new Array<PlanTargetCount>(targets.length);
    await forEachBounded([...targets.keys()], options.parallelism ?? 10, async (i) => {
      const list = targets[i];
      try {
        if (!isTargetList(list)) throw new Error(`Not a list of targets: ${JSON.stringify(list)}`);
        out[i] = await counter.count(list, call);
      } catch (e) {
        out[i] = { known: false, reason: e instanceof Error ? e.message : String(e) };
      }
    });
    return out;
  }

  async create(kind: string, desired: Attributes, signal?: AbortSignal, options: CreateOptions = {}): Promise<Created> {
    const call = signal ? { signal } : {};
    try {
      if (kind === "document") {
        try {
          const s = await this.ssm.createDocument(documentSpec(desired), call);
          return { id: s.name, attributes: documentAttributes(s, desired) };
        } catch (e) {
          if (e instanceof ProviderError && e.code === "DocumentAlreadyExists")
            return await this.adoptDocument(desired, options, e, signal);
          throw e;
        }
      }
      const s = await this.ssm.createAssociationBatched(associationSpec(desired), call);
      return { id: s.association_id, attributes: associationAttributes(s, desired) };
    } catch (e) {
      throw failure(e, (p) =>
        kind === "document"
          ? { id: (p as DocumentState).name, attributes: documentAttributes(p as DocumentState, desired) }
          : {
              id: (p as AssociationState).association_id,
              attributes: associationAttributes(p as AssociationState, desired),
            },
      );
    }
  }

  /**
   * CreateDocument said the name is taken. A document's name is its identity, so when the state
   * does not track that name and the existing document has the configured type and content hash
   * (what a create whose response was lost leaves behind), it is adopted: brought to the rest of
   * the configuration (sharing, tags, default version) like an update. Anything else is refused.
   */
  private async adoptDocument(
    desired: Attributes,
    options: CreateOptions,
    cause: ProviderError,
    signal?: AbortSignal,
  ): Promise<Created> {
    const spec = documentSpec(desired);
    const address = options.address ?? "ADDRESS";
    const refuse = (why: string): ChangeFailure =>
      new ChangeFailure(
        `${cause.message}. statectl does not take over a document that ${why}.`,
        undefined,
        "DocumentAlreadyExists",
        {
          hint: `to manage the existing document, import it (statectl import ${address} ${spec.name}) and plan again; or give the document another name`,
        },
      );
    if (options.exclude?.has(spec.name)) throw refuse("another address in the state manages");
    const existing = await this.ssm.readDocument(spec.name, {
      promote: spec.promote !== false,
      ...(signal ? { signal } : {}),
    });
    if (!existing) throw cause;
    const wantedHash = createHash("sha256").update(spec.content, "utf8").digest("hex");
    const wantedType = spec.type ?? "Command";
    if (existing.hash !== wantedHash || existing.type !== wantedType) {
      throw refuse(
        `differs from the configuration (${existing.type !== wantedType ? `its type is ${existing.type}, not ${wantedType}` : "its content hash differs"})`,
      );
    }
    const r = await this.ssm.updateDocument(existing, spec, signal ? { signal } : {});
    return {
      id: spec.name,
      attributes: documentAttributes(r.state, desired),
      adopted: `document ${spec.name} already existed with the configured type and content (a create whose response was lost): adopted`,
    };
  }

  /** A document's name is its identity, and unique in an account and region; an association's id is made by SSM. */
  idFromConfig(kind: string, attrs: { [name: string]: DesiredValue }): string | undefined {
    const name = attrs["name"];
    return kind === "document" && typeof name === "string" ? name : undefined;
  }

  createIsIdempotent(kind: string): boolean {
    return kind !== "association";
  }

  async findCreated(
    kind: string,
    desired: Attributes,
    options: { since: Date; exclude: ReadonlySet<string>; signal?: AbortSignal },
  ): Promise<{ id: string; attributes: Attributes }[]> {
    if (kind !== "association") return [];
    const found = await this.ssm.findCreatedAssociations(associationSpec(desired), options);
    return found.map((s) => ({ id: s.association_id, attributes: associationAttributes(s, desired) }));
  }

  // Asked with the plan's values, some still unknown: only the members batching looks at are
  // read, and an unknown one counts as "cannot batch" / a group of its own.
  createBatchSize(kind: string, desired: Attributes): number {
    if (kind !== "association") return 1;
    const tags = desired["tags"];
    if (tags === undefined || tags === null) return ASSOCIATION_BATCH_SIZE;
    return isTagMap(tags) && this.ssm.canBatch({ tags }) ? ASSOCIATION_BATCH_SIZE : 1;
  }

  createBatchGroup(kind: string, desired: Attributes): string {
    if (kind !== "association") return "";
    const role = desired["dispatch_assume_role"];
    return typeof role === "string"
      ? this.ssm.batchGroup({ dispatch_assume_role: role })
      : role === undefined || role === null
        ? ""
        : JSON.stringify(role);
  }

  async update(
    kind: string,
    id: string,
    prior: Attributes,
    desired: Attributes,
    signal?: AbortSignal,
  ): Promise<{ attributes: Attributes }> {
    const call = signal ? { signal } : {};
    try {
      if (kind === "document") {
        if (!isDocumentState(prior)) throw new Error(`The state's document ${id} does not match the document schema`);
        const r = await this.ssm.updateDocument(prior, documentSpec(desired), call);
        return { attributes: documentAttributes(r.state, desired) };
      }
      if (!isAssociationState(prior))
        throw new Error(`The state's association ${id} does not match the association schema`);
      const s = await this.ssm.updateAssociation({ ...prior, association_id: id }, associationSpec(desired), call);
      return { attributes: associationAttributes(s, desired) };
    } catch (e) {
      throw failure(e, (p) =>
        kind === "document"
          ? { id, attributes: documentAttributes(p as DocumentState, desired) }
          : { id, attributes: associationAttributes(p as AssociationState, desired) },
      );
    }
  }

  async delete(kind: string, id: string, _prior: Attributes, signal?: AbortSignal): Promise<void> {
    const call = signal ? { signal } : {};
    try {
      if (kind === "document") await this.ssm.deleteDocument(id, call);
      else await this.ssm.deleteAssociation(id, call);
    } catch (e) {
      throw failure(e);
    }
  }

  async waitForSuccess(
    kind: string,
    id: string,
    seconds: number,
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; detail: string }> {
    if (kind !== "association") return { ok: true, detail: "" };
    const r = await this.ssm.waitForSuccess(id, seconds, signal ? { signal } : {});
    if (r.outcome === "Success") return { ok: true, detail: "Success" };
    if (r.outcome === "NoTargets")
      return {
        ok: false,
        detail:
          "its targets match no managed instance, so no run will come to wait for (checked at once, not after the timeout)",
      };
    const failed = (r.failed_targets ?? [])
      .map((t) => `${t.resource_id} (${t.detailed_status ?? t.status})`)
      .join(", ");
    return {
      ok: false,
      detail:
        r.outcome === "TimedOut"
          ? `no Success within ${seconds} s (status ${r.status})`
          : `the association failed${failed ? ` on ${failed}` : ""}`,
    };
  }
}
