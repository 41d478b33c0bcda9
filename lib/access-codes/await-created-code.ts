import { awaitActionAttempt } from '../action-attempts/await-action-attempt';
import type { ActionAttempt } from '../action-attempts/schemas';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { type AccessCode, accessCodeSchema } from './schemas';

/**
 * `sync: true` on create: waits for the create's action attempt to end (awaitActionAttempt,
 * 9 s at most), then answers the attempt as it is and the code as it is now: its current
 * status, errors and warnings, never the snapshot taken at creation. A code deleted meanwhile
 * is answered as the attempt last saw it.
 */
export async function awaitCreatedCode(
  deps: Pick<Deps, 'actionAttempts' | 'accessCodes'>,
  principal: Principal,
  created: { access_code: AccessCode; action_attempt: ActionAttempt },
  options?: { timeoutMs?: number; intervalMs?: number },
): Promise<{ access_code: AccessCode; action_attempt: ActionAttempt }> {
  const action_attempt = await awaitActionAttempt(deps, principal, created.action_attempt, options);
  const current = await deps.accessCodes.get(principal.workspace_id, created.access_code.access_code_id);
  if (current) return { access_code: current.access_code, action_attempt };
  const settled = action_attempt.status === 'success' ? accessCodeSchema.safeParse(action_attempt.result.access_code) : undefined;
  return { access_code: settled?.success ? settled.data : created.access_code, action_attempt };
}
