import * as z from 'zod';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { idSchema } from '../schema-helpers';
import { freshPin, requireDevice } from './assign-pin';

/** Seam's `generated_code`: a PIN for a device. */
export const generatedCodeSchema = z.object({ device_id: idSchema, code: z.string() });
export type GeneratedCode = z.infer<typeof generatedCodeSchema>;

/** A PIN the device accepts, not in use on it, and not easy to guess. Reserves nothing. */
export async function generateCode(deps: Pick<Deps, 'accessCodes' | 'devices'>, principal: Principal, deviceId: string): Promise<GeneratedCode> {
  const device = await requireDevice(deps, principal, deviceId);
  return { device_id: deviceId, code: await freshPin(deps, device) };
}
