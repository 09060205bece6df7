import { expect } from "chai";
import {
  checkTargets,
  defaultFleet,
  INSTANCE_ID_PATTERN,
  makeInstance,
  newInstanceId,
  parseTagArguments,
  resolveTargets,
  type Target,
} from "../../src/local/fleet.js";

const NOW = Date.UTC(2026, 0, 1);

describe("local/fleet", () => {
  const fleet = defaultFleet(NOW);
  const ids = (targets: Target[]) => resolveTargets(fleet, targets).map((i) => i.name);

  it("starts with two web servers, a database and a Windows server, all with valid ids", () => {
    expect(fleet.map((i) => [i.name, i.platformType, i.tags["Role"]])).to.deep.equal([
      ["web-1", "Linux", "web"],
      ["web-2", "Linux", "web"],
      ["db-1", "Linux", "db"],
      ["win-1", "Windows", "app"],
    ]);
    for (const i of fleet) expect(i.instanceId).to.match(INSTANCE_ID_PATTERN);
    expect(new Set(fleet.map((i) => i.ipAddress)).size).to.equal(4);
    expect(fleet[3]!.resourceType).to.equal("ManagedInstance");
    expect(fleet[0]!.resourceType).to.equal("EC2Instance");
  });

  const cases: Array<[string, Target[], string[]]> = [
    ["InstanceIds *", [{ Key: "InstanceIds", Values: ["*"] }], ["web-1", "web-2", "db-1", "win-1"]],
    ["lower-case instanceids", [{ Key: "instanceids", Values: ["i-0db000000000000b1"] }], ["db-1"]],
    ["unknown id matches nothing", [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }], []],
    ["tag:Role any of the values", [{ Key: "tag:Role", Values: ["db", "app"] }], ["db-1", "win-1"]],
    ["tag-key", [{ Key: "tag-key", Values: ["Role"] }], ["web-1", "web-2", "db-1", "win-1"]],
    [
      "entries are ANDed",
      [
        { Key: "tag:Role", Values: ["web"] },
        { Key: "InstanceIds", Values: ["i-0web00000000000a2"] },
      ],
      ["web-2"],
    ],
    ["resource group", [{ Key: "resource-groups:Name", Values: ["web-servers"] }], ["web-1", "web-2"]],
    ["tag values are case-sensitive", [{ Key: "tag:Role", Values: ["Web"] }], []],
    ["no targets, no instances", [], []],
  ];
  for (const [name, targets, expected] of cases)
    it(`resolves ${name}`, () => expect(ids(targets)).to.deep.equal(expected));

  it("never resolves an Inactive instance", () => {
    const stopped = makeInstance({ name: "old", pingStatus: "Inactive", tags: { Role: "web" } }, NOW);
    expect(
      resolveTargets([...fleet, stopped], [{ Key: "tag:Role", Values: ["web"] }]).map((i) => i.name),
    ).to.deep.equal(["web-1", "web-2"]);
  });

  it("rejects unsupported target keys and malformed ids, and admits Automation keys only for Automation", () => {
    expect(checkTargets([{ Key: "Environment", Values: ["prod"] }], false)?.message).to.equal(
      "Unsupported Target Type",
    );
    expect(checkTargets([{ Key: "InstanceIds", Values: ["web-1"] }], false)?.message).to.match(
      /Invalid instance id web-1/,
    );
    expect(checkTargets([{ Key: "resource-groups:Name", Values: ["a", "b"] }], false)?.message).to.match(
      /one resource group/,
    );
    expect(checkTargets([{ Key: "ParameterValues", Values: ["x"] }], false)?.message).to.equal(
      "Unsupported Target Type",
    );
    expect(checkTargets([{ Key: "ParameterValues", Values: ["x"] }], true)).to.equal(undefined);
    expect(
      checkTargets(
        [
          { Key: "tag:Role", Values: ["web"] },
          { Key: "tag-key", Values: ["Env"] },
        ],
        false,
      ),
    ).to.equal(undefined);
  });

  it("makes new instances with fresh ids, platform defaults and a free address", () => {
    const a = makeInstance({ name: "mac-1", platformType: "MacOS" }, NOW, new Set(fleet.map((i) => i.ipAddress)));
    expect(a.instanceId).to.match(INSTANCE_ID_PATTERN);
    expect(a.platformName).to.equal("macOS");
    expect(fleet.map((i) => i.ipAddress)).to.not.include(a.ipAddress);
    expect(newInstanceId("hybrid")).to.match(/^mi-\w{17}$/);
    expect(() => makeInstance({ instanceId: "host-1", name: "x" }, NOW)).to.throw(/not a valid instance id/);
  });

  it("parses Key=Value tag arguments", () => {
    expect(parseTagArguments(["Role=web", "Env=a=b", "Flag"])).to.deep.equal({ Role: "web", Env: "a=b", Flag: "" });
    expect(() => parseTagArguments(["=x"])).to.throw(/no tag key/);
  });
});
