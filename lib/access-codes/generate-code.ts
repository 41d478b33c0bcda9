import * as z from 'zod';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { idSchema } from '../schema-helpers';
import { freshPin, requireDevice } from './assign-pin';
import type { GenerateCodeInput } from './schemas';

/** Seam's `generated_code`: a PIN for a device. */
export const generatedCodeSchema = z.object({ device_id: idSchema, code: z.string() });
export type GeneratedCode = z.infer<typeof generatedCodeSchema>;

/**
 * A PIN the device accepts, not easy to guess, and not in use on it: at any time, or with a
 * window (Latchkey's addition) only not during it, so a PIN of a stay that does not overlap
 * can come back. Reserves nothing.
 */
export async function generateCode(deps: Pick<Deps, 'accessCodes' | 'devices'>, principal: Principal, input: GenerateCodeInput): Promise<GeneratedCode> {
  const device = await requireDevice(deps, principal, input.device_id);
  const window = input.starts_at === undefined && input.ends_at === undefined ? undefined : { starts_at: input.starts_at, ends_at: input.ends_at };
  return { device_id: input.device_id, code: await freshPin(deps, device, undefined, window) };
}
