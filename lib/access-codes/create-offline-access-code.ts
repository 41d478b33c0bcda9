import { pendingAttempt, pendingRef } from '../action-attempts/action-attempts';
import type { ActionAttempt } from '../action-attempts/schemas';
import { type OfflineCodeWindow, OfflineCodeRefused } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import { appearanceFor } from './appearance';
import { accessCodeEvent } from './events';
import { newCodeRecord } from './new-code';
import { codesOnDevice } from './codes-on-device';
import type { AccessCode, AccessCodeRecord, CreateAccessCodeInput } from './schemas';

type OfflineDeps = Pick<Deps, 'accessCodes' | 'clock' | 'ids' | 'providers' | 'settings'>;

/** The window the lock's algorithm takes for the request, or a 400 naming the parameter at fault. */
function offlineWindow(deps: OfflineDeps, device: DeviceRecord, input: CreateAccessCodeInput): OfflineCodeWindow {
  const provider = deps.providers.for(device);
  if (!provider.offlineCodes || !provider.traits(device).offlineCodes) {
    throw InvalidInputError.forField('is_offline_access_code', 'This device does not support offline access codes');
  }
  if (input.code !== undefined) throw InvalidInputError.forField('code', "The lock's algorithm computes an offline access code's PIN; omit code");
  if (input.common_code_key !== undefined) throw InvalidInputError.forField('common_code_key', 'Offline access codes cannot share a PIN');
  if (input.use_backup_access_code_pool) throw InvalidInputError.forField('use_backup_access_code_pool', 'Offline access codes have no backup pool');
  if (input.starts_at === undefined) throw InvalidInputError.forField('starts_at', 'An offline access code needs starts_at');
  try {
    return provider.offlineCodes.window(device, {
      starts_at: input.starts_at,
      ...(input.ends_at !== undefined && { ends_at: input.ends_at }),
      one_time_use: input.is_one_time_use ?? false,
      max_time_rounding: input.max_time_rounding === '1day' || input.max_time_rounding === '1d' ? 'day' : 'hour',
    });
  } catch (error) {
    if (error instanceof OfflineCodeRefused) throw InvalidInputError.forField(error.field, error.message);
    throw error;
  }
}

/**
 * Creates an offline access code (igloohome algoPIN and the like): the window is rounded to
 * what the lock's algorithm expresses, and the code waits for its PIN
 * (`is_waiting_for_code_assignment`) until the lifecycle engine computes it, which needs no
 * connection to the lock. A slot's few places (3 codes per hour, or per day) are kept.
 */
export async function createOfflineAccessCode(
  deps: OfflineDeps,
  workspaceId: string,
  device: DeviceRecord,
  input: CreateAccessCodeInput,
  now: Date,
): Promise<{ access_code: AccessCode; action_attempt: ActionAttempt }> {
  const window = offlineWindow(deps, device, input);
  if (window.ends_at <= now.toISOString()) throw InvalidInputError.forField('starts_at', 'The code would end before it could be used');
  const inSlot = (await codesOnDevice(deps, workspaceId, device.device.device_id)).filter((r) => r.offline?.slot === window.slot);
  if (inSlot.length >= window.places) {
    const per = window.kind === 'daily' ? 'day' : 'hour';
    throw InvalidInputError.forField('starts_at', `This lock takes at most ${window.places} ${window.kind.replace('_', '-')} offline codes starting in one ${per}`);
  }
  const nowIso = now.toISOString();
  const base = newCodeRecord(deps, device, input, { workspaceId, pin: null, commonCodeKey: null, appearance: await appearanceFor(deps, device.device, input.name ?? null), now });
  const code: AccessCode = {
    ...base.access_code,
    type: 'time_bound',
    status: 'unset',
    starts_at: window.starts_at,
    warnings: window.warnings.map((w) => ({ ...w, created_at: nowIso })),
    pending_mutations: [{ mutation_code: 'creating', message: 'Computing the offline access code', created_at: nowIso }],
  };
  if (window.kind === 'one_time') delete code.ends_at;
  else code.ends_at = window.ends_at;
  const { kind, starts_at, ends_at, slot, places } = window;
  const actionAttempt = pendingAttempt(deps.ids, workspaceId, 'CREATE_ACCESS_CODE', now, device.device.device_id);
  const record: AccessCodeRecord = {
    ...base,
    access_code: code,
    // Assigned at once: nothing has to wait for the lock.
    due_at: nowIso,
    offline: { kind, starts_at, ends_at, slot, places },
    pending_action_attempts: [pendingRef(actionAttempt)],
  };
  const events = [accessCodeEvent(deps.ids, code, device.device, 'access_code.created', now)];
  await deps.accessCodes.create(record, { attempts: [actionAttempt], events });
  return { access_code: code, action_attempt: actionAttempt.action_attempt };
}
