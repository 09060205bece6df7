/**
 * Documents: CreateDocument, GetDocument, DescribeDocument, UpdateDocument,
 * UpdateDocumentDefaultVersion, DeleteDocument, ListDocuments, ListDocumentVersions,
 * DescribeDocumentPermission and ModifyDocumentPermission, following ../shared/ssm-api-spec.md §2.
 *
 * Own documents live in the store (section "documents"); AWS-owned ones come from the catalog in
 * src/ssm and are read-only. Other areas use `findDocument`/`resolveDocumentVersion` to look
 * documents up (associations check a document and its parameters this way).
 */
import { createHash } from "node:crypto";
import { defined } from "../diag/index.js";
import {
  AWS_OWNED_DOCUMENTS,
  DOCUMENT_TYPES,
  DocumentContentError,
  analyzeDocument,
  convertContent,
  describeParameters,
  parseDocumentContent,
  type DocumentFormat,
  type ParameterDeclaration,
  type PlatformType,
} from "../ssm/index.js";
import { SsmError, ErrorCode } from "./errors.js";
import { check, type Checker } from "./validate.js";
import { checkPaging, paginate } from "./paging.js";
import { addTags, checkTagList, deleteAllTags, getTags, rejectReservedTagKeys } from "./tags.js";
import { nameMap, removeKey, wireTime, type Area, type EndpointCore } from "./core.js";

// ---- shapes and limits (spec §0, §1) ----
export const DOCUMENT_NAME_PATTERN = "^[a-zA-Z0-9_\\-.]{3,128}$";
export const DOCUMENT_ARN_PATTERN = "^[a-zA-Z0-9_\\-.:/]{3,128}$";
export const DOCUMENT_VERSION_PATTERN = "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)";
export const DOCUMENT_VERSION_NUMBER_PATTERN = "(^[1-9][0-9]*$)";
export const VERSION_NAME_PATTERN = "^[a-zA-Z0-9_\\-.]{1,128}$";
const DISPLAY_NAME_PATTERN = "^[\\w\\.\\-\\:\\/ ]*$";
const TARGET_TYPE_PATTERN = "^\\/[\\w\\.\\-\\:\\/]*$";
export const DOCUMENT_FORMATS = ["YAML", "JSON", "TEXT"] as const;
const RESERVED_PREFIXES = ["aws", "amazon", "amzn", "awsec2", "awsconfigremediation", "awssupport"];
const MAX_CONTENT_BYTES = 64 * 1024;
const TEXT_FORMAT_TYPES = new Set(["ChangeCalendar", "ApplicationConfiguration", "ApplicationConfigurationSchema"]);

// ---- stored model ----
export interface StoredDocumentVersion {
  version: string;
  content: string;
  format: DocumentFormat;
  documentType: string;
  schemaVersion: string;
  hash: string;
  description?: string;
  declarations: Record<string, ParameterDeclaration>;
  platformTypes: PlatformType[];
  versionName?: string;
  displayName?: string;
  targetType?: string;
  requires?: unknown[];
  attachments?: unknown[];
  createdAt: number;
  /** Until this time (ms) the version reports Creating/Updating instead of Active. */
  activeAt: number;
  /** How this version came to be: its first status. */
  initialStatus: "Creating" | "Updating";
}

export interface SharePermission {
  accountId: string;
  sharedVersion: string;
  addedAt: number;
}

export interface StoredDocument {
  name: string;
  owner: string;
  versions: Record<string, StoredDocumentVersion>;
  defaultVersion: string;
  latestVersion: string;
  permissions: SharePermission[];
  /** True for AWS-owned documents (never stored, never changed). */
  awsOwned?: boolean;
}

interface DocumentsSection {
  byName: Record<string, StoredDocument>;
}

