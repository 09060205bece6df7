import { expect } from "chai";
import fc from "fast-check";
import { compareAddresses, formatAddress, parseAddress, type InstanceAddress } from "../../src/addrs/index.js";

describe("addrs", () => {
  const good: [string, InstanceAddress][] = [
    ["document.x", { kind: "document", name: "x" }],
    ['association.y["k"]', { kind: "association", name: "y", key: "k" }],
    ["association.z[0]", { kind: "association", name: "z", key: 0 }],
    ['association.z["with \\"quote\\""]', { kind: "association", name: "z", key: 'with "quote"' }],
    ["document.install-nginx_2[12]", { kind: "document", name: "install-nginx_2", key: 12 }],
  ];
  for (const [text, addr] of good) {
    it(`parses and prints ${text}`, () => {
      const r = parseAddress(text);
      expect(r.diagnostics).to.deep.equal([]);
      expect(r.address).to.deep.equal(addr);
      expect(formatAddress(addr)).to.equal(text);
    });
  }

  const bad: [string, string][] = [
    ["document", "separated by a dot"],
    ["resource.x", '"resource" is not a resource kind'],
    ["document.1x", "not a valid resource name"],
    ["document.x[", 'closed with "]"'],
    ["document.x[-1]", "whole number"],
    ["document.x[01]", "whole number"],
    ['document.x["unterminated]', "quoted string"],
    ['document.x["a\\q"]', "not a valid quoted string"],
    ["document.x[abc]", "whole number"],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text}`, () => {
      const r = parseAddress(text);
      expect(r.address).to.equal(undefined);
      expect(r.diagnostics).to.have.length(1);
      expect(r.diagnostics[0]!.code).to.equal("addrs/invalid-address");
      expect(r.diagnostics[0]!.detail).to.contain(message);
    });
  }

  it("orders addresses by kind, name, then key", () => {
    const addrs: InstanceAddress[] = [
      { kind: "document", name: "b" },
      { kind: "association", name: "a", key: "x" },
      { kind: "association", name: "a", key: 1 },
      { kind: "association", name: "a", key: 0 },
    ];
    expect(addrs.sort(compareAddresses).map(formatAddress)).to.deep.equal([
      "association.a[0]",
      "association.a[1]",
      'association.a["x"]',
      "document.b",
    ]);
  });

  it('escapes "${" and "%{" in string keys so they print as literals ("$${" was printed unescaped)', () => {
    const cases: [string, string][] = [
      ["${", 'document.d["$${"]'],
      ["$${", 'document.d["$$${"]'],
      ["%{", 'document.d["%%{"]'],
      ["a${b}c", 'document.d["a$${b}c"]'],
    ];
    for (const [key, text] of cases) {
      expect(formatAddress({ kind: "document", name: "d", key })).to.equal(text);
      expect(parseAddress(text).address?.key).to.equal(key);
    }
  });

  it("prints every string key so that it parses back to the same key (property)", () => {
    const key = fc.stringMatching(/^[$%{}a\\"]{0,8}$/);
    fc.assert(
      fc.property(fc.oneof(key, fc.string({ maxLength: 8 })), (k) => {
        const text = formatAddress({ kind: "association", name: "a", key: k });
        expect(parseAddress(text).address?.key, text).to.equal(k);
      }),
      { numRuns: 500 },
    );
  });
});
