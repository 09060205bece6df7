import { expect } from "chai";
import { parseDuration, VirtualClock } from "../../src/local/clock.js";

describe("local/clock", () => {
  it("follows real time plus the offset it was advanced by", () => {
    let real = 1_000;
    const clock = new VirtualClock(0, () => real);
    expect(clock.nowMs()).to.equal(1_000);
    clock.advance(parseDuration("1d"));
    real += 5;
    expect(clock.nowMs()).to.equal(1_005 + 86_400_000);
    expect(clock.offsetMs).to.equal(86_400_000);
    expect(() => clock.advance(-1)).to.throw(/only forward/);
  });

  const durations: Array<[string, number]> = [
    ["1d", 86_400_000],
    ["90m", 5_400_000],
    ["2h30m", 9_000_000],
    ["45s", 45_000],
    ["1w", 604_800_000],
    ["250ms", 250],
  ];
  for (const [text, ms] of durations) it(`parses ${text}`, () => expect(parseDuration(text)).to.equal(ms));
  for (const bad of ["", "1", "d", "1y", "1d junk", "-1d"]) {
    it(`rejects ${JSON.stringify(bad)}`, () => expect(() => parseDuration(bad)).to.throw(RangeError, /not a duration/));
  }
});
