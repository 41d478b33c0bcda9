import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';
import { getLock } from '../lib/locks/lock-queries';
import { getLockInputSchema } from '../lib/locks/schemas';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/locks/get', getLockInputSchema, deps, async (input, { principal }) => {
    const lock = await getLock(deps, principal, input.device_id);
    return { device: lock, lock };
  });

export const handler = makeHandler(appDeps());
