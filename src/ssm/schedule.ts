/**
 * State Manager schedule expressions: `cron(...)`, `rate(...)` and `at(...)`, validated the way
 * State Manager validates an association's ScheduleExpression, plus the next-run arithmetic the
 * local endpoint's scheduler needs. Pure: no I/O, no clock of its own (callers pass the time).
 *
 * Problems come back as values with the offending part and its character offsets inside the
 * expression, so a diagnostic can underline exactly that part; the wire error State Manager sends
 * is always the one generic sentence in INVALID_SCHEDULE_MESSAGE.
 */
import { cronParser } from "./lazy.js";
import { defined } from "../diag/invariant.js";

/** The text AWS sends with InvalidSchedule, whatever is wrong with the expression. */
export const INVALID_SCHEDULE_MESSAGE = "The schedule is invalid. Verify your cron or rate expression and try again.";

/** Associations may not run more often than this (cron and rate alike). */
export const MIN_ASSOCIATION_INTERVAL_MINUTES = 30;
/** A rate must be shorter than this many days. */
export const MAX_RATE_DAYS_EXCLUSIVE = 31;

export interface ScheduleProblem {
  /** One sentence saying what is wrong, for a human. */
  readonly message: string;
  /** The offending text (a field, a token, or the whole expression). */
  readonly part: string;
  /** Offsets of `part` inside the expression: start inclusive, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export type CronFieldName = "minutes" | "hours" | "day-of-month" | "month" | "day-of-week" | "year";

/** A day-of-month rule that cron-parser cannot express, kept aside and applied as a filter. */
export type DayOfMonthSpecial = { kind: "last" } | { kind: "lastWeekday" } | { kind: "nearestWeekday"; day: number };

export interface CronSchedule {
  readonly kind: "cron";
  readonly expression: string;
  /** The six AWS fields as written (a leading seconds field, if any, dropped). */
  readonly fields: Readonly<Record<CronFieldName, string>>;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Allowed years, or undefined for any year. */
  readonly years: readonly number[] | undefined;
  readonly dayOfMonthSpecial: DayOfMonthSpecial | undefined;
  /** The same schedule in cron-parser's six-field (seconds-first, Sunday = 0) syntax. */
  readonly cronParserExpression: string;
}

export interface RateSchedule {
  readonly kind: "rate";
  readonly expression: string;
  readonly value: number;
  readonly unit: "minute" | "hour" | "day";
  readonly intervalMs: number;
}

export interface AtSchedule {
  readonly kind: "at";
  readonly expression: string;
  /** The single run time (UTC). */
  readonly time: Date;
}

export type Schedule = CronSchedule | RateSchedule | AtSchedule;

export type ScheduleParseResult =
  { readonly ok: true; readonly schedule: Schedule } | { readonly ok: false; readonly problem: ScheduleProblem };

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS = {
  minutes: { name: "minutes", min: 0, max: 59 },
  hours: { name: "hours", min: 0, max: 23 },
  dayOfMonth: { name: "day-of-month", min: 1, max: 31 },
  month: { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  dayOfWeek: { name: "day-of-week", min: 1, max: 7, names: DAY_NAMES },
  year: { name: "year", min: 1970, max: 2199 },
} as const satisfies Record<string, FieldSpec>;

/** A located piece of the expression text. */
interface Piece {
  readonly text: string;
  readonly start: number;
}

class ScheduleError extends Error {
  constructor(readonly problem: ScheduleProblem) {
    super(problem.message);
  }
}

function fail(message: string, piece: Piece): never {
  throw new ScheduleError({ message, part: piece.text, start: piece.start, end: piece.start + piece.text.length });
}

/**
 * Schedules already parsed, by expression. A fleet repeats a few schedules over thousands of
 * associations, and each plan, validate and language-server check parses every one (expanding a
 * cron's fields was about 4% of a 50,000-association plan). The results are read-only.
 */
const parsedSchedules = new Map<string, ScheduleParseResult>();
const PARSED_SCHEDULES_KEPT = 1024;

/** Parses and validates one ScheduleExpression as State Manager does for associations. */
export function parseScheduleExpression(expression: string): ScheduleParseResult {
  const known = parsedSchedules.get(expression);
  if (known) return known;
  let result: ScheduleParseResult;
  try {
    result = { ok: true, schedule: parseOrThrow(expression) };
  } catch (e) {
    if (e instanceof ScheduleError) result = { ok: false, problem: e.problem };
    else throw e;
  }
  // at() carries a Date, which a caller could change; it is rare enough to parse each time.
  if (!(result.ok && result.schedule.kind === "at")) {
    if (parsedSchedules.size >= PARSED_SCHEDULES_KEPT) parsedSchedules.clear();
    parsedSchedules.set(expression, result);
  }
  return result;
}

function parseOrThrow(expression: string): Schedule {
  const whole: Piece = { text: expression, start: 0 };
  if (expression.length < 1 || expression.length > 256)
    fail("A schedule expression must be 1 to 256 characters long.", whole);
  const match = /^(cron|rate|at)\((.*)\)$/s.exec(expression);
  if (!match) fail("A schedule expression must have the form cron(...), rate(...) or at(...).", whole);
  const kind = defined(match[1], "the kind of schedule the pattern captures");
  const inner: Piece = {
    text: defined(match[2], "the schedule's arguments the pattern captures"),
    start: kind.length + 1,
  };
  switch (kind) {
    case "cron":
      return parseCron(expression, inner);
    case "rate":
      return parseRate(expression, inner);
    default:
      return parseAt(expression, inner);
  }
}

function splitFields(inner: Piece): Piece[] {
  const pieces: Piece[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(inner.text)) !== null) pieces.push({ text: m[0], start: inner.start + m.index });
  return pieces;
}

function parseRate(expression: string, inner: Piece): RateSchedule {
  const parts = splitFields(inner);
  if (parts.length !== 2) fail("A rate expression has two parts: a number and a unit, as in rate(30 minutes).", inner);
  const [valuePiece, unitPiece] = parts as [Piece, Piece];
  if (!/^[1-9][0-9]*$/.test(valuePiece.text)) fail(`"${valuePiece.text}" is not a positive whole number.`, valuePiece);
  const value = Number(valuePiece.text);
  const unitMatch = /^(minute|hour|day)(s?)$/.exec(unitPiece.text);
  if (!unitMatch) fail(`"${unitPiece.text}" is not a rate unit; use minute(s), hour(s) or day(s).`, unitPiece);
  const unit = unitMatch[1] as RateSchedule["unit"];
  const plural = unitMatch[2] === "s";
  if (value === 1 && plural) fail(`A rate of 1 takes the singular unit "${unit}", not "${unitPiece.text}".`, unitPiece);
  if (value !== 1 && !plural)
    fail(`A rate of ${value} takes the plural unit "${unit}s", not "${unitPiece.text}".`, unitPiece);
  const minutes = value * (unit === "minute" ? 1 : unit === "hour" ? 60 : 24 * 60);
  if (minutes < MIN_ASSOCIATION_INTERVAL_MINUTES) {
    fail(`An association cannot run more often than every ${MIN_ASSOCIATION_INTERVAL_MINUTES} minutes.`, {
      text: inner.text,
      start: inner.start,
    });
  }
  if (minutes >= MAX_RATE_DAYS_EXCLUSIVE * 24 * 60) {
    fail(`A rate must be shorter than ${MAX_RATE_DAYS_EXCLUSIVE} days.`, { text: inner.text, start: inner.start });
  }
  return { kind: "rate", expression, value, unit, intervalMs: minutes * 60_000 };
}

function parseAt(expression: string, inner: Piece): AtSchedule {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(inner.text);
  if (!m) fail("An at() expression takes a UTC time as yyyy-MM-ddTHH:mm:ss, as in at(2026-07-07T15:55:00).", inner);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const roundTrips =
    time.getUTCFullYear() === y &&
    time.getUTCMonth() === mo - 1 &&
    time.getUTCDate() === d &&
    time.getUTCHours() === h &&
    time.getUTCMinutes() === mi &&
    time.getUTCSeconds() === s;
  if (!roundTrips) fail(`"${inner.text}" is not a real date and time.`, inner);
  return { kind: "at", expression, time };
}

function parseCron(expression: string, inner: Piece): CronSchedule {
  let parts = splitFields(inner);
  const [seconds, ...afterSeconds] = parts;
  if (parts.length === 7 && seconds) {
    // State Manager also takes a leading seconds field, which must be zero.
    if (seconds.text !== "0") fail("The seconds field of a seven-field cron expression must be 0.", seconds);
    parts = afterSeconds;
  }
  if (parts.length !== 6) {
    fail(
      `A cron expression has six fields (minutes hours day-of-month month day-of-week year); this one has ${parts.length}${parts.length === 5 ? ": add the year field (* for every year)" : ""}.`,
      inner,
    );
  }
  const [minP, hourP, domP, monthP, dowP, yearP] = parts as [Piece, Piece, Piece, Piece, Piece, Piece];

  const minutes = expandField(minP, FIELDS.minutes);
  const hours = expandField(hourP, FIELDS.hours);

  const domIsAny = domP.text === "?";
  const dowIsAny = dowP.text === "?";
  if (domIsAny && dowIsAny) fail("Only one of day-of-month and day-of-week may be '?'.", dowP);
  if (!domIsAny && !dowIsAny) fail("One of day-of-month and day-of-week must be '?'.", domP.text === "*" ? domP : dowP);

  if (monthP.text !== "*")
    fail("State Manager associations do not support a month restriction: the month field must be '*'.", monthP);

  let cronDom = "*";
  let dayOfMonthSpecial: DayOfMonthSpecial | undefined;
  if (!domIsAny) ({ cronDom, special: dayOfMonthSpecial } = translateDayOfMonth(domP));
  const cronDow = dowIsAny ? "*" : translateDayOfWeek(dowP);

  const years = yearP.text === "*" ? undefined : expandField(yearP, FIELDS.year);

  checkMinimumInterval(minutes, hours, {
    text: expression.slice(minP.start, hourP.start + hourP.text.length),
    start: minP.start,
  });

  const fields: Record<CronFieldName, string> = {
    minutes: minP.text,
    hours: hourP.text,
    "day-of-month": domP.text,
    month: monthP.text,
    "day-of-week": dowP.text,
    year: yearP.text,
  };
  const cronParserExpression = `0 ${minutes.join(",")} ${hours.join(",")} ${cronDom} * ${cronDow}`;
  const schedule: CronSchedule = {
    kind: "cron",
    expression,
    fields,
    minutes,
    hours,
    years,
    dayOfMonthSpecial,
    cronParserExpression,
  };
  // Every day, or plain days of the week, in any year surely fire: only other shapes (a 31st, a
  // last weekday, a fifth Friday, years) are searched, so the common case loads no cron library.
  const surelyFires =
    years === undefined && ((domIsAny && /^[A-Za-z0-9,*-]+$/.test(dowP.text)) || (dowIsAny && domP.text === "*"));
  if (!surelyFires && nextCronRun(schedule, new Date(Date.UTC(1970, 0, 1))) === undefined)
    fail("This cron expression never fires.", inner);
  return schedule;
}

/** Expands a numeric field (lists, ranges, steps, names, `*`) into its sorted values. */
function expandField(piece: Piece, spec: FieldSpec): number[] {
  const values = new Set<number>();
  let offset = 0;
  for (const itemText of piece.text.split(",")) {
    const item: Piece = { text: itemText, start: piece.start + offset };
    offset += itemText.length + 1;
    if (itemText === "") fail(`The ${spec.name} field has an empty list item.`, piece);
    // split() always yields a first part.
    const [rangeText = "", stepText, extra] = itemText.split("/");
    if (extra !== undefined) fail(`"${itemText}" has more than one '/'.`, item);
    let from: number;
    let to: number;
    if (rangeText === "*") {
      from = spec.min;
      to = spec.max;
    } else {
      const [fromText = "", toText, beyond] = rangeText.split("-");
      if (beyond !== undefined) fail(`"${itemText}" is not a valid range.`, item);
      from = fieldValue(fromText, spec, item);
      to = toText !== undefined ? fieldValue(toText, spec, item) : stepText !== undefined ? spec.max : from;
      if (to < from) fail(`The range "${rangeText}" runs backwards.`, item);
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^[1-9][0-9]*$/.test(stepText)) fail(`"${stepText}" is not a valid step in "${itemText}".`, item);
      step = Number(stepText);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function fieldValue(text: string, spec: FieldSpec, item: Piece): number {
  let value: number;
  if (/^[0-9]+$/.test(text)) value = Number(text);
  else {
    const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
    if (index < 0) fail(`"${text}" is not a valid ${spec.name} value.`, item);
    value = index + spec.min;
  }
  if (value < spec.min || value > spec.max)
    fail(`${value} is outside the ${spec.name} range ${spec.min}-${spec.max}.`, item);
  return value;
}

function translateDayOfMonth(piece: Piece): { cronDom: string; special: DayOfMonthSpecial | undefined } {
  const text = piece.text.toUpperCase();
  if (text === "L") return { cronDom: "*", special: { kind: "last" } };
  if (text === "LW") return { cronDom: "*", special: { kind: "lastWeekday" } };
  const w = /^([0-9]+)W$/.exec(text);
  if (w) {
    const day = Number(w[1]);
    if (day < 1 || day > 31) fail(`${day} is outside the day-of-month range 1-31.`, piece);
    return { cronDom: "*", special: { kind: "nearestWeekday", day } };
  }
  if (/[LW]/.test(text)) fail(`"${piece.text}" is not valid: 'L' and 'W' stand alone (L, LW or nW).`, piece);
  return { cronDom: expandField(piece, FIELDS.dayOfMonth).join(","), special: undefined };
}

/** AWS counts days of the week 1-7 from Sunday; cron-parser counts 0-6. */
function translateDayOfWeek(piece: Piece): string {
  const spec = FIELDS.dayOfWeek;
  const last = /^(.+)L$/i.exec(piece.text);
  if (last && !/^[A-Z]{3}$/i.test(piece.text))
    return `${fieldValue(defined(last[1], "the day before L"), spec, piece) - 1}L`;
  if (piece.text.toUpperCase() === "L") return "6"; // 'L' alone in day-of-week is the last day of the week: Saturday.
  const nth = /^([^#]+)#(.*)$/.exec(piece.text);
  if (nth) {
    const day = fieldValue(defined(nth[1], "the day before #"), spec, piece);
    const occurrence = defined(nth[2], "the occurrence after #");
    if (!/^[1-5]$/.test(occurrence))
      fail(`"${occurrence}" in "${piece.text}" must be 1-5 (which occurrence of the day in the month).`, piece);
    return `${day - 1}#${occurrence}`;
  }
  if (/[L#]/i.test(piece.text.replace(/[A-Z]{3}/gi, "")))
    fail(`"${piece.text}" is not valid: 'L' and '#' stand alone.`, piece);
  return expandField(piece, spec)
    .map((d) => d - 1)
    .join(",");
}

/**
 * Rejects schedules that can fire twice within 30 minutes. Hours are treated as circular and
 * consecutive days as possible, so the check errs on the side of rejecting.
 */
function checkMinimumInterval(minutes: readonly number[], hours: readonly number[], piece: Piece): void {
  let smallestGap = Infinity;
  let previous: number | undefined;
  for (const minute of minutes) {
    if (previous !== undefined) smallestGap = Math.min(smallestGap, minute - previous);
    previous = minute;
  }
  const hourSet = new Set(hours);
  const consecutiveHours = hours.some((h) => hourSet.has((h + 1) % 24));
  const [first] = minutes;
  if (consecutiveHours && first !== undefined && previous !== undefined)
    smallestGap = Math.min(smallestGap, 60 - previous + first);
  if (smallestGap < MIN_ASSOCIATION_INTERVAL_MINUTES) {
    fail(
      `This schedule fires ${smallestGap} minute(s) apart; an association cannot run more often than every ${MIN_ASSOCIATION_INTERVAL_MINUTES} minutes.`,
      piece,
    );
  }
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

function isWeekday(year: number, month0: number, day: number): boolean {
  const dow = new Date(Date.UTC(year, month0, day)).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** The day of the month a day-of-month special fires on, or undefined if none that month. */
function specialDay(special: DayOfMonthSpecial, year: number, month0: number): number | undefined {
  const dim = daysInMonth(year, month0);
  if (special.kind === "last") return dim;
  if (special.kind === "lastWeekday") {
    let day = dim;
    while (!isWeekday(year, month0, day)) day--;
    return day;
  }
  // nW: the weekday nearest to day n, never leaving the month.
  const day = special.day;
  if (day > dim) return undefined;
  if (isWeekday(year, month0, day)) return day;
  const dow = new Date(Date.UTC(year, month0, day)).getUTCDay();
  if (dow === 6) return day === 1 ? 3 : day - 1;
  return day === dim ? day - 2 : day + 1;
}

/** The first time strictly after `after` that a cron schedule fires, or undefined if never again. */
export function nextCronRun(schedule: CronSchedule, after: Date): Date | undefined {
  const maxYear = schedule.years?.at(-1) ?? FIELDS.year.max;
  let cursor = after;
  for (let guard = 0; guard < 5000; guard++) {
    const expression = cronParser().CronExpressionParser.parse(schedule.cronParserExpression, {
      currentDate: cursor,
      tz: "UTC",
    });
    const candidate = expression.next().toDate();
    const year = candidate.getUTCFullYear();
    if (year > maxYear) return undefined;
    if (schedule.years && !schedule.years.includes(year)) {
      const nextYear = schedule.years.find((y) => y > year);
      if (nextYear === undefined) return undefined;
      cursor = new Date(Date.UTC(nextYear, 0, 1) - 1);
      continue;
    }
    const special = schedule.dayOfMonthSpecial;
    if (special && specialDay(special, year, candidate.getUTCMonth()) !== candidate.getUTCDate()) {
      cursor = new Date(Date.UTC(year, candidate.getUTCMonth(), candidate.getUTCDate() + 1) - 1);
      continue;
    }
    return candidate;
  }
  return undefined;
}

export interface NextRunOptions {
  /** For rate(): the instant the interval counts from (usually the association's creation or last update). */
  readonly anchor?: Date;
  /** ScheduleOffset: days to wait after each cron time. */
  readonly offsetDays?: number;
}

/**
 * The first run of `schedule` strictly after `after`, or undefined if it never runs again.
 * rate() runs at anchor + k·interval (k ≥ 1); at() runs once at its time.
 */
export function nextRun(schedule: Schedule, after: Date, options: NextRunOptions = {}): Date | undefined {
  switch (schedule.kind) {
    case "at":
      return schedule.time.getTime() > after.getTime() ? schedule.time : undefined;
    case "rate": {
      const anchor = (options.anchor ?? after).getTime();
      const elapsed = after.getTime() - anchor;
      const k = elapsed < 0 ? 1 : Math.floor(elapsed / schedule.intervalMs) + 1;
      return new Date(anchor + k * schedule.intervalMs);
    }
    case "cron": {
      const offsetMs = (options.offsetDays ?? 0) * 86_400_000;
      const fire = nextCronRun(schedule, new Date(after.getTime() - offsetMs));
      return fire && new Date(fire.getTime() + offsetMs);
    }
  }
}

export interface AssociationScheduleInput {
  readonly scheduleExpression?: string | undefined;
  readonly scheduleOffset?: number | undefined;
  readonly applyOnlyAtCronInterval?: boolean | undefined;
}

export interface AssociationScheduleProblem extends ScheduleProblem {
  /** The request member at fault. */
  readonly member: "ScheduleExpression" | "ScheduleOffset" | "ApplyOnlyAtCronInterval";
}

/**
 * Validates the schedule-related members of an association together: the expression itself,
 * ScheduleOffset (cron only, 1-6, needs ApplyOnlyAtCronInterval) and ApplyOnlyAtCronInterval
 * (not with rate(), and meaningless without a schedule). Returns the parsed schedule when valid.
 */
export function validateAssociationSchedule(input: AssociationScheduleInput): {
  readonly schedule: Schedule | undefined;
  readonly problems: readonly AssociationScheduleProblem[];
} {
  const problems: AssociationScheduleProblem[] = [];
  let schedule: Schedule | undefined;
  const expression = input.scheduleExpression;
  if (expression !== undefined) {
    const parsed = parseScheduleExpression(expression);
    if (parsed.ok) schedule = parsed.schedule;
    else problems.push({ ...parsed.problem, member: "ScheduleExpression" });
  }
  const whole = (text: string) => ({ part: text, start: 0, end: text.length });
  if (input.scheduleOffset !== undefined) {
    const offset = input.scheduleOffset;
    const text = String(offset);
    if (!Number.isInteger(offset) || offset < 1 || offset > 6) {
      problems.push({
        member: "ScheduleOffset",
        message: "ScheduleOffset must be a whole number of days from 1 to 6.",
        ...whole(text),
      });
    } else if (expression === undefined || (schedule !== undefined && schedule.kind !== "cron")) {
      problems.push({
        member: "ScheduleOffset",
        message: "ScheduleOffset works only with a cron() schedule.",
        ...whole(text),
      });
    } else if (input.applyOnlyAtCronInterval !== true) {
      problems.push({
        member: "ScheduleOffset",
        message: "ScheduleOffset requires ApplyOnlyAtCronInterval to be true.",
        ...whole(text),
      });
    }
  }
  if (input.applyOnlyAtCronInterval === true) {
    if (expression === undefined) {
      problems.push({
        member: "ApplyOnlyAtCronInterval",
        message: "ApplyOnlyAtCronInterval needs a cron() or at() schedule.",
        ...whole("true"),
      });
    } else if (schedule?.kind === "rate") {
      problems.push({
        member: "ApplyOnlyAtCronInterval",
        message: "ApplyOnlyAtCronInterval is not supported with rate() schedules.",
        ...whole("true"),
      });
    }
  }
  return { schedule: problems.length === 0 ? schedule : undefined, problems };
}
