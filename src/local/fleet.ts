/**
 * The simulated fleet: managed instances the local endpoint pretends to manage, the default fleet
 * a fresh endpoint starts with, and target resolution (spec 3.10) against it. Plain data, so the
 * endpoint's store can persist it as it is.
 */
import { randomBytes } from "node:crypto";

export type PlatformType = "Linux" | "Windows" | "MacOS";
export const PLATFORM_TYPES: readonly PlatformType[] = ["Linux", "Windows", "MacOS"];
export type PingStatus = "Online" | "ConnectionLost" | "Inactive";
export const PING_STATUSES: readonly PingStatus[] = ["Online", "ConnectionLost", "Inactive"];

export interface ManagedInstance {
  /** `i-` + 8 or 17 characters (EC2) or `mi-` + 17 (hybrid). */
  instanceId: string;
  name: string;
  platformType: PlatformType;
  platformName: string;
  platformVersion: string;
  agentVersion: string;
  pingStatus: PingStatus;
  /** "EC2Instance" for `i-` ids, "ManagedInstance" for `mi-` ids. */
  resourceType: "EC2Instance" | "ManagedInstance";
  ipAddress: string;
  computerName: string;
  /** Epoch milliseconds. */
  registrationDate: number;
  tags: Record<string, string>;
  /** Resource groups (by name) the instance belongs to, for `resource-groups:Name` targets. */
  resourceGroups: string[];
  /** Test hook: documents (by name) that always fail on this instance. */
  failDocuments: string[];
}

export const LATEST_AGENT_VERSION = "3.3.1142.0";

export const INSTANCE_ID_PATTERN = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;

export interface NewInstance {
  instanceId?: string;
  name: string;
  platformType?: PlatformType;
  platformName?: string;
  platformVersion?: string;
  agentVersion?: string;
  pingStatus?: PingStatus;
  tags?: Record<string, string>;
  resourceGroups?: string[];
  failDocuments?: string[];
  ipAddress?: string;
}

const PLATFORM_DEFAULTS: Record<PlatformType, { platformName: string; platformVersion: string }> = {
  Linux: { platformName: "Amazon Linux", platformVersion: "2023" },
  Windows: { platformName: "Microsoft Windows Server 2022 Datacenter", platformVersion: "10.0.20348" },
  MacOS: { platformName: "macOS", platformVersion: "14.4" },
};

/** A fresh EC2-style id (`i-` + 17 hex digits), or a hybrid `mi-` id. */
export function newInstanceId(kind: "ec2" | "hybrid" = "ec2"): string {
  const hex = randomBytes(9).toString("hex").slice(0, 17);
  return kind === "ec2" ? `i-${hex}` : `mi-${hex}`;
}

/** Fills in an instance from the few facts a caller gives; throws on a malformed id. */
export function makeInstance(
  spec: NewInstance,
  now: number,
  existingIps: ReadonlySet<string> = new Set(),
): ManagedInstance {
  const instanceId = spec.instanceId ?? newInstanceId();
  if (!INSTANCE_ID_PATTERN.test(instanceId)) {
    throw new Error(
      `"${instanceId}" is not a valid instance id (i- followed by 8 or 17 characters, or mi- followed by 17).`,
    );
  }
  const platformType = spec.platformType ?? "Linux";
  const defaults = PLATFORM_DEFAULTS[platformType];
  let ip = spec.ipAddress;
  for (let n = 10; ip === undefined; n++) if (!existingIps.has(`10.0.0.${n}`)) ip = `10.0.0.${n}`;
  return {
    instanceId,
    name: spec.name,
    platformType,
    platformName: spec.platformName ?? defaults.platformName,
    platformVersion: spec.platformVersion ?? defaults.platformVersion,
    agentVersion: spec.agentVersion ?? LATEST_AGENT_VERSION,
    pingStatus: spec.pingStatus ?? "Online",
    resourceType: instanceId.startsWith("mi-") ? "ManagedInstance" : "EC2Instance",
    ipAddress: ip,
    computerName: platformType === "Windows" ? spec.name.toUpperCase() : `${spec.name}.local`,
    registrationDate: now,
    tags: { ...(spec.tags ?? {}) },
    resourceGroups: [...(spec.resourceGroups ?? [])],
    failDocuments: [...(spec.failDocuments ?? [])],
  };
}

/**
 * The fleet a fresh endpoint starts with (docs/local-endpoint.md lists it): two Linux web servers,
 * a Linux database and a Windows application server. Fixed ids so examples and tests can name them.
 */
