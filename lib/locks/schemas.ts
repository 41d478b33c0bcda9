import * as z from 'zod';
import { idSchema } from '../schema-helpers';

export const getLockInputSchema = z.object({ device_id: idSchema });
export const listLocksInputSchema = z.object({
  device_ids: z.array(idSchema).max(1000).optional(),
  connected_account_id: idSchema.optional(),
  limit: z.number().int().positive().max(1000).optional(),
});
export type ListLocksInput = z.infer<typeof listLocksInputSchema>;

/** /locks/unlock_door and /locks/lock_door. `sync: true` waits, bounded, for the lock's report. */
export const lockActionInputSchema = z.object({ device_id: idSchema, sync: z.boolean().default(false) });

/** /locks/simulate/keypad_code_entry: a PIN typed at a sandbox lock's keypad. */
export const simulateKeypadEntryInputSchema = z.object({
  device_id: idSchema,
  // Compared with the lock's PINs: bounded like every PIN (a longer one cannot be on a lock).
  code: z.string().min(1).max(12, { error: 'Must be at most 12 characters' }),
});
export type SimulateKeypadEntryInput = z.infer<typeof simulateKeypadEntryInputSchema>;
