import { DuplicateAccessCodeError, InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { requireDevice } from './assign-pin';
import { unmanagedIdOf } from './unmanaged-id';
import type { SimulateUnmanagedInput, UnmanagedAccessCode } from './unmanaged-schemas';

/** Sandbox only: puts a code on the lock as a person at its keypad would, and discovers it. */
export async function simulateUnmanagedCode(
  deps: Pick<Deps, 'accessCodes' | 'unmanagedCodes' | 'providers' | 'devices' | 'ids' | 'engine'>,
  principal: Principal,
  input: SimulateUnmanagedInput,
): Promise<UnmanagedAccessCode> {
  const device = await requireDevice(deps, principal, input.device_id);
  const provider = deps.providers.for(device);
  if (!provider.simulator || !provider.listEntries) throw InvalidInputError.forField('device_id', 'Only sandbox locks can simulate codes set outside Latchkey');
  if ((await deps.accessCodes.listByPin(principal.workspace_id, device.device.device_id, input.code)).length > 0) throw new DuplicateAccessCodeError();
  const ref = deps.ids.uuid();
  if (!(await provider.simulator.putExternalCode(device, { ref, code: input.code, name: input.name }))) {
    throw InvalidInputError.forField('device_id', 'The lock has no free code slot');
  }
  await deps.engine.discover(device);
  const found = await deps.unmanagedCodes.get(principal.workspace_id, unmanagedIdOf(device, ref));
  if (!found) throw new Error('A simulated code was not discovered');
  return found.access_code;
}