export function defaultFleet(now: number): ManagedInstance[] {
  const specs: NewInstance[] = [
    {
      instanceId: "i-0web00000000000a1",
      name: "web-1",
      tags: { Name: "web-1", Role: "web", Env: "dev" },
      resourceGroups: ["web-servers"],
    },
    {
      instanceId: "i-0web00000000000a2",
      name: "web-2",
      tags: { Name: "web-2", Role: "web", Env: "dev" },
      resourceGroups: ["web-servers"],
    },
    {
      instanceId: "i-0db000000000000b1",
      name: "db-1",
      platformName: "Ubuntu",
      platformVersion: "22.04",
      tags: { Name: "db-1", Role: "db", Env: "dev" },
    },
    {
      instanceId: "mi-0win00000000000c1",
      name: "win-1",
      platformType: "Windows",
      tags: { Name: "win-1", Role: "app", Env: "dev" },
    },
  ];
  const ips = new Set<string>();
  return specs.map((spec) => {
    const instance = makeInstance(spec, now, ips);
    ips.add(instance.ipAddress);
    return instance;
  });
}

export interface Target {
  Key?: string | undefined;
  Values?: string[] | undefined;
}

export type TargetProblem = { readonly message: string; readonly target: Target };

const AUTOMATION_ONLY_KEYS = new Set([
  "ParameterValues",
  "ResourceGroup",
  "AWS::EC2::Instance",
  "aws:NoOpAutomationTag",
]);

/**
 * Checks target keys and values the way CreateAssociation does before anything runs. Returns the
 * first problem (AWS reports one), or undefined. `automation` admits the Automation-only keys.
 */
export function checkTargets(targets: readonly Target[], automation: boolean): TargetProblem | undefined {
  for (const target of targets) {
    const key = target.Key ?? "";
    const values = target.Values ?? [];
    if (key.toLowerCase() === "instanceids") {
      const bad = values.find((v) => v !== "*" && !INSTANCE_ID_PATTERN.test(v));
      if (bad !== undefined) return { message: `Invalid instance id ${bad}`, target };
      if (values.includes("*") && values.length > 1)
        return { message: "The wildcard * must be the only value for InstanceIds", target };
      continue;
    }
    if (key.startsWith("tag:") && key.length > 4) continue;
    if (key === "tag-key") continue;
    if (key === "resource-groups:Name") {
      if (values.length !== 1) return { message: "Only one resource group can be specified as target", target };
      continue;
    }
    if (key === "resource-groups:ResourceTypeFilters") continue;
    if (automation && AUTOMATION_ONLY_KEYS.has(key)) continue;
    return { message: "Unsupported Target Type", target };
  }
  return undefined;
}

/** Whether one instance matches every target entry (entries AND, values within an entry OR). */
export function instanceMatches(instance: ManagedInstance, targets: readonly Target[]): boolean {
  if (targets.length === 0) return false;
  return targets.every((target) => matchesOne(instance, target));
}

function matchesOne(instance: ManagedInstance, target: Target): boolean {
  const key = target.Key ?? "";
  const values = target.Values ?? [];
  if (key.toLowerCase() === "instanceids") return values.includes("*") || values.includes(instance.instanceId);
  if (key.startsWith("tag:")) {
    const tagValue = instance.tags[key.slice(4)];
    return tagValue !== undefined && values.includes(tagValue);
  }
  if (key === "tag-key") return values.some((k) => k in instance.tags);
  if (key === "resource-groups:Name") return values.some((g) => instance.resourceGroups.includes(g));
  if (key === "resource-groups:ResourceTypeFilters") {
    const type = instance.resourceType === "EC2Instance" ? "AWS::EC2::Instance" : "AWS::SSM::ManagedInstance";
    return values.length === 0 || values.includes(type);
  }
  return false;
}

/** The instances that a set of targets resolves to, in fleet order. Inactive instances never match. */
export function resolveTargets(fleet: readonly ManagedInstance[], targets: readonly Target[]): ManagedInstance[] {
  return fleet.filter((instance) => instance.pingStatus !== "Inactive" && instanceMatches(instance, targets));
}

/** Parses `Key=Value` tag arguments (the CLI's form) into a map; a bare `Key` gets an empty value. */
export function parseTagArguments(args: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq === 0) throw new Error(`"${arg}" has no tag key`);
    if (eq < 0) tags[arg] = "";
    else tags[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return tags;
}
