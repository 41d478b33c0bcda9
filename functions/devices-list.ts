import { appDeps, type CoreDeps } from '../lib/deps';
import { listDevices } from '../lib/devices/device-queries';
import { listDevicesInputSchema } from '../lib/devices/schemas';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/devices/list', listDevicesInputSchema, deps, async (input, { principal }) => ({
    devices: await listDevices(deps, principal, input),
    pagination: { has_next_page: false, next_page_cursor: null, next_page_url: null },
  }));

export const handler = makeHandler(appDeps());
