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
] as const;
export type AccessCodeEventType = (typeof accessCodeEventTypes)[number];

/** The events that mean a code must be (re)programmed on its lock at once: the worker's input. */
export const workStartingEventTypes = ['access_code.created', 'access_code.changed', 'access_code.deleted'] as const satisfies readonly AccessCodeEventType[];

const issueSchema = z.object({ error_code: z.string(), message: z.string(), created_at: timestampSchema });
const warningSchema = z.object({ warning_code: z.string(), message: z.string(), created_at: timestampSchema });

/** A Seam `access_code.*` event. */
export const eventSchema = z.object({
  event_id: idSchema,
  workspace_id: idSchema,
  created_at: timestampSchema,
  occurred_at: timestampSchema,
  event_type: z.enum(accessCodeEventTypes),
  access_code_id: idSchema,
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
});
export type SeamEvent = z.infer<typeof eventSchema>;

export const listEventsInputSchema = z.object({
  since: isoDateTimeSchema.optional(),
  between: z.array(isoDateTimeSchema).length(2, { error: 'Must be [from, to]' }).optional(),
  device_id: idSchema.optional(),
  device_ids: z.array(idSchema).max(1000).optional(),
  access_code_id: idSchema.optional(),
  access_code_ids: z.array(idSchema).max(1000).optional(),
  event_type: z.enum(accessCodeEventTypes).optional(),
  event_types: z.array(z.enum(accessCodeEventTypes)).max(100).optional(),
  limit: z.number().int().min(1).max(1000).default(500),
});
export type ListEventsInput = z.infer<typeof listEventsInputSchema>;

export const getEventInputSchema = z.object({ event_id: idSchema });
