import { deviceNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grants } from '../principals/principal';
import type { Device, DeviceRecord } from './schemas';

/** The device, if the principal may touch it; device_not_found otherwise (another workspace's, or not granted). */
export async function requireDevice(deps: Pick<Deps, 'devices'>, principal: Principal, deviceId: string): Promise<DeviceRecord> {
  const device = await deps.devices.get(principal.workspace_id, deviceId);
  if (!device || !grants(principal, device.device)) throw deviceNotFound();
  return device;
}

/** One device the principal may touch. */
export async function getDevice(deps: Pick<Deps, 'devices'>, principal: Principal, deviceId: string): Promise<Device> {
  return (await requireDevice(deps, principal, deviceId)).device;
}

/** The devices the principal may touch, optionally only the listed ones. */
export async function listDevices(deps: Pick<Deps, 'devices'>, principal: Principal, query: { device_ids?: string[]; limit?: number }): Promise<Device[]> {
  const limit = query.limit ?? 1000;
  // A client session's grant is applied before the limit, so the limit counts visible devices.
  const restricted = principal.kind === 'client_session';
  const records = await deps.devices.list(principal.workspace_id, { deviceIds: query.device_ids, limit: restricted ? Math.max(limit, 10_000) : limit });
  return records
    .filter((r) => grants(principal, r.device))
    .slice(0, limit)
    .map((r) => r.device);
}

/** Sandbox only: takes a lock offline or brings it back, as a flaky hub would. */
export async function simulateConnection(deps: Pick<Deps, 'devices' | 'clock'>, principal: Principal, deviceId: string, online: boolean): Promise<void> {
  const record = await requireDevice(deps, principal, deviceId);
  const createdAt = deps.clock.now().toISOString();
  const others = record.device.errors.filter((e) => e.error_code !== 'device_offline');
  await deps.devices.put({
    ...record,
    device: {
      ...record.device,
      properties: { ...record.device.properties, online },
      errors: online ? others : [...others, { error_code: 'device_offline', message: 'Device is offline', created_at: createdAt, is_device_error: true }],
    },
  });
}
