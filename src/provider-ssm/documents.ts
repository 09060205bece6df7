// Documents: read, create, new versions, promotion, sharing and tags, delete.
//
// Which version statectl manages: with `promote` on (the default) the declared content is the
// *default* version — that is what associations pinned to $DEFAULT run — so it is read from
// there. With `promote` off statectl only adds versions, and the declared content is the latest.
import { createHash } from "node:crypto";
import type {
  CreateDocumentCommandOutput,
  DescribeDocumentCommandOutput,
  DescribeDocumentPermissionCommandOutput,
  DocumentDescription,
  GetDocumentCommandOutput,
  ListDocumentVersionsCommandOutput,
  DocumentVersionInfo,
  UpdateDocumentCommandOutput,
} from "@aws-sdk/client-ssm";
import { defined } from "../diag/index.js";
import { compact, tagsFromList, tagsToList, type CallOptions, type ProviderContext } from "./context.js";
import { hasCode, ProviderError } from "./errors.js";
import type {
  DocumentAttachment,
  DocumentRequirement,
  DocumentSpec,
  DocumentState,
  DocumentSummary,
  RecordedDocument,
} from "./model.js";
import { applyTagDiff } from "./tags.js";

/** ModifyDocumentPermission takes at most this many account ids to add (and to remove) per call. */
export const PERMISSION_BATCH_SIZE = 20;

export const DEFAULT_DOCUMENT_TYPE = "Command";
export const DEFAULT_DOCUMENT_FORMAT = "JSON";

const SETTLING = new Set(["Creating", "Updating"]);

export interface ReadDocumentOptions extends CallOptions {
  /** Read the default version (true, the default) or the latest version (false). */
  promote?: boolean;
}

/** The document as SSM reports it, or undefined when it does not exist (error code InvalidDocument). */
export async function readDocument(
  ctx: ProviderContext,
  name: string,
  options: ReadDocumentOptions = {},
): Promise<DocumentState | undefined> {
  const promote = options.promote ?? true;
  let description: DocumentDescription;
  try {
    const out = await ctx.send<DescribeDocumentCommandOutput>(
      "DescribeDocument",
      name,
      (sdk) => new sdk.DescribeDocumentCommand({ Name: name, ...(promote ? {} : { DocumentVersion: "$LATEST" }) }),
      options,
    );
    if (out.Document === undefined) return undefined;
    description = out.Document;
  } catch (error) {
    if (hasCode(error, "InvalidDocument")) return undefined;
    throw error;
  }
  const version = description.DocumentVersion;
  // GetDocument answers JSON unless asked otherwise: ask for the stored format, so a YAML
  // document reads back as the text that was sent.
  const format = description.DocumentFormat;
  let content: GetDocumentCommandOutput;
  try {
    content = await ctx.send<GetDocumentCommandOutput>(
      "GetDocument",
      name,
      (sdk) =>
        new sdk.GetDocumentCommand({
          Name: name,
          ...(version !== undefined ? { DocumentVersion: version } : {}),
          ...(format !== undefined ? { DocumentFormat: format } : {}),
        }),
      options,
    );
  } catch (error) {
    // Deleted between the two calls.
    if (hasCode(error, "InvalidDocument")) return undefined;
    throw error;
  }
  const permissions = await readPermissions(ctx, name, options);
  if (permissions === undefined) return undefined;
  return await toDocumentState(ctx, description, content.Content ?? "", permissions);
}

