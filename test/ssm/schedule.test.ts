import { expect } from "chai";
import {
  parseScheduleExpression,
  nextRun,
  validateAssociationSchedule,
  type Schedule,
} from "../../src/ssm/schedule.js";

function parsed(expression: string): Schedule {
  const result = parseScheduleExpression(expression);
  if (!result.ok) throw new Error(`expected ${expression} to parse: ${result.problem.message}`);
  return result.schedule;
}

function runs(expression: string, from: string, count: number, offsetDays?: number): string[] {
  const schedule = parsed(expression);
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = nextRun(schedule, at, { anchor: new Date(from), ...(offsetDays !== undefined ? { offsetDays } : {}) });
    if (!next) break;
    out.push(next.toISOString().replace(".000Z", "Z"));
    at = next;
  }
  return out;
}

describe("ssm/schedule", () => {
  describe("accepts what State Manager accepts", () => {
    const valid: Array<[string, Schedule["kind"]]> = [
      ["cron(0 2 ? * SUN *)", "cron"],
      ["cron(0/30 * * * ? *)", "cron"],
      ["cron(30 23 ? * TUE#3 *)", "cron"],
      ["cron(0 0 ? * 3L *)", "cron"],
      ["cron(0 0 0/4 1/1 * ? *)", "cron"],
      ["cron(15 10 ? * MON-FRI *)", "cron"],
      ["cron(0 0 L * ? *)", "cron"],
      ["cron(0 9 LW * ? *)", "cron"],
      ["cron(0 9 15W * ? *)", "cron"],
      ["cron(0 8 1,15 * ? 2030-2032)", "cron"],
      ["cron(0 0 ? * thu#2 *)", "cron"],
      ["cron(0,30 8-17 ? * 2-6 *)", "cron"],
      ["rate(30 minutes)", "rate"],
      ["rate(1 hour)", "rate"],
      ["rate(24 hours)", "rate"],
      ["rate(720 minutes)", "rate"],
      ["rate(1 day)", "rate"],
      ["rate(7 days)", "rate"],
      ["rate(30 days)", "rate"],
      ["at(2026-07-07T15:55:00)", "at"],
    ];
    for (const [expression, kind] of valid) {
      it(expression, () => expect(parsed(expression).kind).to.equal(kind));
    }
  });

  describe("rejects what State Manager rejects, naming the offending part", () => {
    const invalid: Array<[string, string, RegExp]> = [
      ["cron(0 2 * * SUN *)", "*", /must be '\?'/],
      ["cron(0 2 ? * ? *)", "?", /Only one/],
      ["cron(0 2 ? * SUN)", "0 2 ? * SUN", /six fields/],
      ["cron(0 0 2 ? * SUN * *)", "0 0 2 ? * SUN * *", /has 8/],
      ["cron(0 0 2 ? * SUN *)x", "cron(0 0 2 ? * SUN *)x", /form cron/],
      ["cron(5 0 2 ? * SUN *)", "5", /seconds/],
      ["cron(0/15 * * * ? *)", "0/15 *", /15 minute/],
      ["cron(0,45 * * * ? *)", "0,45 *", /15 minute/],
      ["cron(* 8 * * ? *)", "* 8", /1 minute/],
      ["cron(60 2 ? * SUN *)", "60", /outside the minutes range/],
      ["cron(0 24 ? * SUN *)", "24", /outside the hours range/],
      ["cron(0 2 32 * ? *)", "32", /outside the day-of-month range/],
      ["cron(0 2 ? * 8 *)", "8", /outside the day-of-week range/],
      ["cron(0 2 ? * FUN *)", "FUN", /not a valid day-of-week/],
      ["cron(0 2 1 JAN ? *)", "JAN", /month field must be '\*'/],
      ["cron(0 2 ? * TUE#6 *)", "TUE#6", /1-5/],
      ["cron(0 2 1 * ? 2300)", "2300", /outside the year range/],
      ["cron(0 2 10-5 * ? *)", "10-5", /backwards/],
      ["rate(1 hours)", "hours", /singular/],
      ["rate(5 hour)", "hour", /plural/],
      ["rate(29 minutes)", "29 minutes", /30 minutes/],
      ["rate(31 days)", "31 days", /31 days/],
      ["rate(744 hours)", "744 hours", /31 days/],
      ["rate(0 days)", "0", /positive whole number/],
      ["rate(2 weeks)", "weeks", /not a rate unit/],
      ["rate(30minutes)", "30minutes", /two parts/],
      ["at(2026-02-30T00:00:00)", "2026-02-30T00:00:00", /real date/],
      ["at(2026-07-07 15:55)", "2026-07-07 15:55", /yyyy-MM-dd/],
      ["every(1 day)", "every(1 day)", /cron\(\.\.\.\), rate/],
      ["", "", /1 to 256/],
    ];
    for (const [expression, part, message] of invalid) {
      it(JSON.stringify(expression), () => {
        const result = parseScheduleExpression(expression);
        expect(result.ok, "should be invalid").to.equal(false);
        if (result.ok) return;
        expect(result.problem.message).to.match(message);
        expect(result.problem.part).to.equal(part);
        expect(expression.slice(result.problem.start, result.problem.end)).to.equal(part);
      });
    }
  });

  describe("next runs", () => {
    const cases: Array<[string, string, string[], number?]> = [
      ["cron(0 0 2 ? * SUN *)", "2026-01-01T00:00:00Z", ["2026-01-04T02:00:00Z"]],
      ["cron(0 2 ? * SUN *)", "2026-01-01T00:00:00Z", ["2026-01-04T02:00:00Z", "2026-01-11T02:00:00Z"]],
      [
        "cron(0/30 * * * ? *)",
        "2026-01-01T00:10:00Z",
        ["2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z", "2026-01-01T01:30:00Z"],
      ],
      // Third Tuesday of the month.
      ["cron(30 23 ? * TUE#3 *)", "2026-01-01T00:00:00Z", ["2026-01-20T23:30:00Z", "2026-02-17T23:30:00Z"]],
      // AWS's 3 is Tuesday: 3L is the last Tuesday.
      ["cron(0 0 ? * 3L *)", "2026-01-01T00:00:00Z", ["2026-01-27T00:00:00Z", "2026-02-24T00:00:00Z"]],
      ["cron(0 0 L * ? *)", "2026-01-15T00:00:00Z", ["2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z"]],
      // 2026-02-28 is a Saturday, so LW in February is Friday the 27th.
      ["cron(0 9 LW * ? *)", "2026-02-01T00:00:00Z", ["2026-02-27T09:00:00Z", "2026-03-31T09:00:00Z"]],
      // 2026-03-15 is a Sunday → Monday the 16th; 2026-04-15 is a Wednesday.
      ["cron(0 9 15W * ? *)", "2026-03-01T00:00:00Z", ["2026-03-16T09:00:00Z", "2026-04-15T09:00:00Z"]],
      // 2026-08-01 is a Saturday: 1W never leaves the month, so Monday the 3rd.
      ["cron(0 9 1W * ? *)", "2026-07-31T00:00:00Z", ["2026-08-03T09:00:00Z"]],
      ["cron(0 8 1 * ? 2030)", "2026-05-05T00:00:00Z", ["2030-01-01T08:00:00Z", "2030-02-01T08:00:00Z"]],
      ["cron(0 8 1 * ? 2026)", "2026-12-05T00:00:00Z", []],
      ["cron(0 0 0/4 1/1 * ? *)", "2026-01-01T01:00:00Z", ["2026-01-01T04:00:00Z", "2026-01-01T08:00:00Z"]],
      // SUN is 1 in AWS and 0 in cron-parser; MON-FRI must stay Monday to Friday.
      ["cron(0 12 ? * MON-FRI *)", "2026-01-02T13:00:00Z", ["2026-01-05T12:00:00Z", "2026-01-06T12:00:00Z"]],
      ["cron(0 12 ? * 1 *)", "2026-01-01T00:00:00Z", ["2026-01-04T12:00:00Z"]],
      // ScheduleOffset 3: the second Thursday plus three days.
      ["cron(0 0 ? * THU#2 *)", "2026-01-01T00:00:00Z", ["2026-01-11T00:00:00Z", "2026-02-15T00:00:00Z"], 3],
      ["rate(30 minutes)", "2026-01-01T00:00:00Z", ["2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z"]],
      ["rate(1 day)", "2026-01-01T10:20:00Z", ["2026-01-02T10:20:00Z", "2026-01-03T10:20:00Z"]],
      ["at(2026-07-07T15:55:00)", "2026-01-01T00:00:00Z", ["2026-07-07T15:55:00Z"]],
      ["at(2026-07-07T15:55:00)", "2026-08-01T00:00:00Z", []],
    ];
    for (const [expression, from, expected, offset] of cases) {
      it(`${expression} from ${from}${offset ? ` offset ${offset}` : ""}`, () => {
        expect(runs(expression, from, expected.length || 1, offset)).to.deep.equal(expected);
      });
    }

    it("counts rate() intervals from the anchor, not from the question", () => {
      const schedule = parsed("rate(1 hour)");
      const next = nextRun(schedule, new Date("2026-01-01T05:10:00Z"), { anchor: new Date("2026-01-01T00:30:00Z") });
      expect(next?.toISOString()).to.equal("2026-01-01T05:30:00.000Z");
    });
  });

  describe("association schedule members together", () => {
    const cases: Array<[string, Parameters<typeof validateAssociationSchedule>[0], string[]]> = [
      [
        "cron with offset and apply-only",
        { scheduleExpression: "cron(0 0 ? * THU#2 *)", scheduleOffset: 3, applyOnlyAtCronInterval: true },
        [],
      ],
      [
        "offset without apply-only",
        { scheduleExpression: "cron(0 0 ? * THU#2 *)", scheduleOffset: 3 },
        ["ScheduleOffset"],
      ],
      [
        "offset with rate",
        { scheduleExpression: "rate(1 day)", scheduleOffset: 2, applyOnlyAtCronInterval: false },
        ["ScheduleOffset"],
      ],
      [
        "offset out of range",
        { scheduleExpression: "cron(0 0 ? * THU#2 *)", scheduleOffset: 7, applyOnlyAtCronInterval: true },
        ["ScheduleOffset"],
      ],
      [
        "apply-only with rate",
        { scheduleExpression: "rate(1 day)", applyOnlyAtCronInterval: true },
        ["ApplyOnlyAtCronInterval"],
      ],
      ["apply-only with at()", { scheduleExpression: "at(2030-01-01T00:00:00)", applyOnlyAtCronInterval: true }, []],
      ["apply-only without a schedule", { applyOnlyAtCronInterval: true }, ["ApplyOnlyAtCronInterval"]],
      ["no schedule at all", {}, []],
      ["bad expression", { scheduleExpression: "rate(5 hour)" }, ["ScheduleExpression"]],
    ];
    for (const [name, input, members] of cases) {
      it(name, () => {
        const { problems, schedule } = validateAssociationSchedule(input);
        expect(problems.map((p) => p.member)).to.deep.equal(members);
        if (members.length === 0 && input.scheduleExpression) expect(schedule).to.not.equal(undefined);
      });
    }
  });

  it("parses each distinct expression once: a fleet's repeated schedules share one read-only result; at() is parsed every time", () => {
    const cron = "cron(0 2 ? * SUN *)";
    expect(parseScheduleExpression(cron)).to.equal(parseScheduleExpression(cron));
    expect(parseScheduleExpression("rate(1 day)")).to.equal(parseScheduleExpression("rate(1 day)"));
    expect(parseScheduleExpression(cron)).to.not.equal(parseScheduleExpression("cron(0 3 ? * SUN *)"));
    // A refusal is shared too, with the same problem.
    expect(parseScheduleExpression("rate(5 minutes)")).to.equal(parseScheduleExpression("rate(5 minutes)"));
    const at = "at(2030-01-01T00:00:00)";
    const first = parseScheduleExpression(at);
    const second = parseScheduleExpression(at);
    expect(first).to.not.equal(second);
    expect(first).to.deep.equal(second);
  });
});
