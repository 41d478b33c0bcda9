import { deleteUnmanagedCode } from '../lib/access-codes/delete-unmanaged-code';
import { deleteUnmanagedInputSchema } from '../lib/access-codes/unmanaged-schemas';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/unmanaged/delete', deleteUnmanagedInputSchema, deps, async (input, { principal }) => ({
    action_attempt: await deleteUnmanagedCode(deps, principal, input),
  }));

export const handler = makeHandler(appDeps(locks));
