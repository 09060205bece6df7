/**
 * state-s3/ — the state in an S3 object, for teams: a StateStorage over `@aws-sdk/client-s3`
 * with compare-and-swap writes (If-Match on the ETag read), a lock object created with
 * If-None-Match: *, the previous state kept (versioning or a `.backup` object), and the
 * workspaces' keys. Imports diag/ and state/ only; the engine chooses it for `backend "s3"`.
 * docs/backends.md is the user's guide.
 */
export * from "./s3.js";
