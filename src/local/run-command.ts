/**
 * The Run Command area, as far as State Manager uses it: every association run is a command (its
 * id is the execution targets' OutputSource.OutputSourceId) with one invocation per instance it
 * ran on, carrying what the simulated agent printed. ListCommandInvocations and
 * GetCommandInvocation read them from the association executions the simulator recorded; this
 * area stores nothing of its own.
 *
 * Output is inline up to Run Command's limits (2,500 characters per plugin in
 * ListCommandInvocations, 24,000 of stdout and 8,000 of stderr in GetCommandInvocation); when the
 * association has an S3 OutputLocation the invocation also points at where the full output lives.
 */
import { wireTime, type Area, type EndpointCore } from "./core.js";
import { SsmError } from "./errors.js";
import { checkPaging, paginate } from "./paging.js";
import { check } from "./validate.js";
import { simulationState } from "./associations.js";
import type { AssociationConfig, ExecutionRecord, ExecutionTargetRecord } from "./simulator.js";
import type { PluginOutput } from "./agent.js";

const INSTANCE_ID = "(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)";
export const PLUGIN_OUTPUT_LIMIT = 2500;
export const STDOUT_CONTENT_LIMIT = 24000;
export const STDERR_CONTENT_LIMIT = 8000;

interface Invocation {
  commandId: string;
  associationId: string;
  config: AssociationConfig;
  documentName: string;
  documentVersion: string;
  execution: ExecutionRecord;
  target: ExecutionTargetRecord;
  plugins: PluginOutput[];
}

/** Every invocation the simulator recorded, newest first. */
function invocations(core: EndpointCore): Invocation[] {
  const state = simulationState(core);
  const out: Invocation[] = [];
  for (const [associationId, executions] of Object.entries(state.executions)) {
    const record = state.associations[associationId];
    if (!record) continue;
    for (const execution of executions) {
      const config = record.versions.find((v) => v.version === execution.associationVersion)?.config ?? record.config;
      for (const target of execution.targets) {
        if (!target.plugins) continue;
        const result = state.instanceStatus[target.resourceId]?.[associationId];
        out.push({
          commandId: target.outputSourceId,
          associationId,
          config,
          documentName: result?.outputSourceId === target.outputSourceId ? result.documentName : config.Name,
          documentVersion: result?.outputSourceId === target.outputSourceId ? result.documentVersion : "",
          execution,
          target,
          plugins: target.plugins,
        });
      }
    }
  }
  return out.sort(
    (a, b) => b.execution.createdTime - a.execution.createdTime || (a.target.resourceId < b.target.resourceId ? -1 : 1),
  );
}

function joined(plugins: readonly PluginOutput[], stream: "stdout" | "stderr"): string {
  return plugins.map((p) => p[stream]).join("");
}

/** Where the full output of a plugin lands in S3, when the association names a bucket. */
function s3Url(core: EndpointCore, inv: Invocation, plugin: string | undefined, stream: "stdout" | "stderr"): string {
  const s3 = (
    inv.config.OutputLocation as
      { S3Location?: { OutputS3BucketName?: string; OutputS3KeyPrefix?: string; OutputS3Region?: string } } | undefined
  )?.S3Location;
  if (!s3?.OutputS3BucketName) return "";
  const region = s3.OutputS3Region ?? core.settings.region;
  const prefix = s3.OutputS3KeyPrefix ? `${s3.OutputS3KeyPrefix.replace(/\/$/, "")}/` : "";
  const step = plugin ? `/${plugin.replace(/[^A-Za-z0-9_.-]/g, "")}` : "";
  return `https://s3.${region}.amazonaws.com/${s3.OutputS3BucketName}/${prefix}${inv.commandId}/${inv.target.resourceId}/awsrunShellScript${step}/${stream}`;
}

/** Run Command's Status: a real run still going reads Pending, then InProgress (execution on). */
function status(inv: Invocation): string {
  const s = inv.target.status;
  return s === "Success" || s === "Pending" || s === "InProgress" ? s : "Failed";
}

/** Run Command's StatusDetails: the target's detail (InvalidPlatform when nothing was delivered). */
function statusDetails(inv: Invocation): string {
  return inv.plugins.length === 0 ? inv.target.detailedStatus : status(inv);
}

