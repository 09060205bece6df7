import { expect } from "chai";
import {
  findOverlaps,
  forecastRuns,
  sharedTargets,
  type ScheduledAssociation,
} from "../../src/ssm/schedule-forecast.js";

const from = new Date("2026-03-02T10:00:00Z"); // a Monday
const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe("ssm/schedule-forecast: next runs", () => {
  it("lists the next runs of a cron schedule in UTC", () => {
    const [f] = forecastRuns([{ address: "association.a", expression: "cron(0 2 ? * SUN *)", targets: [] }], from, 3);
    expect(iso(f!.runs)).to.deep.equal([
      "2026-03-08T02:00:00.000Z",
      "2026-03-15T02:00:00.000Z",
      "2026-03-22T02:00:00.000Z",
    ]);
    expect(f!.approximate).to.equal(false);
  });

  it("adds schedule_offset days to each cron time", () => {
    const [f] = forecastRuns(
      [{ address: "association.a", expression: "cron(0 2 ? * SUN *)", offsetDays: 2, targets: [] }],
      from,
      2,
    );
    // Sunday 1 March 02:00 + 2 days is Tuesday 3 March, still ahead of Monday 10:00.
    expect(iso(f!.runs)).to.deep.equal(["2026-03-03T02:00:00.000Z", "2026-03-10T02:00:00.000Z"]);
  });

  it("honours AWS's L, W and # day rules", () => {
    const [last, weekday, nth] = forecastRuns(
      [
        { address: "association.last", expression: "cron(30 4 L * ? *)", targets: [] },
        { address: "association.weekday", expression: "cron(0 6 15W * ? *)", targets: [] },
        { address: "association.nth", expression: "cron(0 9 ? * MON#2 *)", targets: [] },
      ],
      from,
      2,
    );
    expect(iso(last!.runs)).to.deep.equal(["2026-03-31T04:30:00.000Z", "2026-04-30T04:30:00.000Z"]);
    // 15 March 2026 is a Sunday: the nearest weekday is Monday the 16th.
    expect(iso(weekday!.runs)).to.deep.equal(["2026-03-16T06:00:00.000Z", "2026-04-15T06:00:00.000Z"]);
    expect(iso(nth!.runs)).to.deep.equal(["2026-03-09T09:00:00.000Z", "2026-04-13T09:00:00.000Z"]);
  });

  it("spaces rate() runs from the given time and marks them approximate", () => {
    const [f] = forecastRuns([{ address: "association.r", expression: "rate(12 hours)", targets: [] }], from, 2);
    expect(iso(f!.runs)).to.deep.equal(["2026-03-02T22:00:00.000Z", "2026-03-03T10:00:00.000Z"]);
    expect(f!.approximate).to.equal(true);
  });

  it("stops when a schedule runs no more, and flags an invalid one", () => {
    const [year, bad] = forecastRuns(
      [
        { address: "association.y", expression: "at(2026-03-05T10:00:00)", targets: [] },
        { address: "association.bad", expression: "cron(0 25 * * ? *)", targets: [] },
      ],
      from,
      5,
    );
    expect(iso(year!.runs)).to.deep.equal(["2026-03-05T10:00:00.000Z"]);
    expect(bad!.invalid).to.equal(true);
    expect(bad!.runs).to.deep.equal([]);
  });
});

describe("ssm/schedule-forecast: overlaps", () => {
  const web = [{ key: "tag:Role", values: ["web", "api"] }];
  it("knows when targets certainly share instances", () => {
    expect(sharedTargets(web, [{ key: "tag:Role", values: ["api"] }])).to.equal("tag:Role = api");
    expect(sharedTargets(web, [{ key: "tag:Role", values: ["db"] }])).to.equal(undefined);
    expect(sharedTargets(web, [{ key: "tag:Env", values: ["web"] }])).to.equal(undefined);
    expect(sharedTargets(web, [{ key: "InstanceIds", values: ["*"] }])).to.equal(
      "InstanceIds = * (every managed node)",
    );
    expect(
      sharedTargets([{ key: "InstanceIds", values: ["i-1", "i-2"] }], [{ key: "instanceids", values: ["i-2"] }]),
    ).to.equal("InstanceIds = i-2");
  });

  it("warns about the minutes where associations on the same instances start together, not others", () => {
    const associations: ScheduledAssociation[] = [
      { address: "association.patch", expression: "cron(0 2 ? * SUN *)", targets: web },
      {
        address: "association.inventory",
        expression: "cron(0 2 * * ? *)",
        targets: [{ key: "tag:Role", values: ["web"] }],
      },
      { address: "association.db", expression: "cron(0 2 * * ? *)", targets: [{ key: "tag:Role", values: ["db"] }] },
      { address: "association.rate", expression: "rate(1 day)", targets: web },
    ];
    const forecasts = forecastRuns(associations, from, 7);
    const overlaps = findOverlaps(associations, forecasts);
    expect(overlaps.map((o) => [o.minute.toISOString(), o.addresses, o.shared])).to.deep.equal([
      ["2026-03-08T02:00:00.000Z", ["association.patch", "association.inventory"], "tag:Role = web"],
    ]);
  });
});
