import { expect } from "chai";
import {
  CreateAssociationCommand,
  DescribeInstanceInformationCommand,
  paginateDescribeInstanceInformation,
  type DescribeInstanceInformationCommandInput,
} from "@aws-sdk/client-ssm";
import { expectSsmError, useEndpoint } from "./helpers.js";

describe("local/associations: DescribeInstanceInformation over the simulated fleet", () => {
  const h = useEndpoint();
  const names = async (input: DescribeInstanceInformationCommandInput) =>
    ((await h.ssm.send(new DescribeInstanceInformationCommand(input))).InstanceInformationList ?? []).map(
      (i) => i.Name,
    );

  it("lists the default fleet with its platforms and agent details", async () => {
    const list = (await h.ssm.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!;
    expect(list.map((i) => [i.InstanceId, i.Name, i.PlatformType, i.ResourceType, i.PingStatus])).to.deep.equal([
      ["i-0web00000000000a1", "web-1", "Linux", "EC2Instance", "Online"],
      ["i-0web00000000000a2", "web-2", "Linux", "EC2Instance", "Online"],
      ["i-0db000000000000b1", "db-1", "Linux", "EC2Instance", "Online"],
      ["mi-0win00000000000c1", "win-1", "Windows", "ManagedInstance", "Online"],
    ]);
    expect(list[2]).to.include({ PlatformName: "Ubuntu", PlatformVersion: "22.04", IsLatestVersion: true });
    expect(list[0]!.LastPingDateTime).to.be.instanceOf(Date);
    expect(list[0]!.AssociationStatus).to.equal(undefined);
  });

  const filters: Array<[string, DescribeInstanceInformationCommandInput, string[]]> = [
    ["platform (Filters)", { Filters: [{ Key: "PlatformType", Values: ["Windows"] }] }, ["win-1"]],
    [
      "platform (legacy list)",
      { InstanceInformationFilterList: [{ key: "PlatformTypes", valueSet: ["Windows"] }] },
      ["win-1"],
    ],
    [
      "instance ids",
      { Filters: [{ Key: "InstanceIds", Values: ["i-0db000000000000b1", "i-0web00000000000a2"] }] },
      ["web-2", "db-1"],
    ],
    ["tag value", { Filters: [{ Key: "tag:Role", Values: ["web", "db"] }] }, ["web-1", "web-2", "db-1"]],
    ["tag key", { Filters: [{ Key: "tag-key", Values: ["Role"] }] }, ["web-1", "web-2", "db-1", "win-1"]],
    ["resource type", { Filters: [{ Key: "ResourceType", Values: ["ManagedInstance"] }] }, ["win-1"]],
    [
      "two filters AND",
      {
        Filters: [
          { Key: "PlatformType", Values: ["Linux"] },
          { Key: "InstanceIds", Values: ["i-0db000000000000b1"] },
        ],
      },
      ["db-1"],
    ],
  ];
  for (const [name, input, expected] of filters)
    it(`filters by ${name}`, async () => expect(await names(input)).to.deep.equal(expected));

  it("reports association status per instance and filters on it", async () => {
    await h.ssm.send(
      new CreateAssociationCommand({
        Name: "AWS-RunShellScript",
        Targets: [{ Key: "InstanceIds", Values: ["*"] }],
        Parameters: { commands: ["id"] },
      }),
    );
    const win = (
      await h.ssm.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: ["mi-0win00000000000c1"] }] }),
      )
    ).InstanceInformationList![0]!;
    expect(win.AssociationStatus).to.equal("Failed");
    expect(win.AssociationOverview).to.deep.equal({
      DetailedStatus: "Failed",
      InstanceAssociationStatusAggregatedCount: { Failed: 1 },
    });
    expect(await names({ Filters: [{ Key: "AssociationStatus", Values: ["Success"] }] })).to.deep.equal([
      "web-1",
      "web-2",
      "db-1",
    ]);
  });

  it("pages with MaxResults 5-50 (default 10)", async () => {
    for (let i = 0; i < 8; i++) await h.endpoint.addInstance({ name: `extra-${i}` });
    const first = await h.ssm.send(new DescribeInstanceInformationCommand({}));
    expect(first.InstanceInformationList).to.have.length(10);
    expect(first.NextToken).to.be.a("string");
    const seen: string[] = [];
    for await (const page of paginateDescribeInstanceInformation({ client: h.ssm, pageSize: 5 }, {}))
      seen.push(...(page.InstanceInformationList ?? []).map((i) => i.Name!));
    expect(seen).to.have.length(12);
    expect(new Set(seen).size).to.equal(12);
    await expectSsmError(h.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 })), "ValidationException");
    await expectSsmError(h.ssm.send(new DescribeInstanceInformationCommand({ NextToken: "nope" })), "InvalidNextToken");
  });

  it("never lists Inactive instances", async () => {
    await h.endpoint.addInstance({ name: "stopped", pingStatus: "Inactive" });
    expect(await names({})).to.not.include("stopped");
  });

  it("answers bad filters with AWS's codes", async () => {
    await expectSsmError(
      h.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "Colour", Values: ["x"] }] })),
      "InvalidFilterKey",
    );
    await expectSsmError(
      h.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "PingStatus", Values: ["Asleep"] }] })),
      "InvalidInstanceInformationFilterValue",
    );
    await expectSsmError(
      h.ssm.send(
        new DescribeInstanceInformationCommand({
          Filters: [
            { Key: "tag:Role", Values: ["web"] },
            { Key: "PlatformType", Values: ["Linux"] },
          ],
        }),
      ),
      "InvalidInstanceInformationFilterValue",
    );
    await expectSsmError(
      h.ssm.send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: "PlatformType", Values: ["Linux"] }],
          InstanceInformationFilterList: [{ key: "PingStatus", valueSet: ["Online"] }],
        }),
      ),
      "InvalidInstanceInformationFilterValue",
    );
    await expectSsmError(
      h.ssm.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }] }),
      ),
      "InvalidInstanceId",
    );
    await expectSsmError(
      h.ssm.send(
        new DescribeInstanceInformationCommand({
          InstanceInformationFilterList: [{ key: "Colour" as never, valueSet: ["x"] }],
        }),
      ),
      "ValidationException",
    );
    await expectSsmError(
      h.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "PlatformType", Values: [] }] })),
      "ValidationException",
    );
  });
});
