import { ConflictError, DuplicateAccessCodeError, InvalidInputError, accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { appearanceFor } from './appearance';
import { requireDevice } from './assign-pin';
import { requireUnmanaged } from './require-unmanaged';
import type { AccessCodeRecord } from './schemas';
import type { ConvertToManagedInput } from './unmanaged-schemas';

/**
 * Makes Latchkey manage a code it found on a lock: the code keeps its id and PIN, and turns
 * `set` (with `access_code.unmanaged.converted_to_managed`) once the engine has read it back
 * from the lock; if it is gone from the lock by then, the conversion fails with
 * `access_code.unmanaged.failed_to_convert_to_managed`.
 */
export async function convertToManaged(deps: Pick<Deps, 'unmanagedCodes' | 'accessCodes' | 'devices' | 'clock'>, principal: Principal, input: ConvertToManagedInput): Promise<void> {
  const unmanaged = await requireUnmanaged(deps, principal, input.access_code_id);
  const device = await requireDevice(deps, principal, unmanaged.access_code.device_id);
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const code = unmanaged.access_code;
  const managed: AccessCodeRecord = {
    access_code: {
      workspace_id: code.workspace_id,
      access_code_id: code.access_code_id,
      device_id: code.device_id,
      name: code.name,
      code: code.code,
      common_code_key: null,
      type: code.type,
      status: 'setting',
      created_at: nowIso,
      ...(code.starts_at !== undefined && { starts_at: code.starts_at, ends_at: code.ends_at }),
      errors: [],
      warnings: [],
      is_managed: true,
      is_backup: false,
      is_backup_access_code_available: false,
      is_external_modification_allowed: input.is_external_modification_allowed ?? input.allow_external_modification ?? false,
      is_one_time_use: false,
      is_offline_access_code: false,
      is_scheduled_on_device: false,
      is_waiting_for_code_assignment: false,
      pulled_backup_access_code_id: null,
      pending_mutations: [{ mutation_code: 'creating', message: 'Converting the access code to a managed access code', created_at: nowIso }],
      appearance: await appearanceFor(deps, device.device, code.name, code.access_code_id),
    },
    version: 0,
    prefer_native_scheduling: true,
    attempt_for_offline_device: true,
    due_at: nowIso,
    pending_action_attempts: [],
    provider_ref: unmanaged.provider_ref,
    converting: true,
  };
  try {
    await deps.unmanagedCodes.convert(unmanaged, managed);
  } catch (error) {
    if (error instanceof DuplicateAccessCodeError) throw InvalidInputError.forField('access_code_id', 'A managed code on this device already has this PIN');
    if (error instanceof ConflictError) throw accessCodeNotFound();
    throw error;
  }
}
