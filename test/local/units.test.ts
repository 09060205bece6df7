import { expect } from "chai";
import { check, Checker, awsPattern } from "../../src/local/validate.js";
import { paginate, encodeToken } from "../../src/local/paging.js";
import { SsmError } from "../../src/local/errors.js";

function failure(fn: () => unknown): SsmError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(SsmError);
    return e as SsmError;
  }
  expect.fail("expected an SsmError");
}

describe("local/validate: AWS-worded validation", () => {
  it("collects every failure of a request into one ValidationException", () => {
    const e = failure(() =>
      check({ Name: "a", MaxResults: 0, DocumentType: "Nope", Tags: [{ Key: "k" }] }, (c) => {
        c.string("Name", { required: true, pattern: "^[a-z]{3,}$" });
        c.string("Content", { required: true, sensitive: true });
        c.number("MaxResults", { min: 1, max: 50 });
        c.string("DocumentType", { enum: ["Command", "Policy"] });
        const tag = c.nested("tags.1.member", (c.list("Tags") as Array<Record<string, unknown>>)[0]!);
        tag.string("Value", { required: true });
      }),
    );
    expect(e.code).to.equal("ValidationException");
    expect(e.httpStatus).to.equal(400);
    expect(e.message).to.equal(
      "5 validation errors detected: " +
        [
          "Value 'a' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z]{3,}$",
          "Value null at 'content' failed to satisfy constraint: Member must not be null",
          "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
          "Value 'Nope' at 'documentType' failed to satisfy constraint: Member must satisfy enum value set: [Command, Policy]",
          "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
        ].join("; "),
    );
  });

  it("keeps sensitive values out of messages, and measures length in characters", () => {
    const e = failure(() => check({ Content: "secret" }, (c) => c.string("Content", { max: 3, sensitive: true })));
    expect(e.message).to.equal(
      "1 validation error detected: Value at 'content' failed to satisfy constraint: Member must have length less than or equal to 3",
    );
    expect(() => check({ Name: "ééé" }, (c) => c.string("Name", { max: 3 }))).to.not.throw();
  });

  it("reports a wrong JSON type as SerializationException", () => {
    expect(failure(() => check({ Name: 5 }, (c) => c.string("Name"))).code).to.equal("SerializationException");
    expect(failure(() => check({ Tags: "x" }, (c) => c.list("Tags"))).code).to.equal("SerializationException");
    expect(failure(() => check({ Force: "yes" }, (c) => c.boolean("Force"))).code).to.equal("SerializationException");
  });

  it("matches Java-style patterns against the whole value, with (?i) and Unicode classes", () => {
    expect(awsPattern("(?i)all|[0-9]{12}").test("ALL")).to.equal(true);
    expect(awsPattern("(?i)all|[0-9]{12}").test("all123")).to.equal(false);
    expect(awsPattern("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$").test("Grüße 1")).to.equal(true);
    expect(awsPattern("[a-z]+").test("abc1")).to.equal(false);
  });

  it("passes a clean request through untouched", () => {
    const c = new Checker({ Name: "fine" });
    expect(c.string("Name", { required: true, min: 3 })).to.equal("fine");
    expect(c.failed).to.equal(false);
    c.done();
  });
});

describe("local/paging", () => {
  const items = ["a", "b", "c", "d", "e"];
  const all = (op: string, list: string[], max: number) => {
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = paginate(op, list, (x) => x, max, token);
      pages.push(page.items);
      token = page.nextToken;
    } while (token);
    return pages;
  };

  it("pages through everything, with no token on the last page", () => {
    expect(all("ListX", items, 2)).to.deep.equal([["a", "b"], ["c", "d"], ["e"]]);
    expect(all("ListX", items, 5)).to.deep.equal([items]);
    expect(all("ListX", [], 5)).to.deep.equal([[]]);
  });

  it("resumes after the last key returned even when items before it disappear or appear", () => {
    const first = paginate("ListX", items, (x) => x, 2, undefined);
    const shrunk = paginate("ListX", ["b", "c", "d", "e"], (x) => x, 2, first.nextToken);
    expect(shrunk.items).to.deep.equal(["c", "d"]);
    const grown = paginate("ListX", ["0", "a", "b", "c", "d", "e"], (x) => x, 2, first.nextToken);
    expect(grown.items).to.deep.equal(["c", "d"]);
  });

  it("refuses tokens it did not issue, or issued for another operation: InvalidNextToken", () => {
    const token = paginate("ListX", items, (x) => x, 2, undefined).nextToken!;
    expect(failure(() => paginate("ListY", items, (x) => x, 2, token)).code).to.equal("InvalidNextToken");
    expect(failure(() => paginate("ListX", items, (x) => x, 2, "bm90IGpzb24")).code).to.equal("InvalidNextToken");
    expect(failure(() => paginate("ListX", items, (x) => x, 2, encodeToken("ListX", -1, "a"))).code).to.equal(
      "InvalidNextToken",
    );
  });
});
