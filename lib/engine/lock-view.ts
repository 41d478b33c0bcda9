import type { DesiredEntry, KeypadEntry } from '../devices/lock-provider';
import { type LifecycleSettings, leadMs } from '../access-codes/lifecycle';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const minIso = (...values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined).sort()[0];

/**
 * What the lock should hold for this code at `now`: the PIN (with its window on a natively
 * scheduling lock) from the start of its lead time until ends_at; nothing once it is deleted
 * or expired, or before its lead time.
 */
export function desiredEntry(record: AccessCodeRecord, native: boolean, settings: LifecycleSettings, now: Date): DesiredEntry | undefined {
  const code = record.access_code;
  if (code.status === 'removing' || code.code === null) return undefined;
  const base = { access_code_id: code.access_code_id, code: code.code, ...(code.name !== null && { name: code.name }) };
  if (code.type === 'ongoing' || code.starts_at === undefined || code.ends_at === undefined) return base;
  const t = now.getTime();
  if (t >= ms(code.ends_at) || t < ms(code.starts_at) - leadMs(native, settings)) return undefined;
  return native ? { ...base, starts_at: code.starts_at, ends_at: code.ends_at } : base;
}

/** The next time the desired entry changes by the clock alone. */
export function nextBoundary(record: AccessCodeRecord, native: boolean, settings: LifecycleSettings, now: Date): string | undefined {
  const code = record.access_code;
  if (code.type === 'ongoing' || code.starts_at === undefined || code.ends_at === undefined) return undefined;
  const nowIso = now.toISOString();
  return minIso(...[iso(ms(code.starts_at) - leadMs(native, settings)), code.starts_at, code.ends_at].filter((b) => b > nowIso));
}

/** Whether the lock holds what it should; a name counts only where the provider shows names. */
export const matches = (actual: KeypadEntry, desired: DesiredEntry, withName = false) =>
  actual.code === desired.code &&
  actual.starts_at === desired.starts_at &&
  actual.ends_at === desired.ends_at &&
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