async function toDocumentState(
  ctx: ProviderContext,
  d: DocumentDescription,
  content: string,
  permissions: string[],
): Promise<DocumentState> {
  const name = d.Name ?? "";
  const owner = d.Owner ?? "";
  const requires: DocumentRequirement[] | undefined = d.Requires?.map((r) =>
    compact({ name: r.Name ?? "", version: r.Version, require_type: r.RequireType, version_name: r.VersionName }),
  );
  return compact<DocumentState>({
    name,
    content,
    type: d.DocumentType ?? DEFAULT_DOCUMENT_TYPE,
    format: d.DocumentFormat ?? DEFAULT_DOCUMENT_FORMAT,
    target_type: d.TargetType,
    version_name: d.VersionName,
    display_name: d.DisplayName,
    requires: requires !== undefined && requires.length > 0 ? requires : undefined,
    permissions: [...permissions].sort(),
    tags: tagsFromList(d.Tags),
    document_version: d.DocumentVersion ?? "",
    default_version: d.DefaultVersion ?? "",
    latest_version: d.LatestVersion ?? "",
    hash: d.Hash ?? "",
    status: d.Status ?? "",
    status_information: d.StatusInformation,
    owner,
    schema_version: d.SchemaVersion,
    platform_types: [...(d.PlatformTypes ?? [])],
    parameters: (d.Parameters ?? []).map((p) =>
      compact({ name: p.Name ?? "", type: p.Type ?? "", description: p.Description, default_value: p.DefaultValue }),
    ),
    created_date: d.CreatedDate?.toISOString(),
    arn: await ctx.arn("document", name, owner),
  });
}

/** Account ids the document is shared with; undefined when the document does not exist. */
export async function readPermissions(
  ctx: ProviderContext,
  name: string,
  call?: CallOptions,
): Promise<string[] | undefined> {
  const accounts: string[] = [];
  let token: string | undefined;
  do {
    let page: DescribeDocumentPermissionCommandOutput;
    try {
      const next = token;
      page = await ctx.send<DescribeDocumentPermissionCommandOutput>(
        "DescribeDocumentPermission",
        name,
        (sdk) =>
          new sdk.DescribeDocumentPermissionCommand({
            Name: name,
            PermissionType: "Share",
            MaxResults: 200,
            ...(next !== undefined ? { NextToken: next } : {}),
          }),
        call,
      );
    } catch (error) {
      if (hasCode(error, "InvalidDocument")) return undefined;
      throw error;
    }
    accounts.push(...(page.AccountIds ?? []));
    token = page.NextToken !== undefined && page.NextToken !== "" ? page.NextToken : undefined;
  } while (token !== undefined);
  return accounts;
}

export interface PermissionBatch {
  add: string[];
  remove: string[];
}

/**
 * The ModifyDocumentPermission calls that take a document from `current` to `desired` sharing:
 * each call carries up to 20 additions and up to 20 removals.
 */
export function planPermissionBatches(current: readonly string[], desired: readonly string[]): PermissionBatch[] {
  const have = new Set(current);
  const want = new Set(desired);
  const add = [...want].filter((a) => !have.has(a)).sort();
  const remove = [...have].filter((a) => !want.has(a)).sort();
  const batches: PermissionBatch[] = [];
  for (let i = 0; i < Math.max(add.length, remove.length); i += PERMISSION_BATCH_SIZE) {
    batches.push({ add: add.slice(i, i + PERMISSION_BATCH_SIZE), remove: remove.slice(i, i + PERMISSION_BATCH_SIZE) });
  }
  return batches;
}

/** Share/unshare in batches of 20; returns the number of calls made. */
export async function applyPermissions(
  ctx: ProviderContext,
  name: string,
  current: readonly string[],
  desired: readonly string[],
  call?: CallOptions,
): Promise<number> {
  const batches = planPermissionBatches(current, desired);
  for (const batch of batches) {
    await ctx.send(
      "ModifyDocumentPermission",
      name,
      (sdk) =>
        new sdk.ModifyDocumentPermissionCommand({
          Name: name,
          PermissionType: "Share",
          ...(batch.add.length > 0 ? { AccountIdsToAdd: batch.add } : {}),
          ...(batch.remove.length > 0 ? { AccountIdsToRemove: batch.remove } : {}),
        }),
      call,
    );
  }
  return batches.length;
}

function attachmentsInput(attachments: DocumentAttachment[] | undefined) {
  return attachments?.map((a) => compact({ Key: a.key as never, Values: a.values, Name: a.name }));
}

function requiresInput(requires: DocumentRequirement[] | undefined) {
  return requires?.map((r) =>
    compact({ Name: r.name, Version: r.version, RequireType: r.require_type, VersionName: r.version_name }),
  );
}

