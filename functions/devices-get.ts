import { appDeps, type CoreDeps } from '../lib/deps';
import { getDevice } from '../lib/devices/device-queries';
import { getDeviceInputSchema } from '../lib/devices/schemas';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/devices/get', getDeviceInputSchema, deps, async (input, { principal }) => ({
    device: await getDevice(deps, principal, input.device_id),
  }));

export const handler = makeHandler(appDeps());
