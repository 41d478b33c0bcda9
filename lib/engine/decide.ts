import type { DesiredEntry, DeviceTraits, KeypadEntry, ProviderError } from '../devices/lock-provider';
import type { AccessCodeEventType } from '../events/schemas';
import { type LifecycleSettings, usesNativeScheduling } from '../access-codes/lifecycle';
import { inRecurringWindow, windowEnd } from '../access-codes/recurring-lifecycle';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';
import { clearedConflict, conversionRule, externalChange, externalChangeRule } from './external-changes';
import { desiredEntry, isDeviceError, keepAccessErrors, matches, nextBoundary, withProviderReport } from './lock-view';
import { mayBeOnLock, handoverCheckAt, pinBlockers } from './pin-handover';
import { type AssignOfflinePin, type Call, type Outcome, type Write, finishAttempts } from './outcome';
import { withoutNotVerified } from './verification';

/** What the lock holds for the code, or the provider error its read gave. */
export type LockRead = { held: KeypadEntry | undefined } | { error: ProviderError };

/** Everything a step decides from; offline codes live in the lock's algorithm and are not read. */
export interface Situation {
  record: AccessCodeRecord;
  traits: DeviceTraits;
  lock?: LockRead;
  settings: LifecycleSettings;
  now: Date;
  /** The other codes holding this code's PIN on the device, at other times (pin-handover.ts). */
  samePin?: readonly AccessCodeRecord[];
}

type Sync = NonNullable<AccessCodeRecord['sync']>;
type OfflinePlace = NonNullable<AccessCodeRecord['offline']>;

const iso = (t: number) => new Date(t).toISOString();
const newSync = (nowIso: string): Sync => ({ since: nowIso, attempts: 0, warned: false, failed: false });

/**
 * One step of the lifecycle engine for one code, decided from what the lock holds: the write
 * to make, or the provider call to make first. Pure: no stores, no provider, no clock.
 */
export function decide(s: Situation): Outcome {
  const { record, traits, settings, now } = s;
  if (record.offline) return offlineCode(record, record.offline, now);
  const native = usesNativeScheduling(traits, record.prefer_native_scheduling);
  const weekly = traits.weeklySchedules === true && record.prefer_native_scheduling;
  const desired = desiredEntry(record, native, settings, now, weekly);
  const blockers = mayBeOnLock(record) ? [] : pinBlockers(record, s.samePin ?? []);
  // Until the PIN is handed over, what a lock shows for the PIN is another code's: this one is not on the lock.
  if (blockers.length > 0 && desired !== undefined) return waitingForPin(record, desired, blockers, traits, now);
  const lock = blockers.length > 0 ? { held: undefined } : (s.lock ?? { held: undefined });
  if ('error' in lock) return callFailed(record, lock.error, { removing: desired === undefined, events: [] }, settings, now);
  const actual = lock.held;
  const reported = withProviderReport(record, actual, now.toISOString());
  const read: AccessCodeRecord = actual !== undefined && actual.state !== 'adding' ? { ...reported, was_on_lock: true } : reported;
  if (read.converting) return conversionRule(read, actual, now);
  const external = windowLapsed(read.access_code, weekly, now) ? undefined : externalChange(read, desired, actual);
  if (external) return externalChangeRule(read, external, actual, now);
  if (desired === undefined && actual === undefined) return nothingOnLock(read, native, weekly, settings, now);
  if (desired !== undefined && actual !== undefined && actual.state === 'present' && matches(actual, desired, traits.showsNames)) return settled(read, desired, native, weekly, settings, now);
  return towardsLock(read, desired, actual, traits, settings, now);
}

