import { tzOffset } from '@date-fns/tz';
import * as z from 'zod';

/** Days as a recurring schedule names them, Monday first. */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The most windows one schedule may have: a day named in a weekly entry is one window. */
export const maxWeeklyWindows = 28;

/** How many upcoming windows a code shows. */
export const upcomingWindowCount = 10;

const minutesPerDay = 1440;
const minutesPerWeek = 7 * minutesPerDay;
const msPerMinute = 60_000;
const msPerDay = minutesPerDay * msPerMinute;

const wallTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Must be a time of day as HH:MM, from 00:00 to 23:59' });

const minuteOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

export const weeklyWindowSchema = z
  .object({
    days: z.array(z.enum(weekdays)).min(1, { error: 'Must name at least one day' }),
    start_time: wallTimeSchema,
    /** Earlier than start_time: the window ends the next day. */
    end_time: wallTimeSchema,
  })
  .superRefine((window, ctx) => {
    if (window.start_time === window.end_time) ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'Must differ from start_time' });
  });
export type WeeklyWindow = z.infer<typeof weeklyWindowSchema>;

/** A window's place in the week, in minutes from Monday 00:00 wall-clock time. */
const weekSpans = (weekly: readonly WeeklyWindow[]) =>
  weekly.flatMap((window, index) =>
    window.days.map((day) => {
      const start = weekdays.indexOf(day) * minutesPerDay + minuteOfDay(window.start_time);
      const length = (minuteOfDay(window.end_time) - minuteOfDay(window.start_time) + minutesPerDay) % minutesPerDay;
      return { index, start, end: start + length };
    }),
  );

type WeekSpan = ReturnType<typeof weekSpans>[number];

/** Whether two windows share a minute of the week; Sunday night's window runs into Monday. */
const overlapInWeek = (a: WeekSpan, b: WeekSpan) => [-minutesPerWeek, 0, minutesPerWeek].some((shift) => a.start < b.end + shift && b.start + shift < a.end);

function checkWindows(weekly: readonly WeeklyWindow[], ctx: z.RefinementCtx) {
  const spans = weekSpans(weekly);
  if (spans.length > maxWeeklyWindows) {
    ctx.addIssue({ code: 'custom', path: ['weekly'], message: `Must have at most ${maxWeeklyWindows} windows (each day of an entry is one)` });
    return;
  }
  const overlapping = new Set<number>();
  spans.forEach((a, i) => {
    for (const b of spans.slice(i + 1)) if (overlapInWeek(a, b)) overlapping.add(b.index);
  });
  for (const index of overlapping) ctx.addIssue({ code: 'custom', path: ['weekly', index], message: 'Overlaps another window of this schedule' });
}

/** Whether the runtime's time zone data knows `zone` (an IANA name such as America/New_York, or UTC). */
function isTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A weekly schedule in the lock's time zone: the wall-clock windows in which a code works. */
export const recurringScheduleSchema = z
  .object({
    time_zone: z.string().refine(isTimeZone, { error: 'Must be an IANA time zone, such as America/New_York' }),
    weekly: z.array(weeklyWindowSchema).min(1, { error: 'Must have at least one window' }),
  })
  .superRefine((schedule, ctx) => checkWindows(schedule.weekly, ctx))
  .meta({
    description:
      "Latchkey's addition: weekly windows in the lock's IANA time zone in which the code works; a window whose end_time is earlier than its start_time ends the next day. starts_at and ends_at, when given, bound the whole schedule.",
  });
export type RecurringSchedule = z.infer<typeof recurringScheduleSchema>;

/** One window of a schedule, in UTC. */
export const scheduleWindowSchema = z.object({ starts_at: z.string(), ends_at: z.string() });
export type ScheduleWindow = z.infer<typeof scheduleWindowSchema>;

/** Bounds on a schedule: its code's starts_at and ends_at, when it has them. */
export interface ScheduleBounds {
  starts_at?: string | undefined;
  ends_at?: string | undefined;
}

/** The zone's offset from UTC at instant `t`, in minutes. */
const offsetAt = (zone: string, t: number) => tzOffset(zone, new Date(t));

/**
 * The instant a wall-clock time of one day has in the zone; `day` is that day's midnight written
 * as if it were UTC. A repeated time (the hour a clock goes back) is its first occurrence; a
 * skipped one (the hour a clock goes forward) is the first valid minute after it.
 */
function instantOf(day: number, minutes: number, zone: string): number {
  for (let m = minutes; m < minutes + minutesPerDay; m++) {
    const wall = day + m * msPerMinute;
    // The offsets in force around the wall time; an instant that shows the wall time under one of them is one it has.
    const offsets = new Set([offsetAt(zone, wall - msPerDay), offsetAt(zone, wall), offsetAt(zone, wall + msPerDay)]);
    const instants = [...offsets].filter((offset) => offsetAt(zone, wall - offset * msPerMinute) === offset).map((offset) => wall - offset * msPerMinute);
    if (instants.length > 0) return Math.min(...instants);
  }
  throw new Error('No valid time in a day of the zone');
}

/** Midnight of the day `t` falls on in the zone, written as if it were UTC. */
function dayIn(zone: string, t: number): number {
  const local = new Date(t + offsetAt(zone, t) * msPerMinute);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * The schedule's windows that end after `from`, in order, at most `limit` of them, cut to the
 * code's starts_at and ends_at. Each keeps its wall-clock times across a DST change.
 */
export function windowsAfter(schedule: RecurringSchedule, bounds: ScheduleBounds, from: Date, limit = upcomingWindowCount): ScheduleWindow[] {
  const zone = schedule.time_zone;
  const lower = Math.max(from.getTime(), bounds.starts_at === undefined ? Number.NEGATIVE_INFINITY : Date.parse(bounds.starts_at));
  const upper = bounds.ends_at === undefined ? Number.POSITIVE_INFINITY : Date.parse(bounds.ends_at);
  // A window that started the day before (or ends the next day) may still be running.
  const firstDay = dayIn(zone, lower) - msPerDay;
  const windows: { start: number; end: number }[] = [];
  const weeksNeeded = limit + 1;
  for (let offset = 0; offset < weeksNeeded * 7 + 2 && windows.length < limit * 2; offset++) {
    const day = firstDay + offset * msPerDay;
    if (day - 2 * msPerDay > upper) break;
    // getUTCDay counts from Sunday (0); the schedule's days from Monday.
    const weekday = weekdays[(new Date(day).getUTCDay() + 6) % 7];
    for (const window of schedule.weekly) {
      if (weekday === undefined || !window.days.includes(weekday)) continue;
      const startMinutes = minuteOfDay(window.start_time);
      const endMinutes = minuteOfDay(window.end_time) + (window.end_time < window.start_time ? minutesPerDay : 0);
      const start = Math.max(instantOf(day, startMinutes, zone), bounds.starts_at === undefined ? Number.NEGATIVE_INFINITY : Date.parse(bounds.starts_at));
      const end = Math.min(instantOf(day, endMinutes, zone), upper);
      if (end > start && end > lower) windows.push({ start, end });
    }
  }
  return windows
    .sort((a, b) => a.start - b.start)
    .slice(0, limit)
    .map((w) => ({ starts_at: iso(w.start), ends_at: iso(w.end) }));
}

/** Whether `now` is in one of the schedule's windows, within its starts_at and ends_at. */
export function inWeeklyWindow(schedule: RecurringSchedule, bounds: ScheduleBounds, now: Date): boolean {
  const [window] = windowsAfter(schedule, bounds, now, 1);
  return window !== undefined && window.starts_at <= now.toISOString();
}
