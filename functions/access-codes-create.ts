import { createAccessCode } from '../lib/access-codes/create-access-code';
import { createAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { type AppDeps, appDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/access_codes/create', createAccessCodeInputSchema, deps, (input, { workspaceId }) =>
    createAccessCode(deps, workspaceId, input),
  );

export const handler = makeHandler(appDeps());