/** Another code holds the PIN on the lock, or comes first: this one waits, off the lock, until the PIN is handed over. */
function waitingForPin(record: AccessCodeRecord, desired: DesiredEntry, blockers: readonly AccessCodeRecord[], traits: DeviceTraits, now: Date): Write {
  const code = record.access_code;
  // Waiting is not setting: before its stay starts the code shows unset, as if the lock had not been asked yet.
  const notStarted = code.starts_at !== undefined && code.starts_at > now.toISOString();
  const waitingCode: AccessCode = { ...code, status: notStarted ? 'unset' : statusOnTheWay(code, desired, now) };
  return {
    kind: 'write',
    rule: 'waiting_for_pin',
    record,
    next: { ...record, access_code: waitingCode, due_at: handoverCheckAt(record, blockers, traits.verifyAfterMs, now) },
    events: [],
    attempts: [],
  };
}

/**
 * The window a recurring code was in or waiting for when last written has ended since: a lock
 * that keeps a window dropped it by itself, which is no change made outside Latchkey.
 */
function windowLapsed(code: AccessCode, weekly: boolean, now: Date): boolean {
  const last = code.upcoming_windows?.[0];
  return code.recurring_schedule !== undefined && !weekly && last !== undefined && last.ends_at <= now.toISOString();
}

/** Codes stored before was_on_lock existed: a set or loaded code was on the lock. */
const wasOnLock = (record: AccessCodeRecord) => record.was_on_lock === true || record.access_code.status === 'set' || record.access_code.is_scheduled_on_device;

/** Nothing on the lock and nothing should be: gone for good (deleted or expired), or waiting for its window. */
function nothingOnLock(record: AccessCodeRecord, native: boolean, weekly: boolean, settings: LifecycleSettings, now: Date): Write {
  const code = record.access_code;
  const onLockBefore = wasOnLock(record);
  const events: AccessCodeEventType[] = onLockBefore ? ['access_code.removed_from_device'] : [];
  const expired = code.type === 'time_bound' && code.ends_at !== undefined && code.ends_at <= now.toISOString();
  if (code.status === 'removing' || expired) {
    return { kind: 'write', rule: 'gone', record, removed: true, events, attempts: finishAttempts(record, now, onLockBefore ? 'removed' : 'ended_before_set') };
  }
  const waitingCode: AccessCode = {
    ...code,
    status: 'unset',
    is_scheduled_on_device: false,
    errors: keepAccessErrors(code),
    pending_mutations: code.pending_mutations.filter((m) => m.mutation_code === 'deferring_creation'),
  };
  const { was_on_lock: _offTheLock, ...waiting } = record;
  return { kind: 'write', rule: 'waiting', record, next: { ...waiting, access_code: waitingCode, sync: undefined, due_at: nextBoundary(record, native, settings, now, weekly) }, events, attempts: [] };
}

/** The lock holds what it should: the code is set (or scheduled on a natively scheduling lock). */
function settled(record: AccessCodeRecord, desired: DesiredEntry, native: boolean, weekly: boolean, settings: LifecycleSettings, now: Date): Write {
  const code = record.access_code;
  // A recurring code is set in its windows only, and unset between them.
  const active = code.recurring_schedule !== undefined ? inRecurringWindow(code, now) : desired.starts_at === undefined || desired.starts_at <= now.toISOString();
  const settledCode: AccessCode = {
    ...code,
    status: active ? 'set' : 'unset',
    is_scheduled_on_device: desired.starts_at !== undefined || desired.recurring_schedule !== undefined,
    errors: clearedConflict({ ...code, errors: keepAccessErrors(code) }),
    warnings: withoutNotVerified(code).filter((w) => w.warning_code !== 'delay_in_setting_on_device'),
    pending_mutations: [],
    // Read back as Latchkey left it: the lock was just seen holding it.
    last_verified_at: now.toISOString(),
  };
  const events: AccessCodeEventType[] = [];
  if (settledCode.is_scheduled_on_device && !code.is_scheduled_on_device) events.push('access_code.scheduled_on_device');
  if (settledCode.status === 'set' && code.status !== 'set') events.push('access_code.set_on_device');
  return {
    kind: 'write',
    rule: 'settled',
    record,
    next: { ...record, access_code: settledCode, sync: undefined, due_at: nextBoundary(record, native, settings, now, weekly) },
    events,
    attempts: finishAttempts(record, now, 'settled', settledCode),
  };
}