/**
 * Create the document, wait until SSM has finished processing it and share it. The state comes
 * from what these calls answered and what was sent (the content SSM stores is the text sent, in
 * the format sent), so an unshared document costs CreateDocument plus, while it reports Creating,
 * one DescribeDocument after a first wait. If a step after CreateDocument fails, the
 * ProviderError carries the resulting state.
 */
export async function createDocument(
  ctx: ProviderContext,
  spec: DocumentSpec,
  call?: CallOptions,
): Promise<DocumentState> {
  const tags = tagsToList(spec.tags);
  const out = await ctx.send<CreateDocumentCommandOutput>(
    "CreateDocument",
    spec.name,
    (sdk) =>
      new sdk.CreateDocumentCommand(
        compact({
          Name: spec.name,
          Content: spec.content,
          DocumentType: (spec.type ?? DEFAULT_DOCUMENT_TYPE) as never,
          DocumentFormat: (spec.format ?? DEFAULT_DOCUMENT_FORMAT) as never,
          TargetType: spec.target_type,
          VersionName: spec.version_name,
          DisplayName: spec.display_name,
          Requires: requiresInput(spec.requires),
          Attachments: attachmentsInput(spec.attachments),
          Tags: tags.length > 0 ? tags : undefined,
        }),
      ),
    call,
  );
  let description = out.DocumentDescription;
  let permissions: string[] = [];
  await withPartialState(
    ctx,
    spec,
    async () => {
      if (description === undefined || SETTLING.has(description.Status ?? ""))
        description = await settle(ctx, spec.name, "CreateDocument", call);
      if ((spec.permissions ?? []).length > 0) {
        await applyPermissions(ctx, spec.name, [], spec.permissions ?? [], call);
        permissions = (await readPermissions(ctx, spec.name, call)) ?? [];
      }
    },
    call,
  );
  const created = defined(description, "the created document's description");
  const state = await toDocumentState(ctx, { ...created, Tags: created.Tags ?? tags }, spec.content, permissions);
  if (spec.attachments !== undefined) state.attachments = spec.attachments;
  return state;
}

export interface DocumentUpdateResult {
  state: DocumentState;
  /** The version UpdateDocument added, if it added one. */
  newVersion?: string;
  /**
   * False when SSM refused the new version as DuplicateDocumentContent: the content equals an
   * existing version, so there was nothing to add (that version is made the default if `promote`).
   */
  contentChanged: boolean;
}

/** True when the attributes that live on a document version differ (compared as sent). */
export function needsNewVersion(prior: RecordedDocument, desired: DocumentSpec): boolean {
  return (
    prior.content !== desired.content ||
    prior.format !== (desired.format ?? DEFAULT_DOCUMENT_FORMAT) ||
    (desired.display_name !== undefined && prior.display_name !== desired.display_name) ||
    (desired.version_name !== undefined && prior.version_name !== desired.version_name) ||
    (desired.target_type !== undefined && prior.target_type !== desired.target_type) ||
    (desired.attachments !== undefined &&
      JSON.stringify(prior.attachments ?? []) !== JSON.stringify(desired.attachments))
  );
}

/**
 * Bring an existing document from `prior` (as last read) to `desired`: a new version when a
 * version attribute changed (content is compared as a string — the planner compares by meaning
 * and passes the prior content when the meaning is unchanged), promotion, sharing, tags.
 * Name, type and requires cannot change here (see documentAttributeRules: they replace).
 */
