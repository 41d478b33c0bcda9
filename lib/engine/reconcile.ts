import { failed, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttemptRecord } from '../action-attempts/schemas';
import type { CodeHandle, DesiredEntry, KeypadEntry } from '../devices/lock-provider';
import { ProviderError } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError } from '../errors';
import type { AccessCodeEventType, SeamEvent } from '../events/schemas';
import type { Deps } from '../ports';
import { retry, retryPolicies } from '../retry';
import { logger } from '../logger';
import { recordCodeOutcome, recordProviderError } from '../observability';
import { accessCodeEvent } from '../access-codes/events';
import { clearedConflict, externalChange, handleExternalChange, stepConversion } from './external-changes';
import { stepOfflineCode } from '../access-codes/offline-codes';
import { type LifecycleSettings, leadMs, usesNativeScheduling } from '../access-codes/lifecycle';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';

export type EngineDeps = Pick<Deps, 'followUps' | 'accessCodes' | 'unmanagedCodes' | 'actionAttempts' | 'devices' | 'clock' | 'ids' | 'providers' | 'settings'>;

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const minIso = (...values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined).sort()[0];

/**
 * What the lock should hold for this code at `now`: the PIN (with its window on a natively
 * scheduling lock) from the start of its lead time until ends_at; nothing once it is deleted
 * or expired, or before its lead time.
 */
export function desiredEntry(record: AccessCodeRecord, native: boolean, settings: LifecycleSettings, now: Date): DesiredEntry | undefined {
  const code = record.access_code;
  if (code.status === 'removing' || code.code === null) return undefined;
  const base = { access_code_id: code.access_code_id, code: code.code, ...(code.name !== null && { name: code.name }) };
  if (code.type === 'ongoing' || code.starts_at === undefined || code.ends_at === undefined) return base;
  const t = now.getTime();
  if (t >= ms(code.ends_at) || t < ms(code.starts_at) - leadMs(native, settings)) return undefined;
  return native ? { ...base, starts_at: code.starts_at, ends_at: code.ends_at } : base;
}

/** The next time the desired entry changes by the clock alone. */
function nextBoundary(record: AccessCodeRecord, native: boolean, settings: LifecycleSettings, now: Date): string | undefined {
  const code = record.access_code;
  if (code.type === 'ongoing' || code.starts_at === undefined || code.ends_at === undefined) return undefined;
  const nowIso = now.toISOString();
  return minIso(...[iso(ms(code.starts_at) - leadMs(native, settings)), code.starts_at, code.ends_at].filter((b) => b > nowIso));
}

/** Whether the lock holds what it should; a name counts only where the provider shows names. */
const matches = (actual: KeypadEntry, desired: DesiredEntry, withName = false) =>
  actual.code === desired.code &&
  actual.starts_at === desired.starts_at &&
  actual.ends_at === desired.ends_at &&
  // A code without a name leaves the provider free to name it (Seam's "New Access Code").
  (!withName || !desired.name || actual.name === desired.name) &&
  actual.state !== 'removing';

const deviceErrorCodes = new Set(['device_offline', 'no_space_for_access_code_on_device']);

export interface Outcome {
  next?: AccessCodeRecord;
  removed?: boolean;
  events: AccessCodeEventType[];
  attempts: ActionAttemptRecord[];
}

/**
 * One step of the lifecycle engine for one code: compare what the lock holds with what it
 * should hold, ask the lock for the difference, and record the result with a conditional
 * write on the code's version. Safe to run twice or to crash anywhere: the next run reads
 * the lock again and converges.
 */
export async function reconcileAccessCode(
  deps: EngineDeps,
  workspaceId: string,
  accessCodeId: string,
  known: {
    record?: AccessCodeRecord;
    device?: (deviceId: string) => Promise<DeviceRecord | undefined>;
    /** The lock just reported a change to this code's slot: look now, whatever the code's due time says. */
    dueNow?: boolean;
  } = {},
): Promise<void> {
  const loadDevice = known.device ?? ((deviceId: string) => deps.devices.get(workspaceId, deviceId));
  // The poller passes the record it just read from the due index; a lost race reads it again.
  let listed = known.record;
  try {
    await retry(retryPolicies.engineConflict, async () => {
      const record = listed ?? (await deps.accessCodes.get(workspaceId, accessCodeId));
      listed = undefined;
      const now = deps.clock.now();
      if (!record || (!known.dueNow && (record.due_at === undefined || record.due_at > now.toISOString()))) return;
      const device = await loadDevice(record.access_code.device_id);
      if (!device) await deps.accessCodes.remove(record, { events: [] });
      else if (record.offline) await stepOfflineCode(deps, record, device, now);
      else await step(deps, record, device, now);
    });
  } catch (error) {
    // A step that keeps losing to other writers is taken again when it is next due.
    if (!(error instanceof ConflictError)) throw error;
  }
}