function section(core: EndpointCore): DocumentsSection {
  const s = core.store.section<DocumentsSection>("documents", () => ({ byName: nameMap() }));
  // Loaded from disk, the map is an ordinary object again: make it prototype-free once.
  if (Object.getPrototypeOf(s.byName) !== null) s.byName = nameMap(s.byName);
  return s;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

let awsOwnedCache: Map<string, StoredDocument> | undefined;

/** AWS-owned documents as stored documents (built once from the catalog). */
function awsOwnedDocuments(): Map<string, StoredDocument> {
  if (awsOwnedCache) return awsOwnedCache;
  awsOwnedCache = new Map();
  for (const entry of AWS_OWNED_DOCUMENTS) {
    const content = JSON.stringify(entry.content, null, 2);
    const analysis = analyzeDocument(entry.content, entry.documentType);
    const createdAt = Date.parse(entry.createdDate);
    awsOwnedCache.set(entry.name, {
      name: entry.name,
      owner: "Amazon",
      awsOwned: true,
      defaultVersion: "1",
      latestVersion: "1",
      permissions: [],
      versions: {
        "1": {
          version: "1",
          content,
          format: "JSON",
          documentType: entry.documentType,
          schemaVersion: analysis.schemaVersion,
          hash: sha256(content),
          ...(analysis.description !== undefined ? { description: analysis.description } : {}),
          declarations: analysis.parameters,
          platformTypes: entry.platformTypes ?? analysis.platformTypes,
          createdAt,
          activeAt: createdAt,
          initialStatus: "Creating",
        },
      },
    });
  }
  return awsOwnedCache;
}

/** `arn:aws:ssm:region:account:document/Name` (or a plain name) → the document name. */
export function documentNameFromArn(nameOrArn: string): string {
  if (nameOrArn.startsWith("arn:")) {
    const at = nameOrArn.indexOf(":document/");
    if (at >= 0) return nameOrArn.slice(at + ":document/".length);
  }
  return nameOrArn;
}

/** A document by name or ARN (own or AWS-owned), or undefined. */
export function findDocument(core: EndpointCore, nameOrArn: string): StoredDocument | undefined {
  const name = documentNameFromArn(nameOrArn);
  return section(core).byName[name] ?? awsOwnedDocuments().get(name);
}

function noSuchDocument(): SsmError {
  return new SsmError(ErrorCode.InvalidDocument, "No matching value was found for Name.");
}

/** The document or InvalidDocument. */
export function requireDocument(core: EndpointCore, nameOrArn: string): StoredDocument {
  const doc = findDocument(core, nameOrArn);
  if (!doc) throw noSuchDocument();
  return doc;
}

function badVersion(): SsmError {
  return new SsmError(ErrorCode.InvalidDocumentVersion, "The document version is not valid or does not exist.");
}

/**
 * `$LATEST`, `$DEFAULT` (or nothing), a number, or a VersionName; both given must agree.
 * InvalidDocumentVersion when nothing matches.
 */
export function resolveDocumentVersion(
  doc: StoredDocument,
  documentVersion?: string,
  versionName?: string,
): StoredDocumentVersion {
  let found: StoredDocumentVersion | undefined;
  if (documentVersion === "$LATEST") found = doc.versions[doc.latestVersion];
  else if (documentVersion === "$DEFAULT" || (documentVersion === undefined && versionName === undefined))
    found = doc.versions[doc.defaultVersion];
  else if (documentVersion !== undefined) found = doc.versions[documentVersion];
  else found = Object.values(doc.versions).find((v) => v.versionName === versionName);
  if (!found || (versionName !== undefined && found.versionName !== versionName)) throw badVersion();
  return found;
}

function statusOf(core: EndpointCore, v: StoredDocumentVersion): string {
  return core.clock.now() >= v.activeAt ? "Active" : v.initialStatus;
}

function contentError(e: unknown): never {
  if (e instanceof DocumentContentError) throw new SsmError(e.code, e.message);
  throw e;
}

/** Parses and checks content for a document type; returns the per-version derived fields. */
function analyzeContent(core: EndpointCore, content: string, format: DocumentFormat, documentType: string) {
  if (Buffer.byteLength(content, "utf8") > MAX_CONTENT_BYTES)
    throw new SsmError(
      ErrorCode.MaxDocumentSizeExceeded,
      `The content of the document exceeds the maximum size of ${MAX_CONTENT_BYTES / 1024} KB.`,
    );
  if (format === "TEXT") {
    if (!TEXT_FORMAT_TYPES.has(documentType))
      throw new SsmError(
        ErrorCode.InvalidDocumentContent,
        `Document format TEXT is not supported for documents of type ${documentType}.`,
      );
    return { schemaVersion: "", declarations: {}, platformTypes: [] as PlatformType[] };
  }
  try {
    const body = defined(parseDocumentContent(content, format), "the parsed content of a JSON or YAML document");
    const analysis = analyzeDocument(body, documentType, {
      strictCommandParameterTypes: core.settings.strictCommandParameterTypes,
    });
    return {
      schemaVersion: analysis.schemaVersion,
      ...(analysis.description !== undefined ? { description: analysis.description } : {}),
      declarations: analysis.parameters,
      platformTypes: analysis.platformTypes,
    };
  } catch (e) {
    return contentError(e);
  }
}

/**
 * An attachment's name: the one the request gave, else the file name its source ends with (an
 * S3 or https URL, or an AttachmentReference such as `OtherDoc/3/tool.py`), as SSM names the
 * files it copies.
 */
function attachmentName(attachment: unknown): string | undefined {
  const a = attachment as { Name?: string; Values?: string[] };
  if (a.Name !== undefined) return a.Name;
  const source = a.Values?.[0];
  if (source === undefined) return undefined;
  const path = source.replace(/[?#].*$/, "").replace(/\/+$/, "");
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name === "") return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

// ---- wire views ----
function describe(
  core: EndpointCore,
  doc: StoredDocument,
  v: StoredDocumentVersion,
  status?: string,
): Record<string, unknown> {
  const parameters = describeParameters(v.declarations);
  return {
    Hash: v.hash,
    HashType: "Sha256",
    Name: doc.name,
    ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
    ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
    Owner: doc.owner,
    CreatedDate: wireTime(v.createdAt),
    Status: status ?? statusOf(core, v),
    DocumentVersion: v.version,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(parameters.length > 0 ? { Parameters: parameters } : {}),
    PlatformTypes: v.platformTypes,
    DocumentType: v.documentType,
    ...(v.schemaVersion !== "" ? { SchemaVersion: v.schemaVersion } : {}),
    LatestVersion: doc.latestVersion,
    DefaultVersion: doc.defaultVersion,
    DocumentFormat: v.format,
    ...(v.targetType !== undefined ? { TargetType: v.targetType } : {}),
    Tags: doc.awsOwned ? [] : getTags(core, "Document", doc.name),
    ...(v.attachments !== undefined
      ? { AttachmentsInformation: v.attachments.map((a) => ({ Name: attachmentName(a) })) }
      : {}),
    ...(v.requires !== undefined ? { Requires: v.requires } : {}),
  };
}

function identifier(core: EndpointCore, doc: StoredDocument): Record<string, unknown> {
  const v = defaultVersionOf(doc);
  return {
    Name: doc.name,
    CreatedDate: wireTime(v.createdAt),
    ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
    Owner: doc.owner,
    ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
    PlatformTypes: v.platformTypes,
    DocumentVersion: v.version,
    DocumentType: v.documentType,
    ...(v.schemaVersion !== "" ? { SchemaVersion: v.schemaVersion } : {}),
    DocumentFormat: v.format,
    ...(v.targetType !== undefined ? { TargetType: v.targetType } : {}),
    Tags: doc.awsOwned ? [] : getTags(core, "Document", doc.name),
    ...(v.requires !== undefined ? { Requires: v.requires } : {}),
  };
}

// ---- request checks shared by several operations ----
function checkRequires(c: Checker): unknown[] | undefined {
  const list = c.list("Requires", { min: 1 });
  list?.forEach((raw, i) => {
    if (typeof raw !== "object" || raw === null)
      throw new SsmError(ErrorCode.Serialization, "Requires members must be structures");
    const r = c.nested(`requires.${i + 1}.member`, raw);
    r.string("Name", { required: true, pattern: DOCUMENT_ARN_PATTERN });
    r.string("Version", { max: 8, pattern: "([$]LATEST|[$]DEFAULT|[$]ALL)|^[1-9][0-9]*$" });
    r.string("VersionName", { pattern: VERSION_NAME_PATTERN });
  });
  return list;
}

function checkAttachments(c: Checker): unknown[] | undefined {
  const list = c.list("Attachments", { min: 0, max: 20 });
  list?.forEach((raw, i) => {
    if (typeof raw !== "object" || raw === null)
      throw new SsmError(ErrorCode.Serialization, "Attachments members must be structures");
    const a = c.nested(`attachments.${i + 1}.member`, raw);
    a.string("Key", { enum: ["SourceUrl", "S3FileUrl", "AttachmentReference"] });
    a.stringList("Values", { min: 1, max: 1, item: { min: 1, max: 1024 } });
    a.string("Name", { pattern: "^[a-zA-Z0-9_\\-.]{3,128}$" });
  });
  return list;
}

function checkReservedName(name: string): void {
  const lower = name.toLowerCase();
  if (RESERVED_PREFIXES.some((p) => lower.startsWith(p)))
    throw new SsmError(
      ErrorCode.Validation,
      `Invalid document name ${name}: document names may not start with aws, amazon, amzn, AWSEC2, AWSConfigRemediation or AWSSupport.`,
    );
}

function ownDocument(core: EndpointCore, name: string, action: string): StoredDocument {
  const doc = requireDocument(core, name);
  if (doc.awsOwned)
    throw new SsmError(ErrorCode.InvalidDocumentOperation, `${doc.name} is owned by Amazon; it cannot be ${action}.`);
  return doc;
}

function nextVersionNumber(doc: StoredDocument): string {
  return String(Math.max(...Object.keys(doc.versions).map(Number), 0) + 1);
}

/** A document's default version (every stored document has the version its default names). */
function defaultVersionOf(doc: StoredDocument): StoredDocumentVersion {
  return defined(doc.versions[doc.defaultVersion], `the default version of document ${doc.name}`);
}

// ---- list filters (spec §2.8) ----
const OWNER_VALUES = ["Self", "Amazon", "Private", "Public", "ThirdParty"];

function matchesFilter(core: EndpointCore, doc: StoredDocument, key: string, values: string[]): boolean {
  const v = defaultVersionOf(doc);
  switch (key) {
    case "Name":
      return values.some((value) => doc.name.startsWith(value));
    case "Owner": {
      const [owner] = values;
      if (values.length !== 1 || owner === undefined || !OWNER_VALUES.includes(owner))
        throw new SsmError(ErrorCode.Validation, `The Owner filter takes exactly one of ${OWNER_VALUES.join(", ")}.`);
      switch (owner) {
        case "Self":
        case "Private":
          return !doc.awsOwned;
        case "Amazon":
          return doc.awsOwned === true;
        case "Public":
          return doc.permissions.some((p) => p.accountId.toLowerCase() === "all");
        default:
          return false;
      }
    }
    case "DocumentType":
      return values.includes(v.documentType);
    case "PlatformTypes":
      return values.some((p) => v.platformTypes.includes(p as PlatformType));
    case "TargetType":
      return v.targetType !== undefined && values.includes(v.targetType);
    default: {
      if (key.startsWith("tag:")) {
        const tagKey = key.slice(4);
        return getTags(core, "Document", doc.name).some((t) => t.Key === tagKey && values.includes(t.Value));
      }
      throw new SsmError(ErrorCode.InvalidFilterKey, `The filter key ${key} is not valid.`);
    }
  }
}

const LEGACY_FILTER_KEYS: Record<string, string> = {
  Name: "Name",
  Owner: "Owner",
  PlatformTypes: "PlatformTypes",
  DocumentType: "DocumentType",
};

// ---- operations ----
export const documentsArea: Area = {
  name: "documents",

  setup(core) {
    core.hooks.tagResourceTypes.set("Document", {
      resolve: (c, id) => {
        const doc = section(c).byName[id];
        return doc ? doc.name : undefined;
      },
    });
  },

  operations: {
    CreateDocument(input, ctx) {
      const req = check(input, (c) => ({
        content: c.requiredString("Content", { min: 1, sensitive: true }),
        name: c.requiredString("Name", { pattern: DOCUMENT_NAME_PATTERN }),
        requires: checkRequires(c),
        attachments: checkAttachments(c),
        displayName: c.string("DisplayName", { max: 1024, pattern: DISPLAY_NAME_PATTERN }),
        versionName: c.string("VersionName", { pattern: VERSION_NAME_PATTERN }),
        documentType: c.string("DocumentType", { enum: DOCUMENT_TYPES }) ?? "Command",
        format: (c.string("DocumentFormat", { enum: DOCUMENT_FORMATS }) ?? "JSON") as DocumentFormat,
        targetType: c.string("TargetType", { max: 200, pattern: TARGET_TYPE_PATTERN }),
        tags: checkTagList(c, "Tags"),
      }));
      const name = req.name;
      checkReservedName(name);
      const docs = section(ctx).byName;
      if (docs[name])
        throw new SsmError(ErrorCode.DocumentAlreadyExists, `Document with same name ${name} already exists`);
      if (req.tags) rejectReservedTagKeys(req.tags);
      const derived = analyzeContent(ctx, req.content, req.format, req.documentType);
      if (Object.keys(docs).length >= ctx.settings.limits.documents)
        throw new SsmError(
          ErrorCode.DocumentLimitExceeded,
          `You can have at most ${ctx.settings.limits.documents} documents.`,
        );
      if (req.tags && req.tags.length > 50)
        throw new SsmError(
          ErrorCode.TooManyTagsError,
          "The Targets parameter includes too many tags. Remove one or more tags and try the command again.",
        );
      const now = ctx.clock.now();
      const version: StoredDocumentVersion = {
        version: "1",
        content: req.content,
        format: req.format,
        documentType: req.documentType,
        hash: sha256(req.content),
        ...derived,
        ...(req.versionName !== undefined ? { versionName: req.versionName } : {}),
        ...(req.displayName !== undefined ? { displayName: req.displayName } : {}),
        ...(req.targetType !== undefined ? { targetType: req.targetType } : {}),
        ...(req.requires !== undefined ? { requires: req.requires } : {}),
        ...(req.attachments !== undefined ? { attachments: req.attachments } : {}),
        createdAt: now,
        activeAt: now + ctx.settings.documentActivationDelayMs,
        initialStatus: "Creating",
      };
      const doc: StoredDocument = {
        name,
        owner: ctx.settings.accountId,
        versions: { "1": version },
        defaultVersion: "1",
        latestVersion: "1",
        permissions: [],
      };
      docs[name] = doc;
      ctx.changed("documents", "byName", name);
      if (req.tags && req.tags.length > 0) addTags(ctx, "Document", name, req.tags);
      return { DocumentDescription: describe(ctx, doc, version, "Creating") };
    },

    GetDocument(input, ctx) {
      const req = check(input, (c) => ({
        name: c.requiredString("Name", { pattern: DOCUMENT_ARN_PATTERN }),
        versionName: c.string("VersionName", { pattern: VERSION_NAME_PATTERN }),
        documentVersion: c.string("DocumentVersion", { pattern: DOCUMENT_VERSION_PATTERN }),
        format: c.string("DocumentFormat", { enum: DOCUMENT_FORMATS }) as DocumentFormat | undefined,
      }));
      const doc = requireDocument(ctx, req.name);
      const v = resolveDocumentVersion(doc, req.documentVersion, req.versionName);
      let content = v.content;
      // JSON is the default (API reference; moto agrees): a client that wants a YAML document's
      // stored text asks for YAML. TEXT content has no JSON form, so it comes back as it is.
      const format = req.format ?? (v.format === "TEXT" ? "TEXT" : "JSON");
      if (format !== v.format) {
        if (format === "TEXT" || v.format === "TEXT")
          throw new SsmError(
            ErrorCode.Validation,
            `The document content cannot be converted from ${v.format} to ${format}.`,
          );
        content = convertContent(
          defined(parseDocumentContent(v.content, v.format), "the parsed content of a JSON or YAML document"),
          format,
        );
      }
      return {
        Name: doc.name,
        CreatedDate: wireTime(v.createdAt),
        ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
        ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
        DocumentVersion: v.version,
        Status: statusOf(ctx, v),
        Content: content,
        DocumentType: v.documentType,
        DocumentFormat: format,
        ...(v.requires !== undefined ? { Requires: v.requires } : {}),
        ...(v.attachments !== undefined ? { AttachmentsContent: [] } : {}),
      };
    },

    DescribeDocument(input, ctx) {
      const req = check(input, (c) => ({
        name: c.requiredString("Name", { pattern: DOCUMENT_ARN_PATTERN }),
        documentVersion: c.string("DocumentVersion", { pattern: DOCUMENT_VERSION_PATTERN }),
        versionName: c.string("VersionName", { pattern: VERSION_NAME_PATTERN }),
      }));
      const doc = requireDocument(ctx, req.name);
      return { Document: describe(ctx, doc, resolveDocumentVersion(doc, req.documentVersion, req.versionName)) };
    },

    UpdateDocument(input, ctx) {
      const req = check(input, (c) => ({
        content: c.requiredString("Content", { min: 1, sensitive: true }),
        name: c.requiredString("Name", { pattern: DOCUMENT_NAME_PATTERN }),
        attachments: checkAttachments(c),
        displayName: c.string("DisplayName", { max: 1024, pattern: DISPLAY_NAME_PATTERN }),
        versionName: c.string("VersionName", { pattern: VERSION_NAME_PATTERN }),
        documentVersion: c.string("DocumentVersion", { pattern: DOCUMENT_VERSION_PATTERN }),
        format: (c.string("DocumentFormat", { enum: DOCUMENT_FORMATS }) ?? "JSON") as DocumentFormat,
        targetType: c.string("TargetType", { max: 200, pattern: TARGET_TYPE_PATTERN }),
      }));
      const doc = requireDocument(ctx, req.name);
      if (doc.awsOwned)
        throw new SsmError(ErrorCode.InvalidDocument, `${doc.name} is owned by Amazon and cannot be updated.`);
      const requested = req.documentVersion ?? "$LATEST";
      if (requested !== "$LATEST" && requested !== doc.latestVersion) throw badVersion();
      const latest = defined(doc.versions[doc.latestVersion], `the latest version of document ${doc.name}`);
      if (latest.schemaVersion === "1.2")
        throw new SsmError(
          ErrorCode.InvalidDocumentSchemaVersion,
          "Documents with schema version 1.2 cannot be updated; create a new document instead.",
        );
      if (req.versionName !== undefined && Object.values(doc.versions).some((v) => v.versionName === req.versionName))
        throw new SsmError(ErrorCode.DuplicateDocumentVersionName, "The specified version name is a duplicate.");
      const derived = analyzeContent(ctx, req.content, req.format, latest.documentType);
      if (Object.values(doc.versions).some((v) => v.content === req.content))
        throw new SsmError(
          ErrorCode.DuplicateDocumentContent,
          "The content of the association document matches another document. Change the content of the document and try again.",
        );
      if (Object.keys(doc.versions).length >= ctx.settings.limits.documentVersions)
        throw new SsmError(
          ErrorCode.DocumentVersionLimitExceeded,
          `A document can have at most ${ctx.settings.limits.documentVersions} versions.`,
        );
      const now = ctx.clock.now();
      const number = nextVersionNumber(doc);
      const displayName = req.displayName ?? latest.displayName;
      const targetType = req.targetType ?? latest.targetType;
      const version: StoredDocumentVersion = {
        version: number,
        content: req.content,
        format: req.format,
        documentType: latest.documentType,
        hash: sha256(req.content),
        ...derived,
        ...(req.versionName !== undefined ? { versionName: req.versionName } : {}),
        ...(displayName !== undefined ? { displayName } : {}),
        ...(targetType !== undefined ? { targetType } : {}),
        ...(latest.requires !== undefined ? { requires: latest.requires } : {}),
        ...(req.attachments !== undefined ? { attachments: req.attachments } : {}),
        createdAt: now,
        activeAt: now + ctx.settings.documentActivationDelayMs,
        initialStatus: "Updating",
      };
      doc.versions[number] = version;
      doc.latestVersion = number;
      ctx.changed("documents", "byName", doc.name);
      return { DocumentDescription: describe(ctx, doc, version, "Updating") };
    },

    UpdateDocumentDefaultVersion(input, ctx) {
      const req = check(input, (c) => ({
        name: c.requiredString("Name", { pattern: DOCUMENT_NAME_PATTERN }),
        documentVersion: c.requiredString("DocumentVersion", { pattern: DOCUMENT_VERSION_NUMBER_PATTERN }),
      }));
      const doc = ownDocument(ctx, req.name, "changed");
      const v = doc.versions[req.documentVersion];
      if (!v) throw badVersion();
      if (v.schemaVersion === "1.2")
        throw new SsmError(
          ErrorCode.InvalidDocumentSchemaVersion,
          "Documents with schema version 1.2 do not support versions.",
        );
      const moved = doc.defaultVersion !== v.version;
      doc.defaultVersion = v.version;
      ctx.changed("documents", "byName", doc.name);
      if (moved) for (const hook of ctx.hooks.documentDefaultVersionChanged) hook(ctx, doc.name, v.version);
      return {
        Description: {
          Name: doc.name,
          DefaultVersion: v.version,
          ...(v.versionName !== undefined ? { DefaultVersionName: v.versionName } : {}),
        },
      };
    },

    DeleteDocument(input, ctx) {
      const req = check(input, (c) => ({
        name: c.requiredString("Name", { pattern: DOCUMENT_NAME_PATTERN }),
        documentVersion: c.string("DocumentVersion", { pattern: DOCUMENT_VERSION_PATTERN }),
        versionName: c.string("VersionName", { pattern: VERSION_NAME_PATTERN }),
        force: c.boolean("Force") ?? false,
      }));
      const doc = ownDocument(ctx, req.name, "deleted");
      if (doc.permissions.length > 0)
        throw new SsmError(
          ErrorCode.InvalidDocumentOperation,
          "You attempted to delete a document while it is still shared. You must stop sharing the document before you can delete it.",
        );
      if (defaultVersionOf(doc).documentType === "ApplicationConfigurationSchema" && !req.force)
        throw new SsmError(
          ErrorCode.InvalidDocumentOperation,
          "Deleting an ApplicationConfigurationSchema document requires Force.",
        );
      const docs = section(ctx).byName;
      if (req.documentVersion !== undefined || req.versionName !== undefined) {
        const v = resolveDocumentVersion(doc, req.documentVersion, req.versionName);
        if (Object.keys(doc.versions).length > 1) {
          if (v.version === doc.defaultVersion)
            throw new SsmError(ErrorCode.InvalidDocumentOperation, "Default version of the document can't be deleted.");
          removeKey(doc.versions, v.version);
          doc.latestVersion = String(Math.max(...Object.keys(doc.versions).map(Number)));
          ctx.changed("documents", "byName", doc.name);
          return {};
        }
      }
      const usage = ctx.hooks.documentUsage.map((ask) => ask(ctx, doc.name));
      const legacy = usage.flatMap((u) => u.legacyInstanceIds);
      const associations = usage.flatMap((u) => u.associationIds);
      if (legacy.length > 0 || (associations.length > 0 && ctx.settings.deleteDocumentInUse === "refuse"))
        throw new SsmError(
          ErrorCode.AssociatedInstances,
          "You must disassociate a document from all managed nodes before you can delete it.",
        );
      removeKey(docs, doc.name);
      deleteAllTags(ctx, "Document", doc.name);
      ctx.changed("documents", "byName", doc.name);
      for (const hook of ctx.hooks.documentDeleted) hook(ctx, doc.name);
      return {};
    },

    ListDocuments(input, ctx) {
      const req = check(input, (c) => {
        const legacy = c.list("DocumentFilterList", { min: 1 });
        legacy?.forEach((raw, i) => {
          const f = c.nested(`documentFilterList.${i + 1}.member`, raw);
          f.string("key", { required: true, enum: Object.keys(LEGACY_FILTER_KEYS) });
          f.string("value", { required: true, min: 1 });
        });
        const filters = c.list("Filters", { min: 0, max: 6 });
        filters?.forEach((raw, i) => {
          const f = c.nested(`filters.${i + 1}.member`, raw);
          f.string("Key", { min: 1, max: 128 });
          f.stringList("Values", { item: { min: 1, max: 256 } });
        });
        return {
          legacy: (legacy ?? []) as Array<{ key: string; value: string }>,
          filters: (filters ?? []) as Array<{ Key?: string; Values?: string[] }>,
          ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }),
        };
      });
      const conditions: Array<[string, string[]]> = [
        ...req.legacy.map((f): [string, string[]] => [f.key, [f.value]]),
        ...req.filters.map((f): [string, string[]] => [f.Key ?? "", f.Values ?? []]),
      ];
      // Legacy Name filters match exactly; the newer Filters' Name is a prefix (spec §2.8).
      const legacyNames = req.legacy.filter((f) => f.key === "Name").map((f) => f.value);
      const all = [...awsOwnedDocuments().values(), ...Object.values(section(ctx).byName)]
        .filter((doc) => legacyNames.every((n) => doc.name === n))
        .filter((doc) => conditions.every(([key, values]) => matchesFilter(ctx, doc, key, values)))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const page = paginate(ctx.operation, all, (d) => d.name, req.maxResults, req.nextToken);
      return {
        DocumentIdentifiers: page.items.map((d) => identifier(ctx, d)),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    ListDocumentVersions(input, ctx) {
      const req = check(input, (c) => ({
        name: c.requiredString("Name", { pattern: DOCUMENT_ARN_PATTERN }),
        ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }),
      }));
      const doc = requireDocument(ctx, req.name);
      const versions = Object.values(doc.versions).sort((a, b) => Number(a.version) - Number(b.version));
      const page = paginate(ctx.operation, versions, (v) => v.version, req.maxResults, req.nextToken);
      return {
        DocumentVersions: page.items.map((v) => ({
          Name: doc.name,
          ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
          DocumentVersion: v.version,
          ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
          CreatedDate: wireTime(v.createdAt),
          IsDefaultVersion: v.version === doc.defaultVersion,
          DocumentFormat: v.format,
          Status: statusOf(ctx, v),
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    DescribeDocumentPermission(input, ctx) {
      const req = check(input, (c) => ({
        name: c.requiredString("Name", { pattern: DOCUMENT_NAME_PATTERN }),
        permissionType: c.requiredString("PermissionType"),
        ...checkPaging(c, { defaultMax: 200, min: 1, max: 200 }),
      }));
      if (req.permissionType !== "Share")
        throw new SsmError(
          ErrorCode.InvalidPermissionType,
          "The permission type is not supported. Share is the only supported permission type.",
        );
      const doc = requireDocument(ctx, req.name);
      const page = paginate(ctx.operation, doc.permissions, (p) => p.accountId, req.maxResults, req.nextToken);
      return {
        AccountIds: page.items.map((p) => p.accountId),
        AccountSharingInfoList: page.items.map((p) => ({
          AccountId: p.accountId,
          SharedDocumentVersion: p.sharedVersion,
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    ModifyDocumentPermission(input, ctx) {
      const accountItem = { pattern: "(?i)all|[0-9]{12}" };
      const req = check(input, (c) => ({
        name: c.requiredString("Name", { pattern: DOCUMENT_NAME_PATTERN }),
        permissionType: c.requiredString("PermissionType"),
        add: c.stringList("AccountIdsToAdd", { max: 20, item: accountItem }) ?? [],
        remove: c.stringList("AccountIdsToRemove", { max: 20, item: accountItem }) ?? [],
        sharedVersion:
          c.string("SharedDocumentVersion", { max: 8, pattern: "([$]LATEST|[$]DEFAULT|[$]ALL)" }) ?? "$DEFAULT",
      }));
      if (req.permissionType !== "Share")
        throw new SsmError(
          ErrorCode.InvalidPermissionType,
          "The permission type is not supported. Share is the only supported permission type.",
        );
      const doc = ownDocument(ctx, req.name, "shared");
      const isAll = (id: string) => id.toLowerCase() === "all";
      for (const list of [req.add, req.remove])
        if (list.some(isAll) && list.some((id) => !isAll(id)))
          throw new SsmError(
            ErrorCode.DocumentPermissionLimit,
            "Accounts can either be all or a group of AWS accounts",
          );
      const now = ctx.clock.now();
      let permissions = [...doc.permissions];
      for (const id of req.add) {
        if (req.remove.some((r) => r.toLowerCase() === id.toLowerCase())) continue; // remove beats add
        const key = isAll(id) ? "all" : id;
        const existing = permissions.find((p) => p.accountId === key);
        if (existing) existing.sharedVersion = req.sharedVersion;
        else permissions.push({ accountId: key, sharedVersion: req.sharedVersion, addedAt: now });
      }
      permissions = permissions.filter(
        (p) => !req.remove.some((r) => (isAll(r) ? p.accountId === "all" : r === p.accountId)),
      );
      if (permissions.length > 1000)
        throw new SsmError(ErrorCode.DocumentPermissionLimit, "A document can be shared with at most 1000 accounts.");
      doc.permissions = permissions;
      ctx.changed("documents", "byName", doc.name);
      return {};
    },
  },
};
