import { pendingAttempt, pendingRef, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttempt } from '../action-attempts/schemas';
import { InvalidInputError, accessCodeNotFound } from '../errors';
import type { SeamEvent } from '../events/schemas';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { retry, retryPolicies, takeTurns } from '../retry';
import type { DeviceRecord } from '../devices/schemas';
import { type Appearance, appearanceFor } from './appearance';
import { refuseOfflineChange } from './code-rules';
import { checkChosenPin, freshPin, requireDevice } from './assign-pin';
import { checkCodeOptions } from './code-rules';
import { requestedMaxUses } from './use-limits';
import { changeEvents, changedProperties } from './change-events';
import { firstDueAt, usesNativeScheduling } from './lifecycle';
import { inRecurringWindow, withUpcomingWindows } from './recurring-lifecycle';
import type { AccessCode, AccessCodeRecord, PendingMutation, UpdateAccessCodeInput } from './schemas';

type UpdateDeps = Pick<Deps, 'accessCodes' | 'actionAttempts' | 'devices' | 'clock' | 'ids' | 'providers' | 'settings'>;

/** The time frame after the update: explicit conversion to ongoing, or the merged window. */
function nextTimeFrame(current: AccessCode, input: UpdateAccessCodeInput): { starts_at?: string; ends_at?: string } {
  if (input.type === 'ongoing') {
    if (input.starts_at !== undefined || input.ends_at !== undefined) {
      throw InvalidInputError.forField('type', 'An ongoing code has no starts_at or ends_at');
    }
    return {};
  }
  const starts_at = input.starts_at ?? current.starts_at;
  const ends_at = input.ends_at ?? current.ends_at;
  if (starts_at === undefined || ends_at === undefined) {
    if (input.type === 'time_bound' || starts_at !== undefined || ends_at !== undefined) {
      throw new InvalidInputError('Both starts_at and ends_at must be provided for a time_bound code');
    }
    return {};
  }
  if (ends_at <= starts_at) throw InvalidInputError.forField('ends_at', 'Must be after starts_at');
  return { starts_at, ends_at };
}

/**
 * The PIN after the update: the one the client chose, a fresh one when the client asks for
 * another length (`preferred_code_length`, as on create), else the current one. A PIN shared
 * through a common_code_key changes only while no other code shares it.
 */
async function nextPin(deps: UpdateDeps, device: DeviceRecord, current: AccessCode, input: UpdateAccessCodeInput): Promise<string | null> {
  let pin = current.code;
  if (input.code !== undefined && input.code !== current.code) {
    await checkChosenPin(deps, device, input.code, 'code', current.code);
    pin = input.code;
  } else if (input.code === undefined && input.preferred_code_length !== undefined) {
    const lengths = device.device.properties.supported_code_lengths;
    const wanted = lengths.includes(input.preferred_code_length) ? input.preferred_code_length : Math.min(...lengths);
    if (current.code?.length !== wanted) pin = await freshPin(deps, device, wanted);
  }
  if (pin !== current.code && current.common_code_key !== null) {
    const sharing = await deps.accessCodes.listByCommonCodeKey(current.workspace_id, current.common_code_key);
    if (sharing.some((r) => r.access_code.access_code_id !== current.access_code_id)) {
      throw InvalidInputError.forField(input.code === undefined ? 'preferred_code_length' : 'code', 'This code shares its PIN with other codes through its common_code_key');
    }
  }
  return pin;
}

/**
 * Changes a managed code. A change the lock must learn (PIN, time frame, type) sends the
 * code back through the lifecycle with a pending mutation; a name change is settled at once.
 */
export function updateAccessCode(deps: UpdateDeps, principal: Principal, input: UpdateAccessCodeInput): Promise<ActionAttempt> {
  // The lock's name for the new name is worked out once: a lost race on the version does not change it.
  let appearance: Promise<Appearance | null> | undefined;
  const appearanceOnce = (device: DeviceRecord, name: string | null, except: string) => {
    appearance ??= appearanceFor(deps, device.device, name, except);
    return appearance;
  };
  return takeTurns(deps.accessCodes, principal.workspace_id, input.access_code_id, () => retry(retryPolicies.versionConflict, () => applyUpdate(deps, principal, input, appearanceOnce)));
}

