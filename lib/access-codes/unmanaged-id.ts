import { createHash } from 'node:crypto';
import type { DeviceRecord } from '../devices/schemas';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id an unmanaged code keeps for as long as it is on the lock: the provider's reference
 * when it is a UUID, else a UUID derived from the device and that reference, so every
 * discovery of one code names it alike.
 */
export function unmanagedIdOf(device: DeviceRecord, ref: string): string {
  if (uuidPattern.test(ref)) return ref.toLowerCase();
  const h = createHash('sha256').update(`${device.device.workspace_id}|${device.device.device_id}|${ref}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