async function step(deps: EngineDeps, listed: AccessCodeRecord, device: DeviceRecord, now: Date): Promise<void> {
  const s = deps.settings;
  const nowIso = now.toISOString();
  const provider = deps.providers.for(device);
  const traits = provider.traits(device);
  const native = usesNativeScheduling(traits, listed.prefer_native_scheduling);
  const desired = desiredEntry(listed, native, s, now);
  const handle: CodeHandle = {
    access_code_id: listed.access_code.access_code_id,
    ...(listed.provider_ref !== undefined && { provider_ref: listed.provider_ref }),
    ...(listed.access_code.code !== null && { code: listed.access_code.code }),
  };
  let actual: KeypadEntry | undefined;
  try {
    actual = await provider.read(device, handle);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return recordFailure(deps, listed, device, now, error, { removing: desired === undefined, events: [] });
  }
  const reported = withProviderReport(listed, actual, nowIso);
  const record: AccessCodeRecord = actual !== undefined && actual.state !== 'adding' ? { ...reported, was_on_lock: true } : reported;
  if (record.converting) return stepConversion(deps, record, device, now, actual);
  const external = externalChange(record, desired, actual);
  if (external) return handleExternalChange(deps, record, device, now, external, actual);
  const code = record.access_code;
  const expired = code.type === 'time_bound' && code.ends_at !== undefined && code.ends_at <= nowIso;
  // Codes stored before was_on_lock existed: a set or loaded code was on the lock.
  const wasOnLock = record.was_on_lock === true || code.status === 'set' || code.is_scheduled_on_device;

  // Nothing on the lock and nothing should be: either gone for good, or waiting for its window.
  if (desired === undefined && actual === undefined) {
    if (code.status === 'removing' || expired) {
      return commit(deps, record, device, now, {
        removed: true,
        events: wasOnLock ? ['access_code.removed_from_device'] : [],
        attempts: finishAttempts(deps, record, wasOnLock ? 'removed' : 'ended_before_set'),
      });
    }
    const settledCode: AccessCode = {
      ...code,
      status: 'unset',
      is_scheduled_on_device: false,
      errors: keepAccessErrors(code),
      pending_mutations: code.pending_mutations.filter((m) => m.mutation_code === 'deferring_creation'),
    };
    const { was_on_lock: _offTheLock, ...waiting } = record;
    return commit(deps, record, device, now, {
      next: { ...waiting, access_code: settledCode, sync: undefined, due_at: nextBoundary(record, native, s, now) },
      events: wasOnLock ? ['access_code.removed_from_device'] : [],
      attempts: [],
    });
  }

  // The lock holds what it should: settle the code.
  if (desired !== undefined && actual !== undefined && matches(actual, desired, traits.showsNames) && actual.state === 'present') {
    const active = desired.starts_at === undefined || desired.starts_at <= nowIso;
    const settledCode: AccessCode = {
      ...code,
      status: active ? 'set' : 'unset',
      is_scheduled_on_device: desired.starts_at !== undefined,
      errors: clearedConflict({ ...code, errors: keepAccessErrors(code) }),
      warnings: code.warnings.filter((w) => w.warning_code !== 'delay_in_setting_on_device'),
      pending_mutations: [],
    };
    const events: AccessCodeEventType[] = [];
    if (settledCode.is_scheduled_on_device && !code.is_scheduled_on_device) events.push('access_code.scheduled_on_device');
    if (settledCode.status === 'set' && code.status !== 'set') events.push('access_code.set_on_device');
    return commit(deps, record, device, now, {
      next: { ...record, access_code: settledCode, sync: undefined, due_at: nextBoundary(record, native, s, now) },
      events,
      attempts: finishAttempts(deps, record, 'settled', settledCode),
    });
  }

  // The lock is still applying a change we asked for: check again shortly.
  const inFlight = actual !== undefined && (desired === undefined ? actual.state === 'removing' : matches(actual, desired, traits.showsNames));
  const sync = record.sync ?? { since: nowIso, attempts: 0, warned: false, failed: false };
  const removing = desired === undefined;
  // A natively scheduling lock loaded ahead of starts_at keeps the code `unset` until it starts.
  const statusNow: AccessCode['status'] = removing ? 'removing' : desired.starts_at !== undefined && desired.starts_at > nowIso ? 'unset' : 'setting';
  const working: AccessCode = {
    ...code,
    status: statusNow,
    pending_mutations: removing
      ? code.pending_mutations.some((m) => m.mutation_code === 'deleting')
        ? code.pending_mutations
        : [{ mutation_code: 'deleting', message: 'Removing the access code from the device', created_at: nowIso }]
      : code.pending_mutations.some((m) => m.mutation_code !== 'deferring_creation')
        ? code.pending_mutations
        : [{ mutation_code: 'creating', message: 'Setting the access code on the device', created_at: nowIso }],
  };
  const events: AccessCodeEventType[] = [];
  const delayed = now.getTime() - ms(sync.since) >= s.delayWarningMs;
  if (delayed && !sync.warned) {
    const warning_code = removing ? 'delay_in_removing_from_device' : 'delay_in_setting_on_device';
    working.warnings = [
      ...working.warnings.filter((w) => w.warning_code !== warning_code),
      { warning_code, message: removing ? 'Removing the code from the device is taking longer than expected' : 'Setting the code on the device is taking longer than expected', created_at: nowIso },
    ];
    events.push(removing ? 'access_code.delay_in_removing_from_device' : 'access_code.delay_in_setting_on_device');
    sync.warned = true;
  }
  if (inFlight) {
    return commit(deps, record, device, now, { next: { ...record, access_code: working, sync, due_at: iso(now.getTime() + traits.verifyAfterMs) }, events, attempts: [] });
  }

  // Ask the lock for the difference.
  try {
    let providerRef = record.provider_ref;
    if (removing) await provider.remove(device, handle);
    else providerRef = (await provider.program(device, desired, handle)).provider_ref ?? providerRef;
    working.errors = keepAccessErrors(working).filter((e) => !e.error_code.startsWith('failed_to_'));
    return commit(deps, record, device, now, {
      next: {
        ...record,
        ...(providerRef !== undefined && { provider_ref: providerRef }),
        access_code: working,
        sync: { ...sync, attempts: sync.attempts + 1, outages: 0 },
        due_at: iso(now.getTime() + traits.verifyAfterMs),
      },
      events,
      attempts: [],
    });
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return recordFailure(deps, { ...record, access_code: working, sync }, device, now, error, { removing, events });
  }
}

