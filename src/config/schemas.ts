/**
 * The schemas of every block type of the language: the top level, `document`, `association`,
 * `variable`, `output`, `locals`, `provider "ssm"`, `state`, `import`, `moved`, `lifecycle`.
 * Resource arguments follow issue 5 (the whole SSM API); types are checked during evaluation.
 */
import { ASSOCIATION_RESOURCE, DOCUMENT_RESOURCE, type ResourceSchema } from "../ssm/resource-schema.js";
import type { AttributeSchema, BlockSchema, BodySchema, SchemaType } from "./schema.js";

const str: AttributeSchema = { type: "string" };
const num: AttributeSchema = { type: "number" };
const bool: AttributeSchema = { type: "bool" };

/** Arguments every resource accepts in addition to its own (Terraform's meta-arguments). */
export const META_ARGUMENTS = ["count", "for_each", "depends_on", "provider"] as const;

const metaAttributes = {
  count: { type: "number", description: "How many instances to create; addresses are x[0], x[1], …" },
  for_each: { type: "any", description: 'A map or set of strings; one instance per key, addressed x["key"].' },
  depends_on: { description: "Explicit dependencies: a list of resource references." },
  provider: { description: "Which provider configuration to use: ssm or ssm.ALIAS." },
} satisfies Record<string, AttributeSchema>;

export const LIFECYCLE_SCHEMA: BlockSchema = {
  max: 1,
  body: {
    attributes: {
      prevent_destroy: bool,
      create_before_destroy: bool,
      ignore_changes: { description: "Arguments whose drift is ignored: a list of argument names, or all." },
      replace_triggered_by: { description: "Resources whose change replaces this one." },
    },
  },
};

/**
 * A resource's block schema, derived from its one declarative schema (ssm/resource-schema.ts):
 * the declared attributes become arguments (or nested blocks), computed ones are left out.
 */
function resourceBlockSchema(resource: ResourceSchema): BlockSchema {
  const attributes: Record<string, AttributeSchema> = {};
  const blocks: Record<string, BlockSchema> = {};
  for (const [name, a] of Object.entries(resource.attributes)) {
    if (a.mode === "computed") continue;
    if (a.block)
      blocks[name] = { max: a.block.max, description: a.description, body: { attributes: objectAttributes(a.type) } };
    else
      attributes[name] = {
        ...(a.mode === "required" ? { required: true } : {}),
        type: a.configType ?? a.type,
        description: a.description,
      };
  }
  return {
    labels: ["name"],
    description: resource.description,
    body: { attributes: { ...attributes, ...metaAttributes }, blocks: { ...blocks, lifecycle: LIFECYCLE_SCHEMA } },
  };
}

/** The arguments of a nested block: the members of its object type (or of a list's element). */
function objectAttributes(t: SchemaType): Record<string, AttributeSchema> {
  const object = typeof t !== "string" && t[0] === "list" ? t[1] : t;
  if (typeof object === "string" || object[0] !== "object")
    throw new Error("a nested block's type is an object or a list of objects");
  const members = object[1];
  const optional = object[2] ?? [];
  return Object.fromEntries(
    Object.entries(members).map(([n, type]) => [n, { ...(optional.includes(n) ? {} : { required: true }), type }]),
  );
}

export const DOCUMENT_SCHEMA: BlockSchema = resourceBlockSchema(DOCUMENT_RESOURCE);
export const ASSOCIATION_SCHEMA: BlockSchema = resourceBlockSchema(ASSOCIATION_RESOURCE);

export const VARIABLE_SCHEMA = {
  labels: ["name"],
  body: {
    attributes: { type: {}, default: {}, description: str, sensitive: bool, nullable: bool },
    blocks: {
      validation: { body: { attributes: { condition: { required: true }, error_message: { required: true } } } },
    },
  },
} satisfies BlockSchema;

export const OUTPUT_SCHEMA: BlockSchema = {
  labels: ["name"],
  body: { attributes: { value: { required: true }, description: str, sensitive: bool, depends_on: {} } },
};

export const PROVIDER_SCHEMA = {
  labels: ["name"],
  body: {
    attributes: {
      region: str,
      profile: str,
      endpoint: { type: "string", description: '"local" for the embedded local endpoint, or a URL.' },
      max_retries: num,
      connect_timeout: {
        type: "number",
        description: "Seconds to wait for a connection to SSM (default 10; env STATECTL_CONNECT_TIMEOUT).",
      },
      request_timeout: {
        type: "number",
        description: "Seconds one SSM call may take, answer included (default 60; env STATECTL_REQUEST_TIMEOUT).",
      },
      alias: str,
    },
    blocks: {
      assume_role: {
        max: 1,
        description:
          "Work in another account: assume this IAM role (AWS STS AssumeRole) with the credentials statectl starts with.",
        body: {
          attributes: {
            role_arn: { required: true, type: "string", description: "arn:aws:iam::ACCOUNT:role/NAME" },
            session_name: { type: "string", description: 'The role session name (default "statectl").' },
            external_id: { type: "string", description: "The external id the role's trust policy asks for." },
            duration: { type: "string", description: 'How long the credentials last: "15m" to "12h" (default "1h").' },
          },
        },
      },
      local: {
        max: 1,
        description:
          'How the local endpoint (endpoint = "local") runs documents: execute = true runs shell steps for real in sandboxed instances (docs/local-endpoint.md, Rehearse for real).',
        body: {
          attributes: {
            execute: {
              type: "bool",
              description:
                "Run aws:runShellScript steps for real, inside sandboxed instances (default false: simulated).",
            },
            rootfs: {
              type: "string",
              description:
                "The read-only base of every instance's disk (default: the host's root, /), e.g. a debootstrap tree.",
            },
            memory_mb: { type: "number", description: "Memory per run in MiB (default 512)." },
            max_processes: { type: "number", description: "Processes per run (default 256)." },
            max_run_seconds: {
              type: "number",
              description:
                "Longest a step may run, whatever its timeoutSeconds says (default 3600, SSM's default executionTimeout).",
            },
          },
        },
      },
    },
  },
} satisfies BlockSchema;

