import { accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { requireDevice } from './assign-pin';
import { unmanagedOnDevice } from './codes-on-device';
import { requireUnmanaged } from './require-unmanaged';
import type { GetUnmanagedInput, UnmanagedAccessCode } from './unmanaged-schemas';

export async function getUnmanagedCode(deps: Pick<Deps, 'unmanagedCodes' | 'devices'>, principal: Principal, input: GetUnmanagedInput): Promise<UnmanagedAccessCode> {
  if (input.access_code_id !== undefined) {
    const record = await requireUnmanaged(deps, principal, input.access_code_id);
    if ((input.device_id !== undefined && record.access_code.device_id !== input.device_id) || (input.code !== undefined && record.access_code.code !== input.code)) {
      throw accessCodeNotFound();
    }
    return record.access_code;
  }
  const { device_id: deviceId, code } = input;
  if (deviceId === undefined || code === undefined) throw accessCodeNotFound();
  await requireDevice(deps, principal, deviceId);
  const found = (await unmanagedOnDevice(deps, principal.workspace_id, deviceId)).find((r) => r.access_code.code === code);
  if (!found) throw accessCodeNotFound();
  return found.access_code;
}
