/**
 * ssm/ — pure SSM rules shared by the local endpoint, the provider and validation: what document
 * content means (schemas, parameters, platforms), association parameters and schedules, and the
 * AWS-owned document catalog. No I/O, no network.
 */
export * from "./document-model.js";
export * from "./aws-documents.js";
export * from "./association-parameters.js";
export * from "./schedule.js";
export * from "./resource-rules.js";
export * from "./document-tree.js";
export * from "./document-checks.js";
export * from "./schedule-forecast.js";
export * from "./resource-schema.js";
