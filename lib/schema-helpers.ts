import * as z from 'zod';

/** Seam ids are UUIDs; accept any 8-4-4-4-12 hex id (nil and max ids included). */
export const idSchema = z.guid({ error: 'Must be a UUID' });

const isoDateTimePattern =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:\.(?<fraction>\d{1,9}))?)?(?:Z|(?<sign>[+-])(?<offsetHour>\d{2})(?::?(?<offsetMinute>\d{2}))?)?$/;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The instant an ISO 8601 date-time names, or undefined when it is malformed or names no
 * real time (2027-02-29, April 31st, 24:00). Checked field by field: `Date.parse` would move
 * an impossible date into the next month and stop reading at a NUL.
 */
export function parseIsoDateTime(text: string): Date | undefined {
  const parts = isoDateTimePattern.exec(text)?.groups;
  if (parts === undefined) return undefined;
  const n = (name: string) => Number(parts[name] ?? 0);
  const [year, month, day, hour, minute, second] = [n('year'), n('month'), n('day'), n('hour'), n('minute'), n('second')];
  const monthDays = month === 2 && isLeapYear(year) ? 29 : daysInMonth[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return undefined;
  if (n('offsetHour') > 23 || n('offsetMinute') > 59) return undefined;
  const offsetMinutes = (parts.sign === '-' ? -1 : 1) * (n('offsetHour') * 60 + n('offsetMinute'));
  const millis = Number((parts.fraction ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 onto 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  return date;
}

/**
 * An ISO 8601 date-time with a time part and an optional offset (`Z`, `+00:00`, `+0000` or
 * `+00`; none means UTC), normalised to UTC `toISOString()` form.
 */
export const isoDateTimeSchema = z.string().transform((s, ctx) => {
  const date = parseIsoDateTime(s);
  if (date === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: isoDateTimePattern.test(s)
        ? 'Must be a real date and time (no February 29th outside leap years, no April 31st, hours 00-23)'
        : 'Must be an ISO 8601 date-time, e.g. 2025-01-01T16:00:00Z',
    });
    return z.NEVER;
  }
  return date.toISOString();
});

export const timestampSchema = z.iso.datetime();
