/**
 * Resource ids are user input too: an association, execution, automation, command or instance id
 * such as "__proto__" or "constructor" is an ordinary unknown id — the same error a look-alike id
 * gets (InvalidAssociation, InvalidResourceId, InvalidInstanceId …), never a crash (HTTP 500), a
 * bogus answer from Object.prototype, or a changed prototype. Checked on a fresh endpoint and
 * after a restart (maps read back from disk are ordinary objects).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateAssociationCommand,
  CreateDocumentCommand,
  DeleteAssociationCommand,
  DescribeAssociationCommand,
  DescribeAssociationExecutionTargetsCommand,
  DescribeAssociationExecutionsCommand,
  DescribeEffectiveInstanceAssociationsCommand,
  DescribeInstanceAssociationsStatusCommand,
  GetAutomationExecutionCommand,
  GetCommandInvocationCommand,
  ListAssociationVersionsCommand,
  ListCommandInvocationsCommand,
  ListComplianceItemsCommand,
  ListTagsForResourceCommand,
  StartAssociationsOnceCommand,
  StopAutomationExecutionCommand,
  UpdateAssociationCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { startLocalEndpoint } from "../../src/local/index.js";
import { clientFor, commandDoc } from "./helpers.js";

/** Each hostile id with a look-alike of the same length and characters that is simply unknown. */
const IDS: [hostile: string, ordinary: string][] = [
  ["__proto__", "__proxy__"],
  ["constructor", "constructer"],
  ["toString", "toStrung"],
  ["hasOwnProperty", "hasOwnPropertz"],
  ["valueOf", "valueOz"],
];

/** Calls that take an id; each is made with the hostile id and its look-alike. */
const CALLS: [name: string, call: (ssm: SSMClient, id: string) => Promise<unknown>][] = [
  ["DescribeAssociation", (ssm, id) => ssm.send(new DescribeAssociationCommand({ AssociationId: id }))],
  [
    "UpdateAssociation",
    (ssm, id) => ssm.send(new UpdateAssociationCommand({ AssociationId: id, ScheduleExpression: "rate(1 day)" })),
  ],
  ["DeleteAssociation", (ssm, id) => ssm.send(new DeleteAssociationCommand({ AssociationId: id }))],
  ["ListAssociationVersions", (ssm, id) => ssm.send(new ListAssociationVersionsCommand({ AssociationId: id }))],
  [
    "DescribeAssociationExecutions",
    (ssm, id) => ssm.send(new DescribeAssociationExecutionsCommand({ AssociationId: id })),
  ],
  [
    "DescribeAssociationExecutionTargets",
    (ssm, id) => ssm.send(new DescribeAssociationExecutionTargetsCommand({ AssociationId: id, ExecutionId: id })),
  ],
  ["StartAssociationsOnce", (ssm, id) => ssm.send(new StartAssociationsOnceCommand({ AssociationIds: [id] }))],
  [
    "DescribeInstanceAssociationsStatus",
    (ssm, id) => ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: id })),
  ],
  [
    "DescribeEffectiveInstanceAssociations",
    (ssm, id) => ssm.send(new DescribeEffectiveInstanceAssociationsCommand({ InstanceId: id })),
  ],
  ["GetAutomationExecution", (ssm, id) => ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))],
  ["StopAutomationExecution", (ssm, id) => ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id }))],
  ["ListCommandInvocations", (ssm, id) => ssm.send(new ListCommandInvocationsCommand({ CommandId: id }))],
  ["GetCommandInvocation", (ssm, id) => ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: id }))],
  [
    "ListComplianceItems",
    (ssm, id) => ssm.send(new ListComplianceItemsCommand({ ResourceIds: [id], ResourceTypes: ["ManagedInstance"] })),
  ],
  [
    "ListTagsForResource (Association)",
    (ssm, id) => ssm.send(new ListTagsForResourceCommand({ ResourceType: "Association", ResourceId: id })),
  ],
  [
    "ListTagsForResource (ManagedInstance)",
    (ssm, id) => ssm.send(new ListTagsForResourceCommand({ ResourceType: "ManagedInstance", ResourceId: id })),
  ],
];

/** What a call answered: the error's name and HTTP status, or what it returned. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    const out = (await p) as Record<string, unknown>;
    const { $metadata: _ignored, ...rest } = out;
    return `ok ${JSON.stringify(rest)}`;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return `${err.name} (HTTP ${err.$metadata?.httpStatusCode})`;
  }
}

async function checkAll(ssm: SSMClient): Promise<void> {
  for (const [name, call] of CALLS) {
    for (const [hostile, ordinary] of IDS) {
      const got = await outcome(call(ssm, hostile));
      const expected = await outcome(call(ssm, ordinary));
      expect(got, `${name} ${hostile}`).not.to.contain("InternalServerError");
      expect(got, `${name} ${hostile}`).to.equal(expected.split(ordinary).join(hostile));
    }
  }
  expect(Object.keys(Object.prototype)).to.deep.equal([]);
}

describe("local/hostile resource ids", () => {
  it("answers __proto__, constructor … as it answers any unknown id, before and after a restart", async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(path.join(tmpdir(), "statectl-ids-"));
    try {
      let ep = await startLocalEndpoint({ dataDir: dir });
      let ssm = clientFor(ep.url);
      // Some data in every map, so the look-ups find maps that hold something.
      await ssm.send(new CreateDocumentCommand({ Name: "ids-doc", Content: commandDoc() }));
      await ssm.send(
        new CreateAssociationCommand({ Name: "ids-doc", Targets: [{ Key: "InstanceIds", Values: ["*"] }] }),
      );
      await checkAll(ssm);
      ssm.destroy();
      await ep.stop();
      ep = await startLocalEndpoint({ dataDir: dir });
      ssm = clientFor(ep.url);
      try {
        await checkAll(ssm);
      } finally {
        ssm.destroy();
        await ep.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
