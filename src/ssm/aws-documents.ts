/**
 * AWS-owned SSM documents that statectl knows offline: their type, schema and parameter
 * declarations as AWS publishes them (../shared/ssm-api-spec.md section 6), with step bodies
 * reduced to what matters for validation and platform detection (the plugin actions, their
 * platform preconditions, and which parameters each step reads). The local endpoint serves them
 * read-only with Owner "Amazon"; validation can check association parameters against them.
 *
 * Each entry is data written for statectl, not a copy of AWS's files: scripts inside steps are
 * placeholders that reference the same parameters. Each entry's `source` says where its schema
 * (parameter names, types, allowed values, defaults, steps) was read; what a source left open is
 * marked inferred there.
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
  /** Where the schema (parameters, types, defaults, steps) was read: AWS's documentation or public use. */
  source: string;
  /** DescribeDocument's PlatformTypes when the steps do not say it (Automation runbooks run for every platform). */
  platformTypes?: Array<"Windows" | "Linux" | "MacOS">;
  /** When AWS first published the version statectl models (ISO date; informational). */
  createdDate: string;
  /** The document body (schemaVersion, description, parameters, steps) as a JSON value. */
  content: Record<string, unknown>;
}

const EXECUTION_TIMEOUT_PATTERN = "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)";

