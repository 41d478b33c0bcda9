import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { simulateConnection } from '../lib/devices/device-queries';
import { simulateDeviceInputSchema } from '../lib/devices/schemas';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/devices/simulate/connect', simulateDeviceInputSchema, deps, async (input, { principal }) => {
    await simulateConnection(deps, principal, input.device_id, true);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
