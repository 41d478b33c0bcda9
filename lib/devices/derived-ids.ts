import { createHash } from 'node:crypto';
import type { DeviceRecord } from './schemas';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one rule for ids Latchkey derives instead of drawing: a UUID made of a SHA-256 of what
 * names the thing, so every sync or discovery of it names it alike and two racing cannot give
 * it two ids. The version nibble stays per kind of id, so ids already stored keep their value.
 */
function derivedUuid(parts: readonly string[], separator: string, version: '5' | '8'): string {
  const hex = createHash('sha256').update(parts.join(separator)).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version}${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A device's Latchkey id, from its connected account and the provider's id for it (an upstream device, a lock's shadow). */
export function stableDeviceId(connectedAccountId: string, providerDeviceId: string): string {
  return derivedUuid([connectedAccountId, providerDeviceId], '\u0000', '8');
}

/**
 * The id of a code found on a lock, for as long as the lock holds it: the provider's reference
 * when it is a UUID, else one derived from the device and that reference.
 */
export function lockEntryId(device: DeviceRecord, ref: string): string {
  if (uuidPattern.test(ref)) return ref.toLowerCase();
  return derivedUuid([device.device.workspace_id, device.device.device_id, ref], '|', '5');
}
