import * as z from 'zod';
import { accessCodeNotFound } from '../errors';
import { type EventType, type SeamEvent, eventTypes } from '../events/schemas';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { idSchema, isoDateTimeSchema } from '../schema-helpers';

export const getTimelineInputSchema = z.object({
  access_code_id: idSchema,
  limit: z.number().int().min(1).max(200).default(50),
  before: isoDateTimeSchema.optional(),
  after: isoDateTimeSchema.optional(),
  event_types: z.array(z.enum(eventTypes)).max(50).optional(),
  /** A `next_cursor` or `prev_cursor` of an earlier page (Latchkey's; Seam's spec has no parameter for it yet). */
  cursor: z.string().max(1024).optional().meta({ description: "Latchkey's addition: the next_cursor or prev_cursor of an earlier page." }),
});
export type GetTimelineInput = z.infer<typeof getTimelineInputSchema>;

type Actor = TimelineEvent['actor']['type'];

/** What each event says happened, and who made it happen. */
const timelineText: Record<EventType, { actor: Actor; description: string }> = {
  'access_code.created': { actor: 'api_key', description: 'The access code was created' },
  'access_code.changed': { actor: 'api_key', description: 'The access code was changed' },
  'access_code.name_changed': { actor: 'api_key', description: 'The name of the access code was changed' },
  'access_code.code_changed': { actor: 'api_key', description: 'The PIN of the access code was changed' },
  'access_code.time_frame_changed': { actor: 'api_key', description: 'The time frame of the access code was changed' },
  'access_code.deleted': { actor: 'api_key', description: 'The access code was deleted' },
  'access_code.scheduled_on_device': { actor: 'system', description: 'The access code was scheduled on the device' },
  'access_code.set_on_device': { actor: 'system', description: 'The access code was set on the device' },
  'access_code.removed_from_device': { actor: 'system', description: 'The access code was removed from the device' },
  'access_code.delay_in_setting_on_device': { actor: 'system', description: 'Setting the access code on the device is taking longer than expected' },
  'access_code.failed_to_set_on_device': { actor: 'system', description: 'The access code could not be set on the device' },
  'access_code.delay_in_removing_from_device': { actor: 'system', description: 'Removing the access code from the device is taking longer than expected' },
  'access_code.failed_to_remove_from_device': { actor: 'system', description: 'The access code could not be removed from the device' },
  'access_code.modified_external_to_seam': { actor: 'external', description: 'The access code was changed on the device outside Latchkey' },
  'access_code.deleted_external_to_seam': { actor: 'external', description: 'The access code was removed from the device outside Latchkey' },
  'access_code.backup_access_code_pulled': { actor: 'api_key', description: 'A backup access code was pulled for the access code' },
  'access_code.unmanaged.created': { actor: 'external', description: 'An access code set outside Latchkey was found on the device' },
  'access_code.unmanaged.removed': { actor: 'external', description: 'An access code set outside Latchkey is no longer on the device' },
  'access_code.unmanaged.converted_to_managed': { actor: 'api_key', description: 'The access code was converted to a managed access code' },
  'access_code.unmanaged.failed_to_convert_to_managed': { actor: 'system', description: 'The access code could not be converted to a managed access code' },
  'access_code.first_used': { actor: 'external', description: 'The access code was used for the first time' },
  'access_code.use_limit_reached': { actor: 'external', description: 'The access code reached its use limit' },
  'lock.locked': { actor: 'system', description: 'The lock was locked' },
  'lock.unlocked': { actor: 'system', description: 'The lock was unlocked' },
  'lock.access_denied': { actor: 'external', description: 'The lock denied access' },
};

/** Seam's timeline event, as /access_codes/get_timeline answers it. */
export const timelineEventSchema = z.object({
  timeline_event_id: idSchema,
  event_type: z.enum(eventTypes),
  occurred_at: z.iso.datetime(),
  description: z.string(),
  actor: z.object({ type: z.enum(['api_key', 'system', 'external']) }),
  related_resource_ids: z.object({ event_id: idSchema, device_id: idSchema, connected_account_id: idSchema }),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

/** The page of /access_codes/get_timeline (Seam's own shape, not the `pagination` of lists). */
export const timelinePaginationSchema = z.object({ has_more: z.boolean(), next_cursor: z.string().nullable(), prev_cursor: z.string().nullable() });

/** Seam's timeline event: one stored event, described. */
function timelineEvent(event: SeamEvent): TimelineEvent {
  const text = timelineText[event.event_type];
  return {
    timeline_event_id: event.event_id,
    event_type: event.event_type,
    occurred_at: event.occurred_at,
    description: event.description ?? text.description,
    actor: { type: text.actor },
    related_resource_ids: { event_id: event.event_id, device_id: event.device_id, connected_account_id: event.connected_account_id },
  };
}

/** A gone code's last state while its history is readable. */
async function readableGone(deps: Pick<Deps, 'codeHistory' | 'clock'>, workspaceId: string, accessCodeId: string) {
  const gone = await deps.codeHistory.getGone(workspaceId, accessCodeId);
  return gone && gone.readable_until > deps.clock.now().toISOString() ? gone.access_code : undefined;
}

/**
 * A code's history, oldest first. It stays readable for the configured time after the code
 * is deleted or expires (Seam answers 404 there), then answers access_code_not_found.
 */
export async function getTimeline(deps: Pick<Deps, 'accessCodes' | 'codeHistory' | 'devices' | 'clock'>, principal: Principal, input: GetTimelineInput) {
  const workspaceId = principal.workspace_id;
  const live = await deps.accessCodes.get(workspaceId, input.access_code_id);
  const code = live?.access_code ?? (await readableGone(deps, workspaceId, input.access_code_id));
  if (!code || !(await grantsDeviceId(deps, principal, code.device_id))) throw accessCodeNotFound();
  const page = await deps.codeHistory.listEvents(workspaceId, input.access_code_id, {
    after: input.after,
    before: input.before,
    eventTypes: input.event_types,
    limit: input.limit,
    cursor: input.cursor,
  });
  return {
    timeline_events: page.items.map(timelineEvent),
    pagination: { has_more: page.nextCursor !== null, next_cursor: page.nextCursor, prev_cursor: page.prevCursor },
  };
}
