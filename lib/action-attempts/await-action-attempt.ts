import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import type { ActionAttempt } from './schemas';

/**
 * `sync: true`: waits, bounded, for a pending attempt to end, and answers its latest state
 * (still pending when the lock is slower than `timeoutMs`).
 */
export async function awaitActionAttempt(deps: Pick<Deps, 'actionAttempts'>, principal: Principal, attempt: ActionAttempt, { timeoutMs = 9000, intervalMs = 250 } = {}): Promise<ActionAttempt> {
  const deadline = Date.now() + timeoutMs;
  let latest = attempt;
  while (latest.status === 'pending' && Date.now() < deadline) {
    await sleep(intervalMs);
    latest = (await deps.actionAttempts.get(principal.workspace_id, attempt.action_attempt_id))?.action_attempt ?? latest;
  }
  return latest;
}