export async function updateDocument(
  ctx: ProviderContext,
  prior: RecordedDocument,
  desired: DocumentSpec,
  call?: CallOptions,
): Promise<DocumentUpdateResult> {
  const name = prior.name;
  const promote = desired.promote ?? true;
  let newVersion: string | undefined;
  let existing: string | undefined;
  let contentChanged = false;
  let updateStatus: string | undefined;
  if (needsNewVersion(prior, desired)) {
    try {
      const out = await ctx.send<UpdateDocumentCommandOutput>(
        "UpdateDocument",
        name,
        (sdk) =>
          new sdk.UpdateDocumentCommand(
            compact({
              Name: name,
              Content: desired.content,
              DocumentVersion: "$LATEST",
              DocumentFormat: (desired.format ?? DEFAULT_DOCUMENT_FORMAT) as never,
              TargetType: desired.target_type,
              VersionName: desired.version_name,
              DisplayName: desired.display_name,
              Attachments: attachmentsInput(desired.attachments),
            }),
          ),
        call,
      );
      newVersion = out.DocumentDescription?.DocumentVersion;
      updateStatus = out.DocumentDescription?.Status;
      contentChanged = true;
    } catch (error) {
      if (hasCode(error, "DuplicateDocumentVersionName") && desired.version_name !== undefined) {
        // The version the configuration declares exists already (someone promoted another one,
        // or promote was off when it was added): make it the default instead of adding it again.
        existing = await findVersionNamed(ctx, name, desired.version_name, desired.content, call);
        if (existing === undefined) throw error;
      } else if (!hasCode(error, "DuplicateDocumentContent")) throw error;
    }
  }
  const result = await finishing(
    ctx,
    { ...desired, name, promote },
    async () => {
      if (newVersion !== undefined && SETTLING.has(updateStatus ?? "Updating"))
        await settle(ctx, name, "UpdateDocument", call);
      let toPromote = newVersion ?? existing;
      // promote turned on: the version the prior attributes describe (the latest, read while
      // promote was off) is the declared one; make it the default.
      if (
        toPromote === undefined &&
        promote &&
        prior.promote === false &&
        prior.document_version !== undefined &&
        prior.document_version !== prior.default_version &&
        !needsNewVersion(prior, desired)
      ) {
        toPromote = prior.document_version;
      }
      if (!contentChanged && promote && prior.content !== desired.content) {
        toPromote = await findVersionWithContent(ctx, name, desired.content, call);
      }
      if (promote && toPromote !== undefined && toPromote !== prior.default_version) {
        await setDefaultVersion(ctx, name, toPromote, call);
      }
      await applyPermissions(ctx, name, prior.permissions ?? [], desired.permissions ?? [], call);
      await applyTagDiff(ctx, "Document", name, prior.tags ?? {}, desired.tags ?? {}, call);
    },
    call,
  );
  return { state: result, ...(newVersion !== undefined ? { newVersion } : {}), contentChanged };
}

export async function setDefaultVersion(
  ctx: ProviderContext,
  name: string,
  version: string,
  call?: CallOptions,
): Promise<void> {
  await ctx.send(
    "UpdateDocumentDefaultVersion",
    name,
    (sdk) => new sdk.UpdateDocumentDefaultVersionCommand({ Name: name, DocumentVersion: version }),
    call,
  );
}

/** The newest version whose stored content hashes like `content` (SSM's Sha256 hash). */
async function findVersionWithContent(
  ctx: ProviderContext,
  name: string,
  content: string,
  call?: CallOptions,
): Promise<string | undefined> {
  const wanted = createHash("sha256").update(content).digest("hex");
  const versions: string[] = [];
  for await (const page of documentVersionPages(ctx, name, call))
    for (const v of page) if (v.DocumentVersion !== undefined) versions.push(v.DocumentVersion);
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const out = await ctx.send<DescribeDocumentCommandOutput>(
      "DescribeDocument",
      name,
      (sdk) => new sdk.DescribeDocumentCommand({ Name: name, DocumentVersion: version }),
      call,
    );
    if (out.Document?.Hash === wanted) return version;
  }
  return undefined;
}

/** The version named `versionName`, if its content is `content` (SSM's Sha256 hash); undefined otherwise. */
async function findVersionNamed(
  ctx: ProviderContext,
  name: string,
  versionName: string,
  content: string,
  call?: CallOptions,
): Promise<string | undefined> {
  for await (const page of documentVersionPages(ctx, name, call)) {
    const found = page.find((v) => v.VersionName === versionName);
    if (found?.DocumentVersion !== undefined) {
      const version = found.DocumentVersion;
      const out = await ctx.send<DescribeDocumentCommandOutput>(
        "DescribeDocument",
        name,
        (sdk) => new sdk.DescribeDocumentCommand({ Name: name, DocumentVersion: version }),
        call,
      );
      return out.Document?.Hash === createHash("sha256").update(content).digest("hex") ? version : undefined;
    }
  }
  return undefined;
}

