/**
 * SSM errors as the wire carries them: a code (`__type`), a message and an HTTP status. Handlers
 * throw `SsmError`; the server turns it into the JSON body and headers the AWS SDKs read.
 */
export class SsmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** 400 for client faults; 500 for `InternalServerError` (a server fault). */
    readonly httpStatus: number = code === "InternalServerError" ? 500 : 400,
    /** Extra modeled members some errors carry (e.g. ThrottlingException's QuotaCode). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

// The codes statectl's endpoint emits, named once so a misspelt code fails to compile.
export const ErrorCode = {
  Validation: "ValidationException",
  Serialization: "SerializationException",
  UnknownOperation: "UnknownOperationException",
  Throttling: "ThrottlingException",
  InternalServerError: "InternalServerError",
  InvalidDocument: "InvalidDocument",
  InvalidDocumentContent: "InvalidDocumentContent",
  InvalidDocumentVersion: "InvalidDocumentVersion",
  InvalidDocumentOperation: "InvalidDocumentOperation",
  InvalidDocumentSchemaVersion: "InvalidDocumentSchemaVersion",
  DocumentAlreadyExists: "DocumentAlreadyExists",
  DuplicateDocumentContent: "DuplicateDocumentContent",
  DuplicateDocumentVersionName: "DuplicateDocumentVersionName",
  DocumentLimitExceeded: "DocumentLimitExceeded",
  DocumentVersionLimitExceeded: "DocumentVersionLimitExceeded",
  MaxDocumentSizeExceeded: "MaxDocumentSizeExceeded",
  DocumentPermissionLimit: "DocumentPermissionLimit",
  InvalidPermissionType: "InvalidPermissionType",
  AssociatedInstances: "AssociatedInstances",
  InvalidNextToken: "InvalidNextToken",
  InvalidFilterKey: "InvalidFilterKey",
  InvalidResourceId: "InvalidResourceId",
  InvalidResourceType: "InvalidResourceType",
  TooManyTagsError: "TooManyTagsError",
} as const;
