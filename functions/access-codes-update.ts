import { updateAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { updateAccessCode } from '../lib/access-codes/update-access-code';
import { type AppDeps, appDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/access_codes/update', updateAccessCodeInputSchema, deps, async (input, { workspaceId }) => ({
    action_attempt: await updateAccessCode(deps, workspaceId, input),
  }));

export const handler = makeHandler(appDeps());