/**
 * Records a refused or failed provider call. A lock that failed is retried with backoff until
 * setting is given up (removal never is); a provider that is itself down or rate-limiting is
 * retried with backoff for as long as it lasts, without counting against the code.
 */
async function recordFailure(
  deps: EngineDeps,
  record: AccessCodeRecord,
  device: DeviceRecord,
  now: Date,
  error: ProviderError,
  how: { removing: boolean; events: AccessCodeEventType[] },
): Promise<void> {
  const s = deps.settings;
  const code = record.access_code;
  const nowIso = now.toISOString();
  const { removing, events } = how;
  const sync = record.sync ?? { since: nowIso, attempts: 0, warned: false, failed: false };
  recordProviderError(error.kind);
  if (error.kind === 'provider_unavailable') {
    const outages = (sync.outages ?? 0) + 1;
    const backoff = Math.max(error.retryAfterMs ?? 0, Math.min(s.retryCapMs, s.retryBaseMs * 2 ** (outages - 1)));
    return commit(deps, record, device, now, {
      next: { ...record, sync: { ...sync, outages }, due_at: iso(now.getTime() + backoff) },
      events,
      attempts: [],
    });
  }
  const attempts = sync.attempts + 1;
  const giveUp = !removing && (error.permanent || attempts >= s.maxAttempts || (error.kind === 'device_offline' && !record.attempt_for_offline_device));
  const errorCode = removing ? 'failed_to_remove_from_device' : 'failed_to_set_on_device';
  const issues = code.errors.filter((e) => !deviceErrorCodes.has(e.error_code) && e.error_code !== errorCode);
  if (error.kind === 'device_offline' || error.kind === 'no_space_for_access_code_on_device') {
    issues.push({ error_code: error.kind, message: error.message, created_at: nowIso, ...(error.kind === 'device_offline' ? { is_device_error: true } : { is_access_code_error: true }) });
  }
  const failedNow = (giveUp || (removing && attempts >= s.maxAttempts)) && !sync.failed;
  if (giveUp || (removing && attempts >= s.maxAttempts)) {
    issues.push({ error_code: errorCode, message: removing ? 'Failed to remove the code from the device' : 'Failed to set the code on the device', created_at: nowIso, is_access_code_error: true });
  }
  const allEvents = [...events];
  // A full lock is a failure to set the code worth telling at once, though it is retried: a slot may free up.
  const lockFull = error.kind === 'no_space_for_access_code_on_device' && !sync.failed && !code.errors.some((e) => e.error_code === error.kind);
  if (failedNow || lockFull) allEvents.push(removing ? 'access_code.failed_to_remove_from_device' : 'access_code.failed_to_set_on_device');
  const backoff = Math.min(s.retryCapMs, s.retryBaseMs * 2 ** (attempts - 1));
  // A given-up code still comes back at its ends_at, so that nothing stays on a lock past its window.
  const dueAt = giveUp ? (code.type === 'time_bound' ? code.ends_at : undefined) : iso(now.getTime() + backoff);
  // A code given up is not on the lock and nothing is on its way to it.
  const failedCode: AccessCode = giveUp ? { ...code, errors: issues, status: 'unset', pending_mutations: [] } : { ...code, errors: issues };
  return commit(deps, record, device, now, {
    next: { ...record, access_code: failedCode, sync: { ...sync, attempts, outages: 0, failed: sync.failed || giveUp || failedNow || lockFull }, due_at: dueAt },
    events: allEvents,
    attempts: giveUp ? finishAttempts(deps, record, 'failed', undefined, { type: errorCode, message: error.message }) : [],
  });
}

