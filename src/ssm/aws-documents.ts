/**
 * AWS-owned SSM documents that statectl knows offline: their type, schema and parameter
 * declarations as AWS publishes them (../shared/ssm-api-spec.md section 6), with step bodies
 * reduced to what matters for validation and platform detection (the plugin actions, their
 * platform preconditions, and which parameters each step reads). The local endpoint serves them
 * read-only with Owner "Amazon"; validation can check association parameters against them.
 *
 * Each entry is data written for statectl, not a copy of AWS's files: scripts inside steps are
 * placeholders that reference the same parameters.
 */

export interface AwsParameterDeclaration {
  type: "String" | "StringList" | "Boolean" | "Integer" | "StringMap" | "MapList";
  description: string;
  default?: unknown;
  allowedValues?: string[];
  allowedPattern?: string;
  displayType?: "textfield" | "textarea";
  minItems?: number;
  maxItems?: number;
  minChars?: number;
  maxChars?: number;
}

export interface AwsOwnedDocument {
  name: string;
  documentType: "Command" | "Policy" | "Automation";
  /** When AWS first published the version statectl models (ISO date; informational). */
  createdDate: string;
  /** The document body (schemaVersion, description, parameters, steps) as a JSON value. */
  content: Record<string, unknown>;
}

const EXECUTION_TIMEOUT_PATTERN = "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)";

function scriptParameters(commandsHelp: string): Record<string, AwsParameterDeclaration> {
  return {
    commands: { type: "StringList", description: commandsHelp, minItems: 1, displayType: "textarea" },
    workingDirectory: { type: "String", description: "(Optional) Directory to run the commands in.", default: "", maxChars: 4096 },
    executionTimeout: {
      type: "String",
      description: "(Optional) Seconds the commands may run before they count as failed (at most 172800, 48 hours).",
      default: "3600",
      allowedPattern: EXECUTION_TIMEOUT_PATTERN,
    },
  };
}

function runtimeConfigStep(plugin: string, properties: Record<string, unknown>): Record<string, unknown> {
  return { runtimeConfig: { [plugin]: { properties: [{ id: `0.${plugin}`, ...properties }] } } };
}

function platform(name: "Windows" | "Linux" | "MacOS"): Record<string, unknown> {
  return { StringEquals: ["platformType", name] };
}

