import { simulateExternalChange } from '../lib/access-codes/simulate-external-change';
import { simulateExternalChangeInputSchema } from '../lib/access-codes/unmanaged-schemas';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/simulate/external_modification', simulateExternalChangeInputSchema, deps, async (input, { principal }) => {
    await simulateExternalChange(deps, principal, input);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
