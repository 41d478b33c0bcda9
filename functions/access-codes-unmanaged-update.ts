import { updateUnmanagedCode } from '../lib/access-codes/update-unmanaged-code';
import { updateUnmanagedInputSchema } from '../lib/access-codes/unmanaged-schemas';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/unmanaged/update', updateUnmanagedInputSchema, deps, async (input, { principal }) => {
    await updateUnmanagedCode(deps, principal, input);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
