import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';
import { listLocks } from '../lib/locks/lock-queries';
import { listLocksInputSchema } from '../lib/locks/schemas';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/locks/list', listLocksInputSchema, deps, async (input, { principal }) => {
    const locks = await listLocks(deps, principal, input);
    return { devices: locks, locks };
  });

export const handler = makeHandler(appDeps());
