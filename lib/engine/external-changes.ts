import type { DesiredEntry, KeypadEntry } from '../devices/lock-provider';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';
import type { Write } from './outcome';

export interface ExternalChange {
  change_type: 'modified' | 'removed';
  modified_fields: { field: string; from: string | null; to: string | null }[];
}

const conflictCode = 'conflicting_external_modification';
const honouredCode = 'external_modification_in_effect';

/**
 * What was changed on the lock outside Latchkey, if anything: a code that Latchkey had
 * settled (set or scheduled, nothing pending) that the lock no longer holds as it was left.
 * PINs are left out of the report (null), as in every change report.
 */
export function externalChange(record: AccessCodeRecord, desired: DesiredEntry | undefined, actual: KeypadEntry | undefined): ExternalChange | undefined {
  const code = record.access_code;
  const settled = (code.status === 'set' || code.is_scheduled_on_device) && record.sync === undefined && code.pending_mutations.length === 0;
  if (!settled || desired === undefined) return undefined;
  if (actual === undefined) return { change_type: 'removed', modified_fields: [] };
  if (actual.state !== 'present') return undefined;
  const fields: ExternalChange['modified_fields'] = [];
  if (actual.code !== desired.code) fields.push({ field: 'code', from: null, to: null });
  for (const field of ['starts_at', 'ends_at'] as const) {
    if (actual[field] !== desired[field]) fields.push({ field, from: desired[field] ?? null, to: actual[field] ?? null });
  }
  return fields.length === 0 ? undefined : { change_type: 'modified', modified_fields: fields };
}

const withoutExternal = (code: AccessCode): Pick<AccessCode, 'errors' | 'warnings'> => ({
  errors: code.errors.filter((e) => e.error_code !== conflictCode),
  warnings: code.warnings.filter((w) => w.warning_code !== honouredCode),
});

/** The conflict error goes once the lock holds Latchkey's code again. */
export const clearedConflict = (code: AccessCode) => code.errors.filter((e) => e.error_code !== conflictCode);

/**
 * A change made on the lock outside Latchkey. Where external modification is not allowed,
 * the code is marked `conflicting_external_modification` and sent back through the
 * lifecycle, which puts Latchkey's PIN and window back. Where it is allowed, Latchkey adopts
 * the lock's state: the new PIN (`external_modification_in_effect`), or the code's removal;
 * a PIN another managed code holds is put back instead. Either way the event Seam sends is
 * published: `access_code.modified_external_to_seam` or `access_code.deleted_external_to_seam`.
 */
export function externalChangeRule(record: AccessCodeRecord, change: ExternalChange, actual: KeypadEntry | undefined, now: Date): Write {
  const nowIso = now.toISOString();
  const code = record.access_code;
  const event = change.change_type === 'removed' ? 'access_code.deleted_external_to_seam' : 'access_code.modified_external_to_seam';
  // A shared PIN (common_code_key) is never adopted: the other codes keep it.
  const adopt = code.is_external_modification_allowed && code.common_code_key === null;
  if (adopt && change.change_type === 'removed') {
    return { kind: 'write', rule: 'external_change_removed', record, removed: true, events: [event], attempts: [] };
  }
  const restoring: AccessCode = {
    ...code,
    ...withoutExternal(code),
    status: code.status === 'set' ? 'setting' : code.status,
    pending_mutations: [{ mutation_code: 'creating', message: 'Putting the code back on the device as Latchkey set it', created_at: nowIso }],
  };
  restoring.errors = [
    ...restoring.errors,
    { error_code: conflictCode, message: 'The code was changed on the device outside Latchkey; Latchkey is setting it again', created_at: nowIso, is_access_code_error: true, ...change },
  ];
  const restore: Write = { kind: 'write', rule: 'external_change_restored', record, next: { ...record, access_code: restoring, due_at: nowIso }, events: [event], attempts: [] };
  if (!adopt || actual === undefined) return restore;
  const adopted: AccessCode = {
    ...code,
    ...withoutExternal(code),
    code: actual.code,
    ...(actual.starts_at !== undefined && actual.ends_at !== undefined && { starts_at: actual.starts_at, ends_at: actual.ends_at }),
  };
  adopted.warnings = [...adopted.warnings, { warning_code: honouredCode, message: 'The code was changed on the device outside Latchkey; the change is honoured', created_at: nowIso, ...change }];
  return { kind: 'write', rule: 'external_change_adopted', record, next: { ...record, access_code: adopted }, events: [event], attempts: [], otherwise: restore };
}

/**
 * A converted code's first step: the lock still holds it, so it is Latchkey's now
 * (`access_code.unmanaged.converted_to_managed`), or it is gone, and the conversion failed.
 */
export function conversionRule(record: AccessCodeRecord, actual: KeypadEntry | undefined, now: Date): Write {
  if (actual === undefined || actual.state === 'removing') {
    return { kind: 'write', rule: 'conversion_failed', record, removed: true, events: ['access_code.unmanaged.failed_to_convert_to_managed'], attempts: [] };
  }
  const { converting: _converting, ...rest } = record;
  const nowIso = now.toISOString();
  const future = record.access_code.starts_at !== undefined && record.access_code.starts_at > nowIso;
  const converted: AccessCode = { ...record.access_code, status: future ? 'unset' : 'set', is_scheduled_on_device: record.access_code.starts_at !== undefined, pending_mutations: [] };
  // Due again at once: the engine then keeps it as it keeps every managed code.
  return { kind: 'write', rule: 'converted', record, next: { ...rest, access_code: converted, due_at: nowIso }, events: ['access_code.unmanaged.converted_to_managed'], attempts: [] };
}
