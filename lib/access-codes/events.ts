import type { Device } from '../devices/schemas';
import type { AccessCodeEventType, SeamEvent } from '../events/schemas';
import type { IdGenerator } from '../ports';
import type { AccessCode } from './schemas';

const carriesCode = new Set<AccessCodeEventType>(['access_code.scheduled_on_device', 'access_code.set_on_device', 'access_code.deleted']);
const carriesIssues = new Set<AccessCodeEventType>([
  'access_code.delay_in_setting_on_device',
  'access_code.failed_to_set_on_device',
  'access_code.delay_in_removing_from_device',
  'access_code.failed_to_remove_from_device',
  'access_code.unmanaged.failed_to_convert_to_managed',
]);

const issue = ({ error_code, message, created_at }: { error_code: string; message: string; created_at: string }) => ({ error_code, message, created_at });
const warning = ({ warning_code, message, created_at }: { warning_code: string; message: string; created_at: string }) => ({ warning_code, message, created_at });

/**
 * A Seam-shaped access_code.* event about one code, with the fields Seam's schema requires for
 * its type: the PIN on scheduled/set/deleted (as Seam sends it to the workspace's own
 * consumers), and the errors and warnings of the code and device on delay/failure events.
 */
export function accessCodeEvent(
  ids: IdGenerator,
  code: Pick<AccessCode, 'workspace_id' | 'access_code_id' | 'device_id' | 'code' | 'errors' | 'warnings'>,
  device: Device,
  eventType: AccessCodeEventType,
  now: Date,
  extra: Partial<Pick<SeamEvent, 'event_description' | 'changed_properties' | 'from' | 'to' | 'description' | 'backup_access_code_id' | 'use_count' | 'max_uses'>> = {},
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
    connected_account_id: device.connected_account_id,
    ...(carriesCode.has(eventType) && { code: code.code }),
    ...(carriesIssues.has(eventType) && {
      connected_account_errors: [],
      connected_account_warnings: [],
      device_errors: device.errors.map(issue),
      device_warnings: device.warnings.map(warning),
      access_code_errors: code.errors.map(issue),
      access_code_warnings: code.warnings.map(warning),
    }),
    ...extra,
  };
}
