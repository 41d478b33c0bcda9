import { failed, pendingAttempt, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttempt } from '../action-attempts/schemas';
import { ProviderError } from '../devices/lock-provider';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { requireDevice } from './assign-pin';
import { accessCodeEvent } from './events';
import { requireUnmanaged } from './require-unmanaged';
import type { DeleteUnmanagedInput } from './unmanaged-schemas';

/** Takes an unmanaged code off its lock, and forgets it. */
export async function deleteUnmanagedCode(
  deps: Pick<Deps, 'unmanagedCodes' | 'devices' | 'providers' | 'actionAttempts' | 'clock' | 'ids'>,
  principal: Principal,
  input: DeleteUnmanagedInput,
): Promise<ActionAttempt> {
  const record = await requireUnmanaged(deps, principal, input.access_code_id);
  const device = await requireDevice(deps, principal, record.access_code.device_id);
  const now = deps.clock.now();
  const attempt = pendingAttempt(deps.ids, principal.workspace_id, 'DELETE_ACCESS_CODE', now, device.device.device_id);
  try {
    await deps.providers.for(device).remove(device, { access_code_id: record.access_code.access_code_id, provider_ref: record.provider_ref });
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const done = failed(attempt, { type: error.kind === 'device_offline' ? 'device_offline' : 'failed_to_remove_from_device', message: error.message });
    await deps.actionAttempts.put(done);
    return done.action_attempt;
  }
  const done = succeeded(attempt, {});
  const events = [accessCodeEvent(deps.ids, record.access_code, device.device, 'access_code.unmanaged.removed', now)];
  // Seen gone by a sweep meanwhile: the sweep recorded the removal, the attempt is still this request's.
  const removed = await deps.unmanagedCodes.remove(principal.workspace_id, record.access_code.access_code_id, { attempts: [done], events });
  if (!removed) await deps.actionAttempts.put(done);
  return done.action_attempt;
}
