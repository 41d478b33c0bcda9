import type { CodeHandle } from '../devices/lock-provider';
import { ConflictError, InvalidInputError, accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { retry, retryPolicies } from '../retry';
import { requireDevice } from './assign-pin';
import type { SimulateExternalChangeInput } from './unmanaged-schemas';

/**
 * Sandbox only: changes or removes a managed code on its lock behind Latchkey's back, as a
 * person at the keypad would, and asks the engine to read the lock again (unless `silent`: then
 * only the sweep of idle locks finds it).
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
  // A silent lock says nothing: the change waits for the next sweep of the lock.
  if (input.silent) return;
  // Make the code due now, so the engine looks at the lock; another writer coming first is fine.
  await retry(retryPolicies.engineConflict, async (attempt) => {
    const current = attempt === 1 ? record : await deps.accessCodes.get(principal.workspace_id, input.access_code_id);
    if (!current) return;
    await deps.accessCodes.update({ ...current, version: current.version + 1, due_at: deps.clock.now().toISOString() }, current);
  }).catch((error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
  });
}
