import { createMultipleAccessCodes, createMultipleInputSchema } from '../lib/access-codes/linked-codes';
import { type AppDeps, appDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/access_codes/create_multiple', createMultipleInputSchema, deps, async (input, { principal }) => ({
    access_codes: await createMultipleAccessCodes(deps, principal, input),
  }));

export const handler = makeHandler(appDeps(locks));
