/**
 * net/ — how statectl's AWS clients talk HTTP, whatever the service: connect and request
 * timeouts (settings, environment, defaults), the SDK handler options that enforce them, and the
 * errors that name the endpoint. Pure settings and one SDK middleware; imports no other room and
 * no SDK module, so the state room (an S3 backend) can use it as well as provider-ssm.
 */
export * from "./timeouts.js";
