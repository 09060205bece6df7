import { expect } from "chai";
import { loadConfig } from "../../src/config/index.js";
import { adaptInstance } from "../../src/engine/load.js";
import { checkResources } from "../../src/engine/ssm-validation.js";
import { evaluateConfig, T, typeEquals, Value } from "../../src/eval/index.js";

function evaluate(text: string) {
  const loaded = loadConfig({ files: { "main.state": text }, dir: "/cfg" });
  expect(loaded.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
  return { loaded, evaluated: evaluateConfig(loaded.config) };
}

const ASSOCIATIONS = `
association "bad_schedule" {
  name     = "nightly"
  document = "AWS-RunShellScript"
  schedule = "cron(0 2 * * SUN *)"
  targets {
    key    = "tag:Role"
    values = ["web"]
  }
  parameters = {
    commands = ["echo hi"]
  }
}

association "bad_name" {
  name     = "x"
  document = "AWS-RunShellScript"
  targets {
    key    = "InstanceIds"
    values = ["i-0123456789abcdef0"]
  }
  parameters = {
    commands = ["echo hi"]
  }
}
`;

/** An association whose parameters hold a key named __proto__, beside `others` (lines of `name = value`). */
function withProtoParameter(others: string): string {
  return `
association "a" {
  name     = "proto"
  document = "AWS-RunShellScript"
  targets {
    key    = "InstanceIds"
    values = ["i-0123456789abcdef0"]
  }
  parameters = {
    "__proto__" = ["polluted"]
    ${others}
  }
}
`;
}

describe("engine/load: adapting evaluated resources", () => {
  it("keeps a key named __proto__ as an own attribute, not the object's prototype", () => {
    const { evaluated } = evaluate(withProtoParameter('commands = ["echo hi"]'));
    const adapted = adaptInstance(evaluated.resources[0]!);
    const parameters = adapted.attrs["parameters"] as Record<string, unknown>;
    expect(Object.getPrototypeOf(parameters)).to.equal(Object.prototype);
    expect(Object.keys(parameters)).to.deep.equal(["__proto__", "commands"]);
    expect(Object.getOwnPropertyDescriptor(parameters, "__proto__")?.value).to.deep.equal(["polluted"]);
    // The resource's own attributes are many: their object is a copy (withFastProperties), same keys in the same order.
    const names = Object.keys(adapted.attrs);
    expect(names.length).to.be.greaterThan(8);
    expect(names).to.deep.equal([...names].sort());
    expect(adapted.attrs["name"]).to.equal("proto");
  });

  it("keeps __proto__ an own key in objects with many keys too (those are copied)", () => {
    const keys = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, "0")} = ["${i}"]`).join("\n    ");
    const { evaluated } = evaluate(withProtoParameter(keys));
    const parameters = adaptInstance(evaluated.resources[0]!).attrs["parameters"] as Record<string, unknown>;
    expect(Object.getPrototypeOf(parameters)).to.equal(Object.prototype);
    expect(Object.keys(parameters)).to.have.length(13).and.include("__proto__");
    expect(Object.getOwnPropertyDescriptor(parameters, "__proto__")?.value).to.deep.equal(["polluted"]);
    expect(parameters["k11"]).to.deep.equal(["11"]);
  });

  it("the SSM checks find the same problems in the adapted attributes as in the values they convert", () => {
    const { loaded, evaluated } = evaluate(ASSOCIATIONS);
    const adapted = new Map(evaluated.resources.map((r) => [r, adaptInstance(r).attrs]));
    const opts = { sources: loaded.config.sources, dir: "/cfg", evaluated };
    const converted = checkResources(evaluated.resources, loaded.config.resources, opts);
    let asked = 0;
    const fromPlain = checkResources(evaluated.resources, loaded.config.resources, {
      ...opts,
      plain: (r) => {
        asked++;
        return adapted.get(r);
      },
    });
    expect(asked).to.equal(2);
    expect(converted.map((d) => d.code)).to.include.members(["ssm/invalid-schedule", "ssm/invalid-association-name"]);
    expect(fromPlain).to.deep.equal(converted);
  });
});

describe("eval/value: an object value's type", () => {
  it("lists its attribute types from the values, on first use", () => {
    const v = Value.object({ b: Value.number(1), a: Value.string("x"), c: Value.list([Value.TRUE]) });
    expect(v.type.kind).to.equal("object");
    const attributes = v.type.kind === "object" ? v.type.attributes : new Map();
    expect([...attributes.keys()]).to.deep.equal(["a", "b", "c"]);
    expect(
      typeEquals(v.type, T.object({ a: T.string, b: T.number, c: T.list(T.bool) })),
      "equal to the same type written out",
    ).to.equal(true);
    expect(typeEquals(v.type, T.object({ a: T.string, b: T.string, c: T.list(T.bool) }))).to.equal(false);
    // Marking keeps the type (and the value's attributes) as they were.
    expect(typeEquals(v.mark().type, v.type)).to.equal(true);
  });
});
