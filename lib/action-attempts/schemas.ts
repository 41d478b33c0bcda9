import * as z from 'zod';
import { idSchema, timestampSchema } from '../schema-helpers';

export const actionTypeSchema = z.enum(['CREATE_ACCESS_CODE', 'UPDATE_ACCESS_CODE', 'DELETE_ACCESS_CODE', 'LOCK_DOOR', 'UNLOCK_DOOR', 'SIMULATE_KEYPAD_CODE_ENTRY']);
export type ActionType = z.infer<typeof actionTypeSchema>;

const base = { action_attempt_id: idSchema, action_type: actionTypeSchema };

/** The Seam `action_attempt` object. */
export const actionAttemptSchema = z.discriminatedUnion('status', [
  z.object({ ...base, status: z.literal('pending'), result: z.null(), error: z.null() }),
  z.object({ ...base, status: z.literal('success'), result: z.record(z.string(), z.unknown()), error: z.null() }),
  z.object({
    ...base,
    status: z.literal('error'),
    result: z.null(),
    error: z.object({ type: z.string(), message: z.string() }),
  }),
]);
export type ActionAttempt = z.infer<typeof actionAttemptSchema>;

export const actionAttemptRecordSchema = z.object({
  workspace_id: idSchema,
  /** The device acted on, so that a client session sees only attempts on its devices. */
  device_id: idSchema.optional(),
  created_at: timestampSchema,
  action_attempt: actionAttemptSchema,
});
export type ActionAttemptRecord = z.infer<typeof actionAttemptRecordSchema>;

export const getActionAttemptInputSchema = z.object({ action_attempt_id: idSchema });
