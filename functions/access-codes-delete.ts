import { deleteAccessCode } from '../lib/access-codes/delete-access-code';
import { deleteAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { type AppDeps, appDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/access_codes/delete', deleteAccessCodeInputSchema, deps, async (input, { workspaceId }) => ({
    action_attempt: await deleteAccessCode(deps, workspaceId, input),
  }));

export const handler = makeHandler(appDeps());