/** `assume_role { role_arn }` inside `backend "s3"`: the role the backend's S3 calls run as. */
export const ASSUME_ROLE_SCHEMA: BlockSchema = {
  max: 1,
  body: { attributes: { role_arn: { required: true, type: "string" }, session_name: str, external_id: str } },
};

/** `backend "s3" { … }` inside `state`: the state in an S3 object (docs/backends.md). Literal values only, like Terraform's. */
export const BACKEND_SCHEMA: BlockSchema = {
  labels: ["type"],
  max: 1,
  description: 'Where the state lives when it is not a local file: backend "s3".',
  body: {
    attributes: {
      bucket: { required: true, type: "string", description: "The S3 bucket holding the state." },
      key: { required: true, type: "string", description: "The state object's key, e.g. prod/statectl.state.json." },
      region: { type: "string", description: "The bucket's region (default: the SDK's, e.g. AWS_REGION)." },
      profile: { type: "string", description: "The AWS profile for the backend's calls." },
      endpoint: {
        type: "string",
        description: "An S3-compatible endpoint URL (default: AWS, or AWS_ENDPOINT_URL_S3).",
      },
      force_path_style: {
        type: "bool",
        description: "Address the bucket in the path (http://host/bucket/key), for S3-compatible servers.",
      },
      encrypt: {
        type: "bool",
        description: "Server-side encryption of the state object (SSE-S3 unless kms_key_id is set).",
      },
      kms_key_id: { type: "string", description: "A KMS key for server-side encryption (SSE-KMS)." },
      lock_timeout: {
        type: "string",
        description: "How long to wait for the lock by default, e.g. 30s; --lock-timeout overrides it.",
      },
      workspace_key_prefix: {
        type: "string",
        description: 'Where other workspaces\' states go: PREFIX/NAME/KEY (default "workspaces").',
      },
      connect_timeout: {
        type: "number",
        description: "Seconds to wait for a connection to S3 (default 10; env STATECTL_CONNECT_TIMEOUT).",
      },
      request_timeout: {
        type: "number",
        description: "Seconds one S3 request may take, answer included (default 60; env STATECTL_REQUEST_TIMEOUT).",
      },
    },
    blocks: { assume_role: ASSUME_ROLE_SCHEMA },
  },
};

export const STATE_SCHEMA: BlockSchema = {
  max: 1,
  body: {
    attributes: { path: { type: "string", description: "The local state file, relative to the configuration." } },
    blocks: { backend: BACKEND_SCHEMA },
  },
};
export const IMPORT_SCHEMA: BlockSchema = {
  description: "Brings an existing SSM object under management at an address, during plan and apply.",
  body: {
    attributes: {
      to: {
        required: true,
        description:
          'The address to import to: document.NAME, association.NAME, or one instance (association.x["key"]).',
      },
      id: {
        required: true,
        type: "string",
        description: "A document's name, or an association's id. Variables and locals only.",
      },
      provider: {
        description:
          "Accepted for Terraform compatibility; the object is read with the provider of the resource at `to`.",
      },
    },
  },
};
export const MOVED_SCHEMA: BlockSchema = { body: { attributes: { from: { required: true }, to: { required: true } } } };
/**
 * `module "NAME" { source = "./path" … }`: the meta-arguments below, and any other argument
 * is an input for one of the module's variables (checked against them when the module loads).
 */
export const MODULE_SCHEMA: BlockSchema = {
  labels: ["name"],
  description: "Uses the module in a folder of .state files, with values for its variables.",
  body: {
    attributes: {
      source: {
        required: true,
        type: "string",
        description: 'The module\'s folder, relative to this configuration: "./modules/baseline".',
      },
      count: metaAttributes.count,
      for_each: metaAttributes.for_each,
      depends_on: { description: "Explicit dependencies of every resource in the module: resources and modules." },
      providers: { description: "Provider configurations for the module: { ssm = ssm.west }." },
    },
    anyAttributes: true,
  },
};
/** Arguments of a module block that are not inputs for its variables. */
export const MODULE_META_ARGUMENTS = ["source", "count", "for_each", "depends_on", "providers"] as const;
export const LOCALS_SCHEMA: BlockSchema = { body: { attributes: {}, anyAttributes: true } };

export const TOP_LEVEL_SCHEMA = {
  attributes: {},
  blocks: {
    document: DOCUMENT_SCHEMA,
    association: ASSOCIATION_SCHEMA,
    variable: VARIABLE_SCHEMA,
    locals: LOCALS_SCHEMA,
    output: OUTPUT_SCHEMA,
    provider: PROVIDER_SCHEMA,
    state: STATE_SCHEMA,
    import: IMPORT_SCHEMA,
    moved: MOVED_SCHEMA,
    module: MODULE_SCHEMA,
  },
} satisfies BodySchema;

/** The provider types statectl knows. */
export const PROVIDER_NAMES = ["ssm"] as const;

/** Where the state file lives when no `state { path }` is given (relative to the configuration directory). */
export const DEFAULT_STATE_PATH = "statectl.state.json";