/** The document's versions, a page (ListDocumentVersions, 50) at a time, so a search can stop early. */
async function* documentVersionPages(
  ctx: ProviderContext,
  name: string,
  call?: CallOptions,
): AsyncGenerator<DocumentVersionInfo[]> {
  let token: string | undefined;
  do {
    const next = token;
    const page = await ctx.send<ListDocumentVersionsCommandOutput>(
      "ListDocumentVersions",
      name,
      (sdk) =>
        new sdk.ListDocumentVersionsCommand({
          Name: name,
          MaxResults: 50,
          ...(next !== undefined ? { NextToken: next } : {}),
        }),
      call,
    );
    yield page.DocumentVersions ?? [];
    token = page.NextToken !== undefined && page.NextToken !== "" ? page.NextToken : undefined;
  } while (token !== undefined);
}

/** Whether SSM has version `version` of the document `name` (DescribeDocument); false when either is missing. */
export async function documentVersionExists(
  ctx: ProviderContext,
  name: string,
  version: string,
  call?: CallOptions,
): Promise<boolean> {
  try {
    const out = await ctx.send<DescribeDocumentCommandOutput>(
      "DescribeDocument",
      name,
      (sdk) => new sdk.DescribeDocumentCommand({ Name: name, DocumentVersion: version }),
      call,
    );
    return out.Document !== undefined;
  } catch (error) {
    if (hasCode(error, "InvalidDocument") || hasCode(error, "InvalidDocumentVersion")) return false;
    throw error;
  }
}

/**
 * Remove all sharing (SSM refuses to delete a shared document), then delete every version and
 * wait until the name is free again, so a replacement can be created straight after.
 * Returns false when there was nothing to delete.
 */
export async function deleteDocument(ctx: ProviderContext, name: string, call?: CallOptions): Promise<boolean> {
  const permissions = await readPermissions(ctx, name, call);
  if (permissions === undefined) return false;
  await applyPermissions(ctx, name, permissions, [], call);
  try {
    await ctx.send("DeleteDocument", name, (sdk) => new sdk.DeleteDocumentCommand({ Name: name }), call);
  } catch (error) {
    if (hasCode(error, "InvalidDocument")) return false;
    throw error;
  }
  const seconds = ctx.options.documentSettleSeconds ?? 120;
  const gone = await ctx.poll(
    seconds,
    async () => {
      try {
        await ctx.send("DescribeDocument", name, (sdk) => new sdk.DescribeDocumentCommand({ Name: name }), call);
        return undefined;
      } catch (error) {
        if (hasCode(error, "InvalidDocument")) return true;
        throw error;
      }
    },
    call,
  );
  if (gone === undefined) {
    throw new ProviderError({
      operation: "DeleteDocument",
      code: "DocumentStillDeleting",
      message: `document still exists ${seconds} s after DeleteDocument`,
      fault: "server",
      id: name,
    });
  }
  return true;
}

/**
 * Wait until the document's latest version has left Creating/Updating (the write's answer said
 * so: the first look comes after a first wait, not at once); fail on Failed. Returns the
 * description of the settled version.
 */
async function settle(
  ctx: ProviderContext,
  name: string,
  operation: string,
  call?: CallOptions,
): Promise<DocumentDescription> {
  const seconds = ctx.options.documentSettleSeconds ?? 120;
  const final = await ctx.poll(
    seconds,
    async () => {
      const out = await ctx.send<DescribeDocumentCommandOutput>(
        "DescribeDocument",
        name,
        (sdk) => new sdk.DescribeDocumentCommand({ Name: name, DocumentVersion: "$LATEST" }),
        call,
      );
      const status = out.Document?.Status ?? "Active";
      return SETTLING.has(status) ? undefined : (out.Document ?? {});
    },
    call,
    { waitFirst: true },
  );
  if (final === undefined) {
    throw new ProviderError({
      operation,
      code: "DocumentNotActive",
      message: `document still processing ${seconds} s after ${operation}`,
      fault: "server",
      id: name,
    });
  }
  if (final.Status === "Failed") {
    throw new ProviderError({
      operation,
      code: "DocumentFailed",
      message: final.StatusInformation ?? "SSM reported status Failed for the new version",
      fault: "client",
      id: name,
    });
  }
  return final;
}

