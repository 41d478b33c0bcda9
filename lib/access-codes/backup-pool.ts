import * as z from 'zod';
import type { DeviceRecord } from '../devices/schemas';
import { AppError, ConflictError, InvalidInputError, accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { idSchema } from '../schema-helpers';
import { requireDevice } from './assign-pin';
import { accessCodeEvent } from './events';
import { codesOnDevice } from './codes-on-device';
import type { AccessCode, AccessCodeRecord } from './schemas';
import { generatePin } from '../devices/code-constraints';

/** Codes kept waiting on a lock whose pool is in use. */
export const backupPoolSize = 3;

export const pullBackupInputSchema = z.object({ access_code_id: idSchema });

type PoolDeps = Pick<Deps, 'accessCodes' | 'devices' | 'clock' | 'ids'>;

/** Seam names its backup codes after their own id: "Backup 12525e70 (Seam)". */
const backupName = (accessCodeId: string) => `Backup ${accessCodeId.slice(0, 8)} (Seam)`;

const isAvailable = (r: AccessCodeRecord) => r.backup?.state === 'available';

/** Whether a code is a backup still waiting in its pool: such codes are left out of lists. */
export const inPool = (r: AccessCodeRecord) => isAvailable(r);

/**
 * Tops up a device's backup pool: ongoing codes with generated PINs, programmed like any
 * other code, hidden from lists until one is pulled. Written all at once; a lost race on a
 * PIN leaves the pool short until the next fill.
 */
export async function fillBackupPool(deps: PoolDeps, device: DeviceRecord): Promise<void> {
  const { workspace_id: workspaceId, device_id: deviceId } = device.device;
  const waiting = (await codesOnDevice(deps, workspaceId, deviceId)).filter(isAvailable).length;
  if (waiting >= backupPoolSize) return;
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const inUse = await deps.accessCodes.listPins(workspaceId, deviceId);
  const records: AccessCodeRecord[] = [];
  for (let i = waiting; i < backupPoolSize; i++) {
    const pin = generatePin(device.device, inUse);
    if (pin === undefined) break;
    inUse.push(pin);
    const id = deps.ids.uuid();
    const code: AccessCode = {
      workspace_id: workspaceId,
      access_code_id: id,
      device_id: deviceId,
      name: backupName(id),
      code: pin,
      common_code_key: null,
      type: 'ongoing',
      status: 'setting',
      created_at: nowIso,
      errors: [],
      warnings: [],
      is_managed: true,
      is_backup: true,
      is_backup_access_code_available: false,
      is_external_modification_allowed: false,
      is_one_time_use: false,
      is_offline_access_code: false,
      is_scheduled_on_device: false,
      is_waiting_for_code_assignment: false,
      pulled_backup_access_code_id: null,
      pending_mutations: [{ mutation_code: 'creating', message: 'Setting a backup access code on the device', created_at: nowIso }],
      appearance: { name: backupName(id) },
    };
    records.push({ access_code: code, version: 0, prefer_native_scheduling: true, attempt_for_offline_device: true, due_at: nowIso, pending_action_attempts: [], backup: { state: 'available' } });
  }
  try {
    await deps.accessCodes.createMany(records);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}

const emptyPool = () => new AppError('empty_backup_access_code_pool', 400, 'The backup access code pool of this device is empty; it is being refilled');

/**
 * Gives out a backup code in place of a time-bound code created with
 * use_backup_access_code_pool: a code already on the lock, which from now on ends when the
 * original ends. Pulling again returns the same backup. The pool is refilled afterwards.
 */
export async function pullBackupAccessCode(deps: PoolDeps, principal: Principal, input: z.infer<typeof pullBackupInputSchema>): Promise<{ access_code: AccessCode; backup_access_code: AccessCode }> {
  const workspaceId = principal.workspace_id;
  const original = await deps.accessCodes.get(workspaceId, input.access_code_id);
  if (!original || !(await grantsDeviceId(deps, principal, original.access_code.device_id))) throw accessCodeNotFound();
  const code = original.access_code;
  if (code.type !== 'time_bound' || code.ends_at === undefined) {
    throw new AppError('access_code_not_time_bound', 400, 'Backups can only be pulled for time-bound access codes');
  }
  if (!original.uses_backup_pool) throw InvalidInputError.forField('access_code_id', 'The access code was not created with use_backup_access_code_pool');
  const device = await requireDevice(deps, principal, code.device_id);
  const onDevice = await codesOnDevice(deps, workspaceId, code.device_id);
  const already = onDevice.find((r) => r.access_code.access_code_id === code.pulled_backup_access_code_id || r.backup?.pulled_for === code.access_code_id);
  const now = deps.clock.now();
  const nowIso = now.toISOString();

  let backup = already;
  if (!backup) {
    // Only a backup the lock already holds works at once.
    const ready = onDevice.find((r) => isAvailable(r) && r.access_code.status === 'set');
    if (!ready) {
      await markEmpty(deps, original, nowIso);
      await fillBackupPool(deps, device);
      throw emptyPool();
    }
    const pulled: AccessCodeRecord = {
      ...ready,
      version: ready.version + 1,
      backup: { state: 'pulled', pulled_for: code.access_code_id },
      due_at: nowIso,
      access_code: {
        ...ready.access_code,
        type: 'time_bound',
        starts_at: nowIso,
        ends_at: code.ends_at,
        pending_mutations: [
          {
            mutation_code: 'updating_time_frame',
            message: 'Ending the backup code when the original ends',
            created_at: nowIso,
            from: { starts_at: null, ends_at: null },
            to: { starts_at: nowIso, ends_at: code.ends_at },
          },
        ],
      },
    };
    try {
      await deps.accessCodes.update(pulled, ready);
    } catch (error) {
      // Pulled for another code meanwhile: the caller may pull again.
      if (error instanceof ConflictError) throw new ConflictError('The backup was taken meanwhile; pull again');
      throw error;
    }
    backup = pulled;
  }

  if (code.pulled_backup_access_code_id !== backup.access_code.access_code_id) {
    const linked: AccessCodeRecord = {
      ...original,
      version: original.version + 1,
      access_code: {
        ...code,
        pulled_backup_access_code_id: backup.access_code.access_code_id,
        is_backup_access_code_available: false,
        errors: code.errors.filter((e) => e.error_code !== 'empty_backup_access_code_pool'),
        warnings: [
          ...code.warnings.filter((w) => w.warning_code !== 'using_backup_access_code'),
          { warning_code: 'using_backup_access_code', message: 'A backup access code has been pulled and is being used in place of this access code.', created_at: nowIso },
        ],
      },
    };
    const events = [accessCodeEvent(deps.ids, linked.access_code, device.device, 'access_code.backup_access_code_pulled', now, { backup_access_code_id: backup.access_code.access_code_id })];
    await deps.accessCodes.update(linked, original, { events });
    await fillBackupPool(deps, device);
  }
  return { access_code: backup.access_code, backup_access_code: backup.access_code };
}

/** Shows on the original code that no backup could be given out. */
async function markEmpty(deps: PoolDeps, original: AccessCodeRecord, nowIso: string): Promise<void> {
  const code = original.access_code;
  if (code.errors.some((e) => e.error_code === 'empty_backup_access_code_pool')) return;
  try {
    await deps.accessCodes.update(
      {
        ...original,
        version: original.version + 1,
        access_code: {
          ...code,
          errors: [...code.errors, { error_code: 'empty_backup_access_code_pool', message: 'The backup access code pool is empty.', created_at: nowIso, is_device_error: true }],
        },
      },
      original,
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
