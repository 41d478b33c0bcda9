import { deviceNotFound } from '../errors';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { listDevices, requireDevice } from '../devices/device-queries';
import type { Device, DeviceRecord } from '../devices/schemas';
import type { ListLocksInput } from './schemas';

const isLock = (device: Device) => device.capabilities_supported.includes('lock');

/** The lock, if the principal may touch it and it is a lock; device_not_found otherwise. */
export async function requireLock(deps: Pick<Deps, 'devices'>, principal: Principal, deviceId: string): Promise<DeviceRecord> {
  const record = await requireDevice(deps, principal, deviceId);
  if (!isLock(record.device)) throw deviceNotFound();
  return record;
}

/** /locks/get: the lock as a device. */
export async function getLock(deps: Pick<Deps, 'devices'>, principal: Principal, deviceId: string): Promise<Device> {
  return (await requireLock(deps, principal, deviceId)).device;
}

/** /locks/list: the devices with the lock capability that the principal may touch. */
export async function listLocks(deps: Pick<Deps, 'devices'>, principal: Principal, input: ListLocksInput): Promise<Device[]> {
  const devices = await listDevices(deps, principal, { ...(input.device_ids && { device_ids: input.device_ids }), limit: 10_000 });
  return devices
    .filter(isLock)
    .filter((d) => input.connected_account_id === undefined || d.connected_account_id === input.connected_account_id)
    .slice(0, input.limit ?? 1000);
}
