import { createAccessCode } from '../lib/access-codes/create-access-code';
import { accessCodeSchema, createAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { awaitActionAttempt } from '../lib/action-attempts/await-action-attempt';
import { type AppDeps, appDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/access_codes/create', createAccessCodeInputSchema, deps, async (input, { principal }) => {
    const created = await createAccessCode(deps, principal, input);
    if (!input.sync) return created;
    const action_attempt = await awaitActionAttempt(deps, principal, created.action_attempt);
    const access_code = action_attempt.status === 'success' ? accessCodeSchema.parse(action_attempt.result.access_code) : created.access_code;
    return { access_code, action_attempt };
  });

export const handler = makeHandler(appDeps());
