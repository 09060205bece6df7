/**
 * The registry of diagnostic codes: every code statectl can report, its default severity and a
 * one-line summary of what it means. `error()` and `warning()` accept only codes listed here, so a
 * new code is one line below plus its section in docs/diagnostics.md (a test checks both ways).
 */

interface CodeEntry {
  /** "error or warning": the same problem is an error in one context and a warning in another. */
  readonly severity: "error" | "warning" | "error or warning";
  readonly summary: string;
}

const error = (summary: string) => ({ severity: "error", summary }) as const;
const warning = (summary: string) => ({ severity: "warning", summary }) as const;
const either = (summary: string) => ({ severity: "error or warning", summary }) as const;

export const DIAGNOSTIC_CODES = {
  "backend/access-denied": error("No permission on the state bucket"),
  "backend/backup-not-written": warning("The previous state was not kept"),
  "backend/migrate-target-not-empty": error("The new backend already holds a state"),
  "backend/migration-needed": error("The state has not been migrated to the backend"),
  "backend/no-credentials": error("No AWS credentials for the state bucket"),
  "backend/no-such-bucket": error("The state bucket does not exist"),
  "backend/request-failed": error("An S3 request failed"),
  "backend/state-changed": error("The state changed in S3 since it was read"),
  "backend/timeout": error("An S3 request timed out"),
  "backend/unreachable": error("Cannot reach S3"),
  "backend/wrong-region": error("The state bucket is in another region"),
  "config/invalid-backend": error("Invalid backend setting"),
  "config/state-path-and-backend": error("Both a state path and a backend"),
  "config/unknown-backend": error("Unknown backend type"),
  "workspace/cannot-delete": error("Cannot delete the default workspace"),
  "workspace/exists": error("The workspace exists"),
  "workspace/invalid-name": error("Invalid workspace name"),
  "workspace/not-empty": error("The workspace still manages resources"),
  "workspace/not-found": error("No such workspace"),

  "addrs/invalid-address": error("Invalid resource address"),

  "cli/json-needs-auto-approve": error("apply --json needs --auto-approve or a plan file"),

  "apply/change-failed": error("A change failed"),
  "apply/document-exists": error("The document already exists in SSM"),
  "apply/lost-create-ambiguous": error("An interrupted create may have made several objects"),
  "apply/lost-create-lookup-failed": error("Cannot check what an interrupted create made"),
  "apply/lost-create-replaced": warning("An interrupted create's object is no longer tracked"),

  "config/conflicting-arguments": error("Invalid combination of count and for_each"),
  "config/dependency-cycle": error("Cycle between resources"),
  "config/duplicate-argument": error("Duplicate argument"),
  "config/duplicate-block": error("Duplicate state block"),
  "config/duplicate-local": error("Duplicate local value"),
  "config/duplicate-module": error("Duplicate module call"),
  "config/duplicate-output": error("Duplicate output"),
  "config/duplicate-provider": error("Duplicate provider configuration"),
  "config/duplicate-resource": error("Duplicate resource"),
  "config/duplicate-variable": error("Duplicate variable declaration"),
  "config/extraneous-label": error("Extraneous block label"),
  "config/file-too-large": error("File is too large"),
  "config/input-budget-exceeded": error("The configuration's files are too large together"),
  "config/invalid-argument": error("Invalid value"),
  "config/invalid-encoding": error("File is not UTF-8 text"),
  "config/invalid-lifecycle": error("Invalid ignore_changes entry"),
  "config/invalid-moved": error("Invalid moved block"),
  "config/invalid-name": error("Invalid name"),
  "config/invalid-provider-reference": error("Invalid provider reference"),
  "config/invalid-reference": error("Invalid reference"),
  "config/invalid-type": error("Invalid type specification"),
  "config/invalid-var-file": error("Unexpected block in variables file"),
  "config/invalid-var-option": error("Invalid --var option"),
  "config/local-cycle": error("Cycle in local values"),
  "config/missing-argument": error("Missing required argument"),
  "config/missing-block": error("Missing required block"),
  "config/missing-label": error("Missing block label"),
  "config/module-cycle": error("Module calls itself"),
  "config/module-missing-input": error("Missing required argument for module"),
  "config/module-no-files": error("Module folder has no configuration files"),
  "config/module-provider-not-passed": error("Provider configuration not passed to the module"),
  "config/module-root-only-block": error("Block that belongs to the root module"),
  "config/module-source-missing": error("Module folder not found"),
  "config/module-source-not-local": error("Unsupported module source"),
  "config/module-unknown-input": error("Unsupported argument for module"),
  "config/no-files": warning("No configuration files"),
  "config/not-literal": error("Invalid value"),
  "config/too-many-blocks": error("Too many blocks of one type"),
  "config/undeclared-local": error("Reference to undeclared local value"),
  "config/undeclared-module": error("Reference to undeclared module"),
  "config/undeclared-module-output": error("Reference to undeclared module output"),
  "config/undeclared-provider": error("Reference to undeclared provider configuration"),
  "config/undeclared-resource": error("Reference to an undeclared resource"),
  "config/undeclared-variable": error("Reference to undeclared input variable"),
  "config/undeclared-variable-input": either("Value for undeclared variable"),
  "config/unknown-provider": error("Unknown provider"),
  "config/unknown-reference": error("Unknown variable"),
  "config/unreadable-directory": error("Cannot read the configuration directory"),
  "config/unreadable-file": error("Cannot read file"),
  "config/unreadable-var-file": error("Cannot read variables file"),
  "config/unsupported-argument": error("Unsupported argument"),
  "config/unsupported-block": error("Unsupported block type"),

  "engine/assume-role-failed": error("The provider cannot assume its role"),
  "engine/invalid-timeout": error("A timeout in the environment is not a duration"),
  "engine/local-endpoint-data": error("Cannot open the local endpoint's data"),
  "engine/no-credentials": error("No AWS credentials for a provider"),
  "engine/no-region": error("No AWS region for a provider"),
  "engine/unknown-after-apply": error("A value is still unknown after apply"),

  "eval/division-by-zero": error("Division by zero"),
  "eval/duplicate-object-key": error("Duplicate object key"),
  "eval/function-argument": error("Invalid expanding argument value"),
  "eval/function-arity": error("Wrong number of function arguments"),
  "eval/function-error": error("Error in function call"),
  "eval/invalid-argument-type": error("Incorrect argument type"),
  "eval/invalid-condition": error("Null condition"),
  "eval/invalid-count": error("Invalid count argument"),
  "eval/invalid-default": error("Invalid default value for variable"),
  "eval/invalid-for": error("Iteration over null value"),
  "eval/invalid-for-each": error("Invalid for_each argument"),
  "eval/invalid-import-id": error("Invalid import id"),
  "eval/invalid-index": error("Missing map element"),
  "eval/invalid-object-key": error("Invalid object key"),
  "eval/invalid-operand": error("Invalid operand"),
  "eval/invalid-provider-argument": error("Invalid provider argument"),
  "eval/invalid-state-path": error("Invalid state path"),
  "eval/invalid-template-value": error("Invalid template interpolation value"),
  "eval/invalid-validation": error("Invalid validation condition"),
  "eval/invalid-variable-value": error("Invalid value for variable"),
  "eval/missing-variable": error("No value for required variable"),
  "eval/null-value": error("Attempt to get attribute from null value"),
  "eval/sensitive-output": error("Output refers to sensitive values"),
  "eval/sensitive-name": error("A name is built from a sensitive value"),
  "eval/unknown-function": error("Call to unknown function"),
  "eval/unknown-variable": error("Unknown variable"),
  "eval/unsupported-attribute": error("Unsupported attribute"),
  "eval/variable-validation": error("Invalid value for variable"),

  "fmt/internal-error": error("Cannot format a file safely"),

  "graph/cycle": error("Dependency cycle"),
  "graph/document-name-literal": warning("Association names a managed document literally"),

  "import/already-managed": error("The address is already in the state"),
  "import/ambiguous-name": error("Several associations have that name"),
  "import/file-exists": error("The output file already exists"),
  "import/generated-differs": warning("The generated configuration does not match SSM exactly"),
  "import/internal": error("The generated configuration does not parse"),
  "import/invalid-file": error("The output file is not a .state file"),
  "import/module-folder": error("Cannot generate into a module's folder"),
  "import/invalid-filter": error("Invalid filter"),
  "import/no-selection": error("Say what to generate: --all, or --filter"),
  "import/not-found": error("No such object in SSM"),
  "import/not-in-config": error("The address is not in the configuration"),
  "import/nothing-selected": warning("Nothing to generate"),
  "import/ssm": error("SSM refused a read"),

  "operate/no-match": error("No association matches"),
  "operate/no-state": error("No state file"),
  "operate/ssm": error("SSM refused a call"),

  "history/no-execution": error("No such execution"),

  "output/no-state": error("No state file"),
  "output/not-found": error("No such output"),

  "plan/config-changed": error("The configuration changed since the plan was made"),
  "plan/create-before-destroy-conflict": error("create_before_destroy cannot replace under the same name"),
  "plan/errored-plan": error("The plan has errors and cannot be applied"),
  "plan/import-already-managed": error("The import address already holds another object"),
  "plan/import-duplicate": error("The same object is imported twice"),
  "plan/import-failed": error("Cannot read an object to import"),
  "plan/import-not-found": error("The object to import does not exist"),
  "plan/import-not-in-config": error("The import address is not in the configuration"),
  "plan/invalid-plan-file": error("Not a statectl plan file"),
  "plan/invalid-target": error("Invalid target address"),
  "plan/io-error": error("Cannot read or write the plan file"),
  "plan/moved-destination-exists": warning("The moved destination is already in the state"),
  "plan/prevent-destroy": error("Instance cannot be destroyed"),
  "plan/refresh-failed": error("Cannot read an object while refreshing"),
  "plan/stale-plan": error("The plan was made against a different state"),
  "plan/target-not-found": error("A target matches nothing"),
  "plan/replace-not-found": error("A --replace address matches nothing"),
  "plan/no-configuration": error("No configuration files, but the state manages resources"),
  "plan/no-targets": warning("An association targets no instance"),
  "plan/linux-document-on-windows": warning("A Linux-only document targets Windows instances"),
  "plan/cascade-unmanaged": warning("Deleting a document deletes associations apply cannot re-create"),
  "plan/cascade-unknown": warning("Cannot tell which associations a document's deletion deletes"),
  "plan/variable-differs": error("A variable differs from the value the plan was made with"),
  "plan/no-config-digest": error("The plan does not say which configuration it was made from"),

  "ssm/apply-only-at-cron-interval": error("apply_only_at_cron_interval without a cron schedule"),
  "ssm/default-not-allowed": warning("Default not allowed by its own declaration"),
  "ssm/document-parse-error": error("Document content does not parse"),
  "ssm/document-too-large": error("Document too large"),
  "ssm/document-version-not-found": error("Document version does not exist"),
  "ssm/duplicate-step-name": error("Duplicate step name"),
  "ssm/instance-ids-wildcard": error('"*" must stand alone'),
  "ssm/invalid-allowed-pattern": error("allowedPattern does not compile"),
  "ssm/invalid-association-name": error("Invalid association name"),
  "ssm/invalid-automation-target-parameter": error("Invalid automation_target_parameter_name"),
  "ssm/invalid-compliance-severity": error("Invalid compliance_severity"),
  "ssm/invalid-dispatch-role": error("Invalid dispatch role"),
  "ssm/invalid-display-name": error("Invalid display name"),
  "ssm/invalid-document-content": error("Invalid document content"),
  "ssm/invalid-document-format": error("Unknown document format"),
  "ssm/invalid-document-name": error("Invalid document name"),
  "ssm/invalid-document-reference": error("Invalid document name"),
  "ssm/invalid-document-type": error("Unknown document type"),
  "ssm/invalid-document-version": error("Invalid document version"),
  "ssm/invalid-duration": error("Invalid duration"),
  "ssm/invalid-max-concurrency": error("Invalid max_concurrency"),
  "ssm/invalid-max-errors": error("Invalid max_errors"),
  "ssm/invalid-output-location": error("Invalid output location"),
  "ssm/invalid-parameter-default": error("Default does not match the type"),
  "ssm/invalid-parameter-type": error("Unsupported parameter type"),
  "ssm/invalid-parameter-value": error("Invalid parameter value"),
  "ssm/invalid-precondition": error("Invalid precondition"),
  "ssm/invalid-schedule": error("Invalid schedule"),
  "ssm/invalid-schedule-offset": error("Invalid schedule offset"),
  "ssm/invalid-schema-version": error("Missing schemaVersion"),
  "ssm/invalid-sync-compliance": error("Invalid sync_compliance"),
  "ssm/invalid-tag": error("Invalid tag key"),
  "ssm/invalid-target-key": error("Unsupported target key"),
  "ssm/invalid-target-maps": error("Invalid target_maps"),
  "ssm/invalid-target-type": error("Invalid target type"),
  "ssm/invalid-version-name": error("Invalid version name"),
  "ssm/missing-action-input": error("Missing action input"),
  "ssm/missing-document-key": error("Parameter without a type"),
  "ssm/missing-parameter": error("Missing required parameter"),
  "ssm/missing-plugin-input": warning("Missing plugin inputs"),
  "ssm/missing-targets": error("No targets"),
  "ssm/no-steps": error("Document has no steps"),
  "ssm/reserved-document-name": error("Reserved document name"),
  "ssm/reserved-tag-key": error("Reserved tag key"),
  "ssm/too-many-tags": error("Too many tags"),
  "ssm/too-many-target-values": error("Too many target values"),
  "ssm/undeclared-parameter": error("Undeclared parameter"),
  "ssm/unknown-action": error("Unknown plugin or automation action"),
  "ssm/unknown-action-input": warning("Unknown action input"),
  "ssm/unknown-aws-document": error("Unknown AWS-owned document"),
  "ssm/unknown-document-key": error("Unknown document key"),
  "ssm/unknown-parameter": error("Unknown document parameter"),
  "ssm/unknown-plugin-input": warning("Unknown plugin input"),
  "ssm/unknown-step-reference": error("Reference to a step that does not exist"),
  "ssm/unsupported-document-type": error("Document type not supported"),

  "state/duplicate-id": error("One object recorded at several addresses"),
  "state/changed-concurrently": error("The state file changed while statectl worked without the lock"),
  "state/corrupt": error("The state file is not valid UTF-8 text"),
  "state/invalid": error("The state file is not a JSON object"),
  "state/invalid-address": error("Invalid resource address"),
  "state/io-error": error("Cannot read or write the state"),
  "state/lineage-mismatch": error("Refusing to overwrite a different state"),
  "state/lock-id-mismatch": error("The lock ID does not match"),
  "state/locked": error("The state is locked"),
  "state/move-destination-exists": error("The move destination is already in the state"),
  "state/move-kind-mismatch": error("Cannot move between resource kinds"),
  "state/move-shape-mismatch": error("Cannot move between a whole resource and one instance"),
  "state/no-state": error("No state file"),
  "state/not-in-state": error("No such resource instance in the state"),
  "state/not-locked": error("The state is not locked"),
  "state/stale-serial": error("Refusing to overwrite a newer state"),
  "state/truncated": error("The state file is empty"),
  "state/unsupported-version": error("Unsupported state format version"),

  "syntax/ambiguous-object-key": error("Ambiguous object key"),
  "syntax/invalid-character": error("Invalid character"),
  "syntax/invalid-escape": error("Invalid escape sequence"),
  "syntax/missing-separator": error('Missing "," or line break between object items'),
  "syntax/too-deep": error("Nesting is too deep"),
  "syntax/too-many-errors": error("Too many syntax errors"),
  "syntax/unclosed-block": error("Unclosed block"),
  "syntax/unexpected-attribute": error("Unexpected argument at the top level"),
  "syntax/unexpected-token": error("Unexpected token"),
  "syntax/unknown-block-type": error("Unknown block type"),
  "syntax/unsupported-directive": error('Template directives ("%{ … }") are not supported'),
  "syntax/unterminated-comment": error("Unterminated comment"),
  "syntax/unterminated-heredoc": error("Unterminated heredoc"),
  "syntax/unterminated-string": error("Unterminated string"),

  "validate/no-files": error("No configuration files"),
} as const satisfies Record<string, CodeEntry>;

