import type { SeamEvent, AccessCodeEventType } from '../events/schemas';
import type { IdGenerator } from '../ports';
import type { AccessCode } from './schemas';

/** A Seam-shaped access_code.* event about one code. */
export function accessCodeEvent(
  ids: IdGenerator,
  code: AccessCode,
  connectedAccountId: string,
  eventType: AccessCodeEventType,
  now: Date,
  extra: Partial<Pick<SeamEvent, 'event_description' | 'changed_properties' | 'code'>> = {},
): SeamEvent {
  const at = now.toISOString();
  return {
    event_id: ids.uuid(),
    workspace_id: code.workspace_id,
    created_at: at,
    occurred_at: at,
    event_type: eventType,
    access_code_id: code.access_code_id,
    device_id: code.device_id,
    connected_account_id: connectedAccountId,
    ...extra,
  };
}
