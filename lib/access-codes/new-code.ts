import type { DeviceRecord } from '../devices/schemas';
import type { Deps } from '../ports';
import type { Appearance } from './appearance';
import { creationMutation, firstDueAt, usesNativeScheduling } from './lifecycle';
import { inRecurringWindow, withUpcomingWindows } from './recurring-lifecycle';
import type { AccessCode, AccessCodeRecord, CreateAccessCodeInput } from './schemas';
import { requestedMaxUses } from './use-limits';

/** The settings of a new code that the client chose (create and create_multiple share them). */
export type NewCodeSettings = Omit<CreateAccessCodeInput, 'device_id' | 'code' | 'common_code_key' | 'sync'>;

export interface NewCodeParts {
  workspaceId: string;
  /** The PIN, or null while the lock or its cloud has yet to assign one. */
  pin: string | null;
  commonCodeKey: string | null;
  appearance: Appearance | null;
  now: Date;
}

/**
 * A new managed code's record, version 0: ongoing codes start `setting`, time-bound ones
 * `unset`, due when the lifecycle engine must first act on them.
 */
export function newCodeRecord(deps: Pick<Deps, 'ids' | 'providers' | 'settings'>, device: DeviceRecord, input: NewCodeSettings, parts: NewCodeParts): AccessCodeRecord {
  const { now } = parts;
  const preferNative = input.prefer_native_scheduling ?? true;
  const type = input.starts_at === undefined ? 'ongoing' : 'time_bound';
  // A recurring code is due at once: the engine works out from its windows when the lock takes it.
  const dueAt = firstDueAt(
    { type: input.recurring_schedule ? 'ongoing' : type, starts_at: input.starts_at },
    usesNativeScheduling(deps.providers.for(device).traits(device), preferNative),
    deps.settings,
    now,
  );
  const code: AccessCode = {
    workspace_id: parts.workspaceId,
    access_code_id: deps.ids.uuid(),
    device_id: device.device.device_id,
    name: input.name ?? null,
    code: parts.pin,
    common_code_key: parts.commonCodeKey,
    type,
    status: type === 'ongoing' ? 'setting' : 'unset',
    created_at: now.toISOString(),
    ...(input.starts_at !== undefined && { starts_at: input.starts_at, ends_at: input.ends_at }),
    errors: [],
    warnings: [],
    is_managed: true,
    is_backup: false,
    // Shown true only while a pull would give out a backup (withBackupAvailability), never stored so.
    is_backup_access_code_available: false,
    is_external_modification_allowed: input.is_external_modification_allowed ?? input.allow_external_modification ?? false,
    is_one_time_use: input.is_one_time_use ?? false,
    is_offline_access_code: input.is_offline_access_code ?? input.use_offline_access_code ?? false,
    is_scheduled_on_device: false,
    is_waiting_for_code_assignment: parts.pin === null,
    pulled_backup_access_code_id: null,
    pending_mutations: [creationMutation(dueAt, now)],
    appearance: parts.appearance,
    ...(input.recurring_schedule && { recurring_schedule: input.recurring_schedule }),
  };
  const maxUses = requestedMaxUses(input, code.is_offline_access_code);
  if (maxUses !== undefined) Object.assign(code, { max_uses: maxUses, use_count: 0, is_one_time_use: maxUses === 1 });
  const shown = withUpcomingWindows(code, now);
  // A recurring code is on its way in one of its windows; outside them it is unset, its creation deferred to its next window.
  const nextWindow = shown.upcoming_windows?.[0];
  if (shown.recurring_schedule !== undefined && inRecurringWindow(shown, now)) shown.status = 'setting';
  else if (shown.recurring_schedule !== undefined) {
    shown.status = 'unset';
    if (nextWindow !== undefined) shown.pending_mutations = [creationMutation(nextWindow.starts_at, now)];
  }
  return {
    access_code: shown,
    version: 0,
    prefer_native_scheduling: preferNative,
    attempt_for_offline_device: input.attempt_for_offline_device ?? true,
    due_at: dueAt,
    pending_action_attempts: [],
    ...(input.use_backup_access_code_pool && { uses_backup_pool: true as const }),
  };
}
