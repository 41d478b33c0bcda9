import { acceptsChosenPin, generatePin, pinViolation } from '../devices/code-constraints';
import type { DeviceRecord } from '../devices/schemas';
import { AppError, InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import type { OccupiedSpan } from './occupied-span';

export { requireDevice } from '../devices/device-queries';

const needsPinsInUse = (device: DeviceRecord) => device.device.properties.code_constraints.some((c) => c.constraint_type === 'unique_first_four_digits');

/** Checks a PIN the client chose against the device; a 400 naming `field` when it does not fit. */
export async function checkChosenPin(deps: Pick<Deps, 'accessCodes'>, device: DeviceRecord, pin: string, field: string, ownPin?: string | null): Promise<void> {
  if (!acceptsChosenPin(device.device)) {
    throw InvalidInputError.forField(field, 'This device generates its own PIN codes; omit code');
  }
  const inUse = needsPinsInUse(device) ? (await deps.accessCodes.listPins(device.device.workspace_id, device.device.device_id)).filter((p) => p !== ownPin) : [];
  const violation = pinViolation(device.device, pin, inUse);
  if (violation !== undefined) throw InvalidInputError.forField(field, violation);
}

/** A fresh PIN for the device that no managed code on it holds (at any time, or during `during`). */
export async function freshPin(deps: Pick<Deps, 'accessCodes'>, device: DeviceRecord, preferredLength?: number, during?: OccupiedSpan): Promise<string> {
  const inUse = await deps.accessCodes.listPins(device.device.workspace_id, device.device.device_id, during);
  const pin = generatePin(device.device, inUse, preferredLength);
  if (pin === undefined) {
    throw new AppError('no_space_for_access_code_on_device', 400, "No unused PIN fits this device's constraints");
  }
  return pin;
}
