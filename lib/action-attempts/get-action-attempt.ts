import { actionAttemptNotFound } from '../errors';
import type { Deps } from '../ports';
import type { ActionAttempt } from './schemas';

export async function getActionAttempt(
  deps: Pick<Deps, 'actionAttempts'>,
  workspaceId: string,
  actionAttemptId: string,
): Promise<ActionAttempt> {
  const record = await deps.actionAttempts.get(workspaceId, actionAttemptId);
  if (!record) throw actionAttemptNotFound();
  return record.action_attempt;
}