/** A registered diagnostic code, e.g. `syntax/unexpected-token`. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
/** Codes that may be reported as errors. */
export type ErrorCode = {
  [C in DiagnosticCode]: (typeof DIAGNOSTIC_CODES)[C]["severity"] extends "warning" ? never : C;
}[DiagnosticCode];
/** Codes that may be reported as warnings. */
export type WarningCode = {
  [C in DiagnosticCode]: (typeof DIAGNOSTIC_CODES)[C]["severity"] extends "error" ? never : C;
}[DiagnosticCode];

export interface CodeDescription extends CodeEntry {
  readonly code: DiagnosticCode;
  /** Where the code is explained: `docs/diagnostics.md#syntaxunexpected-token`. */
  readonly doc: string;
}

/** The anchor GitHub gives the heading "### `code`" in docs/diagnostics.md. */
export function docAnchor(code: DiagnosticCode): string {
  return code.replace(/[^a-z0-9-]/g, "");
}

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.hasOwn(DIAGNOSTIC_CODES, code);
}

export function describeCode(code: DiagnosticCode): CodeDescription {
  return { code, ...DIAGNOSTIC_CODES[code], doc: `docs/diagnostics.md#${docAnchor(code)}` };
}

/** Every registered code with its description, in registry order. */
export function allDiagnosticCodes(): CodeDescription[] {
  return (Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[]).map(describeCode);
}
