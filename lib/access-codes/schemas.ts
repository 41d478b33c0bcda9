import * as z from 'zod';
import { actionTypeSchema } from '../action-attempts/schemas';
import { idSchema, isoDateTimeSchema, timestampSchema } from '../schema-helpers';
import { recurringScheduleSchema, scheduleWindowSchema } from '../devices/weekly-schedule';

export const accessCodeStatuses = ['setting', 'set', 'unset', 'removing', 'unknown'] as const;

/** What changed on the lock outside Latchkey (on conflicting_external_modification and external_modification_in_effect). */
const externalChangeShape = {
  change_type: z.enum(['modified', 'removed']).optional(),
  modified_fields: z.array(z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() })).optional(),
};

export const accessCodeIssueSchema = z.object({
  error_code: z.string(),
  message: z.string(),
  created_at: timestampSchema,
  is_access_code_error: z.boolean().optional(),
  is_device_error: z.boolean().optional(),
  ...externalChangeShape,
});
export const accessCodeWarningSchema = z.object({
  warning_code: z.string(),
  message: z.string(),
  created_at: timestampSchema,
  ...externalChangeShape,
});

export const pendingMutationSchema = z.object({
  mutation_code: z.enum(['creating', 'deferring_creation', 'deleting', 'updating_code', 'updating_name', 'updating_time_frame']),
  message: z.string(),
  created_at: timestampSchema,
  scheduled_at: timestampSchema.optional(),
  from: z.record(z.string(), z.unknown()).optional(),
  to: z.record(z.string(), z.unknown()).optional(),
});
export type PendingMutation = z.infer<typeof pendingMutationSchema>;

/** The Seam `access_code` object, exactly as the API serves it. */
export const accessCodeSchema = z.object({
  workspace_id: idSchema,
  access_code_id: idSchema,
  device_id: idSchema,
  name: z.string().nullable(),
  code: z.string().nullable(),
  common_code_key: z.string().nullable(),
  type: z.enum(['ongoing', 'time_bound']),
  status: z.enum(accessCodeStatuses),
  created_at: timestampSchema,
  starts_at: timestampSchema.optional(),
  ends_at: timestampSchema.optional(),
  errors: z.array(accessCodeIssueSchema),
  warnings: z.array(accessCodeWarningSchema),
  is_managed: z.literal(true),
  is_backup: z.boolean(),
  is_backup_access_code_available: z.boolean(),
  is_external_modification_allowed: z.boolean(),
  is_one_time_use: z.boolean(),
  is_offline_access_code: z.boolean(),
  is_scheduled_on_device: z.boolean(),
  is_waiting_for_code_assignment: z.boolean(),
  pulled_backup_access_code_id: z.string().nullable(),
  pending_mutations: z.array(pendingMutationSchema),
  max_uses: z.number().int().min(1).max(1000).optional().meta({ description: "Latchkey's addition: how many entries the code allows; the entry that reaches it starts the code's removal." }),
  use_count: z.number().int().nonnegative().optional().meta({ description: "Latchkey's addition: how many entries at the lock the code has opened it for." }),
  first_used_at: timestampSchema.optional().meta({ description: "Latchkey's addition: when the code first opened the lock." }),
  last_used_at: timestampSchema.optional().meta({ description: "Latchkey's addition: when the code last opened the lock." }),
  /** The name as the lock holds it, adapted to the lock's name rules; `name` keeps what the client sent. */
  appearance: z
    .object({ name: z.string() })
    .nullable()
    .optional()
    .meta({ description: "Latchkey's addition: the name as the lock holds it, adapted to the lock's name rules; `name` keeps what the client sent." }),
  last_verified_at: timestampSchema
    .optional()
    .meta({ description: "Latchkey's addition: when the lock was last seen holding the code exactly as Latchkey left it (a read-back after programming, or a sweep of the lock)." }),
  recurring_schedule: recurringScheduleSchema.optional(),
  upcoming_windows: z.array(scheduleWindowSchema).optional().meta({ description: "Latchkey's addition, on a code with a recurring_schedule: its current and next windows (at most 10) in UTC." }),
});
export type AccessCode = z.infer<typeof accessCodeSchema>;

