import * as z from 'zod';
import { requireDevice } from './device-queries';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { idSchema } from '../schema-helpers';

const codeLength = z.number().int().min(4).max(20);

export const reportDeviceConstraintsInputSchema = z
  .object({
    device_id: idSchema,
    supported_code_lengths: z.array(codeLength).min(1).max(17).optional(),
    min_code_length: codeLength.optional(),
    max_code_length: codeLength.optional(),
  })
  .superRefine((input, ctx) => {
    const range = input.min_code_length !== undefined || input.max_code_length !== undefined;
    if (input.supported_code_lengths !== undefined && range) {
      ctx.addIssue({ code: 'custom', path: ['supported_code_lengths'], message: 'Specify either supported_code_lengths or min_code_length/max_code_length, not both' });
    } else if (input.supported_code_lengths === undefined && !range) {
      ctx.addIssue({ code: 'custom', path: ['supported_code_lengths'], message: 'Specify supported_code_lengths or min_code_length/max_code_length' });
    }
    if (input.min_code_length !== undefined && input.max_code_length !== undefined && input.min_code_length > input.max_code_length) {
      ctx.addIssue({ code: 'custom', path: ['max_code_length'], message: 'Must be at least min_code_length' });
    }
  });
export type ReportDeviceConstraintsInput = z.infer<typeof reportDeviceConstraintsInputSchema>;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Records the PIN lengths a lock accepts, as its owner reports them: generated PINs and
 * chosen PINs are held to them from now on. Codes already on the lock are left as they are.
 */
export async function reportDeviceConstraints(deps: Pick<Deps, 'devices'>, principal: Principal, input: ReportDeviceConstraintsInput): Promise<void> {
  const record = await requireDevice(deps, principal, input.device_id);
  const lengths = input.supported_code_lengths ?? range(input.min_code_length ?? 4, input.max_code_length ?? 20);
  await deps.devices.put({
    ...record,
    device: {
      ...record.device,
      properties: { ...record.device.properties, supported_code_lengths: [...new Set(lengths)].sort((a, b) => a - b) },
    },
  });
}
