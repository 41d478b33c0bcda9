import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { freshPin, requireDevice } from './assign-pin';

/** A PIN the device accepts, not in use on it, and not easy to guess. Reserves nothing. */
export async function generateCode(deps: Pick<Deps, 'accessCodes' | 'devices'>, principal: Principal, deviceId: string): Promise<{ device_id: string; code: string }> {
  const device = await requireDevice(deps, principal, deviceId);
  return { device_id: deviceId, code: await freshPin(deps, device) };
}
