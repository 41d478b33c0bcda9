import { simulateUnmanagedCode } from '../lib/access-codes/simulate-unmanaged-code';
import { simulateUnmanagedInputSchema } from '../lib/access-codes/unmanaged-schemas';
import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: AppDeps) =>
  seamRoute('/access_codes/simulate/create_unmanaged_access_code', simulateUnmanagedInputSchema, deps, async (input, { principal }) => ({
    access_code: await simulateUnmanagedCode(deps, principal, input),
  }));

export const handler = makeHandler(appDeps(locks, engine));
