/**
 * Change Calendar: GetCalendarState, and the gate State Manager puts on associations with
 * CalendarNames (they run only while every calendar is OPEN). A calendar is a ChangeCalendar
 * document whose content is iCalendar text (parsed with ical.js): `X-CALENDAR-TYPE` says whether
 * it is DEFAULT_OPEN (events are closed periods) or DEFAULT_CLOSED (events are open periods);
 * recurring events (RRULE) repeat their period.
 */
import ICAL from "ical.js";
import type { Area, EndpointCore } from "./core.js";
import { documentNameFromArn, findDocument, resolveDocumentVersion } from "./documents.js";
import { SsmError, ErrorCode } from "./errors.js";
import { check } from "./validate.js";

type CalendarState = "OPEN" | "CLOSED";

interface Period {
  start: number;
  end: number;
}

interface ParsedCalendar {
  defaultState: CalendarState;
  events: ICAL.Event[];
}

/** How far ahead a recurring event is expanded when looking for the state or the next change. */
const HORIZON_MS = 366 * 24 * 3600 * 1000;
const MAX_OCCURRENCES = 5000;

const parsed = new Map<string, ParsedCalendar>();

function parseCalendar(hash: string, text: string): ParsedCalendar {
  const known = parsed.get(hash);
  if (known) return known;
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (e) {
    throw new SsmError("UnsupportedCalendarException", `The calendar entry isn't supported: ${(e as Error).message}`);
  }
  if (root.name !== "vcalendar")
    throw new SsmError("UnsupportedCalendarException", "The calendar entry isn't supported: no VCALENDAR.");
  const type = String(root.getFirstPropertyValue("x-calendar-type") ?? "DEFAULT_OPEN").toUpperCase();
  const calendar: ParsedCalendar = {
    defaultState: type === "DEFAULT_CLOSED" ? "CLOSED" : "OPEN",
    events: root.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v)),
  };
  parsed.set(hash, calendar);
  return calendar;
}

type IcalTime = InstanceType<typeof ICAL.Time>;

/**
 * What ical.js really returns, where its declared types say otherwise: a user's calendar may
 * have an event without DTSTART/DTEND (null), an expansion ends with null, and the declared type
 * of an occurrence's details does not resolve (its types.d.ts imports "./time" without an extension).
 */
interface IcalEventAsRead {
  startDate: IcalTime | null;
  endDate: IcalTime | null;
}
interface IcalOccurrence {
  startDate: IcalTime;
  endDate: IcalTime;
}

/** Event periods that overlap [from, to), in start order. */
function periods(calendar: ParsedCalendar, from: number, to: number): Period[] {
  const out: Period[] = [];
  for (const event of calendar.events) {
    const { startDate, endDate } = event as IcalEventAsRead;
    if (!startDate) continue;
    if (!event.isRecurring()) {
      const start = startDate.toJSDate().getTime();
      const end = endDate ? endDate.toJSDate().getTime() : start;
      if (end > from && start < to) out.push({ start, end });
      continue;
    }
    const iterator = event.iterator();
    const nextOccurrence = (): IcalTime | null => iterator.next();
    for (let n = 0, next = nextOccurrence(); next && n < MAX_OCCURRENCES; n++, next = nextOccurrence()) {
      const details = event.getOccurrenceDetails(next) as unknown as IcalOccurrence;
      const start = details.startDate.toJSDate().getTime();
      if (start >= to) break;
      const end = details.endDate.toJSDate().getTime();
      if (end > from) out.push({ start, end });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function stateAt(calendar: ParsedCalendar, at: number): CalendarState {
  const inEvent = periods(calendar, at, at + 1).some((p) => p.start <= at && at < p.end);
  const flipped: CalendarState = calendar.defaultState === "OPEN" ? "CLOSED" : "OPEN";
  return inEvent ? flipped : calendar.defaultState;
}

function calendarOf(core: EndpointCore, nameOrArn: string): ParsedCalendar {
  const doc = findDocument(core, nameOrArn);
  if (!doc)
    throw new SsmError(
      ErrorCode.InvalidDocument,
      `Document with name ${documentNameFromArn(nameOrArn)} does not exist.`,
    );
  const version = resolveDocumentVersion(doc, "$DEFAULT");
  if (version.documentType !== "ChangeCalendar")
    throw new SsmError("InvalidDocumentType", `Document ${doc.name} is not a ChangeCalendar document.`);
  return parseCalendar(version.hash, version.content);
}

/** OPEN only when every calendar is open at `at` (GetCalendarState's rule). */
export function calendarsState(core: EndpointCore, names: readonly string[], at: number): CalendarState {
  return names.every((name) => stateAt(calendarOf(core, name), at) === "OPEN") ? "OPEN" : "CLOSED";
}

/** The first time after `at` (within a year) when the combined state changes. */
function nextTransition(core: EndpointCore, names: readonly string[], at: number): number | undefined {
  const boundaries = new Set<number>();
  for (const name of names)
    for (const p of periods(calendarOf(core, name), at, at + HORIZON_MS))
      for (const t of [p.start, p.end]) if (t > at) boundaries.add(t);
  const now = calendarsState(core, names, at);
  for (const t of [...boundaries].sort((a, b) => a - b)) if (calendarsState(core, names, t) !== now) return t;
  return undefined;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export const calendarArea: Area = {
  name: "calendar",

  setup(core) {
    // A calendar that cannot be read (deleted, not a calendar) holds the association back, as a closed one would.
    core.hooks.calendarsOpen.push((c, names, at) => {
      try {
        return calendarsState(c, names, at) === "OPEN";
      } catch {
        return false;
      }
    });
  },

  operations: {
    GetCalendarState(input, ctx) {
      const req = check(input, (c) => ({
        names: c.requiredStringList("CalendarNames"),
        atTime: c.string("AtTime"),
      }));
      let at = ctx.clock.now();
      if (req.atTime !== undefined) {
        at = Date.parse(req.atTime);
        if (Number.isNaN(at)) throw new SsmError(ErrorCode.Validation, `AtTime ${req.atTime} is not an ISO 8601 time.`);
      }
      const state = calendarsState(ctx, req.names, at);
      const next = nextTransition(ctx, req.names, at);
      return {
        State: state,
        AtTime: isoSeconds(at),
        ...(next !== undefined ? { NextTransitionTime: isoSeconds(next) } : {}),
      };
    },
  },
};
