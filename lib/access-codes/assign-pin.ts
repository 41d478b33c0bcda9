import { acceptsChosenPin, generatePin, needsPinsInUse, pinCandidates, pinLengths, pinViolation } from '../devices/code-constraints';
import type { DeviceRecord } from '../devices/schemas';
import { AppError, InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import type { OccupiedSpan } from './occupied-span';

export { requireDevice } from '../devices/device-queries';

/** Checks a PIN the client chose against the device; a 400 naming `field` when it does not fit. */
export async function checkChosenPin(deps: Pick<Deps, 'accessCodes'>, device: DeviceRecord, pin: string, field: string, ownPin?: string | null): Promise<void> {
  if (!acceptsChosenPin(device.device)) {
    throw InvalidInputError.forField(field, 'This device generates its own PIN codes; omit code');
  }
  const inUse = needsPinsInUse(device.device) ? (await deps.accessCodes.listPins(device.device.workspace_id, device.device.device_id)).filter((p) => p !== ownPin) : [];
  const violation = pinViolation(device.device, pin, inUse);
  if (violation !== undefined) throw InvalidInputError.forField(field, violation);
}

/**
 * PINs drawn per look at the store, for each length: one first (on most locks it is free), then
 * more at once as draws keep hitting held PINs; a length this full gives way to the next.
 */
const drawsPerLook = [1, 8, 64];

/**
 * A fresh PIN for the device that no managed code on it holds (at any time, or during `during`).
 * Random PINs are checked against their own claims only, so the cost does not grow with the
 * codes on the lock: of its first length (`preferredLength` or the shortest), else, once draws
 * keep hitting held PINs, of its next lengths. A lock whose PINs must differ in their first four
 * digits, or one where every length is that full, has every held PIN listed once and walked.
 */
export async function freshPin(deps: Pick<Deps, 'accessCodes'>, device: DeviceRecord, preferredLength?: number, during?: OccupiedSpan): Promise<string> {
  const { workspace_id: workspaceId, device_id: deviceId } = device.device;
  if (!needsPinsInUse(device.device)) {
    for (const length of pinLengths(device.device, preferredLength)) {
      for (const count of drawsPerLook) {
        const candidates = pinCandidates(device.device, length, count);
        const held = await deps.accessCodes.pinsHeld(workspaceId, deviceId, candidates, during);
        const free = candidates.find((pin) => !held.has(pin));
        if (free !== undefined) return free;
      }
    }
  }
  const inUse = await deps.accessCodes.listPins(workspaceId, deviceId, during);
  const pin = generatePin(device.device, inUse, preferredLength);
  if (pin === undefined) {
    throw new AppError('no_space_for_access_code_on_device', 400, "No unused PIN fits this device's constraints");
  }
  return pin;
}
