import { getAccessCode } from '../lib/access-codes/get-access-code';
import { getAccessCodeInputSchema } from '../lib/access-codes/schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/access_codes/get', getAccessCodeInputSchema, deps, async (input, { principal }) => ({
    access_code: await getAccessCode(deps, principal, input),
  }));

export const handler = makeHandler(appDeps());