/**
 * The status a code has while a change is on its way: a natively scheduling lock loaded ahead
 * of starts_at keeps it `unset`, and so does a recurring code between its windows.
 */
function statusOnTheWay(code: AccessCode, desired: DesiredEntry | undefined, now: Date): AccessCode['status'] {
  const nowIso = now.toISOString();
  if (code.recurring_schedule !== undefined && code.status !== 'removing') return desired !== undefined && inRecurringWindow(code, now) ? 'setting' : 'unset';
  if (desired === undefined) return 'removing';
  if (desired.starts_at !== undefined && desired.starts_at > nowIso) return 'unset';
  return 'setting';
}

function mutationsOnTheWay(code: AccessCode, removing: boolean, nowIso: string): AccessCode['pending_mutations'] {
  // A recurring code's window ended: it comes off the lock until its next window, and is not being deleted.
  if (removing && code.recurring_schedule !== undefined && code.status !== 'removing') return code.pending_mutations.filter((m) => m.mutation_code !== 'deleting');
  if (removing) {
    if (code.pending_mutations.some((m) => m.mutation_code === 'deleting')) return code.pending_mutations;
    return [{ mutation_code: 'deleting', message: 'Removing the access code from the device', created_at: nowIso }];
  }
  if (code.pending_mutations.some((m) => m.mutation_code !== 'deferring_creation')) return code.pending_mutations;
  return [{ mutation_code: 'creating', message: 'Setting the access code on the device', created_at: nowIso }];
}

/** A change not yet on the lock: warn once it takes long, then wait for the lock (in flight) or ask it (program, remove). */
function towardsLock(record: AccessCodeRecord, desired: DesiredEntry | undefined, actual: KeypadEntry | undefined, traits: DeviceTraits, settings: LifecycleSettings, now: Date): Write | Call {
  const nowIso = now.toISOString();
  const code = record.access_code;
  const removing = desired === undefined;
  const sync: Sync = { ...(record.sync ?? newSync(nowIso)) };
  const working: AccessCode = { ...code, status: statusOnTheWay(code, desired, now), pending_mutations: mutationsOnTheWay(code, removing, nowIso) };
  const events: AccessCodeEventType[] = [];
  if (now.getTime() - Date.parse(sync.since) >= settings.delayWarningMs && !sync.warned) {
    const warning_code = removing ? 'delay_in_removing_from_device' : 'delay_in_setting_on_device';
    const message = removing ? 'Removing the code from the device is taking longer than expected' : 'Setting the code on the device is taking longer than expected';
    working.warnings = [...working.warnings.filter((w) => w.warning_code !== warning_code), { warning_code, message, created_at: nowIso }];
    events.push(removing ? 'access_code.delay_in_removing_from_device' : 'access_code.delay_in_setting_on_device');
    sync.warned = true;
  }
  const inFlight = actual !== undefined && (desired === undefined ? actual.state === 'removing' : matches(actual, desired, traits.showsNames));
  if (inFlight) {
    return { kind: 'write', rule: 'in_flight', record, next: { ...record, access_code: working, sync, due_at: iso(now.getTime() + traits.verifyAfterMs) }, events, attempts: [] };
  }
  const asking = { ...record, access_code: working, sync };
  if (desired === undefined) return { kind: 'remove', rule: 'remove', record: asking, events };
  return { kind: 'program', rule: 'program', record: asking, desired, events };
}

/**
 * The provider's limit for the device is reached: the call waits its turn, due when its turn
 * can come, without counting as an attempt and without failing anything. It keeps the time it
 * first fell due (`queued_since`), its place in the lock's waiting line.
 */
