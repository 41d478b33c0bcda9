import { failed, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttemptRecord } from '../action-attempts/schemas';
import type { DesiredEntry } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { DuplicateAccessCodeError } from '../errors';
import type { AccessCodeEventType, SeamEvent } from '../events/schemas';
import { logger } from '../logger';
import { recordCodeOutcome } from '../observability';
import type { Deps } from '../ports';
import { accessCodeEvent } from '../access-codes/events';
import { withUpcomingWindows } from '../access-codes/recurring-lifecycle';
import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';

export type EngineDeps = Pick<Deps, 'followUps' | 'accessCodes' | 'unmanagedCodes' | 'actionAttempts' | 'devices' | 'clock' | 'ids' | 'providers' | 'settings' | 'pacing'>;

/** The rules decide names; each outcome says which one gave it. */
export type RuleName =
  | 'settled'
  | 'in_flight'
  | 'program'
  | 'remove'
  | 'programmed'
  | 'removal_asked'
  | 'outage'
  | 'paced'
  | 'failed'
  | 'gone'
  | 'waiting'
  | 'waiting_for_pin'
  | 'external_change_adopted'
  | 'external_change_removed'
  | 'external_change_restored'
  | 'converted'
  | 'conversion_failed'
  | 'offline_code_ended'
  | 'offline_code_assigned'
  | 'offline_code_kept'
  | 'offline_code_assign_pin'
  | 'offline_slot_full';

/**
 * The one write of an engine step: the code's next version (or its removal), conditional on
 * `record`'s version, with its events and finished action attempts. `otherwise` is written
 * instead when the next version's PIN is another managed code's.
 */
export interface Write {
  kind: 'write';
  rule: RuleName;
  record: AccessCodeRecord;
  next?: AccessCodeRecord;
  removed?: true;
  events: AccessCodeEventType[];
  attempts: ActionAttemptRecord[];
  otherwise?: Write;
}

/** A provider call the step needs before it can write: `record` is the code as it stands while the call runs. */
export type Call =
  | { kind: 'program'; rule: 'program'; record: AccessCodeRecord; desired: DesiredEntry; events: AccessCodeEventType[] }
  | { kind: 'remove'; rule: 'remove'; record: AccessCodeRecord; events: AccessCodeEventType[] };

/** An offline code waits for its PIN: the provider computes one per free place of its slot. */
export interface AssignOfflinePin {
  kind: 'assign_offline_pin';
  rule: 'offline_code_assign_pin';
  record: AccessCodeRecord;
  window: NonNullable<AccessCodeRecord['offline']>;
}

export type Outcome = Write | Call | AssignOfflinePin;

/** The action attempts a step finishes, with the result each gets. */
export function finishAttempts(
  record: AccessCodeRecord,
  now: Date,
  how: 'settled' | 'removed' | 'ended_before_set' | 'failed',
  code?: AccessCode,
  error?: { type: string; message: string },
): ActionAttemptRecord[] {
  const createdAt = now.toISOString();
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
    if (how === 'settled') return succeeded(pending, ref.action_type === 'DELETE_ACCESS_CODE' ? {} : { access_code: code ?? record.access_code });
    if (ref.action_type === 'DELETE_ACCESS_CODE') return succeeded(pending, {});
    if (record.access_code.status !== 'removing') return succeeded(pending, { access_code: record.access_code });
    return failed(pending, { type: 'access_code_deleted', message: 'The access code was deleted before the action finished' });
  });
}

/**
 * Commits a step's write with its events and finished attempts, conditional on the version
 * read; then counts what it did and asks for the code's next step.
 */
export async function commit(deps: EngineDeps, device: DeviceRecord, now: Date, write: Write): Promise<void> {
  try {
    await commitOnce(deps, device, now, write);
  } catch (error) {
    if (!(error instanceof DuplicateAccessCodeError) || write.otherwise === undefined) throw error;
    await commitOnce(deps, device, now, write.otherwise);
  }
}

async function commitOnce(deps: EngineDeps, device: DeviceRecord, now: Date, write: Write): Promise<void> {
  const { record } = write;
  const code = write.next?.access_code ?? record.access_code;
  const events: SeamEvent[] = write.events.map((type) => accessCodeEvent(deps.ids, code, device.device, type, now));
  const attemptsDone = new Set(write.attempts.map((a) => a.action_attempt.action_attempt_id));
  const extras = { attempts: write.attempts, events };
  if (write.removed) {
    await deps.accessCodes.remove(record, extras);
  } else if (write.next) {
    const next = {
      ...write.next,
      // A recurring code's windows move on as the engine steps through them (it steps at each window's edges).
      access_code: withUpcomingWindows(write.next.access_code, now),
      version: record.version + 1,
      pending_action_attempts: write.next.pending_action_attempts.filter((a) => !attemptsDone.has(a.action_attempt_id)),
    };
    if (next.sync === undefined) delete next.sync;
    // A code keeps its place in its lock's waiting line only while it waits for a turn.
    if (write.rule !== 'paced') delete next.queued_since;
    if (next.due_at === undefined) delete next.due_at;
    await deps.accessCodes.update(next, record, extras);
    await scheduleFollowUp(deps, next, now);
  }
  recordOutcomes(record, write.events, now);
}

/** Counts what the committed step did to the code on its lock (metrics). */
function recordOutcomes(record: AccessCodeRecord, events: readonly AccessCodeEventType[], now: Date): void {
  const settingSince = record.sync?.since ?? record.access_code.created_at;
  if (events.includes('access_code.set_on_device')) recordCodeOutcome('set', now.getTime() - Date.parse(settingSince));
  if (events.includes('access_code.failed_to_set_on_device')) recordCodeOutcome('failed');
  if (events.includes('access_code.removed_from_device')) recordCodeOutcome('removed');
}

/** Asks for the code's next step at its due time, when that is sooner than the poller would come by. */
async function scheduleFollowUp(deps: EngineDeps, record: AccessCodeRecord, now: Date): Promise<void> {
  const { followUps } = deps;
  if (followUps === undefined || record.due_at === undefined || Date.parse(record.due_at) - now.getTime() > followUps.horizonMs) return;
  try {
    await followUps.schedule(record.access_code.workspace_id, record.access_code.access_code_id, record.due_at);
  } catch (error) {
    // The step is recorded as due: the poller takes it on its next tick.
    logger.warn('follow-up not scheduled', { error_name: error instanceof Error ? error.name : 'unknown' });
  }
}
