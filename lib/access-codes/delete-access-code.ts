import { pendingAttempt, pendingRef, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttempt } from '../action-attempts/schemas';
import { accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { retry, retryPolicies, takeTurns } from '../retry';
import { requireDevice } from './assign-pin';
import { accessCodeEvent } from './events';
import { refuseOfflineChange } from './code-rules';
import type { DeleteAccessCodeInput } from './schemas';

/** Whether anything of the code may be on the lock: if not, deleting needs no device work. */
export const mayBeOnLock = (status: string, scheduledOnDevice: boolean): boolean => status !== 'unset' || scheduledOnDevice;

/**
 * Deletes a managed code. A code that never reached the lock is gone at once; otherwise it
 * goes `removing` and the lifecycle engine takes it off the lock, then deletes it.
 */
export function deleteAccessCode(deps: DeleteDeps, principal: Principal, input: DeleteAccessCodeInput): Promise<ActionAttempt> {
  return takeTurns(deps.accessCodes, principal.workspace_id, input.access_code_id, () => retry(retryPolicies.versionConflict, () => applyDelete(deps, principal, input)));
}

type DeleteDeps = Pick<Deps, 'accessCodes' | 'devices' | 'clock' | 'ids'>;

async function applyDelete(deps: DeleteDeps, principal: Principal, input: DeleteAccessCodeInput): Promise<ActionAttempt> {
  const workspaceId = principal.workspace_id;
  const record = await deps.accessCodes.get(workspaceId, input.access_code_id);
  if (!record || (input.device_id !== undefined && input.device_id !== record.access_code.device_id)) throw accessCodeNotFound();
  if (!(await grantsDeviceId(deps, principal, record.access_code.device_id))) throw accessCodeNotFound();
  const device = await requireDevice(deps, principal, record.access_code.device_id);
  const now = deps.clock.now();
  const current = record.access_code;
  refuseOfflineChange(current, 'delete');
  const attempt = pendingAttempt(deps.ids, workspaceId, 'DELETE_ACCESS_CODE', now, current.device_id);
  const events = [accessCodeEvent(deps.ids, current, device.device, 'access_code.deleted', now)];

  if (!mayBeOnLock(current.status, current.is_scheduled_on_device)) {
    const done = succeeded(attempt, {});
    await deps.accessCodes.remove(record, { attempts: [done], events });
    return done.action_attempt;
  }
  const alreadyRemoving = current.status === 'removing';
  const nowIso = now.toISOString();
  await deps.accessCodes.update(
    {
      ...record,
      access_code: {
        ...current,
        status: 'removing',
        pending_mutations: alreadyRemoving ? current.pending_mutations : [{ mutation_code: 'deleting', message: 'Removing the access code from the device', created_at: nowIso }],
      },
      version: record.version + 1,
      due_at: alreadyRemoving ? record.due_at : nowIso,
      pending_action_attempts: [...record.pending_action_attempts, pendingRef(attempt)],
    },
    record,
    { attempts: [attempt], events: alreadyRemoving ? [] : events },
  );
  return attempt.action_attempt;
}
