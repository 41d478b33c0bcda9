import type { IdGenerator } from '../ports';
import type { ActionAttemptRecord, ActionType } from './schemas';

/** A new pending action attempt for a workspace, on a device. */
export function pendingAttempt(ids: IdGenerator, workspaceId: string, actionType: ActionType, now: Date, deviceId?: string): ActionAttemptRecord {
  return {
    workspace_id: workspaceId,
    ...(deviceId !== undefined && { device_id: deviceId }),
    created_at: now.toISOString(),
    action_attempt: { action_attempt_id: ids.uuid(), action_type: actionType, status: 'pending', result: null, error: null },
  };
}

/** The same attempt, finished successfully with `result`. */
export function succeeded(attempt: ActionAttemptRecord, result: Record<string, unknown>): ActionAttemptRecord {
  const { action_attempt_id, action_type } = attempt.action_attempt;
  return { ...attempt, action_attempt: { action_attempt_id, action_type, status: 'success', result, error: null } };
}

/** The same attempt, failed with a Seam error. */
export function failed(attempt: ActionAttemptRecord, error: { type: string; message: string }): ActionAttemptRecord {
  const { action_attempt_id, action_type } = attempt.action_attempt;
  return { ...attempt, action_attempt: { action_attempt_id, action_type, status: 'error', result: null, error } };
}

/** The reference a code keeps to an attempt that finishes with it. */
export const pendingRef = (attempt: ActionAttemptRecord) => ({
  action_attempt_id: attempt.action_attempt.action_attempt_id,
  action_type: attempt.action_attempt.action_type,
});