/** What is stored for a managed code: the public object plus the state the engine needs. */
export const accessCodeRecordSchema = z.object({
  access_code: accessCodeSchema,
  /** Incremented on every write; each write is conditional on the version it read. */
  version: z.number().int().nonnegative(),
  prefer_native_scheduling: z.boolean(),
  attempt_for_offline_device: z.boolean(),
  /** When the lifecycle engine next has work for this code; absent when it has none. */
  due_at: timestampSchema.optional(),
  /**
   * While the code waits its turn at a provider's limit: when it first fell due. Its place in
   * its lock's waiting line (earliest first); gone once its call is made.
   */
  queued_since: timestampSchema.optional(),
  /** Action attempts that finish when the code reaches its next settled state. */
  pending_action_attempts: z.array(z.object({ action_attempt_id: idSchema, action_type: actionTypeSchema })),
  /** The provider's own id for the code on the lock (an upstream Seam access_code_id), once known. */
  provider_ref: z.string().min(1).max(512).optional(),
  /** The lock was seen holding this code since it last went off it: only then does its removal emit removed_from_device. */
  was_on_lock: z.literal(true).optional(),
  /** The error and warning codes on the code that its provider reported last read (replaced on each read). */
  provider_issues: z.object({ errors: z.array(z.string()), warnings: z.array(z.string()) }).optional(),
  /**
   * An offline code's window as the lock's algorithm takes it, and the place in its slot that
   * its PIN was computed for (absent until the PIN is assigned).
   */
  offline: z
    .object({
      kind: z.enum(['hourly', 'daily', 'one_time']),
      starts_at: timestampSchema,
      ends_at: timestampSchema,
      slot: z.string(),
      places: z.number().int().positive(),
      place: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /**
   * A code of its device's backup pool: `available` while it waits on the lock, hidden from
   * lists; `pulled` once given out in place of `pulled_for`.
   */
  backup: z.object({ state: z.enum(['available', 'pulled']), pulled_for: idSchema.optional() }).optional(),
  /** Created with use_backup_access_code_pool: a backup can be pulled for it. */
  uses_backup_pool: z.literal(true).optional(),
  /** Converted from an unmanaged code: the engine confirms the lock still holds it. */
  converting: z.literal(true).optional(),
  /** Progress of the change the engine is pushing to the lock; absent when the lock agrees. */
  sync: z
    .object({
      /** When the lock first disagreed with what it should hold. */
      since: timestampSchema,
      attempts: z.number().int().nonnegative(),
      warned: z.boolean(),
      failed: z.boolean(),
      /** Consecutive calls the provider itself could not serve (outage, rate limit); never counted as attempts. */
      outages: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type AccessCodeRecord = z.infer<typeof accessCodeRecordSchema>;

export const pinSchema = z.string().regex(/^\d+$/, { error: 'Must contain only digits' }).min(4, { error: 'Must be at least 4 digits' }).max(12, { error: 'Must be at most 12 digits' });

export const nameSchema = z.string().max(255, { error: 'Must be at most 255 characters' });

/** Parameters shared by create and update. */
export const codeSettingsShape = {
  name: nameSchema.optional(),
  code: pinSchema.optional(),
  starts_at: isoDateTimeSchema.optional(),
  ends_at: isoDateTimeSchema.optional(),
  prefer_native_scheduling: z.boolean().optional(),
  preferred_code_length: z.number().int().min(1).max(12).optional(),
  use_backup_access_code_pool: z.boolean().optional(),
  allow_external_modification: z.boolean().optional(),
  is_external_modification_allowed: z.boolean().optional(),
  is_offline_access_code: z.boolean().optional(),
  use_offline_access_code: z.boolean().optional(),
  is_one_time_use: z.boolean().optional(),
  /** Latchkey's addition: a use limit on an online code. */
  max_uses: z.number().int().min(1).max(1000).optional().meta({ description: "Latchkey's addition: how many entries an online code allows (1 to 1000); is_one_time_use on an online code means 1." }),
  max_time_rounding: z.enum(['1hour', '1day', '1h', '1d']).optional(),
  attempt_for_offline_device: z.boolean().optional(),
  sync: z.boolean().optional(),
  recurring_schedule: recurringScheduleSchema.optional(),
};

export const timeFrameCheck = (input: { starts_at?: string | undefined; ends_at?: string | undefined }, ctx: z.RefinementCtx) => {
  if (input.starts_at !== undefined && input.ends_at !== undefined && input.ends_at <= input.starts_at) {
    ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'Must be after starts_at' });
  }
};

export const createAccessCodeInputSchema = z
  .object({
    device_id: idSchema,
    common_code_key: z.string().min(1).max(255).optional(),
    ...codeSettingsShape,
  })
  .superRefine((input, ctx) => {
    // A one-time-use offline code has starts_at only: it ends when it is used.
    const oneTime = input.is_one_time_use === true && input.ends_at === undefined;
    if ((input.starts_at === undefined) !== (input.ends_at === undefined) && !oneTime) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Both starts_at and ends_at must be provided if one is' });
    }
    timeFrameCheck(input, ctx);
  });
export type CreateAccessCodeInput = z.infer<typeof createAccessCodeInputSchema>;

export const updateAccessCodeInputSchema = z
  .object({
    access_code_id: idSchema,
    device_id: idSchema.optional(),
    type: z.enum(['ongoing', 'time_bound']).optional(),
    is_managed: z.literal(true, { error: 'Only managed access codes can be updated here' }).optional(),
    ...codeSettingsShape,
    /** null makes the code a plain (not recurring) code again. */
    recurring_schedule: recurringScheduleSchema.nullable().optional(),
  })
  .superRefine(timeFrameCheck);
export type UpdateAccessCodeInput = z.infer<typeof updateAccessCodeInputSchema>;

export const getAccessCodeInputSchema = z
  .object({
    access_code_id: idSchema.optional(),
    device_id: idSchema.optional(),
    // Looked up as a key: bounded like every PIN (a longer one cannot exist).
    code: z.string().max(12, { error: 'Must be at most 12 characters' }).optional(),
  })
  .superRefine((input, ctx) => {
    const byId = input.access_code_id !== undefined;
    const byPin = input.device_id !== undefined && input.code !== undefined;
    if (!byId && !byPin) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Must specify either access_code_id or both device_id and code' });
    }
  });
export type GetAccessCodeInput = z.infer<typeof getAccessCodeInputSchema>;

export const listAccessCodesInputSchema = z.object({
  device_id: idSchema.optional(),
  access_code_ids: z.array(idSchema).max(500).optional(),
  search: z.string().min(1).max(255).optional(),
  limit: z.number().int().min(1).max(1000).default(500),
  page_cursor: z.string().max(2048).optional(),
});
export type ListAccessCodesInput = z.infer<typeof listAccessCodesInputSchema>;

export const deleteAccessCodeInputSchema = z.object({
  access_code_id: idSchema,
  device_id: idSchema.optional(),
  sync: z.boolean().optional(),
});
export type DeleteAccessCodeInput = z.infer<typeof deleteAccessCodeInputSchema>;

export const generateCodeInputSchema = z
  .object({
    device_id: idSchema,
    starts_at: isoDateTimeSchema.optional().meta({ description: "Latchkey's addition: with ends_at, a PIN free from this time on (one a code of a stay that does not overlap may still hold)" }),
    ends_at: isoDateTimeSchema.optional().meta({ description: "Latchkey's addition: with starts_at, a PIN free until this time" }),
  })
  .superRefine(timeFrameCheck);
export type GenerateCodeInput = z.infer<typeof generateCodeInputSchema>;