async function applyUpdate(
  deps: UpdateDeps,
  principal: Principal,
  input: UpdateAccessCodeInput,
  appearanceOf: (device: DeviceRecord, name: string | null, except: string) => Promise<Appearance | null>,
): Promise<ActionAttempt> {
  const workspaceId = principal.workspace_id;
  const record = await deps.accessCodes.get(workspaceId, input.access_code_id);
  if (!record || !(await grantsDeviceId(deps, principal, record.access_code.device_id))) throw accessCodeNotFound();
  const current = record.access_code;
  refuseOfflineChange(current, 'update');
  if (input.device_id !== undefined && input.device_id !== current.device_id) {
    throw InvalidInputError.forField('device_id', 'An access code cannot move to another device');
  }
  if (current.status === 'removing') throw InvalidInputError.forField('access_code_id', 'The access code is being deleted');
  const device = await requireDevice(deps, principal, current.device_id);
  const now = deps.clock.now();
  checkCodeOptions(device, input, now);
  const pin = await nextPin(deps, device, current, input);
  const name = input.name ?? current.name;

  const frame = nextTimeFrame(current, input);
  const next: AccessCode = {
    ...current,
    name,
    appearance: name === current.name ? current.appearance : await appearanceOf(device, name, current.access_code_id),
    code: pin,
    type: frame.starts_at === undefined ? 'ongoing' : 'time_bound',
    is_external_modification_allowed: input.is_external_modification_allowed ?? input.allow_external_modification ?? current.is_external_modification_allowed,
  };
  const maxUses = requestedMaxUses(input, false, current);
  if (maxUses !== undefined) Object.assign(next, { max_uses: maxUses, use_count: current.use_count ?? 0, is_one_time_use: maxUses === 1 });
  delete next.starts_at;
  delete next.ends_at;
  Object.assign(next, frame);
  if (input.recurring_schedule === null) delete next.recurring_schedule;
  else if (input.recurring_schedule !== undefined) next.recurring_schedule = input.recurring_schedule;
  const scheduleChanged = JSON.stringify(current.recurring_schedule ?? null) !== JSON.stringify(next.recurring_schedule ?? null);
  Object.assign(next, withUpcomingWindows(next, now));
  if (next.recurring_schedule === undefined) delete next.upcoming_windows;

  const changed = changedProperties(current, next);
  const attempt = pendingAttempt(deps.ids, workspaceId, 'UPDATE_ACCESS_CODE', now, current.device_id);
  if (changed.length === 0 && !scheduleChanged) {
    const done = succeeded(attempt, { access_code: current });
    await deps.actionAttempts.put(done);
    return done.action_attempt;
  }

  const traits = deps.providers.for(device).traits(device);
  const renameOnLock = changed.includes('name') && traits.showsNames === true;
  const deviceWork = renameOnLock || scheduleChanged || changed.some((k) => k === 'code' || k === 'type' || k === 'starts_at' || k === 'ends_at');
  const preferNative = input.prefer_native_scheduling ?? record.prefer_native_scheduling;
  let nextRecord: AccessCodeRecord = { ...record, access_code: next, version: record.version + 1, prefer_native_scheduling: preferNative };
  let finished = attempt;
  if (deviceWork) {
    // A recurring code is due at once: the engine works out from its windows when the lock takes it.
    const dueAt = next.recurring_schedule ? now.toISOString() : firstDueAt(next, usesNativeScheduling(traits, preferNative), deps.settings, now);
    next.status = next.type === 'ongoing' || dueAt <= now.toISOString() ? 'setting' : 'unset';
    if (next.recurring_schedule !== undefined) next.status = inRecurringWindow(next, now) ? 'setting' : 'unset';
    const lockChanges = renameOnLock ? changed : changed.filter((k) => k !== 'name');
    next.pending_mutations = mutationsFor(current, next, scheduleChanged ? [...lockChanges, 'recurring_schedule'] : lockChanges, now);
    nextRecord = { ...nextRecord, due_at: dueAt, pending_action_attempts: [...record.pending_action_attempts, pendingRef(attempt)] };
  } else {
    finished = succeeded(attempt, { access_code: next });
  }

  const events: SeamEvent[] = changeEvents(deps.ids, current, next, device.device, now);
  await deps.accessCodes.update(nextRecord, record, { attempts: [finished], events });
  return finished.action_attempt;
}

function mutationsFor(current: AccessCode, next: AccessCode, changed: readonly string[], now: Date): PendingMutation[] {
  const created_at = now.toISOString();
  const mutations: PendingMutation[] = current.pending_mutations.filter((m) => m.mutation_code === 'creating' || m.mutation_code === 'deferring_creation');
  if (changed.includes('name')) {
    mutations.push({ mutation_code: 'updating_name', message: 'Updating the name on the device', created_at, from: { name: current.name }, to: { name: next.name } });
  }
  if (changed.includes('code')) {
    mutations.push({ mutation_code: 'updating_code', message: 'Updating the PIN on the device', created_at, from: { code: current.code }, to: { code: next.code } });
  }
  if (changed.some((k) => k === 'type' || k === 'starts_at' || k === 'ends_at' || k === 'recurring_schedule')) {
    mutations.push({
      mutation_code: 'updating_time_frame',
      message: 'Updating the time frame on the device',
      created_at,
      from: { starts_at: current.starts_at ?? null, ends_at: current.ends_at ?? null },
      to: { starts_at: next.starts_at ?? null, ends_at: next.ends_at ?? null },
    });
  }
  return mutations;
}
