import { deleteAccessCode } from '../lib/access-codes/delete-access-code';
import { deleteAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { awaitActionAttempt } from '../lib/action-attempts/await-action-attempt';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/delete', deleteAccessCodeInputSchema, deps, async (input, { principal }) => {
    const attempt = await deleteAccessCode(deps, principal, input);
    return { action_attempt: input.sync ? await awaitActionAttempt(deps, principal, attempt) : attempt };
  });

export const handler = makeHandler(appDeps(locks));
