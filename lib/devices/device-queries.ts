import { requireDevice } from '../access-codes/assign-pin';
import type { Deps } from '../ports';
import type { Device } from './schemas';

/** One device of the workspace. */
export async function getDevice(deps: Pick<Deps, 'devices'>, workspaceId: string, deviceId: string): Promise<Device> {
  return (await requireDevice(deps, workspaceId, deviceId)).device;
}

/** The workspace's devices, optionally only the listed ones. */
export async function listDevices(
  deps: Pick<Deps, 'devices'>,
  workspaceId: string,
  query: { device_ids?: string[]; limit?: number },
): Promise<Device[]> {
  const records = await deps.devices.list(workspaceId, { deviceIds: query.device_ids, limit: query.limit ?? 1000 });
  return records.map((r) => r.device);
}

/** Sandbox only: takes a lock offline or brings it back, as a flaky hub would. */
export async function simulateConnection(
  deps: Pick<Deps, 'devices' | 'clock'>,
  workspaceId: string,
  deviceId: string,
  online: boolean,
): Promise<void> {
  const record = await requireDevice(deps, workspaceId, deviceId);
  const createdAt = deps.clock.now().toISOString();
  const others = record.device.errors.filter((e) => e.error_code !== 'device_offline');
  await deps.devices.put({
    ...record,
    device: {
      ...record.device,
      properties: { ...record.device.properties, online },
      errors: online
        ? others
        : [...others, { error_code: 'device_offline', message: 'Device is offline', created_at: createdAt, is_device_error: true }],
    },
  });
}
