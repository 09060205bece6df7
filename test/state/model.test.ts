import { expect } from "chai";
import {
  emptyState,
  findInstance,
  listInstances,
  moveInstances,
  removeInstances,
  setInstance,
  setOutput,
  removeOutput,
  isSensitivePath,
  valueAtPath,
  type ResourceInstanceState,
  type State,
} from "../../src/state/index.js";

function inst(address: string, deps: string[] = []): ResourceInstanceState {
  const kind = address.startsWith("document.") ? "document" : "association";
  return {
    address,
    kind,
    provider: "ssm",
    id: `id-${address}`,
    attributes: { name: address },
    sensitiveAttributes: [],
    dependencies: deps,
  };
}

function stateWith(...instances: ResourceInstanceState[]): State {
  return instances.reduce(setInstance, emptyState({ lineage: "L", statectlVersion: "test" }));
}

const addresses = (s: State) => s.resources.map((r) => r.address);

describe("state/model", () => {
  const base = stateWith(
    inst("document.app"),
    inst('association.web["prod"]', ["document.app"]),
    inst('association.web["dev"]', ["document.app"]),
    inst("association.solo", ['association.web["prod"]']),
  );

  it("keeps instances sorted by address and replaces by address", () => {
    expect(addresses(base)).to.deep.equal([
      "association.solo",
      'association.web["dev"]',
      'association.web["prod"]',
      "document.app",
    ]);
    const replaced = setInstance(base, { ...inst("document.app"), id: "new" });
    expect(replaced.resources.length).to.equal(4);
    expect(findInstance(replaced, "document.app")!.id).to.equal("new");
    expect(findInstance(base, "document.app")!.id).to.equal("id-document.app");
  });

  it("lists by instance or whole-resource address", () => {
    expect(listInstances(base, ["association.web"]).map((r) => r.address)).to.deep.equal([
      'association.web["dev"]',
      'association.web["prod"]',
    ]);
    expect(listInstances(base, ['association.web["dev"]', "document.app"]).length).to.equal(2);
    expect(listInstances(base).length).to.equal(4);
  });

  describe("removeInstances", () => {
    it("removes instances and prunes dependencies on them", () => {
      const r = removeInstances(base, ["document.app"]);
      expect(r.diagnostics).to.deep.equal([]);
      expect(r.changed).to.deep.equal(["document.app"]);
      expect(findInstance(r.state, 'association.web["prod"]')!.dependencies).to.deep.equal([]);
    });

    it("removes every instance of a whole resource", () => {
      const r = removeInstances(base, ["association.web"]);
      expect(addresses(r.state)).to.deep.equal(["association.solo", "document.app"]);
      expect(findInstance(r.state, "association.solo")!.dependencies).to.deep.equal([]);
    });

    it("is all or nothing, with a did-you-mean for near misses", () => {
      const r = removeInstances(base, ["document.app", "document.ap"]);
      expect(r.state).to.equal(base);
      expect(r.diagnostics.map((d) => d.code)).to.deep.equal(["state/not-in-state"]);
      expect(r.diagnostics[0]!.hint).to.equal('did you mean "document.app"?');
    });

    it("rejects malformed addresses", () => {
      const r = removeInstances(base, ["web.prod"]);
      expect(r.diagnostics[0]!.code).to.equal("state/invalid-address");
    });
  });

  describe("moveInstances", () => {
    it("renames one instance and rewrites dependencies that pointed to it", () => {
      const r = moveInstances(base, 'association.web["prod"]', 'association.site["prod"]');
      expect(r.diagnostics).to.deep.equal([]);
      expect(findInstance(r.state, 'association.site["prod"]')!.id).to.equal('id-association.web["prod"]');
      expect(findInstance(r.state, 'association.web["prod"]')).to.equal(undefined);
      expect(findInstance(r.state, "association.solo")!.dependencies).to.deep.equal(['association.site["prod"]']);
    });

    it("moves all instances of a resource, keeping keys", () => {
      const r = moveInstances(base, "association.web", "association.site");
      expect(addresses(r.state)).to.deep.equal([
        'association.site["dev"]',
        'association.site["prod"]',
        "association.solo",
        "document.app",
      ]);
      expect(r.changed).to.have.length(2);
    });

    it("adds or removes a key when moving into or out of for_each", () => {
      const r = moveInstances(base, "association.solo", 'association.solo["a"]');
      expect(addresses(r.state)).to.include('association.solo["a"]');
      const back = moveInstances(r.state, 'association.solo["a"]', "association.solo");
      expect(addresses(back.state)).to.deep.equal(addresses(base));
    });

    it("refuses to change the kind, to overwrite, or to move what is not there", () => {
      expect(moveInstances(base, "document.app", "association.app").diagnostics[0]!.code).to.equal(
        "state/move-kind-mismatch",
      );
      expect(moveInstances(base, 'association.web["dev"]', 'association.web["prod"]').diagnostics[0]!.code).to.equal(
        "state/move-destination-exists",
      );
      expect(moveInstances(base, "association.solo", "association.web").diagnostics[0]!.code).to.equal(
        "state/move-destination-exists",
      );
      expect(moveInstances(base, "association.solo", 'association.web["x"]').diagnostics).to.deep.equal([]);
      expect(moveInstances(base, "association.nope", "association.yes").diagnostics[0]!.code).to.equal(
        "state/not-in-state",
      );
      expect(moveInstances(base, "association.web", 'association.x["k"]').diagnostics[0]!.code).to.equal(
        "state/move-shape-mismatch",
      );
      expect(moveInstances(base, "nonsense", "association.x").diagnostics[0]!.code).to.equal("state/invalid-address");
    });
  });

  it("manages outputs and sensitive paths", () => {
    const s = setOutput(base, "pw", { value: "x", sensitive: true });
    expect(s.outputs.pw).to.deep.equal({ value: "x", sensitive: true });
    expect(removeOutput(s, "pw").outputs).to.deep.equal({});
    expect(isSensitivePath([["parameters", "token"]], ["parameters", "token", 0])).to.equal(true);
    expect(isSensitivePath([["parameters", "token"]], ["parameters"])).to.equal(false);
    expect(valueAtPath({ a: [{ b: 1 }] }, ["a", 0, "b"])).to.equal(1);
    expect(valueAtPath({ a: 1 }, ["a", "b"])).to.equal(undefined);
  });
});
