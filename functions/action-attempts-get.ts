import { getActionAttempt } from '../lib/action-attempts/get-action-attempt';
import { getActionAttemptInputSchema } from '../lib/action-attempts/schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/action_attempts/get', getActionAttemptInputSchema, deps, async (input, { principal }) => ({
    action_attempt: await getActionAttempt(deps, principal, input.action_attempt_id),
  }));

export const handler = makeHandler(appDeps());
