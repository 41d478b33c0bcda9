import { pendingAttempt, pendingRef } from '../action-attempts/action-attempts';
import type { ActionAttempt } from '../action-attempts/schemas';
import type { DeviceRecord } from '../devices/schemas';
import { DuplicateAccessCodeError, GeneratedPinTakenError, InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { retry, retryPolicies } from '../retry';
import { checkChosenPin, freshPin, requireDevice } from './assign-pin';
import { accessCodeEvent } from './events';
import { appearanceFor } from './appearance';
import { fillBackupPool, shownCode } from './backup-pool';
import { newCodeRecord } from './new-code';
import { createOfflineAccessCode } from './create-offline-access-code';
import { checkCodeOptions } from './code-rules';
import type { AccessCode, AccessCodeRecord, CreateAccessCodeInput } from './schemas';

type CreateDeps = Pick<Deps, 'accessCodes' | 'devices' | 'clock' | 'ids' | 'providers' | 'settings'>;

async function choosePin(deps: CreateDeps, device: DeviceRecord, input: CreateAccessCodeInput, workspaceId: string) {
  const bound = input.common_code_key && (await deps.accessCodes.getCommonCodePin(workspaceId, input.common_code_key));
  if (bound && input.code !== undefined && input.code !== bound) {
    throw InvalidInputError.forField('common_code_key', 'Codes sharing a common_code_key share one PIN; this key has another');
  }
  const chosen = bound || input.code;
  if (chosen !== undefined) {
    await checkChosenPin(deps, device, chosen, bound ? 'common_code_key' : 'code');
    return { pin: chosen, chosen: true };
  }
  return { pin: await freshPin(deps, device, input.preferred_code_length), chosen: false };
}

/**
 * `attempt_for_offline_device: false` asks that a code not be queued for a lock that is
 * offline: one that would have to wait for its lock now is refused, and nothing is stored.
 */
function refuseWaitingForOfflineLock(device: DeviceRecord, record: AccessCodeRecord, now: Date): void {
  const dueNow = record.due_at !== undefined && record.due_at <= now.toISOString();
  if (!record.attempt_for_offline_device && dueNow && !device.device.properties.online) {
    throw InvalidInputError.forField('attempt_for_offline_device', 'The device is offline, so a code that may not wait for it cannot be set now');
  }
}

/**
 * Creates a managed access code. The PIN is claimed atomically on the device, so two
 * concurrent creates of one PIN never both succeed. Ongoing codes start `setting`,
 * time-bound codes `unset`; the lifecycle engine takes it from there.
 */
export async function createAccessCode(deps: CreateDeps, principal: Principal, input: CreateAccessCodeInput): Promise<{ access_code: AccessCode; action_attempt: ActionAttempt }> {
  const workspaceId = principal.workspace_id;
  const device = await requireDevice(deps, principal, input.device_id);
  const now = deps.clock.now();
  checkCodeOptions(device, input, now);
  if (input.is_offline_access_code ?? input.use_offline_access_code) return createOfflineAccessCode(deps, workspaceId, device, input, now);
  const appearance = await appearanceFor(deps, device.device, input.name ?? null);

  // A generated PIN (or a new common key) can lose a race with a concurrent create: pick again.
  const created = await retry(retryPolicies.pinRace, async () => {
    const { pin, chosen } = await choosePin(deps, device, input, workspaceId);
    const record = newCodeRecord(deps, device, input, { workspaceId, pin, commonCodeKey: input.common_code_key ?? null, appearance, now });
    refuseWaitingForOfflineLock(device, record, now);
    const code = record.access_code;
    const actionAttempt = pendingAttempt(deps.ids, workspaceId, 'CREATE_ACCESS_CODE', now, device.device.device_id);
    record.pending_action_attempts.push(pendingRef(actionAttempt));
    const events = [accessCodeEvent(deps.ids, code, device.device, 'access_code.created', now)];
    try {
      await deps.accessCodes.create(record, { attempts: [actionAttempt], events });
    } catch (error) {
      if (error instanceof DuplicateAccessCodeError && !chosen) throw new GeneratedPinTakenError();
      throw error;
    }
    return { record, action_attempt: actionAttempt.action_attempt };
  });
  if (!input.use_backup_access_code_pool) return { access_code: created.record.access_code, action_attempt: created.action_attempt };
  await fillBackupPool(deps, device);
  return { access_code: await shownCode(deps, created.record), action_attempt: created.action_attempt };
}