export const AWS_OWNED_DOCUMENTS: readonly AwsOwnedDocument[] = [
  {
    name: "AWS-RunShellScript",
    documentType: "Command",
    createdDate: "2017-08-30T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Run a shell script or specify the commands to run.",
      parameters: scriptParameters("(Required) Commands to run, or the path to a script on the instance."),
      ...runtimeConfigStep("aws:runShellScript", {
        runCommand: "{{ commands }}",
        workingDirectory: "{{ workingDirectory }}",
        timeoutSeconds: "{{ executionTimeout }}",
      }),
    },
  },
  {
    name: "AWS-RunPowerShellScript",
    documentType: "Command",
    createdDate: "2017-08-30T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Run a PowerShell script or specify the paths to scripts to run.",
      parameters: scriptParameters("(Required) PowerShell commands to run, or the path to a script on the instance."),
      ...runtimeConfigStep("aws:runPowerShellScript", {
        runCommand: "{{ commands }}",
        workingDirectory: "{{ workingDirectory }}",
        timeoutSeconds: "{{ executionTimeout }}",
      }),
    },
  },
  {
    name: "AWS-ConfigureAWSPackage",
    documentType: "Command",
    createdDate: "2018-06-19T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Install or uninstall a Distributor package (latest, default or a given version).",
      parameters: {
        action: { type: "String", description: "(Required) Install or uninstall the package.", allowedValues: ["Install", "Uninstall"] },
        installationType: {
          type: "String",
          description: "(Optional) How to install: uninstall then reinstall, or update in place (only packages that support it).",
          allowedValues: ["Uninstall and reinstall", "In-place update"],
          default: "Uninstall and reinstall",
        },
        name: {
          type: "String",
          description: "(Required) Package name or ARN (AWS packages, or a package shared with you).",
          allowedPattern: "^arn:[a-z0-9][-.a-z0-9]{0,62}:[a-z0-9][-.a-z0-9]{0,62}:([a-z0-9][-.a-z0-9]{0,62})?:([a-z0-9][-.a-z0-9]{0,62})?:(package|document)\\/[a-zA-Z0-9/:.\\-_]{1,128}$|^[a-zA-Z][a-zA-Z0-9\\-_]{0,39}$",
        },
        version: { type: "String", description: "(Optional) Version to install or uninstall; empty means latest (install) or installed (uninstall).", default: "" },
        additionalArguments: { type: "StringMap", description: "(Optional) Extra arguments passed to the package's scripts, as a JSON map.", default: {}, displayType: "textarea" },
      },
      mainSteps: [
        {
          action: "aws:configurePackage",
          name: "configurePackage",
          inputs: {
            name: "{{ name }}",
            action: "{{ action }}",
            installationType: "{{ installationType }}",
            version: "{{ version }}",
            additionalArguments: "{{ additionalArguments }}",
          },
        },
      ],
    },
  },
  {
    name: "AWS-UpdateSSMAgent",
    documentType: "Command",
    createdDate: "2017-03-01T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Update the Amazon SSM Agent to the latest version or specified version.",
      parameters: {
        version: { type: "String", description: "(Optional) Agent version to install; empty means the latest.", default: "" },
        allowDowngrade: {
          type: "String",
          description: "(Optional) Allow moving to an older version than the one installed.",
          default: "false",
          allowedValues: ["true", "false"],
        },
      },
      ...runtimeConfigStep("aws:updateSsmAgent", {
        agentName: "amazon-ssm-agent",
        source: "https://s3.{Region}.amazonaws.com/amazon-ssm-{Region}/ssm-agent-manifest.json",
        allowDowngrade: "{{ allowDowngrade }}",
        targetVersion: "{{ version }}",
      }),
    },
  },
  {
    name: "AWS-RunPatchBaseline",
    documentType: "Command",
    createdDate: "2017-08-30T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Scan for or install patches from a patch baseline on Linux, macOS or Windows.",
      parameters: {
        Operation: { type: "String", description: "(Required) Scan reports missing patches; Install installs them.", allowedValues: ["Scan", "Install"] },
        SnapshotId: {
          type: "String",
          description: "(Optional) A GUID that keeps the baseline snapshot the same across a run.",
          default: "",
          allowedPattern: "(^$)|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        },
        InstallOverrideList: {
          type: "String",
          description: "(Optional) https or s3 URL of a list of patches to install instead of the baseline's.",
          default: "",
          allowedPattern: "(^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$",
        },
        RebootOption: {
          type: "String",
          description: "(Optional) Reboot after installing when needed, or never.",
          allowedValues: ["RebootIfNeeded", "NoReboot"],
          default: "RebootIfNeeded",
        },
        BaselineOverride: { type: "String", description: "(Optional) S3 URL of patch baselines that override the defaults.", default: "" },
        AssociationId: { type: "String", description: "(Optional) Set by State Manager; leave empty.", default: "" },
      },
      mainSteps: ["Windows", "Linux", "MacOS"].map((os) => ({
        precondition: platform(os as "Windows" | "Linux" | "MacOS"),
        action: os === "Windows" ? "aws:runPowerShellScript" : "aws:runShellScript",
        name: `Patch${os}`,
        inputs: {
          timeoutSeconds: 7200,
          runCommand: [
            `# statectl placeholder for the ${os} patching script`,
            "# operation={{ Operation }} snapshot={{ SnapshotId }} override={{ InstallOverrideList }}",
            "# reboot={{ RebootOption }} baselineOverride={{ BaselineOverride }} association={{ AssociationId }}",
          ],
        },
      })),
    },
  },
  {
    name: "AWS-GatherSoftwareInventory",
    documentType: "Policy",
    createdDate: "2017-08-30T00:00:00Z",
    content: {
      schemaVersion: "2.0",
      description: "Collect software inventory from managed instances.",
      parameters: {
        ...Object.fromEntries(
          ["applications", "awsComponents", "networkConfig", "windowsUpdates", "instanceDetailedInformation", "services", "windowsRoles", "customInventory"].map(
            (name) => [
              name,
              {
                type: "String",
                description: `(Optional) Collect ${name} inventory.`,
                default: "Enabled",
                allowedValues: ["Enabled", "Disabled"],
              } satisfies AwsParameterDeclaration,
            ],
          ),
        ),
        files: { type: "String", description: "(Optional) JSON list of file inventory rules (paths and patterns).", default: "", displayType: "textarea" },
        windowsRegistry: { type: "String", description: "(Optional) JSON list of Windows registry inventory rules.", default: "", displayType: "textarea" },
      },
      mainSteps: [
        {
          action: "aws:softwareInventory",
          name: "collectSoftwareInventoryItems",
          inputs: {
            applications: "{{ applications }}",
            awsComponents: "{{ awsComponents }}",
            networkConfig: "{{ networkConfig }}",
            files: "{{ files }}",
            services: "{{ services }}",
            windowsRoles: "{{ windowsRoles }}",
            windowsRegistry: "{{ windowsRegistry }}",
            windowsUpdates: "{{ windowsUpdates }}",
            instanceDetailedInformation: "{{ instanceDetailedInformation }}",
            customInventory: "{{ customInventory }}",
          },
        },
      ],
    },
  },
  {
    name: "AWS-ApplyAnsiblePlaybooks",
    documentType: "Command",
    createdDate: "2019-03-25T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Use this document to run Ansible Playbooks on Systems Manager managed instances.",
      parameters: {
        SourceType: { type: "String", description: "(Optional) Where the playbooks come from.", allowedValues: ["GitHub", "S3"], default: "" },
        SourceInfo: { type: "StringMap", description: "(Optional) Where to download from (depends on SourceType).", default: {}, displayType: "textarea" },
        InstallDependencies: { type: "String", description: "(Required) Install Ansible and its dependencies first.", allowedValues: ["True", "False"], default: "True" },
        PlaybookFile: {
          type: "String",
          description: "(Optional) Playbook to run, relative to the downloaded content.",
          default: "hello-world-playbook.yml",
          allowedPattern: "[(a-z_A-Z0-9\\-\\.)/]+(.yml|.yaml)$",
        },
        ExtraVariables: {
          type: "String",
          description: "(Optional) Extra variables for Ansible, as space-separated key=value pairs.",
          default: "SSM=True",
          displayType: "textarea",
          allowedPattern: "^$|^\\w+\\=(([^\\s|:();&]+)|('[^|:();&]+'))(\\s+\\w+\\=(([^\\s|:();&]+)|('[^|:();&]+')))*$",
        },
        Check: { type: "String", description: "(Optional) Run in check mode: report changes without making them.", allowedValues: ["True", "False"], default: "False" },
        Verbose: { type: "String", description: "(Optional) Log verbosity.", allowedValues: ["-v", "-vv", "-vvv", "-vvvv"], default: "-v" },
        TimeoutSeconds: { type: "String", description: "(Optional) Seconds before the run counts as failed.", default: "3600" },
      },
      mainSteps: [
        {
          action: "aws:downloadContent",
          name: "downloadContent",
          inputs: { SourceType: "{{ SourceType }}", SourceInfo: "{{ SourceInfo }}" },
        },
        {
          action: "aws:runShellScript",
          name: "runShellScript",
          inputs: {
            timeoutSeconds: "{{ TimeoutSeconds }}",
            runCommand: [
              "#!/bin/bash",
              "# statectl placeholder: install={{ InstallDependencies }} playbook={{ PlaybookFile }}",
              "# ansible-playbook -e '{{ ExtraVariables }}' check={{ Check }} {{ Verbose }}",
            ],
          },
        },
      ],
    },
  },
  {
    name: "AWS-RunRemoteScript",
    documentType: "Command",
    createdDate: "2017-11-01T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Download a script from GitHub or S3 and run it.",
      parameters: {
        sourceType: { type: "String", description: "(Required) Where the script comes from.", allowedValues: ["GitHub", "S3"] },
        sourceInfo: { type: "StringMap", description: "(Required) Where to download from (depends on sourceType).", displayType: "textarea" },
        commandLine: { type: "String", description: "(Required) The command line to run the downloaded script." },
        workingDirectory: { type: "String", description: "(Optional) Directory to run in.", default: "" },
        executionTimeout: {
          type: "String",
          description: "(Optional) Seconds before the run counts as failed (at most 172800).",
          default: "3600",
          allowedPattern: EXECUTION_TIMEOUT_PATTERN,
        },
      },
      mainSteps: [
        { action: "aws:downloadContent", name: "downloadContent", inputs: { sourceType: "{{ sourceType }}", sourceInfo: "{{ sourceInfo }}" } },
        {
          precondition: platform("Windows"),
          action: "aws:runPowerShellScript",
          name: "runPowerShellScript",
          inputs: { runCommand: ["{{ commandLine }}"], workingDirectory: "{{ workingDirectory }}", timeoutSeconds: "{{ executionTimeout }}" },
        },
        {
          precondition: platform("Linux"),
          action: "aws:runShellScript",
          name: "runShellScript",
          inputs: { runCommand: ["{{ commandLine }}"], workingDirectory: "{{ workingDirectory }}", timeoutSeconds: "{{ executionTimeout }}" },
        },
      ],
    },
  },
  {
    name: "AWS-ConfigureCloudWatch",
    documentType: "Command",
    createdDate: "2016-04-01T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Export metrics and log files from Windows instances to Amazon CloudWatch (EC2Config era).",
      parameters: {
        status: { type: "String", description: "(Optional) Turn the integration on or off.", allowedValues: ["Enabled", "Disabled"], default: "Enabled" },
        properties: { type: "String", description: "(Optional) EngineConfiguration JSON for the CloudWatch plugin.", default: "", displayType: "textarea" },
      },
      ...runtimeConfigStep("aws:cloudWatch", { properties: "{{ properties }}", status: "{{ status }}" }),
    },
  },
];

export function findAwsOwnedDocument(name: string): AwsOwnedDocument | undefined {
  return AWS_OWNED_DOCUMENTS.find((d) => d.name === name);
}
