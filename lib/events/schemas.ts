import * as z from 'zod';
import { idSchema, isoDateTimeSchema, timestampSchema } from '../schema-helpers';

export const accessCodeEventTypes = [
  'access_code.created',
  'access_code.changed',
  'access_code.scheduled_on_device',
  'access_code.set_on_device',
  'access_code.removed_from_device',
  'access_code.delay_in_setting_on_device',
  'access_code.failed_to_set_on_device',
  'access_code.deleted',
  'access_code.delay_in_removing_from_device',
  'access_code.failed_to_remove_from_device',
  'access_code.name_changed',
  'access_code.code_changed',
  'access_code.time_frame_changed',
  'access_code.modified_external_to_seam',
  'access_code.deleted_external_to_seam',
  'access_code.backup_access_code_pulled',
  'access_code.unmanaged.created',
  'access_code.unmanaged.removed',
  'access_code.unmanaged.converted_to_managed',
  'access_code.unmanaged.failed_to_convert_to_managed',
  // Latchkey's additions (use-limited codes): the code's first entry, and the entry that used it up.
  'access_code.first_used',
  'access_code.use_limit_reached',
] as const;
export type AccessCodeEventType = (typeof accessCodeEventTypes)[number];

/** Seam's `lock.*` events: what a lock reports about its bolt, and the entries it refused. */
export const lockEventTypes = ['lock.locked', 'lock.unlocked', 'lock.access_denied'] as const;
export type LockEventType = (typeof lockEventTypes)[number];

/** Every event type Latchkey emits. */
export const eventTypes = [...accessCodeEventTypes, ...lockEventTypes] as const;
export type EventType = (typeof eventTypes)[number];

/** The events that mean a code must be (re)programmed on its lock at once: the worker's input. */
export const workStartingEventTypes = ['access_code.created', 'access_code.changed', 'access_code.deleted'] as const satisfies readonly AccessCodeEventType[];

const issueSchema = z.object({ error_code: z.string(), message: z.string(), created_at: timestampSchema });
const warningSchema = z.object({ warning_code: z.string(), message: z.string(), created_at: timestampSchema });

/** How a lock was locked or unlocked (Seam's `lock_method`). */
export const lockMethodSchema = z.enum(['keycode', 'manual', 'automatic', 'unknown', 'remote', 'card']);

/** Why a lock refused an entry (Seam's `lock_access_denied_reason`). */
export const accessDeniedReasons = ['unknown_code', 'expired_code', 'blocklisted_code', 'too_many_attempts', 'blocked_by_privacy_mode', 'credential_error'] as const;
export type AccessDeniedReason = (typeof accessDeniedReasons)[number];

/** A Seam event: `access_code.*` (always with its code) or `lock.*` (with the code only when one was used). */
export const eventSchema = z.object({
  event_id: idSchema,
  workspace_id: idSchema,
  created_at: timestampSchema,
  occurred_at: timestampSchema,
  event_type: z.enum(eventTypes),
  access_code_id: idSchema.optional(),
  device_id: idSchema,
  connected_account_id: idSchema,
  event_description: z.string().optional(),
  code: z.string().nullable().optional(),
  connected_account_errors: z.array(issueSchema).optional(),
  connected_account_warnings: z.array(warningSchema).optional(),
  device_errors: z.array(issueSchema).optional(),
  device_warnings: z.array(warningSchema).optional(),
  access_code_errors: z.array(issueSchema).optional(),
  access_code_warnings: z.array(warningSchema).optional(),
  changed_properties: z.array(z.object({ property: z.string(), from: z.string().nullable(), to: z.string().nullable() })).optional(),
  /** name_changed, code_changed, time_frame_changed: the values before and after, and what changed them. */
  from: z.record(z.string(), z.string().nullable()).optional(),
  to: z.record(z.string(), z.string().nullable()).optional(),
  description: z.string().optional(),
  /** backup_access_code_pulled: the backup code given out in place of this one. */
  backup_access_code_id: idSchema.optional(),
  /** lock.locked, lock.unlocked: how, and the action attempt that asked for it when Latchkey did. */
  method: lockMethodSchema.optional(),
  action_attempt_id: idSchema.optional(),
  access_code_is_managed: z.boolean().optional(),
  /** lock.access_denied: why, when known. */
  reason: z.object({ reason_code: z.enum(accessDeniedReasons), message: z.string() }).optional(),
  use_count: z.number().int().nonnegative().optional().meta({ description: "Latchkey's addition: the code's use count after the entry (access_code.first_used, access_code.use_limit_reached)." }),
  max_uses: z.number().int().positive().optional().meta({ description: "Latchkey's addition: the code's use limit (access_code.first_used, access_code.use_limit_reached)." }),
});
export type SeamEvent = z.infer<typeof eventSchema>;

/** An `access_code.*` event: it always names its code. */
export const accessCodeEventSchema = eventSchema.extend({ event_type: z.enum(accessCodeEventTypes), access_code_id: idSchema });

/** An event that names a code (every access_code.* event, and a lock event a code caused): kept in that code's history. */
export type CodeEvent = SeamEvent & { access_code_id: string };
export const isCodeEvent = (event: SeamEvent): event is CodeEvent => event.access_code_id !== undefined;

export const listEventsInputSchema = z.object({
  since: isoDateTimeSchema.optional(),
  between: z.array(isoDateTimeSchema).length(2, { error: 'Must be [from, to]' }).optional(),
  device_id: idSchema.optional(),
  device_ids: z.array(idSchema).max(1000).optional(),
  access_code_id: idSchema.optional(),
  access_code_ids: z.array(idSchema).max(1000).optional(),
  event_type: z.enum(eventTypes).optional(),
  event_types: z.array(z.enum(eventTypes)).max(100).optional(),
  limit: z.number().int().min(1).max(1000).default(500),
});
export type ListEventsInput = z.infer<typeof listEventsInputSchema>;

export const getEventInputSchema = z.object({ event_id: idSchema });