export function paced(call: Call, retryAt: string, now: Date): Write {
  const { record } = call;
  const nowIso = now.toISOString();
  const fellDue = record.due_at !== undefined && record.due_at < nowIso ? record.due_at : nowIso;
  const next = { ...record, due_at: retryAt, queued_since: record.queued_since ?? fellDue };
  return { kind: 'write', rule: 'paced', record, next, events: call.events, attempts: [] };
}

/** The lock took the call: check on it once it has had time to apply it. */
export function callMade(call: Call, providerRef: string | undefined, traits: DeviceTraits, now: Date): Write {
  const { record } = call;
  const sync = record.sync ?? newSync(now.toISOString());
  const ref = providerRef ?? record.provider_ref;
  return {
    kind: 'write',
    rule: call.kind === 'program' ? 'programmed' : 'removal_asked',
    record,
    next: {
      ...record,
      ...(ref !== undefined && { provider_ref: ref }),
      access_code: { ...record.access_code, errors: keepAccessErrors(record.access_code).filter((e) => !e.error_code.startsWith('failed_to_')) },
      sync: { ...sync, attempts: sync.attempts + 1, outages: 0 },
      due_at: iso(now.getTime() + traits.verifyAfterMs),
    },
    events: call.events,
    attempts: [],
  };
}

/**
 * A refused or failed provider call (a read, a program, a removal). A provider that is itself
 * down or rate-limiting is retried with backoff for as long as it lasts, without counting
 * against the code (outage); a lock that failed is retried with backoff until setting is
 * given up (removal never is).
 */
export function callFailed(record: AccessCodeRecord, error: ProviderError, how: { removing: boolean; events: AccessCodeEventType[] }, settings: LifecycleSettings, now: Date): Write {
  const nowIso = now.toISOString();
  const sync = record.sync ?? newSync(nowIso);
  if (error.kind === 'provider_unavailable') return outage(record, sync, error, how.events, settings, now);
  return failed(record, sync, error, how, settings, now);
}

/** When a given-up code comes back: at its ends_at, or a recurring code at the end of its window, to try the next. */
function comesBackAt(code: AccessCode, now: Date): string | undefined {
  if (code.recurring_schedule !== undefined) return windowEnd(code, now) ?? code.ends_at;
  return code.type === 'time_bound' ? code.ends_at : undefined;
}

function outage(record: AccessCodeRecord, sync: Sync, error: ProviderError, events: AccessCodeEventType[], settings: LifecycleSettings, now: Date): Write {
  const outages = (sync.outages ?? 0) + 1;
  const backoff = Math.max(error.retryAfterMs ?? 0, Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** (outages - 1)));
  return { kind: 'write', rule: 'outage', record, next: { ...record, sync: { ...sync, outages }, due_at: iso(now.getTime() + backoff) }, events, attempts: [] };
}

