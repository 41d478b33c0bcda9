import type { DeviceRecord } from '../devices/schemas';
import { InvalidInputError } from '../errors';
import type { RecurringSchedule } from '../devices/weekly-schedule';
import type { AccessCode, CreateAccessCodeInput } from './schemas';

/** Checks the options that depend on the device or the clock (the schema checked the rest). */
export function checkCodeOptions(device: DeviceRecord, input: Omit<CreateAccessCodeInput, 'device_id' | 'recurring_schedule'> & { recurring_schedule?: RecurringSchedule | null }, now: Date): void {
  if (input.ends_at !== undefined && input.ends_at <= now.toISOString()) {
    throw InvalidInputError.forField('ends_at', 'Must be in the future');
  }
  const { properties, can_program_offline_access_codes } = device.device;
  const offline = input.is_offline_access_code ?? input.use_offline_access_code ?? false;
  if (offline && !can_program_offline_access_codes) {
    throw InvalidInputError.forField('is_offline_access_code', 'This device does not support offline access codes');
  }
  if (input.use_backup_access_code_pool && !properties.supports_backup_access_code_pool) {
    throw InvalidInputError.forField('use_backup_access_code_pool', 'This device does not support a backup access code pool');
  }
  if (input.use_backup_access_code_pool && input.starts_at === undefined) {
    throw InvalidInputError.forField('use_backup_access_code_pool', 'Only time-bound codes can use the backup access code pool');
  }
  if (input.recurring_schedule && (offline || input.use_backup_access_code_pool)) {
    throw InvalidInputError.forField('recurring_schedule', 'Offline codes and codes using the backup access code pool cannot have a recurring schedule');
  }
}

/** Offline codes are given out for good: Seam refuses to change or delete them once their PIN is assigned. */
export function refuseOfflineChange(code: AccessCode, change: 'update' | 'delete'): void {
  if (!code.is_offline_access_code) return;
  if (change === 'delete' && code.is_waiting_for_code_assignment) return;
  throw InvalidInputError.forField(
    'access_code_id',
    change === 'update' ? 'An offline access code cannot be changed once created' : 'An offline access code cannot be deleted once its PIN is assigned; it ends by itself',
  );
}
