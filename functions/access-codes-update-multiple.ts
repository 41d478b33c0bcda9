import { updateMultipleAccessCodes, updateMultipleInputSchema } from '../lib/access-codes/linked-codes';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/update_multiple', updateMultipleInputSchema, deps, async (input, { principal }) => {
    await updateMultipleAccessCodes(deps, principal, input);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