function failed(record: AccessCodeRecord, sync: Sync, error: ProviderError, how: { removing: boolean; events: AccessCodeEventType[] }, settings: LifecycleSettings, now: Date): Write {
  const code = record.access_code;
  const nowIso = now.toISOString();
  const { removing } = how;
  const attempts = sync.attempts + 1;
  const giveUp = !removing && (error.permanent || attempts >= settings.maxAttempts || (error.kind === 'device_offline' && !record.attempt_for_offline_device));
  const errorCode = removing ? 'failed_to_remove_from_device' : 'failed_to_set_on_device';
  const issues = code.errors.filter((e) => !isDeviceError(e.error_code) && e.error_code !== errorCode);
  if (error.kind === 'device_offline') issues.push({ error_code: error.kind, message: error.message, created_at: nowIso, is_device_error: true });
  if (error.kind === 'no_space_for_access_code_on_device') issues.push({ error_code: error.kind, message: error.message, created_at: nowIso, is_access_code_error: true });
  const failing = giveUp || (removing && attempts >= settings.maxAttempts);
  const failedNow = failing && !sync.failed;
  if (failing) {
    const message = removing ? 'Failed to remove the code from the device' : 'Failed to set the code on the device';
    issues.push({ error_code: errorCode, message, created_at: nowIso, is_access_code_error: true });
  }
  const events = [...how.events];
  // A full lock is a failure to set the code worth telling at once, though it is retried: a slot may free up.
  const lockFull = error.kind === 'no_space_for_access_code_on_device' && !sync.failed && !code.errors.some((e) => e.error_code === error.kind);
  if (failedNow || lockFull) events.push(removing ? 'access_code.failed_to_remove_from_device' : 'access_code.failed_to_set_on_device');
  const nextSync = { ...sync, attempts, outages: 0, failed: sync.failed || giveUp || failedNow || lockFull };
  if (giveUp) {
    // Given up: not on the lock and nothing on its way to it; it still comes back (comesBackAt), so nothing stays on a lock past its window.
    const givenUp: AccessCode = { ...code, errors: issues, status: 'unset', pending_mutations: [] };
    const dueAt = comesBackAt(code, now);
    const attemptsDone = finishAttempts(record, now, 'failed', undefined, { type: errorCode, message: error.message });
    return { kind: 'write', rule: 'failed', record, next: { ...record, access_code: givenUp, sync: nextSync, due_at: dueAt }, events, attempts: attemptsDone };
  }
  const backoff = Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** (attempts - 1));
  return { kind: 'write', rule: 'failed', record, next: { ...record, access_code: { ...code, errors: issues }, sync: nextSync, due_at: iso(now.getTime() + backoff) }, events, attempts: [] };
}

/**
 * The lifecycle of an offline code: its PIN is computed at the first free place of its slot,
 * it is `set` from then on, and gone once its window (or a one-time code's time to be used) is over.
 */
function offlineCode(record: AccessCodeRecord, window: OfflinePlace, now: Date): Outcome {
  if (window.ends_at <= now.toISOString()) {
    return { kind: 'write', rule: 'offline_code_ended', record, removed: true, events: [], attempts: finishAttempts(record, now, 'removed') };
  }
  if (record.access_code.code !== null) return { kind: 'write', rule: 'offline_code_kept', record, next: { ...record, due_at: window.ends_at }, events: [], attempts: [] };
  return { kind: 'assign_offline_pin', rule: 'offline_code_assign_pin', record, window };
}

/** The provider computed the PIN of the offline code's place in its slot. */
export function offlinePinAssigned({ record, window }: AssignOfflinePin, place: number, pin: string, now: Date): Write {
  const assigned: AccessCode = { ...record.access_code, code: pin, status: 'set', is_waiting_for_code_assignment: false, pending_mutations: [] };
  return {
    kind: 'write',
    rule: 'offline_code_assigned',
    record,
    next: { ...record, access_code: assigned, offline: { ...window, place }, due_at: window.ends_at },
    events: ['access_code.set_on_device'],
    attempts: finishAttempts(record, now, 'settled', assigned),
  };
}

/** Every place of the offline code's slot is taken: the code fails, and goes at the end of its window. */
export function offlineSlotFull({ record, window }: AssignOfflinePin, now: Date): Write {
  const code = record.access_code;
  const message = 'No offline code is left for this time slot on the lock';
  const failedCode: AccessCode = {
    ...code,
    errors: [...code.errors, { error_code: 'failed_to_set_on_device', message, created_at: now.toISOString(), is_access_code_error: true }],
    pending_mutations: [],
  };
  return {
    kind: 'write',
    rule: 'offline_slot_full',
    record,
    next: { ...record, access_code: failedCode, due_at: window.ends_at },
    events: ['access_code.failed_to_set_on_device'],
    attempts: finishAttempts(record, now, 'failed', undefined, { type: 'failed_to_set_on_device', message }),
  };
}
