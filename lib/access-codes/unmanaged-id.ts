import { lockEntryId } from '../devices/derived-ids';
import type { DeviceRecord } from '../devices/schemas';

/** The id an unmanaged code keeps for as long as it is on the lock (the device model's rule for derived ids). */
export function unmanagedIdOf(device: DeviceRecord, ref: string): string {
  return lockEntryId(device, ref);
}
