import * as z from 'zod';
import { AppError, ConflictError, InvalidInputError, accessCodeNotFound } from '../errors';
import { answerOnCommit, holdKeyForStatedAnswer } from '../idempotency/unit-of-work';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { retry, retryPolicies } from '../retry';
import { idSchema } from '../schema-helpers';
import { requireDevice } from './assign-pin';
import { fillBackupPool, isReady } from './backup-pool';
import { codesOnDevice } from './codes-on-device';
import { accessCodeEvent } from './events';
import type { AccessCode, AccessCodeRecord } from './schemas';

export const pullBackupInputSchema = z.object({ access_code_id: idSchema });
type PullBackupInput = z.infer<typeof pullBackupInputSchema>;

type PoolDeps = Pick<Deps, 'accessCodes' | 'devices' | 'clock' | 'ids'>;

const emptyPool = () => new AppError('empty_backup_access_code_pool', 400, 'The backup access code pool of this device is empty; it is being refilled');

/**
 * Gives out a backup code in place of a time-bound code created with
 * use_backup_access_code_pool: a code already on the lock, which from now on ends when the
 * original ends. Pulling again returns the same backup. The pool is refilled afterwards.
 */
export async function pullBackupAccessCode(deps: PoolDeps, principal: Principal, input: PullBackupInput): Promise<{ access_code: AccessCode; backup_access_code: AccessCode }> {
  // The engine may write the original or its backup between this read and the writes below: read again and pull again.
  return retry(retryPolicies.versionConflict, () => pullOnce(deps, principal, input));
}

async function pullOnce(deps: PoolDeps, principal: Principal, input: PullBackupInput): Promise<{ access_code: AccessCode; backup_access_code: AccessCode }> {
  // Several writes (the backup, then the original, then the refilled pool): under an Idempotency-Key only linking the original commits it.
  holdKeyForStatedAnswer();
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
    const ready = onDevice.find(isReady);
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
    await deps.accessCodes.update(pulled, ready);
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
    answerOnCommit({ access_code: backup.access_code, backup_access_code: backup.access_code });
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
