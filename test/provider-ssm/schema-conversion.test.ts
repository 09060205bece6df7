// The resource schema (ssm/resource-schema.ts) names each attribute's SDK member. The provider's
// conversion to and from the SDK is checked against it here, both ways, so an attribute added to
// the schema without its conversion (or sent under another name) fails this test.
import { expect } from "chai";
import { SSMClient, type AssociationDescription } from "@aws-sdk/client-ssm";
import { ASSOCIATION_RESOURCE } from "../../src/ssm/index.js";
import { associationRequest, type AssociationSpec } from "../../src/provider-ssm/index.js";
import { toAssociationState } from "../../src/provider-ssm/associations.js";
import { ProviderContext } from "../../src/provider-ssm/context.js";

// Every attribute a configuration may set, each with a value SSM would accept.
const FULL: Required<Omit<AssociationSpec, "tags">> = {
  name: "web-baseline",
  document: "AWS-RunShellScript",
  document_version: "3",
  targets: [{ key: "tag:Role", values: ["web"] }],
  parameters: { commands: ["echo hi"] },
  schedule: "cron(0 2 ? * SUN *)",
  schedule_offset: 2,
  apply_only_at_cron_interval: true,
  compliance_severity: "HIGH",
  max_concurrency: "10%",
  max_errors: "1",
  sync_compliance: "MANUAL",
  output_location: { s3_bucket: "logs-bucket", s3_key_prefix: "ssm/", s3_region: "eu-west-1" },
  calendar_names: ["business-hours"],
  duration: 4,
  automation_target_parameter_name: "InstanceId",
  target_maps: [{ InstanceId: ["i-0123456789abcdef0"] }],
  target_locations: [{ accounts: ["111111111111"], regions: ["eu-west-1"] }],
  alarm_configuration: { ignore_poll_alarm_failure: true, alarms: [{ name: "cpu-high" }] },
  dispatch_assume_role: "arn:aws:iam::111111111111:role/dispatch",
};

const attributes = Object.entries(ASSOCIATION_RESOURCE.attributes) as [
  string,
  { mode: string; change: string; sdk?: string },
][];
// Tags travel in their own calls (AddTagsToResource), statectl's own settings in none.
const sentInRequest = attributes.filter(
  ([, a]) => a.mode !== "computed" && a.change !== "local" && a.sdk !== undefined && a.sdk !== "Tags",
);

describe("provider-ssm: the association conversion follows the resource schema", () => {
  it("the test's full spec sets every attribute the schema lets a configuration send", () => {
    expect(sentInRequest.map(([n]) => n).sort()).to.deep.equal(Object.keys(FULL).sort());
  });

  it("sends every configurable attribute as the SDK member the schema names, and nothing else", () => {
    const request = associationRequest(FULL) as Record<string, unknown>;
    expect(sentInRequest.filter(([, a]) => request[a.sdk!] === undefined).map(([n]) => n)).to.deep.equal([]);
    const named = new Set(sentInRequest.map(([, a]) => a.sdk));
    expect(Object.keys(request).filter((k) => !named.has(k))).to.deep.equal([]);
  });

  it("reads every attribute back from the member the schema names, to the value that was sent", async () => {
    const description = {
      ...(associationRequest(FULL) as AssociationDescription),
      AssociationId: "8dfe3659-4309-493a-8755-0123456789ab",
      AssociationVersion: "1",
      Overview: { Status: "Success", DetailedStatus: "Success" },
    } satisfies AssociationDescription;
    const ctx = new ProviderContext(
      new SSMClient({ region: "eu-west-1", credentials: { accessKeyId: "unused", secretAccessKey: "unused" } }),
      { accountId: "111111111111" },
    );
    const state = (await toAssociationState(ctx, description, {})) as unknown as Record<string, unknown>;
    for (const [name] of sentInRequest)
      expect(state[name], name).to.deep.equal((FULL as Record<string, unknown>)[name]);
    const computed = attributes.filter(([, a]) => a.mode === "computed").map(([n]) => n);
    expect(computed.filter((n) => state[n] === undefined)).to.deep.equal([]);
  });
});
