import { awaitActionAttempt } from '../lib/action-attempts/await-action-attempt';
import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';
import { requestLockAction } from '../lib/locks/lock-actions';
import { lockActionInputSchema } from '../lib/locks/schemas';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/locks/lock_door', lockActionInputSchema, deps, async (input, { principal }) => {
    const attempt = await requestLockAction(deps, principal, input.device_id, 'lock');
    return { action_attempt: input.sync ? await awaitActionAttempt(deps, principal, attempt) : attempt };
  });

export const handler = makeHandler(appDeps(locks, engine));