/**
 * The record with what the provider last reported: its id for the code, and its errors and
 * warnings on the code in place of those it reported before.
 */
function withProviderReport(record: AccessCodeRecord, entry: KeypadEntry | undefined, nowIso: string): AccessCodeRecord {
  const before = record.provider_issues ?? { errors: [], warnings: [] };
  const errors = entry?.errors ?? [];
  const warnings = entry?.warnings ?? [];
  if (entry?.provider_ref === undefined && errors.length === 0 && warnings.length === 0 && before.errors.length === 0 && before.warnings.length === 0) {
    return record;
  }
  const code = record.access_code;
  const keptErrors = code.errors.filter((e) => !before.errors.includes(e.error_code));
  const keptWarnings = code.warnings.filter((w) => !before.warnings.includes(w.warning_code));
  // An issue the provider keeps reporting keeps the time it was first shown.
  const firstShown = (existing?: { created_at: string }) => existing?.created_at ?? nowIso;
  const next: AccessCodeRecord = {
    ...record,
    ...(entry?.provider_ref !== undefined && { provider_ref: entry.provider_ref }),
    access_code: {
      ...code,
      errors: [
        ...keptErrors,
        ...errors
          .filter((i) => !keptErrors.some((e) => e.error_code === i.code))
          .map((i) => ({ error_code: i.code, message: i.message, created_at: firstShown(code.errors.find((e) => e.error_code === i.code)), is_access_code_error: true })),
      ],
      warnings: [
        ...keptWarnings,
        ...warnings
          .filter((i) => !keptWarnings.some((w) => w.warning_code === i.code))
          .map((i) => ({ warning_code: i.code, message: i.message, created_at: firstShown(code.warnings.find((w) => w.warning_code === i.code)) })),
      ],
    },
  };
  if (errors.length === 0 && warnings.length === 0) delete next.provider_issues;
  else next.provider_issues = { errors: errors.map((i) => i.code), warnings: warnings.map((i) => i.code) };
  return next;
}

