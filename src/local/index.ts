/**
 * local/ — the local SSM endpoint: an HTTP server on 127.0.0.1 speaking SSM's AWS JSON 1.1 wire
 * protocol, so `@aws-sdk/client-ssm` (or the AWS CLI, boto3 …) talks to it exactly as to AWS.
 * It keeps documents, tags (and, from the associations area, associations, executions, a
 * simulated fleet and a clock) in a data dir. It imports only diag/, ssm/ and sandbox/ (real runs,
 * opt-in), never the engine, the provider or the CLI. See README.md here for the internal contract and
 * docs/local-endpoint.md for users.
 */
export { startLocalEndpoint, LocalEndpoint, type LocalEndpointOptions } from "./endpoint.js";
export type { Knobs, ThrottleRule, Counters, OperationCounters } from "./knobs.js";
export type { EndpointSettings } from "./core.js";
export type { ExecuteOptions } from "./execution.js";
export { SsmError } from "./errors.js";
export { SERVER_FILE, findRunningEndpoint, type RunningEndpoint } from "./endpoint.js";
export { StoreError } from "./store.js";
export type { ManagedInstance, NewInstance, PingStatus } from "./fleet.js";
export { defaultFleet } from "./fleet.js";
export { parseDuration } from "./clock.js";
export { listPartitionFolders, PARTITION_HEADERS, type PartitionKey } from "./partitions.js";
