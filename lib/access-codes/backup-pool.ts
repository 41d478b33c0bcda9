import type { DeviceRecord } from '../devices/schemas';
import { AppError } from '../errors';
import type { Deps } from '../ports';
import { codesOnDevice } from './codes-on-device';
import type { AccessCode, AccessCodeRecord } from './schemas';
import { generatePin } from '../devices/code-constraints';

/** Codes kept waiting on a lock whose pool is in use. */
export const backupPoolSize = 3;

type PoolDeps = Pick<Deps, 'accessCodes' | 'devices' | 'clock' | 'ids'>;

/** Seam names its backup codes after their own id: "Backup 12525e70 (Seam)". */
const backupName = (accessCodeId: string) => `Backup ${accessCodeId.slice(0, 8)} (Seam)`;

export const isAvailable = (r: AccessCodeRecord) => r.backup?.state === 'available';

/** A backup a pull can give out at once: waiting in its pool, and already on the lock. */
export const isReady = (r: AccessCodeRecord) => isAvailable(r) && r.access_code.status === 'set';

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

/**
 * The codes as a client sees them: `is_backup_access_code_available` is true exactly when a
 * pull would give out a backup now (nothing pulled yet, and a backup on the lock waits in the
 * pool). One read of each device's codes, only for codes that use the pool.
 */
export async function withBackupAvailability(deps: Pick<Deps, 'accessCodes'>, records: readonly AccessCodeRecord[]): Promise<AccessCode[]> {
  const ready = new Map<string, Promise<boolean>>();
  const poolReady = (code: AccessCode) => {
    const key = `${code.workspace_id}|${code.device_id}`;
    let found = ready.get(key);
    if (found === undefined) {
      found = codesOnDevice(deps, code.workspace_id, code.device_id).then((codes) => codes.some(isReady));
      ready.set(key, found);
    }
    return found;
  };
  return Promise.all(
    records.map(async (r) => {
      if (!r.uses_backup_pool) return r.access_code;
      const available = r.access_code.pulled_backup_access_code_id === null && (await poolReady(r.access_code));
      return { ...r.access_code, is_backup_access_code_available: available };
    }),
  );
}

/** One code as a client sees it (see withBackupAvailability). */
export async function shownCode(deps: Pick<Deps, 'accessCodes'>, record: AccessCodeRecord): Promise<AccessCode> {
  const [code] = await withBackupAvailability(deps, [record]);
  return code ?? record.access_code;
}
