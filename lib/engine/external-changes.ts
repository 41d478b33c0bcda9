import type { CodeHandle, DesiredEntry, KeypadEntry } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError, DuplicateAccessCodeError, InvalidInputError, accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { retry, retryPolicies } from '../retry';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { requireDevice } from '../access-codes/assign-pin';
import { type EngineDeps, commit } from './reconcile';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';
import type { SimulateExternalChangeInput } from '../access-codes/unmanaged-schemas';

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

/**
 * Handles a change made on the lock outside Latchkey. Where external modification is not
 * allowed, the code is marked `conflicting_external_modification` and sent back through the
 * lifecycle, which puts Latchkey's PIN and window back. Where it is allowed, Latchkey adopts
 * the lock's state: the new PIN (`external_modification_in_effect`), or the code's removal.
 * Either way the event Seam sends is published: `access_code.modified_external_to_seam` or
 * `access_code.deleted_external_to_seam`.
 */
export async function handleExternalChange(deps: EngineDeps, record: AccessCodeRecord, device: DeviceRecord, now: Date, change: ExternalChange, actual: KeypadEntry | undefined): Promise<void> {
  const nowIso = now.toISOString();
  const code = record.access_code;
  const event = change.change_type === 'removed' ? 'access_code.deleted_external_to_seam' : 'access_code.modified_external_to_seam';
  // A shared PIN (common_code_key) is never adopted: the other codes keep it.
  const adopt = code.is_external_modification_allowed && code.common_code_key === null;
  if (adopt && change.change_type === 'removed') {
    return commit(deps, record, device, now, { removed: true, events: [event], attempts: [] });
  }
  if (adopt && actual !== undefined) {
    const adopted: AccessCode = {
      ...code,
      ...withoutExternal(code),
      code: actual.code,
      ...(actual.starts_at !== undefined && actual.ends_at !== undefined && { starts_at: actual.starts_at, ends_at: actual.ends_at }),
    };
    adopted.warnings = [...adopted.warnings, { warning_code: honouredCode, message: 'The code was changed on the device outside Latchkey; the change is honoured', created_at: nowIso, ...change }];
    try {
      return await commit(deps, record, device, now, { next: { ...record, access_code: adopted }, events: [event], attempts: [] });
    } catch (error) {
      // The lock's new PIN is another managed code's: Latchkey's PIN goes back instead.
      if (!(error instanceof DuplicateAccessCodeError)) throw error;
    }
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
  return commit(deps, record, device, now, { next: { ...record, access_code: restoring, due_at: nowIso }, events: [event], attempts: [] });
}

/** The conflict error goes once the lock holds Latchkey's code again. */
export const clearedConflict = (code: AccessCode) => code.errors.filter((e) => e.error_code !== conflictCode);

/**
 * A converted code's first step: the lock still holds it, so it is Latchkey's now
 * (`access_code.unmanaged.converted_to_managed`), or it is gone, and the conversion failed.
 */
export async function stepConversion(deps: EngineDeps, record: AccessCodeRecord, device: DeviceRecord, now: Date, actual: KeypadEntry | undefined): Promise<void> {
  if (actual === undefined || actual.state === 'removing') {
    return commit(deps, record, device, now, { removed: true, events: ['access_code.unmanaged.failed_to_convert_to_managed'], attempts: [] });
  }
  const { converting: _converting, ...rest } = record;
  const nowIso = now.toISOString();
  const future = record.access_code.starts_at !== undefined && record.access_code.starts_at > nowIso;
  const converted: AccessCode = { ...record.access_code, status: future ? 'unset' : 'set', is_scheduled_on_device: record.access_code.starts_at !== undefined, pending_mutations: [] };
  // Due again at once: the engine then keeps it as it keeps every managed code.
  return commit(deps, record, device, now, { next: { ...rest, access_code: converted, due_at: nowIso }, events: ['access_code.unmanaged.converted_to_managed'], attempts: [] });
}

/**
 * Sandbox only: changes or removes a managed code on its lock behind Latchkey's back, as a
 * person at the keypad would, and asks the engine to read the lock again.
 */
export async function simulateExternalChange(deps: Pick<Deps, 'accessCodes' | 'devices' | 'providers' | 'clock'>, principal: Principal, input: SimulateExternalChangeInput): Promise<void> {
  const record = await deps.accessCodes.get(principal.workspace_id, input.access_code_id);
  if (!record || !(await grantsDeviceId(deps, principal, record.access_code.device_id))) throw accessCodeNotFound();
  const device = await requireDevice(deps, principal, record.access_code.device_id);
  const simulator = deps.providers.for(device).simulator;
  if (!simulator) throw InvalidInputError.forField('access_code_id', 'Only codes on sandbox locks can be changed outside Latchkey here');
  if (record.access_code.is_offline_access_code) throw InvalidInputError.forField('access_code_id', "An offline code lives in the lock's algorithm, not on its keypad");
  const handle: CodeHandle = { access_code_id: record.access_code.access_code_id, ...(record.provider_ref !== undefined && { provider_ref: record.provider_ref }) };
  await simulator.changeExternally(device, handle, input.code === undefined ? { change_type: 'removed' } : { change_type: 'modified', code: input.code });
  // Make the code due now, so the engine looks at the lock; another writer coming first is fine.
  await retry(retryPolicies.engineConflict, async (attempt) => {
    const current = attempt === 1 ? record : await deps.accessCodes.get(principal.workspace_id, input.access_code_id);
    if (!current) return;
    await deps.accessCodes.update({ ...current, version: current.version + 1, due_at: deps.clock.now().toISOString() }, current);
  }).catch((error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
  });
}