function scriptParameters(commandsHelp: string): Record<string, AwsParameterDeclaration> {
  return {
    commands: { type: "StringList", description: commandsHelp, minItems: 1, displayType: "textarea" },
    workingDirectory: {
      type: "String",
      description: "(Optional) Directory to run the commands in.",
      default: "",
      maxChars: 4096,
    },
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
    source: "../shared/ssm-api-spec.md §6 (a real DescribeDocument output; the user guide's document schemas page).",
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
    source: "../shared/ssm-api-spec.md §6 (a real DescribeDocument output).",
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
    source: "../shared/ssm-api-spec.md §6 (user guide: document schemas, plugin reference, Distributor deploy page).",
    documentType: "Command",
    createdDate: "2018-06-19T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Install or uninstall a Distributor package (latest, default or a given version).",
      parameters: {
        action: {
          type: "String",
          description: "(Required) Install or uninstall the package.",
          allowedValues: ["Install", "Uninstall"],
        },
        installationType: {
          type: "String",
          description:
            "(Optional) How to install: uninstall then reinstall, or update in place (only packages that support it).",
          allowedValues: ["Uninstall and reinstall", "In-place update"],
          default: "Uninstall and reinstall",
        },
        name: {
          type: "String",
          description: "(Required) Package name or ARN (AWS packages, or a package shared with you).",
          allowedPattern:
            "^arn:[a-z0-9][-.a-z0-9]{0,62}:[a-z0-9][-.a-z0-9]{0,62}:([a-z0-9][-.a-z0-9]{0,62})?:([a-z0-9][-.a-z0-9]{0,62})?:(package|document)\\/[a-zA-Z0-9/:.\\-_]{1,128}$|^[a-zA-Z][a-zA-Z0-9\\-_]{0,39}$",
        },
        version: {
          type: "String",
          description:
            "(Optional) Version to install or uninstall; empty means latest (install) or installed (uninstall).",
          default: "",
        },
        additionalArguments: {
          type: "StringMap",
          description: "(Optional) Extra arguments passed to the package's scripts, as a JSON map.",
          default: {},
          displayType: "textarea",
        },
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
    source: "../shared/ssm-api-spec.md §6 (AWS PowerShell examples: Get-SSMEffectiveInstanceAssociationList output).",
    documentType: "Command",
    createdDate: "2017-03-01T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Update the Amazon SSM Agent to the latest version or specified version.",
      parameters: {
        version: {
          type: "String",
          description: "(Optional) Agent version to install; empty means the latest.",
          default: "",
        },
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
    source: "../shared/ssm-api-spec.md §6 (user guide: patch-manager-aws-runpatchbaseline).",
    documentType: "Command",
    createdDate: "2017-08-30T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Scan for or install patches from a patch baseline on Linux, macOS or Windows.",
      parameters: {
        Operation: {
          type: "String",
          description: "(Required) Scan reports missing patches; Install installs them.",
          allowedValues: ["Scan", "Install"],
        },
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
        BaselineOverride: {
          type: "String",
          description: "(Optional) S3 URL of patch baselines that override the defaults.",
          default: "",
        },
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
    source: "../shared/ssm-api-spec.md §6 (AWS CLI describe-association example; user guide inventory schema).",
    documentType: "Policy",
    createdDate: "2017-08-30T00:00:00Z",
    content: {
      schemaVersion: "2.0",
      description: "Collect software inventory from managed instances.",
      parameters: {
        ...Object.fromEntries(
          [
            "applications",
            "awsComponents",
            "networkConfig",
            "windowsUpdates",
            "instanceDetailedInformation",
            "services",
            "windowsRoles",
            "customInventory",
          ].map((name) => [
            name,
            {
              type: "String",
              description: `(Optional) Collect ${name} inventory.`,
              default: "Enabled",
              allowedValues: ["Enabled", "Disabled"],
            } satisfies AwsParameterDeclaration,
          ]),
        ),
        files: {
          type: "String",
          description: "(Optional) JSON list of file inventory rules (paths and patterns).",
          default: "",
          displayType: "textarea",
        },
        windowsRegistry: {
          type: "String",
          description: "(Optional) JSON list of Windows registry inventory rules.",
          default: "",
          displayType: "textarea",
        },
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
    source:
      "../shared/ssm-api-spec.md §6 (user guide: systems-manager-state-manager-ansible; a public Terraform copy).",
    documentType: "Command",
    createdDate: "2019-03-25T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Use this document to run Ansible Playbooks on Systems Manager managed instances.",
      parameters: {
        SourceType: {
          type: "String",
          description: "(Optional) Where the playbooks come from.",
          allowedValues: ["GitHub", "S3"],
          default: "",
        },
        SourceInfo: {
          type: "StringMap",
          description: "(Optional) Where to download from (depends on SourceType).",
          default: {},
          displayType: "textarea",
        },
        InstallDependencies: {
          type: "String",
          description: "(Required) Install Ansible and its dependencies first.",
          allowedValues: ["True", "False"],
          default: "True",
        },
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
        Check: {
          type: "String",
          description: "(Optional) Run in check mode: report changes without making them.",
          allowedValues: ["True", "False"],
          default: "False",
        },
        Verbose: {
          type: "String",
          description: "(Optional) Log verbosity.",
          allowedValues: ["-v", "-vv", "-vvv", "-vvvv"],
          default: "-v",
        },
        TimeoutSeconds: {
          type: "String",
          description: "(Optional) Seconds before the run counts as failed.",
          default: "3600",
        },
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
    source: "../shared/ssm-api-spec.md §6 (user guide: integration-s3, integration-github-python).",
    documentType: "Command",
    createdDate: "2017-11-01T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Download a script from GitHub or S3 and run it.",
      parameters: {
        sourceType: {
          type: "String",
          description: "(Required) Where the script comes from.",
          allowedValues: ["GitHub", "S3"],
        },
        sourceInfo: {
          type: "StringMap",
          description: "(Required) Where to download from (depends on sourceType).",
          displayType: "textarea",
        },
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
        {
          action: "aws:downloadContent",
          name: "downloadContent",
          inputs: { sourceType: "{{ sourceType }}", sourceInfo: "{{ sourceInfo }}" },
        },
        {
          precondition: platform("Windows"),
          action: "aws:runPowerShellScript",
          name: "runPowerShellScript",
          inputs: {
            runCommand: ["{{ commandLine }}"],
            workingDirectory: "{{ workingDirectory }}",
            timeoutSeconds: "{{ executionTimeout }}",
          },
        },
        {
          precondition: platform("Linux"),
          action: "aws:runShellScript",
          name: "runShellScript",
          inputs: {
            runCommand: ["{{ commandLine }}"],
            workingDirectory: "{{ workingDirectory }}",
            timeoutSeconds: "{{ executionTimeout }}",
          },
        },
      ],
    },
  },
  {
    name: "AWS-ConfigureCloudWatch",
    source: "../shared/ssm-api-spec.md §6 (user guide: walkthrough-powershell; an AWS::SSM::Association sample).",
    documentType: "Command",
    createdDate: "2016-04-01T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Export metrics and log files from Windows instances to Amazon CloudWatch (EC2Config era).",
      parameters: {
        status: {
          type: "String",
          description: "(Optional) Turn the integration on or off.",
          allowedValues: ["Enabled", "Disabled"],
          default: "Enabled",
        },
        properties: {
          type: "String",
          description: "(Optional) EngineConfiguration JSON for the CloudWatch plugin.",
          default: "",
          displayType: "textarea",
        },
      },
      ...runtimeConfigStep("aws:cloudWatch", { properties: "{{ properties }}", status: "{{ status }}" }),
    },
  },
  // ---- added for issue 20: what State Manager users run most, beyond the first nine ----
  {
    name: "AmazonCloudWatch-ManageAgent",
    source:
      "Amazon CloudWatch user guide (installing the agent with Systems Manager; the action/mode/configuration-source values) and public AWS::SSM::Association and aws_ssm_association uses (action=configure, mode=ec2, optionalConfigurationSource=ssm, optionalRestart=yes). Defaults are inferred from those uses.",
    documentType: "Command",
    createdDate: "2018-01-03T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description:
        "Send commands to the Amazon CloudWatch agent on managed nodes: configure, start, stop or report its status.",
      parameters: {
        action: {
          type: "String",
          description: "The action the agent takes.",
          allowedValues: ["configure", "configure (append)", "configure (remove)", "start", "status", "stop"],
          default: "configure",
        },
        mode: {
          type: "String",
          description: "Where the agent runs: EC2, on premises, or detected.",
          allowedValues: ["ec2", "onPremise", "auto"],
          default: "ec2",
        },
        optionalConfigurationSource: {
          type: "String",
          description:
            "(Optional) Where the configuration comes from: a Parameter Store parameter, the default configuration, or (remove) all.",
          allowedValues: ["ssm", "default", "all"],
          default: "ssm",
        },
        optionalConfigurationLocation: {
          type: "String",
          description: "(Optional) The Parameter Store parameter that holds the configuration.",
          default: "",
          allowedPattern: '[a-zA-Z0-9-"~:_@./^(*)!<>?=+]*$',
        },
        optionalRestart: {
          type: "String",
          description: "(Optional) Restart the agent after a configure action.",
          allowedValues: ["yes", "no"],
          default: "yes",
        },
      },
      mainSteps: [
        {
          precondition: platform("Windows"),
          action: "aws:runPowerShellScript",
          name: "ControlCloudWatchAgentWindows",
          inputs: {
            runCommand: [
              "# statectl placeholder: amazon-cloudwatch-agent-ctl -a '{{ action }}' -m '{{ mode }}' -c '{{ optionalConfigurationSource }}:{{ optionalConfigurationLocation }}' restart={{ optionalRestart }}",
            ],
          },
        },
        {
          precondition: platform("Linux"),
          action: "aws:runShellScript",
          name: "ControlCloudWatchAgentLinux",
          inputs: {
            runCommand: [
              "# statectl placeholder: amazon-cloudwatch-agent-ctl -a '{{ action }}' -m '{{ mode }}' -c '{{ optionalConfigurationSource }}:{{ optionalConfigurationLocation }}' restart={{ optionalRestart }}",
            ],
          },
        },
        {
          precondition: platform("MacOS"),
          action: "aws:runShellScript",
          name: "ControlCloudWatchAgentMacOS",
          inputs: {
            runCommand: [
              "# statectl placeholder: amazon-cloudwatch-agent-ctl -a '{{ action }}' -m '{{ mode }}' -c '{{ optionalConfigurationSource }}:{{ optionalConfigurationLocation }}' restart={{ optionalRestart }}",
            ],
          },
        },
      ],
    },
  },
  {
    name: "AWS-RunAnsiblePlaybook",
    source:
      "Systems Manager user guide (systems-manager-state-manager-ansible: the older document, playbook or playbookurl, extravars, check) and a public AWS::SSM::Association use with playbookurl. Linux only (aws:runShellScript).",
    documentType: "Command",
    platformTypes: ["Linux"],
    createdDate: "2018-02-01T00:00:00Z",
    content: {
      schemaVersion: "2.0",
      description:
        "Use this document to run Ansible playbooks on managed instances. For more information, see the Systems Manager user guide.",
      parameters: {
        playbook: {
          type: "String",
          description: "(Optional) The playbook itself, as YAML text. Give this or playbookurl.",
          default: "",
          displayType: "textarea",
        },
        playbookurl: {
          type: "String",
          description: "(Optional) A URL of the playbook (http://, https:// or s3://). Give this or playbook.",
          default: "",
        },
        extravars: {
          type: "String",
          description: "(Optional) Extra variables passed to Ansible, as space-separated key=value pairs.",
          default: "SSM=True",
          displayType: "textarea",
          allowedPattern: "^$|^\\w+\\=[^\\s|:();&]+(\\s\\w+\\=[^\\s|:();&]+)*$",
        },
        check: {
          type: "String",
          description: "(Optional) Run in check mode (report changes without making them).",
          allowedValues: ["True", "False"],
          default: "False",
        },
        timeoutSeconds: {
          type: "String",
          description: "(Optional) Seconds the playbook may run before it counts as failed.",
          default: "3600",
        },
      },
      mainSteps: [
        {
          action: "aws:runShellScript",
          name: "runShellScript",
          inputs: {
            timeoutSeconds: "{{ timeoutSeconds }}",
            runCommand: [
              "#!/bin/bash",
              "# statectl placeholder: ansible-playbook check={{ check }} -e '{{ extravars }}' url={{ playbookurl }}",
              "# {{ playbook }}",
            ],
          },
        },
      ],
    },
  },
  {
    name: "AWS-InstallApplication",
    source:
      "Systems Manager user guide (documents-command-ssm-plugin-reference: aws:applications inputs action, parameters, source, sourceHash). Windows only.",
    documentType: "Command",
    createdDate: "2016-01-01T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Install, repair, or uninstall an application using an .msi file.",
      parameters: {
        action: {
          type: "String",
          description: "(Required) The type of action to perform.",
          allowedValues: ["Install", "Repair", "Uninstall"],
          default: "Install",
        },
        parameters: { type: "String", description: "(Optional) The parameters for the installer.", default: "" },
        source: {
          type: "String",
          description: "(Required) The URL or local path on the instance to the application .msi file.",
        },
        sourceHash: { type: "String", description: "(Optional) The SHA256 hash of the .msi file.", default: "" },
      },
      ...runtimeConfigStep("aws:applications", {
        action: "{{ action }}",
        parameters: "{{ parameters }}",
        source: "{{ source }}",
        sourceHash: "{{ sourceHash }}",
      }),
    },
  },
  {
    name: "AWS-ApplyChefRecipes",
    source:
      "Systems Manager user guide (systems-manager-state-manager-chef: SourceType, SourceInfo, RunList, JsonAttributesContent, ChefClientVersion 11–15 or None (default 15), ChefClientArguments, WhyRun, ComplianceSeverity, ComplianceType (default Custom:Chef), ComplianceReportBucket; Linux only) and a public aws_ssm_association use.",
    documentType: "Command",
    platformTypes: ["Linux"],
    createdDate: "2019-11-25T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Apply Chef recipes to managed instances, optionally reporting Chef's results to Compliance.",
      parameters: {
        SourceType: {
          type: "String",
          description: "(Required) Where the cookbooks come from.",
          allowedValues: ["GitHub", "S3"],
        },
        SourceInfo: {
          type: "StringMap",
          description:
            "(Required) Where to download the cookbooks from (owner/repository/path for GitHub, path for S3).",
          displayType: "textarea",
        },
        RunList: {
          type: "String",
          description: "(Required) The recipes to run, e.g. recipe[cookbook::recipe],recipe[other::recipe].",
        },
        JsonAttributesContent: {
          type: "String",
          description: "(Optional) Custom JSON attributes for the Chef run.",
          default: "{}",
          displayType: "textarea",
        },
        ChefClientVersion: {
          type: "String",
          description: "(Optional) The Chef client version to install first, or None to use the one installed.",
          allowedValues: ["None", "11", "12", "13", "14", "15"],
          default: "15",
        },
        ChefClientArguments: { type: "String", description: "(Optional) More arguments for chef-client.", default: "" },
        WhyRun: {
          type: "Boolean",
          description: "(Optional) Report what the recipes would change without changing anything.",
          default: false,
        },
        ComplianceSeverity: {
          type: "String",
          description: "(Optional) The severity of the Compliance results; None skips Compliance reporting.",
          allowedValues: ["Critical", "High", "Medium", "Low", "Informational", "Unspecified", "None"],
          default: "None",
        },
        ComplianceType: {
          type: "String",
          description: "(Optional) The compliance type results are reported as (Association or Custom:<type>).",
          default: "Custom:Chef",
          allowedPattern: "^(Association|Custom:[a-zA-Z0-9_\\-]+)$",
        },
        ComplianceReportBucket: {
          type: "String",
          description: "(Optional) An S3 bucket for the Chef run and compliance reports.",
          default: "",
        },
      },
      mainSteps: [
        {
          action: "aws:downloadContent",
          name: "DownloadContent",
          inputs: { SourceType: "{{ SourceType }}", SourceInfo: "{{ SourceInfo }}" },
        },
        {
          precondition: platform("Linux"),
          action: "aws:runShellScript",
          name: "ApplyChefRecipes",
          inputs: {
            runCommand: [
              "# statectl placeholder: install chef {{ ChefClientVersion }}; chef-client -o '{{ RunList }}' {{ ChefClientArguments }} why-run={{ WhyRun }}",
              "# attributes {{ JsonAttributesContent }}; compliance {{ ComplianceSeverity }} {{ ComplianceType }} -> {{ ComplianceReportBucket }}",
            ],
          },
        },
      ],
    },
  },
  {
    name: "AWS-ApplyDSCMofs",
    source:
      "Systems Manager user guide (systems-manager-state-manager-using-mof-file: every parameter, ReportOnly/Apply, AfterMof/Immediately/Never, Custom:DSC) and public New-SSMAssociation and AWS::SSM::Association uses naming each parameter (MofsToApply … PreRebootScript); True/False values are strings. Windows only.",
    documentType: "Command",
    createdDate: "2018-11-15T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Apply PowerShell Desired State Configuration (DSC) MOF files to Windows managed instances.",
      parameters: {
        MofsToApply: {
          type: "StringList",
          description:
            "(Required) MOF files to apply: s3:bucket:key, s3:region:bucket:key, an https URL, or a UNC path.",
          minItems: 1,
        },
        ServicePath: {
          type: "String",
          description:
            "(Optional) S3 key prefix for reports and status, and the path of Parameter Store parameter-based tags.",
          default: "default",
        },
        MofOperationMode: {
          type: "String",
          description: "(Optional) Apply corrects what is not compliant; ReportOnly only reports it.",
          allowedValues: ["ReportOnly", "Apply"],
          default: "Apply",
        },
        ReportBucketName: {
          type: "String",
          description: "(Optional) S3 bucket (optionally region:bucket) for compliance reports.",
          default: "",
        },
        StatusBucketName: {
          type: "String",
          description: "(Optional) S3 bucket (optionally region:bucket) for the latest status of each node.",
          default: "",
        },
        ModuleSourceBucketName: {
          type: "String",
          description: "(Optional) S3 bucket with PowerShell modules, or NONE.",
          default: "NONE",
        },
        AllowPSGalleryModuleSource: {
          type: "String",
          description: "(Optional) Download modules from the PowerShell Gallery.",
          allowedValues: ["True", "False"],
          default: "False",
        },
        ProxyUri: { type: "String", description: "(Optional) A proxy to download MOF files through.", default: "" },
        RebootBehavior: {
          type: "String",
          description: "(Optional) When to reboot if a MOF asks for it.",
          allowedValues: ["AfterMof", "Immediately", "Never"],
          default: "AfterMof",
        },
        UseComputerNameForReporting: {
          type: "String",
          description: "(Optional) Report by computer name instead of instance id.",
          allowedValues: ["True", "False"],
          default: "False",
        },
        EnableVerboseLogging: {
          type: "String",
          description: "(Optional) Verbose logging.",
          allowedValues: ["True", "False"],
          default: "False",
        },
        EnableDebugLogging: {
          type: "String",
          description: "(Optional) Debug logging.",
          allowedValues: ["True", "False"],
          default: "False",
        },
        ComplianceType: {
          type: "String",
          description: "(Optional) The compliance type results are reported as.",
          default: "Custom:DSC",
        },
        PreRebootScript: {
          type: "String",
          description: "(Optional) A one-line script to run before a reboot.",
          default: "",
        },
      },
      mainSteps: [
        {
          precondition: platform("Windows"),
          action: "aws:runPowerShellScript",
          name: "runPowerShellScript",
          inputs: {
            runCommand: [
              "# statectl placeholder: apply {{ MofsToApply }} mode={{ MofOperationMode }} path={{ ServicePath }} reports={{ ReportBucketName }} status={{ StatusBucketName }}",
              "# modules={{ ModuleSourceBucketName }} gallery={{ AllowPSGalleryModuleSource }} proxy={{ ProxyUri }} reboot={{ RebootBehavior }} name={{ UseComputerNameForReporting }}",
              "# verbose={{ EnableVerboseLogging }} debug={{ EnableDebugLogging }} compliance={{ ComplianceType }} prereboot={{ PreRebootScript }}",
            ],
          },
        },
      ],
    },
  },
  {
    name: "AWS-ConfigureDocker",
    source:
      "Systems Manager user guide (documents-command-ssm-plugin-reference: aws:configureDocker, action Install|Uninstall; Windows and Linux).",
    documentType: "Command",
    createdDate: "2017-11-01T00:00:00Z",
    content: {
      schemaVersion: "2.0",
      description: "Install or uninstall the Docker engine on a managed instance.",
      parameters: {
        action: {
          type: "String",
          description: "(Required) Install or uninstall Docker.",
          allowedValues: ["Install", "Uninstall"],
        },
      },
      mainSteps: [{ action: "aws:configureDocker", name: "configureDocker", inputs: { action: "{{ action }}" } }],
    },
  },
  {
    name: "AWS-InstallWindowsUpdates",
    source:
      "Systems Manager user guide (patch-manager-ssm-documents and the Windows update walkthroughs: Action Install|Scan, AllowReboot, Categories, SeverityLevels, IncludeKbs, ExcludeKbs, PublishedDaysOld, PublishedDateAfter, PublishedDateBefore). Windows only.",
    documentType: "Command",
    createdDate: "2017-03-01T00:00:00Z",
    content: {
      schemaVersion: "2.0",
      description: "Install (or scan for) Windows updates, filtered by category, severity, KB and publication date.",
      parameters: {
        Action: {
          type: "String",
          description: "(Optional) Install the updates found, or only scan for them.",
          allowedValues: ["Install", "Scan"],
          default: "Install",
        },
        AllowReboot: {
          type: "String",
          description: "(Optional) Allow a reboot when an update needs one.",
          allowedValues: ["True", "False"],
          default: "False",
        },
        Categories: {
          type: "String",
          description: "(Optional) Comma-separated update categories (CriticalUpdates, SecurityUpdates, …).",
          default: "",
        },
        SeverityLevels: {
          type: "String",
          description: "(Optional) Comma-separated MSRC severities (Critical, Important, Low, Moderate, Unspecified).",
          default: "",
        },
        IncludeKbs: { type: "String", description: "(Optional) Comma-separated KB articles to include.", default: "" },
        ExcludeKbs: { type: "String", description: "(Optional) Comma-separated KB articles to exclude.", default: "" },
        PublishedDaysOld: {
          type: "String",
          description: "(Optional) Only updates published at least this many days ago.",
          default: "",
        },
        PublishedDateAfter: {
          type: "String",
          description: "(Optional) Only updates published after this date (yyyy-MM-dd).",
          default: "",
        },
        PublishedDateBefore: {
          type: "String",
          description: "(Optional) Only updates published before this date (yyyy-MM-dd).",
          default: "",
        },
      },
      mainSteps: [
        {
          precondition: platform("Windows"),
          action: "aws:runPowerShellScript",
          name: "InstallWindowsUpdates",
          inputs: {
            timeoutSeconds: 14400,
            runCommand: [
              "# statectl placeholder: {{ Action }} updates reboot={{ AllowReboot }} categories={{ Categories }} severities={{ SeverityLevels }}",
              "# include={{ IncludeKbs }} exclude={{ ExcludeKbs }} age={{ PublishedDaysOld }} after={{ PublishedDateAfter }} before={{ PublishedDateBefore }}",
            ],
          },
        },
      ],
    },
  },
  {
    name: "AWS-ConfigureWindowsUpdate",
    source:
      "Systems Manager user guide (the Windows update configuration walkthrough: updateLevel, scheduledInstallDay, scheduledInstallTime). Windows only; the hour list is inferred.",
    documentType: "Command",
    platformTypes: ["Windows"],
    createdDate: "2017-03-01T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Configure Windows Update: install updates automatically on a schedule, or never check for them.",
      parameters: {
        updateLevel: {
          type: "String",
          description: "(Required) Install updates automatically, or never check for updates.",
          allowedValues: ["InstallUpdatesAutomatically", "NeverCheckForUpdates"],
        },
        scheduledInstallDay: {
          type: "String",
          description: "(Optional) The day updates install on (with InstallUpdatesAutomatically).",
          allowedValues: ["Daily", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
          default: "Daily",
        },
        scheduledInstallTime: {
          type: "String",
          description: "(Optional) The hour updates install at, 24-hour clock.",
          allowedValues: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`),
          default: "03:00",
        },
      },
      ...runtimeConfigStep("aws:runPowerShellScript", {
        runCommand: [
          "# statectl placeholder: level={{ updateLevel }} day={{ scheduledInstallDay }} time={{ scheduledInstallTime }}",
        ],
      }),
    },
  },
  {
    name: "AWS-RefreshAssociation",
    source:
      "Systems Manager user guide (documents-command-ssm-plugin-reference: aws:refreshAssociation, associationIds; every platform).",
    documentType: "Command",
    createdDate: "2017-09-01T00:00:00Z",
    content: {
      schemaVersion: "2.0",
      description: "Refresh (apply again) the associations of the targeted instances.",
      parameters: {
        associationIds: {
          type: "StringList",
          description: "(Optional) Associations to apply; empty means every association of the instance.",
          default: [],
          displayType: "textarea",
        },
      },
      mainSteps: [
        {
          action: "aws:refreshAssociation",
          name: "refreshAssociation",
          inputs: { associationIds: "{{ associationIds }}" },
        },
      ],
    },
  },
  {
    name: "AWS-RunInspecChecks",
    source:
      "Systems Manager user guide (integration-chef-inspec: sourceType GitHub|S3 and sourceInfo, like AWS-RunRemoteScript; Windows and Linux).",
    documentType: "Command",
    platformTypes: ["Windows", "Linux"],
    createdDate: "2018-06-01T00:00:00Z",
    content: {
      schemaVersion: "2.2",
      description: "Run Chef InSpec profiles and report their results to Compliance.",
      parameters: {
        sourceType: {
          type: "String",
          description: "(Required) Where the InSpec profile comes from.",
          allowedValues: ["GitHub", "S3"],
        },
        sourceInfo: {
          type: "StringMap",
          description: "(Required) Where to download the profile from.",
          displayType: "textarea",
        },
      },
      mainSteps: [
        {
          action: "aws:downloadContent",
          name: "downloadContent",
          inputs: { sourceType: "{{ sourceType }}", sourceInfo: "{{ sourceInfo }}" },
        },
        {
          precondition: platform("Windows"),
          action: "aws:runPowerShellScript",
          name: "runInSpecWindows",
          inputs: { runCommand: ["# statectl placeholder: inspec exec (profile from {{ sourceType }})"] },
        },
        {
          precondition: platform("Linux"),
          action: "aws:runShellScript",
          name: "runInSpecLinux",
          inputs: { runCommand: ["# statectl placeholder: inspec exec (profile from {{ sourceType }})"] },
        },
      ],
    },
  },
  {
    name: "AWS-UpdateEC2Config",
    source:
      "Systems Manager user guide (documents-command-ssm-plugin-reference: aws:updateAgent; the parameters mirror AWS-UpdateSSMAgent). Windows only.",
    documentType: "Command",
    createdDate: "2016-01-01T00:00:00Z",
    content: {
      schemaVersion: "1.2",
      description: "Update the EC2Config service to the latest version or a given version.",
      parameters: {
        version: {
          type: "String",
          description: "(Optional) EC2Config version to install; empty means the latest.",
          default: "",
        },
        allowDowngrade: {
          type: "String",
          description: "(Optional) Allow moving to an older version.",
          default: "false",
          allowedValues: ["true", "false"],
        },
      },
      ...runtimeConfigStep("aws:updateAgent", {
        agentName: "Ec2Config",
        source: "https://s3.{Region}.amazonaws.com/aws-ssm-{Region}/manifest.json",
        allowDowngrade: "{{ allowDowngrade }}",
        targetVersion: "{{ version }}",
      }),
    },
  },
  ...(["Restart", "Stop", "Start"] as const).map((verb): AwsOwnedDocument => ({
    name: `AWS-${verb}EC2Instance`,
    source: `AWS Systems Manager Automation runbook reference (automation-aws-${verb.toLowerCase()}ec2instance): AutomationAssumeRole String optional, InstanceId StringList required; platforms Linux, macOS, Windows.`,
    documentType: "Automation",
    platformTypes: ["Windows", "Linux", "MacOS"],
    createdDate: "2017-06-01T00:00:00Z",
    content: {
      schemaVersion: "0.3",
      description: `${verb} one or more EC2 instances.`,
      assumeRole: "{{ AutomationAssumeRole }}",
      parameters: {
        InstanceId: { type: "StringList", description: `(Required) EC2 instances to ${verb.toLowerCase()}.` },
        AutomationAssumeRole: {
          type: "String",
          description: "(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.",
          default: "",
        },
      },
      mainSteps: [
        ...(verb === "Start"
          ? []
          : [
              {
                name: "stopInstances",
                action: "aws:changeInstanceState",
                inputs: { InstanceIds: "{{ InstanceId }}", DesiredState: "stopped" },
              },
            ]),
        ...(verb === "Stop"
          ? []
          : [
              {
                name: "startInstances",
                action: "aws:changeInstanceState",
                inputs: { InstanceIds: "{{ InstanceId }}", DesiredState: "running" },
              },
            ]),
      ],
    },
  })),
  {
    name: "AWS-CreateImage",
    source:
      "AWS Systems Manager Automation runbook reference (automation-aws-createimage): InstanceId String required, NoReboot Boolean optional, AutomationAssumeRole optional; platforms Linux, macOS, Windows.",
    documentType: "Automation",
    platformTypes: ["Windows", "Linux", "MacOS"],
    createdDate: "2017-06-01T00:00:00Z",
    content: {
      schemaVersion: "0.3",
      description: "Create a new Amazon Machine Image (AMI) from an EC2 instance.",
      assumeRole: "{{ AutomationAssumeRole }}",
      parameters: {
        InstanceId: { type: "String", description: "(Required) The ID of the EC2 instance." },
        NoReboot: {
          type: "Boolean",
          description: "(Optional) Do not reboot the instance before creating the image.",
          default: false,
        },
        AutomationAssumeRole: {
          type: "String",
          description: "(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.",
          default: "",
        },
      },
      mainSteps: [
        {
          name: "createImage",
          action: "aws:createImage",
          onFailure: "Abort",
          inputs: {
            InstanceId: "{{ InstanceId }}",
            ImageName: "{{ InstanceId }}_{{ automation:EXECUTION_ID }}",
            NoReboot: "{{ NoReboot }}",
          },
        },
      ],
    },
  },
  {
    name: "AWS-PatchInstanceWithRollback",
    source:
      "AWS Systems Manager Automation runbook reference (automation-aws-patchinstancewithrollback): InstanceId String required, ReportS3Bucket, LambdaAssumeRole, AutomationAssumeRole optional; its eleven steps and their actions; platforms Linux, macOS, Windows.",
    documentType: "Automation",
    platformTypes: ["Windows", "Linux", "MacOS"],
    createdDate: "2018-06-01T00:00:00Z",
    content: {
      schemaVersion: "0.3",
      description:
        "Bring an EC2 instance into compliance with its patch baseline; roll the root volume back on failure.",
      assumeRole: "{{ AutomationAssumeRole }}",
      parameters: {
        InstanceId: { type: "String", description: "(Required) The EC2 instance to patch." },
        ReportS3Bucket: {
          type: "String",
          description: "(Optional) S3 bucket for the compliance report of the run.",
          default: "",
        },
        LambdaAssumeRole: {
          type: "String",
          description: "(Optional) The role the Lambda functions the runbook creates use.",
          default: "",
        },
        AutomationAssumeRole: {
          type: "String",
          description: "(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.",
          default: "",
        },
      },
      mainSteps: [
        ["createDocumentStack", "aws:createStack"],
        ["IdentifyRootVolume", "aws:invokeLambdaFunction"],
        ["PrePatchSnapshot", "aws:executeAutomation"],
        ["installMissingUpdates", "aws:runCommand"],
        ["SleepThruInstallation", "aws:invokeLambdaFunction"],
        ["CheckCompliance", "aws:invokeLambdaFunction"],
        ["SaveComplianceReportToS3", "aws:invokeLambdaFunction"],
        ["ReportSuccessOrFailure", "aws:invokeLambdaFunction"],
        ["RestoreFromSnapshot", "aws:invokeLambdaFunction"],
        ["DeleteSnapshot", "aws:invokeLambdaFunction"],
        ["deleteCloudFormationTemplate", "aws:deleteStack"],
      ].map(([name, action]) => ({
        name,
        action,
        inputs: {
          InstanceId: "{{ InstanceId }}",
          ReportS3Bucket: "{{ ReportS3Bucket }}",
          LambdaAssumeRole: "{{ LambdaAssumeRole }}",
        },
      })),
    },
  },
];

export function findAwsOwnedDocument(name: string): AwsOwnedDocument | undefined {
  return AWS_OWNED_DOCUMENTS.find((d) => d.name === name);
}

/**
 * Whether a Command document runs on Linux (and macOS) only: every step is aws:runShellScript
 * (schema 1.2 runtimeConfig or 2.x mainSteps) and no step is meant for Windows. Undefined when
 * that cannot be told (other plugins, content that is not a parsed object).
 */
export function isLinuxOnlyDocument(content: unknown): boolean {
  if (content === null || typeof content !== "object" || Array.isArray(content)) return false;
  const c = content as Record<string, unknown>;
  const plugins: string[] = [];
  const runtime = c["runtimeConfig"];
  if (runtime !== null && typeof runtime === "object" && !Array.isArray(runtime)) plugins.push(...Object.keys(runtime));
  const steps = c["mainSteps"];
  if (Array.isArray(steps)) {
    for (const step of steps) {
      if (step === null || typeof step !== "object") return false;
      const s = step as Record<string, unknown>;
      if (JSON.stringify(s["precondition"] ?? null).includes("Windows")) return false;
      const action = s["action"];
      plugins.push(typeof action === "string" ? action : "");
    }
  }
  return plugins.length > 0 && plugins.every((p) => p === "aws:runShellScript");
}
