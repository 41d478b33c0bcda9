import type { DesiredEntry, KeypadEntry } from '../devices/lock-provider';
import { type LifecycleSettings, leadMs } from '../access-codes/lifecycle';
import { type RecurringMode, windowPlan } from '../access-codes/recurring-lifecycle';
import { windowsAfter } from '../devices/weekly-schedule';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const minIso = (...values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined).sort()[0];

/**
 * What the lock should hold for this code at `now`: the PIN (with its window on a natively
 * scheduling lock) from the start of its lead time until ends_at; nothing once it is deleted
 * or expired, or before its lead time.
 */
export function desiredEntry(record: AccessCodeRecord, native: boolean, settings: LifecycleSettings, now: Date, weekly = false): DesiredEntry | undefined {
  const code = record.access_code;
  if (code.status === 'removing' || code.code === null) return undefined;
  const base = { access_code_id: code.access_code_id, code: code.code, ...(code.name !== null && { name: code.name }) };
  if (code.recurring_schedule !== undefined) return recurringEntry(code, base, recurringMode(native, weekly), settings, now);
  if (code.type === 'ongoing' || code.starts_at === undefined || code.ends_at === undefined) return base;
  const t = now.getTime();
  if (t >= ms(code.ends_at) || t < ms(code.starts_at) - leadMs(native, settings)) return undefined;
  return native ? { ...base, starts_at: code.starts_at, ends_at: code.ends_at } : base;
}

/** How the lock keeps a recurring code, from what it can keep. */
export const recurringMode = (native: boolean, weekly: boolean): RecurringMode => {
  if (weekly) return 'weekly';
  return native ? 'window_native' : 'window_just_in_time';
};

/**
 * What the lock should hold for a recurring code: on a lock that keeps weekly schedules, the
 * code with its schedule (from the lead before starts_at until ends_at); on any other lock,
 * the code around its current or next window only (with that window on a lock that keeps one).
 */
function recurringEntry(code: AccessCode, base: DesiredEntry, mode: RecurringMode, settings: LifecycleSettings, now: Date): DesiredEntry | undefined {
  const t = now.getTime();
  const schedule = code.recurring_schedule;
  if (schedule === undefined || (code.ends_at !== undefined && t >= ms(code.ends_at))) return undefined;
  if (mode === 'weekly') {
    if (code.starts_at !== undefined && t < ms(code.starts_at) - leadMs(true, settings)) return undefined;
    return { ...base, recurring_schedule: schedule, ...(code.starts_at !== undefined && { starts_at: code.starts_at }), ...(code.ends_at !== undefined && { ends_at: code.ends_at }) };
  }
  const plan = windowPlan(code, mode, settings, now);
  if (plan === undefined || t < plan.loadAt) return undefined;
  return mode === 'window_native' ? { ...base, starts_at: plan.window.starts_at, ends_at: plan.window.ends_at } : base;
}

/** A recurring code's next change by the clock: its lock taking or dropping it, or a window starting or ending. */
function recurringBoundary(code: AccessCode, mode: RecurringMode, settings: LifecycleSettings, now: Date): string | undefined {
  const schedule = code.recurring_schedule;
  if (schedule === undefined) return undefined;
  const nowIso = now.toISOString();
  const [window] = windowsAfter(schedule, { starts_at: code.starts_at, ends_at: code.ends_at }, now, 1);
  const edges = [window?.starts_at, window?.ends_at, code.ends_at];
  if (mode === 'weekly' && code.starts_at !== undefined) edges.push(iso(ms(code.starts_at) - leadMs(true, settings)));
  if (mode !== 'weekly') {
    const plan = windowPlan(code, mode, settings, now);
    if (plan !== undefined) edges.push(iso(plan.loadAt));
  }
  return minIso(...edges.filter((b) => b !== undefined && b > nowIso));
}

/** The next time the desired entry (or a recurring code's status) changes by the clock alone. */
export function nextBoundary(record: AccessCodeRecord, native: boolean, settings: LifecycleSettings, now: Date, weekly = false): string | undefined {
  const code = record.access_code;
  if (code.recurring_schedule !== undefined) return recurringBoundary(code, recurringMode(native, weekly), settings, now);
  if (code.type === 'ongoing' || code.starts_at === undefined || code.ends_at === undefined) return undefined;
  const nowIso = now.toISOString();
  return minIso(...[iso(ms(code.starts_at) - leadMs(native, settings)), code.starts_at, code.ends_at].filter((b) => b > nowIso));
}

/** Whether the lock holds what it should; a name counts only where the provider shows names. */
export const matches = (actual: KeypadEntry, desired: DesiredEntry, withName = false) =>
  actual.code === desired.code &&
  actual.starts_at === desired.starts_at &&
  actual.ends_at === desired.ends_at &&
  JSON.stringify(actual.recurring_schedule ?? null) === JSON.stringify(desired.recurring_schedule ?? null) &&
  // A code without a name leaves the provider free to name it (Seam's "New Access Code").
  (!withName || !desired.name || actual.name === desired.name) &&
  actual.state !== 'removing';

const deviceErrorCodes = new Set(['device_offline', 'no_space_for_access_code_on_device']);

/** A code's errors without those that describe the device rather than the code. */
export const keepAccessErrors = (code: AccessCode) => code.errors.filter((e) => !deviceErrorCodes.has(e.error_code));

/** Whether an error describes the device (offline, full) rather than the code. */
export const isDeviceError = (errorCode: string) => deviceErrorCodes.has(errorCode);

/**
 * The record with what the provider last reported: its id for the code, and its errors and
 * warnings on the code in place of those it reported before.
 */
export function withProviderReport(record: AccessCodeRecord, entry: KeypadEntry | undefined, nowIso: string): AccessCodeRecord {
  const before = record.provider_issues ?? { errors: [], warnings: [] };
  const errors = entry?.errors ?? [];
  const warnings = entry?.warnings ?? [];
  if (entry?.provider_ref === undefined && errors.length === 0 && warnings.length === 0 && before.errors.length === 0 && before.warnings.length === 0) {
    return record;
  }
  const code = record.access_code;
  const keptErrors = code.errors.filter((e) => !before.errors.includes(e.error_code));
  const keptWarnings = code.warnings.filter((w) => !before.warnings.includes(w.warning_code));
  // An issue the provider keeps reporting keeps the time it was first shown.
  const firstShown = (existing?: { created_at: string }) => existing?.created_at ?? nowIso;
  const next: AccessCodeRecord = {
    ...record,
    ...(entry?.provider_ref !== undefined && { provider_ref: entry.provider_ref }),
    access_code: {
      ...code,
      errors: [
        ...keptErrors,
        ...errors
          .filter((i) => !keptErrors.some((e) => e.error_code === i.code))
          .map((i) => ({ error_code: i.code, message: i.message, created_at: firstShown(code.errors.find((e) => e.error_code === i.code)), is_access_code_error: true })),
      ],
      warnings: [
        ...keptWarnings,
        ...warnings
          .filter((i) => !keptWarnings.some((w) => w.warning_code === i.code))
          .map((i) => ({ warning_code: i.code, message: i.message, created_at: firstShown(code.warnings.find((w) => w.warning_code === i.code)) })),
      ],
    },
  };
  if (errors.length === 0 && warnings.length === 0) delete next.provider_issues;
  else next.provider_issues = { errors: errors.map((i) => i.code), warnings: warnings.map((i) => i.code) };
  return next;
}