/**
 * Run the steps that follow a successful write. If a step fails, the error carries the state
 * that really exists (best effort), so apply can still record it.
 */
async function withPartialState(
  ctx: ProviderContext,
  spec: DocumentSpec,
  steps: () => Promise<void>,
  call?: CallOptions,
): Promise<void> {
  try {
    await steps();
  } catch (error) {
    if (error instanceof ProviderError && error.partialState === undefined) {
      const readOptions = {
        promote: spec.promote ?? true,
        ...(call?.signal !== undefined ? { signal: call.signal } : {}),
      };
      try {
        const partial = await readDocument(ctx, spec.name, readOptions);
        if (partial !== undefined) {
          if (spec.attachments !== undefined) partial.attachments = spec.attachments;
          error.partialState = partial;
        }
      } catch {
        // The original error matters more than a failed re-read.
      }
    }
    throw error;
  }
}

/** Run the steps that follow a successful write (see withPartialState), then read the result back. */
async function finishing(
  ctx: ProviderContext,
  spec: DocumentSpec,
  steps: () => Promise<void>,
  call?: CallOptions,
): Promise<DocumentState> {
  await withPartialState(ctx, spec, steps, call);
  const readOptions = { promote: spec.promote ?? true, ...(call?.signal !== undefined ? { signal: call.signal } : {}) };
  const state = await readDocument(ctx, spec.name, readOptions);
  if (state === undefined) {
    throw new ProviderError({
      operation: "DescribeDocument",
      code: "InvalidDocument",
      message: "the document disappeared right after it was written",
      fault: "client",
      id: spec.name,
    });
  }
  if (spec.attachments !== undefined) state.attachments = spec.attachments;
  return state;
}

export interface ListDocumentsFilter {
  /** Self (default: only documents this account owns), Amazon, Private, Public, ThirdParty, or "any". */
  owner?: "Self" | "Amazon" | "Private" | "Public" | "ThirdParty" | "any";
  /** Name prefix. */
  name_prefix?: string;
  type?: string;
}

/** Documents (default: this account's own), paging through ListDocuments 50 at a time. */
export async function listDocuments(
  ctx: ProviderContext,
  filter: ListDocumentsFilter = {},
): Promise<DocumentSummary[]> {
  const { paginateListDocuments } = await ctx.sdk();
  const filters: { Key: string; Values: string[] }[] = [];
  const owner = filter.owner ?? "Self";
  if (owner !== "any") filters.push({ Key: "Owner", Values: [owner] });
  if (filter.name_prefix !== undefined) filters.push({ Key: "Name", Values: [filter.name_prefix] });
  if (filter.type !== undefined) filters.push({ Key: "DocumentType", Values: [filter.type] });
  const out: DocumentSummary[] = [];
  try {
    for await (const page of paginateListDocuments(
      { client: ctx.client, pageSize: 50 },
      filters.length > 0 ? { Filters: filters } : {},
    )) {
      for (const d of page.DocumentIdentifiers ?? []) {
        out.push(
          compact<DocumentSummary>({
            name: d.Name ?? "",
            owner: d.Owner,
            document_version: d.DocumentVersion,
            version_name: d.VersionName,
            display_name: d.DisplayName,
            type: d.DocumentType,
            format: d.DocumentFormat,
            schema_version: d.SchemaVersion,
            target_type: d.TargetType,
            platform_types: [...(d.PlatformTypes ?? [])],
            tags: tagsFromList(d.Tags),
            created_date: d.CreatedDate?.toISOString(),
          }),
        );
      }
    }
  } catch (error) {
    throw ctx.wrap(error, "ListDocuments", undefined);
  }
  return out;
}