const keepAccessErrors = (code: AccessCode) => code.errors.filter((e) => !deviceErrorCodes.has(e.error_code));

export function finishAttempts(
  deps: EngineDeps,
  record: AccessCodeRecord,
  how: 'settled' | 'removed' | 'ended_before_set' | 'failed',
  code?: AccessCode,
  error?: { type: string; message: string },
): ActionAttemptRecord[] {
  const createdAt = deps.clock.now().toISOString();
  return record.pending_action_attempts.map((ref) => {
    const pending: ActionAttemptRecord = {
      workspace_id: record.access_code.workspace_id,
      device_id: record.access_code.device_id,
      created_at: createdAt,
      action_attempt: { ...ref, status: 'pending', result: null, error: null },
    };
    if (how === 'failed') return failed(pending, error ?? { type: 'failed', message: 'Failed' });
    if (how === 'ended_before_set' && ref.action_type !== 'DELETE_ACCESS_CODE' && record.access_code.status !== 'removing') {
      return failed(pending, { type: 'failed_to_set_on_device', message: 'The access code ended before it reached the device' });
    }
    if (how === 'removed' || how === 'ended_before_set') {
      return ref.action_type === 'DELETE_ACCESS_CODE' || record.access_code.status !== 'removing'
        ? succeeded(pending, ref.action_type === 'DELETE_ACCESS_CODE' ? {} : { access_code: record.access_code })
        : failed(pending, { type: 'access_code_deleted', message: 'The access code was deleted before the action finished' });
    }
    return succeeded(pending, ref.action_type === 'DELETE_ACCESS_CODE' ? {} : { access_code: code ?? record.access_code });
  });
}

/** Writes a step's outcome with its events and finished attempts, conditional on the version read. */
export async function commit(deps: EngineDeps, record: AccessCodeRecord, device: DeviceRecord, now: Date, outcome: Outcome): Promise<void> {
  const code = outcome.next?.access_code ?? record.access_code;
  const events: SeamEvent[] = outcome.events.map((type) => accessCodeEvent(deps.ids, code, device.device, type, now));
  const attemptsDone = new Set(outcome.attempts.map((a) => a.action_attempt.action_attempt_id));
  const extras = { attempts: outcome.attempts, events };
  if (outcome.removed) {
    await deps.accessCodes.remove(record, extras);
  } else if (outcome.next) {
    const next = {
      ...outcome.next,
      version: record.version + 1,
      pending_action_attempts: outcome.next.pending_action_attempts.filter((a) => !attemptsDone.has(a.action_attempt_id)),
    };
    if (next.sync === undefined) delete next.sync;
    if (next.due_at === undefined) delete next.due_at;
    await deps.accessCodes.update(next, record, extras);
    await scheduleFollowUp(deps, next, now);
  }
  recordOutcomes(record, outcome.events, now);
}

/** Counts what the committed step did to the code on its lock (metrics). */
function recordOutcomes(record: AccessCodeRecord, events: readonly AccessCodeEventType[], now: Date): void {
  const settingSince = record.sync?.since ?? record.access_code.created_at;
  if (events.includes('access_code.set_on_device')) recordCodeOutcome('set', now.getTime() - ms(settingSince));
  if (events.includes('access_code.failed_to_set_on_device')) recordCodeOutcome('failed');
  if (events.includes('access_code.removed_from_device')) recordCodeOutcome('removed');
}

/** Asks for the code's next step at its due time, when that is sooner than the poller would come by. */
async function scheduleFollowUp(deps: EngineDeps, record: AccessCodeRecord, now: Date): Promise<void> {
  const { followUps } = deps;
  if (followUps === undefined || record.due_at === undefined || ms(record.due_at) - now.getTime() > followUps.horizonMs) return;
  try {
    await followUps.schedule(record.access_code.workspace_id, record.access_code.access_code_id, record.due_at);
  } catch (error) {
    // The step is recorded as due: the poller takes it on its next tick.
    logger.warn('follow-up not scheduled', { error_name: error instanceof Error ? error.name : 'unknown' });
  }
}