export const runCommandArea: Area = {
  name: "run-command",

  operations: {
    ListCommandInvocations(input, ctx) {
      const req = check(input, (c) => {
        const commandId = c.string("CommandId", { min: 36, max: 36 });
        const instanceId = c.string("InstanceId", { pattern: INSTANCE_ID });
        const filters = (c.list("Filters", { min: 1, max: 5 }) ?? []) as Array<{ key: string; value: string }>;
        filters.forEach((raw, i) => {
          const f = c.nested(`filters.${i + 1}.member`, raw);
          f.string("key", {
            required: true,
            enum: ["InvokedAfter", "InvokedBefore", "Status", "ExecutionStage", "DocumentName"],
          });
          f.string("value", { required: true, min: 1, max: 128 });
        });
        const details = c.boolean("Details") ?? false;
        return { commandId, instanceId, filters, details, ...checkPaging(c, { defaultMax: 50, min: 1, max: 50 }) };
      });
      const all = invocations(ctx);
      if (req.commandId !== undefined && !all.some((i) => i.commandId === req.commandId))
        throw new SsmError("InvalidCommandId", "");
      const time = (v: string) => {
        const t = Date.parse(v);
        if (Number.isNaN(t)) throw new SsmError("InvalidFilterValue", `${v} is not an ISO 8601 time.`);
        return t;
      };
      const rows = all.filter(
        (i) =>
          (req.commandId === undefined || i.commandId === req.commandId) &&
          (req.instanceId === undefined || i.target.resourceId === req.instanceId) &&
          req.filters.every((f) => {
            switch (f.key) {
              case "InvokedAfter":
                return i.execution.createdTime >= time(f.value);
              case "InvokedBefore":
                return i.execution.createdTime <= time(f.value);
              case "Status":
                return status(i) === f.value;
              case "ExecutionStage":
                return f.value === "Complete";
              default:
                return i.documentName === f.value;
            }
          }),
      );
      const page = paginate(
        "ListCommandInvocations",
        rows,
        (i) => `${i.commandId}/${i.target.resourceId}`,
        req.maxResults,
        req.nextToken,
      );
      const fleet = simulationState(ctx).fleet;
      return {
        CommandInvocations: page.items.map((i) => ({
          CommandId: i.commandId,
          InstanceId: i.target.resourceId,
          InstanceName: fleet.find((f) => f.instanceId === i.target.resourceId)?.computerName ?? "",
          // State Manager's commands carry "association id:execution id" as their comment.
          Comment: `${i.associationId}:${i.execution.executionId}`,
          DocumentName: i.documentName,
          DocumentVersion: i.documentVersion,
          RequestedDateTime: wireTime(i.execution.createdTime),
          Status: status(i),
          StatusDetails: statusDetails(i),
          StandardOutputUrl: s3Url(ctx, i, undefined, "stdout"),
          StandardErrorUrl: s3Url(ctx, i, undefined, "stderr"),
          ...(req.details
            ? {
                CommandPlugins: i.plugins.map((p) => ({
                  Name: p.name,
                  Status: p.status,
                  StatusDetails: p.status,
                  ResponseCode: p.responseCode,
                  ResponseStartDateTime: wireTime(i.execution.createdTime),
                  ResponseFinishDateTime: wireTime(i.execution.createdTime),
                  // What the console shows: stdout, then the error stream under a marker.
                  Output: `${p.stdout}${p.stderr ? `\n----------ERROR-------\n${p.stderr}` : ""}`.slice(
                    0,
                    PLUGIN_OUTPUT_LIMIT,
                  ),
                  StandardOutputUrl: s3Url(ctx, i, p.name, "stdout"),
                  StandardErrorUrl: s3Url(ctx, i, p.name, "stderr"),
                })),
              }
            : {}),
          ServiceRole: "",
          CloudWatchOutputConfig: { CloudWatchLogGroupName: "", CloudWatchOutputEnabled: false },
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    },

    GetCommandInvocation(input, ctx) {
      const req = check(input, (c) => ({
        commandId: c.requiredString("CommandId", { min: 36, max: 36 }),
        instanceId: c.requiredString("InstanceId", { pattern: INSTANCE_ID }),
        pluginName: c.string("PluginName", { min: 4 }),
      }));
      const all = invocations(ctx).filter((i) => i.commandId === req.commandId);
      if (all.length === 0) throw new SsmError("InvalidCommandId", "");
      const inv = all.find((i) => i.target.resourceId === req.instanceId);
      if (!inv) throw new SsmError("InvocationDoesNotExist", "");
      let plugins = inv.plugins;
      if (req.pluginName !== undefined) {
        plugins = plugins.filter((p) => p.name === req.pluginName);
        if (plugins.length === 0) throw new SsmError("InvalidPluginName", "");
      }
      const failed = plugins.find((p) => p.status === "Failed");
      const iso = new Date(inv.execution.createdTime).toISOString();
      const going = inv.target.status === "Pending" || inv.target.status === "InProgress";
      return {
        CommandId: inv.commandId,
        InstanceId: inv.target.resourceId,
        Comment: `${inv.associationId}:${inv.execution.executionId}`,
        DocumentName: inv.documentName,
        DocumentVersion: inv.documentVersion,
        ...(req.pluginName !== undefined
          ? { PluginName: req.pluginName }
          : plugins.length === 1 && plugins[0]
            ? { PluginName: plugins[0].name }
            : {}),
        // -1: no plugin ran (the document was not delivered, e.g. InvalidPlatform). A success keeps
        // its own code (a real run that asked for a reboot answers 194 or 3010).
        ResponseCode: (failed ?? plugins.at(-1))?.responseCode ?? -1,
        ExecutionStartDateTime: iso,
        ExecutionElapsedTime: "PT0S",
        ExecutionEndDateTime: going ? "" : iso,
        Status: req.pluginName !== undefined ? (failed ? "Failed" : "Success") : status(inv),
        StatusDetails: req.pluginName !== undefined ? (failed ? "Failed" : "Success") : statusDetails(inv),
        StandardOutputContent: joined(plugins, "stdout").slice(0, STDOUT_CONTENT_LIMIT),
        StandardOutputUrl: s3Url(ctx, inv, req.pluginName, "stdout"),
        StandardErrorContent: joined(plugins, "stderr").slice(0, STDERR_CONTENT_LIMIT),
        StandardErrorUrl: s3Url(ctx, inv, req.pluginName, "stderr"),
        CloudWatchOutputConfig: { CloudWatchLogGroupName: "", CloudWatchOutputEnabled: false },
      };
    },
  },
};
