import { updateAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { updateAccessCode } from '../lib/access-codes/update-access-code';
import { awaitActionAttempt } from '../lib/action-attempts/await-action-attempt';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/update', updateAccessCodeInputSchema, deps, async (input, { principal }) => {
    const attempt = await updateAccessCode(deps, principal, input);
    return { action_attempt: input.sync ? await awaitActionAttempt(deps, principal, attempt) : attempt };
  });

export const handler = makeHandler(appDeps(locks));
