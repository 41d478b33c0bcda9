import { failed, pendingAttempt, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttempt, ActionAttemptRecord } from '../action-attempts/schemas';
import { type BoltReport, type BoltRequest, ProviderError } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError, InvalidInputError } from '../errors';
import type { SeamEvent } from '../events/schemas';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { requireLock } from './lock-queries';

type LockDeps = Pick<Deps, 'devices' | 'providers' | 'lockActions' | 'actionAttempts' | 'clock' | 'ids' | 'followUps'>;

/** A lock that has not reported a remote action within this long ends it as Seam does: `action_attempt_expired`. */
export const lockActionExpiryMs = 60_000;

const actionTypes = { lock: 'LOCK_DOOR', unlock: 'UNLOCK_DOOR' } as const;

/** The request an attempt stands for, if it is a remote lock or unlock. */
function boltRequestOf(record: ActionAttemptRecord): BoltRequest | undefined {
  const { action_attempt_id, action_type } = record.action_attempt;
  const action = action_type === 'LOCK_DOOR' ? 'lock' : action_type === 'UNLOCK_DOOR' ? 'unlock' : undefined;
  return action && { action_attempt_id, action, requested_at: record.created_at };
}

/**
 * /locks/unlock_door and /locks/lock_door: asks the lock through its provider and answers the
 * pending attempt, which ends when the lock reports it (`checkLockAction`).
 */
export async function requestLockAction(deps: LockDeps, principal: Principal, deviceId: string, action: BoltRequest['action']): Promise<ActionAttempt> {
  const device = await requireLock(deps, principal, deviceId);
  const bolt = deps.providers.for(device).bolt;
  const allowed = action === 'unlock' ? device.device.can_remotely_unlock : device.device.can_remotely_lock;
  if (!allowed || bolt === undefined) throw InvalidInputError.forField('device_id', `The device cannot be ${action}ed remotely`);
  const now = deps.clock.now();
  const attempt = pendingAttempt(deps.ids, principal.workspace_id, actionTypes[action], now, deviceId);
  await deps.lockActions.start(attempt);
  const request = { action_attempt_id: attempt.action_attempt.action_attempt_id, action, requested_at: attempt.created_at };
  try {
    await bolt.request(device, request);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return (await finish(deps, attempt, request, device, failure(error))).action_attempt;
  }
  await checkLater(deps, attempt, bolt.checkAfterMs);
  return attempt.action_attempt;
}

/**
 * Reads what the lock reports about a pending remote action and ends it when the lock has
 * moved its bolt (or refused): the attempt, the device's `locked` and the `lock.*` event in
 * one write. Run by the follow-up queue, and by inbound reports of the lock.
 */
export async function checkLockAction(deps: LockDeps, workspaceId: string, actionAttemptId: string): Promise<void> {
  const attempt = await deps.actionAttempts.get(workspaceId, actionAttemptId);
  const request = attempt && boltRequestOf(attempt);
  if (!attempt || !request || attempt.action_attempt.status !== 'pending' || attempt.device_id === undefined) return;
  const device = await deps.devices.get(workspaceId, attempt.device_id);
  const bolt = device && deps.providers.for(device).bolt;
  if (!device || !bolt) {
    await finish(deps, attempt, request, undefined, { status: 'failed', message: 'The device is gone' });
    return;
  }
  let report: BoltReport;
  try {
    report = await bolt.check(device, request);
  } catch (error) {
    // A provider that cannot be reached now is asked again, until the attempt expires.
    if (!(error instanceof ProviderError)) throw error;
    report = { status: 'pending' };
  }
  if (report.status !== 'pending') {
    await finish(deps, attempt, request, device, report);
    return;
  }
  if (deps.clock.now().getTime() - Date.parse(attempt.created_at) >= lockActionExpiryMs) {
    await finish(deps, attempt, request, device, { status: 'failed', message: 'The lock did not report the action in time', type: 'action_attempt_expired' });
    return;
  }
  await checkLater(deps, attempt, bolt.checkAfterMs);
}

type Failure = { status: 'failed'; message: string; type?: string };

const failure = (error: ProviderError): Failure => ({
  status: 'failed',
  message: error.message,
  ...(error.kind === 'device_offline' && { type: 'device_offline' }),
});

async function checkLater(deps: LockDeps, attempt: ActionAttemptRecord, afterMs: number): Promise<void> {
  const dueAt = new Date(deps.clock.now().getTime() + afterMs).toISOString();
  await deps.followUps?.scheduleBoltCheck(attempt.workspace_id, attempt.action_attempt.action_attempt_id, dueAt);
}

/** Ends the attempt once: a second report of the same action finds it ended and changes nothing. */
async function finish(
  deps: LockDeps,
  attempt: ActionAttemptRecord,
  request: BoltRequest,
  device: DeviceRecord | undefined,
  report: { status: 'done'; locked: boolean } | Failure,
): Promise<ActionAttemptRecord> {
  const now = deps.clock.now().toISOString();
  if (report.status === 'failed' || device === undefined) {
    const message = report.status === 'failed' ? report.message : 'The device is gone';
    const ended = failed(attempt, { type: (report.status === 'failed' && report.type) || 'uncategorized_error', message });
    await endOnce(deps, ended, []);
    return ended;
  }
  const ended = succeeded(attempt, { was_confirmed_by_device: true });
  const { device_id, connected_account_id, workspace_id } = device.device;
  const event: SeamEvent = {
    event_id: deps.ids.uuid(),
    workspace_id,
    created_at: now,
    occurred_at: now,
    event_type: request.action === 'lock' ? 'lock.locked' : 'lock.unlocked',
    device_id,
    connected_account_id,
    method: 'remote',
    action_attempt_id: request.action_attempt_id,
  };
  const moved: DeviceRecord = { ...device, device: { ...device.device, properties: { ...device.device.properties, locked: report.locked } } };
  await endOnce(deps, ended, [event], moved);
  return ended;
}

async function endOnce(deps: LockDeps, ended: ActionAttemptRecord, events: SeamEvent[], device?: DeviceRecord): Promise<void> {
  try {
    await deps.lockActions.finish(ended, events, device);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
