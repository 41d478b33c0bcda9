import { convertToManaged } from '../lib/access-codes/convert-to-managed';
import { convertToManagedInputSchema } from '../lib/access-codes/unmanaged-schemas';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/unmanaged/convert_to_managed', convertToManagedInputSchema, deps, async (input, { principal }) => {
    await convertToManaged(deps, principal, input);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
