import { createMultipleAccessCodes, createMultipleInputSchema } from '../lib/access-codes/linked-codes';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/create_multiple', createMultipleInputSchema, deps, async (input, { principal }) => ({
    access_codes: await createMultipleAccessCodes(deps, principal, input),
  }));

export const handler = makeHandler(appDeps(locks));
