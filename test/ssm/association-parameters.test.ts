import { expect } from "chai";
import { checkParameters, declaredParameters } from "../../src/ssm/association-parameters.js";

const runShellScript = declaredParameters({
  parameters: {
    commands: { type: "StringList", minItems: 1 },
    workingDirectory: { type: "String", default: "", maxChars: 4096 },
    executionTimeout: {
      type: "String",
      default: "3600",
      allowedPattern: "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)",
    },
  },
});
const configurePackage = declaredParameters({
  parameters: {
    action: { type: "String", allowedValues: ["Install", "Uninstall"] },
    name: { type: "String", allowedPattern: "^[a-zA-Z][a-zA-Z0-9\\-_]{0,39}$" },
    additionalArguments: { type: "StringMap", default: {} },
    retries: { type: "Integer", default: 1 },
    reboot: { type: "Boolean", default: false },
  },
});

describe("ssm/association-parameters", () => {
  const cases: Array<[string, typeof runShellScript, Record<string, string[]> | undefined, string[]]> = [
    ["all good", runShellScript, { commands: ["echo hi", "uptime"], executionTimeout: ["172800"] }, []],
    ["required missing", runShellScript, {}, ['Parameter "commands" requires a value.']],
    ["no parameters at all", runShellScript, undefined, ['Parameter "commands" requires a value.']],
    [
      "undeclared name",
      runShellScript,
      { commands: ["x"], command: ["y"] },
      ['Parameter "command" is not defined in the document.'],
    ],
    ["minItems", runShellScript, { commands: [] }, ['Parameter "commands" needs at least 1 item(s).']],
    // The pattern must match the whole value: 172801 matches a prefix alternative but not all of it.
    [
      "allowedPattern, whole value",
      runShellScript,
      { commands: ["x"], executionTimeout: ["172801"] },
      ['Parameter "executionTimeout" has value "172801", which does not match'],
    ],
    [
      "two values for a String",
      runShellScript,
      { commands: ["x"], workingDirectory: ["/a", "/b"] },
      ['Parameter "workingDirectory" is of type String and takes one value, not 2.'],
    ],
    [
      "allowedValues",
      configurePackage,
      { action: ["Remove"], name: ["nginx"] },
      ['Parameter "action" has value "Remove", which is not one of the allowed values: Install, Uninstall.'],
    ],
    [
      "Integer",
      configurePackage,
      { action: ["Install"], name: ["nginx"], retries: ["two"] },
      ['Parameter "retries" is of type Integer'],
    ],
    [
      "Boolean",
      configurePackage,
      { action: ["Install"], name: ["nginx"], reboot: ["yes"] },
      ['Parameter "reboot" is of type Boolean'],
    ],
    [
      "StringMap JSON",
      configurePackage,
      { action: ["Install"], name: ["nginx"], additionalArguments: ["{nope"] },
      ['Parameter "additionalArguments" is of type StringMap; "{nope" is not valid JSON.'],
    ],
    [
      "Parameter Store references pass as they are",
      configurePackage,
      { action: ["{{ssm:/pkg/action}}"], name: ["{{ resolve:ssm:/pkg/name }}"] },
      [],
    ],
  ];
  for (const [name, declared, given, expected] of cases) {
    it(name, () => {
      const messages = checkParameters(declared, given).map((p) => p.message);
      expect(messages).to.have.length(expected.length);
      expected.forEach((prefix, i) => expect(messages[i]!.startsWith(prefix), messages[i]).to.equal(true));
    });
  }
});
